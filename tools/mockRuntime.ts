// First, before @pulumi/pulumi loads.
import "./deferredModules";
import * as pulumi from "@pulumi/pulumi";
import { mockInvoke, mockOutputs } from "./plan/adapters";
import { hashName } from "./plan/adapters/types";
import type { PlannedOptions, PlannedResource } from "./plan/inventory";

/**
 * Runs a Pulumi program under Pulumi's own mock runtime (`pulumi.runtime.setMocks`) inside a
 * real root stack, and records every resource it registers: type, name, parent, resolved
 * inputs (secrets replaced by `"[secret]"`) and the options that decide what `pulumi up`
 * does beyond the inputs. The mock monitor does not see resource options, so a stack
 * transformation, which every resource passes through, records them.
 *
 * Used by the tests and by `npm run plan`: both see exactly what the program registers.
 */

/** Printed in place of a secret value. */
export const SECRET = "[secret]";

/** Pulumi's wire marker for a secret value (`rpc.specialSigKey` / `specialSecretSig`). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface RecordedResource extends PlannedResource {
    /** Inputs as the provider would receive them, secrets unwrapped (tests check values). */
    readonly rawInputs: Record<string, unknown>;
    /** Top-level input names whose value is (or contains) a secret. */
    readonly secretInputs: string[];
    /** Output names the resource asks Pulumi to keep secret. */
    readonly additionalSecretOutputs: string[];
    /** Create, update and delete timeouts the resource asks for. */
    readonly customTimeouts?: pulumi.CustomTimeouts;
}

export interface MockRunOptions {
    /** @default "horizon" */
    readonly project?: string;
    /** @default "test" */
    readonly stack?: string;
    /** Full config keys (`horizon:app`) to string values, as the CLI passes them. */
    readonly config?: Record<string, string>;
    /** Full config keys whose values are secret. */
    readonly secretKeys?: string[];
    /**
     * Replaces what the mocks answer for chosen resources (return undefined to keep the default),
     * so a test can tell an input wired from another resource's output from a literal.
     */
    readonly outputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
    /**
     * Serialize dynamic providers' code into their `__provider` input, as a real run does.
     * Serializing loads Pulumi's closure serializer (and TypeScript with it), the costliest
     * step of a small plan; a plan leaves the code out anyway. @default true
     */
    readonly serializeDynamicProviders?: boolean;
    /**
     * Let @pulumi/pulumi keep its debugging record of the promises it makes
     * (runtime/debuggable.js): for each one a description, a stack trace and a place in the set
     * of pending promises it reports at exit, if any remain, to explain a program that never
     * finished. That record is about a third of the heap a large plan holds while its resources
     * wait for their inputs (four promises per output of every resource), and under tsx, which
     * turns source maps on, the traces dominate its time. A plan turns it off while it runs: an
     * error it prints shows its message without a stack, and a program that never finishes fails
     * the run with the resources still waiting. @default true
     */
    readonly trackPromises?: boolean;
    /** Invoke results by function token; any other invoke fails the run. */
    readonly invokes?: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
}

export interface MockRun<T> {
    readonly resources: RecordedResource[];
    /** What the program returned (its stack outputs), with Outputs resolved. */
    readonly outputs: T;
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Returns [value with secrets redacted, value with secrets unwrapped, contains a secret]. */
function splitSecrets(value: unknown): [unknown, unknown, boolean] {
    if (isSecretWrapper(value)) {
        return [SECRET, splitSecrets(value.value)[1], true];
    }
    if (Array.isArray(value)) {
        const parts = value.map(splitSecrets);
        return [parts.map((p) => p[0]), parts.map((p) => p[1]), parts.some((p) => p[2])];
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, splitSecrets(v)] as const);
        return [
            Object.fromEntries(entries.map(([k, p]) => [k, p[0]])),
            Object.fromEntries(entries.map(([k, p]) => [k, p[1]])),
            entries.some(([, p]) => p[2]),
        ];
    }
    return [value, value, false];
}


/** The id the mock cloud gives a resource: droplets have numeric ids, as on DigitalOcean. */
export function mockId(type: string, name: string): string {
    return type === "digitalocean:index/droplet:Droplet" ? String(hashName(name)) : `${name}-id`;
}

/**
 * The name Pulumi's autonaming would give a cloud resource whose program sets none: the logical
 * name and a suffix (random in a real run, derived from the name here, so runs are repeatable).
 */
