import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DATABASE, type DatabaseSpec } from "../core/spec";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import { CLUSTER_SECRET_OUTPUTS, createDatabaseFirewall, type ManagedClusterArgs } from "./managedCluster";

/** What a stack's `database` block (and `protect`) sets on a managed Postgres, on any platform. */
export function postgresSettings(database: DatabaseSpec, protect: boolean): Pick<
    PostgresArgs,
    "version" | "size" | "nodes" | "databaseName" | "userName" | "poolSize" | "maintenanceWindow" | "protect"
> {
    return {
        version: database.version,
        size: database.size,
        nodes: database.nodes,
        databaseName: database.name,
        userName: database.user,
        poolSize: database.poolSize,
        maintenanceWindow: database.maintenanceWindow,
        protect,
    };
}

export interface PostgresArgs extends ManagedClusterArgs {
    /** Major version. @default "16" */
    readonly version?: pulumi.Input<string>;
    /** Database the app uses. @default "app" */
    readonly databaseName?: string;
    /** User the app connects as. @default "app" */
    readonly userName?: string;
    /** Connections in the transaction-mode pool. @default 20 */
    readonly poolSize?: pulumi.Input<number>;
    /** @default { day: "sunday", hour: "03:00:00" } */
    readonly maintenanceWindow?: { readonly day: string; readonly hour: string };
    readonly transform?: {
        readonly cluster?: Transform<digitalocean.DatabaseClusterArgs>;
        readonly pool?: Transform<digitalocean.DatabaseConnectionPoolArgs>;
        readonly firewall?: Transform<digitalocean.DatabaseFirewallArgs>;
    };
}

/**
 * A managed Postgres cluster on the region's VPC, with the app's database, user and a
 * transaction-mode connection pool. Its firewall trusts only the fleet tag. The app gets the
 * pool's private URI, as a secret.
 */
export class Postgres extends pulumi.ComponentResource {
    readonly cluster: digitalocean.DatabaseCluster;
    readonly database: digitalocean.DatabaseDb;
    readonly user: digitalocean.DatabaseUser;
    readonly pool: digitalocean.DatabaseConnectionPool;
    readonly firewall: digitalocean.DatabaseFirewall;
    /** `postgresql://...` through the pool, over the VPC. Secret. */
    readonly privateUri: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:Postgres", name, {}, opts);
        this.cluster = createCluster(name, args, this);
        this.database = new digitalocean.DatabaseDb(
            childName(name, "db"),
            { clusterId: this.cluster.id, name: args.databaseName ?? DEFAULT_DATABASE.name },
            { parent: this },
        );
        this.user = new digitalocean.DatabaseUser(
            childName(name, "user"),
            { clusterId: this.cluster.id, name: args.userName ?? DEFAULT_DATABASE.user },
            { parent: this, additionalSecretOutputs: CLUSTER_SECRET_OUTPUTS },
        );
        this.pool = createPool(name, args, this.cluster, this.database, this.user, this);
        this.firewall = createDatabaseFirewall(childName(name, "fw"), this.cluster, args.trustedTag, this, args.transform?.firewall);
        this.privateUri = pulumi.secret(this.pool.privateUri);
        this.host = this.pool.privateHost;
        this.port = this.pool.port;
        this.registerOutputs({
            cluster: this.cluster,
            database: this.database,
            user: this.user,
            pool: this.pool,
            firewall: this.firewall,
            privateUri: this.privateUri,
            host: this.host,
            port: this.port,
        });
    }
}

function createCluster(name: string, args: PostgresArgs, parent: pulumi.Resource): digitalocean.DatabaseCluster {
    const protect = args.protect === true;
    const window = args.maintenanceWindow ?? DEFAULT_DATABASE.maintenanceWindow;
    const [clusterArgs, clusterOpts] = transformChild<digitalocean.DatabaseClusterArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name: cluster names are unique per account, and a replacement is created
            // before the old cluster is deleted.
            engine: "pg",
            version: args.version ?? DEFAULT_DATABASE.version,
            size: args.size ?? DEFAULT_DATABASE.size,
            nodeCount: args.nodes ?? DEFAULT_DATABASE.nodes,
            region: args.region,
            privateNetworkUuid: args.vpcUuid,
            maintenanceWindows: [{ day: window.day, hour: window.hour }],
            tags: args.tags ?? [],
        },
        {
            parent,
            protect,
            retainOnDelete: protect,
            additionalSecretOutputs: CLUSTER_SECRET_OUTPUTS,
        },
        args.transform?.cluster,
    );
    return new digitalocean.DatabaseCluster(childName(name, "cluster"), clusterArgs, clusterOpts);
}

function createPool(
    name: string,
    args: PostgresArgs,
    cluster: digitalocean.DatabaseCluster,
    database: digitalocean.DatabaseDb,
    user: digitalocean.DatabaseUser,
    parent: pulumi.Resource,
): digitalocean.DatabaseConnectionPool {
    const [poolArgs, poolOpts] = transformChild<digitalocean.DatabaseConnectionPoolArgs, pulumi.CustomResourceOptions>(
        {
            clusterId: cluster.id,
            name: `${args.databaseName ?? DEFAULT_DATABASE.name}-pool`,
            mode: "transaction",
            size: args.poolSize ?? DEFAULT_DATABASE.poolSize,
            dbName: database.name,
            user: user.name,
        },
        { parent, additionalSecretOutputs: CLUSTER_SECRET_OUTPUTS },
        args.transform?.pool,
    );
    return new digitalocean.DatabaseConnectionPool(childName(name, "pool"), poolArgs, poolOpts);
}
