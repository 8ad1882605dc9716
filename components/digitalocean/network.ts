import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";

export interface NetworkArgs {
    /** DigitalOcean region slug, e.g. `nyc3`. */
    readonly region: pulumi.Input<string>;
    /** VPC address range. @default - DigitalOcean picks a free /20 */
    readonly ipRange?: pulumi.Input<string>;
    /** Protect the VPC from deletion and keep it when removed from the program. @default false */
    readonly protect?: boolean;
    /** Edits the VPC's args or options. @default - none */
    readonly transform?: { readonly vpc?: Transform<digitalocean.VpcArgs> };
}

/**
 * The private network of one region. Droplets, load balancers and database clusters join it,
 * and the app reaches its data services over it only.
 *
 * The droplet firewall is not here: it must name the load balancer, which itself needs the VPC,
 * so it lives with the fleet it protects (`AppFleet`).
 */
export class Network extends pulumi.ComponentResource {
    readonly vpc: digitalocean.Vpc;
    readonly vpcId: pulumi.Output<string>;
    readonly ipRange: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:Network", name, {}, opts);
        this.vpc = createVpc(name, args, this);
        this.vpcId = this.vpc.id;
        this.ipRange = this.vpc.ipRange;
        this.registerOutputs({ vpc: this.vpc, vpcId: this.vpcId, ipRange: this.ipRange });
    }
}

function createVpc(name: string, args: NetworkArgs, parent: pulumi.Resource): digitalocean.Vpc {
    const protect = args.protect === true;
    const [vpcArgs, vpcOpts] = transformChild<digitalocean.VpcArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name: Pulumi adds a random suffix, so stacks sharing a config (a
            // pull request's copy of staging) get distinct VPCs, which DigitalOcean requires.
            region: args.region,
            description: `horizon network for ${name}`,
            ...(args.ipRange !== undefined ? { ipRange: args.ipRange } : {}),
        },
        // DigitalOcean refuses to delete a VPC while members (a load balancer, a database cluster)
        // are still being released; the provider retries that (403/409) only for the delete
        // timeout, 2 minutes by default (terraform-provider-digitalocean vpc/resource_vpc.go), which
        // a managed cluster's release can outlast (pulumi-digitalocean#753).
        { parent, protect, retainOnDelete: protect, customTimeouts: { delete: "20m" } },
        args.transform?.vpc,
    );
    return new digitalocean.Vpc(childName(name, "vpc"), vpcArgs, vpcOpts);
}
