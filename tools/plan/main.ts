// First, before anything loads @pulumi/pulumi.
import "../deferredModules";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "../../components/config";
import { loadWaivers, WaiverError, type Waivers } from "../../policy/waivers";
import { UsageError, runCli, selectStackFiles } from "../cli";
import { renderMermaid } from "./diagram";
import { diffPlans, renderDiffMarkdown, renderPlanMarkdown } from "./diff";
import type { Plan } from "./inventory";
import { checkPlan, hasMandatoryViolation, type PolicyReport, renderPolicyMarkdown, renderPolicyText, WAIVERS_FILE } from "./policy";
import { hasStack, planStack, type ProgramRoot, programRoot, REPOSITORY_ROOT, type StackPlan } from "./run";
import { renderSummary } from "./summary";

const USAGE = `usage: npm run plan -- (--stack <name> | --all) [--json | --format text|markdown|mermaid] [--diff <git-ref>] [--policy]

  --stack <name>   plan stacks/Pulumi.<name>.yaml
  --all            plan every stack in stacks/
  --json           the full inventory: resources, options, cost, warnings (secrets as "[secret]")
  --format         text (default), markdown (for a pull request) or mermaid (the diagram only)
  --diff <ref>     compare with the same stack at a git ref (markdown)
  --dir <path>     read stack files from another directory (default: stacks/)
  --policy         check each plan against the policy pack (policy/); exit 1 on a mandatory violation`;

const FORMATS = ["text", "markdown", "mermaid"] as const;
type Format = (typeof FORMATS)[number];

interface Options {
    readonly stacks: string[];
    readonly root: ProgramRoot;
    readonly json: boolean;
    readonly format: Format;
    readonly diff?: string;
    readonly policy: boolean;
}

function parseOptions(argv: string[]): Options {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                all: { type: "boolean", default: false },
                json: { type: "boolean", default: false },
                format: { type: "string", default: "text" },
                diff: { type: "string" },
                dir: { type: "string" },
                policy: { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
        }));
    } catch (err) {
        throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
    if (values.help) {
        console.log(USAGE);
        process.exit(0);
    }
    if ((values.stack === undefined) === !values.all) {
        throw new UsageError(`pass exactly one of --stack <name> or --all\n${USAGE}`);
    }
    if (!(FORMATS as readonly string[]).includes(values.format)) {
        throw new UsageError(`--format ${values.format} is not one of ${FORMATS.join(", ")}`);
    }
    const root: ProgramRoot = values.dir !== undefined ? { ...REPOSITORY_ROOT, stacksDir: path.resolve(values.dir) } : REPOSITORY_ROOT;
    const stacks = selectStackFiles(values.all ? undefined : values.stack, root.stacksDir).map((f) =>
        path.basename(f).replace(/^Pulumi\.|\.ya?ml$/g, ""),
    );
    return {
        stacks,
        root,
        json: values.json,
        policy: values.policy,
        format: values.diff !== undefined && values.format === "text" ? "markdown" : (values.format as Format),
        ...(values.diff !== undefined ? { diff: values.diff } : {}),
    };
}

/** The plan as `--json` prints it. */
function jsonPlan(plan: Plan): string {
    return JSON.stringify(plan, null, 2);
}

function render(result: StackPlan, format: Format): string {
    const { plan, spec } = result;
    switch (format) {
        case "mermaid":
            // Front matter titles the diagram, so each stack's document stands alone and says which it is.
            return `---\ntitle: stack ${plan.stack}\n---\n${renderMermaid(plan.resources).trimEnd()}`;
        case "markdown":
            return renderPlanMarkdown(plan);
        default:
            return renderSummary(plan.stack, spec, plan.resources, plan.cost, plan.warnings);
    }
}

