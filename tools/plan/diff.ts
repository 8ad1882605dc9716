import { adapterFor, replacementFields } from "./adapters";
import type { CostReport, Plan, PlannedResource } from "./inventory";
import { DO_TYPES, isRecord, numberInput, stringInput } from "./cost";
import { dropletRole, renderMermaid } from "./diagram";
import { code, collapseNames, formatUsd, formatUsdDelta, nameStem, shortType, table, truncate, truncateFrom } from "./markdown";

/** One input (or option) that differs, addressed like `healthcheck.path` or `forwardingRules[1].targetPort`. */
export interface ValueChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

export interface ChangedResource {
    readonly type: string;
    readonly name: string;
    /** The resource's inputs after the change (its role tag among them). */
    readonly inputs: Record<string, unknown>;
    readonly changes: ValueChange[];
}

/** Ordered by how much data is at stake: a managed database cluster removed comes first. */
export type StatefulRisk = "database-removed" | "database-replaced" | "removed" | "replaced";

export interface StatefulWarning {
    readonly risk: StatefulRisk;
    readonly type: string;
    readonly name: string;
    /** Why it matters, e.g. `changing region replaces the cluster with an empty one`. */
    readonly reason: string;
}

export interface PlanDiff {
    readonly added: PlannedResource[];
    readonly removed: PlannedResource[];
    readonly changed: ChangedResource[];
    /** Removals and replacements of stateful resources, most dangerous first. */
    readonly warnings: StatefulWarning[];
}

const RISK_ORDER: StatefulRisk[] = ["database-removed", "database-replaced", "removed", "replaced"];


/** Resources matched by type and name; inputs, parent and resource options are compared. */
export function diffPlans(before: Plan, after: Plan): PlanDiff {
    const key = (r: PlannedResource) => `${r.type}\u0000${r.name}`;
    const old = new Map(before.resources.map((r) => [key(r), r]));
    const current = new Set(after.resources.map(key));
    const added: PlannedResource[] = [];
    const changed: ChangedResource[] = [];
    for (const r of after.resources) {
        const previous = old.get(key(r));
        if (previous === undefined) {
            added.push(r);
            continue;
        }
        const changes = resourceChanges(previous, r);
        if (changes.length > 0) {
            changed.push({ type: r.type, name: r.name, inputs: r.inputs, changes });
        }
    }
    const removed = before.resources.filter((r) => !current.has(key(r)));
    const warnings = explainPrimaryMove([...removed.flatMap(removalWarnings), ...changed.flatMap(replacementWarnings)], removed, added);
    warnings.sort((a, b) => RISK_ORDER.indexOf(a.risk) - RISK_ORDER.indexOf(b.risk));
    return { added, removed, changed, warnings };
}

function resourceChanges(before: PlannedResource, after: PlannedResource): ValueChange[] {
    const changes: ValueChange[] = [];
    if (before.parent !== after.parent) {
        changes.push({ path: "parent", before: before.parent, after: after.parent });
    }
    diffValues(before.inputs, after.inputs, "", changes);
    // A changed secret input shows as two digests; its explained parts say what changed in it
    // (a new image, a new env key, other container flags), without a secret value.
    for (const key of Object.keys(after.explain ?? {})) {
        if (changes.some((c) => c.path === key)) {
            diffValues(before.explain?.[key], after.explain?.[key], key, changes);
        }
    }
    diffValues(before.options, after.options, "options", changes);
    return changes;
}

function diffValues(before: unknown, after: unknown, path: string, out: ValueChange[]): void {
    if (before === after) {
        return;
    }
    if (isRecord(before) && isRecord(after)) {
        const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
        for (const k of keys) {
            diffValues(before[k], after[k], path === "" ? k : `${path}.${k}`, out);
        }
        return;
    }
    // Lists of objects (forwarding rules, firewall rules) are compared element by element;
    // lists of plain values (tags, dependsOn) read better as one before/after pair.
    if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((v) => isRecord(v) || Array.isArray(v))) {
        for (let i = 0; i < Math.max(before.length, after.length); i++) {
            diffValues(before[i], after[i], `${path}[${i}]`, out);
        }
        return;
    }
    if (Array.isArray(before) && Array.isArray(after) && JSON.stringify(before) === JSON.stringify(after)) {
        return;
    }
    out.push({ path, before, after });
}

