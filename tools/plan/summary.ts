import type { StackSpec } from "../../components/config";
import { waveSize, waves } from "../../components/core/rollout";
import type { CostReport, PlannedResource } from "./inventory";
import { formatUsd as usd } from "./markdown";
import { geoPostgresLine, renderGeoSummary } from "./summaryGeo";
import { kubernetesRegionLines } from "./summaryKubernetes";


/** Cloud resources by short type name; horizon's own components are counted apart. */
function countByType(resources: readonly PlannedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources.filter((x) => !x.type.startsWith("horizon:"))) {
        const short = r.type.split(":").pop() ?? r.type;
        counts.set(short, (counts.get(short) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function describeData(kind: "postgres" | "cache", spec: StackSpec, protect: boolean): string {
    const data = kind === "postgres" ? spec.database : spec.cache;
    const engine = kind === "postgres" ? "pg" : "valkey";
    const guarded = protect ? ", protected" : "";
    switch (data.mode) {
        case "managed":
            return `managed ${engine} ${data.version}, ${data.size} x ${data.nodes} node${data.nodes > 1 ? "s" : ""}${guarded}`;
        case "container":
            return `${engine} ${data.version} container on the region's data droplet (volume ${spec.database.volumeSizeGb} GiB)${guarded}`;
        default:
            return "none";
    }
}

/** The human summary `npm run plan -- --stack <name>` prints. */
export function renderSummary(
    stack: string,
    spec: StackSpec,
    resources: readonly PlannedResource[],
    cost: CostReport,
    warnings: readonly string[],
): string {
    const lines: string[] = [`horizon plan: stack ${stack} (platform ${spec.platform}, app ${spec.app.name}, image ${spec.app.image})`, ""];
    const hc = spec.app.healthCheck;
    // Other platforms register nothing yet; their stacks show the totals only.
    const droplets = spec.platform === "droplets" && resources.length > 0 ? spec : undefined;
    const lb = droplets?.loadBalancer;
    for (const region of droplets?.regions ?? []) {
        if (lb === undefined) {
            break;
        }
        const regional = resources.filter((r) => r.name.startsWith(`${spec.app.name}-${region.name}-`));
        const gates = regional.filter((r) => r.type.endsWith(":HealthGate")).length;
        const rollout =
            spec.app.deploymentStrategy === "replace"
                ? "replace (delete before create)"
                : gates > 0
                  ? `rolling in ${waves(region.replicas, waveSize(region.replicas, spec.app.maxSurge)).length} health-gated waves of up to ${waveSize(region.replicas, spec.app.maxSurge)} (min ready ${spec.app.minReadySeconds} s)`
                  : "rolling, ungated";
        const balancer =
            lb.algorithm === "round_robin"
                ? `managed (round robin), ${lb.sizeUnit} size unit${lb.sizeUnit > 1 ? "s" : ""}`
                : `managed -> HAProxy tier (${lb.algorithm}, ${lb.haproxy.nodes} x ${lb.haproxy.size})`;
        const https = lb.https ? `https ${lb.https.domains.join(", ")}${lb.https.redirectHttp ? " (http redirects)" : ""}` : "http only";
        lines.push(`region ${region.name} (${region.region})`);
        lines.push(`  replicas       ${region.replicas} x ${region.size}, ${rollout}`);
        lines.push(`  load balancer  ${balancer}, ${https}${lb.stickySessions ? `, sticky cookie ${lb.stickySessions.cookieName}` : ""}`);
        lines.push(
            `  health check   ${hc.protocol.toUpperCase()} ${hc.protocol === "tcp" ? "" : `${hc.path} `}on :${hc.port ?? spec.app.port} every ${hc.intervalSeconds} s, timeout ${hc.timeoutSeconds} s, in after ${hc.healthyThreshold} ok, out after ${hc.unhealthyThreshold} failed`,
        );
        lines.push(`  postgres       ${geoPostgresLine(spec, region.name) ?? describeData("postgres", spec, spec.protect)}`);
        lines.push(`  cache          ${describeData("cache", spec, spec.protect)}`);
        const records = regional
            .filter((r) => r.type === "digitalocean:index/dnsRecord:DnsRecord")
            .map((r) => (r.inputs.name === "@" ? String(r.inputs.domain) : `${String(r.inputs.name)}.${String(r.inputs.domain)}`));
        if (records.length > 0) {
            lines.push(`  dns            ${records.join(", ")} -> load balancer`);
        }
        lines.push(`  resources      ${regional.length} of the stack's ${resources.length}`);
        lines.push("");
    }
    lines.push(...(droplets !== undefined ? renderGeoSummary(spec, resources) : []));
    if (spec.platform === "kubernetes" && resources.length > 0) {
        for (const region of spec.regions) {
            const regional = resources.filter((r) => r.name.startsWith(`${spec.app.name}-${region.name}-`));
            lines.push(...kubernetesRegionLines(spec, region, regional, (kind) => describeData(kind, spec, spec.protect)));
        }
    }
    if (spec.platform === "docker" && resources.length > 0) {
        const docker = spec.docker;
        for (const region of spec.regions) {
            lines.push(`region ${region.name} (Docker host ${docker.host ?? "from DOCKER_HOST, else the local socket"})`);
            lines.push(`  replicas       ${region.replicas} containers of ${spec.app.image}, rolling, each wave gated on HAProxy's stats`);
            lines.push(`  load balancer  HAProxy container (${spec.loadBalancer.algorithm}), published on ${docker.publish}, replicas found through Docker's DNS`);
            lines.push(`  postgres       ${spec.database.mode === "none" ? "none" : `container ${docker.images.postgres ?? `postgres:${spec.database.version}`} with a named volume`}`);
            lines.push(`  cache          ${spec.cache.mode === "none" ? "none" : `container ${docker.images.valkey ?? `valkey/valkey:${spec.cache.version}`} with a named volume`}`);
            lines.push("");
        }
    }
    const components = resources.filter((r) => r.type.startsWith("horizon:")).length;
    const cloud = countByType(resources);
    lines.push(
        // One count everywhere (region lines, this line, the markdown): every registered resource, components included.
        `resources: ${resources.length} (${resources.length - components} cloud resources in ${components} components${cloud.length > 0 ? `: ${cloud.map(([t, n]) => `${t} ${n}`).join(", ")}` : ""})`,
    );
    const protectedNames = resources.filter((r) => r.options.protect).map((r) => r.name);
    lines.push(`protected: ${protectedNames.length > 0 ? protectedNames.join(", ") : "none (pulumi destroy removes everything)"}`);
    lines.push("");
    const incomplete = cost.unpriced.length > 0 ? `; incomplete: ${cost.unpriced.length} resource${cost.unpriced.length === 1 ? "" : "s"} not priced, see warnings` : "";
    lines.push(`monthly cost: ${usd(cost.monthlyUsd)} (list prices as of ${cost.pricesAsOf}; usage-based charges excluded${incomplete})`);
    const groups = new Map<string, { count: number; cents: number }>();
    for (const line of cost.lines) {
        const key = `${line.type.split(":").pop()} ${line.item}`;
        const group = groups.get(key) ?? { count: 0, cents: 0 };
        group.count++;
        group.cents += Math.round(line.monthlyUsd * 100);
        groups.set(key, group);
    }
    for (const [key, group] of groups) {
        lines.push(`  ${usd(group.cents / 100).padStart(11)}  ${group.count} x ${key}`);
    }
    if (warnings.length > 0) {
        lines.push("");
        lines.push("warnings:");
        lines.push(...warnings.map((w) => `  - ${w}`));
    }
    return lines.join("\n");
}
