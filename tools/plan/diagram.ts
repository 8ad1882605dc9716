import { roleFromTags } from "../../components/core/names";
import { renderDockerHost } from "./diagramDocker";
import type { PlannedResource } from "./inventory";
import { DO_TYPES, isRecord, numberInput, stringInput } from "./cost";
import {
    deploymentLabel,
    haproxyDeploymentLabel,
    isKubernetesObject,
    kubernetesPlacement,
    serviceLoadBalancerLabel,
    statefulSetLabel,
} from "./diagramKubernetes";

export type DropletRole = "app" | "haproxy" | "data";

/**
 * What a droplet is for, from its `horizon:role:<role>` tag (names may change with
 * `aliases`; the role tag is the contract). A droplet without one counts as an app replica.
 */
export function dropletRole(droplet: Pick<PlannedResource, "inputs">): DropletRole {
    const role = roleFromTags(Array.isArray(droplet.inputs.tags) ? droplet.inputs.tags : []);
    return role === "haproxy" || role === "data" ? role : "app";
}

interface RegionGroup {
    readonly region: string;
    readonly loadBalancers: PlannedResource[];
    readonly haproxy: PlannedResource[];
    readonly app: PlannedResource[];
    readonly data: PlannedResource[];
    readonly volumes: PlannedResource[];
    readonly postgres: PlannedResource[];
    /** Read replicas of a Postgres primary in another region. */
    readonly replicas: PlannedResource[];
    readonly caches: PlannedResource[];
    readonly kubernetes: PlannedResource[];
    /** Kubernetes Deployments of the app and the autoscalers that size them. */
    readonly deployments: PlannedResource[];
    readonly autoscalers: PlannedResource[];
}

const UNKNOWN_REGION = "region unknown";
const INDENT = "    ";

/**
 * A Mermaid flowchart of the topology: one subgraph per region, the load balancer, the HAProxy
 * tier when present, the replicas as one node per size ("3 x s-1vcpu-2gb", so a thousand
 * droplets stay one line), Postgres and the cache, and the request path between them.
 * Only basic flowchart syntax is used so GitHub renders it as is.
 */
export function renderMermaid(resources: PlannedResource[]): string {
    const globals = resources.filter((r) => r.type === DO_TYPES.loadBalancer && stringInput(r.inputs, "type") === "GLOBAL");
    const groups = groupByRegion(resources);
    const lines = ["flowchart LR", `${INDENT}internet(("Internet"))`];
    const edges: string[] = [];
    globals.forEach((_glb, i) => {
        lines.push(`${INDENT}${node(`global_lb${i}`, "round", "Global load balancer")}`);
        edges.push(`internet --> global_lb${i}`);
    });
    const entries = globals.length === 0 ? ["internet"] : globals.map((_, i) => `global_lb${i}`);
    const regions = groups.map((group, index) => renderRegion(group, `r${index}`));
    regions.forEach((region) => {
        lines.push(...region.lines);
        for (const entry of entries) {
            edges.push(...region.frontDoors.map((door) => `${entry} --> ${door}`));
        }
        edges.push(...region.edges);
    });
    const dockerHost = renderDockerHost(resources);
    lines.push(...dockerHost.lines);
    edges.push(...dockerHost.frontDoors.map((door) => `internet --> ${door}`), ...dockerHost.edges);
    // Dotted: replication from the primary, not a request path.
    const primaries = regions.flatMap((r) => r.primaries);
    edges.push(...regions.flatMap((r) => r.replicas).flatMap((replica) => (primaries.length === 1 ? [`${primaries[0]} -.-> ${replica}`] : [])));
    return [...lines, ...edges.map((edge) => INDENT + edge)].join("\n") + "\n";
}

