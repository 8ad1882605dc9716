import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { AppEnv } from "../core/env";
import { replicaEnv } from "../core/env";
import { childName, fleetTag, projectEnvironment, roleTag, toTag } from "../core/names";
import type { Platform, RegionContext, RegionData, RegionEndpoints, ServiceContext } from "../core/platform";
import { balancedByHaproxy, type DropletRegion, type DropletsSpec } from "../core/spec";
import { HAPROXY_MONITOR_URI } from "../render/haproxy";
import { AppFleet, type AppFleetArgs } from "./appFleet";
import { Cache, type CacheArgs, cacheSettings } from "./cache";
import { DataNode, type DataNodeArgs } from "./dataNode";
import { Dns } from "./dns";
import { HAPROXY_LISTEN_PORT, HaproxyTier, type HaproxyTierArgs } from "./haproxyTier";
import { LoadBalancer, type LoadBalancerArgs } from "./loadBalancer";
import { Network, type NetworkArgs } from "./network";
import { Postgres, type PostgresArgs } from "./postgres";
import { createTag, regionFleetTag } from "./tags";
import { geographyOf, globalBalancer, managedPostgres, regionalDatabase, regionNetwork } from "./geography";
import type { GlobalLoadBalancerArgs } from "./globalLoadBalancer";
import type { ReadReplica, ReadReplicaArgs } from "./readReplica";
import type { VpcPeeringsArgs } from "./vpcPeering";

/** Per-child escape hatches, passed through to every region's components. */
export interface DropletTransforms {
    readonly network?: NetworkArgs["transform"];
    readonly fleet?: AppFleetArgs["transform"];
    readonly loadBalancer?: LoadBalancerArgs["transform"];
    readonly haproxy?: HaproxyTierArgs["transform"];
    readonly postgres?: PostgresArgs["transform"];
    readonly cache?: CacheArgs["transform"];
    readonly dataNode?: DataNodeArgs["transform"];
    readonly project?: (args: digitalocean.ProjectArgs) => void;
    readonly readReplica?: ReadReplicaArgs["transform"];
    readonly peering?: VpcPeeringsArgs["transform"];
    readonly globalLoadBalancer?: GlobalLoadBalancerArgs["transform"];
}

/** A region's network and data services, handed from `data()` to `app()`. */
export interface DropletRegionData extends RegionData {
    readonly network: Network;
    /**
     * The `Tag` that selects this region's replicas (load balancer, firewalls). DigitalOcean
     * rejects a firewall or load balancer naming a tag that does not exist yet (openapi
     * shared/attributes/existing_tags_array.yml), so everything references this resource's name.
     */
    readonly fleetTag: digitalocean.Tag;
    readonly postgres?: Postgres;
    /** This region's read replica of the primary in another region. */
    readonly replica?: ReadReplica;
    readonly cache?: Cache;
    readonly dataNode?: DataNode;
}

/** Everything one region runs on droplets. */
export interface DropletRegionUnit extends RegionEndpoints {
    readonly spec: DropletRegion;
    readonly network: Network;
    readonly loadBalancer: LoadBalancer;
    readonly haproxy?: HaproxyTier;
    readonly fleet: AppFleet;
    readonly postgres?: Postgres;
    readonly cache?: Cache;
    readonly dataNode?: DataNode;
    readonly dns?: Dns;
}

/**
 * DigitalOcean droplets: per region a VPC, data services (managed clusters or a data
 * droplet), a health-checked managed load balancer (with an HAProxy tier for algorithms it
 * lacks) and one droplet per replica; one project holds them all.
 */
export function dropletsPlatform(
    transform: DropletTransforms = {},
): Platform<DropletsSpec, DropletRegionData, DropletRegionUnit> {
    return {
        name: "droplets",
        data: (ctx) => createData(ctx, transform),
        app: (ctx, data, env) => createApp(ctx, data, env, transform),
        finish: (ctx, units) => {
            const project = createProject(ctx, units, transform);
            const glb = globalBalancer(ctx, units.map((u) => u.loadBalancer), transform);
            return {
                ...(glb ? { globalUrl: glb.url } : {}),
                outputs: {
                    project: project.name,
                    dropletIps: pulumi.all(Object.fromEntries(units.map((u) => [u.spec.name, u.fleet.publicIps]))),
                    ...(glb ? { globalUrl: glb.url, globalLoadBalancerIp: glb.ip } : {}),
                },
            };
        },
    };
}

