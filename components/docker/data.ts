import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DataContainer } from "../render/dataServices";
import { postgresContainer, valkeyContainer, valkeyEvictionPolicy } from "../render/dataServices";
import type { CacheSpec, DatabaseSpec } from "../core/spec";
import { type DockerLabel, LOG_OPTIONS, seconds } from "./labels";
import type { Transform } from "../transform";
import { transformChild } from "../transform";

/** A password that is safe inside a URL and a config line. */
const PASSWORD = { length: 32, special: false } as const;

export interface DataServiceArgs {
    /** Which service, and its settings from the stack spec. */
    readonly service: { readonly kind: "postgres"; readonly database: DatabaseSpec } | { readonly kind: "valkey"; readonly cache: CacheSpec };
    /** Image override. @default - postgres:<version> or valkey/valkey:<version> */
    readonly image?: string;
    /** Name of the stack network the container joins. */
    readonly network: pulumi.Input<string>;
    /** DNS name of the service on the network; its URL uses it. */
    readonly alias: string;
    readonly labels: readonly DockerLabel[];
    /** `protect` + `retainOnDelete` on the volume. @default false */
    readonly protect?: boolean;
    readonly transform?: {
        readonly container?: Transform<docker.ContainerArgs>;
        readonly volume?: Transform<docker.VolumeArgs>;
    };
}

/**
 * Postgres or Valkey as one container with a named volume, from the definitions in
 * render/dataServices.ts: a generated password, no published port (reachable on the stack
 * network only), the definition's health command and stop timeout. The container is deleted
 * before its replacement starts: two servers must never share one data directory.
 */
export class DataService extends pulumi.ComponentResource {
    readonly volume: docker.Volume;
    readonly password: random.RandomPassword;
    readonly image: docker.RemoteImage;
    readonly container: docker.Container;
    /** `postgresql://user:pass@alias:5432/db` or `redis://:pass@alias:6379`; secret. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: DataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:docker:DataService", name, {}, opts);
        const parent = { parent: this };
        this.password = new random.RandomPassword(`${name}-password`, PASSWORD, parent);
        const definition = (password: string) => defineContainer(args, password);
        // Image, port, paths and health do not depend on the password.
        const shape = definition("unused");
        this.volume = new docker.Volume(
            `${name}-data`,
            ...transformChild<docker.VolumeArgs, pulumi.CustomResourceOptions>(
                { labels: [...args.labels] },
                { parent: this, protect: args.protect === true, retainOnDelete: args.protect === true },
                args.transform?.volume,
            ),
        );
        this.image = new docker.RemoteImage(`${name}-image`, { name: shape.image, keepLocally: true }, parent);
        const secretDefinition = pulumi.secret(this.password.result.apply(definition));
        this.container = new docker.Container(
            `${name}-container`,
            ...transformChild<docker.ContainerArgs, pulumi.CustomResourceOptions>(
                {
                    image: this.image.imageId,
                    envs: secretDefinition.apply((d) => Object.entries({ ...d.env, ...d.secretEnv }).map(([k, v]) => `${k}=${v}`)),
                    ...(shape.command.length > 0 ? { command: [...shape.command] } : {}),
                    // No networkMode: see AppReplicas (the aliases would be lost).
                    networksAdvanced: [{ name: args.network, aliases: [args.alias] }],
                    volumes: [{ volumeName: this.volume.name, containerPath: shape.dataDir }],
                    uploads: secretDefinition.apply((d) => d.files.map((f) => ({ file: f.path, content: f.content, permissions: f.secret ? "0600" : "0644" }))),
                    healthcheck: {
                        tests: ["CMD-SHELL", shape.health.command],
                        interval: seconds(shape.health.intervalSeconds),
                        timeout: seconds(shape.health.timeoutSeconds),
                        retries: shape.health.retries,
                        startPeriod: seconds(shape.health.startPeriodSeconds),
                    },
                    restart: "unless-stopped",
                    stopTimeout: shape.stopTimeoutSeconds,
                    destroyGraceSeconds: shape.stopTimeoutSeconds,
                    ...(shape.shmSizeMb !== undefined ? { shmSize: shape.shmSizeMb } : {}),
                    labels: [...args.labels],
                    ...LOG_OPTIONS,
                },
                { parent: this, deleteBeforeReplace: true },
                args.transform?.container,
            ),
        );
        this.url = pulumi.secret(
            this.password.result.apply((password) =>
                args.service.kind === "postgres"
                    ? `postgresql://${args.service.database.user}:${password}@${args.alias}:${shape.port}/${args.service.database.name}`
                    : `redis://:${password}@${args.alias}:${shape.port}`,
            ),
        );
        this.registerOutputs({ volume: this.volume, password: this.password, container: this.container, url: this.url });
    }
}

function defineContainer(args: DataServiceArgs, password: string): DataContainer {
    const service = args.service;
    return service.kind === "postgres"
        ? postgresContainer({
              version: service.database.version,
              database: service.database.name,
              user: service.database.user,
              password,
              ...(args.image !== undefined ? { image: args.image } : {}),
          })
        : valkeyContainer({
              version: service.cache.version,
              password,
              evictionPolicy: valkeyEvictionPolicy(service.cache.evictionPolicy),
              ...(args.image !== undefined ? { image: args.image } : {}),
          });
}
