import { createHash } from "node:crypto";

/**
 * Labels and small value conversions shared by horizon's Kubernetes components. Label keys
 * follow the recommended `app.kubernetes.io/*` set; `horizon/role` carries the role the plan,
 * diagram and policy read (Kubernetes label values cannot hold the `:` of the
 * `horizon:role:<role>` tags used on DigitalOcean).
 */

export const ROLE_LABEL = "horizon/role";
/** The DigitalOcean region slug of the cluster an object runs in, which the plan's diagram groups by. */
export const REGION_LABEL = "horizon/region";
export type KubernetesRole = "app" | "haproxy" | "database" | "cache" | "balancer";

export interface WorkloadLabels {
    /** On every object: name, instance, component, part-of, managed-by and role. */
    readonly labels: Record<string, string>;
    /** The immutable subset a Deployment or StatefulSet selects its pods by. */
    readonly selector: Record<string, string>;
}

/**
 * `instance` tells two stacks of the same app apart in one cluster; `component` tells the
 * workloads of one app apart.
 */
export function workloadLabels(app: string, instance: string, component: string, role: KubernetesRole, region?: string): WorkloadLabels {
    const selector = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
    };
    return {
        selector,
        labels: {
            ...selector,
            "app.kubernetes.io/part-of": app,
            "app.kubernetes.io/managed-by": "horizon",
            [ROLE_LABEL]: role,
            ...(region !== undefined ? { [REGION_LABEL]: region } : {}),
        },
    };
}

/** CPUs as a Kubernetes quantity in millicores (`0.25` -> `250m`). */
export function cpuQuantity(cpus: number): string {
    return `${Math.round(cpus * 1000)}m`;
}

/** Megabytes as a Kubernetes quantity in mebibytes, as Docker's `--memory` reads MB. */
export function memoryQuantity(mb: number): string {
    return `${mb}Mi`;
}

/**
 * A digest of values that live in a Secret, put on the pod template so that changing a secret
 * rolls the pods (a Deployment does not restart pods when a Secret they read changes).
 */
export function checksum(values: Readonly<Record<string, string>>): string {
    const sorted = Object.keys(values)
        .sort()
        .map((key) => [key, values[key]]);
    return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
}
