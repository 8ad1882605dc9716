import * as fs from "node:fs";
import * as path from "node:path";
import { CommandError, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parseStackSpec } from "../../components/config";
import { planConfig } from "../plan/run";
import { costPerDay, destroyedComment, reviewComment } from "./comment";
import { fromConfigMap, toConfigMap } from "./configMap";
import { formatUsd } from "../plan/markdown";
import { reviewStackName } from "./naming";
import { reviewConfig } from "./overrides";
import { destroyRefusal, isoSeconds, protectedResources, reviewTags, selectCollectable, type StackFacts } from "./policy";
import { DESTROY_ATTEMPTS, isTransientDestroyError } from "./transient";

/**
 * The stacks tool's Pulumi side: every call goes through the Automation API
 * (`@pulumi/pulumi/automation`), which runs the `pulumi` CLI found on PATH in the repository
 * root (Pulumi.yaml, `stackConfigDir: stacks`). The decisions live in pure modules beside this one.
 */

export interface Environment {
    /** The Pulumi project directory. */
    readonly workDir: string;
    readonly now: () => Date;
    /** Where progress and results go. */
    readonly out: (text: string) => void;
    /** Pause between destroy attempts after a transient error. */
    readonly retryWaitMs: number;
}

/** A refusal or failure already explained in one line: printed without a stack trace. */
export class StacksError extends Error {
    override name = "StacksError";
}

export interface ReviewRequest {
    readonly pr: number;
    readonly from: string;
    readonly domainTemplate?: string;
    readonly ttlMs: number;
    /** Write the pull request comment's review section here. */
    readonly commentFile?: string;
}

/**
 * Creates or updates stack `pr-<n>` from the base stack's configuration with the review
 * overrides, tags it, runs `pulumi up` with its output streamed, and reports URL, cost per day
 * and expiry.
 *
 * The Automation API has no copy-config (the CLI's `stack init --copy-config-from`): the base's
 * configuration is read decrypted with `getAllConfig` and written with `setAllConfig`, which
 * passes each secret with `--secret`, so the CLI encrypts it with the new stack's secrets
 * provider. The overrides need the plain values anyway.
 */
export async function review(request: ReviewRequest, env: Environment): Promise<number> {
    const name = reviewStackName(request.pr);
    const workspace = await LocalWorkspace.create({ workDir: env.workDir });
    const base = fromConfigMap(await workspace.getAllConfig(request.from));
    const derived = reviewConfig(base, { pr: request.pr, domainTemplate: request.domainTemplate });
    // Checked (and priced) before anything is created: a bad config is one message, no stack.
    // Its problems come from the base stack, so the message points at the base's stack file.
    const baseFile = path.join(env.workDir, "stacks", `Pulumi.${request.from}.yaml`);
    parseStackSpec(derived.config, { stack: name, secretKeys: derived.secretKeys, file: baseFile });
    const { plan } = await planConfig(name, derived.config, derived.secretKeys);

    const stack = await Stack.createOrSelect(name, workspace);
    const wanted = toConfigMap(derived, base.other);
    const stale = Object.keys(await stack.getAllConfig()).filter((key) => !(key in wanted));
    if (stale.length > 0) {
        await stack.removeAllConfig(stale);
    }
    await stack.setAllConfig(wanted);
    const expires = new Date(env.now().getTime() + request.ttlMs);
    for (const [key, value] of Object.entries(reviewTags(request.pr, expires))) {
        await stack.setTag(key, value);
    }

    const result = await stack.up({ onOutput: env.out });
    const urls = result.outputs.urls?.value;
    const urlList = Array.isArray(urls) ? urls.map(String) : [];
    env.out(`\n${name}: ${urlList.join(" ") || "no urls output"}\n`);
    env.out(`cost: ${formatUsd(costPerDay(plan.cost.monthlyUsd))} per day; expires ${isoSeconds(expires)}\n`);
    if (request.commentFile !== undefined) {
        fs.writeFileSync(
            request.commentFile,
            reviewComment({ stack: name, urls: urlList, monthlyUsd: plan.cost.monthlyUsd, pricesAsOf: plan.cost.pricesAsOf, expires }),
        );
    }
    return 0;
}

export interface DestroyRequest {
    readonly stack: string;
    readonly force: boolean;
    readonly commentFile?: string;
}

/** Destroys a review stack and removes it, or refuses (see `destroyRefusal`). */
export async function destroy(request: DestroyRequest, env: Environment): Promise<number> {
    const workspace = await LocalWorkspace.create({ workDir: env.workDir });
    await destroyStack(workspace, request.stack, request.force, env);
    if (request.commentFile !== undefined) {
        fs.writeFileSync(request.commentFile, destroyedComment(request.stack));
    }
    return 0;
}

async function destroyStack(workspace: LocalWorkspace, name: string, force: boolean, env: Environment): Promise<void> {
    const stack = await Stack.select(name, workspace);
    const facts: StackFacts = { name, tags: await workspace.listTags(name) };
    const refusal = destroyRefusal(facts, protectedResources(await workspace.exportStack(name)));
    if (refusal !== undefined && !force) {
        throw new StacksError(`refusing to destroy: ${refusal}`);
    }
    for (let attempt = 1; ; attempt++) {
        try {
            await stack.destroy({ onOutput: env.out });
            break;
        } catch (err) {
            if (!(err instanceof CommandError) || attempt >= DESTROY_ATTEMPTS || !isTransientDestroyError(err.message)) {
                throw err;
            }
            env.out(`\n${name}: destroy attempt ${attempt} of ${DESTROY_ATTEMPTS} hit an error DigitalOcean clears by itself; retrying in ${Math.round(env.retryWaitMs / 1000)} s\n`);
            await new Promise((resolve) => setTimeout(resolve, env.retryWaitMs));
        }
    }
    await workspace.removeStack(name);
    env.out(`${name}: destroyed and removed\n`);
}

export interface GcRequest {
    readonly ttlMs: number;
    readonly closed: readonly number[];
    readonly dryRun: boolean;
}

/** Destroys the review stacks that expired or whose pull request closed. */
export async function gc(request: GcRequest, env: Environment): Promise<number> {
    const workspace = await LocalWorkspace.create({ workDir: env.workDir });
    const facts: StackFacts[] = [];
    for (const summary of await workspace.listStacks()) {
        if (/^pr-[0-9]+$/.test(summary.name)) {
            facts.push({ name: summary.name, tags: await workspace.listTags(summary.name), lastUpdate: summary.lastUpdate });
        }
    }
    const selected = selectCollectable(facts, { now: env.now(), ttlMs: request.ttlMs, closed: request.closed });
    for (const item of selected) {
        env.out(`${item.name}: ${item.reason}${request.dryRun ? " (dry run: kept)" : ""}\n`);
    }
    if (selected.length === 0) {
        env.out("no review stack to collect\n");
    }
    if (request.dryRun) {
        return 0;
    }
    let failed = 0;
    for (const item of selected) {
        try {
            await destroyStack(workspace, item.name, false, env);
        } catch (err) {
            failed++;
            env.out(`${item.name}: not collected: ${firstErrorLine(err)}\n`);
        }
    }
    return failed === 0 ? 0 : 1;
}

/** The line of a failure worth printing: the CLI's first `error:` line, or the message's first line. */
export function firstErrorLine(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const lines = text.split("\n").map((l) => l.trim());
    return lines.find((l) => /^error:/i.test(l)) ?? lines.find((l) => l !== "") ?? text;
}
