/**
 * What DigitalOcean accepts, as the stack checks need it before any resource exists. Each fact
 * names its source: the openapi specification (digitalocean/openapi, `specification/`) or
 * terraform-provider-digitalocean v2.99.1, which @pulumi/digitalocean 4.80.1 bridges.
 */

/**
 * Regions that take new resources. The openapi region enum is stale (it lacks atl1 and ric1);
 * this is the region list of the openapi database-options example
 * (`resources/databases/responses/options.yml`), DigitalOcean's newest own list. A well-formed
 * slug outside it is a warning, not an error, so a new region works before horizon knows it.
 */
export const KNOWN_REGIONS = ["ams3", "atl1", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "ric1", "sfo2", "sfo3", "sgp1", "syd1", "tor1"] as const;

/**
 * Regions whose load balancers have no `size_unit` (openapi `load_balancer_base.yml`, size_unit:
 * "not available in the AMS2, NYC2, or SFO1 regions"). horizon always sizes by unit.
 */
export const REGIONS_WITHOUT_LB_SIZE_UNIT = ["ams2", "nyc2", "sfo1"] as const;

/**
 * Postgres major versions a new managed cluster can have: 13 and 14 reached end of
 * availability (2025-05-13, 2026-05-12); 18 is offered only for the `advanced_pg` preview
 * engine (openapi `resources/databases/responses/options.yml`, `version_availability`).
 */
export const MANAGED_POSTGRES_VERSIONS = ["15", "16", "17"] as const;
/** Valkey is offered in version 8 only (same source). */
export const MANAGED_VALKEY_VERSIONS = ["8"] as const;

/** Size families a managed cluster accepts, per engine (options.yml `layouts[].sizes`). */
export const MANAGED_SIZE_FAMILIES = {
    postgres: ["db-s-", "db-amd-", "db-intel-", "gd-", "so1_5-"],
    valkey: ["db-s-", "m-"],
} as const;

/** Multi-node layouts (standby nodes) list no 1 GiB size (options.yml `layouts[num_nodes=2|3]`). */
export function allowsStandbyNodes(size: string): boolean {
    return !/-1vcpu-1gb$/.test(size);
}

/** Memory of a size slug in GiB (`db-s-2vcpu-4gb` is 4, `s-1vcpu-512mb-10gb` is 0.5), when it says. */
export function memoryGib(size: string): number | undefined {
    const match = size.match(/-(\d+)vcpu-(\d+)(gb|mb)\b/);
    if (match === null) {
        return undefined;
    }
    return match[3] === "gb" ? Number(match[2]) : Number(match[2]) / 1024;
}

/** CPUs of a size slug, when it says. */
export function vcpus(size: string): number | undefined {
    const match = size.match(/-(\d+)vcpu-/);
    return match === null ? undefined : Number(match[1]);
}

/**
 * Backend connections a managed Postgres node allows, shared by every pool: "25 backend server
 * connections are allowed for every 1GB of RAM. Three are reserved for maintenance"
 * (openapi `resources/databases/models/connection_pool.yml`, `size`).
 */
export function poolConnectionBudget(size: string): number | undefined {
    const gib = memoryGib(size);
    return gib === undefined ? undefined : Math.floor(25 * gib) - 3;
}

/**
 * Seconds between the samples of a load balancer's droplet health metrics
 * (`/v2/monitoring/metrics/load_balancer/droplets_health_checks`), which the droplet rollout
 * gates read: about two minutes apart, so `minReadySeconds` above 0 takes a later sample.
 */
export const LB_HEALTH_SAMPLE_SECONDS = 120;
/** Connection pool names: 3-60 characters (openapi `connection_pool.yml`; the provider allows 63). */
export const POOL_NAME_MAX = 60;

/**
 * A droplet's name is its hostname; DigitalOcean takes 255 characters, but a host name label
 * is at most 63 (RFC 1035), and names longer than that break the droplet's own resolver.
 */
export const DROPLET_NAME_MAX = 63;
/** Volume names: lower-case letters, digits and "-", starting with a letter, at most 64 (openapi `volume_base.yml`). */
export const VOLUME_NAME_MAX = 64;
/** Tags: at most 255 characters (openapi `tags/models/tags.yml`). */
export const TAG_MAX = 255;
/** The suffix Pulumi's autonaming adds to a name left out: "-" and seven hex digits. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/**
 * VPC ranges: RFC 1918, from /16 to /28 (openapi `vpcs/models/vpc.yml`, `ip_range`), not
 * overlapping DigitalOcean's reserved 10.229.0.0/16 (release notes, 7 March 2025).
 */
export const VPC_PREFIX_RANGE = [16, 28] as const;
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
export const RESERVED_VPC_RANGES = ["10.229.0.0/16"] as const;
