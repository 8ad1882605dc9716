import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";

export interface PeeredNetwork {
    /** The region's name in the stack, e.g. `us-east`; used in the peering's logical name. */
    readonly name: string;
    readonly vpcId: pulumi.Input<string>;
}

export interface VpcPeeringsArgs {
    /** The VPCs to join; every pair is peered (peering is not transitive). */
    readonly networks: readonly PeeredNetwork[];
    readonly transform?: { readonly peering?: Transform<digitalocean.VpcPeeringArgs> };
}

/**
 * Peers every pair of the regions' VPCs, so replicas reach the primary database (and each other)
 * over private addresses. A peering joins exactly two VPCs (`vpc_ids`: minItems 2, maxItems 2,
 * digitalocean/openapi vpc_peerings/models/vpc_peering.yml), so n regions need n(n-1)/2.
 *
 * Droplets get peering routes only if the VPC is already peered when they boot
 * (docs.digitalocean.com/products/networking/vpc/how-to/update-peering-routes), so replicas must
 * depend on these peerings.
 */
export class VpcPeerings extends pulumi.ComponentResource {
    readonly peerings: digitalocean.VpcPeering[];

    constructor(name: string, args: VpcPeeringsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:VpcPeerings", name, {}, opts);
        this.peerings = pairs(args.networks).map(([a, b]) => {
            const [peeringArgs, peeringOpts] = transformChild<digitalocean.VpcPeeringArgs, pulumi.CustomResourceOptions>(
                // No fixed name: names are unique per team, and Pulumi's suffix keeps stacks apart.
                // vpcIds is ForceNew, so the pair's order stays that of `networks`.
                { vpcIds: [a.vpcId, b.vpcId] },
                { parent: this },
                args.transform?.peering,
            );
            return new digitalocean.VpcPeering(childName(name, `${a.name}-${b.name}`), peeringArgs, peeringOpts);
        });
        this.registerOutputs({ peerings: this.peerings });
    }
}

/** Every unordered pair, in list order: [a, b], [a, c], [b, c]. */
export function pairs<T>(items: readonly T[]): [T, T][] {
    return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}