/** Checks out `ref` into a temporary worktree that shares this checkout's node_modules. */
function withWorktree<T>(ref: string, work: (dir: string) => Promise<T>): Promise<T> {
    const repo = path.dirname(REPOSITORY_ROOT.entry);
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
    try {
        git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
    } catch {
        throw new UsageError(`--diff ${ref}: not a commit in this repository (fetch it first, e.g. git fetch origin main)`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-plan-"));
    git("worktree", "add", "--detach", "--quiet", dir, ref);
    fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
    return work(dir).finally(() => {
        git("worktree", "remove", "--force", dir);
        fs.rmSync(dir, { recursive: true, force: true });
    });
}

/** A plan with nothing in it, for a base revision that has no usable stack. */
function emptyPlan(stack: string, warning: string): Plan {
    return { stack, resources: [], cost: { currency: "USD", pricesAsOf: "-", lines: [], monthlyUsd: 0, unpriced: [] }, warnings: [warning] };
}

/** The plan of `stack` at a program root; a stack that does not exist there plans as empty. */
async function planOrEmpty(stack: string, dir: string): Promise<Plan> {
    const options = { fingerprintSecrets: true };
    const root = programRoot(dir);
    if (!hasStack(stack, root)) {
        return emptyPlan(stack, `stack ${stack} does not exist at the base revision`);
    }
    try {
        return (await planStack(stack, root, options)).plan;
    } catch (err) {
        if (err instanceof ConfigError) {
            return emptyPlan(stack, `the base revision's configuration is invalid:\n${err.message}`);
        }
        throw err;
    }
}

/** The policy verdict printed after a stack's plan in the chosen format. */
function renderPolicy(report: PolicyReport, format: Format): string {
    return format === "markdown" ? renderPolicyMarkdown(report) : renderPolicyText(report);
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    let waivers: Waivers | undefined;
    try {
        waivers = options.policy ? loadWaivers(WAIVERS_FILE) : undefined;
    } catch (err) {
        if (err instanceof WaiverError) {
            console.error(err.message);
            return 1;
        }
        throw err;
    }
    if (options.diff !== undefined) {
        const ref = options.diff;
        const sections = await withWorktree(ref, async (dir) => {
            const out: string[] = [];
            const reports: PolicyReport[] = [];
            for (const stack of options.stacks) {
                const before = await planOrEmpty(stack, dir);
                const after = (await planStack(stack, options.root, { fingerprintSecrets: true })).plan;
                const diff = renderDiffMarkdown(diffPlans(before, after), { stack, before, after });
                const report = waivers === undefined ? undefined : checkPlan(after, waivers);
                reports.push(...(report === undefined ? [] : [report]));
                out.push(report === undefined ? diff : `${diff}\n${renderPolicyMarkdown(report)}`);
            }
            return { out, reports };
        });
        console.log(options.json ? JSON.stringify(sections.out) : sections.out.join("\n\n"));
        return hasMandatoryViolation(sections.reports) ? 1 : 0;
    }
    const outputs: string[] = [];
    const plans: Plan[] = [];
    const reports: PolicyReport[] = [];
    for (const stack of options.stacks) {
        const result = await planStack(stack, options.root);
        plans.push(result.plan);
        const report = waivers === undefined ? undefined : checkPlan(result.plan, waivers);
        if (report !== undefined) {
            reports.push(report);
        }
        const rendered = render(result, options.format);
        outputs.push(report === undefined || options.format === "mermaid" ? rendered : `${rendered}\n\n${renderPolicy(report, options.format)}`);
    }
    if (options.json) {
        const json = plans.map((plan, i) => (waivers === undefined ? jsonPlan(plan) : JSON.stringify({ ...plan, policy: reports[i] }, null, 2)));
        console.log(json.length === 1 ? json[0] : `[\n${json.join(",\n")}\n]`);
    } else {
        const separator = { markdown: "\n\n", mermaid: "\n\n", text: "\n\n----\n\n" }[options.format];
        console.log(outputs.join(separator));
    }
    return hasMandatoryViolation(reports) ? 1 : 0;
}

runCli(main);
