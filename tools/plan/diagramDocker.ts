import type { PlannedResource } from "./inventory";

const CONTAINER = "docker:index/container:Container";
const INDENT = "    ";

/** A container's `horizon:role` label (docker labels are `{ label, value }` pairs). */
function role(container: PlannedResource): string | undefined {
    const labels = Array.isArray(container.inputs.labels) ? (container.inputs.labels as { label?: unknown; value?: unknown }[]) : [];
    const found = labels.find((l) => l.label === "horizon:role");
    return typeof found?.value === "string" ? found.value : undefined;
}

/**
 * The Docker platform's containers as one subgraph per Docker host: the HAProxy container that
 * takes the traffic, the app replicas (one node, counted), and the Postgres and Valkey
 * containers, with the request path between them. Roles come from the `horizon:role` label.
 */
export function renderDockerHost(resources: readonly PlannedResource[]): { lines: string[]; frontDoors: string[]; edges: string[] } {
    const containers = resources.filter((r) => r.type === CONTAINER);
    if (containers.length === 0) {
        return { lines: [], frontDoors: [], edges: [] };
    }
    const byRole = (wanted: string) => containers.filter((c) => role(c) === wanted);
    const lines = [`${INDENT}subgraph docker["Docker host"]`];
    const add = (id: string, shape: string) => {
        lines.push(`${INDENT}${INDENT}${id}${shape}`);
        return id;
    };
    const balancer = byRole("balancer").length > 0 ? add("docker_lb", '["HAProxy container"]') : undefined;
    const app = byRole("app").length > 0 ? add("docker_app", `["App replicas · ${byRole("app").length} containers"]`) : undefined;
    const stores = [
        ...(byRole("database").length > 0 ? [add("docker_pg", '[("Postgres container · volume")]')] : []),
        ...(byRole("cache").length > 0 ? [add("docker_cache", '[("Valkey container · volume")]')] : []),
    ];
    lines.push(`${INDENT}end`);
    const edges = [
        ...(balancer !== undefined && app !== undefined ? [`${balancer} --> ${app}`] : []),
        ...(app !== undefined ? stores.map((store) => `${app} --> ${store}`) : []),
    ];
    return { lines, frontDoors: balancer !== undefined ? [balancer] : app !== undefined ? [app] : [], edges };
}