function autoName(type: string, name: string): Record<string, string> {
    return type.startsWith("digitalocean:") ? { name: `${name}-${hashName(name).toString(16).padStart(8, "0").slice(0, 7)}` } : {};
}

/**
 * Plausible values for what the cloud computes (ids, addresses, hosts, URIs), so programs
 * that wire one resource's outputs into another's inputs run end to end. Each provider's
 * values come from its plan adapter.
 */
export function fakeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    return mockOutputs(type, name, inputs);
}

function toNames(value: unknown, names: WeakMap<pulumi.Resource, string>): string[] {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.map((r) => (pulumi.Resource.isInstance(r) ? (names.get(r) ?? "(unknown)") : "(output)"));
}

interface TransformRecord {
    parent?: string;
    options: PlannedOptions;
    additionalSecretOutputs: string[];
    customTimeouts?: pulumi.CustomTimeouts;
}

/**
 * Runs `program` in a root stack under mocks and returns what it registered. Each call starts
 * from fresh mocks and config, so several stacks can be planned in one process.
 */
export async function runUnderMocks<T>(program: () => T | Promise<T>, options: MockRunOptions = {}): Promise<MockRun<T>> {
    const restoreSerializer = options.serializeDynamicProviders === false ? skipProviderSerialization() : () => undefined;
    const trackPromises = options.trackPromises !== false;
    const restorePromiseTracking = trackPromises ? () => undefined : skipPromiseTracking();
    const sourceMaps = process.sourceMapsEnabled;
    const stackTraceLimit = Error.stackTraceLimit;
    if (!trackPromises) {
        process.setSourceMapsEnabled(false);
        Error.stackTraceLimit = 0;
    }
    const project = options.project ?? "horizon";
    const stack = options.stack ?? "test";
    const names = new WeakMap<pulumi.Resource, string>();
    const transformed = new Map<string, TransformRecord>();
    const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
    const invokes = options.invokes ?? {};

    pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                if (args.type !== "pulumi:pulumi:Stack") {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                }
                return {
                    id: mockId(args.type, args.name),
                    state: {
                        ...autoName(args.type, args.name),
                        ...args.inputs,
                        ...fakeOutputs(args.type, args.name, args.inputs),
                        ...options.outputs?.(args.type, args.name, args.inputs),
                    },
                };
            },
            call(args) {
                const handler = invokes[args.token];
                if (handler !== undefined) {
                    return handler(args.inputs);
                }
                // Data sources the program always reads (the DOKS version) answer as their plan adapter says.
                const fallback = mockInvoke(args.token, args.inputs);
                if (fallback === undefined) {
                    throw new Error(`unexpected invoke ${args.token}: no mock result is defined for it`);
                }
                return fallback;
            },
        },
        project,
        stack,
        false,
    );

    const recordOptions = (args: pulumi.ResourceTransformationArgs): undefined => {
        names.set(args.resource, args.name);
        const parent = args.opts.parent;
        const custom = args.opts as pulumi.CustomResourceOptions;
        transformed.set(`${args.type}::${args.name}`, {
            parent: parent !== undefined && !(parent instanceof pulumi.runtime.Stack) ? names.get(parent) : undefined,
            options: {
                protect: args.opts.protect === true,
                dependsOn: toNames(args.opts.dependsOn, names),
                deleteBeforeReplace: custom.deleteBeforeReplace === true,
                retainOnDelete: args.opts.retainOnDelete === true,
                ignoreChanges: [...(args.opts.ignoreChanges ?? [])],
            },
            additionalSecretOutputs: [...(custom.additionalSecretOutputs ?? [])],
            ...(custom.customTimeouts !== undefined ? { customTimeouts: custom.customTimeouts } : {}),
        });
        return undefined;
    };

    // Errors thrown inside applies surface as unhandled rejections; a real run fails on them, so this one does too.
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => asyncErrors.push(reason);
    process.on("unhandledRejection", onRejection);
    // Without Pulumi's record of pending promises nothing would report a program that never
    // finishes: the event loop would run dry and the process exit quietly, mid-run.
    let onStall: () => void = () => undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
        onStall = () => reject(new Error(neverFinished(transformed.keys(), registered)));
    });
    if (!trackPromises) {
        process.once("beforeExit", onStall);
    }
    let outputs: unknown;
    try {
        const run = async () => {
            await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation(recordOptions);
                outputs = await program();
                return {};
            });
            await pulumi.runtime.disconnect();
        };
        await Promise.race([run(), stalled]);
    } finally {
        process.off("beforeExit", onStall);
        // A program that throws also rejects the stack's pending outputs a tick later; let those
        // arrive here instead of failing whatever runs next.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
        restoreSerializer();
        restorePromiseTracking();
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
    }
    if (asyncErrors.length > 0) {
        throw asyncErrors[0];
    }
    const resolvedOutputs = await resolveDeep(outputs);

    const resources: RecordedResource[] = registered.map(({ type, name, inputs }) => {
        const record = transformed.get(`${type}::${name}`);
        const secretInputs: string[] = [];
        const redacted: Record<string, unknown> = {};
        const raw: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(inputs)) {
            const [shown, plain, secret] = splitSecrets(value);
            redacted[key] = shown;
            raw[key] = plain;
            if (secret) {
                secretInputs.push(key);
            }
        }
        return {
            type,
            name,
            ...(record?.parent !== undefined ? { parent: record.parent } : {}),
            inputs: redacted,
            rawInputs: raw,
            secretInputs,
            additionalSecretOutputs: record?.additionalSecretOutputs ?? [],
            ...(record?.customTimeouts !== undefined ? { customTimeouts: record.customTimeouts } : {}),
            options: record?.options ?? {
                protect: false,
                dependsOn: [],
                deleteBeforeReplace: false,
                retainOnDelete: false,
                ignoreChanges: [],
            },
        };
    });
    return { resources, outputs: resolvedOutputs as T };
}

