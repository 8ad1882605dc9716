import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppEnv } from "../core/env";
import { childName } from "../core/names";
import type { Platform, RegionContext, RegionData, RegionEndpoints } from "../core/platform";
import type { DockerRegion, DockerSpec } from "../core/spec";
import { AppReplicas, type AppReplicasArgs } from "./app";
import { Balancer, type BalancerArgs, HAPROXY_BACKEND } from "./balancer";
import { DataService, type DataServiceArgs } from "./data";
import { dockerLabels } from "./labels";

/** Per-child escape hatches, passed to every region's components. */
export interface DockerTransforms {
    readonly network?: (args: docker.NetworkArgs) => void;
    readonly replicas?: AppReplicasArgs["transform"];
    readonly balancer?: BalancerArgs["transform"];
    readonly postgres?: DataServiceArgs["transform"];
    readonly cache?: DataServiceArgs["transform"];
}

/** A region's network and data services, handed from `data()` to `app()`. */
export interface DockerRegionData extends RegionData {
    readonly network: docker.Network;
    /** The explicit provider when `docker.host` is set. */
    readonly provider?: docker.Provider;
    readonly postgres?: DataService;
    readonly cache?: DataService;
}

/** Everything one region runs on its Docker host. */
export interface DockerRegionUnit extends RegionEndpoints {
    readonly spec: DockerRegion;
    readonly network: docker.Network;
    readonly balancer: Balancer;
    readonly replicas: AppReplicas;
    readonly appImage: docker.RemoteImage | docker.Image;
    readonly postgres?: DataService;
    readonly cache?: DataService;
}

/** The DNS name all replicas of a region share on its network (HAProxy discovers them by it). */
export function replicaAlias(regionName: string): string {
    return childName(regionName, "app");
}

/**
 * One Docker host: per region a user-defined network, Postgres and Valkey containers with
 * named volumes, N app replicas sharing a network alias, and HAProxy in front finding them
 * through Docker's DNS; rolling waves are gated on HAProxy's stats.
 */
export function dockerPlatform(transform: DockerTransforms = {}): Platform<DockerSpec, DockerRegionData, DockerRegionUnit> {
    return {
        name: "docker",
        data: (ctx) => createData(ctx, transform),
        app: (ctx, data, env) => createApp(ctx, data, env, transform),
        finish: (_ctx, units) => ({
            outputs: {
                containers: pulumi.all(Object.fromEntries(units.map((u) => [u.spec.name, u.replicas.names]))),
            },
        }),
    };
}

function createData(ctx: RegionContext<DockerSpec>, transform: DockerTransforms): DockerRegionData {
    const { spec, name } = ctx;
    const settings = spec.docker;
    const provider =
        settings.host !== undefined
            ? new docker.Provider(childName(name, "docker"), { host: settings.host, ...(settings.sshOpts.length > 0 ? { sshOpts: [...settings.sshOpts] } : {}) }, { parent: ctx.parent })
            : undefined;
    const opts: pulumi.ComponentResourceOptions = { parent: ctx.parent, ...(provider !== undefined ? { providers: [provider] } : {}) };
    const networkArgs: docker.NetworkArgs = {
        ...(settings.network !== undefined ? { name: settings.network } : {}),
        driver: "bridge",
        labels: dockerLabels(ctx.tags, "network"),
    };
    transform.network?.(networkArgs);
    const network = new docker.Network(childName(name, "network"), networkArgs, { parent: ctx.parent, ...(provider !== undefined ? { provider } : {}) });

    const postgres =
        spec.database.mode === "container"
            ? new DataService(
                  childName(name, "pg"),
                  {
                      service: { kind: "postgres", database: spec.database },
                      ...(settings.images.postgres !== undefined ? { image: settings.images.postgres } : {}),
                      network: network.name,
                      alias: childName(name, "pg"),
                      labels: dockerLabels(ctx.tags, "database"),
                      protect: spec.protect,
                      transform: transform.postgres,
                  },
                  opts,
              )
            : undefined;
    const cache =
        spec.cache.mode === "container"
            ? new DataService(
                  childName(name, "cache"),
                  {
                      service: { kind: "valkey", cache: spec.cache },
                      ...(settings.images.valkey !== undefined ? { image: settings.images.valkey } : {}),
                      network: network.name,
                      alias: childName(name, "cache"),
                      labels: dockerLabels(ctx.tags, "cache"),
                      protect: spec.protect,
                      transform: transform.cache,
                  },
                  opts,
              )
            : undefined;
    return {
        network,
        provider,
        postgres,
        cache,
        resources: [postgres, cache].filter((r): r is DataService => r !== undefined),
        ...(postgres !== undefined ? { databaseUrl: postgres.url } : {}),
        ...(cache !== undefined ? { redisUrl: cache.url } : {}),
    };
}

