import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AppEnv } from "../core/env";
import { childName, roleTag, toTag } from "../core/names";
import type { Platform, RegionContext, RegionData, RegionEndpoints } from "../core/platform";
import { waveSize } from "../core/rollout";
import { balancedByHaproxy, type KubernetesRegion, type KubernetesSpec } from "../core/spec";
import { POSTGRES_PORT, postgresContainer, VALKEY_PORT, valkeyContainer, valkeyEvictionPolicy } from "../render/dataServices";
import { loadBalancerName } from "../render/doServiceAnnotations";
import { Cache, type CacheArgs, cacheSettings } from "../digitalocean/cache";
import { Dns } from "../digitalocean/dns";
import { Network, type NetworkArgs } from "../digitalocean/network";
import { Postgres, type PostgresArgs, postgresSettings } from "../digitalocean/postgres";
import { type AppIngress, KubernetesApp, type KubernetesAppArgs } from "./app";
import { Cluster, type ClusterArgs } from "./cluster";
import { DataService, type DataServiceArgs } from "./dataService";
import { trustClusterFirewall } from "./databaseFirewall";
import { InClusterHaproxy, type InClusterHaproxyArgs } from "./haproxy";
import { workloadLabels } from "./labels";
import { Namespace, type NamespaceArgs } from "./namespace";

/** Requests and limits of the in-cluster data services. */
export const POSTGRES_RESOURCES = { cpu: 0.5, memoryMb: 1024 } as const;
export const VALKEY_RESOURCES = { cpu: 0.25, memoryMb: 512 } as const;
/** Valkey evicts (by `cache.evictionPolicy`) at this share of its memory limit, before the kernel kills it. */
const VALKEY_MAXMEMORY_SHARE = 0.75;

/** Per-child escape hatches, passed through to every region's components. */
export interface KubernetesTransforms {
    readonly network?: NetworkArgs["transform"];
    readonly cluster?: ClusterArgs["transform"];
    readonly namespace?: NamespaceArgs["transform"];
    readonly app?: KubernetesAppArgs["transform"];
    readonly haproxy?: InClusterHaproxyArgs["transform"];
    readonly postgres?: PostgresArgs["transform"];
    readonly cache?: CacheArgs["transform"];
    readonly dataService?: DataServiceArgs["transform"];
}

/** A region's cluster, namespace and data services, handed from `data()` to `app()`. */
export interface KubernetesRegionData extends RegionData {
    readonly network?: Network;
    readonly cluster: Cluster;
    readonly namespace: Namespace;
    readonly postgres?: Postgres;
    readonly cache?: Cache;
    readonly postgresStatefulSet?: DataService;
    readonly valkeyStatefulSet?: DataService;
}

/** Everything one region runs on Kubernetes. */
export interface KubernetesRegionUnit extends RegionEndpoints, Omit<KubernetesRegionData, keyof RegionData> {
    readonly spec: KubernetesRegion;
    readonly app: KubernetesApp;
    readonly haproxy?: InClusterHaproxy;
    readonly certificate?: digitalocean.Certificate;
    readonly dns?: Dns;
}

/**
 * Kubernetes: per region a DOKS cluster in the region's VPC (or an existing cluster), a
 * restricted namespace, data services (managed clusters trusting the cluster, or
 * StatefulSets), the app's Deployment with its autoscaler and disruption budget, and a
 * LoadBalancer Service (with an in-cluster HAProxy behind it for algorithms DigitalOcean's
 * load balancer lacks).
 */
export function kubernetesPlatform(transform: KubernetesTransforms = {}): Platform<KubernetesSpec, KubernetesRegionData, KubernetesRegionUnit> {
    return {
        name: "kubernetes",
        data: (ctx) => createData(ctx, transform),
        app: (ctx, data, env) => createApp(ctx, data, env, transform),
        finish: (_ctx, units) => ({
            outputs: {
                kubernetes: pulumi.all(
                    Object.fromEntries(
                        units.map((u) => [
                            u.spec.name,
                            pulumi.all({ namespace: u.namespace.name, clusterId: u.cluster.clusterId ?? "", version: u.cluster.version ?? "" }),
                        ]),
                    ),
                ),
            },
        }),
    };
}

