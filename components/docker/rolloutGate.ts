import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS } from "../core/spec";
import { type GateReplica, createRolloutGateProvider } from "./rolloutGateProvider";

/** Seconds between reads of HAProxy's stats; local, so they are cheap. */
export const DEFAULT_GATE_POLL_SECONDS = 1;
/** Module and type under which the engine shows the gate: `pulumi-nodejs:dynamic/horizon:RolloutGate`. */
export const ROLLOUT_GATE_MODULE = "horizon";
export const ROLLOUT_GATE_TYPE = "RolloutGate";

export interface RolloutGateArgs {
    /** HAProxy's stats CSV as the machine running `pulumi up` reaches it, e.g. `http://127.0.0.1:8404/stats;csv`. */
    readonly statsUrl: pulumi.Input<string>;
    /** HAProxy backend of the replicas. */
    readonly backend: pulumi.Input<string>;
    /** Ids of the wave's containers. */
    readonly containerIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Each replica's container name and address on the stack network. */
    readonly replicas: pulumi.Input<pulumi.Input<GateReplica>[]>;
    /** @default 10 */
    readonly minReadySeconds?: pulumi.Input<number>;
    /** @default 600 */
    readonly readyTimeoutSeconds?: pulumi.Input<number>;
    /** @default 1 */
    readonly pollIntervalSeconds?: pulumi.Input<number>;
}

const provider = createRolloutGateProvider();

/**
 * Waits, during `pulumi up`, until HAProxy sees every container of a wave UP for
 * `minReadySeconds`, so the next wave (which depends on the gate) starts only then, and the
 * replaced containers are deleted only after the whole update succeeded. A wave that never
 * becomes healthy fails the update with each container's last HAProxy check; the old
 * replicas keep serving, because replacements are created before the old ones are deleted.
 */
export class RolloutGate extends pulumi.dynamic.Resource {
    /** ISO time the whole wave was ready. */
    declare public readonly readyAt: pulumi.Output<string>;

    constructor(name: string, args: RolloutGateArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                statsUrl: args.statsUrl,
                backend: args.backend,
                containerIds: args.containerIds,
                replicas: args.replicas,
                minReadySeconds: args.minReadySeconds ?? DEFAULT_MIN_READY_SECONDS,
                readyTimeoutSeconds: args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS,
                pollIntervalSeconds: args.pollIntervalSeconds ?? DEFAULT_GATE_POLL_SECONDS,
                readyAt: undefined,
            },
            opts,
            ROLLOUT_GATE_MODULE,
            ROLLOUT_GATE_TYPE,
        );
    }
}
