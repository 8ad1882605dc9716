import type { ConfigProblem } from "./errors";
import { formatPath } from "./errors";
import type { StackSpec } from "../core/spec";
import { cidrsOverlap } from "../core/cidr";

/**
 * Ranges DigitalOcean reserves, which a VPC may not overlap if it is to be peered: everywhere,
 * and per datacenter ("You may not peer two VPCs if either VPC's IP address range conflicts with
 * a reserved range in the other datacenter", docs.digitalocean.com/products/networking/vpc/details/limits).
 * TOR1 is listed as 10.29.0.0/16 today and as 10.20.0.0/16 in an older copy; both are kept.
 */
export const RESERVED_EVERYWHERE = ["10.244.0.0/16", "10.245.0.0/16", "10.246.0.0/24", "10.229.0.0/16"] as const;
export const RESERVED_BY_DATACENTER: Readonly<Record<string, readonly string[]>> = {
    ams2: ["10.14.0.0/16"],
    ams3: ["10.18.0.0/16"],
    atl1: ["10.50.0.0/16"],
    blr1: ["10.47.0.0/16"],
    fra1: ["10.19.0.0/16"],
    lon1: ["10.16.0.0/16"],
    nyc1: ["10.10.0.0/16"],
    nyc2: ["10.13.0.0/16"],
    nyc3: ["10.17.0.0/16"],
    sfo1: ["10.12.0.0/16"],
    sfo2: ["10.46.0.0/16"],
    sfo3: ["10.48.0.0/16"],
    sgp1: ["10.15.0.0/16"],
    syd1: ["10.49.0.0/16"],
    tor1: ["10.29.0.0/16", "10.20.0.0/16"],
};

/** "Peering between datacenters is not available in BLR1" (docs.digitalocean.com/products/networking/vpc/how-to/create-peering). */
export const NO_CROSS_DATACENTER_PEERING = ["blr1"] as const;

/** A range that is free in every datacenter above, for examples in messages. */
const EXAMPLE_RANGE = "10.200.0.0/20";

/**
 * Rules for a stack that spans several regions on droplets: one writable Postgres with read
 * replicas over peered VPCs, behind one GLOBAL load balancer. Each problem names the key the
 * user wrote; checks skip keys that did not parse.
 */
export function geographyProblems(spec: Partial<StackSpec>): ConfigProblem[] {
    const regions = spec.regions ?? [];
    const problems: ConfigProblem[] = [];
    const names = regions.map((r) => r.name);
    const primary = spec.database?.primaryRegion;

    if (primary !== undefined && regions.length > 0 && !names.includes(primary)) {
        problems.push({
            path: ["database", "primaryRegion"],
            problem: "not a region of this stack",
            got: primary,
            expected: `one of ${names.join(", ")} (a regions[].name)`,
        });
    }
    if (spec.platform !== "droplets" || regions.length < 2) {
        if (spec.platform === "droplets" && regions.length === 1 && spec.loadBalancer?.global !== undefined) {
            problems.push({
                path: ["loadBalancer", "global"],
                problem: "a global load balancer spans several regions; this stack has one",
                expected: "no loadBalancer.global, or a second region",
            });
        }
        return problems;
    }
    const dropletRegions = spec.regions ?? [];

    if (spec.database?.mode === "container") {
        problems.push({
            path: ["database", "mode"],
            problem: `each of the ${regions.length} regions would run its own database that never sees the other regions' writes`,
            got: "container",
            expected: "managed (one primary with read replicas in the other regions), none, or one stack per region",
        });
    }

    const slugs = [...new Set(dropletRegions.map((r) => r.region))];
    dropletRegions.forEach((region, i) => {
        if ((NO_CROSS_DATACENTER_PEERING as readonly string[]).includes(region.region) && slugs.length > 1) {
            problems.push({
                path: ["regions", i, "region"],
                problem: `DigitalOcean cannot peer a VPC in ${region.region} with another datacenter, so its replicas could not reach the primary privately`,
                got: region.region,
                expected: `another region, or ${region.region} in a stack of its own`,
            });
        }
    });

    dropletRegions.forEach((region, i) => {
        const path = ["regions", i, "vpcIpRange"];
        const range = region.vpcIpRange;
        if (range === undefined) {
            return;
        }
        const earlier = dropletRegions.findIndex((other, j) => j < i && other.vpcIpRange !== undefined && cidrsOverlap(other.vpcIpRange, range));
        if (earlier >= 0) {
            problems.push({
                path,
                problem: `overlaps ${formatPath(["regions", earlier, "vpcIpRange"])} (${String(dropletRegions[earlier].vpcIpRange)}); peered VPCs need distinct ranges`,
                got: range,
                expected: "a range no other region uses",
            });
            return;
        }
        const reserved = [
            ...RESERVED_EVERYWHERE.map((cidr) => [cidr, "everywhere"] as const),
            ...slugs.filter((slug) => slug !== region.region).flatMap((slug) => (RESERVED_BY_DATACENTER[slug] ?? []).map((cidr) => [cidr, `in ${slug}`] as const)),
        ].find(([cidr]) => cidrsOverlap(cidr, range));
        if (reserved !== undefined) {
            problems.push({
                path,
                problem: `overlaps ${reserved[0]}, which DigitalOcean reserves ${reserved[1]}, so this VPC cannot be peered with the stack's other regions`,
                got: range,
                expected: `a range outside DigitalOcean's reserved ranges, like ${EXAMPLE_RANGE}`,
            });
        }
    });

    const lb = spec.loadBalancer;
    const https = lb !== undefined && "https" in lb ? lb.https : undefined;
    const regional = new Set(dropletRegions.flatMap((r) => r.domains));
    if (https !== undefined && https.domains.every((d) => regional.has(d))) {
        problems.push({
            path: ["loadBalancer", "https", "domains"],
            problem: "the global load balancer serves the https domains no region lists, and every domain here belongs to a region",
            got: https.domains,
            expected: "at least one domain not in regions[].domains, e.g. api.example.com",
        });
    }

    const global = lb !== undefined && "global" in lb ? lb.global : undefined;
    const priorities = global?.regionPriorities;
    for (const slug of Object.keys(priorities ?? {}).filter((s) => !slugs.includes(s))) {
        problems.push({
            path: ["loadBalancer", "global", "regionPriorities", slug],
            problem: "not a region this stack runs in",
            got: slug,
            expected: `one of ${slugs.join(", ")} (regions[].region)`,
        });
    }
    if (global?.failoverThreshold !== undefined && priorities !== undefined && Object.keys(priorities).length === 0) {
        problems.push({
            path: ["loadBalancer", "global", "failoverThreshold"],
            problem: "DigitalOcean applies a failover threshold only between region priorities, and regionPriorities is empty",
            got: global.failoverThreshold,
            expected: "no failoverThreshold, or regionPriorities left out (region order) or listed",
        });
    }
    return problems;
}

/**
 * A region left to DigitalOcean's default range still gets a range no other VPC in the account
 * overlaps (DigitalOcean enforces that at creation), but nothing keeps it clear of the ranges the
 * other regions' datacenters reserve, and an overlap only shows when the peering is created.
 */
export function geographyWarnings(spec: StackSpec): string[] {
    if (spec.platform !== "droplets" || spec.regions.length < 2) {
        return [];
    }
    return spec.regions
        .filter((region) => region.vpcIpRange === undefined)
        .map(
            (region) =>
                `region ${region.name} has no horizon:regions[].vpcIpRange: DigitalOcean picks one, which may overlap a range another region's datacenter reserves and then cannot be peered; set distinct ranges like ${EXAMPLE_RANGE}`,
        );
}
