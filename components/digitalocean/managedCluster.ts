import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { type Transform, transformChild } from "../transform";

/** Where a managed database cluster lives and who may reach it; shared by Postgres and Cache. */
export interface ManagedClusterArgs {
    readonly region: pulumi.Input<string>;
    /** The VPC the cluster joins (`privateNetworkUuid`); changing it replaces the cluster. */
    readonly vpcUuid: pulumi.Input<string>;
    /** Droplets with this tag (or these tags), and only they, may connect. */
    readonly trustedTag: pulumi.Input<string> | readonly pulumi.Input<string>[];
    /** Node size slug. @default "db-s-1vcpu-1gb" */
    readonly size?: pulumi.Input<string>;
    /** Nodes in the cluster. @default 1 */
    readonly nodes?: pulumi.Input<number>;
    /** `protect` and `retainOnDelete` on the cluster. @default false */
    readonly protect?: boolean;
    /** @default [] */
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Fields that replace a database cluster when changed: ForceNew in terraform-provider-digitalocean
 * v2.99.1 (database/resource_database_cluster.go: name, engine, private_network_uuid,
 * project_id). A new `region` migrates the cluster in place (`Databases.Migrate`), and version
 * and size change in place too. The plan calls out any change to these.
 */
export const CLUSTER_REPLACEMENT_FIELDS = ["engine", "name", "privateNetworkUuid", "projectId"] as const;

/** Cluster outputs that carry credentials. */
export const CLUSTER_SECRET_OUTPUTS = ["password", "uri", "privateUri"];

/** A database firewall whose only rules trust droplets with `trustedTag` (one rule per tag). */
export function createDatabaseFirewall(
    name: string,
    cluster: digitalocean.DatabaseCluster,
    trustedTag: pulumi.Input<string> | readonly pulumi.Input<string>[],
    parent: pulumi.Resource,
    transform: Transform<digitalocean.DatabaseFirewallArgs> | undefined,
): digitalocean.DatabaseFirewall {
    const [fwArgs, fwOpts] = transformChild<digitalocean.DatabaseFirewallArgs, pulumi.CustomResourceOptions>(
        { clusterId: cluster.id, rules: (Array.isArray(trustedTag) ? [...trustedTag] : [trustedTag]).map((value) => ({ type: "tag", value })) },
        { parent },
        transform,
    );
    return new digitalocean.DatabaseFirewall(name, fwArgs, fwOpts);
}