/** What a dynamic provider's `__provider` input holds when its code is not serialized. */
const UNSERIALIZED_PROVIDER = "[dynamic provider code: not serialized in a plan]";

/**
 * Swaps @pulumi/pulumi's closure serializer for a stand-in until the returned function
 * restores it: `pulumi.dynamic.Resource` then records a placeholder instead of the provider's
 * code, and TypeScript (which the serializer parses functions with) is never loaded. Only the
 * mock runtime does this; `pulumi up` never runs this module. Pulumi caches a provider's
 * serialized text per provider object, so a later run in the same process sees the placeholder too.
 */
function skipProviderSerialization(): () => void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same module object @pulumi/pulumi loads on demand
    const serializer = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: unknown };
    const original = serializer.serializeFunction;
    serializer.serializeFunction = () => Promise.resolve({ text: UNSERIALIZED_PROVIDER, exportName: "handler", containsSecrets: false });
    return () => {
        serializer.serializeFunction = original;
    };
}

/**
 * Turns off @pulumi/pulumi's per-promise debugging record (runtime/debuggable.js) until the
 * returned function restores it: `debuggablePromise` hands each promise back as it is, without
 * a description, a stack trace, an entry in the set of pending promises or the two promises that
 * take it out of that set again.
 */
function skipPromiseTracking(): () => void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object every Pulumi call site reads debuggablePromise from
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = <T>(promise: Promise<T>): Promise<T> => promise;
    return () => {
        debuggable.debuggablePromise = original;
    };
}

/**
 * Why a run stopped with work left: the resources the program created whose registration never
 * completed, because an input or a dependency never resolved.
 */
function neverFinished(created: Iterable<string>, registered: readonly { type: string; name: string }[]): string {
    const done = new Set(registered.map((r) => `${r.type}::${r.name}`));
    const waiting = [...created].filter((key) => !done.has(key)).map((key) => key.slice(key.indexOf("::") + 2));
    const shown = waiting.length > 10 ? [...waiting.slice(0, 10), `and ${waiting.length - 10} more`] : waiting;
    return (
        "the program never finished: " +
        (waiting.length === 0
            ? "it waits on a promise that never settles"
            : `${waiting.length === 1 ? "resource" : `${waiting.length} resources`} never registered (${shown.join(", ")}): ` +
              "an input waits on an Output or promise that never settles, or resources wait on each other")
    );
}

/** Resolves every Output inside a value (stack outputs are usually objects of Outputs). */
export async function resolveDeep(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const inner = await new Promise<unknown>((resolve) => value.apply((v) => resolve(v)));
        return resolveDeep(inner);
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolveDeep));
    }
    if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/** True when an Output resolves as secret. */
export async function isSecretOutput(value: unknown): Promise<boolean> {
    return pulumi.Output.isInstance(value) ? await pulumi.isSecret(value) : false;
}