function createData(ctx: RegionContext<DropletsSpec>, transform: DropletTransforms): DropletRegionData {
    const { spec, region, name } = ctx;
    const opts = { parent: ctx.parent };
    // Several regions share one primary database over peered VPCs (geography.ts).
    const geography = geographyOf(ctx, transform);
    const network = geography?.networks.get(region.name) ?? regionNetwork(name, spec, region, transform, ctx.parent);
    const fleet = regionFleetTag(ctx, region.name);
    const trustedTag = fleet.name;
    const { database, cache } = spec;
    const shared = geography !== undefined ? regionalDatabase(ctx, geography, network, transform) : undefined;
    const postgres =
        shared?.postgres ??
        (database.mode === "managed" && geography === undefined
            ? managedPostgres(name, spec, region, network, trustedTag, [...ctx.tags, roleTag("database")], transform, ctx.parent)
            : undefined);
    const managedCache =
        cache.mode === "managed"
            ? new Cache(
                  childName(name, "cache"),
                  {
                      region: region.region,
                      vpcUuid: network.vpcId,
                      trustedTag,
                      ...cacheSettings(cache, spec.protect),
                      tags: [...ctx.tags, roleTag("cache")],
                      transform: transform.cache,
                  },
                  opts,
              )
            : undefined;
    const dataNode =
        database.mode === "container" || cache.mode === "container"
            ? new DataNode(
                  childName(name, "data"),
                  {
                      region: region.region,
                      vpcUuid: network.vpcId,
                      trustedTag,
                      ...(database.mode === "container"
                          ? { postgres: { version: database.version, databaseName: database.name, userName: database.user } }
                          : {}),
                      ...(cache.mode === "container" ? { valkey: { version: cache.version, evictionPolicy: cache.evictionPolicy } } : {}),
                      volumeSizeGb: database.volumeSizeGb,
                      adminCidrs: spec.adminCidrs,
                      sshKeys: [...spec.sshKeys],
                      tags: [...ctx.tags, roleTag("data")],
                      protect: spec.protect,
                      transform: transform.dataNode,
                  },
                  opts,
              )
            : undefined;
    const databaseUrl = shared?.databaseUrl ?? postgres?.privateUri ?? (database.mode === "container" ? dataNode?.databaseUrl : undefined);
    const redisUrl = managedCache?.privateUri ?? (cache.mode === "container" ? dataNode?.redisUrl : undefined);
    return {
        network,
        fleetTag: fleet,
        postgres,
        replica: shared?.replica,
        cache: managedCache,
        dataNode,
        // Droplets get peering routes only if their VPC is already peered when they boot, so replicas wait for the peerings.
        resources: [postgres, shared?.replica, geography?.peerings, managedCache, dataNode].filter((r): r is NonNullable<typeof r> => r !== undefined),
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(shared?.databaseReadUrl ? { databaseReadUrl: shared.databaseReadUrl } : {}),
        ...(redisUrl ? { redisUrl } : {}),
    };
}