/** `app.kubernetes.io/instance`: one app's stack and region, within a label value's 63 characters. */
function instanceLabel(ctx: RegionContext<KubernetesSpec>): string {
    return `${ctx.spec.app.name}-${ctx.stack}-${ctx.region.name}`.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 63).replace(/[^A-Za-z0-9]+$/, "");
}

function labelsFor(ctx: RegionContext<KubernetesSpec>) {
    const instance = instanceLabel(ctx);
    const app = ctx.spec.app.name;
    const region = ctx.region.region;
    return {
        app: workloadLabels(app, instance, "web", "app", region),
        haproxy: workloadLabels(app, instance, "haproxy", "haproxy", region),
        postgres: workloadLabels(app, instance, "postgres", "database", region),
        valkey: workloadLabels(app, instance, "valkey", "cache", region),
    };
}

function createData(ctx: RegionContext<KubernetesSpec>, transform: KubernetesTransforms): KubernetesRegionData {
    const { spec, region, name } = ctx;
    const settings = spec.kubernetes.cluster;
    const opts = { parent: ctx.parent };
    const network =
        settings.mode === "doks"
            ? new Network(
                  childName(name, "network"),
                  { region: region.region, protect: spec.protect, transform: transform.network, ...(region.vpcIpRange ? { ipRange: region.vpcIpRange } : {}) },
                  opts,
              )
            : undefined;
    const nodeTag = toTag(`${spec.app.name}-${ctx.stack}-${region.name}-nodes`);
    const cluster = new Cluster(
        childName(name, "cluster"),
        {
            mode: settings.mode,
            region: region.region,
            ...(network ? { vpcUuid: network.vpcId } : {}),
            settings,
            tags: [...ctx.tags, roleTag("app")],
            nodeTag,
            transform: transform.cluster,
        },
        opts,
    );
    const k8sOpts = { parent: ctx.parent, providers: [cluster.provider] };
    const labels = labelsFor(ctx);
    const namespace = new Namespace(
        childName(name, "ns"),
        {
            name: spec.kubernetes.namespace ?? spec.app.name,
            labels: { "app.kubernetes.io/part-of": spec.app.name, "app.kubernetes.io/managed-by": "horizon" },
            transform: transform.namespace,
        },
        k8sOpts,
    );

    const { database, cache } = spec;
    // Managed clusters join the cluster's VPC and trust the cluster itself (config requires both
    // for an existing cluster).
    const vpcUuid = network?.vpcId ?? settings.vpcUuid;
    const trust = vpcUuid !== undefined && cluster.clusterId !== undefined ? { vpcUuid, clusterId: cluster.clusterId } : undefined;
    const postgres =
        trust && database.mode === "managed"
            ? new Postgres(
                  childName(name, "pg"),
                  {
                      region: region.region,
                      vpcUuid: trust.vpcUuid,
                      trustedTag: nodeTag,
                      ...postgresSettings(database, spec.protect),
                      tags: [...ctx.tags, roleTag("database")],
                      transform: { ...transform.postgres, firewall: trustClusterFirewall(trust.clusterId, transform.postgres?.firewall) },
                  },
                  opts,
              )
            : undefined;
    const managedCache =
        trust && cache.mode === "managed"
            ? new Cache(
                  childName(name, "cache"),
                  {
                      region: region.region,
                      vpcUuid: trust.vpcUuid,
                      trustedTag: nodeTag,
                      ...cacheSettings(cache, spec.protect),
                      tags: [...ctx.tags, roleTag("cache")],
                      transform: { ...transform.cache, firewall: trustClusterFirewall(trust.clusterId, transform.cache?.firewall) },
                  },
                  opts,
              )
            : undefined;

    const dataOpts = { ...k8sOpts, dependsOn: [namespace] };
    const postgresStatefulSet =
        database.mode === "container"
            ? new DataService(
                  childName(name, "pg"),
                  {
                      namespace: namespace.name,
                      objectName: `${spec.app.name}-postgres`,
                      labels: labels.postgres,
                      container: (p) => postgresContainer({ version: database.version, database: database.name, user: database.user, password: p }),
                      password: dataPassword(ctx, "pg"),
                      volumeSizeGb: database.volumeSizeGb,
                      resources: POSTGRES_RESOURCES,
                      clients: labels.app.selector,
                      retainVolume: spec.protect,
                      transform: transform.dataService,
                  },
                  dataOpts,
              )
            : undefined;
    const valkeyStatefulSet =
        cache.mode === "container"
            ? new DataService(
                  childName(name, "valkey"),
                  {
                      namespace: namespace.name,
                      objectName: `${spec.app.name}-valkey`,
                      labels: labels.valkey,
                      container: (p) =>
                          valkeyContainer({
                              version: cache.version,
                              password: p,
                              evictionPolicy: valkeyEvictionPolicy(cache.evictionPolicy),
                              maxMemoryMb: Math.floor(VALKEY_RESOURCES.memoryMb * VALKEY_MAXMEMORY_SHARE),
                          }),
                      password: dataPassword(ctx, "valkey"),
                      // The append-only file lives on a volume the size of the database's.
                      volumeSizeGb: database.volumeSizeGb,
                      resources: VALKEY_RESOURCES,
                      clients: labels.app.selector,
                      retainVolume: spec.protect,
                      transform: transform.dataService,
                  },
                  dataOpts,
              )
            : undefined;

    const databaseUrl =
        postgres?.privateUri ??
        (postgresStatefulSet
            ? pulumi.secret(
                  pulumi.interpolate`postgresql://${database.user}:${postgresStatefulSet.password}@${postgresStatefulSet.host}:${POSTGRES_PORT}/${database.name}`,
              )
            : undefined);
    const redisUrl =
        managedCache?.privateUri ??
        (valkeyStatefulSet
            ? pulumi.secret(pulumi.interpolate`redis://default:${valkeyStatefulSet.password}@${valkeyStatefulSet.host}:${VALKEY_PORT}`)
            : undefined);
    return {
        network,
        cluster,
        namespace,
        postgres,
        cache: managedCache,
        postgresStatefulSet,
        valkeyStatefulSet,
        resources: [namespace, postgres, managedCache, postgresStatefulSet, valkeyStatefulSet].filter((r): r is NonNullable<typeof r> => r !== undefined),
        ...(databaseUrl ? { databaseUrl } : {}),
        ...(redisUrl ? { redisUrl } : {}),
    };
}

