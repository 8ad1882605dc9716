import { CLUSTER_REPLACEMENT_FIELDS } from "../../../components/digitalocean/managedCluster";
import * as yaml from "js-yaml";
import { roleFromTags } from "../../../components/core/names";
import type { PlannedResource } from "../inventory";
import type { PriceTable } from "../prices";
import { hashName, isRecord, numberInput, type PlanAdapter, type Pricing, stringInput } from "./types";

/** DigitalOcean type tokens the plan tools look at. */
export const DO_TYPES = {
    droplet: "digitalocean:index/droplet:Droplet",
    loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
    databaseCluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    databaseReplica: "digitalocean:index/databaseReplica:DatabaseReplica",
    vpcPeering: "digitalocean:index/vpcPeering:VpcPeering",
    volume: "digitalocean:index/volume:Volume",
    vpc: "digitalocean:index/vpc:Vpc",
    kubernetesCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    kubernetesNodePool: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
} as const;

const HEALTH_GATE = "pulumi-nodejs:dynamic/horizon:HealthGate";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/**
 * Input paths whose change replaces the resource: ForceNew in terraform-provider-digitalocean
 * v2.99.1, which @pulumi/digitalocean 4.80.1 bridges (file per resource under `digitalocean/`).
 * Droplets' replacements are what horizon's rolling waves rest on; the plan warns about the
 * stateful ones (clusters, volumes, VPCs, the data droplet).
 */
const REPLACEMENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
    // droplet/resource_droplet.go (image, region, ssh_keys, user_data, monitoring, droplet_agent, vpc_uuid)
    [DO_TYPES.droplet]: ["image", "region", "sshKeys", "userData", "monitoring", "dropletAgent", "vpcUuid"],
    // loadbalancer/resource_loadbalancer.go (region, vpc_uuid, type, network)
    [DO_TYPES.loadBalancer]: ["region", "vpcUuid", "type", "network"],
    // volume/resource_volume.go (region, name, description, snapshot_id, initial_filesystem_type)
    [DO_TYPES.volume]: ["region", "name", "description", "snapshotId", "initialFilesystemType"],
    // database/resource_database_cluster.go; a region change migrates in place
    [DO_TYPES.databaseCluster]: [...CLUSTER_REPLACEMENT_FIELDS],
    // database/resource_database_replica.go
    [DO_TYPES.databaseReplica]: ["name", "clusterId", "region", "privateNetworkUuid", "tags"],
    // vpc/resource_vpc.go
    [DO_TYPES.vpc]: ["region", "ipRange"],
    // vpc peering: a peering joins exactly the two VPCs it names
    [DO_TYPES.vpcPeering]: ["vpcIds"],
    // database/resource_database_connection_pool.go has no update: every argument replaces the pool
    "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": ["clusterId", "name", "user", "mode", "size", "dbName"],
    // tag/resource_tag.go; domain/resource_record.go
    "digitalocean:index/tag:Tag": ["name"],
    "digitalocean:index/dnsRecord:DnsRecord": ["type", "domain"],
};

/**
 * Types whose replacement or removal loses data. A read replica is replaced for a reason but
 * holds nothing of its own (it copies its primary again), so it is not among them.
 */
const STATEFUL_TYPES: ReadonlySet<string> = new Set([DO_TYPES.databaseCluster, DO_TYPES.volume, DO_TYPES.vpc]);

/** The droplets platform: droplets, load balancers, managed databases, volumes, DOKS. */
export const digitaloceanAdapter: PlanAdapter = {
    name: "digitalocean",
    handles: (type) => type.startsWith("digitalocean:") || type === HEALTH_GATE || type === RANDOM_PASSWORD,
    replacementFields: (type) => REPLACEMENT_FIELDS[type] ?? [],
    isStateful: (resource) => {
        if (resource.type === DO_TYPES.droplet) {
            // Replicas are cattle; only the data droplet keeps anything on its own disk.
            return roleFromTags(Array.isArray(resource.inputs.tags) ? resource.inputs.tags : []) === "data";
        }
        return STATEFUL_TYPES.has(resource.type);
    },
    price: priceResource,
    mockOutputs,
    explain: (type, rawInputs) => (type === DO_TYPES.droplet && typeof rawInputs.userData === "string" ? { userData: explainUserData(rawInputs.userData) } : undefined),
    mockInvoke,
};

