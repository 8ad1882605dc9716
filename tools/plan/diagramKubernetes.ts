import { K8S_TYPES } from "./adapters/kubernetes";
import { isRecord } from "./adapters/types";
import type { PlannedResource } from "./inventory";

/**
 * Where the diagram puts horizon's Kubernetes objects: in the region its `horizon/region`
 * label names (the cluster's DigitalOcean region), by its `horizon/role` label, never by name.
 */

const ROLE_LABEL = "horizon/role";
const REGION_LABEL = "horizon/region";
const LB_ANNOTATION = "service.beta.kubernetes.io/do-loadbalancer-";

export type KubernetesSlot = "loadBalancers" | "haproxy" | "deployments" | "postgres" | "caches" | "autoscalers";

function metadataOf(r: Pick<PlannedResource, "inputs">): Record<string, unknown> {
    return isRecord(r.inputs.metadata) ? r.inputs.metadata : {};
}

function labelsOf(r: Pick<PlannedResource, "inputs">): Record<string, unknown> {
    const labels = metadataOf(r).labels;
    return isRecord(labels) ? labels : {};
}

function specOf(r: Pick<PlannedResource, "inputs">): Record<string, unknown> {
    return isRecord(r.inputs.spec) ? r.inputs.spec : {};
}

/** The region and diagram slot of a Kubernetes object, or undefined for what the diagram leaves out. */
export function kubernetesPlacement(r: PlannedResource): { region: string; slot: KubernetesSlot } | undefined {
    const labels = labelsOf(r);
    const region = typeof labels[REGION_LABEL] === "string" ? String(labels[REGION_LABEL]) : undefined;
    if (region === undefined) {
        return undefined;
    }
    const role = labels[ROLE_LABEL];
    switch (r.type) {
        case K8S_TYPES.service:
            return specOf(r).type === "LoadBalancer" ? { region, slot: "loadBalancers" } : undefined;
        case K8S_TYPES.deployment:
            return { region, slot: role === "haproxy" ? "haproxy" : "deployments" };
        case K8S_TYPES.statefulSet:
            return role === "database" ? { region, slot: "postgres" } : role === "cache" ? { region, slot: "caches" } : undefined;
        case K8S_TYPES.autoscaler:
            return { region, slot: "autoscalers" };
        default:
            return undefined;
    }
}

export function isKubernetesObject(r: Pick<PlannedResource, "type">): boolean {
    return r.type.startsWith("kubernetes:");
}

/** "Load balancer (Service) · 2 nodes · check HTTP /health". */
export function serviceLoadBalancerLabel(service: PlannedResource): string {
    const annotations = isRecord(metadataOf(service).annotations) ? (metadataOf(service).annotations as Record<string, unknown>) : {};
    const type = annotations[`${LB_ANNOTATION}type`] === "REGIONAL" ? "Load balancer" : "Network load balancer";
    const units = Number(annotations[`${LB_ANNOTATION}size-unit`] ?? 1);
    const protocol = String(annotations[`${LB_ANNOTATION}healthcheck-protocol`] ?? "tcp");
    const target = protocol === "tcp" ? `:${String(annotations[`${LB_ANNOTATION}healthcheck-port`] ?? "?")}` : String(annotations[`${LB_ANNOTATION}healthcheck-path`] ?? "/");
    return `${type} (Service) · ${units} ${units === 1 ? "node" : "nodes"} · check ${protocol.toUpperCase()} ${target}`;
}

/** "Deployment hits · HPA 3-12 pods" or "Deployment hits · 3 pods". */
export function deploymentLabel(deployment: PlannedResource, autoscalers: readonly PlannedResource[]): string {
    const name = String(metadataOf(deployment).name ?? deployment.name);
    const hpa = autoscalers.find((a) => {
        const target = specOf(a).scaleTargetRef;
        return isRecord(target) && target.name === name && metadataOf(a).namespace === metadataOf(deployment).namespace;
    });
    const pods = hpa
        ? `HPA ${String(specOf(hpa).minReplicas ?? 1)}-${String(specOf(hpa).maxReplicas)} pods`
        : `${String(specOf(deployment).replicas ?? 1)} ${specOf(deployment).replicas === 1 ? "pod" : "pods"}`;
    return `Deployment ${name} · ${pods}`;
}

/** "HAProxy (Deployment) · 2 pods". */
export function haproxyDeploymentLabel(deployments: readonly PlannedResource[]): string {
    const pods = deployments.reduce((sum, d) => sum + Number(specOf(d).replicas ?? 1), 0);
    return `HAProxy (Deployment) · ${pods} ${pods === 1 ? "pod" : "pods"}`;
}

/** "Postgres (StatefulSet) · 10 GiB volume". */
export function statefulSetLabel(set: PlannedResource): string {
    const role = labelsOf(set)[ROLE_LABEL];
    const claims = specOf(set).volumeClaimTemplates;
    const first = Array.isArray(claims) && isRecord(claims[0]) && isRecord(claims[0].spec) ? claims[0].spec : {};
    const requests = isRecord(first.resources) && isRecord(first.resources.requests) ? first.resources.requests : {};
    const storage = typeof requests.storage === "string" ? requests.storage.replace(/Gi$/, " GiB") : "?";
    return `${role === "cache" ? "Valkey" : "Postgres"} (StatefulSet) · ${storage} volume`;
}
