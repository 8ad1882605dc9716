import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { type CacheSpec, DEFAULT_CACHE } from "../core/spec";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import { CLUSTER_SECRET_OUTPUTS, createDatabaseFirewall, type ManagedClusterArgs } from "./managedCluster";

/** What a stack's `cache` block (and `protect`) sets on a managed Valkey, on any platform. */
export function cacheSettings(cache: CacheSpec, protect: boolean): Pick<CacheArgs, "version" | "size" | "nodes" | "evictionPolicy" | "protect"> {
    return { version: cache.version, size: cache.size, nodes: cache.nodes, evictionPolicy: cache.evictionPolicy, protect };
}

export interface CacheArgs extends ManagedClusterArgs {
    /** Valkey major version. @default "8" */
    readonly version?: pulumi.Input<string>;
    /** DigitalOcean's spelling, e.g. `allkeys_lru`. @default "allkeys_lru" */
    readonly evictionPolicy?: pulumi.Input<string>;
    readonly transform?: {
        readonly cluster?: Transform<digitalocean.DatabaseClusterArgs>;
        readonly firewall?: Transform<digitalocean.DatabaseFirewallArgs>;
    };
}

/**
 * A managed Valkey cluster (DigitalOcean's Redis-compatible engine; managed Redis is gone) on
 * the region's VPC, trusting only the fleet tag.
 */
export class Cache extends pulumi.ComponentResource {
    readonly cluster: digitalocean.DatabaseCluster;
    readonly firewall: digitalocean.DatabaseFirewall;
    /** `rediss://...` over the VPC. Secret. */
    readonly privateUri: pulumi.Output<string>;
    readonly host: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:Cache", name, {}, opts);
        this.cluster = createCluster(name, args, this);
        this.firewall = createDatabaseFirewall(childName(name, "fw"), this.cluster, args.trustedTag, this, args.transform?.firewall);
        this.privateUri = pulumi.secret(this.cluster.privateUri);
        this.host = this.cluster.privateHost;
        this.port = this.cluster.port;
        this.registerOutputs({ cluster: this.cluster, firewall: this.firewall, privateUri: this.privateUri, host: this.host, port: this.port });
    }
}

function createCluster(name: string, args: CacheArgs, parent: pulumi.Resource): digitalocean.DatabaseCluster {
    const protect = args.protect === true;
    const [clusterArgs, clusterOpts] = transformChild<digitalocean.DatabaseClusterArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name, as for Postgres: unique per account, created before a replaced one is deleted.
            engine: "valkey",
            version: args.version ?? DEFAULT_CACHE.version,
            size: args.size ?? DEFAULT_CACHE.size,
            nodeCount: args.nodes ?? DEFAULT_CACHE.nodes,
            region: args.region,
            privateNetworkUuid: args.vpcUuid,
            evictionPolicy: args.evictionPolicy ?? DEFAULT_CACHE.evictionPolicy,
            tags: args.tags ?? [],
        },
        { parent, protect, retainOnDelete: protect, additionalSecretOutputs: CLUSTER_SECRET_OUTPUTS },
        args.transform?.cluster,
    );
    return new digitalocean.DatabaseCluster(childName(name, "cluster"), clusterArgs, clusterOpts);
}
