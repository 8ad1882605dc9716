import { cidrsOverlap, cidrWithin } from "../core/cidr";
import { childName, fleetTag, standardTags, toTag } from "../core/names";
import { balancedByHaproxy, type DataMode, type DropletsSpec, type StackSpec } from "../core/spec";
import {
    allowsStandbyNodes,
    AUTONAME_SUFFIX_LENGTH,
    DROPLET_NAME_MAX,
    KNOWN_REGIONS,
    LB_HEALTH_SAMPLE_SECONDS,
    MANAGED_POSTGRES_VERSIONS,
    MANAGED_SIZE_FAMILIES,
    MANAGED_VALKEY_VERSIONS,
    memoryGib,
    POOL_NAME_MAX,
    poolConnectionBudget,
    REGIONS_WITHOUT_LB_SIZE_UNIT,
    RESERVED_VPC_RANGES,
    RFC1918,
    TAG_MAX,
    VOLUME_NAME_MAX,
    VPC_PREFIX_RANGE,
    vcpus,
} from "./digitalocean";
import type { ConfigProblem } from "./errors";
import { closest } from "./zodProblems";

/**
 * Rules for what DigitalOcean accepts that span keys: checked at config time, so a stack that
 * would fail half-way through `pulumi up` fails before anything exists, naming the key the
 * user wrote. Takes a partial spec: each rule checks only what parsed.
 */
export function dropletProblems(spec: Partial<DropletsSpec>, stack: string | undefined): ConfigProblem[] {
    return [
        ...managedDataProblems(spec),
        ...networkProblems(spec),
        ...loadBalancerProblems(spec),
        ...appProblems(spec),
        ...nameProblems(spec, stack),
        ...dnsZoneProblems(spec),
    ];
}

/** Well-formed region slugs horizon does not know: a warning, so a new region still works. */
export function dropletWarnings(spec: StackSpec): string[] {
    if (spec.platform === "droplets" || spec.platform === "kubernetes") {
        const known: readonly string[] = [...KNOWN_REGIONS, ...REGIONS_WITHOUT_LB_SIZE_UNIT];
        return spec.regions.flatMap((region, i) => {
            if (known.includes(region.region)) {
                return [];
            }
            const guess = closest(region.region, KNOWN_REGIONS);
            return [
                `horizon:regions[${i}].region: "${region.region}" is not a region horizon knows (${KNOWN_REGIONS.join(", ")})${guess !== undefined ? `; did you mean "${guess}"?` : ""}`,
            ];
        });
    }
    return [];
}

function managedDataProblems(spec: Partial<DropletsSpec>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const services = [
        ["database", spec.database, "postgres", MANAGED_POSTGRES_VERSIONS, "Postgres"],
        ["cache", spec.cache, "valkey", MANAGED_VALKEY_VERSIONS, "Valkey"],
    ] as const;
    for (const [key, data, engine, versions, label] of services) {
        if (data === undefined || data.mode !== "managed") {
            continue;
        }
        if (!(versions as readonly string[]).includes(data.version)) {
            problems.push({
                path: [key, "version"],
                problem: `DigitalOcean does not create managed ${label} clusters of this version`,
                got: data.version,
                expected: `${versions.join(", ")} for mode managed (container mode runs any published image)`,
            });
        }
        const families: readonly string[] = MANAGED_SIZE_FAMILIES[engine];
        if (!families.some((family) => data.size.startsWith(family))) {
            problems.push({
                path: [key, "size"],
                problem: `not a managed ${label} size`,
                got: data.size,
                expected: `a slug of the ${families.map((f) => `${f}*`).join(", ")} families, like ${families[0]}1vcpu-2gb`,
            });
        } else if (data.nodes > 1 && !allowsStandbyNodes(data.size)) {
            problems.push({
                path: [key, "nodes"],
                problem: `DigitalOcean offers no ${data.nodes}-node layout of a 1 GiB node`,
                got: data.nodes,
                expected: `1, or a ${key}.size of 2 GiB or more (like ${families[0]}1vcpu-2gb)`,
            });
        }
    }
    const database = spec.database;
    if (database !== undefined && database.mode === "managed") {
        const budget = poolConnectionBudget(database.size);
        if (budget !== undefined && database.poolSize > budget) {
            problems.push({
                path: ["database", "poolSize"],
                problem: `more connections than a ${database.size} node allows (25 per GiB, 3 reserved, shared by every pool)`,
                got: database.poolSize,
                expected: `at most ${budget}, or a larger database.size`,
            });
        }
        const poolName = `${database.name}-pool`;
        if (poolName.length > POOL_NAME_MAX) {
            problems.push({
                path: ["database", "name"],
                problem: `the connection pool "${poolName}" would be longer than DigitalOcean's ${POOL_NAME_MAX} characters`,
                got: database.name,
                expected: `at most ${POOL_NAME_MAX - "-pool".length} characters`,
            });
        }
    }
    return problems;
}