/** Token of the DOKS versions data source. */
export const GET_KUBERNETES_VERSIONS = "digitalocean:index/getKubernetesVersions:getKubernetesVersions";

/**
 * DigitalOcean's answer to the data sources horizon reads. For DOKS versions: one patch
 * release of the requested minor version, spelled as DigitalOcean spells slugs.
 */
function mockInvoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    if (token !== GET_KUBERNETES_VERSIONS) {
        return undefined;
    }
    const prefix = typeof inputs.versionPrefix === "string" ? inputs.versionPrefix : "1.34.";
    const latestVersion = `${prefix.endsWith(".") ? prefix : `${prefix}.`}1-do.0`;
    return { id: "kubernetes-versions", latestVersion, validVersions: [latestVersion], versionPrefix: prefix };
}

/**
 * A droplet's user data without its secrets: the container images, the names (never the
 * values) of the env files' variables, and each container's `docker run` flags, which hold
 * no credentials (those live in root-only files the flags only name).
 */
export function explainUserData(userData: string): Record<string, unknown> {
    let config: unknown;
    try {
        config = yaml.load(userData);
    } catch {
        return { unreadable: true };
    }
    const files = isRecord(config) && Array.isArray(config.write_files) ? config.write_files.filter(isRecord) : [];
    const explained: Record<string, unknown> = {};
    for (const file of files) {
        const path = String(file.path);
        const content = String(file.content ?? "");
        if (path.endsWith(".env")) {
            explained[`env ${path}`] = content.split("\n").filter((line) => line.includes("=")).map((line) => line.slice(0, line.indexOf("=")));
        } else if (path.startsWith("/usr/local/bin/horizon-") && content.includes("docker run")) {
            const unit = path.slice("/usr/local/bin/".length);
            explained[`${unit} image`] = content.match(/^image=(.*)$/m)?.[1];
            explained[`${unit} flags`] = content
                .slice(content.indexOf("docker run"))
                .split("\n")
                .slice(1)
                .map((line) => line.trim().replace(/ \\$/, ""))
                .filter((line) => line.startsWith("--"));
        }
    }
    return explained;
}

