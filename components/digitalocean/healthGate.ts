import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS } from "../core/spec";
import { createHealthGateProvider } from "./healthGateProvider";

export { DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS };
export const DEFAULT_POLL_INTERVAL_SECONDS = 10;

/** Module and type under which the engine shows the gate: `pulumi-nodejs:dynamic/horizon:HealthGate`. */
export const HEALTH_GATE_MODULE = "horizon";
export const HEALTH_GATE_TYPE = "HealthGate";

export interface HealthGateArgs {
    /** The load balancer whose health checks decide. */
    readonly loadBalancerId: pulumi.Input<string>;
    /** The wave of droplets that must all be healthy. */
    readonly dropletIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The tag every droplet behind the load balancer carries. The gate lists its droplets to
     * match health series by droplet name and private IP as well as id, and fails at once when
     * the series name none of them. @default - match by id only, fail only at the timeout
     */
    readonly fleetTag?: pulumi.Input<string>;
    /** Seconds every droplet must stay healthy, between distinct health samples, before the gate opens. @default 10 */
    readonly minReadySeconds?: pulumi.Input<number>;
    /** Seconds the wave may take; after that the update fails naming the droplets that are not ready. @default 600 */
    readonly readyTimeoutSeconds?: pulumi.Input<number>;
    /** Seconds between reads of the load balancer's health metrics. @default 10 */
    readonly pollIntervalSeconds?: pulumi.Input<number>;
}

/** One provider object for every gate: Pulumi caches the serialized text per object, so it is built once per run. */
const provider = createHealthGateProvider();

/**
 * Waits, during `pulumi up`, until a wave of droplets is healthy behind its load balancer,
 * so whatever depends on the gate (the next wave, and at the end of the update the deletion
 * of the droplets being replaced) happens only after the new droplets serve.
 *
 * The wait runs on create and whenever `dropletIds` or `loadBalancerId` change; changing
 * only the timing inputs does not wait again. Deleting the gate does nothing.
 *
 * The API token is not an input, because inputs are stored in the state. The provider reads
 * it where it runs: the `digitalocean:token` config secret (handed to dynamic providers by
 * Pulumi's `configure`), else `DIGITALOCEAN_TOKEN` or `DIGITALOCEAN_ACCESS_TOKEN` from the
 * environment of `pulumi up`. The API URL follows `digitalocean:apiEndpoint`, else
 * `DIGITALOCEAN_API_URL`, else `https://api.digitalocean.com`.
 */
export class HealthGate extends pulumi.dynamic.Resource {
    /** The droplets seen healthy, sorted. */
    declare public readonly healthyDropletIds: pulumi.Output<string[]>;
    /** ISO time the whole wave was ready. */
    declare public readonly readyAt: pulumi.Output<string>;

    constructor(name: string, args: HealthGateArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...resolveArgs(args), healthyDropletIds: undefined, readyAt: undefined }, opts, HEALTH_GATE_MODULE, HEALTH_GATE_TYPE);
    }
}

function resolveArgs(args: HealthGateArgs): Required<HealthGateArgs> {
    return {
        loadBalancerId: args.loadBalancerId,
        dropletIds: args.dropletIds,
        fleetTag: args.fleetTag ?? "",
        minReadySeconds: args.minReadySeconds ?? DEFAULT_MIN_READY_SECONDS,
        readyTimeoutSeconds: args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS,
        pollIntervalSeconds: args.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS,
    };
}
