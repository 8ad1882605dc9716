import * as pulumi from "@pulumi/pulumi";
import { childName, roleTag } from "../core/names";
import type { RegionContext, ServiceContext } from "../core/platform";
import type { DropletRegion, DropletsSpec } from "../core/spec";
import { GlobalLoadBalancer } from "./globalLoadBalancer";
import type { LoadBalancer } from "./loadBalancer";
import { Network } from "./network";
import type { DropletTransforms } from "./platform";
import { Postgres, postgresSettings } from "./postgres";
import { ReadReplica } from "./readReplica";
import { regionFleetTag } from "./tags";
import { VpcPeerings } from "./vpcPeering";

/**
 * What a stack with several regions shares across them: every region's VPC, the peerings
 * between them, and the one writable Postgres cluster in the primary region. Built once, when
 * the first region asks, so the primary exists before any region's replica needs it whatever
 * the primary's position in `regions`.
 */
export interface Geography {
    /** `regions[].name` of the region holding the primary. */
    readonly primaryRegion: string;
    readonly networks: ReadonlyMap<string, Network>;
    readonly peerings: VpcPeerings;
    /** The primary cluster, when the database is managed. */
    readonly primary?: Postgres;
}

const geographies = new WeakMap<pulumi.Resource, Geography>();

/** The stack's geography, or undefined for a one-region stack (which keeps its own network and database). */
export function geographyOf(ctx: ServiceContext<DropletsSpec>, transform: DropletTransforms): Geography | undefined {
    if (ctx.spec.regions.length < 2) {
        return undefined;
    }
    const existing = geographies.get(ctx.parent);
    if (existing !== undefined) {
        return existing;
    }
    const geography = createGeography(ctx, transform);
    geographies.set(ctx.parent, geography);
    return geography;
}

function createGeography(ctx: ServiceContext<DropletsSpec>, transform: DropletTransforms): Geography {
    const { spec } = ctx;
    const regionName = (region: DropletRegion) => childName(ctx.service, region.name);
    const networks = new Map(spec.regions.map((region) => [region.name, regionNetwork(regionName(region), spec, region, transform, ctx.parent)]));
    const peerings = new VpcPeerings(
        childName(ctx.service, "peering"),
        { networks: spec.regions.map((region) => ({ name: region.name, vpcId: networks.get(region.name)?.vpcId ?? "" })), transform: transform.peering },
        { parent: ctx.parent },
    );
    const primaryRegion = spec.database.primaryRegion ?? spec.regions[0].name;
    const region = spec.regions.find((r) => r.name === primaryRegion) ?? spec.regions[0];
    const network = networks.get(region.name) as Network;
    // Writes from every region land here, so its firewall trusts every region's fleet.
    const trusted = spec.regions.map((r) => regionFleetTag(ctx, r.name).name);
    const tags = [...ctx.tags.filter((t) => !t.startsWith("horizon:region:")), `horizon:region:${region.name}`, roleTag("database")];
    const primary =
        spec.database.mode === "managed" ? managedPostgres(regionName(region), spec, region, network, trusted, tags, transform, ctx.parent) : undefined;
    return { primaryRegion, networks, peerings, primary };
}

/** One region's VPC, with the range the stack asks for. */
export function regionNetwork(name: string, spec: DropletsSpec, region: DropletRegion, transform: DropletTransforms, parent: pulumi.Resource): Network {
    return new Network(
        childName(name, "network"),
        {
            region: region.region,
            protect: spec.protect,
            transform: transform.network,
            ...(region.vpcIpRange ? { ipRange: region.vpcIpRange } : {}),
        },
        { parent },
    );
}

/** The managed Postgres cluster of a region, trusting the given fleet tag(s). */
export function managedPostgres(
    name: string,
    spec: DropletsSpec,
    region: DropletRegion,
    network: Network,
    trustedTag: pulumi.Input<string> | readonly pulumi.Input<string>[],
    tags: readonly string[],
    transform: DropletTransforms,
    parent: pulumi.Resource,
): Postgres {
    return new Postgres(
        childName(name, "pg"),
        {
            region: region.region,
            vpcUuid: network.vpcId,
            trustedTag,
            ...postgresSettings(spec.database, spec.protect),
            tags: [...tags],
            transform: transform.postgres,
        },
        { parent },
    );
}