function removalWarnings(r: PlannedResource): StatefulWarning[] {
    const warn = (risk: StatefulRisk, what: string, lost: string): StatefulWarning[] => {
        // retainOnDelete turns a deletion into Pulumi forgetting the resource: the data survives, and so does the bill.
        const fate = r.options.retainOnDelete ? `${what} leaves the stack but stays, and is still billed, in DigitalOcean` : `${what} is deleted, ${lost}`;
        const reason = r.options.protect ? `${fate}; it is protected, so \`pulumi up\` stops until protect is lifted` : fate;
        return [{ risk, type: r.type, name: r.name, reason }];
    };
    switch (r.type) {
        case DO_TYPES.databaseCluster:
            return warn("database-removed", `the managed ${engineName(r)} cluster`, "and its data and backups with it");
        case DO_TYPES.volume:
            return warn("removed", `the ${numberInput(r.inputs, "size") ?? "?"} GiB volume`, "and its data with it");
        case DO_TYPES.vpc:
            return warn("removed", "the VPC", "and whatever still sits in it has to be recreated elsewhere");
    }
    if (r.type === DO_TYPES.droplet && dropletRole(r) === "data") {
        return warn("removed", "the data droplet", "and everything on its own disk with it");
    }
    const reason = "a protected resource is removed from the program, so `pulumi up` stops until protect is lifted";
    return r.options.protect ? [{ risk: "removed", type: r.type, name: r.name, reason }] : [];
}

