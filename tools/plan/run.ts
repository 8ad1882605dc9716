// First, before anything loads @pulumi/pulumi.
import "../deferredModules";
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackSpec, readStackFile, type StackSpec } from "../../components/config";
import { type MockRun, type RecordedResource, runUnderMocks } from "../mockRuntime";
import { adapterFor } from "./adapters";
import { estimateCost } from "./cost";
import type { Plan, PlannedResource } from "./inventory";

/** A plan plus what the summary needs beyond the inventory. */
export interface StackPlan {
    readonly plan: Plan;
    readonly spec: StackSpec;
    /** Stack outputs as the program returned them (mock values for what the cloud computes). */
    readonly outputs: Record<string, unknown>;
}

/** Where a program lives: its `index.ts` and its `stacks/` directory. */
export interface ProgramRoot {
    readonly entry: string;
    readonly stacksDir: string;
}

export const REPOSITORY_ROOT: ProgramRoot = {
    entry: path.join(__dirname, "..", "..", "index.ts"),
    stacksDir: path.join(__dirname, "..", "..", "stacks"),
};

export function programRoot(dir: string): ProgramRoot {
    return { entry: path.join(dir, "index.ts"), stacksDir: path.join(dir, "stacks") };
}

/** Full-key config (`horizon:app` -> JSON text), as the Pulumi CLI hands it to a program. */
export function toPulumiConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [`horizon:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

const RUNTIME_WARNING = /^warning: \[runtime\] /;

/**
 * Runs the program at `root.entry` for a stack's configuration under Pulumi's mock runtime and
 * returns what `pulumi up` would register. Configuration errors throw `ConfigError` before the
 * program registers anything. Warnings the program logs become the plan's warnings.
 */
export async function planConfig(
    stack: string,
    config: Record<string, unknown>,
    secretKeys: ReadonlySet<string>,
    root: ProgramRoot = REPOSITORY_ROOT,
    options: PlanOptions = {},
): Promise<StackPlan> {
    const { spec } = parseStackSpec(config, { stack, secretKeys });
    const warnings: string[] = [];
    const originalWarn = console.warn;
    console.warn = (...args: unknown[]) => {
        const text = args.map(String).join(" ");
        if (RUNTIME_WARNING.test(text)) {
            warnings.push(text.replace(RUNTIME_WARNING, ""));
        } else {
            originalWarn(...args);
        }
    };
    let run;
    try {
        run = await runEntry(root.entry, stack, config, secretKeys);
    } finally {
        console.warn = originalWarn;
    }
    // Registration order follows promise timing, which any code change can shift; sorted by
    // name, a plan's JSON changes only where what it registers changes.
    const resources = run.resources
        .map((r) => toPlanned(r, options.fingerprintSecrets ? FINGERPRINT_KEY : undefined))
        .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
    const cost = estimateCost(resources);
    for (const unpriced of cost.unpriced) {
        warnings.push(`no price for ${unpriced}; the cost estimate leaves it out`);
    }
    return { plan: { stack, resources, cost, warnings }, spec, outputs: run.outputs ?? {} };
}

/**
 * Runs a Pulumi program file (`index.ts`, ending in `export = ...`) for a stack's configuration
 * under mocks. It is loaded afresh each time, so several stacks can run in one process.
 */
export function runEntry(
    entry: string,
    stack: string,
    config: Record<string, unknown>,
    secretKeys: ReadonlySet<string>,
): Promise<MockRun<Record<string, unknown>>> {
    return runUnderMocks(
        async () => {
            delete require.cache[require.resolve(entry)];
            return (await require(entry)) as Record<string, unknown>;
        },
        {
            stack,
            config: toPulumiConfig(config),
            secretKeys: [...secretKeys].map((k) => `horizon:${k}`),
            // The plan drops dynamic providers' code (INTERNAL_INPUTS), so it need not serialize it.
            serializeDynamicProviders: false,
            trackPromises: false,
        },
    );
}

/** Plans `stacks/Pulumi.<stack>.yaml` of a program root. */
export async function planStack(stack: string, root: ProgramRoot = REPOSITORY_ROOT, options: PlanOptions = {}): Promise<StackPlan> {
    const file = readStackFile(path.join(root.stacksDir, `Pulumi.${stack}.yaml`));
    return planConfig(file.stack, file.config, file.secretKeys, root, options);
}

export interface PlanOptions {
    /**
     * Show each secret input as `[secret #<digest>]` instead of `[secret]`, so two plans made in
     * this process can tell a changed secret (a new image in user data) from an unchanged one.
     * The digest is keyed with a random per-process key: it reveals nothing and means nothing
     * outside this process. @default false
     */
    readonly fingerprintSecrets?: boolean;
}

const FINGERPRINT_KEY = randomBytes(32);

/** Whether a program root has a given stack file. */
export function hasStack(stack: string, root: ProgramRoot): boolean {
    return fs.existsSync(path.join(root.stacksDir, `Pulumi.${stack}.yaml`));
}

/** Inputs that carry the serialized code of a dynamic provider: noise in a plan, not configuration. */
const INTERNAL_INPUTS = new Set(["__provider"]);

/** The inventory entry: what the JSON plan shows (no raw secret values). */
export function toPlanned(resource: RecordedResource, fingerprintKey?: Buffer): PlannedResource {
    const inputs = Object.entries(resource.inputs)
        .filter(([key]) => !INTERNAL_INPUTS.has(key))
        .map(([key, value]): [string, unknown] =>
            fingerprintKey !== undefined && resource.secretInputs.includes(key)
                ? [key, `[secret #${createHmac("sha256", fingerprintKey).update(JSON.stringify(resource.rawInputs[key])).digest("hex").slice(0, 10)}]`]
                : [key, value],
        );
    const explain = resource.secretInputs.length > 0 ? adapterFor(resource.type)?.explain?.(resource.type, resource.rawInputs) : undefined;
    return {
        type: resource.type,
        name: resource.name,
        ...(resource.parent !== undefined ? { parent: resource.parent } : {}),
        inputs: Object.fromEntries(inputs),
        ...(explain !== undefined ? { explain } : {}),
        options: resource.options,
    };
}