/** A region's share of the geography: its database role and connection strings. */
export interface RegionalDatabase {
    /** The primary, in the primary region only. */
    readonly postgres?: Postgres;
    /** This region's read replica, in every other region. */
    readonly replica?: ReadReplica;
    readonly databaseUrl?: pulumi.Output<string>;
    readonly databaseReadUrl?: pulumi.Output<string>;
}

/**
 * The primary region writes and reads its own cluster over its VPC. Every other region reads its
 * own replica (the app falls back to the primary while the replica lags) and writes to the
 * primary: by default over the peered VPCs (DigitalOcean: "All managed databases are compatible
 * with VPC peering", docs.digitalocean.com/products/networking/vpc/how-to/create-peering), or,
 * with `database.crossRegionWrites: public`, at the pool's public address, which requires TLS.
 */
export function regionalDatabase(ctx: RegionContext<DropletsSpec>, geography: Geography, network: Network, transform: DropletTransforms): RegionalDatabase {
    const { spec, region } = ctx;
    const primary = geography.primary;
    if (primary === undefined) {
        return {};
    }
    if (region.name === geography.primaryRegion) {
        return { postgres: primary, databaseUrl: primary.privateUri };
    }
    const replica = new ReadReplica(
        childName(ctx.name, "pg-read"),
        {
            clusterId: primary.cluster.id,
            region: region.region,
            vpcUuid: network.vpcId,
            // DigitalOcean: a replica must be at least as large as the primary's nodes (openapi databases_create_replica.yml).
            size: spec.database.size,
            trustedTag: regionFleetTag(ctx, region.name).name,
            databaseName: spec.database.name,
            user: { name: primary.user.name, password: primary.user.password },
            tags: [...ctx.tags, roleTag("database")],
            transform: transform.readReplica,
        },
        { parent: ctx.parent },
    );
    const databaseUrl = spec.database.crossRegionWrites === "public" ? pulumi.secret(primary.pool.uri) : primary.privateUri;
    return { replica, databaseUrl, databaseReadUrl: replica.privateUri };
}

/** The GLOBAL load balancer in front of every region's balancer, with the stack's shared https names. */
export function globalBalancer(
    ctx: ServiceContext<DropletsSpec>,
    regional: readonly LoadBalancer[],
    transform: DropletTransforms,
): GlobalLoadBalancer | undefined {
    const { spec } = ctx;
    if (spec.regions.length < 2) {
        return undefined;
    }
    const global = spec.loadBalancer.global;
    const https = spec.loadBalancer.https;
    // Each region keeps its own names on its own balancer; the global one serves the rest.
    const regionDomains = new Set(spec.regions.flatMap((r) => r.domains));
    const domains = (https?.domains ?? []).filter((d) => !regionDomains.has(d));
    // The regional certificates already cover every https name. Reusing one keeps Let's Encrypt
    // from issuing yet another certificate for the same names (5 per exact set of names per
    // week: letsencrypt.org/docs/rate-limits).
    const certificate = regional.find((lb) => lb.certificate !== undefined)?.certificate;
    const slugs = [...new Set(spec.regions.map((r) => r.region))];
    const regionPriorities = global?.regionPriorities ?? Object.fromEntries(slugs.map((slug, i) => [slug, i + 1]));
    return new GlobalLoadBalancer(
        childName(ctx.service, "glb"),
        {
            targetLoadBalancerIds: regional.map((lb) => lb.id),
            healthCheck: spec.app.healthCheck,
            ...(domains.length > 0 && certificate !== undefined ? { https: { domains, certificateName: certificate.name } } : {}),
            regionPriorities,
            ...(global?.failoverThreshold !== undefined ? { failoverThreshold: global.failoverThreshold } : {}),
            cdn: global?.cdn ?? false,
            transform: transform.globalLoadBalancer,
        },
        { parent: ctx.parent },
    );
}