/** The changed paths that make `pulumi up` replace the resource rather than update it. */
function replacingPaths(change: ChangedResource): string[] {
    const replacing = replacementFields(change.type);
    // A new parent is a new URN: Pulumi creates the resource again unless an alias says otherwise.
    // A listed path replaces the resource when it or anything below it changes (Kubernetes lists `spec.volumeClaimTemplates`).
    const under = (path: string) => replacing.some((field) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`));
    return [...new Set(change.changes.map((c) => c.path).filter((path) => path === "parent" || under(path)))];
}

function replacementWarnings(change: ChangedResource): StatefulWarning[] {
    const isStateful = adapterFor(change.type)?.isStateful(change) ?? false;
    const paths = isStateful ? replacingPaths(change) : [];
    if (paths.length === 0) {
        return [];
    }
    const fields = paths.map((p) => code(p)).join(", ");
    if (change.type === DO_TYPES.databaseCluster) {
        return [{ risk: "database-replaced", type: change.type, name: change.name, reason: `changing ${fields} replaces the cluster with a new, empty one` }];
    }
    return [{ risk: "replaced", type: change.type, name: change.name, reason: `changing ${fields} replaces it, and what it stores does not move to the new one` }];
}

/**
 * A multi-region stack names its Postgres primary after the region holding it, so moving
 * `database.primaryRegion` registers a different cluster: DigitalOcean would migrate a cluster's
 * region in place (`region` is not ForceNew; terraform-provider-digitalocean
 * database/resource_database_cluster.go calls Databases.Migrate), but horizon never asks it to.
 * The old primary is removed and a new, empty one created; the removal warning says so.
 */
function explainPrimaryMove(warnings: StatefulWarning[], removed: PlannedResource[], added: PlannedResource[]): StatefulWarning[] {
    const isPostgres = (r: PlannedResource) => r.type === DO_TYPES.databaseCluster && stringInput(r.inputs, "engine") === "pg";
    const created = added.filter(isPostgres);
    return warnings.map((warning) => {
        const old = removed.find((r) => isPostgres(r) && r.name === warning.name && r.type === warning.type);
        const from = old === undefined ? undefined : stringInput(old.inputs, "region");
        const successor = created.find((r) => stringInput(r.inputs, "region") !== from);
        if (old === undefined || successor === undefined) {
            return warning;
        }
        const to = stringInput(successor.inputs, "region") ?? "another region";
        const move = `the Postgres primary moves from ${from ?? "its region"} to ${to}: ${code(successor.name)} is a new, empty cluster (replicas and writes follow it, the data does not); ${warning.reason}`;
        return { ...warning, reason: move };
    });
}

function engineName(r: PlannedResource): string {
    const engine = stringInput(r.inputs, "engine");
    return engine === "pg" ? "Postgres" : (engine ?? "database");
}

/** Limits that keep a rendered diff inside one GitHub comment. */
export interface RenderLimits {
    /** GitHub rejects comments over 65,536 characters; the rest is headroom for other stacks' headings. @default 60000 */
    readonly maxChars?: number;
    /** Longest value shown in a table before it is cut with "…". @default 80 */
    readonly maxValueChars?: number;
}

export interface DiffContext extends RenderLimits {
    readonly stack: string;
    readonly before: Plan;
    readonly after: Plan;
}

const DEFAULT_MAX_CHARS = 60000;
const DEFAULT_MAX_VALUE_CHARS = 80;
/** Fewer and fewer rows per table until the comment fits; warnings are never cut. */
const ROW_BUDGETS = [40, 15, 5, 0];

/**
 * The pull-request view of a diff: stateful warnings first (a managed database deletion at the
 * very top), then added / removed / changed resources, the cost change, and the topology after
 * the change. Long lists are collapsed and identical changes grouped so the result stays under
 * `maxChars`.
 */
export function renderDiffMarkdown(diff: PlanDiff, context: DiffContext): string {
    const maxChars = context.maxChars ?? DEFAULT_MAX_CHARS;
    const maxValueChars = context.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
    let markdown = "";
    for (const maxRows of ROW_BUDGETS) {
        markdown = buildDiffMarkdown(diff, context, maxRows, maxValueChars);
        if (markdown.length <= maxChars) {
            return markdown;
        }
    }
    const note = "\n\n_Cut to fit one comment; run `npm run plan` locally for the full diff._\n";
    return markdown.slice(0, maxChars - note.length) + note;
}

function buildDiffMarkdown(diff: PlanDiff, context: DiffContext, maxRows: number, maxValueChars: number): string {
    const { before, after, stack } = context;
    const sections = [`### Plan diff for ${code(stack)}`];
    if (diff.warnings.length > 0) {
        sections.push(renderStatefulWarnings(diff.warnings));
    }
    const otherWarnings = [...after.warnings, ...after.cost.unpriced.map((u) => `Not priced: ${u}`)];
    if (otherWarnings.length > 0) {
        sections.push(alert("WARNING", otherWarnings.map((w) => `- ${w}`)));
    }
    sections.push(
        `**${diff.added.length} to add, ${diff.changed.length} to change, ${diff.removed.length} to remove** · ` +
            `monthly cost ${formatUsd(before.cost.monthlyUsd)} → ${formatUsd(after.cost.monthlyUsd)} (${formatUsdDelta(after.cost.monthlyUsd - before.cost.monthlyUsd)})`,
    );
    if (diff.added.length > 0) {
        sections.push(`#### Added (${diff.added.length})`, resourceTable(diff.added, maxRows, maxValueChars));
    }
    if (diff.removed.length > 0) {
        sections.push(`#### Removed (${diff.removed.length})`, resourceTable(diff.removed, maxRows, maxValueChars));
    }
    if (diff.changed.length > 0) {
        sections.push(`#### Changed (${diff.changed.length})`, changeTable(diff.changed, maxRows, maxValueChars));
    }
    sections.push("#### Monthly cost", costChangeTable(before.cost, after.cost));
    if (maxRows > 0 && after.resources.length > 0) {
        sections.push(diagramDetails("Topology after this change", after.resources));
    }
    return sections.join("\n\n") + "\n";
}

/** Warnings for the same risk and reason on numbered siblings share one line. */
function renderStatefulWarnings(warnings: StatefulWarning[]): string {
    const groups = groupBy(warnings, (w) => [w.risk, w.type, nameStem(w.name), w.reason].join("\u0000"));
    const verbs: Record<StatefulRisk, string> = {
        "database-removed": "Removes",
        "database-replaced": "Replaces",
        removed: "Removes",
        replaced: "Replaces",
    };
    const items = groups.map((group) => {
        const first = group[0];
        const names = collapseNames(group.map((w) => w.name)).map(code).join(", ");
        return `- **${verbs[first.risk]}** ${shortType(first.type)} ${names}: ${first.reason}.`;
    });
    return alert("CAUTION", ["**Stateful resources at risk**", ...items]);
}

function alert(kind: "CAUTION" | "WARNING", lines: string[]): string {
    return [`> [!${kind}]`, ...lines.map((line) => `> ${line}`)].join("\n");
}

function resourceTable(resources: PlannedResource[], maxRows: number, maxValueChars: number): string {
    const groups = groupBy(resources, (r) => [r.type, nameStem(r.name), describe(r)].join("\u0000"));
    const rows = groups.map((group) => [namesCell(group.map((r) => r.name)), shortType(group[0].type), truncate(describe(group[0]), maxValueChars)]);
    return limitedTable(["Resource", "Type", "Key inputs"], rows, groups, maxRows);
}

function changeTable(changes: ChangedResource[], maxRows: number, maxValueChars: number): string {
    const groups = groupBy(changes, (c) => [c.type, nameStem(c.name), JSON.stringify(c.changes)].join("\u0000"));
    const rows = groups.map((group) => [
        namesCell(group.map((c) => c.name)),
        shortType(group[0].type),
        replacingPaths(group[0]).length > 0 ? "**replace**" : "update",
        changesCell(group[0].changes, maxValueChars),
    ]);
    return limitedTable(["Resource", "Type", "Action", "Change"], rows, groups, maxRows);
}

const MAX_CHANGES_PER_ROW = 6;

function changesCell(changes: ValueChange[], maxValueChars: number): string {
    const shown = changes.slice(0, MAX_CHANGES_PER_ROW).map((c) => formatChange(c, maxValueChars));
    if (changes.length > MAX_CHANGES_PER_ROW) {
        shown.push(`… and ${changes.length - MAX_CHANGES_PER_ROW} more changes`);
    }
    return shown.join("<br>");
}

/**
 * `path: old → new`. A long list of plain values shows what left and what joined it instead,
 * and a long string is cut around where it starts to differ, so the change stays visible.
 */
function formatChange(change: ValueChange, maxValueChars: number): string {
    const { before, after } = change;
    const label = code(change.path);
    const fits = JSON.stringify(before ?? null).length <= maxValueChars && JSON.stringify(after ?? null).length <= maxValueChars;
    if (!fits && isPlainList(before) && isPlainList(after)) {
        const removed = before.filter((v) => !after.includes(v));
        const added = after.filter((v) => !before.includes(v));
        if (removed.length + added.length > 0) {
            const side = (sign: string, values: unknown[]) =>
                values.length === 0 ? [] : [`${sign} ${code(truncate(values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", "), maxValueChars))}`];
            return `${label}: ${[...side("−", removed), ...side("+", added)].join(" ")}`;
        }
    }
    if (typeof before === "string" && typeof after === "string") {
        let from = 0;
        while (from < before.length && before[from] === after[from]) {
            from++;
        }
        return `${label}: ${code(truncateFrom(before, from, maxValueChars))} → ${code(truncateFrom(after, from, maxValueChars))}`;
    }
    return `${label}: ${formatValue(before, maxValueChars)} → ${formatValue(after, maxValueChars)}`;
}

function isPlainList(value: unknown): value is unknown[] {
    return Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v));
}

