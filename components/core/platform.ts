import type * as pulumi from "@pulumi/pulumi";
import type { AppEnv, DataEndpoints } from "./env";
import type { ServiceSpec } from "./spec";

/** What every step of a platform knows about the service it builds. */
export interface ServiceContext<S extends ServiceSpec> {
    /** The WebService's name; every child name starts with it. */
    readonly service: string;
    /** Stack name, used in tags, labels and the project's environment. */
    readonly stack: string;
    readonly spec: S;
    /** Tags (labels) every resource that takes them carries: owner, stack, user extras. */
    readonly tags: readonly string[];
    /** The WebService itself: parent of every regional component. */
    readonly parent: pulumi.Resource;
}

/** One region of the service. */
export interface RegionContext<S extends ServiceSpec> extends ServiceContext<S> {
    readonly region: S["regions"][number];
    /** `<service>-<region>`: the prefix of this region's children (`-network`, `-fleet`, `-lb`, ...). */
    readonly name: string;
    /** Position in `spec.regions`; the first region is the default primary. */
    readonly index: number;
}

/** A region's data services: the app's connection strings and what replicas wait for. */
export interface RegionData extends DataEndpoints {
    /** Resources the replicas depend on, so their first health checks can pass. */
    readonly resources: readonly pulumi.Resource[];
}

/** What a platform returns for one region. */
export interface RegionEndpoints {
    /** Public URL of the region's entry point. */
    readonly url: pulumi.Output<string>;
    /** Address of the region's load balancer (an IP, or `host:port` for one Docker host). */
    readonly address: pulumi.Output<string>;
    /** Addresses of the replicas, where the platform has them (droplet IPs). @default - none */
    readonly replicaAddresses?: pulumi.Output<string[]>;
}

/** What a platform returns once every region exists. */
export interface ServiceEndpoints {
    /** The one entry point across regions, when the platform puts one in front. @default - none */
    readonly globalUrl?: pulumi.Output<string>;
    /** Extra stack outputs the platform wants users to see. */
    readonly outputs: Readonly<Record<string, pulumi.Input<unknown>>>;
}

/**
 * One way to run the service. `WebService` calls, per region in order, `data()`, then
 * assembles the env (`core/env.ts`), then `app()`; and once all regions exist, `finish()`.
 * `D` is the platform's own region state carried from `data()` to `app()` (its network,
 * cluster or Docker network); `U` is what it keeps per region and shows users.
 */
export interface Platform<S extends ServiceSpec, D extends RegionData, U extends RegionEndpoints> {
    readonly name: S["platform"];
    /** Foundation and data services of one region: network or cluster, Postgres, cache. */
    data(ctx: RegionContext<S>): D;
    /** Replicas and load balancing of one region, with the env every replica gets. */
    app(ctx: RegionContext<S>, data: D, env: AppEnv): U;
    /** Resources that span regions (project, global load balancer). */
    finish(ctx: ServiceContext<S>, units: readonly U[]): ServiceEndpoints;
}