function networkProblems(spec: Partial<DropletsSpec>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const regions = spec.regions ?? [];
    regions.forEach((region, i) => {
        const range = region.vpcIpRange;
        if (range === undefined) {
            return;
        }
        const path = ["regions", i, "vpcIpRange"];
        const prefix = Number(range.split("/")[1]);
        if (range.includes(":") || !RFC1918.some((block) => cidrWithin(range, block))) {
            problems.push({ path, problem: "not a private range", got: range, expected: `a range inside ${RFC1918.join(", ")} (RFC 1918)` });
        } else if (prefix < VPC_PREFIX_RANGE[0] || prefix > VPC_PREFIX_RANGE[1]) {
            problems.push({ path, problem: "a VPC size DigitalOcean does not offer", got: range, expected: `a prefix from /${VPC_PREFIX_RANGE[0]} to /${VPC_PREFIX_RANGE[1]}` });
        } else {
            const reserved = RESERVED_VPC_RANGES.find((block) => cidrsOverlap(range, block));
            if (reserved !== undefined) {
                problems.push({ path, problem: `overlaps ${reserved}, which DigitalOcean reserves in every region`, got: range, expected: "a range outside it" });
            }
        }
    });
    return problems;
}

function loadBalancerProblems(spec: Partial<DropletsSpec>): ConfigProblem[] {
    return (spec.regions ?? []).flatMap((region, i): ConfigProblem[] =>
        (REGIONS_WITHOUT_LB_SIZE_UNIT as readonly string[]).includes(region.region)
            ? [
                  {
                      path: ["regions", i, "region"],
                      problem: "DigitalOcean's load balancers there have no size units, which horizon sizes by",
                      got: region.region,
                      expected: `a region other than ${REGIONS_WITHOUT_LB_SIZE_UNIT.join(", ")}`,
                  },
              ]
            : [],
    );
}

function appProblems(spec: Partial<DropletsSpec>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const app = spec.app;
    if (app === undefined) {
        return problems;
    }
    if (app.port === 22) {
        problems.push({ path: ["app", "port"], problem: "the droplets' SSH port", got: 22, expected: "another port; the droplet firewall admits SSH only from adminCidrs" });
    }
    const check = app.healthCheck;
    // A wave passes after healthyThreshold checks in a row, then minReadySeconds more.
    const fastest = check.intervalSeconds * check.healthyThreshold + app.minReadySeconds;
    if (app.readyTimeoutSeconds <= fastest) {
        problems.push({
            path: ["app", "readyTimeoutSeconds"],
            problem: "shorter than a replica can take to pass its checks",
            got: app.readyTimeoutSeconds,
            expected: `more than healthCheck.intervalSeconds x healthyThreshold + minReadySeconds (${check.intervalSeconds} x ${check.healthyThreshold} + ${app.minReadySeconds} = ${fastest}), with room for boot`,
        });
    } else if (app.gateRollouts && app.deploymentStrategy === "rolling" && !balancedByHaproxy(spec.loadBalancer?.algorithm ?? "round_robin")) {
        // The gate counts minReadySeconds between the load balancer's health samples, which
        // arrive about LB_HEALTH_SAMPLE_SECONDS apart: at best the first lands as the checks pass.
        const samples = Math.ceil(app.minReadySeconds / LB_HEALTH_SAMPLE_SECONDS);
        const gated = check.intervalSeconds * check.healthyThreshold + samples * LB_HEALTH_SAMPLE_SECONDS;
        if (app.readyTimeoutSeconds <= gated) {
            problems.push({
                path: ["app", "readyTimeoutSeconds"],
                problem: `shorter than a gated wave can take: the gate counts minReadySeconds between the load balancer's health samples, about ${LB_HEALTH_SAMPLE_SECONDS} s apart`,
                got: app.readyTimeoutSeconds,
                expected: `more than healthCheck.intervalSeconds x healthyThreshold + ${LB_HEALTH_SAMPLE_SECONDS} s per sample minReadySeconds spans (${check.intervalSeconds} x ${check.healthyThreshold} + ${LB_HEALTH_SAMPLE_SECONDS} x ${samples} = ${gated}), with room for boot; or app.gateRollouts: false`,
            });
        }
    }
    const resources = app.resources;
    (spec.regions ?? []).forEach((region, i) => {
        const memory = memoryGib(region.size);
        const cpus = vcpus(region.size);
        if (resources?.memoryMb !== undefined && memory !== undefined && resources.memoryMb > memory * 1024) {
            problems.push({
                path: ["app", "resources", "memoryMb"],
                problem: `more than a ${region.size} droplet has (region ${region.name})`,
                got: resources.memoryMb,
                expected: `at most ${memory * 1024} MB, or a larger horizon:regions[${i}].size`,
            });
        }
        if (resources?.cpu !== undefined && cpus !== undefined && resources.cpu > cpus) {
            problems.push({
                path: ["app", "resources", "cpu"],
                problem: `more CPUs than a ${region.size} droplet has (region ${region.name})`,
                got: resources.cpu,
                expected: `at most ${cpus}, or a larger horizon:regions[${i}].size`,
            });
        }
    });
    return problems;
}

