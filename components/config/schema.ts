import { z } from "zod";

/**
 * The stack configuration contract: every `horizon:<key>` a stack file may set, with its
 * defaults and ranges. Ranges follow what DigitalOcean itself validates, so a bad value is
 * caught here instead of half-way through `pulumi up`.
 *
 * Each schema carries the "expected" half of its error message (`3-300`, `a region slug
 * like nyc3`); `errors.ts` adds the key path and the value received.
 */

import {
    ALGORITHMS,
    CROSS_REGION_WRITES,
    DATA_MODES,
    DEFAULT_APP_PORT,
    DEFAULT_AUTOSCALING_CPU_PERCENT,
    DEFAULT_CACHE,
    DEFAULT_DATABASE,
    DEFAULT_DOCKER_HAPROXY_IMAGE,
    DEFAULT_DOCKER_PUBLISH,
    DEFAULT_DOCKER_STATS_PUBLISH,
    DEFAULT_DROPLET_SIZE,
    DEFAULT_HAPROXY,
    DEFAULT_HEALTH_CHECK,
    DEFAULT_KUBERNETES_CLUSTER,
    DEFAULT_LB_SIZE_UNIT,
    DEFAULT_MAX_SURGE,
    DEFAULT_MIN_READY_SECONDS,
    DEFAULT_PLATFORM,
    DEFAULT_READY_TIMEOUT_SECONDS,
    DEFAULT_REPLICAS,
    DEPLOYMENT_STRATEGIES,
    type DockerSpec,
    type DropletsSpec,
    EVICTION_POLICIES,
    KUBERNETES_CLUSTER_MODES,
    KUBERNETES_MAINTENANCE_DAYS,
    type KubernetesSpec,
    PLATFORMS,
    type PlatformName,
    WEEKDAYS,
} from "../core/spec";

export * from "../core/spec";

const REGION_SLUG = /^[a-z]{3}[0-9]$/;
const SIZE_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const DB_SIZE_SLUG = /^[a-z0-9]+([-_][a-z0-9]+)*$/;
const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$|^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const PERCENT = /^([1-9]|[1-9][0-9]|100)%$/;
const HOUR = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