function formatValue(value: unknown, maxValueChars: number): string {
    if (value === undefined) {
        return "_unset_";
    }
    return code(truncate(typeof value === "string" ? value : JSON.stringify(value), maxValueChars));
}

function namesCell(names: string[]): string {
    const label = collapseNames(names).map(code).join(", ");
    return names.length === 1 ? label : `${label} (${names.length})`;
}

/** Cuts a table to `maxRows`, ending it with "… and 940 more droplets". */
function limitedTable<T extends { type: string }>(headers: string[], rows: string[][], groups: T[][], maxRows: number): string {
    const hidden = groups.slice(maxRows).flat();
    if (hidden.length === 0) {
        return table(headers, rows);
    }
    const types = new Set(hidden.map((item) => item.type));
    const kind = types.size === 1 ? (hidden[0].type.split(":").pop() ?? "resource").toLowerCase() : "resource";
    const noun = hidden.length === 1 ? kind : `${kind}s`;
    const more = [`… and ${hidden.length} more ${noun}`, ...headers.slice(1).map(() => "")];
    return table(headers, [...rows.slice(0, maxRows), more]);
}

/** The inputs that tell resources of one type apart at a glance. */
function describe(r: PlannedResource): string {
    const keys = ["engine", "version", "size", "nodeCount", "sizeUnit", "type", "region", "ipRange"];
    const parts = keys.flatMap((k) => {
        const value = r.inputs[k];
        return typeof value === "string" || typeof value === "number" ? [`${k}=${value}`] : [];
    });
    return parts.join(", ");
}

