import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { HealthCheck } from "../core/spec";
import { childName } from "../core/names";
import { type Transform, transformChild } from "../transform";
import { loadBalancerHealthcheck } from "./loadBalancer";

export interface GlobalLoadBalancerArgs {
    /** The regional load balancers it sends traffic to. */
    readonly targetLoadBalancerIds: readonly pulumi.Input<string>[];
    /** Carried into the check the global load balancer runs against each regional one. */
    readonly healthCheck: HealthCheck;
    /**
     * Host names served here, with the certificate covering them. The names must be zones in
     * DigitalOcean DNS: DigitalOcean adds their A and AAAA records itself. @default - http only, no names
     */
    readonly https?: { readonly domains: readonly string[]; readonly certificateName: pulumi.Input<string> };
    /** Region slug to priority, 1 the highest. @default - none sent */
    readonly regionPriorities?: Readonly<Record<string, number>>;
    /** Percent of failures before traffic moves to the next priority; sent only with priorities. @default - DigitalOcean's */
    readonly failoverThreshold?: number;
    /** @default false */
    readonly cdn?: boolean;
    readonly transform?: { readonly loadBalancer?: Transform<digitalocean.LoadBalancerArgs> };
}

/**
 * DigitalOcean's GLOBAL load balancer in front of regional ones. It has no region and no
 * forwarding rules: `glbSettings` is its one rule (the provider rejects `region` and makes
 * `forwarding_rule` conflict with `glb_settings`; terraform-provider-digitalocean v2.99.1
 * loadbalancer/resource_loadbalancer.go). Load balancers take no tags: its role is its
 * `type: GLOBAL`, which the plan reads.
 *
 * Behind https, the regional balancers redirect http to https, so the global one must reach
 * them over https on 443; forwarding plain http would bounce every request back as a redirect.
 */
export class GlobalLoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancer: digitalocean.LoadBalancer;
    readonly id: pulumi.Output<string>;
    readonly ip: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: GlobalLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:GlobalLoadBalancer", name, {}, opts);
        this.loadBalancer = createGlobalLoadBalancer(name, args, this);
        this.id = this.loadBalancer.id;
        this.ip = this.loadBalancer.ip;
        const domain = args.https?.domains[0];
        this.url = domain !== undefined ? pulumi.output(`https://${domain}`) : pulumi.interpolate`http://${this.loadBalancer.ip}`;
        this.registerOutputs({ loadBalancer: this.loadBalancer, id: this.id, ip: this.ip, url: this.url });
    }
}

/** `glbSettings` from the args: target the regional balancers' entry (443 behind https, else 80). */
export function glbSettings(args: GlobalLoadBalancerArgs): digitalocean.types.input.LoadBalancerGlbSettings {
    const priorities = args.regionPriorities !== undefined && Object.keys(args.regionPriorities).length > 0 ? args.regionPriorities : undefined;
    return {
        targetProtocol: args.https !== undefined ? "https" : "http",
        targetPort: args.https !== undefined ? 443 : 80,
        // The provider sends failover_threshold only inside region_priorities (loadbalancer.go expandGLBSettings).
        ...(priorities !== undefined ? { regionPriorities: { ...priorities } } : {}),
        ...(priorities !== undefined && args.failoverThreshold !== undefined ? { failoverThreshold: args.failoverThreshold } : {}),
        cdn: { isEnabled: args.cdn ?? false },
    };
}

function createGlobalLoadBalancer(name: string, args: GlobalLoadBalancerArgs, parent: pulumi.Resource): digitalocean.LoadBalancer {
    const settings = glbSettings(args);
    const check: HealthCheck = args.healthCheck.protocol === "tcp" ? args.healthCheck : { ...args.healthCheck, protocol: args.https !== undefined ? "https" : "http" };
    const [lbArgs, lbOpts] = transformChild<digitalocean.LoadBalancerArgs, pulumi.CustomResourceOptions>(
        {
            type: "GLOBAL",
            glbSettings: settings,
            targetLoadBalancerIds: [...args.targetLoadBalancerIds],
            healthcheck: loadBalancerHealthcheck({ ...check, port: undefined }, settings.targetPort),
            // isManaged: DigitalOcean creates the two A and two AAAA records for each name
            // (digitalocean/openapi models/domains.yml `is_managed`), so horizon adds no records
            // of its own: two sets of records for one name would fight.
            ...(args.https !== undefined
                ? { domains: args.https.domains.map((name) => ({ name, isManaged: true, certificateName: args.https?.certificateName })) }
                : {}),
        },
        { parent },
        args.transform?.loadBalancer,
    );
    return new digitalocean.LoadBalancer(childName(name, "balancer"), lbArgs, lbOpts);
}
