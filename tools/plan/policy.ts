import * as path from "node:path";
import { evaluate, isProduction, type PolicyResource, SECRET, type Violation } from "../../policy/rules";
import { loadWaivers, type Waivers } from "../../policy/waivers";
import { mockId } from "../mockRuntime";
import type { Plan, PlannedResource } from "./inventory";
import { code, shortType, table } from "./markdown";

/** The waivers file both the offline check and the CrossGuard pack read. */
export const WAIVERS_FILE = path.join(__dirname, "..", "..", "policy", "waivers.yaml");

export interface WaivedViolation extends Violation {
    readonly reason: string;
}

/** The policy pack's verdict on one stack's plan. */
export interface PolicyReport {
    readonly stack: string;
    readonly production: boolean;
    /** Violations not waived, mandatory first. */
    readonly violations: Violation[];
    /** Violations a waiver turned off, with its reason. */
    readonly waived: WaivedViolation[];
}

/**
 * The plan's resources as the rules see them. Inputs that refer to another resource hold the id
 * the mock cloud gave it; those become `refs` by name, as CrossGuard's property dependencies do.
 */
export function toPolicyResources(resources: readonly PlannedResource[]): PolicyResource[] {
    const nameById = new Map(resources.map((r) => [mockId(r.type, r.name), r.name]));
    return resources.map((r) => {
        const refs: Record<string, string[]> = {};
        for (const [key, value] of Object.entries(r.inputs)) {
            const names = (Array.isArray(value) ? value : [value]).flatMap((v) => {
                const name = typeof v === "string" || typeof v === "number" ? nameById.get(String(v)) : undefined;
                return name === undefined || name === r.name ? [] : [name];
            });
            if (names.length > 0) {
                refs[key] = names;
            }
        }
        return { type: r.type, name: r.name, inputs: unfingerprint(r.inputs) as Record<string, unknown>, protect: r.options.protect, refs };
    });
}

/** `[secret #1a2b…]` (a plan made for a diff) is still a secret to the rules. */
function unfingerprint(value: unknown): unknown {
    if (typeof value === "string") {
        return value.startsWith("[secret") ? SECRET : value;
    }
    if (Array.isArray(value)) {
        return value.map(unfingerprint);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unfingerprint(v)]));
    }
    return value;
}

/** Runs every rule on a plan; waived violations are kept apart with their reasons. */
export function checkPlan(plan: Plan, waivers: Waivers): PolicyReport {
    const resources = toPolicyResources(plan.resources);
    const production = isProduction(plan.stack, resources);
    const stackWaivers = waivers.get(plan.stack) ?? new Map<string, string>();
    const all = evaluate(resources, { stack: plan.stack, production });
    const order = (v: Violation) => (v.level === "mandatory" ? 0 : 1);
    return {
        stack: plan.stack,
        production,
        violations: all.filter((v) => !stackWaivers.has(v.ruleId)).sort((a, b) => order(a) - order(b)),
        waived: all.flatMap((v) => {
            const reason = stackWaivers.get(v.ruleId);
            return reason === undefined ? [] : [{ ...v, reason }];
        }),
    };
}

/** Reads `policy/waivers.yaml` and checks each plan. */
export function checkPlans(plans: readonly Plan[], waiversFile: string = WAIVERS_FILE): PolicyReport[] {
    const waivers = loadWaivers(waiversFile);
    return plans.map((plan) => checkPlan(plan, waivers));
}

export function hasMandatoryViolation(reports: readonly PolicyReport[]): boolean {
    return reports.some((r) => r.violations.some((v) => v.level === "mandatory"));
}

function counts(report: PolicyReport): string {
    const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
    const advisory = report.violations.length - mandatory;
    const waived = report.waived.length > 0 ? `, ${report.waived.length} waived` : "";
    return `${mandatory} mandatory, ${advisory} advisory${waived}`;
}

/** Violations grouped by resource, in order of first appearance. */
function byResource<T extends Violation>(violations: readonly T[]): T[][] {
    const groups = new Map<string, T[]>();
    for (const v of violations) {
        const key = `${v.type}\u0000${v.name}`;
        groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    return [...groups.values()];
}

/** The terminal report: each resource, then each violation with its rule, level and fix. */
export function renderPolicyText(report: PolicyReport): string {
    const kind = report.production ? "production" : "not production";
    const lines = [`Policy for ${report.stack} (${kind}): ${counts(report)}`];
    for (const group of byResource(report.violations)) {
        lines.push(`  ${shortType(group[0].type)} ${group[0].name}`);
        for (const v of group) {
            lines.push(`    ${v.level.padEnd(9)} ${v.ruleId}: ${v.message}`, `              fix: ${v.fix}`);
        }
    }
    for (const v of report.waived) {
        lines.push(`  waived    ${v.ruleId} on ${v.name}: ${v.reason}`);
    }
    return lines.join("\n");
}

/** The pull-request section: a table of violations, then the waivers in force. */
export function renderPolicyMarkdown(report: PolicyReport): string {
    const sections = [`#### Policy for ${code(report.stack)}: ${counts(report)}`];
    if (report.violations.length > 0) {
        const rows = report.violations.map((v) => [
            `${code(v.name)} (${shortType(v.type)})`,
            code(v.ruleId),
            v.level === "mandatory" ? "**mandatory**" : "advisory",
            v.message,
            v.fix,
        ]);
        sections.push(table(["Resource", "Rule", "Level", "Problem", "Fix"], rows));
    } else {
        sections.push("No violations.");
    }
    if (report.waived.length > 0) {
        sections.push(table(["Resource", "Waived rule", "Reason"], report.waived.map((v) => [code(v.name), code(v.ruleId), v.reason])));
    }
    return sections.join("\n\n") + "\n";
}
