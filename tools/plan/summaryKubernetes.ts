import type { KubernetesSpec } from "../../components/core/spec";
import type { PlannedResource } from "./inventory";

/**
 * The summary's lines for one region of platform kubernetes: the cluster and its node pool,
 * the Deployment with its autoscaler range and rollout, the load balancer the Service makes,
 * the health check, and the data services.
 */
export function kubernetesRegionLines(
    spec: KubernetesSpec,
    region: KubernetesSpec["regions"][number],
    regional: readonly PlannedResource[],
    describeData: (kind: "postgres" | "cache") => string,
): string[] {
    const cluster = spec.kubernetes.cluster;
    const lb = spec.loadBalancer;
    const hc = spec.app.healthCheck;
    const resources = spec.app.resources;
    const lines = [`region ${region.name} (${region.region})`];
    if (cluster.mode === "doks") {
        const window = cluster.autoUpgrade ? `auto-upgrade ${cluster.maintenanceWindow.day} ${cluster.maintenanceWindow.startTime} UTC` : "no auto-upgrade";
        lines.push(
            `  cluster        DOKS ${cluster.version}.x${cluster.ha ? ", HA control plane" : ""}, ${window}${cluster.surgeUpgrade ? ", surge upgrades" : ""}, pods ${cluster.clusterSubnet}, services ${cluster.serviceSubnet}`,
        );
        lines.push(`  node pool      ${cluster.nodePool.minNodes}-${cluster.nodePool.maxNodes} x ${cluster.nodePool.size} (cluster autoscaler)`);
    } else {
        lines.push(`  cluster        existing, ${cluster.context !== undefined ? `kubeconfig context ${cluster.context}` : "kubeconfig from the stack (secret)"}`);
    }
    const scale = spec.autoscaling
        ? `HPA ${spec.autoscaling.minReplicas}-${spec.autoscaling.maxReplicas} pods at ${spec.autoscaling.cpuPercent}% CPU`
        : `${region.replicas} pods`;
    const size = resources ? `, ${resources.cpu ?? "default"} CPU / ${resources.memoryMb ?? "default"} MB each` : "";
    const rollout =
        spec.app.deploymentStrategy === "replace"
            ? "recreate"
            : `rolling (maxSurge ${spec.app.maxSurge}, maxUnavailable 0, min ready ${spec.app.minReadySeconds} s)`;
    lines.push(`  deployment     ${spec.app.name} in namespace ${spec.kubernetes.namespace ?? spec.app.name}: ${scale}${size}, ${rollout}`);
    const balancer =
        lb.algorithm === "round_robin"
            ? `Service type LoadBalancer (regional, round robin), ${lb.sizeUnit} size unit${lb.sizeUnit > 1 ? "s" : ""}`
            : `Service type LoadBalancer -> in-cluster HAProxy (${lb.algorithm}, DNS discovery), ${lb.sizeUnit} size unit${lb.sizeUnit > 1 ? "s" : ""}`;
    const https = lb.https ? `https ${lb.https.domains.join(", ")}${lb.https.redirectHttp ? " (http redirects)" : ""}` : "http only";
    lines.push(`  load balancer  ${balancer}, ${https}${lb.stickySessions ? `, sticky cookie ${lb.stickySessions.cookieName}` : ""}`);
    lines.push(
        `  health check   ${hc.protocol.toUpperCase()} ${hc.protocol === "tcp" ? "" : `${hc.path} `}on :${hc.port ?? spec.app.port} every ${hc.intervalSeconds} s, timeout ${hc.timeoutSeconds} s, in after ${hc.healthyThreshold} ok, out after ${hc.unhealthyThreshold} failed (probes and load balancer)`,
    );
    const trust = cluster.mode === "doks" || cluster.doksClusterId !== undefined ? ", firewall trusts the cluster" : "";
    const data = (kind: "postgres" | "cache") => {
        const mode = kind === "postgres" ? spec.database.mode : spec.cache.mode;
        return mode === "container" ? `${kind === "postgres" ? "pg" : "valkey"} StatefulSet with a ${spec.database.volumeSizeGb} GiB volume` : `${describeData(kind)}${mode === "managed" ? trust : ""}`;
    };
    lines.push(`  postgres       ${data("postgres")}`);
    lines.push(`  cache          ${data("cache")}`);
    const records = regional
        .filter((r) => r.type === "digitalocean:index/dnsRecord:DnsRecord")
        .map((r) => (r.inputs.name === "@" ? String(r.inputs.domain) : `${String(r.inputs.name)}.${String(r.inputs.domain)}`));
    if (records.length > 0) {
        lines.push(`  dns            ${records.join(", ")} -> load balancer`);
    }
    lines.push(`  resources      ${regional.length}`);
    lines.push("");
    return lines;
}