/** A generated password for an in-cluster data service (letters and digits, so URLs need no escaping). */
function dataPassword(ctx: RegionContext<KubernetesSpec>, role: string): pulumi.Output<string> {
    return new random.RandomPassword(childName(ctx.name, `${role}-password`), { length: 32, special: false }, { parent: ctx.parent }).result;
}

/**
 * Where the load balancer's traffic comes from as the pods see it: DigitalOcean's load
 * balancer sits in the VPC and reaches pods through the nodes (node addresses in the VPC, or
 * the pod range after the node forwards it). Empty (anywhere, on the app port only) when the
 * ranges are not known: an existing cluster, or a VPC range DigitalOcean picks.
 */
function balancerSources(ctx: RegionContext<KubernetesSpec>): string[] {
    const cluster = ctx.spec.kubernetes.cluster;
    return cluster.mode === "doks" && ctx.region.vpcIpRange !== undefined ? [ctx.region.vpcIpRange, cluster.clusterSubnet] : [];
}

function createApp(ctx: RegionContext<KubernetesSpec>, data: KubernetesRegionData, env: AppEnv, transform: KubernetesTransforms): KubernetesRegionUnit {
    const { spec, region, name } = ctx;
    const lb = spec.loadBalancer;
    const useHaproxy = balancedByHaproxy(lb.algorithm);
    const labels = labelsFor(ctx);
    const k8sOpts = { parent: ctx.parent, providers: [data.cluster.provider] };
    const certificate = lb.https ? createCertificate(ctx, lb.https.domains) : undefined;
    const loadBalancer = {
        serviceName: useHaproxy ? `${spec.app.name}-haproxy` : spec.app.name,
        loadBalancerName: loadBalancerName(`${spec.app.name}-${ctx.stack}-${region.name}`),
        sizeUnit: lb.sizeUnit,
        ...(lb.https && certificate ? { https: { certificateName: certificate.name, redirectHttp: lb.https.redirectHttp } } : {}),
        extraAnnotations: spec.kubernetes.serviceAnnotations,
    };
    const sources = balancerSources(ctx);
    const ingress: AppIngress = useHaproxy ? { pods: labels.haproxy.selector } : { cidrs: sources };
    const app = new KubernetesApp(
        childName(name, "app"),
        {
            namespace: data.namespace.name,
            objectName: spec.app.name,
            labels: labels.app,
            image: spec.app.image,
            port: spec.app.port,
            env: env.plain,
            secretEnv: env.secret,
            healthCheck: spec.app.healthCheck,
            replicas: region.replicas,
            ...(spec.autoscaling ? { autoscaling: spec.autoscaling } : {}),
            deploymentStrategy: spec.app.deploymentStrategy,
            maxSurge: spec.app.maxSurge,
            minReadySeconds: spec.app.minReadySeconds,
            readyTimeoutSeconds: spec.app.readyTimeoutSeconds,
            ...(spec.app.resources ? { resources: spec.app.resources } : {}),
            ...(spec.app.registry ? { registry: pulumi.secret(spec.app.registry) } : {}),
            ...(spec.kubernetes.runAsUser !== undefined ? { runAsUser: spec.kubernetes.runAsUser } : {}),
            ingress,
            // Behind HAProxy the pods get a headless Service and HAProxy pins the sessions.
            ...(useHaproxy ? {} : { loadBalancer: { ...loadBalancer, ...(lb.stickySessions ? { stickySessions: lb.stickySessions } : {}) } }),
            transform: transform.app,
        },
        // Pods start once their data services exist, so their first health checks can pass.
        { ...k8sOpts, dependsOn: [...data.resources] },
    );
    const mostPods = spec.autoscaling?.maxReplicas ?? region.replicas;
    const haproxy = useHaproxy
        ? new InClusterHaproxy(
              childName(name, "haproxy"),
              {
                  namespace: data.namespace.name,
                  objectName: `${spec.app.name}-haproxy`,
                  labels: labels.haproxy,
                  algorithm: lb.algorithm,
                  healthCheck: spec.app.healthCheck,
                  ...(lb.stickySessions ? { stickySessions: lb.stickySessions } : {}),
                  minReadySeconds: spec.app.minReadySeconds,
                  // Slots for every pod a rollout at the autoscaler's maximum can have at once.
                  discovery: { service: app.serviceName, port: spec.app.port, slots: mostPods + waveSize(mostPods, spec.app.maxSurge) },
                  sourceCidrs: sources,
                  loadBalancer,
                  transform: transform.haproxy,
              },
              { ...k8sOpts, dependsOn: [data.namespace] },
          )
        : undefined;
    const address = haproxy?.address ?? app.address;
    const dns = createDns(ctx, address);
    const domain = lb.https?.domains[0];
    return {
        spec: region,
        url: domain !== undefined ? pulumi.output(`https://${domain}`) : pulumi.interpolate`http://${address}`,
        address,
        network: data.network,
        cluster: data.cluster,
        namespace: data.namespace,
        postgres: data.postgres,
        cache: data.cache,
        postgresStatefulSet: data.postgresStatefulSet,
        valkeyStatefulSet: data.valkeyStatefulSet,
        app,
        haproxy,
        certificate,
        dns,
    };
}

/** A Let's Encrypt certificate the load balancer terminates TLS with; the Service names it (the name survives renewals). */
function createCertificate(ctx: RegionContext<KubernetesSpec>, domains: readonly string[]): digitalocean.Certificate {
    return new digitalocean.Certificate(childName(ctx.name, "cert"), { type: "lets_encrypt", domains: [...domains] }, { parent: ctx.parent });
}

function createDns(ctx: RegionContext<KubernetesSpec>, address: pulumi.Output<string>): Dns | undefined {
    const { spec, region } = ctx;
    const shared = spec.regions.length === 1 ? (spec.loadBalancer.https?.domains ?? []) : [];
    const fqdns = [...new Set([...region.domains, ...shared])];
    if (fqdns.length === 0) {
        return undefined;
    }
    return new Dns(childName(ctx.name, "dns"), { records: fqdns.map((fqdn) => ({ fqdn, ip: address })), zones: spec.dnsZones }, { parent: ctx.parent });
}
