import type { StackSpec } from "../../components/config";
import type { PlannedResource } from "./inventory";
import { DO_TYPES, isRecord, stringInput } from "./cost";

type Droplets = Extract<StackSpec, { platform: "droplets" }>;

/** A stack that spans regions: one primary database, replicas, peerings and a GLOBAL balancer. */
function isGeo(spec: StackSpec): spec is Droplets {
    return spec.platform === "droplets" && spec.regions.length > 1;
}

function primaryOf(spec: Droplets) {
    return spec.regions.find((r) => r.name === spec.database.primaryRegion) ?? spec.regions[0];
}

/** The region's Postgres line when the stack spans regions: the primary, or a replica of it. */
export function geoPostgresLine(spec: StackSpec, regionName: string): string | undefined {
    if (!isGeo(spec) || spec.database.mode !== "managed") {
        return undefined;
    }
    const primary = primaryOf(spec);
    const { version, size, nodes } = spec.database;
    if (regionName === primary.name) {
        return `primary: managed pg ${version}, ${size} x ${nodes} node${nodes > 1 ? "s" : ""}${spec.protect ? ", protected" : ""}; writes from every region`;
    }
    const writes = spec.database.crossRegionWrites === "public" ? "public address, TLS" : "peered VPCs";
    return `read replica of ${primary.name} (${primary.region}), ${size}; writes go to the primary over ${writes}`;
}

/** Lines for what spans the regions, from what the program registered. */
export function renderGeoSummary(spec: StackSpec, resources: readonly PlannedResource[]): string[] {
    if (!isGeo(spec)) {
        return [];
    }
    const lines = ["across regions"];
    for (const glb of resources.filter((r) => r.type === DO_TYPES.loadBalancer && r.inputs.type === "GLOBAL")) {
        const settings = isRecord(glb.inputs.glbSettings) ? glb.inputs.glbSettings : {};
        const priorities = isRecord(settings.regionPriorities) ? Object.entries(settings.regionPriorities).sort((a, b) => Number(a[1]) - Number(b[1])) : [];
        const order = priorities.length > 0 ? `priorities ${priorities.map(([slug, p]) => `${slug} ${String(p)}`).join(", ")}` : "no region priorities";
        const threshold = settings.failoverThreshold !== undefined ? `, failover at ${String(settings.failoverThreshold)} % failing` : "";
        const domains = Array.isArray(glb.inputs.domains) ? glb.inputs.domains.map((d) => (isRecord(d) ? stringInput(d, "name") : undefined)).filter((d) => d !== undefined) : [];
        const targets = Array.isArray(glb.inputs.targetLoadBalancerIds) ? glb.inputs.targetLoadBalancerIds.length : 0;
        const cdn = isRecord(settings.cdn) && settings.cdn.isEnabled === true ? ", CDN on" : "";
        lines.push(
            `  global lb      ${domains.length > 0 ? domains.join(", ") : "no names (http)"} -> ${targets} regional load balancers over ${stringInput(settings, "targetProtocol") ?? "?"}; ${order}${threshold}${cdn}`,
        );
    }
    const replicas = resources.filter((r) => r.type === DO_TYPES.databaseReplica).length;
    if (spec.database.mode === "managed") {
        const primary = primaryOf(spec);
        lines.push(`  postgres       primary in ${primary.name} (${primary.region}), ${replicas} read replica${replicas === 1 ? "" : "s"}`);
    }
    lines.push(`  vpc peerings   ${resources.filter((r) => r.type === DO_TYPES.vpcPeering).length} (every pair of regions)`);
    lines.push("");
    return lines;
}
