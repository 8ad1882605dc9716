import { formatUsd } from "../plan/markdown";
import { isoSeconds } from "./policy";

/**
 * DigitalOcean bills droplets, load balancers, managed databases and volumes by the hour up to
 * a monthly cap of 672 hours (28 days), so the hourly price is the monthly price / 672 and a
 * day costs the monthly price / 28. Source: https://www.digitalocean.com/pricing/droplets
 * ("Monthly cap per Droplet (672 hours)", also in tools/plan/prices.json).
 */
const BILLED_HOURS_PER_MONTH = 672;

/** The cost of one day of a stack whose monthly price is `monthlyUsd`, in whole cents. */
export function costPerDay(monthlyUsd: number): number {
    return Math.round((monthlyUsd * 24 * 100) / BILLED_HOURS_PER_MONTH) / 100;
}

export interface ReviewSummary {
    readonly stack: string;
    readonly urls: readonly string[];
    readonly monthlyUsd: number;
    readonly pricesAsOf: string;
    readonly expires: Date;
}

/** The review stack's part of the pull request comment: where it runs, what a day costs, when it goes. */
export function reviewComment(summary: ReviewSummary): string {
    const urls = summary.urls.length > 0 ? summary.urls.map((u) => `<${u}>`).join(", ") : "none (the stack exports no URL)";
    return [
        `### Review stack \`${summary.stack}\``,
        "",
        "| | |",
        "|---|---|",
        `| URL | ${urls} |`,
        `| Cost | ${formatUsd(costPerDay(summary.monthlyUsd))} per day (offline plan, list prices of ${summary.pricesAsOf}) |`,
        `| Expires | ${isoSeconds(summary.expires)}; destroyed then, or when the pull request closes |`,
        "",
    ].join("\n");
}

/** The review section once the stack is gone. */
export function destroyedComment(stack: string): string {
    return `### Review stack \`${stack}\`\n\nDestroyed.\n`;
}
