import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DATABASE } from "../core/spec";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import { CLUSTER_SECRET_OUTPUTS } from "./managedCluster";

export interface ReadReplicaArgs {
    /** The primary cluster's id. */
    readonly clusterId: pulumi.Input<string>;
    /** DigitalOcean region slug of the replica. */
    readonly region: pulumi.Input<string>;
    /** The region's VPC; changing it replaces the replica. */
    readonly vpcUuid: pulumi.Input<string>;
    /** Node size slug; DigitalOcean requires at least the primary's node size. @default "db-s-1vcpu-1gb" */
    readonly size?: pulumi.Input<string>;
    /** Droplets with this tag, and only they, may connect. */
    readonly trustedTag: pulumi.Input<string>;
    /** The app's database on the primary, which the replica copies. @default "app" */
    readonly databaseName?: string;
    /** The app's user on the primary, and its password (a secret). */
    readonly user: { readonly name: pulumi.Input<string>; readonly password: pulumi.Input<string> };
    /** Changing tags replaces the replica. @default [] */
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
    readonly transform?: {
        readonly replica?: Transform<digitalocean.DatabaseReplicaArgs>;
        readonly firewall?: Transform<digitalocean.DatabaseFirewallArgs>;
    };
}

/**
 * A read-only replica of a managed Postgres cluster in another region, on that region's VPC,
 * with its own firewall trusting the region's fleet. DigitalOcean replicates from the primary
 * over the public network with TLS ("Read-only nodes are replicas of a cluster's primary node
 * located in additional geographical regions", docs.digitalocean.com/products/databases/postgresql/how-to/add-read-only-nodes).
 *
 * The app gets `postgresql://<app user>@<replica private host>/<app database>`: the replica's
 * own `privateUri` names the admin user and `defaultdb`, while streaming replication copies the
 * whole cluster, the app's role and database included. Replicas have no connection pool (pools
 * live on the primary), so the URL goes to the replica's port directly.
 */
export class ReadReplica extends pulumi.ComponentResource {
    readonly replica: digitalocean.DatabaseReplica;
    readonly firewall: digitalocean.DatabaseFirewall;
    /** `postgresql://...` to the app's database on the replica, over the region's VPC. Secret. */
    readonly privateUri: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;

    constructor(name: string, args: ReadReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:ReadReplica", name, {}, opts);
        this.replica = createReplica(name, args, this);
        this.firewall = createReplicaFirewall(name, args, this.replica, this);
        const database = args.databaseName ?? DEFAULT_DATABASE.name;
        this.privateUri = pulumi.secret(
            pulumi
                .all([args.user.name, args.user.password, this.replica.privateHost, this.replica.port])
                .apply(
                    ([user, password, host, port]) =>
                        `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${database}?sslmode=require`,
                ),
        );
        this.host = this.replica.privateHost;
        this.port = this.replica.port;
        this.registerOutputs({ replica: this.replica, firewall: this.firewall, privateUri: this.privateUri, host: this.host, port: this.port });
    }
}

function createReplica(name: string, args: ReadReplicaArgs, parent: pulumi.Resource): digitalocean.DatabaseReplica {
    const [replicaArgs, replicaOpts] = transformChild<digitalocean.DatabaseReplicaArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name: name is ForceNew, and a replacement is created before the old one is deleted.
            clusterId: args.clusterId,
            region: args.region,
            size: args.size ?? DEFAULT_DATABASE.size,
            privateNetworkUuid: args.vpcUuid,
            tags: args.tags ?? [],
        },
        { parent, additionalSecretOutputs: CLUSTER_SECRET_OUTPUTS },
        args.transform?.replica,
    );
    return new digitalocean.DatabaseReplica(childName(name, "replica"), replicaArgs, replicaOpts);
}

function createReplicaFirewall(
    name: string,
    args: ReadReplicaArgs,
    replica: digitalocean.DatabaseReplica,
    parent: pulumi.Resource,
): digitalocean.DatabaseFirewall {
    const [fwArgs, fwOpts] = transformChild<digitalocean.DatabaseFirewallArgs, pulumi.CustomResourceOptions>(
        // A replica's firewall is addressed by its uuid; its `id` is `<cluster id>/replicas/<name>`
        // (terraform-provider-digitalocean database/resource_database_replica.go).
        { clusterId: replica.uuid, rules: [{ type: "tag", value: args.trustedTag }] },
        { parent },
        args.transform?.firewall,
    );
    return new digitalocean.DatabaseFirewall(childName(name, "fw"), fwArgs, fwOpts);
}