/**
 * Plausible values for what DigitalOcean computes (ids, addresses, hosts, URIs), so programs
 * that wire one resource's outputs into another's inputs run end to end.
 */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const h = hashName(name);
    const octet = (n: number) => (h >> n) & 0xff || 1;
    const host = `${name}.db.ondigitalocean.test`;
    const privateHost = `private-${host}`;
    switch (type) {
        case "digitalocean:index/droplet:Droplet":
            return {
                ipv4Address: `198.51.${octet(0)}.${octet(8)}`,
                ipv4AddressPrivate: `10.${octet(0)}.${octet(8)}.${octet(16)}`,
                dropletUrn: `do:droplet:${h}`,
            };
        case "digitalocean:index/loadBalancer:LoadBalancer":
            return inputs.type === "GLOBAL"
                ? // A GLOBAL balancer answers on anycast addresses; its regional targets keep their own.
                  { ip: `192.0.2.${octet(0)}`, loadBalancerUrn: `do:loadbalancer:${h}`, status: "active" }
                : { ip: `203.0.113.${octet(0)}`, loadBalancerUrn: `do:loadbalancer:${h}`, status: "active" };
        case "digitalocean:index/databaseReplica:DatabaseReplica":
            // The replica's own URIs name the admin user and defaultdb, as DigitalOcean's do.
            return {
                uuid: `replica-${h}`,
                host,
                privateHost,
                port: 25060,
                user: "doadmin",
                password: "mock-cluster-password",
                database: "defaultdb",
                uri: `postgresql://doadmin:mock-cluster-password@${host}:25060/defaultdb?sslmode=require`,
                privateUri: `postgresql://doadmin:mock-cluster-password@${privateHost}:25060/defaultdb?sslmode=require`,
            };
        case "digitalocean:index/vpcPeering:VpcPeering":
            return { status: "ACTIVE", createdAt: "2025-06-01T12:00:00Z" };
        case "digitalocean:index/vpc:Vpc":
            return { ipRange: inputs.ipRange ?? `10.${octet(0)}.0.0/20`, vpcUrn: `do:vpc:${h}` };
        case "digitalocean:index/databaseCluster:DatabaseCluster": {
            const port = inputs.engine === "valkey" ? 25061 : 25060;
            const scheme = inputs.engine === "valkey" ? "rediss" : "postgresql";
            return {
                host,
                privateHost,
                port,
                user: "doadmin",
                password: "mock-cluster-password",
                database: "defaultdb",
                uri: `${scheme}://doadmin:mock-cluster-password@${host}:${port}`,
                privateUri: `${scheme}://doadmin:mock-cluster-password@${privateHost}:${port}`,
                clusterUrn: `do:dbaas:${h}`,
            };
        }
        case "digitalocean:index/databaseUser:DatabaseUser":
            return { password: "mock-user-password" };
        case "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool":
            return {
                host,
                privateHost,
                port: 25061,
                password: "mock-user-password",
                uri: `postgresql://${String(inputs.user)}:mock-user-password@${host}:25061/${String(inputs.name)}`,
                privateUri: `postgresql://${String(inputs.user)}:mock-user-password@${privateHost}:25061/${String(inputs.name)}`,
            };
        case "digitalocean:index/volume:Volume":
            return { volumeUrn: `do:volume:${h}` };
        case "digitalocean:index/tag:Tag":
            return { name: inputs.name ?? name };
        case "digitalocean:index/kubernetesCluster:KubernetesCluster": {
            const endpoint = `https://${h.toString(16)}.k8s.ondigitalocean.test`;
            return {
                endpoint,
                clusterUrn: `do:kubernetes:${h}`,
                status: "running",
                kubeConfigs: [
                    {
                        host: endpoint,
                        token: "mock-kubernetes-token",
                        clusterCaCertificate: "bW9jay1jYQ==",
                        rawConfig: `apiVersion: v1\nkind: Config\nclusters:\n- name: ${name}\n  cluster:\n    server: ${endpoint}\n`,
                    },
                ],
            };
        }
        case "digitalocean:index/certificate:Certificate":
            return { uuid: `cert-${h}`, state: "verified" };
        case "pulumi-nodejs:dynamic/horizon:HealthGate":
            return {
                healthyDropletIds: [...((inputs.dropletIds as string[] | undefined) ?? [])].sort(),
                readyAt: "2025-06-01T12:00:00.000Z",
            };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-password-${h.toString(36)}` };
        default:
            return {};
    }
}

/** The `pg` / `valkey` engine slugs DigitalOcean uses, mapped to their price sections. */
const DATABASE_ENGINES: Record<string, keyof PriceTable["databases"]> = { pg: "postgres", valkey: "valkey" };

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
    if (maxNodes === undefined) {
        return { item: `${pricing.item} (autoscaling minimum)`, monthlyUsd: pricing.monthlyUsd };
    }
    // The total counts the minimum; the item says what the pool costs when the autoscaler fills it.
    const atMax = priceDroplet(stringInput(pool, "size"), maxNodes, prices);
    const atMaxText = "monthlyUsd" in atMax ? `, $${atMax.monthlyUsd.toFixed(2)} at ${maxNodes}` : "";
    return { item: `${pricing.item} (autoscaling minimum, up to ${maxNodes}${atMaxText})`, monthlyUsd: pricing.monthlyUsd };
}