/** Cost lines summed per kind of item, e.g. `Droplet s-1vcpu-2gb`: 3 · $36.00. */
function costByItem(cost: CostReport): Map<string, { count: number; usd: number }> {
    const items = new Map<string, { count: number; usd: number }>();
    for (const line of cost.lines) {
        const key = `${shortType(line.type)} ${line.item}`;
        const item = items.get(key) ?? { count: 0, usd: 0 };
        items.set(key, { count: item.count + 1, usd: Math.round((item.usd + line.monthlyUsd) * 100) / 100 });
    }
    return items;
}

function costChangeTable(before: CostReport, after: CostReport): string {
    const old = costByItem(before);
    const current = costByItem(after);
    const cell = (item: { count: number; usd: number } | undefined) => (item === undefined ? "—" : `${item.count} · ${formatUsd(item.usd)}`);
    const rows: string[][] = [];
    for (const key of new Set([...old.keys(), ...current.keys()])) {
        const a = old.get(key);
        const b = current.get(key);
        if (a?.count !== b?.count || a?.usd !== b?.usd) {
            rows.push([key, cell(a), cell(b), formatUsdDelta((b?.usd ?? 0) - (a?.usd ?? 0))]);
        }
    }
    rows.push(["**Total**", `**${formatUsd(before.monthlyUsd)}**`, `**${formatUsd(after.monthlyUsd)}**`, `**${formatUsdDelta(after.monthlyUsd - before.monthlyUsd)}**`]);
    return `${table(["Item", "Before", "After", "Change"], rows)}\n\n_List prices as of ${after.pricesAsOf}; bandwidth, backups and snapshots are not included._`;
}

function diagramDetails(summary: string, resources: PlannedResource[]): string {
    return `<details><summary>${summary}</summary>\n\n\`\`\`mermaid\n${renderMermaid(resources)}\`\`\`\n\n</details>`;
}

/**
 * One stack on its own: warnings, resource counts by type, the monthly cost and the topology.
 * Used for the per-stack section of the pull-request comment when there is nothing to diff.
 */
export function renderPlanMarkdown(plan: Plan): string {
    const sections = [`### Plan for ${code(plan.stack)}`];
    const warnings = [...plan.warnings, ...plan.cost.unpriced.map((u) => `Not priced: ${u}`)];
    if (warnings.length > 0) {
        sections.push(alert("WARNING", warnings.map((w) => `- ${w}`)));
    }
    sections.push(`**${plan.resources.length} resources** · monthly cost ${formatUsd(plan.cost.monthlyUsd)}`);
    if (plan.resources.length === 0) {
        return sections.join("\n\n") + "\n";
    }
    const counts = groupBy(plan.resources, (r) => r.type).map((group) => [shortType(group[0].type), String(group.length)]);
    sections.push("#### Resources", table(["Type", "Count"], counts));
    const costRows = [...costByItem(plan.cost)].map(([item, { count, usd }]) => [item, String(count), formatUsd(usd)]);
    costRows.push(["**Total**", "", `**${formatUsd(plan.cost.monthlyUsd)}**`]);
    sections.push(
        "#### Monthly cost",
        `${table(["Item", "Count", "Monthly"], costRows)}\n\n_List prices as of ${plan.cost.pricesAsOf}; bandwidth, backups and snapshots are not included._`,
    );
    sections.push(diagramDetails("Topology", plan.resources));
    return sections.join("\n\n") + "\n";
}

/** Groups in order of first appearance. */
function groupBy<T>(items: T[], keyOf: (item: T) => string): T[][] {
    const groups = new Map<string, T[]>();
    for (const item of items) {
        const k = keyOf(item);
        const group = groups.get(k);
        if (group === undefined) {
            groups.set(k, [item]);
        } else {
            group.push(item);
        }
    }
    return [...groups.values()];
}
