import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import type { WorkloadLabels } from "./labels";

/**
 * The objects around a workload's pods that the app, HAProxy and data-service components all
 * create the same way: names, the ingress NetworkPolicy and the PodDisruptionBudget.
 */

/** Where a workload's objects live, and how they are named and labelled. */
export interface Workload {
    readonly namespace: pulumi.Input<string>;
    /** The workload's object name; its other objects are `<objectName>-<suffix>`. */
    readonly objectName: string;
    readonly labels: WorkloadLabels;
}

/** Metadata for the workload's object `<objectName>-<suffix>` (the bare name for suffix ""). */
export function workloadMetadata(workload: Workload, suffix: string): { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> } {
    return {
        name: suffix === "" ? workload.objectName : `${workload.objectName}-${suffix}`,
        namespace: workload.namespace,
        labels: { ...workload.labels.labels },
    };
}

/** Admits TCP `ports` on the workload's pods from `from`, or from anywhere when `from` is empty. */
export function ingressPolicy(
    name: string,
    workload: Workload,
    ports: readonly number[],
    from: readonly k8s.types.input.networking.v1.NetworkPolicyPeer[],
    parent: pulumi.Resource,
    transform?: Transform<k8s.networking.v1.NetworkPolicyArgs, pulumi.CustomResourceOptions>,
): k8s.networking.v1.NetworkPolicy {
    const [policyArgs, policyOpts] = transformChild<k8s.networking.v1.NetworkPolicyArgs, pulumi.CustomResourceOptions>(
        {
            metadata: workloadMetadata(workload, "ingress"),
            spec: {
                podSelector: { matchLabels: { ...workload.labels.selector } },
                policyTypes: ["Ingress"],
                ingress: [{ ports: ports.map((port) => ({ port, protocol: "TCP" })), ...(from.length > 0 ? { from: [...from] } : {}) }],
            },
        },
        { parent },
        transform,
    );
    return new k8s.networking.v1.NetworkPolicy(childName(name, "ingress"), policyArgs, policyOpts);
}

/**
 * A node drain (upgrade, autoscaler) takes one of the workload's pods at a time, and a pod that
 * is not ready (it serves nothing) never blocks the drain.
 */
export function disruptionBudget(
    name: string,
    workload: Workload,
    parent: pulumi.Resource,
    transform?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs, pulumi.CustomResourceOptions>,
): k8s.policy.v1.PodDisruptionBudget {
    const [pdbArgs, pdbOpts] = transformChild<k8s.policy.v1.PodDisruptionBudgetArgs, pulumi.CustomResourceOptions>(
        {
            metadata: workloadMetadata(workload, "pdb"),
            spec: { maxUnavailable: 1, selector: { matchLabels: { ...workload.labels.selector } }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        },
        { parent },
        transform,
    );
    return new k8s.policy.v1.PodDisruptionBudget(childName(name, "pdb"), pdbArgs, pdbOpts);
}
