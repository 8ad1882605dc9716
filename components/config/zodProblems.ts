import type { z } from "zod";
import type { ConfigPath, ConfigProblem } from "./errors";

/**
 * Zod issues as configuration problems: one per issue, with the key path, what was allowed and
 * a "did you mean" for typos. Kept apart from errors.ts so that no public declaration
 * mentions zod's types.
 */

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestScore = Infinity;
    for (const candidate of candidates) {
        const score = distance(word.toLowerCase(), candidate.toLowerCase());
        if (score < bestScore) {
            best = candidate;
            bestScore = score;
        }
    }
    const limit = Math.max(2, Math.floor(word.length / 3));
    if (best !== undefined && bestScore <= limit) {
        return best;
    }
    return word.length >= 4 ? candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase())) : undefined;
}

/** The object keys a schema accepts at `path`, found by walking the zod schema. */
export function keysAt(schema: z.ZodType, path: ConfigPath): string[] {
    let node: unknown = schema;
    for (const part of [...path, undefined]) {
        // Unwrap optional/default/prefault/pipe wrappers until an object or array is reached.
        for (;;) {
            const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
            if (def === undefined) {
                return [];
            }
            if (def.type === "object") {
                if (part === undefined) {
                    return Object.keys(def.shape as object);
                }
                node = (def.shape as Record<string, unknown>)[String(part)];
                break;
            }
            if (def.type === "array") {
                node = def.element;
                break;
            }
            if (def.type === "record") {
                node = def.valueType;
                break;
            }
            node = def.innerType ?? def.in;
            if (node === undefined) {
                return [];
            }
        }
    }
    return [];
}

function article(noun: string): string {
    return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function problemFor(issue: z.core.$ZodIssue): Omit<ConfigProblem, "path" | "got"> {
    switch (issue.code) {
        case "invalid_type":
            if (issue.expected === "int" && typeof issue.input === "number") {
                return { problem: "not a whole number", expected: issue.message };
            }
            return issue.input === undefined
                ? { problem: "missing", expected: article(issue.expected) }
                : { problem: "wrong type", expected: article(issue.expected) };
        case "invalid_value": {
            const allowed = issue.values.map((v) => String(v));
            const didYouMean = typeof issue.input === "string" ? closest(issue.input, allowed) : undefined;
            return {
                problem: "not an allowed value",
                expected: allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`,
                ...(didYouMean !== undefined ? { didYouMean } : {}),
            };
        }
        case "too_small":
            return { problem: issue.origin === "array" ? "too few entries" : "too small", expected: issue.message };
        case "too_big":
            return { problem: issue.origin === "array" ? "too many entries" : "too large", expected: issue.message };
        case "invalid_format":
            return { problem: "bad format", expected: issue.message };
        case "invalid_union":
            return { problem: "not valid", expected: unionExpectation(issue) };
        case "invalid_key":
            return { problem: "bad key", expected: issue.issues[0]?.message ?? "a valid key" };
        default:
            return { problem: issue.message };
    }
}

function unionExpectation(issue: z.core.$ZodIssueInvalidUnion): string {
    const messages = issue.errors.flat().map((i) => (i.code === "invalid_type" ? article(i.expected) : i.message));
    return [...new Set(messages)].join(" or ");
}

/** Turns zod issues into problems, one per issue (one per key for unknown keys). */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const issue of issues) {
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        if (issue.code === "unrecognized_keys") {
            const known = keysAt(schema, path);
            for (const key of issue.keys) {
                const didYouMean = closest(key, known);
                problems.push({
                    path: [...path, key],
                    problem: "unknown key",
                    expected: `one of ${known.join(", ")}`,
                    ...(didYouMean !== undefined ? { didYouMean } : {}),
                });
            }
            continue;
        }
        if (issue.code === "invalid_key") {
            problems.push({ path, problem: "bad key", expected: issue.issues[0]?.message ?? "a valid key", got: issue.input });
            continue;
        }
        const base = problemFor(issue);
        problems.push(issue.input === undefined ? { path, ...base } : { path, ...base, got: issue.input });
    }
    return problems;
}
