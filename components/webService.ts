import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config/errors";
import { parseStackSpec } from "./config/load";
import type { RegionSpec, StackSpec, StackSpecInput } from "./config/schema";
import { AppFleet, type AppFleetArgs } from "./digitalocean/appFleet";
import { Cache, type CacheArgs } from "./digitalocean/cache";
import { DataNode, type DataNodeArgs } from "./digitalocean/dataNode";
import { Dns } from "./digitalocean/dns";
import { HAPROXY_LISTEN_PORT, HaproxyTier, type HaproxyTierArgs } from "./digitalocean/haproxyTier";
import { LoadBalancer, type LoadBalancerArgs } from "./digitalocean/loadBalancer";
import { Network, type NetworkArgs } from "./digitalocean/network";
import { Postgres, type PostgresArgs } from "./digitalocean/postgres";
import { HAPROXY_MONITOR_URI } from "./render/haproxy";
import { childName, fleetTag, projectEnvironment, standardTags, toTag } from "./render/names";

/** Per-child escape hatches, passed through to every region's components. */
export interface WebServiceTransforms {
    readonly network?: NetworkArgs["transform"];
    readonly fleet?: AppFleetArgs["transform"];
    readonly loadBalancer?: LoadBalancerArgs["transform"];
    readonly haproxy?: HaproxyTierArgs["transform"];
    readonly postgres?: PostgresArgs["transform"];
    readonly cache?: CacheArgs["transform"];
    readonly dataNode?: DataNodeArgs["transform"];
    readonly project?: (args: digitalocean.ProjectArgs) => void;
}

export interface WebServiceOptions extends pulumi.ComponentResourceOptions {
    /** Used in tags, names and the project's environment. @default pulumi.getStack() */
    readonly stack?: string;
    readonly transform?: WebServiceTransforms;
}

/** Everything one region runs. */
export interface RegionalUnit {
    readonly spec: RegionSpec;
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
 * One typed spec in, one platform's resources out: per region a VPC, data services, a
 * health-checked load balancer (with an HAProxy tier for algorithms DigitalOcean's load
 * balancer lacks) and N replicas, all in one DigitalOcean project.
 *
 * `spec` has the shape of the stack configuration without the `horizon:` prefix; defaults may
 * be left out. Bad input throws one `ConfigError` listing every problem, before any resource
 * is created.
 */
export class WebService extends pulumi.ComponentResource {
    readonly spec: StackSpec;
    readonly regions: Record<string, RegionalUnit>;
    readonly project: digitalocean.Project;
    /** Public URL per region. */
    readonly urls: pulumi.Output<Record<string, string>>;
    readonly loadBalancerIps: pulumi.Output<Record<string, string>>;
    readonly dropletIps: pulumi.Output<Record<string, string[]>>;