function groupByRegion(resources: PlannedResource[]): RegionGroup[] {
    const groups = new Map<string, RegionGroup>();
    const groupFor = (r: PlannedResource, region = stringInput(r.inputs, "region") ?? UNKNOWN_REGION): RegionGroup => {
        let group = groups.get(region);
        if (group === undefined) {
            group = { region, loadBalancers: [], haproxy: [], app: [], data: [], volumes: [], postgres: [], replicas: [], caches: [], kubernetes: [], deployments: [], autoscalers: [] };
            groups.set(region, group);
        }
        return group;
    };
    for (const r of resources) {
        switch (r.type) {
            case DO_TYPES.droplet:
                groupFor(r)[dropletRole(r)].push(r);
                break;
            case DO_TYPES.loadBalancer:
                if (stringInput(r.inputs, "type") !== "GLOBAL") {
                    groupFor(r).loadBalancers.push(r);
                }
                break;
            case DO_TYPES.databaseCluster:
                (stringInput(r.inputs, "engine") === "pg" ? groupFor(r).postgres : groupFor(r).caches).push(r);
                break;
            case DO_TYPES.volume:
                groupFor(r).volumes.push(r);
                break;
            case DO_TYPES.databaseReplica:
                groupFor(r).replicas.push(r);
                break;
            case DO_TYPES.kubernetesCluster:
                groupFor(r).kubernetes.push(r);
                break;
            default: {
                const placed = kubernetesPlacement(r);
                if (placed !== undefined) {
                    groupFor(r, placed.region)[placed.slot].push(r);
                }
            }
        }
    }
    return [...groups.values()];
}

interface RenderedRegion {
    readonly lines: string[];
    /** Nodes that receive traffic from the internet or the global load balancer. */
    readonly frontDoors: string[];
    readonly edges: string[];
    /** Postgres primaries and read replicas, for the replication edges between regions. */
    readonly primaries: string[];
    readonly replicas: string[];
}

function renderRegion(group: RegionGroup, id: string): RenderedRegion {
    const lines = [`${INDENT}subgraph ${id}["${escapeLabel(group.region)}"]`];
    const add = (nodeId: string, shape: Shape, label: string): string => {
        lines.push(`${INDENT}${INDENT}${node(nodeId, shape, label)}`);
        return nodeId;
    };
    const lbs = group.loadBalancers.map((lb, i) =>
        add(`${id}_lb${i}`, "box", isKubernetesObject(lb) ? serviceLoadBalancerLabel(lb) : loadBalancerLabel(lb)),
    );
    const proxyLabel = group.haproxy.some(isKubernetesObject) ? haproxyDeploymentLabel(group.haproxy) : `HAProxy · ${countBySize(group.haproxy)}`;
    const proxy = group.haproxy.length > 0 ? add(`${id}_haproxy`, "box", proxyLabel) : undefined;
    // With Deployments drawn, the cluster is what they run on rather than what traffic reaches.
    const clusters = group.kubernetes.map((cluster, i) => add(`${id}_k8s${i}`, "box", kubernetesLabel(cluster)));
    const deployments = group.deployments.map((d, i) => add(`${id}_deploy${i}`, "box", deploymentLabel(d, group.autoscalers)));
    const compute = [
        ...(group.app.length > 0 ? [add(`${id}_app`, "box", `App replicas · ${countBySize(group.app)}`)] : []),
        ...(deployments.length > 0 ? deployments : clusters),
    ];
    const dataLabel = (db: PlannedResource) => (isKubernetesObject(db) ? statefulSetLabel(db) : databaseLabel(db));
    const primaries = group.postgres.map((db, i) => add(`${id}_pg${i}`, "cylinder", dataLabel(db)));
    const replicas = group.replicas.map((db, i) => add(`${id}_replica${i}`, "cylinder", `Postgres read replica · ${stringInput(db.inputs, "size") ?? "size unknown"}`));
    const stores = [
        ...primaries,
        ...replicas,
        ...(group.data.length > 0 ? [add(`${id}_data`, "cylinder", dataNodeLabel(group.data, group.volumes))] : []),
        ...group.caches.map((db, i) => add(`${id}_cache${i}`, "cylinder", dataLabel(db))),
    ];
    lines.push(`${INDENT}end`);

    const edges: string[] = [];
    const link = (from: string[], to: string[]) => from.forEach((a) => to.forEach((b) => edges.push(`${a} --> ${b}`)));
    const behindBalancers = proxy === undefined ? compute : [proxy];
    const frontDoors = lbs.length > 0 ? lbs : behindBalancers;
    if (lbs.length > 0) {
        link(lbs, behindBalancers);
    }
    if (proxy !== undefined) {
        link([proxy], compute);
    }
    link(compute, stores);
    if (deployments.length > 0) {
        deployments.forEach((d) => clusters.forEach((c) => edges.push(`${d} -.-> ${c}`)));
    }
    return { lines, frontDoors, edges, primaries, replicas };
}