/** Every name horizon derives, against DigitalOcean's limits, reported on the key that makes it long. */
function nameProblems(spec: Partial<DropletsSpec>, stack: string | undefined): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const app = spec.app?.name;
    if (app === undefined) {
        return problems;
    }
    const hasDataDroplet = (mode: DataMode | undefined) => mode === "container";
    (spec.regions ?? []).forEach((region, i) => {
        const unit = childName(app, region.name);
        const droplets = [childName(childName(unit, "fleet"), `droplet-${Math.max(0, region.replicas - 1)}`)];
        if (spec.loadBalancer !== undefined && balancedByHaproxy(spec.loadBalancer.algorithm)) {
            droplets.push(childName(childName(unit, "haproxy"), `node-${spec.loadBalancer.haproxy.nodes - 1}`));
        }
        if (hasDataDroplet(spec.database?.mode) || hasDataDroplet(spec.cache?.mode)) {
            droplets.push(childName(childName(unit, "data"), "droplet"));
            const volume = childName(childName(unit, "data"), "volume");
            if (volume.length + AUTONAME_SUFFIX_LENGTH > VOLUME_NAME_MAX) {
                problems.push({
                    path: ["regions", i, "name"],
                    problem: `the data volume's name would exceed DigitalOcean's ${VOLUME_NAME_MAX} characters`,
                    got: region.name,
                    expected: `app.name and region name ${VOLUME_NAME_MAX - AUTONAME_SUFFIX_LENGTH - "--data-volume".length} characters together at most`,
                });
            }
        }
        const longest = droplets.reduce((a, b) => (b.length > a.length ? b : a));
        if (longest.length > DROPLET_NAME_MAX) {
            problems.push({
                path: ["regions", i, "name"],
                problem: `the droplet name ${longest} (${longest.length} characters) would not fit a host name label`,
                got: region.name,
                expected: `names that keep droplet names within ${DROPLET_NAME_MAX} characters (shorten app.name or the region name)`,
            });
        }
        if (stack !== undefined) {
            const tags = [fleetTag(app, stack, region.name), ...standardTags(app, stack, [...(spec.tags ?? []), `horizon:region:${region.name}`])];
            const long = tags.find((tag) => tag.length > TAG_MAX || toTag(tag) !== tag);
            if (long !== undefined) {
                problems.push({ path: ["regions", i, "name"], problem: `the tag ${long.slice(0, 40)}... would exceed ${TAG_MAX} characters`, got: region.name, expected: "shorter names" });
            }
        }
    });
    return problems;
}

/** A domain's record goes into the longest listed zone that ends it; with zones listed, every domain needs one. */
function dnsZoneProblems(spec: Partial<DropletsSpec>): ConfigProblem[] {
    const zones = spec.dnsZones ?? [];
    if (zones.length === 0) {
        return [];
    }
    const covered = (domain: string) => zones.some((zone) => domain === zone || domain.endsWith(`.${zone}`));
    const problems: ConfigProblem[] = [];
    (spec.regions ?? []).forEach((region, i) =>
        region.domains.forEach((domain, j) => {
            if (!covered(domain)) {
                problems.push({ path: ["regions", i, "domains", j], problem: "in none of the DNS zones", got: domain, expected: `a name under ${zones.join(", ")}, or its zone added to horizon:dnsZones` });
            }
        }),
    );
    (spec.loadBalancer?.https?.domains ?? []).forEach((domain, j) => {
        if (!covered(domain)) {
            problems.push({ path: ["loadBalancer", "https", "domains", j], problem: "in none of the DNS zones", got: domain, expected: `a name under ${zones.join(", ")}, or its zone added to horizon:dnsZones` });
        }
    });
    return problems;
}