    constructor(name: string, spec: StackSpecInput | StackSpec, opts: WebServiceOptions = {}) {
        const stack = opts.stack ?? pulumi.getStack();
        const parsed = parseStackSpec(spec, { stack }).spec;
        if (parsed.platform !== "droplets") {
            throw new ConfigError(
                [
                    {
                        path: ["platform"],
                        problem: "this version of WebService deploys to DigitalOcean droplets only",
                        got: parsed.platform,
                        expected: "droplets",
                    },
                ],
                stack,
            );
        }
        const { stack: _stack, transform: _transform, ...componentOpts } = opts;
        super("horizon:service:WebService", name, {}, componentOpts);
        this.spec = parsed;
        const transform = opts.transform ?? {};
        this.regions = Object.fromEntries(
            parsed.regions.map((region) => [region.name, createRegion(name, stack, parsed, region, transform, this)]),
        );
        this.project = createProject(name, stack, parsed, Object.values(this.regions), transform, this);
        const units = Object.entries(this.regions);
        this.urls = pulumi.all(Object.fromEntries(units.map(([k, u]) => [k, u.loadBalancer.url])));
        this.loadBalancerIps = pulumi.all(Object.fromEntries(units.map(([k, u]) => [k, u.loadBalancer.ip])));
        this.dropletIps = pulumi.all(Object.fromEntries(units.map(([k, u]) => [k, u.fleet.publicIps])));
        this.registerOutputs({
            project: this.project,
            urls: this.urls,
            loadBalancerIps: this.loadBalancerIps,
            dropletIps: this.dropletIps,
        });
    }
}

function createRegion(
    service: string,
    stack: string,
    spec: StackSpec,
    region: RegionSpec,
    transform: WebServiceTransforms,
    parent: pulumi.Resource,
): RegionalUnit {
    const name = childName(service, region.name);
    const tags = standardTags(spec.app.name, stack, [...spec.tags, `horizon:region:${region.name}`]);
    const fleet = fleetTag(spec.app.name, stack, region.name);
    const tierTag = toTag(`${fleet}-haproxy`);
    const opts = { parent };
    const useHaproxy = spec.loadBalancer.algorithm !== "round_robin";

    const network = new Network(
        name,
        { region: region.region, protect: spec.protect, transform: transform.network, ...(region.vpcIpRange ? { ipRange: region.vpcIpRange } : {}) },
        opts,
    );
    const data = createDataServices(name, spec, region, network, fleet, tags, transform, parent);
    const loadBalancer = new LoadBalancer(
        name,
        {
            region: region.region,
            vpcUuid: network.vpcId,
            dropletTag: useHaproxy ? tierTag : fleet,
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

    const env = pulumi.all([
        pulumi.output({ ...spec.app.env, ...region.env }),
        pulumi.secret(spec.app.secretEnv),
        data.databaseUrl ?? pulumi.output(undefined),
        data.redisUrl ?? pulumi.output(undefined),
    ]).apply(([plain, secret, databaseUrl, redisUrl]) => ({
        ...plain,
        ...secret,
        ...(databaseUrl !== undefined ? { DATABASE_URL: databaseUrl } : {}),
        ...(redisUrl !== undefined ? { REDIS_URL: redisUrl } : {}),
    }));

    const appFleet = new AppFleet(
        name,
        {
            region: region.region,
            vpcUuid: network.vpcId,
            size: region.size,
            replicas: region.replicas,
            container: {
                image: spec.app.image,
                port: spec.app.port,
                env,
                healthCheck: spec.app.healthCheck,
                ...(spec.app.registry
                    ? { registry: { ...spec.app.registry, password: pulumi.secret(spec.app.registry.password) } }
                    : {}),
                ...(spec.app.resources ? { resources: spec.app.resources } : {}),
            },
            fleetTag: fleet,
            trafficSources: useHaproxy ? { tags: [tierTag] } : { loadBalancerUids: [loadBalancer.id] },
            adminCidrs: spec.adminCidrs,
            sshKeys: spec.sshKeys,
            tags,
            deploymentStrategy: spec.app.deploymentStrategy,
            maxSurge: spec.app.maxSurge,
            minReadySeconds: spec.app.minReadySeconds,
            readyTimeoutSeconds: spec.app.readyTimeoutSeconds,
            // Gates read the managed load balancer's view of each replica, which it has only when it targets them.
            ...(useHaproxy ? {} : { loadBalancerId: loadBalancer.id }),
            transform: transform.fleet,
        },
        // Replicas start only once their data services exist, so their first health checks can pass.
        { parent, dependsOn: data.resources },
    );

    const haproxy = useHaproxy
        ? new HaproxyTier(
              name,
              {
                  region: region.region,
                  vpcUuid: network.vpcId,
                  tierTag,
                  servers: appFleet.privateIps.apply((ips) =>
                      ips.map((host, i) => ({ name: `replica-${i}`, host, port: spec.app.port })),
                  ),
                  algorithm: spec.loadBalancer.algorithm,
                  healthCheck: spec.app.healthCheck,
                  ...(spec.loadBalancer.stickySessions ? { stickySessions: spec.loadBalancer.stickySessions } : {}),
                  minReadySeconds: spec.app.minReadySeconds,
                  loadBalancerUids: [loadBalancer.id],
                  size: spec.loadBalancer.haproxy.size,
                  nodes: spec.loadBalancer.haproxy.nodes,
                  adminCidrs: spec.adminCidrs,
                  sshKeys: spec.sshKeys,
                  tags,
                  transform: transform.haproxy,
              },
              opts,
          )
        : undefined;

    const dns = createDns(name, spec, region, loadBalancer, parent);
    return { spec: region, network, loadBalancer, haproxy, fleet: appFleet, ...data.components, dns };
}

interface DataServices {
    readonly components: { postgres?: Postgres; cache?: Cache; dataNode?: DataNode };
    readonly resources: pulumi.Resource[];
    readonly databaseUrl?: pulumi.Output<string>;
    readonly redisUrl?: pulumi.Output<string>;
}

function createDataServices(
    name: string,
    spec: StackSpec,
    region: RegionSpec,
    network: Network,
    trustedTag: string,
    tags: string[],
    transform: WebServiceTransforms,
    parent: pulumi.Resource,
): DataServices {
    const { database, cache } = spec;
    const opts = { parent };
    const postgres =
        database.mode === "managed"
            ? new Postgres(
                  name,
                  {
                      region: region.region,
                      vpcUuid: network.vpcId,
                      trustedTag,
                      version: database.version,
                      size: database.size,
                      nodes: database.nodes,
                      databaseName: database.name,
                      userName: database.user,
                      poolSize: database.poolSize,
                      maintenanceWindow: database.maintenanceWindow,
                      protect: spec.protect,
                      tags,
                      transform: transform.postgres,
                  },
                  opts,
              )
            : undefined;
    const managedCache =
        cache.mode === "managed"
            ? new Cache(
                  name,
                  {
                      region: region.region,
                      vpcUuid: network.vpcId,
                      trustedTag,
                      version: cache.version,
                      size: cache.size,
                      nodes: cache.nodes,
                      evictionPolicy: cache.evictionPolicy,
                      protect: spec.protect,
                      tags,
                      transform: transform.cache,
                  },
                  opts,
              )
            : undefined;
    const dataNode =
        database.mode === "container" || cache.mode === "container"
            ? new DataNode(
                  name,
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
                      sshKeys: spec.sshKeys,
                      tags,
                      protect: spec.protect,
                      transform: transform.dataNode,
                  },
                  opts,
              )
            : undefined;
    const databaseUrl = postgres?.privateUri ?? (database.mode === "container" ? dataNode?.databaseUrl : undefined);
    const redisUrl = managedCache?.privateUri ?? (cache.mode === "container" ? dataNode?.redisUrl : undefined);
    return {
        components: { postgres, cache: managedCache, dataNode },
        resources: [postgres, managedCache, dataNode].filter((r): r is NonNullable<typeof r> => r !== undefined),
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(redisUrl ? { redisUrl } : {}),
    };
}

function createDns(
    name: string,
    spec: StackSpec,
    region: RegionSpec,
    loadBalancer: LoadBalancer,
    parent: pulumi.Resource,
): Dns | undefined {
    // The stack-wide https domains point at the regional load balancer only when there is one region.
    const shared = spec.regions.length === 1 ? (spec.loadBalancer.https?.domains ?? []) : [];
    const fqdns = [...new Set([...region.domains, ...shared])];
    if (fqdns.length === 0) {
        return undefined;
    }
    return new Dns(name, { records: fqdns.map((fqdn) => ({ fqdn, ip: loadBalancer.ip })), zones: spec.dnsZones }, { parent });
}

function createProject(
    service: string,
    stack: string,
    spec: StackSpec,
    units: RegionalUnit[],
    transform: WebServiceTransforms,
    parent: pulumi.Resource,
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
        name: `${spec.app.name}-${stack}`,
        description: `horizon: ${spec.app.name} (${stack})`,
        purpose: "Web Application",
        environment: projectEnvironment(stack, spec.protect),
        resources: urns,
    };
    transform.project?.(args);
    return new digitalocean.Project(childName(service, "project"), args, { parent });
}
