import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

export type ConfigPath = readonly (string | number)[];

/** One thing wrong with a stack's configuration. */
export interface ConfigProblem {
    /** Path below `horizon:`, e.g. `["regions", 0, "replicas"]`. */
    readonly path: ConfigPath;
    /** What is wrong, e.g. `out of range`. */
    readonly problem: string;
    /** What would be accepted, e.g. `an integer in 1-100`. */
    readonly expected?: string;
    /** The value received; left out when there was none. */
    readonly got?: unknown;
    /** A close valid spelling, when one exists. */
    readonly didYouMean?: string;
}

/** Printed in place of any value read from a secret config key. */
export const REDACTED = "[secret]";

/** Paths whose values are secret whatever the stack file says. */
const ALWAYS_SECRET: readonly ConfigPath[] = [
    ["app", "secretEnv"],
    ["app", "registry", "password"],
    ["kubernetes", "cluster", "kubeconfig"],
];

/**
 * Bad configuration. A `RunError`, so `pulumi up` prints the message alone, without the
 * program text or a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: readonly ConfigProblem[],
        readonly stackName: string | undefined,
        secretKeys: ReadonlySet<string> = new Set(),
        /** The stack file the configuration came from, when known. */
        readonly file?: string,
    ) {
        super(renderProblems(problems, stackName, secretKeys, file));
        this.name = "ConfigError";
    }
}

/** `horizon:regions[0].replicas` */
export function formatPath(path: ConfigPath): string {
    let out = "horizon:";
    path.forEach((part, i) => {
        out += typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`;
    });
    return out;
}

function isSecretPath(path: ConfigPath, secretKeys: ReadonlySet<string>): boolean {
    if (typeof path[0] === "string" && secretKeys.has(path[0])) {
        return true;
    }
    return ALWAYS_SECRET.some((prefix) => prefix.every((part, i) => path[i] === part));
}

function showValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function formatProblem(p: ConfigProblem, secretKeys: ReadonlySet<string> = new Set()): string {
    const details: string[] = [];
    if ("got" in p) {
        details.push(`got ${isSecretPath(p.path, secretKeys) ? REDACTED : showValue(p.got)}`);
    }
    if (p.expected !== undefined) {
        details.push(`expected ${p.expected}`);
    }
    const suffix = p.didYouMean !== undefined ? `; did you mean "${p.didYouMean}"?` : "";
    const where = p.path.length > 0 ? `${formatPath(p.path)}: ` : "";
    return `${where}${p.problem}${details.length > 0 ? ` (${details.join("; ")})` : ""}${suffix}`;
}

export function renderProblems(
    problems: readonly ConfigProblem[],
    stack: string | undefined,
    secretKeys: ReadonlySet<string> = new Set(),
    file?: string,
): string {
    const where = stack !== undefined ? `stack "${stack}"` : "the configuration";
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const stackFile = file !== undefined ? path.relative(process.cwd(), file) : `stacks/Pulumi.${stack}.yaml`;
    const fix =
        stack !== undefined
            ? `Fix ${stackFile}, or run \`pulumi config set --path <key> <value> -s ${stack}\`.`
            : "Fix the values above.";
    return [`${where} has ${count}:`, ...problems.map((p) => `  ${formatProblem(p, secretKeys)}`), fix].join("\n");
}
