import type { CostLine, CostReport, PlannedResource } from "./inventory";
import pricesJson from "./prices.json";

/** DigitalOcean type tokens the plan tools look at. */
export const DO_TYPES = {
    droplet: "digitalocean:index/droplet:Droplet",
    loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
    databaseCluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    databaseReplica: "digitalocean:index/databaseReplica:DatabaseReplica",
    volume: "digitalocean:index/volume:Volume",
    vpc: "digitalocean:index/vpc:Vpc",
    kubernetesCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    kubernetesNodePool: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
} as const;

interface PriceSource {
    readonly asOf: string;
    readonly source: string;
    readonly note?: string;
}

/** The shape of `prices.json`: monthly USD list prices, each section dated and sourced. */
export interface PriceTable {
    /** Date the table as a whole was last checked; reported as `pricesAsOf`. */
    readonly asOf: string;
    readonly droplets: PriceSource & { readonly monthlyUsd: Record<string, number> };
    readonly loadBalancers: PriceSource & {
        readonly regionalHttpPerNodeUsd: number;
        readonly regionalNetworkPerNodeUsd: number;
        readonly globalUsd: number;
    };
    readonly databases: {
        readonly postgres: PriceSource & { readonly perNodeMonthlyUsd: Record<string, number> };
        readonly valkey: PriceSource & { readonly perNodeMonthlyUsd: Record<string, number> };
    };
    readonly volumes: PriceSource & { readonly perGibMonthUsd: number };
    readonly kubernetes: PriceSource & { readonly haControlPlaneUsd: number };
}

export const DEFAULT_PRICES: PriceTable = pricesJson;

/** The `pg` / `valkey` engine slugs DigitalOcean uses, mapped to their price sections. */
const DATABASE_ENGINES: Record<string, keyof PriceTable["databases"]> = { pg: "postgres", valkey: "valkey" };

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

/** A priced line, or the reason the resource could not be priced. */
type Pricing = { item: string; monthlyUsd: number } | { unpriced: string };

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
        for (const pricing of priceResource(resource, prices)) {
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

function priceResource(resource: PlannedResource, prices: PriceTable): Pricing[] {
    const inputs = resource.inputs;
    switch (resource.type) {
        case DO_TYPES.droplet:
            return [priceDroplet(stringInput(inputs, "size"), 1, prices)];
        case DO_TYPES.loadBalancer:
            return [priceLoadBalancer(inputs, prices)];
        case DO_TYPES.databaseCluster:
            return [priceDatabaseNodes(stringInput(inputs, "engine"), stringInput(inputs, "size"), numberInput(inputs, "nodeCount") ?? 1, prices)];
        case DO_TYPES.databaseReplica:
            // horizon's read replicas follow its Postgres cluster; the replica itself does not name an engine.
            return [priceDatabaseNodes("pg", stringInput(inputs, "size"), 1, prices)];
        case DO_TYPES.volume:
            return [priceVolume(numberInput(inputs, "size"), prices)];
        case DO_TYPES.kubernetesCluster:
            return priceKubernetesCluster(inputs, prices);
        case DO_TYPES.kubernetesNodePool:
            return [priceNodePool(inputs, prices)];
        default:
            return [];
    }
}

function priceDroplet(size: string | undefined, count: number, prices: PriceTable): Pricing {
    if (size === undefined) {
        return { unpriced: "droplet size is not known at plan time" };
    }
    const each = prices.droplets.monthlyUsd[size];
    if (each === undefined) {
        return { unpriced: `droplet size "${size}" is not in the price table` };
    }
    return { item: count === 1 ? size : `${size} x${count}`, monthlyUsd: each * count };
}

function priceLoadBalancer(inputs: Record<string, unknown>, prices: PriceTable): Pricing {
    const type = stringInput(inputs, "type") ?? "REGIONAL";
    const table = prices.loadBalancers;
    if (type === "GLOBAL") {
        return { item: "global", monthlyUsd: table.globalUsd };
    }
    if (inputs.sizeUnit === undefined && inputs.size !== undefined) {
        return { unpriced: `legacy load balancer size "${String(inputs.size)}" is not in the price table; set sizeUnit` };
    }
    // DigitalOcean's default when sizeUnit is left out is one node.
    const nodes = inputs.sizeUnit === undefined ? 1 : numberInput(inputs, "sizeUnit");
    if (nodes === undefined) {
        return { unpriced: "load balancer sizeUnit is not known at plan time" };
    }
    const perNode = type === "REGIONAL_NETWORK" ? table.regionalNetworkPerNodeUsd : table.regionalHttpPerNodeUsd;
    const kind = type === "REGIONAL_NETWORK" ? "regional network" : "regional";
    return { item: `${kind} x${nodes}`, monthlyUsd: perNode * nodes };
}

function priceDatabaseNodes(engine: string | undefined, size: string | undefined, nodes: number, prices: PriceTable): Pricing {
    const section = engine === undefined ? undefined : DATABASE_ENGINES[engine];
    if (section === undefined) {
        return { unpriced: `database engine "${engine ?? "unknown"}" is not in the price table` };
    }
    if (size === undefined) {
        return { unpriced: "database size is not known at plan time" };
    }
    const perNode = prices.databases[section].perNodeMonthlyUsd[size];
    if (perNode === undefined) {
        return { unpriced: `${engine} size "${size}" is not in the price table` };
    }
    return { item: `${engine} ${size} x${nodes}`, monthlyUsd: perNode * nodes };
}

function priceVolume(sizeGib: number | undefined, prices: PriceTable): Pricing {
    if (sizeGib === undefined) {
        return { unpriced: "volume size is not known at plan time" };
    }
    return { item: `${sizeGib} GiB`, monthlyUsd: sizeGib * prices.volumes.perGibMonthUsd };
}

function priceKubernetesCluster(inputs: Record<string, unknown>, prices: PriceTable): Pricing[] {
    const pool = inputs.nodePool;
    const pricings = [priceNodePool(isRecord(pool) ? pool : {}, prices)];
    if (inputs.ha === true) {
        pricings.push({ item: "HA control plane", monthlyUsd: prices.kubernetes.haControlPlaneUsd });
    }
    return pricings;
}

/** An autoscaling pool is priced at its minimum: the least it will cost, labelled as such. */
function priceNodePool(pool: Record<string, unknown>, prices: PriceTable): Pricing {
    const nodeCount = numberInput(pool, "nodeCount");
    const minNodes = numberInput(pool, "minNodes");
    const count = nodeCount ?? (pool.autoScale === true ? minNodes : undefined);
    if (count === undefined) {
        return { unpriced: "node pool size is not known at plan time" };
    }
    const pricing = priceDroplet(stringInput(pool, "size"), count, prices);
    if ("unpriced" in pricing || nodeCount !== undefined) {
        return pricing;
    }
    const maxNodes = numberInput(pool, "maxNodes");
    return { item: `${pricing.item} (autoscaling minimum${maxNodes === undefined ? "" : `, up to ${maxNodes}`})`, monthlyUsd: pricing.monthlyUsd };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
