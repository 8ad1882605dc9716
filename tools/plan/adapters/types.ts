import type { PlannedResource } from "../inventory";
import type { PriceTable } from "../prices";

/** A priced line, or the reason a resource that costs money could not be priced. */
export type Pricing = { item: string; monthlyUsd: number } | { unpriced: string };

/**
 * What the plan needs to know about one provider's resources. The plan's core (inventory,
 * cost, diff, diagram) stays provider-neutral and asks the adapter whose `handles()` claims
 * a type token.
 */
export interface PlanAdapter {
    /** Short name, e.g. `digitalocean`. */
    readonly name: string;
    /** Whether this adapter knows the type token (`digitalocean:index/droplet:Droplet`). */
    handles(type: string): boolean;
    /**
     * Input paths whose change makes `pulumi up` replace the resource instead of updating it,
     * by type token (each table cites its source).
     */
    replacementFields(type: string): readonly string[];
    /** Whether replacing or removing the resource loses data. */
    isStateful(resource: Pick<PlannedResource, "type" | "inputs">): boolean;
    /** Monthly list price; an empty list for what costs nothing. */
    price(resource: PlannedResource, prices: PriceTable): Pricing[];
    /** What the cloud computes for a new resource (ids, addresses, URIs), for the mock runtime. */
    mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown>;
    /**
     * The non-secret parts of a resource's secret inputs, from their raw values, or undefined.
     * Must never return a secret value.
     */
    explain?(type: string, rawInputs: Record<string, unknown>): Record<string, unknown> | undefined;
    /** What a data-source invoke returns, for the mock runtime; undefined for tokens it does not know. */
    mockInvoke?(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined;
}

/** A stable small number from a name, for fake numeric ids and addresses. */
export function hashName(name: string): number {
    let h = 2166136261;
    for (const c of name) {
        h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    }
    return h >>> 0;
}

/** An input as a string, or undefined when it is absent or not known at plan time. */
export function stringInput(inputs: Record<string, unknown>, key: string): string | undefined {
    const value = inputs[key];
    return typeof value === "string" ? value : undefined;
}

/** An input as a finite number, or undefined when it is absent or not known at plan time. */
export function numberInput(inputs: Record<string, unknown>, key: string): number | undefined {
    const value = inputs[key];
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
