import * as digitalocean from "@pulumi/digitalocean";
import type * as pulumi from "@pulumi/pulumi";
import { childName, fleetTag } from "../core/names";
import type { ServiceContext } from "../core/platform";
import type { DropletsSpec } from "../core/spec";

/**
 * DigitalOcean rejects a firewall, load balancer or database firewall that names a tag no
 * resource carries yet ("Tag names must exist in order to be referenced", openapi
 * shared/attributes/existing_tags_array.yml), so every tag horizon selects by is a `Tag`
 * resource, and everything references its name output: Pulumi then creates the tag first.
 */

const fleetTags = new WeakMap<pulumi.Resource, Map<string, digitalocean.Tag>>();

/**
 * The `Tag` that selects one region's replicas, created once per service and region: the
 * region's own load balancer and firewalls use it, and so does a primary database in another
 * region that trusts every region's fleet.
 */
export function regionFleetTag(ctx: ServiceContext<DropletsSpec>, region: string): digitalocean.Tag {
    const byRegion = fleetTags.get(ctx.parent) ?? new Map<string, digitalocean.Tag>();
    fleetTags.set(ctx.parent, byRegion);
    const existing = byRegion.get(region);
    if (existing !== undefined) {
        return existing;
    }
    const tag = createTag(childName(childName(ctx.service, region), "fleet-tag"), fleetTag(ctx.spec.app.name, ctx.stack, region), ctx.parent);
    byRegion.set(region, tag);
    return tag;
}

/** A tag resource named `name` in Pulumi, `tag` in DigitalOcean. */
export function createTag(name: string, tag: string, parent: pulumi.Resource): digitalocean.Tag {
    return new digitalocean.Tag(name, { name: tag }, { parent });
}
