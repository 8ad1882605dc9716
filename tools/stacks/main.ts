import * as path from "node:path";
import { parseArgs } from "node:util";
import { runCli, UsageError } from "../cli";
import { parseDuration } from "./duration";
import { parsePrList, parsePrNumber } from "./naming";

/**
 * `npm run stacks -- <command>`: review stacks per pull request, through Pulumi's Automation API.
 *
 *   review <pr> [--from staging] [--domain-template pr-{pr}.staging.example.com] [--ttl 72h] [--comment-file f]
 *   destroy <stack> [--force] [--comment-file f]
 *   gc --ttl <duration> [--closed 12,15] [--dry-run]
 *
 * Needs the Pulumi CLI on PATH and a backend login (`pulumi login`); see docs/pull-requests.md.
 */

const USAGE = "usage: npm run stacks -- review <pr> [--from staging] [--domain-template pr-{pr}.example.com] [--ttl 72h] | destroy <stack> [--force] | gc --ttl 72h [--closed 12,15] [--dry-run]";
const DEFAULT_TTL = "72h";
const DEFAULT_BASE = "staging";
/** Pause between destroy attempts; `HORIZON_STACKS_RETRY_WAIT_SECONDS` overrides it. */
const DEFAULT_RETRY_WAIT_SECONDS = 60;
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

type Options = Record<string, { type: "string" | "boolean" }>;

function parse(command: string, args: string[], options: Options, positionals: number) {
    let parsed;
    try {
        parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (err) {
        throw new UsageError(`${command}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (parsed.positionals.length !== positionals) {
        throw new UsageError(`${command} takes ${positionals === 0 ? "no argument" : `${positionals} argument`}, got ${parsed.positionals.length}; ${USAGE}`);
    }
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function retryWaitMs(): number {
    const text = process.env.HORIZON_STACKS_RETRY_WAIT_SECONDS;
    if (text === undefined) {
        return DEFAULT_RETRY_WAIT_SECONDS * 1000;
    }
    if (!/^[0-9]{1,4}$/.test(text)) {
        throw new UsageError(`HORIZON_STACKS_RETRY_WAIT_SECONDS: ${JSON.stringify(text)} is not a number of seconds (0-9999)`);
    }
    return Number(text) * 1000;
}

const str = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    const env = {
        workDir: path.join(__dirname, "..", ".."),
        now: () => new Date(),
        out: (text: string) => void process.stdout.write(text),
        retryWaitMs: retryWaitMs(),
    };
    // The Automation API and the offline plan load on demand, so usage errors come back at once.
    switch (command) {
        case "review": {
            const { values, positionals } = parse(command, rest, { from: { type: "string" }, "domain-template": { type: "string" }, ttl: { type: "string" }, "comment-file": { type: "string" } }, 1);
            const pr = parsePrNumber(positionals[0]);
            const from = str(values.from) ?? DEFAULT_BASE;
            if (!STACK_NAME.test(from)) {
                throw new UsageError(`--from: ${JSON.stringify(from)} is not a stack name; use letters, digits, '-', '_' or '.'`);
            }
            const ttlMs = parseDuration("--ttl", str(values.ttl) ?? DEFAULT_TTL);
            const domainTemplate = str(values["domain-template"]);
            if (domainTemplate !== undefined) {
                const { reviewDomain } = await import("./overrides");
                reviewDomain(domainTemplate, pr);
            }
            const { review } = await import("./automation");
            return review({ pr, from, ttlMs, domainTemplate, commentFile: str(values["comment-file"]) }, env);
        }
        case "destroy": {
            const { values, positionals } = parse(command, rest, { force: { type: "boolean" }, "comment-file": { type: "string" } }, 1);
            if (!STACK_NAME.test(positionals[0])) {
                throw new UsageError(`destroy: ${JSON.stringify(positionals[0])} is not a stack name; use letters, digits, '-', '_' or '.'`);
            }
            const { destroy } = await import("./automation");
            return destroy({ stack: positionals[0], force: values.force === true, commentFile: str(values["comment-file"]) }, env);
        }
        case "gc": {
            const { values } = parse(command, rest, { ttl: { type: "string" }, closed: { type: "string" }, "dry-run": { type: "boolean" } }, 0);
            if (values.ttl === undefined) {
                throw new UsageError("gc: --ttl is required, e.g. --ttl 72h");
            }
            const ttlMs = parseDuration("--ttl", String(values.ttl));
            const closed = parsePrList("--closed", str(values.closed) ?? "");
            const { gc } = await import("./automation");
            return gc({ ttlMs, closed, dryRun: values["dry-run"] === true }, env);
        }
        default:
            throw new UsageError(command === undefined ? USAGE : `unknown command ${JSON.stringify(command)}; ${USAGE}`);
    }
}

/** Known failures print as the CLI or the refusal worded them, without a stack trace. */
async function mainReportingFailures(argv: string[]): Promise<number> {
    try {
        return await main(argv);
    } catch (err) {
        const { CommandError } = await import("@pulumi/pulumi/automation");
        if (err instanceof CommandError || (err instanceof Error && err.name === "StacksError")) {
            console.error(`error: ${err.message.trim()}`);
            return 1;
        }
        throw err;
    }
}

runCli(() => mainReportingFailures(process.argv.slice(2)));
