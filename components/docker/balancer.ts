import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { HealthCheck, LoadBalancerSpec } from "../core/spec";
import { HAPROXY_BACKEND, HAPROXY_STATS_URI, renderHaproxyConfig } from "../render/haproxy";
import { type Transform, transformChild } from "../transform";
import { type DockerLabel, LOG_OPTIONS } from "./labels";

/** Where the official haproxy image reads its configuration. */
export const HAPROXY_CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg";
/** Ports inside the HAProxy container (it runs as user haproxy, so above 1024). */
export const HAPROXY_CONTAINER_PORT = 8080;
export const HAPROXY_STATS_PORT = 8404;
/** Docker's embedded DNS server, answering on every user-defined network. */
export const DOCKER_DNS = "127.0.0.11:53";
/** Prefix of HAProxy's discovered server slots: `replica1`, `replica2`, ... */
export const REPLICA_SERVER_PREFIX = "replica";

export interface BalancerArgs {
    /** The HAProxy image reference. */
    readonly image: string;
    readonly network: pulumi.Input<string>;
    /** DNS name every replica answers to on the network. */
    readonly replicaAlias: string;
    readonly replicaPort: number;
    /** Most replicas that exist at once: during a rollout the old and the new. */
    readonly slots: number;
    readonly loadBalancer: LoadBalancerSpec;
    readonly healthCheck: HealthCheck;
    readonly minReadySeconds: number;
    /** `address:port` on the Docker host for the app. */
    readonly publish: string;
    /** `address:port` on the Docker host for the stats page. */
    readonly statsPublish: string;
    readonly labels: readonly DockerLabel[];
    readonly transform?: { readonly container?: Transform<docker.ContainerArgs> };
}

/** The haproxy.cfg the balancer runs, from the one renderer every platform uses. */
export function balancerConfig(args: Pick<BalancerArgs, "replicaAlias" | "replicaPort" | "slots" | "loadBalancer" | "healthCheck" | "minReadySeconds">): string {
    return renderHaproxyConfig({
        listenPort: HAPROXY_CONTAINER_PORT,
        algorithm: args.loadBalancer.algorithm,
        servers: [],
        discovery: {
            name: REPLICA_SERVER_PREFIX,
            service: args.replicaAlias,
            port: args.healthCheck.port ?? args.replicaPort,
            slots: args.slots,
            resolver: { nameserver: DOCKER_DNS, holdValidSeconds: 1 },
        },
        healthCheck: args.healthCheck,
        ...(args.loadBalancer.stickySessions ? { stickySessions: args.loadBalancer.stickySessions } : {}),
        minReadySeconds: args.minReadySeconds,
        statsPort: HAPROXY_STATS_PORT,
        statsBindAddress: "*",
    });
}

function splitPublish(publish: string): { ip: string; external: number } {
    const cut = publish.lastIndexOf(":");
    return { ip: publish.slice(0, cut), external: Number(publish.slice(cut + 1)) };
}

/**
 * HAProxy in a container in front of the replicas, finding them through Docker's DNS
 * (`server-template` over their shared alias), so replicas come and go without a reload.
 * Published on `publish`; its stats page on `statsPublish` (the rollout gate reads it). The
 * configuration is uploaded into the container, so a change replaces the container; the
 * published port allows one HAProxy at a time, so the old one is deleted first.
 */
export class Balancer extends pulumi.ComponentResource {
    readonly image: docker.RemoteImage;
    readonly container: docker.Container;
    readonly config: string;
    /** `http://<publish>`. */
    readonly url: string;
    /** HAProxy's stats CSV as seen from the Docker host. */
    readonly statsUrl: string;

    constructor(name: string, args: BalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:docker:Balancer", name, {}, opts);
        this.config = balancerConfig(args);
        const app = splitPublish(args.publish);
        const stats = splitPublish(args.statsPublish);
        this.image = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, { parent: this });
        this.container = new docker.Container(
            `${name}-haproxy`,
            ...transformChild<docker.ContainerArgs, pulumi.CustomResourceOptions>(
                {
                    image: this.image.imageId,
                    // No networkMode: see AppReplicas (the aliases would be lost).
                    networksAdvanced: [{ name: args.network }],
                    ports: [
                        { internal: HAPROXY_CONTAINER_PORT, external: app.external, ip: app.ip },
                        { internal: HAPROXY_STATS_PORT, external: stats.external, ip: stats.ip },
                    ],
                    uploads: [{ file: HAPROXY_CONFIG_PATH, content: this.config }],
                    restart: "unless-stopped",
                    // SIGUSR1 (the image's stop signal) lets open connections finish; hard-stop-after bounds it.
                    stopTimeout: 35,
                    destroyGraceSeconds: 35,
                    labels: [...args.labels],
                    ...LOG_OPTIONS,
                },
                { parent: this, deleteBeforeReplace: true },
                args.transform?.container,
            ),
        );
        this.url = `http://${args.publish}`;
        this.statsUrl = `http://${args.statsPublish}${HAPROXY_STATS_URI};csv`;
        this.registerOutputs({ container: this.container, url: this.url, statsUrl: this.statsUrl });
    }
}

export { HAPROXY_BACKEND };
