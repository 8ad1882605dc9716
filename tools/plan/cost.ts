import { adapterFor } from "./adapters";
import type { CostLine, CostReport, PlannedResource } from "./inventory";
import { DEFAULT_PRICES, type PriceTable } from "./prices";

export { DEFAULT_PRICES, type PriceTable } from "./prices";
export { isRecord, numberInput, stringInput } from "./adapters/types";
export { DO_TYPES } from "./adapters/digitalocean";

/**
 * Estimates the monthly cost of an inventory from a dated price table.
 *
 * Only list prices are counted: bandwidth overage, backups, snapshots and extra database
 * storage depend on usage the plan cannot see. A resource that costs money but whose size is
 * missing from the table (or unknown at plan time) is listed in `unpriced` instead of guessed.
 */
export function estimateCost(resources: PlannedResource[], prices: PriceTable = DEFAULT_PRICES): CostReport {
    const lines: CostLine[] = [];
    const unpriced: string[] = [];
    for (const resource of resources) {
        for (const pricing of adapterFor(resource.type)?.price(resource, prices) ?? []) {
            if ("unpriced" in pricing) {
                unpriced.push(`${resource.name}: ${pricing.unpriced}`);
            } else {
                lines.push({ type: resource.type, name: resource.name, item: pricing.item, monthlyUsd: roundCents(pricing.monthlyUsd) });
            }
        }
    }
    // Summed as floats, 2.30 + 2.30 + 2.30 + 0.70 comes to 7.599999999999999; whole cents stay exact.
    const totalCents = lines.reduce((sum, line) => sum + Math.round(line.monthlyUsd * 100), 0);
    return { currency: "USD", pricesAsOf: prices.asOf, lines, monthlyUsd: totalCents / 100, unpriced };
}

function roundCents(usd: number): number {
    return Math.round(usd * 100) / 100;
}

