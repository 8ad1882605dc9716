import type { PlannedResource } from "../inventory";
import type { PriceTable } from "../prices";
import { hashName, isRecord, type PlanAdapter, type Pricing } from "./types";

/** Kubernetes type tokens the plan tools look at. */
export const K8S_TYPES = {
    namespace: "kubernetes:core/v1:Namespace",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    persistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    disruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    autoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    provider: "pulumi:providers:kubernetes",
} as const;

const METADATA = ["metadata.name", "metadata.namespace"];

/**
 * Input paths whose change makes the Kubernetes provider replace the object instead of
 * patching it: pulumi/pulumi-kubernetes provider/pkg/provider/forcenew.go (`forceNew`,
 * `metadataForceNewProperties`). A change anywhere under a listed path counts. Secrets and
 * ConfigMaps are also replaced on a data change unless the provider sets
 * `enableSecretMutable` / `enableConfigMapMutable`; horizon's provider sets both.
 */
const REPLACEMENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
    [K8S_TYPES.namespace]: METADATA,
    [K8S_TYPES.service]: [...METADATA, "spec.clusterIP"],
    [K8S_TYPES.secret]: [...METADATA, "type"],
    [K8S_TYPES.configMap]: METADATA,
    [K8S_TYPES.persistentVolumeClaim]: [...METADATA, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    [K8S_TYPES.deployment]: [...METADATA, "spec.selector"],
    [K8S_TYPES.statefulSet]: [
        ...METADATA,
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ],
    [K8S_TYPES.disruptionBudget]: METADATA,
    [K8S_TYPES.autoscaler]: METADATA,
    [K8S_TYPES.networkPolicy]: METADATA,
};

/** Kubernetes objects: what they cost (load balancers, volumes) and what they hold. */
export const kubernetesAdapter: PlanAdapter = {
    name: "kubernetes",
    handles: (type) => type.startsWith("kubernetes:") || type === K8S_TYPES.provider,
    replacementFields: (type) => REPLACEMENT_FIELDS[type] ?? METADATA,
    // Replacing a StatefulSet or a claim loses the volume's binding (and, unless retained, its data).
    isStateful: (resource) => resource.type === K8S_TYPES.statefulSet || resource.type === K8S_TYPES.persistentVolumeClaim,
    price: priceObject,
    mockOutputs,
};

const LB_ANNOTATION = "service.beta.kubernetes.io/do-loadbalancer-";

function annotationsOf(resource: Pick<PlannedResource, "inputs">): Record<string, unknown> {
    const metadata = resource.inputs.metadata;
    return isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : {};
}

function specOf(resource: Pick<PlannedResource, "inputs">): Record<string, unknown> {
    return isRecord(resource.inputs.spec) ? resource.inputs.spec : {};
}

/**
 * A Service of type LoadBalancer makes DigitalOcean's cloud controller manager create a load
 * balancer, billed like any other: per node (`size-unit`), at the HTTP price for REGIONAL and
 * the network price for REGIONAL_NETWORK, which is the CCM's default type. StatefulSet claims
 * become block storage volumes.
 */
function priceObject(resource: PlannedResource, prices: PriceTable): Pricing[] {
    if (resource.type === K8S_TYPES.service && specOf(resource).type === "LoadBalancer") {
        const annotations = annotationsOf(resource);
        const type = typeof annotations[`${LB_ANNOTATION}type`] === "string" ? String(annotations[`${LB_ANNOTATION}type`]) : "REGIONAL_NETWORK";
        const unitText = annotations[`${LB_ANNOTATION}size-unit`];
        const units = unitText === undefined ? 1 : Number(unitText);
        if (!Number.isInteger(units) || units < 1) {
            return [{ unpriced: `load balancer size-unit annotation ${JSON.stringify(unitText)} is not a whole number` }];
        }
        const network = type === "REGIONAL_NETWORK";
        const perNode = network ? prices.loadBalancers.regionalNetworkPerNodeUsd : prices.loadBalancers.regionalHttpPerNodeUsd;
        return [{ item: `${network ? "regional network" : "regional"} load balancer x${units} (from the Service)`, monthlyUsd: perNode * units }];
    }
    if (resource.type === K8S_TYPES.statefulSet) {
        const replicas = typeof specOf(resource).replicas === "number" ? Number(specOf(resource).replicas) : 1;
        const templates = specOf(resource).volumeClaimTemplates;
        return (Array.isArray(templates) ? templates : []).filter(isRecord).map((claim) => priceClaim(claim, replicas, prices));
    }
    if (resource.type === K8S_TYPES.persistentVolumeClaim) {
        return [priceClaim(resource.inputs, 1, prices)];
    }
    return [];
}

function priceClaim(claim: Record<string, unknown>, count: number, prices: PriceTable): Pricing {
    const spec = isRecord(claim.spec) ? claim.spec : {};
    const resources = isRecord(spec.resources) ? spec.resources : {};
    const requests = isRecord(resources.requests) ? resources.requests : {};
    const storage = typeof requests.storage === "string" ? /^(\d+)Gi$/.exec(requests.storage) : null;
    if (storage === null) {
        return { unpriced: `volume claim size ${JSON.stringify(requests.storage)} is not in whole GiB` };
    }
    const gib = Number(storage[1]) * count;
    return { item: `${gib} GiB volume (claim)`, monthlyUsd: gib * prices.volumes.perGibMonthUsd };
}

/** What the cluster computes: a LoadBalancer Service's address once the CCM has made one. */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === K8S_TYPES.service && isRecord(inputs.spec) && inputs.spec.type === "LoadBalancer") {
        const octet = (hashName(name) & 0xff) || 1;
        return { status: { loadBalancer: { ingress: [{ ip: `203.0.113.${octet}` }] } } };
    }
    return {};
}