const ENGINE_NAMES: Record<string, string> = { pg: "Postgres", valkey: "Valkey", redis: "Redis", mysql: "MySQL", mongodb: "MongoDB" };

function loadBalancerLabel(lb: PlannedResource): string {
    const kind = stringInput(lb.inputs, "type") === "REGIONAL_NETWORK" ? "Network load balancer" : "Load balancer";
    // DigitalOcean's default is one node; a value the cloud fills in later is shown as unknown.
    const sizeUnit = lb.inputs.sizeUnit === undefined ? 1 : numberInput(lb.inputs, "sizeUnit");
    const parts = [kind, sizeUnit === undefined ? "? nodes" : `${sizeUnit} ${sizeUnit === 1 ? "node" : "nodes"}`];
    const check = isRecord(lb.inputs.healthcheck) ? lb.inputs.healthcheck : undefined;
    if (check !== undefined) {
        const protocol = stringInput(check, "protocol") ?? "http";
        const target = protocol === "tcp" ? `:${numberInput(check, "port") ?? "?"}` : (stringInput(check, "path") ?? "/");
        parts.push(`check ${protocol.toUpperCase()} ${target}`);
    }
    return parts.join(" · ");
}

function databaseLabel(db: PlannedResource): string {
    const slug = stringInput(db.inputs, "engine") ?? "database";
    const engine = ENGINE_NAMES[slug] ?? slug;
    const version = stringInput(db.inputs, "version");
    const size = stringInput(db.inputs, "size") ?? "size unknown";
    const nodes = numberInput(db.inputs, "nodeCount") ?? 1;
    return `${engine}${version === undefined ? "" : ` ${version}`} (managed) · ${size} x${nodes}`;
}

function dataNodeLabel(droplets: PlannedResource[], volumes: PlannedResource[]): string {
    const parts = [`Data droplet (containers) · ${countBySize(droplets)}`];
    const gib = volumes.reduce((sum, v) => sum + (numberInput(v.inputs, "size") ?? 0), 0);
    if (volumes.length > 0) {
        parts.push(`${gib} GiB volume`);
    }
    return parts.join(" · ");
}

function kubernetesLabel(cluster: PlannedResource): string {
    const pool = isRecord(cluster.inputs.nodePool) ? cluster.inputs.nodePool : {};
    const size = stringInput(pool, "size") ?? "size unknown";
    const min = numberInput(pool, "minNodes");
    const max = numberInput(pool, "maxNodes");
    const count = numberInput(pool, "nodeCount") ?? (min !== undefined && max !== undefined && max !== min ? `${min}-${max}` : min);
    return `Kubernetes · ${count === undefined ? "?" : count} x ${size}${cluster.inputs.ha === true ? " · HA" : ""}`;
}

/** "3 x s-1vcpu-2gb", or "2 x s-1vcpu-2gb + 1 x s-2vcpu-4gb" while sizes are mixed. */
function countBySize(droplets: PlannedResource[]): string {
    const counts = new Map<string, number>();
    for (const d of droplets) {
        const size = stringInput(d.inputs, "size") ?? "size unknown";
        counts.set(size, (counts.get(size) ?? 0) + 1);
    }
    return [...counts].map(([size, count]) => `${count} x ${size}`).join(" + ");
}

type Shape = "box" | "round" | "cylinder";

function node(id: string, shape: Shape, label: string): string {
    const text = `"${escapeLabel(label)}"`;
    switch (shape) {
        case "box":
            return `${id}[${text}]`;
        case "round":
            return `${id}(${text})`;
        case "cylinder":
            return `${id}[(${text})]`;
    }
}

/** Mermaid entity codes for the characters that end or confuse a quoted label; `#` first, since the codes use it. */
export function escapeLabel(text: string): string {
    return text.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/[\r\n]+/g, " ");
}
