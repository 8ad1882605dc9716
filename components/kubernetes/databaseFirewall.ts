import type * as digitalocean from "@pulumi/digitalocean";
import type * as pulumi from "@pulumi/pulumi";
import { type Transform, transformChild } from "../transform";

/**
 * A database firewall that trusts a DOKS cluster: `{ type: "k8s", value: <cluster id> }`
 * (DatabaseFirewallRule in @pulumi/digitalocean's types/input.d.ts; type is one of droplet,
 * k8s, ipAddr, tag, app). DigitalOcean admits every node of the cluster, including nodes the
 * autoscaler adds later, which a droplet tag rule would only do for tags the pool sets.
 *
 * `Postgres` and `Cache` build their firewall with a tag rule; this is applied as their
 * firewall transform, replacing the rules, with the user's own transform applied after it.
 */
export function trustClusterFirewall(
    clusterId: pulumi.Input<string>,
    user: Transform<digitalocean.DatabaseFirewallArgs> | undefined,
): Transform<digitalocean.DatabaseFirewallArgs> {
    return (args, opts) => {
        args.rules = [{ type: "k8s", value: clusterId }];
        const [next, nextOpts] = transformChild(args, opts, user);
        Object.assign(args, next);
        Object.assign(opts, nextOpts);
    };
}
