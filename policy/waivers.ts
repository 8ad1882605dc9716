import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { RULES } from "./rules";

/** Rule ids turned off per stack: stack -> rule id -> why. */
export type Waivers = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** A waivers file that cannot be used: the message names the file, the key and the value. */
export class WaiverError extends Error {
    override name = "WaiverError";
}

/**
 * Reads a waivers file (`policy/waivers.yaml`):
 *
 * ```yaml
 * staging:
 *   production-replicas: one replica is enough for a stack nobody serves traffic from
 * ```
 *
 * Every waiver names an existing rule and gives a non-empty reason; anything else is an error
 * listing every problem at once. A missing file means no waivers.
 */
export function loadWaivers(file: string): Waivers {
    if (!fs.existsSync(file)) {
        return new Map();
    }
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new WaiverError(`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    return parseWaivers(document, file);
}

/** Checks a parsed waivers document; `source` names it in errors. */
export function parseWaivers(document: unknown, source: string): Waivers {
    if (document === undefined || document === null) {
        return new Map();
    }
    if (!isRecord(document)) {
        throw new WaiverError(`${source}: expected a map of stack -> rule id -> reason, got ${JSON.stringify(document)}`);
    }
    const ruleIds = RULES.map((r) => r.id);
    const problems: string[] = [];
    const waivers = new Map<string, Map<string, string>>();
    for (const [stack, rules] of Object.entries(document)) {
        if (!isRecord(rules)) {
            problems.push(`${stack}: expected a map of rule id -> reason, got ${JSON.stringify(rules)}`);
            continue;
        }
        const stackWaivers = new Map<string, string>();
        for (const [ruleId, reason] of Object.entries(rules)) {
            if (!ruleIds.includes(ruleId)) {
                problems.push(`${stack}.${ruleId}: "${ruleId}" is not a rule (rules: ${ruleIds.join(", ")})`);
            } else if (typeof reason !== "string" || reason.trim() === "") {
                problems.push(`${stack}.${ruleId}: the reason is ${JSON.stringify(reason ?? null)}; a waiver says why the rule does not apply, as text`);
            } else {
                stackWaivers.set(ruleId, reason.trim());
            }
        }
        waivers.set(stack, stackWaivers);
    }
    if (problems.length > 0) {
        throw new WaiverError(`${source}: ${problems.length === 1 ? problems[0] : `\n${problems.map((p) => `  - ${p}`).join("\n")}`}`);
    }
    return waivers;
}

/** The rule ids waived for a stack. */
export function waivedRules(waivers: Waivers, stack: string): Set<string> {
    return new Set(waivers.get(stack)?.keys() ?? []);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
