import { DEFAULT_PLATFORM, DEFAULT_REPLICAS } from "../../components/config";
import { DEFAULT_PRICES, type PriceTable } from "../plan/cost";
import { UsageError } from "../cli";
import { prResourceTag } from "./naming";

/**
 * A stack's `horizon:` configuration in the stack file's shape (`readStackFile`): top-level keys
 * without the `horizon:` prefix, values as written (objects, lists, scalars), and the top-level
 * keys whose values are secret.
 */
export interface StackConfig {
    readonly config: Record<string, unknown>;
    readonly secretKeys: ReadonlySet<string>;
}

export interface ReviewOptions {
    readonly pr: number;
    /** A host name with `{pr}` in it, e.g. `pr-{pr}.staging.example.com`. @default - no domain, no https */
    readonly domainTemplate?: string;
    /** @default tools/plan/prices.json */
    readonly prices?: PriceTable;
}

/** The fewest HAProxy droplets the schema allows (`loadBalancer.haproxy.nodes` is 2-10). */
const HAPROXY_MIN_NODES = 2;

/** A review stack runs at most this many replicas: enough to see balancing, no more. */
export const REVIEW_MAX_REPLICAS = 2;

const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The host name of a pull request's review stack, from a template such as `pr-{pr}.staging.example.com`. */
export function reviewDomain(template: string, pr: number): string {
    if (!template.includes("{pr}")) {
        throw new UsageError(`--domain-template: ${JSON.stringify(template)} has no {pr}; use a template like pr-{pr}.staging.example.com`);
    }
    const domain = template.replaceAll("{pr}", String(pr));
    if (!DOMAIN.test(domain)) {
        throw new UsageError(`--domain-template: ${JSON.stringify(template)} gives ${JSON.stringify(domain)}, which is not a lower-case domain name; use a template like pr-{pr}.staging.example.com`);
    }
    return domain;
}

/** vCPUs and memory of a droplet size slug (`s-2vcpu-4gb`, `s-1vcpu-512mb-10gb`), when the slug says them. */
export function dropletShape(slug: string): { vcpus: number; memoryMb: number } | undefined {
    const match = /^[a-z]+-(\d+)vcpu-(\d+)(mb|gb)(-|$)/.exec(slug);
    if (match === null) {
        return undefined;
    }
    return { vcpus: Number(match[1]), memoryMb: Number(match[2]) * (match[3] === "gb" ? 1024 : 1) };
}

/**
 * The cheapest droplet size in the price table with at least the CPUs and memory `app.resources`
 * asks for (any size when it asks for nothing). Sizes whose slug does not state CPUs and
 * memory (`c-2`) are left out: their shape cannot be checked.
 */
export function cheapestDropletSize(resources: { cpu?: number; memoryMb?: number } | undefined, prices: PriceTable = DEFAULT_PRICES): string {
    const candidates = Object.entries(prices.droplets.monthlyUsd)
        .flatMap(([slug, usd]) => {
            const shape = dropletShape(slug);
            return shape === undefined ? [] : [{ slug, usd, ...shape }];
        })
        .filter((s) => s.vcpus >= (resources?.cpu ?? 0) && s.memoryMb >= (resources?.memoryMb ?? 0))
        .sort((a, b) => a.usd - b.usd || a.slug.localeCompare(b.slug));
    if (candidates.length === 0) {
        throw new UsageError(
            `horizon:app.resources: ${JSON.stringify(resources)} is more than any droplet size in tools/plan/prices.json offers; lower it or add the size to the price table`,
        );
    }
    return candidates[0].slug;
}

function record(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Managed data becomes a container on the data droplet; one node either way. */
function containerData(value: unknown): unknown {
    const data = record(value);
    if (data === undefined) {
        return value;
    }
    const mode = data.mode === "managed" ? "container" : data.mode;
    return { ...data, ...(mode !== undefined ? { mode } : {}), ...(data.nodes !== undefined || mode === "container" ? { nodes: 1 } : {}) };
}

/**
 * The configuration of a pull request's review stack, derived from a base stack's: safe to
 * destroy and cheap to run.
 *
 * - `protect: false`, so `pulumi destroy` removes everything;
 * - managed Postgres and Valkey become containers on one data droplet, one node each;
 * - the first region only, at most two replicas, each on the cheapest droplet size that holds
 *   `app.resources` (droplets platform); an HAProxy tier on the cheapest size;
 * - the base's domains are dropped (they belong to the base stack): the region and the HTTPS
 *   certificate get the template's domain instead, or none without a template;
 * - every resource carries the tag `horizon:pr:<n>`.
 *
 * Secret-ness of every kept key is preserved; keys the base does not set stay unset.
 */
export function reviewConfig(base: StackConfig, options: ReviewOptions): StackConfig {
    const config: Record<string, unknown> = { ...base.config };
    const prices = options.prices ?? DEFAULT_PRICES;
    const domain = options.domainTemplate === undefined ? undefined : reviewDomain(options.domainTemplate, options.pr);
    const platform = config.platform ?? DEFAULT_PLATFORM;
    const droplets = platform === "droplets";

    config.protect = false;
    for (const key of ["database", "cache"]) {
        if (key in config) {
            config[key] = containerData(config[key]);
        }
    }

    const regions = Array.isArray(config.regions) ? config.regions : [];
    const first = record(regions[0]);
    if (first !== undefined) {
        const replicas = typeof first.replicas === "number" ? first.replicas : DEFAULT_REPLICAS;
        const { domains: _baseDomains, ...rest } = first;
        const resources = record(record(config.app)?.resources) as { cpu?: number; memoryMb?: number } | undefined;
        config.regions = [
            {
                ...rest,
                replicas: Math.min(replicas, REVIEW_MAX_REPLICAS),
                ...(droplets ? { size: cheapestDropletSize(resources, prices) } : {}),
                ...(domain !== undefined ? { domains: [domain] } : {}),
            },
        ];
    }

    const loadBalancer = record(config.loadBalancer);
    if (loadBalancer !== undefined) {
        const { https, haproxy, ...rest } = loadBalancer;
        const httpsSpec = record(https);
        const haproxySpec = record(haproxy);
        config.loadBalancer = {
            ...rest,
            ...(httpsSpec !== undefined && domain !== undefined ? { https: { ...httpsSpec, domains: [domain] } } : {}),
            ...(droplets && (haproxySpec !== undefined || (rest.algorithm ?? "round_robin") !== "round_robin")
                ? { haproxy: { ...haproxySpec, size: cheapestDropletSize(undefined, prices), nodes: HAPROXY_MIN_NODES } }
                : {}),
        };
    }
    if (domain === undefined) {
        delete config.dnsZones;
    }

    const tags = Array.isArray(config.tags) ? config.tags.map(String) : [];
    const prTag = prResourceTag(options.pr);
    config.tags = tags.includes(prTag) ? tags : [...tags, prTag];

    return { config, secretKeys: new Set([...base.secretKeys].filter((key) => key in config)) };
}
