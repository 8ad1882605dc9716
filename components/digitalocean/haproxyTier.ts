import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { Algorithm, HealthCheck } from "../core/spec";
import { DEFAULT_HAPROXY } from "../core/spec";
import { renderHaproxyCloudInit } from "../render/cloudInit";
import { renderHaproxyConfig } from "../render/haproxy";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import { DEFAULT_DROPLET_IMAGE, DROPLET_DELETE_TIMEOUT } from "./appFleet";
import { egressRules, PRIVATE_RANGES, sshRules, WEB_TCP_PORTS } from "./firewallRules";

/** Port HAProxy listens on; the managed load balancer forwards to it. */
export const HAPROXY_LISTEN_PORT = 8080;

export interface HaproxyTierArgs {
    readonly region: pulumi.Input<string>;
    readonly vpcUuid: pulumi.Input<string>;
    /** The tag the managed load balancer selects the HAProxy droplets by. */
    readonly tierTag: pulumi.Input<string>;
    /** The app replicas HAProxy balances over (their private addresses). */
    readonly servers: pulumi.Input<{ name: string; host: string; port: number }[]>;
    readonly algorithm: Algorithm;
    readonly healthCheck: HealthCheck;
    /** @default - none */
    readonly stickySessions?: { readonly cookieName: string; readonly ttlSeconds: number };
    /** HAProxy `slowstart` for a replica that comes back. @default 0 */
    readonly minReadySeconds?: number;
    /** Load balancers admitted to the HAProxy port. */
    readonly loadBalancerUids: pulumi.Input<pulumi.Input<string>[]>;
    /** @default "s-1vcpu-1gb" */
    readonly size?: pulumi.Input<string>;
    /** @default 2 */
    readonly nodes?: number;
    /** @default [] */
    readonly adminCidrs?: readonly string[];
    /** @default [] */
    readonly sshKeys?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default [] */
    readonly tags?: readonly string[];
    readonly transform?: {
        readonly droplet?: Transform<digitalocean.DropletArgs>;
        readonly firewall?: Transform<digitalocean.FirewallArgs>;
    };
}

/**
 * HAProxy droplets between DigitalOcean's load balancer and the replicas, for the algorithms
 * DigitalOcean's load balancer no longer offers (least connections, source hash, random).
 * Each runs the haproxy.cfg that `renderHaproxyConfig` writes, with active health checks.
 */
export class HaproxyTier extends pulumi.ComponentResource {
    readonly droplets: digitalocean.Droplet[];
    readonly firewall: digitalocean.Firewall;
    /** The rendered haproxy.cfg. */
    readonly config: pulumi.Output<string>;
    readonly privateIps: pulumi.Output<string[]>;

    constructor(name: string, args: HaproxyTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:HaproxyTier", name, {}, opts);
        this.config = pulumi.output(args.servers).apply((servers) =>
            renderHaproxyConfig({
                listenPort: HAPROXY_LISTEN_PORT,
                algorithm: args.algorithm,
                servers,
                healthCheck: args.healthCheck,
                ...(args.stickySessions !== undefined ? { stickySessions: args.stickySessions } : {}),
                ...(args.minReadySeconds !== undefined ? { minReadySeconds: args.minReadySeconds } : {}),
            }),
        );
        const userData = this.config.apply((haproxyConfig) => renderHaproxyCloudInit({ haproxyConfig }));
        this.droplets = Array.from({ length: args.nodes ?? DEFAULT_HAPROXY.nodes }, (_, i) =>
            createDroplet(childName(name, `node-${i}`), args, userData, this),
        );
        this.firewall = createFirewall(name, args, this);
        this.privateIps = pulumi.all(this.droplets.map((d) => d.ipv4AddressPrivate));
        this.registerOutputs({ droplets: this.droplets, firewall: this.firewall, config: this.config, privateIps: this.privateIps });
    }
}

function createDroplet(
    dropletName: string,
    args: HaproxyTierArgs,
    userData: pulumi.Output<string>,
    parent: pulumi.Resource,
): digitalocean.Droplet {
    const [dropletArgs, dropletOpts] = transformChild<digitalocean.DropletArgs, pulumi.CustomResourceOptions>(
        {
            name: dropletName,
            region: args.region,
            size: args.size ?? DEFAULT_HAPROXY.size,
            image: DEFAULT_DROPLET_IMAGE,
            vpcUuid: args.vpcUuid,
            monitoring: true,
            // Shut down cleanly before deletion: in-flight requests drain and Postgres checkpoints.
            gracefulShutdown: true,
            sshKeys: args.sshKeys ?? [],
            tags: [...(args.tags ?? []), args.tierTag],
            userData,
        },
        { parent, customTimeouts: { delete: DROPLET_DELETE_TIMEOUT } },
        args.transform?.droplet,
    );
    return new digitalocean.Droplet(dropletName, dropletArgs, dropletOpts);
}

function createFirewall(name: string, args: HaproxyTierArgs, parent: pulumi.Resource): digitalocean.Firewall {
    const inboundRules: digitalocean.types.input.FirewallInboundRule[] = [
        { protocol: "tcp", portRange: String(HAPROXY_LISTEN_PORT), sourceLoadBalancerUids: args.loadBalancerUids },
        ...sshRules(args.adminCidrs),
    ];
    const [fwArgs, fwOpts] = transformChild<digitalocean.FirewallArgs, pulumi.CustomResourceOptions>(
        {
            name: childName(name, "fw"),
            tags: [args.tierTag],
            inboundRules,
            outboundRules: [
                // Health checks and proxied requests to the replicas stay inside the VPC.
                { protocol: "tcp", portRange: "1-65535", destinationAddresses: PRIVATE_RANGES },
                ...egressRules(WEB_TCP_PORTS),
            ],
        },
        { parent },
        args.transform?.firewall,
    );
    return new digitalocean.Firewall(childName(name, "fw"), fwArgs, fwOpts);
}
