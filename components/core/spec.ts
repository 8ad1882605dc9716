/**
 * The service spec every platform shares, as plain types with every default filled in.
 * `config/` parses stack files into these types (once, before any resource exists); components
 * and platforms take them, never zod types, so a program can build a spec in code too.
 */

export const PLATFORMS = ["droplets", "kubernetes", "docker"] as const;
export type PlatformName = (typeof PLATFORMS)[number];

export const ALGORITHMS = ["round_robin", "least_connections", "source", "random"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/**
 * Whether an algorithm puts HAProxy between the load balancer and the replicas: DigitalOcean's
 * load balancers (droplets, and Kubernetes Services) balance round-robin only.
 */
export function balancedByHaproxy(algorithm: Algorithm): boolean {
    return algorithm !== "round_robin";
}

export const DEPLOYMENT_STRATEGIES = ["rolling", "replace"] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

export const DATA_MODES = ["managed", "container", "none"] as const;
export type DataMode = (typeof DATA_MODES)[number];

/** DigitalOcean's names for the Valkey eviction policies (`eviction_policy` on a cluster). */
export const EVICTION_POLICIES = [
    "noeviction",
    "allkeys_lru",
    "allkeys_random",
    "volatile_lru",
    "volatile_random",
    "volatile_ttl",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const DEFAULT_PLATFORM: PlatformName = "droplets";
export const DEFAULT_APP_PORT = 8080;
/** Ranges and defaults follow DigitalOcean's load balancer health check. */
export const DEFAULT_HEALTH_CHECK = {
    path: "/health",
    protocol: "http",
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 5,
    unhealthyThreshold: 3,
} as const;
export const DEFAULT_MIN_READY_SECONDS = 10;
export const DEFAULT_READY_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_REPLICAS = 2;
export const DEFAULT_DROPLET_SIZE = "s-1vcpu-1gb";
export const DEFAULT_LB_SIZE_UNIT = 1;
export const DEFAULT_HAPROXY = { size: "s-1vcpu-1gb", nodes: 2 } as const;
export const DEFAULT_DATABASE = {
    engine: "postgres",
    mode: "none",
    version: "16",
    size: "db-s-1vcpu-1gb",
    nodes: 1,
    name: "app",
    user: "app",
    poolSize: 20,
    volumeSizeGb: 10,
    maintenanceWindow: { day: "sunday", hour: "03:00:00" },
} as const;
export const DEFAULT_CACHE = {
    engine: "valkey",
    mode: "none",
    version: "8",
    size: "db-s-1vcpu-1gb",
    nodes: 1,
    evictionPolicy: "allkeys_lru",
} as const;
export const DEFAULT_AUTOSCALING_CPU_PERCENT = 50;

export const KUBERNETES_CLUSTER_MODES = ["doks", "existing"] as const;
export type KubernetesClusterMode = (typeof KUBERNETES_CLUSTER_MODES)[number];
/** DOKS maintenance windows also take `any`. */
export const KUBERNETES_MAINTENANCE_DAYS = [...WEEKDAYS, "any"] as const;
export type KubernetesMaintenanceDay = (typeof KUBERNETES_MAINTENANCE_DAYS)[number];
/**
 * DOKS cluster defaults. The overlay (pod) and service ranges are set explicitly so that
 * config can check they overlap neither the region's VPC nor each other.
 */
export const DEFAULT_KUBERNETES_CLUSTER = {
    mode: "doks",
    version: "1.34",
    ha: false,
    autoUpgrade: true,
    surgeUpgrade: true,
    maintenanceWindow: { day: "sunday", startTime: "04:00" },
    nodePool: { size: "s-2vcpu-4gb", minNodes: 2, maxNodes: 4 },
    clusterSubnet: "10.244.0.0/16",
    serviceSubnet: "10.245.0.0/16",
} as const;
/** Requests (and limits) of an app pod when `app.resources` leaves them out; the HPA needs a CPU request. */
export const DEFAULT_KUBERNETES_RESOURCES = { cpu: 0.25, memoryMb: 256 } as const;

/** How every consumer (load balancer, HAProxy, Docker, Kubernetes) checks a replica. */
export interface HealthCheck {
    /** HTTP path probed on every replica. */
    readonly path: string;
    /** Port probed; the app port when left out. */
    readonly port?: number;
    readonly protocol: "http" | "https" | "tcp";
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    /** Consecutive successes before a replica receives traffic. */
    readonly healthyThreshold: number;
    /** Consecutive failures before a replica is taken out. */
    readonly unhealthyThreshold: number;
}

export interface Resources {
    /** CPUs per replica (fractions allowed). */
    readonly cpu?: number;
    readonly memoryMb?: number;
}

export interface RegistryCredentials {
    readonly server: string;
    readonly username: string;
    readonly password: string;
}

export interface AppSpec {
    /** Lower-case DNS label; prefixes every resource name. */
    readonly name: string;
    readonly image: string;
    readonly port: number;
    readonly env: Readonly<Record<string, string>>;
    readonly secretEnv: Readonly<Record<string, string>>;
    readonly healthCheck: HealthCheck;
    readonly minReadySeconds: number;
    readonly readyTimeoutSeconds: number;
    readonly deploymentStrategy: DeploymentStrategy;
    /** Replicas created per rolling wave: a count or a percentage, rounded up. */
    readonly maxSurge: number | string;
    readonly resources?: Resources;
    readonly registry?: RegistryCredentials;
    /** Gate each rolling wave on the balancer's view of the new replicas. */
    readonly gateRollouts: boolean;
}

/** What every platform's region has. */
export interface RegionBase {
    /** Name of this regional unit, used in resource names, e.g. `us-east`. */
    readonly name: string;
    readonly replicas: number;
    /** Environment variables for this region only; they override `app.env`. */
    readonly env: Readonly<Record<string, string>>;
}

export interface DropletRegion extends RegionBase {
    /** DigitalOcean region slug. */
    readonly region: string;
    /** Droplet size slug for the replicas. */
    readonly size: string;
    /** Host names pointed at this region's load balancer. */
    readonly domains: readonly string[];
    readonly vpcIpRange?: string;
}

export interface KubernetesRegion extends RegionBase {
    /** DigitalOcean region slug of the cluster. */
    readonly region: string;
    readonly domains: readonly string[];
    readonly vpcIpRange?: string;
}

export type DockerRegion = RegionBase;

export interface StickySessions {
    readonly cookieName: string;
    readonly ttlSeconds: number;
}

export interface HttpsSpec {
    readonly domains: readonly string[];
    readonly redirectHttp: boolean;
}

export interface LoadBalancerSpec {
    readonly algorithm: Algorithm;
    readonly stickySessions?: StickySessions;
}

export interface MaintenanceWindow {
    readonly day: Weekday;
    readonly hour: string;
}

export interface DatabaseSpec {
    readonly engine: "postgres";
    readonly mode: DataMode;
    readonly version: string;
    readonly size: string;
    readonly nodes: number;
    readonly name: string;
    readonly user: string;
    readonly poolSize: number;
    readonly volumeSizeGb: number;
    readonly maintenanceWindow: MaintenanceWindow;
    /** Geography: the `regions[].name` holding the one writable cluster. @default - the first region */
    readonly primaryRegion?: string;
    /** Geography: how other regions reach the primary for writes. @default "private" */
    readonly crossRegionWrites?: CrossRegionWrites;
}

/**
 * How replicas in other regions reach the primary database for writes: its private address
 * across the peered VPCs, or its public address (TLS required).
 */
export const CROSS_REGION_WRITES = ["private", "public"] as const;
export type CrossRegionWrites = (typeof CROSS_REGION_WRITES)[number];

export interface CacheSpec {
    readonly engine: "valkey";
    readonly mode: DataMode;
    readonly version: string;
    readonly size: string;
    readonly nodes: number;
    readonly evictionPolicy: EvictionPolicy;
}

export interface AutoscalingSpec {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuPercent: number;
}

/** The keys every platform understands. */
interface SpecBase<P extends PlatformName, R extends RegionBase, LB extends LoadBalancerSpec> {
    readonly platform: P;
    readonly app: AppSpec;
    readonly regions: readonly R[];
    readonly loadBalancer: LB;
    readonly database: DatabaseSpec;
    readonly cache: CacheSpec;
    /** Protect stateful resources (`protect` + `retainOnDelete`). */
    readonly protect: boolean;
    /** Extra tags (labels) on every resource that takes them. */
    readonly tags: readonly string[];
}

export interface DropletLoadBalancerSpec extends LoadBalancerSpec {
    readonly sizeUnit: number;
    readonly https?: HttpsSpec;
    readonly haproxy: { readonly size: string; readonly nodes: number };
    /** The GLOBAL load balancer in front of the regions' balancers (several regions only). */
    readonly global?: GlobalBalancerSpec;
}

/** DigitalOcean's GLOBAL load balancer settings (`glbSettings`). */
export interface GlobalBalancerSpec {
    /** Region slug to priority, 1 the highest. @default - the order of `regions` (first = 1) */
    readonly regionPriorities?: Readonly<Record<string, number>>;
    /** Percent of failures in a region before traffic moves to the next priority. @default - DigitalOcean's */
    readonly failoverThreshold?: number;
    /** Cache responses at DigitalOcean's edge. @default false */
    readonly cdn: boolean;
}

export interface DropletsSpec extends SpecBase<"droplets", DropletRegion, DropletLoadBalancerSpec> {
    readonly sshKeys: readonly string[];
    readonly adminCidrs: readonly string[];
    readonly dnsZones: readonly string[];
}

export interface KubernetesLoadBalancerSpec extends LoadBalancerSpec {
    readonly sizeUnit: number;
    readonly https?: HttpsSpec;
}

export interface KubernetesNodePoolSpec {
    /** Droplet size slug of the nodes. */
    readonly size: string;
    /** The cluster autoscaler keeps at least this many nodes. */
    readonly minNodes: number;
    /** ... and at most this many. */
    readonly maxNodes: number;
}

export interface KubernetesClusterSpec {
    /** `doks`: horizon creates a DigitalOcean Kubernetes cluster per region; `existing`: it deploys to one it is given. */
    readonly mode: KubernetesClusterMode;
    /** DOKS version prefix (`1.34`); the newest patch release DigitalOcean offers is used. */
    readonly version: string;
    /** Highly available control plane (cannot be turned off once on). */
    readonly ha: boolean;
    readonly autoUpgrade: boolean;
    readonly surgeUpgrade: boolean;
    readonly maintenanceWindow: { readonly day: KubernetesMaintenanceDay; readonly startTime: string };
    readonly nodePool: KubernetesNodePoolSpec;
    /** Pod (overlay) address range. */
    readonly clusterSubnet: string;
    /** Service address range. */
    readonly serviceSubnet: string;
    /** Kubeconfig of an existing cluster (a secret). */
    readonly kubeconfig?: string;
    /** Context of the local kubeconfig to deploy to (existing cluster). */
    readonly context?: string;
    /** An existing DOKS cluster's id: managed databases trust it. */
    readonly doksClusterId?: string;
    /** The VPC of an existing DOKS cluster: managed databases join it. */
    readonly vpcUuid?: string;
}

export interface KubernetesSettings {
    readonly cluster: KubernetesClusterSpec;
    /** Namespace of every object horizon creates. @default - the app name */
    readonly namespace?: string;
    /** Extra annotations on the LoadBalancer Service (horizon's own may not be overridden). */
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    /** User id the app container runs as, for images without a numeric non-root USER. @default - the image's */
    readonly runAsUser?: number;
}

export interface KubernetesSpec extends SpecBase<"kubernetes", KubernetesRegion, KubernetesLoadBalancerSpec> {
    readonly kubernetes: KubernetesSettings;
    readonly autoscaling?: AutoscalingSpec;
    readonly dnsZones: readonly string[];
}

/** Official images the Docker platform runs when `docker.images` names none. */
export const DEFAULT_DOCKER_HAPROXY_IMAGE = "haproxy:3.0";
/** Where the HAProxy container is published on the Docker host. */
export const DEFAULT_DOCKER_PUBLISH = "127.0.0.1:8080";
/** Where HAProxy's stats page is published on the Docker host (loopback only); the rollout gate reads it. */
export const DEFAULT_DOCKER_STATS_PUBLISH = "127.0.0.1:8404";

/** Images of the containers other than the app. */
export interface DockerImages {
    readonly haproxy: string;
    /** @default - postgres:<database.version> */
    readonly postgres?: string;
    /** @default - valkey/valkey:<cache.version> */
    readonly valkey?: string;
}

/** Build the app image on the Docker host from a local context instead of pulling `app.image`. */
export interface DockerBuild {
    /** Directory sent to the daemon, relative to the Pulumi project. */
    readonly context: string;
    /** Dockerfile path inside the context. @default "Dockerfile" */
    readonly dockerfile: string;
}

/** Where and how the Docker platform runs. */
export interface DockerSettings {
    /** Docker daemon (`unix:///var/run/docker.sock`, `ssh://user@host`); an explicit provider is created when set. @default - DOCKER_HOST, else the local socket */
    readonly host?: string;
    /** Extra ssh options for an `ssh://` host. @default [] */
    readonly sshOpts: readonly string[];
    /** `address:port` on the Docker host where HAProxy is published. */
    readonly publish: string;
    /** `address:port` on the Docker host where HAProxy's stats page is published for the rollout gate. */
    readonly statsPublish: string;
    readonly images: DockerImages;
    readonly build?: DockerBuild;
    /** Name of the stack's network. @default - `<app>-<region>` autonamed by Pulumi */
    readonly network?: string;
}

export interface DockerSpec extends SpecBase<"docker", DockerRegion, LoadBalancerSpec> {
    readonly docker: DockerSettings;
}

/** The whole parsed stack: one platform's spec. */
export type ServiceSpec = DropletsSpec | KubernetesSpec | DockerSpec;
/** The parsed stack configuration: the same thing as `ServiceSpec`, named for where it comes from. */
export type StackSpec = ServiceSpec;
export type AnyRegion = ServiceSpec["regions"][number];

/** A value with every key optional, all the way down: what a user may leave to the defaults. */
export type Defaults<T> = T extends readonly (infer E)[]
    ? readonly Defaults<E>[]
    : T extends object
      ? { readonly [K in keyof T]?: Defaults<T[K]> }
      : T;

/** `app` as a user writes it: a name and an image, the rest defaulted. */
export type AppSpecInput = Pick<AppSpec, "name" | "image"> & Defaults<Omit<AppSpec, "name" | "image">>;

type SpecInput<S extends ServiceSpec, Required extends keyof S["regions"][number]> = {
    readonly app: AppSpecInput;
    readonly regions: readonly (Pick<S["regions"][number], Required> & Defaults<Omit<S["regions"][number], Required>>)[];
} & Defaults<Omit<S, "app" | "regions">>;

/** A droplets stack as a user writes it (`platform` may be left out). */
export type DropletsSpecInput = Omit<SpecInput<DropletsSpec, "name" | "region">, "sshKeys"> & {
    /** Key fingerprints, or numeric key ids. */
    readonly sshKeys?: readonly (string | number)[];
};
export type KubernetesSpecInput = SpecInput<KubernetesSpec, "name" | "region"> & { readonly platform: "kubernetes" };
export type DockerSpecInput = SpecInput<DockerSpec, "name"> & { readonly platform: "docker" };
/** What `WebService` takes: a spec with defaults left out; it is validated before anything is created. */
export type StackSpecInput = DropletsSpecInput | KubernetesSpecInput | DockerSpecInput;

/** A health check with DigitalOcean's defaults for whatever `check` leaves out. */
export function healthCheckWithDefaults(check: Defaults<HealthCheck> = {}): HealthCheck {
    return { ...DEFAULT_HEALTH_CHECK, ...check };
}
