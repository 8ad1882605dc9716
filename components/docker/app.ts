import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppEnv } from "../core/env";
import { replicaEnv } from "../core/env";
import { waveSize, waves } from "../core/rollout";
import type { DeploymentStrategy, HealthCheck, Resources } from "../core/spec";
import { DEFAULT_MAX_SURGE } from "../core/spec";
import { dockerHealthCheck } from "../render/healthCheck";
import { type Transform, transformChild } from "../transform";
import { type DockerLabel, LOG_OPTIONS, seconds } from "./labels";
import { RolloutGate } from "./rolloutGate";

/** Seconds a replica gets to finish requests after SIGTERM before it is killed. */
export const REPLICA_STOP_TIMEOUT_SECONDS = 30;

export interface AppReplicasArgs {
    /** Image id (or reference) the replicas run. */
    readonly image: pulumi.Input<string>;
    readonly replicas: number;
    /** Replica ids are `<prefix>-<index>` (`HORIZON_REPLICA_ID`). */
    readonly replicaIdPrefix: string;
    readonly network: pulumi.Input<string>;
    /** DNS name all replicas share on the network; HAProxy discovers them by it. */
    readonly alias: string;
    readonly port: number;
    readonly env: AppEnv;
    readonly healthCheck: HealthCheck;
    readonly resources?: Resources;
    readonly labels: readonly DockerLabel[];
    /** @default "rolling" */
    readonly deploymentStrategy?: DeploymentStrategy;
    /** @default "25%" */
    readonly maxSurge?: number | string;
    readonly minReadySeconds: number;
    readonly readyTimeoutSeconds: number;
    /** Gate each rolling wave on HAProxy's view of it. @default - no gates */
    readonly gate?: {
        readonly statsUrl: pulumi.Input<string>;
        readonly backend: string;
        /** What must exist before a gate can read anything (the HAProxy container). */
        readonly dependsOn: readonly pulumi.Resource[];
    };
    readonly transform?: { readonly container?: Transform<docker.ContainerArgs> };
}

/**
 * N replica containers of the app on the stack network, sharing one alias. Containers are
 * autonamed, so a replacement is created before the container it replaces is deleted
 * (`deleteBeforeReplace: false` overrides the Docker provider, which asks for delete first).
 * Rolling: waves of `maxSurge`, each gated on HAProxy seeing it UP for `minReadySeconds`;
 * wave N+1 depends on gate N, and old containers are deleted only after the whole update.
 */
export class AppReplicas extends pulumi.ComponentResource {
    readonly containers: docker.Container[];
    readonly gates: RolloutGate[];
    /** Container names, in replica order. */
    readonly names: pulumi.Output<string[]>;

    constructor(name: string, args: AppReplicasArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:docker:AppReplicas", name, {}, opts);
        const strategy = args.deploymentStrategy ?? "rolling";
        const gated = strategy === "rolling" && args.gate !== undefined;
        const plan = gated ? waves(args.replicas, waveSize(args.replicas, args.maxSurge ?? DEFAULT_MAX_SURGE)) : [Array.from({ length: args.replicas }, (_, i) => i)];
        this.containers = [];
        this.gates = [];
        plan.forEach((wave, w) => {
            const previous = this.gates[w - 1];
            const containers = wave.map((i) => this.createReplica(name, args, i, strategy, previous));
            this.containers.push(...containers);
            if (gated && args.gate !== undefined) {
                this.gates.push(
                    new RolloutGate(
                        `${name}-gate-${w}`,
                        {
                            statsUrl: args.gate.statsUrl,
                            backend: args.gate.backend,
                            containerIds: containers.map((c) => c.id),
                            replicas: containers.map((c) => pulumi.all([c.name, addressOn(c, args.network)]).apply(([n, address]) => ({ name: n, address }))),
                            minReadySeconds: args.minReadySeconds,
                            readyTimeoutSeconds: args.readyTimeoutSeconds,
                        },
                        { parent: this, dependsOn: [...containers, ...args.gate.dependsOn] },
                    ),
                );
            }
        });
        this.names = pulumi.all(this.containers.map((c) => c.name));
        this.registerOutputs({ containers: this.containers, gates: this.gates, names: this.names });
    }

    private createReplica(name: string, args: AppReplicasArgs, index: number, strategy: DeploymentStrategy, previousGate: RolloutGate | undefined): docker.Container {
        const health = dockerHealthCheck(args.healthCheck, args.healthCheck.port ?? args.port);
        const env = replicaEnv(args.env, `${args.replicaIdPrefix}-${index}`).apply((values) => Object.entries(values).map(([k, v]) => `${k}=${v}`));
        return new docker.Container(
            `${name}-${index}`,
            ...transformChild<docker.ContainerArgs, pulumi.CustomResourceOptions>(
                {
                    image: args.image,
                    envs: env,
                    // No networkMode, on purpose: the provider creates the container in networkMode, then
                    // leaves the default bridge and joins each networksAdvanced network with its aliases
                    // (terraform-provider-docker resource_docker_container_funcs.go). With networkMode set to
                    // the stack network, the container is on it already when the join comes, and Docker 20.10
                    // keeps that endpoint without the aliases (seen in test/docker/platform.test.ts), so the
                    // shared alias would not resolve. The container ends up on the stack network only either way.
                    networksAdvanced: [{ name: args.network, aliases: [args.alias] }],
                    restart: "unless-stopped",
                    ...(args.resources?.memoryMb !== undefined ? { memory: args.resources.memoryMb } : {}),
                    ...(args.resources?.cpu !== undefined ? { cpus: String(args.resources.cpu) } : {}),
                    healthcheck: {
                        tests: ["CMD-SHELL", health.command],
                        interval: seconds(health.intervalSeconds),
                        timeout: seconds(health.timeoutSeconds),
                        retries: health.retries,
                        startPeriod: seconds(health.startPeriodSeconds),
                    },
                    init: true,
                    stopTimeout: REPLICA_STOP_TIMEOUT_SECONDS,
                    destroyGraceSeconds: REPLICA_STOP_TIMEOUT_SECONDS,
                    labels: [...args.labels],
                    ...LOG_OPTIONS,
                },
                {
                    parent: this,
                    // Explicit, because the Docker provider asks the engine to delete a container before creating its replacement.
                    deleteBeforeReplace: strategy === "replace",
                    ...(previousGate !== undefined ? { dependsOn: [previousGate] } : {}),
                },
                args.transform?.container,
            ),
        );
    }
}

/** A container's address on the named network. */
function addressOn(container: docker.Container, network: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi
        .all([container.networkDatas, network])
        .apply(([datas, net]) => (datas ?? []).find((d) => d.networkName === net)?.ipAddress ?? "");
}