function createApp(ctx: RegionContext<DropletsSpec>, data: DropletRegionData, env: AppEnv, transform: DropletTransforms): DropletRegionUnit {
    const { spec, region, name } = ctx;
    const opts = { parent: ctx.parent };
    const useHaproxy = balancedByHaproxy(spec.loadBalancer.algorithm);
    const tierTag = useHaproxy
        ? createTag(childName(name, "haproxy-tag"), toTag(`${fleetTag(spec.app.name, ctx.stack, region.name)}-haproxy`), ctx.parent).name
        : undefined;
    const fleetTagName = data.fleetTag.name;
    const network = data.network;

    const loadBalancer = new LoadBalancer(
        childName(name, "lb"),
        {
            region: region.region,
            vpcUuid: network.vpcId,
            dropletTag: tierTag ?? fleetTagName,
            targetPort: useHaproxy ? HAPROXY_LISTEN_PORT : spec.app.port,
            // In front of HAProxy, check HAProxy itself: its monitor URI fails when no replica is up.
            healthCheck: useHaproxy
                ? { ...spec.app.healthCheck, protocol: "http", port: HAPROXY_LISTEN_PORT, path: HAPROXY_MONITOR_URI }
                : spec.app.healthCheck,
            sizeUnit: spec.loadBalancer.sizeUnit,
            // With an HAProxy tier, HAProxy pins sessions to replicas; the managed load balancer only spreads over HAProxy nodes.
            ...(spec.loadBalancer.stickySessions && !useHaproxy ? { stickySessions: spec.loadBalancer.stickySessions } : {}),
            ...(spec.loadBalancer.https ? { https: spec.loadBalancer.https } : {}),
            transform: transform.loadBalancer,
        },
        opts,
    );

    const fleet = new AppFleet(
        childName(name, "fleet"),
        {
            region: region.region,
            vpcUuid: network.vpcId,
            size: region.size,
            replicas: region.replicas,
            container: {
                image: spec.app.image,
                port: spec.app.port,
                env: replicaEnv(env),
                healthCheck: spec.app.healthCheck,
                ...(spec.app.registry
                    ? { registry: { ...spec.app.registry, password: pulumi.secret(spec.app.registry.password) } }
                    : {}),
                ...(spec.app.resources ? { resources: spec.app.resources } : {}),
            },
            replicaIdPrefix: name,
            fleetTag: fleetTagName,
            trafficSources: tierTag !== undefined ? { tags: [tierTag] } : { loadBalancerUids: [loadBalancer.id] },
            adminCidrs: spec.adminCidrs,
            sshKeys: [...spec.sshKeys],
            tags: [...ctx.tags, roleTag("app")],
            deploymentStrategy: spec.app.deploymentStrategy,
            maxSurge: spec.app.maxSurge,
            minReadySeconds: spec.app.minReadySeconds,
            readyTimeoutSeconds: spec.app.readyTimeoutSeconds,
            // Gates read the managed load balancer's view of each replica, which it has only when it targets them.
            // `app.gateRollouts: false` turns them off for an account whose metrics do not name the droplets.
            ...(tierTag !== undefined || !spec.app.gateRollouts ? {} : { loadBalancerId: loadBalancer.id }),
            transform: transform.fleet,
        },
        // Replicas start only once their data services exist, so their first health checks can pass.
        { parent: ctx.parent, dependsOn: [...data.resources] },
    );

    const haproxy =
        tierTag !== undefined
        ? new HaproxyTier(
              childName(name, "haproxy"),
              {
                  region: region.region,
                  vpcUuid: network.vpcId,
                  tierTag,
                  servers: fleet.privateIps.apply((ips) => ips.map((host, i) => ({ name: `replica-${i}`, host, port: spec.app.port }))),
                  algorithm: spec.loadBalancer.algorithm,
                  healthCheck: spec.app.healthCheck,
                  ...(spec.loadBalancer.stickySessions ? { stickySessions: spec.loadBalancer.stickySessions } : {}),
                  minReadySeconds: spec.app.minReadySeconds,
                  loadBalancerUids: [loadBalancer.id],
                  size: spec.loadBalancer.haproxy.size,
                  nodes: spec.loadBalancer.haproxy.nodes,
                  adminCidrs: spec.adminCidrs,
                  sshKeys: [...spec.sshKeys],
                  tags: [...ctx.tags, roleTag("haproxy")],
                  transform: transform.haproxy,
              },
              opts,
          )
        : undefined;

    const dns = createDns(ctx, loadBalancer);
    return {
        spec: region,
        url: loadBalancer.url,
        address: loadBalancer.ip,
        replicaAddresses: fleet.publicIps,
        network,
        loadBalancer,
        haproxy,
        fleet,
        postgres: data.postgres,
        cache: data.cache,
        dataNode: data.dataNode,
        dns,
    };
}

function createDns(ctx: RegionContext<DropletsSpec>, loadBalancer: LoadBalancer): Dns | undefined {
    const { spec, region } = ctx;
    // The stack-wide https domains point at the regional load balancer only when there is one region.
    const shared = spec.regions.length === 1 ? (spec.loadBalancer.https?.domains ?? []) : [];
    const fqdns = [...new Set([...region.domains, ...shared])];
    if (fqdns.length === 0) {
        return undefined;
    }
    return new Dns(
        childName(ctx.name, "dns"),
        { records: fqdns.map((fqdn) => ({ fqdn, ip: loadBalancer.ip })), zones: spec.dnsZones },
        { parent: ctx.parent },
    );
}

function createProject(
    ctx: ServiceContext<DropletsSpec>,
    units: readonly DropletRegionUnit[],
    transform: DropletTransforms,
): digitalocean.Project {
    const urns: pulumi.Input<string>[] = units.flatMap((u) => [
        u.loadBalancer.loadBalancer.loadBalancerUrn,
        ...u.fleet.droplets.map((d) => d.dropletUrn),
        ...(u.haproxy?.droplets.map((d) => d.dropletUrn) ?? []),
        ...(u.postgres ? [u.postgres.cluster.clusterUrn] : []),
        ...(u.cache ? [u.cache.cluster.clusterUrn] : []),
        ...(u.dataNode ? [u.dataNode.droplet.dropletUrn, u.dataNode.volume.volumeUrn] : []),
    ]);
    const args: digitalocean.ProjectArgs = {
        name: `${ctx.spec.app.name}-${ctx.stack}`,
        description: `horizon: ${ctx.spec.app.name} (${ctx.stack})`,
        purpose: "Web Application",
        environment: projectEnvironment(ctx.stack, ctx.spec.protect),
        resources: urns,
    };
    transform.project?.(args);
    return new digitalocean.Project(childName(ctx.service, "project"), args, { parent: ctx.parent });
}