function int(min: number, max: number, unit = "") {
    const expected = `an integer in ${min}-${max}${unit}`;
    return z.number().int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

function pattern(re: RegExp, expected: string) {
    return z.string().regex(re, { error: expected });
}

// A value goes into an env file or a container spec one line each; a line break would end it early.
const envMap = z.record(
    pattern(ENV_KEY, "an environment variable name like LOG_LEVEL"),
    z.string().regex(/^[^\r\n]*$/, { error: "a value on one line (base64-encode one that must carry line breaks)" }),
);

export const healthCheckSchema = z.strictObject({
    /** HTTP path probed on every replica. @default "/health" */
    path: pattern(/^\/\S*$/, 'a path starting with "/"').default(DEFAULT_HEALTH_CHECK.path),
    /** Port probed; the app port when left out. @default app.port */
    port: int(1, 65535).optional(),
    /** @default "http" */
    protocol: z.enum(["http", "https", "tcp"]).default(DEFAULT_HEALTH_CHECK.protocol),
    /** @default 10 */
    intervalSeconds: int(3, 300, " seconds").default(DEFAULT_HEALTH_CHECK.intervalSeconds),
    /** @default 5 */
    timeoutSeconds: int(3, 300, " seconds").default(DEFAULT_HEALTH_CHECK.timeoutSeconds),
    /** Consecutive successes before a replica receives traffic. @default 5 */
    healthyThreshold: int(2, 10).default(DEFAULT_HEALTH_CHECK.healthyThreshold),
    /** Consecutive failures before a replica is taken out. @default 3 */
    unhealthyThreshold: int(2, 10).default(DEFAULT_HEALTH_CHECK.unhealthyThreshold),
});

const registrySchema = z.strictObject({
    /** Registry host, e.g. `ghcr.io`. */
    server: pattern(/^[a-z0-9.-]+(:[0-9]+)?$/, "a registry host like ghcr.io"),
    username: z.string().min(1, { error: "a non-empty user name" }),
    /** Set with `pulumi config set --secret --path app.registry.password`. */
    password: z.string().min(1, { error: "a non-empty password" }),
});

export const appSchema = z.strictObject({
    /** Lower-case DNS label; prefixes every resource name. */
    name: pattern(DNS_LABEL, "a lower-case DNS label like hits (letters, digits, '-')"),
    /** Container image reference, e.g. `ghcr.io/acme/hits:1.4.2`. */
    image: pattern(IMAGE_REF, "an image reference like ghcr.io/acme/hits:1.4.2"),
    /** Port the container listens on. @default 8080 */
    port: int(1, 65535).default(DEFAULT_APP_PORT),
    /** Plain environment variables for every replica. @default {} */
    env: envMap.default({}),
    /** Secret environment variables (`pulumi config set --secret --path app.secretEnv.KEY`). @default {} */
    secretEnv: envMap.default({}),
    healthCheck: healthCheckSchema.prefault({}),
    /** Seconds a new replica must stay healthy before the next wave starts. @default 10 */
    minReadySeconds: int(0, 3600, " seconds").default(DEFAULT_MIN_READY_SECONDS),
    /** Seconds a rolling wave may take to become healthy before the update fails. @default 600 */
    readyTimeoutSeconds: int(30, 7200, " seconds").default(DEFAULT_READY_TIMEOUT_SECONDS),
    /** @default "rolling" */
    deploymentStrategy: z.enum(DEPLOYMENT_STRATEGIES).default("rolling"),
    /** Replicas created per rolling wave: a count or a percentage of the region's replicas, rounded up. @default "25%" */
    maxSurge: z.union([int(1, 100), pattern(PERCENT, "a count 1-100 or a percentage like 25%")]).default(DEFAULT_MAX_SURGE),
    /** Per-container limits. @default - no limits */
    resources: z
        .strictObject({
            cpu: z.number().min(0.1, { error: "0.1-64 CPUs" }).max(64, { error: "0.1-64 CPUs" }),
            memoryMb: int(64, 262144, " MB"),
        })
        .partial()
        .optional(),
    /**
     * Gate each rolling wave on the load balancer's (or HAProxy's) view of the new replicas.
     * Turn off where the platform cannot see them. @default true
     */
    gateRollouts: z.boolean().default(true),
    /** Private registry credentials. @default - public image */
    registry: registrySchema.optional(),
});

const regionName = pattern(DNS_LABEL, "a lower-case DNS label like us-east");
const regionSlug = pattern(REGION_SLUG, "a DigitalOcean region slug like nyc3, ams3 or sgp1");
const replicas = int(1, 100).default(DEFAULT_REPLICAS);
const domains = z.array(pattern(DOMAIN, "a lower-case domain name like us.api.example.com")).default([]);
const vpcIpRange = pattern(CIDR, "an IPv4 CIDR like 10.10.0.0/20");

/** A region on platform droplets. */
export const dropletRegionSchema = z.strictObject({
    /** Name of this regional unit, used in resource names, e.g. `us-east`. */
    name: regionName,
    /** DigitalOcean region slug. */
    region: regionSlug,
    /** @default 2 */
    replicas,
    /** Droplet size slug for the replicas. @default "s-1vcpu-1gb" */
    size: pattern(SIZE_SLUG, "a droplet size slug like s-1vcpu-2gb").default(DEFAULT_DROPLET_SIZE),
    /** Host names pointed at this region's load balancer (A records in DigitalOcean DNS). @default [] */
    domains,
    /** Environment variables for this region only; they override `app.env`. @default {} */
    env: envMap.default({}),
    /** VPC address range. @default - chosen by DigitalOcean */
    vpcIpRange: vpcIpRange.optional(),
});

/** A region on platform kubernetes: one cluster per region. */
export const kubernetesRegionSchema = z.strictObject({
    name: regionName,
    /** DigitalOcean region slug of the cluster. */
    region: regionSlug,
    /** Replicas when autoscaling is off. @default 2 */
    replicas,
    domains,
    env: envMap.default({}),
    vpcIpRange: vpcIpRange.optional(),
});

/** A region on platform docker: one Docker host. */
export const dockerRegionSchema = z.strictObject({
    name: regionName,
    replicas,
    env: envMap.default({}),
});

const stickySessionsSchema = z.strictObject({
    cookieName: pattern(/^[A-Za-z0-9_-]{2,40}$/, "2-40 letters, digits, '_' or '-'").default("horizon"),
    ttlSeconds: int(1, 31536000, " seconds").default(3600),
});

const httpsSchema = z.strictObject({
    domains: z.array(pattern(DOMAIN, "a lower-case domain name like api.example.com")).min(1, {
        error: "at least one domain",
    }),
    redirectHttp: z.boolean().default(true),
});

const loadBalancerShared = {
    /** @default "round_robin" */
    algorithm: z.enum(ALGORITHMS).default("round_robin"),
    /** Cookie stickiness. @default - none */
    stickySessions: stickySessionsSchema.optional(),
};

const sizeUnit = int(1, 100).default(DEFAULT_LB_SIZE_UNIT);

/** The GLOBAL load balancer in front of the regions' balancers, in a stack with several regions. */
const globalBalancerSchema = z.strictObject({
    /** Region slug to priority (1 the highest); `{}` sends none. @default - the order of `regions` (first = 1) */
    regionPriorities: z.record(regionSlug, int(1, 1000)).optional(),
    /** Percent of failures in a region before traffic moves to the next priority. @default - DigitalOcean's */
    failoverThreshold: int(1, 99, " percent").optional(),
    /** Cache responses at DigitalOcean's edge. @default false */
    cdn: z.boolean().default(false),
});

export const dropletLoadBalancerSchema = z.strictObject({
    ...loadBalancerShared,
    /** Managed load balancer size units (each adds capacity and cost). @default 1 */
    sizeUnit,
    /** HTTPS with a Let's Encrypt certificate; the domains must be managed in DigitalOcean DNS. @default - http only */
    https: httpsSchema.optional(),
    /** HAProxy tier droplets, used when the algorithm is not round_robin. @default { size: "s-1vcpu-1gb", nodes: 2 } */
    haproxy: z
        .strictObject({
            size: pattern(SIZE_SLUG, "a droplet size slug like s-1vcpu-1gb").default(DEFAULT_HAPROXY.size),
            nodes: int(2, 10).default(DEFAULT_HAPROXY.nodes),
        })
        .prefault({}),
    /** GLOBAL load balancer settings (several regions only). @default - priorities in region order, no CDN */
    global: globalBalancerSchema.optional(),
});

export const kubernetesLoadBalancerSchema = z.strictObject({ ...loadBalancerShared, sizeUnit, https: httpsSchema.optional() });

export const dockerLoadBalancerSchema = z.strictObject(loadBalancerShared);

const maintenanceWindowSchema = z.strictObject({
    day: z.enum(WEEKDAYS).default(DEFAULT_DATABASE.maintenanceWindow.day),
    hour: pattern(HOUR, "a time like 03:00 or 03:00:00").default(DEFAULT_DATABASE.maintenanceWindow.hour),
});

export const databaseSchema = z.strictObject({
    engine: z.literal("postgres").default("postgres"),
    /** managed: DigitalOcean cluster; container: a data droplet (or container); none: no database. @default "none" */
    mode: z.enum(DATA_MODES).default(DEFAULT_DATABASE.mode),
    /** Postgres major version. @default "16" */
    version: z.union([z.string(), z.number()]).transform(String).pipe(pattern(/^(1[3-8])$/, "a Postgres major version 13-18")).default(DEFAULT_DATABASE.version),
    /** Node size slug (managed mode). @default "db-s-1vcpu-1gb" */
    size: pattern(DB_SIZE_SLUG, "a database size slug like db-s-1vcpu-2gb").default(DEFAULT_DATABASE.size),
    /** Nodes in the managed cluster: 1 primary plus standbys. @default 1 */
    nodes: int(1, 3).default(DEFAULT_DATABASE.nodes),
    /** @default "app" */
    name: pattern(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case identifier like app").default(DEFAULT_DATABASE.name),
    /** @default "app" */
    user: pattern(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case identifier like app").default(DEFAULT_DATABASE.user),
    /** Connections in the transaction-mode pool the app connects through (managed mode). @default 20 */
    poolSize: int(1, 1000).default(DEFAULT_DATABASE.poolSize),
    /** Volume size for the data droplet (container mode). @default 10 */
    volumeSizeGb: int(1, 16384, " GiB").default(DEFAULT_DATABASE.volumeSizeGb),
    maintenanceWindow: maintenanceWindowSchema.prefault({}),
    /** The region (a `regions[].name`) holding the one writable cluster; the others get read replicas. @default - the first region */
    primaryRegion: regionName.optional(),
    /** How other regions reach the primary for writes: over the peered VPCs, or its public address (TLS). @default "private" */
    crossRegionWrites: z.enum(CROSS_REGION_WRITES).optional(),
});

export const cacheSchema = z.strictObject({
    engine: z.literal("valkey").default("valkey"),
    /** @default "none" */
    mode: z.enum(DATA_MODES).default(DEFAULT_CACHE.mode),
    /** Valkey major version. @default "8" */
    version: z.union([z.string(), z.number()]).transform(String).pipe(pattern(/^[7-9]$/, "a Valkey major version 7-9")).default(DEFAULT_CACHE.version),
    /** @default "db-s-1vcpu-1gb" */
    size: pattern(DB_SIZE_SLUG, "a database size slug like db-s-1vcpu-1gb").default(DEFAULT_CACHE.size),
    /** @default 1 */
    nodes: int(1, 3).default(DEFAULT_CACHE.nodes),
    /** @default "allkeys_lru" */
    evictionPolicy: z.enum(EVICTION_POLICIES).default(DEFAULT_CACHE.evictionPolicy),
});

export const autoscalingSchema = z.strictObject({
    minReplicas: int(1, 100),
    maxReplicas: int(1, 100),
    /** Target average CPU utilisation. @default 50 */
    cpuPercent: int(1, 100).default(DEFAULT_AUTOSCALING_CPU_PERCENT),
});

/** Keys every platform understands. */
const sharedData = {
    database: databaseSchema.prefault({}),
    cache: cacheSchema.prefault({}),
};
/** Protect stateful resources (`protect` + `retainOnDelete`). @default false */
// `pulumi config set protect true` stores the text "true"; the program reads it as a boolean, and so does validate.
const protect = z
    .union([z.boolean(), z.enum(["true", "false"], { error: "the text \"true\" or \"false\"" }).transform((text) => text === "true")])
    .default(false);
/** Extra tags on every resource that takes tags. @default [] */
const tags = z.array(pattern(/^[A-Za-z0-9:_-]{1,255}$/, "letters, digits, ':', '_' or '-'")).default([]);

function regionList<T extends z.ZodType>(region: T) {
    return z.array(region).min(1, { error: "at least one region" }).max(10, { error: "at most 10 regions" });
}

/**
 * DNS zones managed in DigitalOcean; a domain's record goes into the longest zone ending it.
 * @default [] (the last two labels of each domain)
 */
const dnsZones = z.array(pattern(DOMAIN, "a lower-case domain name like example.com")).default([]);

export const dropletsSpecSchema = z.strictObject({
    platform: z.literal("droplets"),
    app: appSchema,
    regions: regionList(dropletRegionSchema),
    loadBalancer: dropletLoadBalancerSchema.prefault({}),
    ...sharedData,
    protect,
    /** SSH key fingerprints or ids added to every droplet. @default [] */
    sshKeys: z.array(z.union([z.string().min(1), z.number().int().positive()]).transform(String)).default([]),
    /** CIDRs allowed to reach SSH on the droplets. @default [] (no SSH) */
    adminCidrs: z.array(pattern(CIDR, "a CIDR like 203.0.113.0/24")).default([]),
    dnsZones,
    tags,
});

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
/** Label and annotation keys: an optional DNS-subdomain prefix, then a name (Kubernetes' qualified names). */
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const kubernetesClusterSchema = z.strictObject({
    /** `doks`: a DigitalOcean Kubernetes cluster per region; `existing`: deploy to a cluster you run. @default "doks" */
    mode: z.enum(KUBERNETES_CLUSTER_MODES).default(DEFAULT_KUBERNETES_CLUSTER.mode),
    /** DOKS version prefix; the newest patch release DigitalOcean offers is used. @default "1.34" */
    version: z
        .union([z.string(), z.number()])
        .transform(String)
        .pipe(pattern(/^1\.[0-9]{2}$/, "a Kubernetes minor version like 1.34"))
        .default(DEFAULT_KUBERNETES_CLUSTER.version),
    /** Highly available control plane ($40/month; cannot be turned off once on). @default false */
    ha: z.boolean().default(DEFAULT_KUBERNETES_CLUSTER.ha),
    /** Patch upgrades in the maintenance window. @default true */
    autoUpgrade: z.boolean().default(DEFAULT_KUBERNETES_CLUSTER.autoUpgrade),
    /** Upgrade by adding new nodes before draining old ones. @default true */
    surgeUpgrade: z.boolean().default(DEFAULT_KUBERNETES_CLUSTER.surgeUpgrade),
    /** When auto-upgrades run (UTC). @default { day: "sunday", startTime: "04:00" } */
    maintenanceWindow: z
        .strictObject({
            day: z.enum(KUBERNETES_MAINTENANCE_DAYS).default(DEFAULT_KUBERNETES_CLUSTER.maintenanceWindow.day),
            startTime: pattern(/^([01]\d|2[0-3]):[0-5]\d$/, "a UTC time like 04:00").default(DEFAULT_KUBERNETES_CLUSTER.maintenanceWindow.startTime),
        })
        .prefault({}),
    /** The autoscaling node pool. @default { size: "s-2vcpu-4gb", minNodes: 2, maxNodes: 4 } */
    nodePool: z
        .strictObject({
            size: pattern(SIZE_SLUG, "a droplet size slug like s-2vcpu-4gb").default(DEFAULT_KUBERNETES_CLUSTER.nodePool.size),
            minNodes: int(1, 100).default(DEFAULT_KUBERNETES_CLUSTER.nodePool.minNodes),
            maxNodes: int(1, 100).default(DEFAULT_KUBERNETES_CLUSTER.nodePool.maxNodes),
        })
        .prefault({}),
    /** Pod address range; must not overlap the VPC or serviceSubnet. @default "10.244.0.0/16" */
    clusterSubnet: pattern(IPV4_CIDR, "an IPv4 CIDR like 10.244.0.0/16").default(DEFAULT_KUBERNETES_CLUSTER.clusterSubnet),
    /** Service address range; must not overlap the VPC or clusterSubnet. @default "10.245.0.0/16" */
    serviceSubnet: pattern(IPV4_CIDR, "an IPv4 CIDR like 10.245.0.0/16").default(DEFAULT_KUBERNETES_CLUSTER.serviceSubnet),
    /** Existing cluster: its kubeconfig (`pulumi config set --secret --path kubernetes.cluster.kubeconfig < file`). @default - none */
    kubeconfig: z.string().min(1, { error: "a kubeconfig document" }).optional(),
    /** Existing cluster: a context of the local kubeconfig. @default - none */
    context: z.string().min(1, { error: "a kubeconfig context name" }).optional(),
    /** Existing DOKS cluster: its id, which managed databases trust. @default - none */
    doksClusterId: pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a DOKS cluster id (UUID)").optional(),
    /** Existing DOKS cluster: its VPC, which managed databases join. @default - none */
    vpcUuid: pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a VPC id (UUID)").optional(),
});

export const kubernetesSettingsSchema = z.strictObject({
    cluster: kubernetesClusterSchema.prefault({}),
    /** Namespace of everything horizon creates in the cluster. @default - the app name */
    namespace: pattern(DNS_LABEL, "a lower-case DNS label like hits").optional(),
    /** Extra LoadBalancer Service annotations; horizon's own keys may not be set here. @default {} */
    serviceAnnotations: z.record(pattern(QUALIFIED_NAME, "an annotation key like example.com/owner"), z.string()).default({}),
    /** User id of the app container, for images without a numeric non-root USER. @default - the image's */
    runAsUser: int(1, 2147483647).optional(),
});

export const kubernetesSpecSchema = z.strictObject({
    platform: z.literal("kubernetes"),
    app: appSchema,
    regions: regionList(kubernetesRegionSchema),
    loadBalancer: kubernetesLoadBalancerSchema.prefault({}),
    ...sharedData,
    /** Cluster, namespace and Service settings. @default - a DOKS cluster per region with the defaults above */
    kubernetes: kubernetesSettingsSchema.prefault({}),
    /** Horizontal pod autoscaling. @default - fixed replicas */
    autoscaling: autoscalingSchema.optional(),
    protect,
    dnsZones,
    tags,
});

/** `unix:///path`, `ssh://[user@]host[:port]`, `tcp://host:port` or `npipe:////./pipe/name`, as DOCKER_HOST takes. */
const DOCKER_HOST = /^(unix:\/\/\/\S+|ssh:\/\/([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+(:[0-9]{1,5})?|tcp:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}|npipe:\/\/\S+)$/;
/** An IPv4 address and a port: Docker's `-p <address>:<port>` form. */
const PUBLISH = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
const DOCKER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const imageRef = pattern(IMAGE_REF, "an image reference like haproxy:3.0 or registry.example.com/mirror/postgres:16");
const publishAddress = (example: string) => pattern(PUBLISH, `an IPv4 address and port like ${example}`);

export const dockerSettingsSchema = z.strictObject({
    /** Docker daemon the stack runs on; an explicit provider is created when set. @default - DOCKER_HOST, else unix:///var/run/docker.sock */
    host: pattern(DOCKER_HOST, "a Docker host URL like unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376").optional(),
    /** Extra ssh options for an ssh:// host, e.g. ["-o", "StrictHostKeyChecking=yes"]. @default [] */
    sshOpts: z.array(z.string().min(1, { error: "a non-empty ssh option" })).default([]),
    /** Host address and port HAProxy is published on. @default "127.0.0.1:8080" */
    publish: publishAddress("127.0.0.1:8080 or 0.0.0.0:80").default(DEFAULT_DOCKER_PUBLISH),
    /** Host address and port of HAProxy's stats page, read by the rollout gate. @default "127.0.0.1:8404" */
    statsPublish: publishAddress("127.0.0.1:8404").default(DEFAULT_DOCKER_STATS_PUBLISH),
    /** Images of the HAProxy, Postgres and Valkey containers. @default { haproxy: "haproxy:3.0" } (postgres:<database.version>, valkey/valkey:<cache.version>) */
    images: z
        .strictObject({
            /** @default "haproxy:3.0" */
            haproxy: imageRef.default(DEFAULT_DOCKER_HAPROXY_IMAGE),
            /** @default - postgres:<database.version> */
            postgres: imageRef.optional(),
            /** @default - valkey/valkey:<cache.version> */
            valkey: imageRef.optional(),
        })
        .prefault({}),
    /** Build the app image on the Docker host from a local directory, tagged app.image. @default - app.image is pulled */
    build: z
        .strictObject({
            /** Build context directory, relative to the Pulumi project. */
            context: z.string().min(1, { error: "a directory like ./app" }),
            /** @default "Dockerfile" */
            dockerfile: z.string().min(1, { error: "a path like Dockerfile" }).default("Dockerfile"),
        })
        .optional(),
    /** Name of the stack's network. @default - autonamed from <app>-<region>-network */
    network: pattern(DOCKER_NAME, "a Docker network name (letters, digits, '_', '.', '-')").optional(),
});

export const dockerSpecSchema = z.strictObject({
    platform: z.literal("docker"),
    app: appSchema,
    regions: regionList(dockerRegionSchema),
    loadBalancer: dockerLoadBalancerSchema.prefault({}),
    ...sharedData,
    protect,
    tags,
    /** The Docker host and the containers beside the app. @default {} */
    docker: dockerSettingsSchema.prefault({}),
});

/** One schema per platform; `parseStackSpec` picks by `platform` (default droplets). */
export const PLATFORM_SCHEMAS = {
    droplets: dropletsSpecSchema,
    kubernetes: kubernetesSpecSchema,
    docker: dockerSpecSchema,
} as const;

/** `platform` alone, read first to choose the schema for the rest. */
export const platformSchema = z.enum(PLATFORMS).default(DEFAULT_PLATFORM);

export type Platform = PlatformName;

// The zod output of each platform's schema must be exactly assignable to its plain type.
type Assignable<T extends U, U> = T;
export type _DropletsCheck = Assignable<z.output<typeof dropletsSpecSchema>, DropletsSpec>;
export type _KubernetesCheck = Assignable<z.output<typeof kubernetesSpecSchema>, KubernetesSpec>;
export type _DockerCheck = Assignable<z.output<typeof dockerSpecSchema>, DockerSpec>;