function createApp(ctx: RegionContext<DockerSpec>, data: DockerRegionData, env: AppEnv, transform: DockerTransforms): DockerRegionUnit {
    const { spec, region, name } = ctx;
    const settings = spec.docker;
    const provider = data.provider;
    const opts: pulumi.ComponentResourceOptions = { parent: ctx.parent, ...(provider !== undefined ? { providers: [provider] } : {}) };
    const alias = replicaAlias(name);
    const imageOpts = { parent: ctx.parent, ...(provider !== undefined ? { provider } : {}) };
    const appImage =
        settings.build !== undefined
            ? new docker.Image(
                  childName(name, "image"),
                  { imageName: spec.app.image, build: { context: settings.build.context, dockerfile: settings.build.dockerfile }, skipPush: true },
                  imageOpts,
              )
            : new docker.RemoteImage(childName(name, "image"), { name: spec.app.image, keepLocally: true }, imageOpts);
    // A built image is referred to by digest where the provider reports one, so a rebuild replaces the replicas.
    const imageRef =
        appImage instanceof docker.Image
            ? pulumi.all([appImage.repoDigest, appImage.imageName]).apply(([digest, imageName]) => (digest !== undefined && digest !== "" ? digest : imageName))
            : appImage.imageId;

    const balancer = new Balancer(
        childName(name, "lb"),
        {
            image: settings.images.haproxy,
            network: data.network.name,
            replicaAlias: alias,
            replicaPort: spec.app.port,
            slots: 2 * region.replicas,
            loadBalancer: spec.loadBalancer,
            healthCheck: spec.app.healthCheck,
            minReadySeconds: spec.app.minReadySeconds,
            publish: settings.publish,
            statsPublish: settings.statsPublish,
            labels: dockerLabels(ctx.tags, "balancer"),
            transform: transform.balancer,
        },
        opts,
    );

    const replicas = new AppReplicas(
        childName(name, "app"),
        {
            image: imageRef,
            replicas: region.replicas,
            replicaIdPrefix: name,
            network: data.network.name,
            alias,
            port: spec.app.port,
            env,
            healthCheck: spec.app.healthCheck,
            ...(spec.app.resources !== undefined ? { resources: spec.app.resources } : {}),
            labels: dockerLabels(ctx.tags, "app"),
            deploymentStrategy: spec.app.deploymentStrategy,
            maxSurge: spec.app.maxSurge,
            minReadySeconds: spec.app.minReadySeconds,
            readyTimeoutSeconds: spec.app.readyTimeoutSeconds,
            gate: { statsUrl: balancer.statsUrl, backend: HAPROXY_BACKEND, dependsOn: [balancer] },
            transform: transform.replicas,
        },
        // Replicas start once their data services exist, so their first health checks can pass.
        { ...opts, dependsOn: [...data.resources] },
    );

    return {
        spec: region,
        url: pulumi.output(balancer.url),
        address: pulumi.output(settings.publish),
        network: data.network,
        balancer,
        replicas,
        appImage,
        postgres: data.postgres,
        cache: data.cache,
    };
}
