import pricesJson from "./prices.json";

/** The dated price table every adapter prices from (`prices.json`). */

export interface PriceSource {
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

