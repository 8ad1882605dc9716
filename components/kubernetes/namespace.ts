import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";

export interface NamespaceArgs {
    /** The namespace's name. */
    readonly name: string;
    /** Labels on the namespace. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    readonly transform?: {
        readonly namespace?: Transform<k8s.core.v1.NamespaceArgs>;
        readonly denyIngress?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    };
}

/**
 * The namespace every object of the app lives in: Pod Security `restricted` enforced, and a
 * NetworkPolicy that denies all ingress, so each workload admits only what its own policy
 * names (the balancer path to the app, the app to its data services).
 */
export class Namespace extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly denyIngress: k8s.networking.v1.NetworkPolicy;
    /** The namespace's name, known once it exists (children wait for it). */
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: NamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:kubernetes:Namespace", name, {}, opts);
        const [nsArgs, nsOpts] = transformChild<k8s.core.v1.NamespaceArgs, pulumi.CustomResourceOptions>(
            {
                metadata: {
                    name: args.name,
                    labels: {
                        ...args.labels,
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            { parent: this },
            args.transform?.namespace,
        );
        this.namespace = new k8s.core.v1.Namespace(childName(name, "namespace"), nsArgs, nsOpts);
        this.name = this.namespace.metadata.name;
        const [denyArgs, denyOpts] = transformChild<k8s.networking.v1.NetworkPolicyArgs, pulumi.CustomResourceOptions>(
            {
                metadata: { name: "deny-ingress", namespace: this.name, labels: { ...args.labels } },
                spec: { podSelector: {}, policyTypes: ["Ingress"] },
            },
            { parent: this },
            args.transform?.denyIngress,
        );
        this.denyIngress = new k8s.networking.v1.NetworkPolicy(childName(name, "deny-ingress"), denyArgs, denyOpts);
        this.registerOutputs({ namespace: this.namespace, denyIngress: this.denyIngress, name: this.name });
    }
}
