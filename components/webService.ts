import * as pulumi from "@pulumi/pulumi";
import { parseStackSpec } from "./config/load";
import type { StackSpec, StackSpecInput } from "./core/spec";
import { assembleEnv } from "./core/env";
import { childName, standardTags } from "./core/names";
import type { Platform, RegionData, RegionEndpoints, ServiceContext } from "./core/platform";
import type { ServiceSpec } from "./core/spec";
import { type DropletTransforms, dropletsPlatform } from "./digitalocean/platform";

/** Per-child escape hatches, passed to the platform that builds the children. */
export type WebServiceTransforms = DropletTransforms & {
    /**
     * Escape hatches of platform kubernetes: a `KubernetesTransforms` from `horizon/kubernetes`.
     * Typed there, so the root's declarations never need the optional @pulumi/kubernetes.
     */
    readonly kubernetes?: object;
};

export interface WebServiceOptions extends pulumi.ComponentResourceOptions {
    /** Used in tags, names and the project's environment. @default pulumi.getStack() */
    readonly stack?: string;
    readonly transform?: WebServiceTransforms;
}

/** What `WebService.regions` holds: the platform's own view of each region. */
export type RegionalUnit = RegionEndpoints & Record<string, unknown>;

// A platform over any spec, as WebService drives it.
type AnyPlatform = Platform<ServiceSpec, RegionData, RegionEndpoints>;

/**
 * One typed spec in, one platform's resources out. Per region, in order: the platform's
 * data services (`data()`), the env every replica gets (`core/env.ts`), then replicas and
 * load balancing (`app()`); once every region exists, what spans them (`finish()`).
 *
 * `spec` has the shape of the stack configuration without the `horizon:` prefix; defaults may
 * be left out. Bad input throws one `ConfigError` listing every problem, before any resource
 * is created.
 */
export class WebService extends pulumi.ComponentResource {
    readonly spec: StackSpec;
    readonly regions: Record<string, RegionalUnit>;
    /** Public URL per region. */
    readonly urls: pulumi.Output<Record<string, string>>;
    /** Load balancer address per region. */
    readonly loadBalancerIps: pulumi.Output<Record<string, string>>;
    /** Replica addresses per region, where the platform has them. */
    readonly replicaAddresses: pulumi.Output<Record<string, string[]>>;
    /** Stack outputs the platform adds (for droplets: `project`, `dropletIps`). */
    readonly platformOutputs: Readonly<Record<string, pulumi.Input<unknown>>>;

    constructor(name: string, spec: StackSpecInput | StackSpec, opts: WebServiceOptions = {}) {
        const stack = opts.stack ?? pulumi.getStack();
        const parsed = parseStackSpec(spec, { stack }).spec;
        const platform = choosePlatform(parsed, opts);
        const { stack: _stack, transform: _transform, ...componentOpts } = opts;
        super("horizon:service:WebService", name, {}, componentOpts);
        this.spec = parsed;

        const service: ServiceContext<ServiceSpec> = {
            service: name,
            stack,
            spec: parsed,
            tags: standardTags(parsed.app.name, stack, parsed.tags),
            parent: this,
        };
        const units = parsed.regions.map((region, index) => {
            const ctx = {
                ...service,
                region,
                index,
                name: childName(name, region.name),
                tags: [...service.tags, `horizon:region:${region.name}`],
            };
            const data = platform.data(ctx);
            const env = assembleEnv(parsed.app, region, data);
            return platform.app(ctx, data, env);
        });
        const finished = platform.finish(service, units);

        const byRegion = <T>(pick: (unit: RegionEndpoints) => pulumi.Output<T> | undefined, none: T) => {
            const entries: Record<string, pulumi.Input<T>> = {};
            parsed.regions.forEach((region, i) => {
                entries[region.name] = pick(units[i]) ?? none;
            });
            return pulumi.all(entries) as unknown as pulumi.Output<Record<string, T>>;
        };
        this.regions = Object.fromEntries(parsed.regions.map((region, i) => [region.name, units[i] as RegionalUnit]));
        this.urls = byRegion((u) => u.url, "");
        this.loadBalancerIps = byRegion((u) => u.address, "");
        this.replicaAddresses = byRegion((u) => u.replicaAddresses, [] as string[]);
        this.platformOutputs = finished.outputs;
        this.registerOutputs({
            urls: this.urls,
            loadBalancerIps: this.loadBalancerIps,
            replicaAddresses: this.replicaAddresses,
            ...finished.outputs,
        });
    }
}

function choosePlatform(spec: StackSpec, opts: WebServiceOptions): AnyPlatform {
    switch (spec.platform) {
        case "droplets":
            return dropletsPlatform(opts.transform) as unknown as AnyPlatform;
        case "kubernetes":
            // Loaded only for this platform, so the root import never needs @pulumi/kubernetes (an optional peer).
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return (require("./kubernetes/platform") as typeof import("./kubernetes/platform")).kubernetesPlatform(
                opts.transform?.kubernetes as import("./kubernetes/platform").KubernetesTransforms | undefined,
            ) as unknown as AnyPlatform;
        case "docker":
            // Loaded on demand, so programs on other platforms never need @pulumi/docker (an optional peer dependency).
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            return (require("./docker/platform") as typeof import("./docker/platform")).dockerPlatform() as unknown as AnyPlatform;
    }
}
