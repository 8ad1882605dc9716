import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type { StackSpec } from "../core/spec";
import { type ConfigProblem, ConfigError, formatPath, REDACTED } from "./errors";
import { configWarnings, crossFieldProblems } from "./rules";
import { PLATFORM_SCHEMAS, PLATFORMS, type Platform, platformSchema } from "./schema";
import { keysAt, problemsFromZod } from "./zodProblems";

export const CONFIG_NAMESPACE = "horizon";
/** Where the Pulumi runtime keeps the JSON list of secret config keys. */
const SECRET_KEYS_ENTRY = "PULUMI_CONFIG_SECRET_KEYS";

export interface ParsedStack {
    readonly spec: StackSpec;
    readonly warnings: string[];
}

export interface ParseOptions {
    /** Stack name, for messages and stack-dependent warnings. */
    readonly stack?: string;
    /** Top-level keys (without `horizon:`) whose values are secret and never printed. */
    readonly secretKeys?: ReadonlySet<string>;
    /** The stack file, named in error messages. @default stacks/Pulumi.<stack>.yaml */
    readonly file?: string;
}

/**
 * Parses stack configuration (keys without the `horizon:` prefix) into a `StackSpec`,
 * or throws one `ConfigError` listing every problem found.
 *
 * `platform` is read first (default droplets) and chooses the schema for the rest, so a key
 * only another platform understands is reported as such.
 */
export function parseStackSpec(input: unknown, options: ParseOptions = {}): ParsedStack {
    const raw = typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
    const platformResult = platformSchema.safeParse(raw.platform, { reportInput: true });
    const platform: Platform = platformResult.success ? platformResult.data : "droplets";
    const schema = PLATFORM_SCHEMAS[platform];
    const result = schema.safeParse({ ...raw, platform }, { reportInput: true });
    const platformProblems = platformResult.success
        ? []
        : problemsFromZod(platformResult.error.issues, platformSchema).map((p) => ({ ...p, path: ["platform", ...p.path] }));
    if (!result.success || platformProblems.length > 0) {
        const problems = [
            ...platformProblems,
            ...(result.success ? [] : problemsFromZod(result.error.issues, schema).map((p) => otherPlatformKey(p, platform))),
        ];
        const reported = new Set(problems.map((p) => formatPath(p.path)));
        const crossField = crossFieldProblems(parseValidKeys(raw, platform), options.stack).filter((p) => !reported.has(formatPath(p.path)));
        throw new ConfigError([...problems, ...crossField], options.stack, options.secretKeys, options.file);
    }
    const spec = result.data as StackSpec;
    const problems = crossFieldProblems(spec, options.stack);
    if (problems.length > 0) {
        throw new ConfigError(problems, options.stack, options.secretKeys, options.file);
    }
    return { spec, warnings: configWarnings(spec, options.stack, { secretKeys: options.secretKeys, raw }) };
}

/** An unknown key that another platform understands says so, instead of "unknown key". */
function otherPlatformKey(problem: ConfigProblem, platform: Platform): ConfigProblem {
    if (problem.problem !== "unknown key") {
        return problem;
    }
    const parent = problem.path.slice(0, -1);
    const key = String(problem.path[problem.path.length - 1]);
    const users = PLATFORMS.filter((other) => other !== platform && keysAt(PLATFORM_SCHEMAS[other], parent).includes(key));
    if (users.length === 0) {
        return problem;
    }
    return {
        path: problem.path,
        problem: `used only on platform ${users.join(" or ")}`,
        expected: `no ${key} on platform ${platform}; keys here: ${keysAt(PLATFORM_SCHEMAS[platform], parent).join(", ")}`,
    };
}

/** The top-level keys that parse on their own, so cross-key rules can run beside schema errors. */
function parseValidKeys(raw: Record<string, unknown>, platform: Platform): Partial<StackSpec> {
    const partial: Record<string, unknown> = { platform };
    for (const [key, schema] of Object.entries(PLATFORM_SCHEMAS[platform].shape)) {
        if (key === "platform") {
            continue;
        }
        const parsed = (schema as { safeParse(value: unknown): { success: boolean; data?: unknown } }).safeParse(raw[key]);
        if (parsed.success) {
            partial[key] = parsed.data;
        }
    }
    return partial as Partial<StackSpec>;
}

/** Pulumi hands objects, arrays, numbers and booleans to the program as JSON text. */
function decodeConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * The `horizon:` configuration of the running stack, read through the Pulumi runtime
 * (so it works the same under `pulumi up` and under the mock runtime).
 */
export function readPulumiConfig(): { config: Record<string, unknown>; secretKeys: Set<string> } {
    const config: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const secretFullKeys = decodeConfigValue(pulumi.runtime.getConfig(SECRET_KEYS_ENTRY) ?? "[]");
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        config[key] = decodeConfigValue(value);
        if (Array.isArray(secretFullKeys) && secretFullKeys.includes(fullKey)) {
            secretKeys.add(key);
        }
    }
    return { config, secretKeys };
}

/** Parses the running stack's configuration; throws `ConfigError` (printed without a stack trace). */
export function loadStackSpec(): ParsedStack {
    const { config, secretKeys } = readPulumiConfig();
    return parseStackSpec(config, { stack: pulumi.getStack(), secretKeys });
}

/** Replaces `{ secure: ... }` values of a stack file, which only the Pulumi CLI can decrypt. */
function replaceSecure(value: unknown, onSecret: () => void): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => replaceSecure(v, onSecret));
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            onSecret();
            return REDACTED;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, replaceSecure(v, onSecret)]));
    }
    return value;
}

export interface StackFile {
    readonly stack: string;
    readonly file: string;
    readonly config: Record<string, unknown>;
    readonly secretKeys: Set<string>;
}

/** Reads `stacks/Pulumi.<stack>.yaml` without the Pulumi CLI (secure values stay encrypted). */
export function readStackFile(file: string): StackFile {
    const stack = path.basename(file).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        const reason = err instanceof yaml.YAMLException ? err.message.split("\n")[0] : String(err);
        throw new ConfigError([{ path: [], problem: `${path.basename(file)} is not valid YAML: ${reason}` }], stack, new Set(), file);
    }
    const raw = (document as { config?: unknown } | null)?.config ?? {};
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new ConfigError([{ path: [], problem: "the stack file's config: section is not a map", got: raw }], stack, new Set(), file);
    }
    const config: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, value] of Object.entries(raw)) {
        if (fullKey.startsWith(prefix)) {
            const key = fullKey.slice(prefix.length);
            config[key] = replaceSecure(value, () => secretKeys.add(key));
        }
    }
    return { stack, file, config, secretKeys };
}

/** Every `Pulumi.<stack>.yaml` in a directory, sorted by stack name. */
export function listStackFiles(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
}
