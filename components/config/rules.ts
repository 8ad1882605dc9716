import { dropletProblems, dropletWarnings } from "./dropletRules";
import type { ConfigProblem } from "./errors";
import { formatPath } from "./errors";
import { geographyProblems, geographyWarnings } from "./geoRules";
import { projectEnvironment } from "../core/names";
import { cidrsOverlap } from "../core/cidr";
import { allocatable, DROPLET_SHAPES, podsPerNode } from "../core/kubernetesCapacity";
import { waveSize } from "../core/rollout";
import { balancedByHaproxy, DEFAULT_KUBERNETES_RESOURCES, type KubernetesSpec, type Resources, type StackSpec } from "../core/spec";
import { HORIZON_SERVICE_ANNOTATIONS } from "../render/doServiceAnnotations";

/**
 * Rules that span several keys. Errors are for asks that conflict or cannot be built;
 * warnings are for asks that work but are likely not what a user wants.
 *
 * Takes a partial spec so the rules also run beside schema errors: each rule checks only
 * the keys that parsed, and all problems are reported at once.
 */
export function crossFieldProblems(spec: Partial<StackSpec>, stack?: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const { platform, app, database, cache } = spec;
    const autoscaling = spec.platform === "kubernetes" ? spec.autoscaling : undefined;

    const seenNames = new Map<string, number>();
    const regions = spec.regions ?? [];
    regions.forEach((region, i) => {
        const first = seenNames.get(region.name);
        if (first !== undefined) {
            problems.push({
                path: ["regions", i, "name"],
                problem: "duplicate region name",
                got: region.name,
                expected: `a name not already used by ${formatPath(["regions", first, "name"])}`,
            });
        } else {
            seenNames.set(region.name, i);
        }
    });

    const seenDomains = new Map<string, string>();
    regions.forEach((region, i) =>
        ("domains" in region ? (region.domains as readonly string[]) : []).forEach((domain: string, j: number) => {
            const path = ["regions", i, "domains", j];
            const first = seenDomains.get(domain);
            if (first !== undefined) {
                problems.push({ path, problem: "domain listed twice", got: domain, expected: `a domain not already used by ${first}` });
            } else {
                seenDomains.set(domain, formatPath(path));
            }
        }),
    );

    if (app !== undefined && app.healthCheck.timeoutSeconds > app.healthCheck.intervalSeconds) {
        problems.push({
            path: ["app", "healthCheck", "timeoutSeconds"],
            problem: "longer than the check interval",
            got: app.healthCheck.timeoutSeconds,
            expected: `at most intervalSeconds (${app.healthCheck.intervalSeconds})`,
        });
    }

    if (platform === "droplets" && app !== undefined) {
        if (app.healthCheck.protocol === "https") {
            problems.push({
                path: ["app", "healthCheck", "protocol"],
                problem: "replicas on droplets serve plain http behind the load balancer",
                got: "https",
                expected: "http or tcp on platform droplets",
            });
        }
        if (app.healthCheck.port !== undefined && app.healthCheck.port !== app.port) {
            problems.push({
                path: ["app", "healthCheck", "port"],
                problem: "droplets publish and admit only the app port",
                got: app.healthCheck.port,
                expected: `app.port (${app.port}) or no port on platform droplets`,
            });
        }
    }

    if (platform === "docker") {
        for (const [key, mode] of [["database", database?.mode], ["cache", cache?.mode]] as const) {
            if (mode === "managed") {
                problems.push({
                    path: [key, "mode"],
                    problem: "managed clusters need a cloud platform",
                    got: mode,
                    expected: 'container or none on platform docker (or platform droplets/kubernetes for "managed")',
                });
            }
        }
    }

    problems.push(...dockerProblems(spec));
    const dataServices = [
        ["database", database, "standby nodes"],
        ["cache", cache, "extra nodes"],
    ] as const;
    for (const [key, data, extraNodes] of dataServices) {
        if (data !== undefined && data.mode !== "managed" && data.nodes > 1) {
            problems.push({
                path: [key, "nodes"],
                problem: `${extraNodes} exist only in managed mode`,
                got: data.nodes,
                expected: `1 with ${key}.mode ${data.mode}, or ${key}.mode managed`,
            });
        }
    }

    if (autoscaling !== undefined && autoscaling.minReplicas > autoscaling.maxReplicas) {
        problems.push({
            path: ["autoscaling", "minReplicas"],
            problem: "above maxReplicas",
            got: autoscaling.minReplicas,
            expected: `at most autoscaling.maxReplicas (${autoscaling.maxReplicas})`,
        });
    }

    if (spec.platform === "droplets") {
        problems.push(...dropletProblems(spec, stack));
    }
    problems.push(...geographyProblems(spec));
    if (spec.platform === "kubernetes") {
        problems.push(...kubernetesProblems(spec));
    }

    return problems;
}

/** Rules of platform kubernetes: cluster mode, address ranges, node pool capacity, annotations. */
function kubernetesProblems(spec: Partial<KubernetesSpec>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const { app, database, cache } = spec;
    const regions = spec.regions ?? [];
    const settings = spec.kubernetes;
    if (settings === undefined) {
        return problems;
    }
    const cluster = settings.cluster;
    const at = (...path: (string | number)[]) => ["kubernetes", "cluster", ...path];

    if (cluster.mode === "existing") {
        if (cluster.kubeconfig === undefined && cluster.context === undefined) {
            problems.push({
                path: at("mode"),
                problem: "an existing cluster needs a way in",
                got: "existing",
                expected: "kubernetes.cluster.kubeconfig (pulumi config set --secret) or kubernetes.cluster.context",
            });
        }
        if (cluster.kubeconfig !== undefined && cluster.context !== undefined) {
            problems.push({
                path: at("context"),
                problem: "names a context of the local kubeconfig, but kubernetes.cluster.kubeconfig is set too",
                got: cluster.context,
                expected: "either kubeconfig or context",
            });
        }
        if (regions.length > 1) {
            problems.push({
                path: ["regions"],
                problem: "one existing cluster serves one region",
                got: regions.length,
                expected: "1 region with kubernetes.cluster.mode existing (or one stack per cluster)",
            });
        }
        // The managed database firewall must name what it trusts, and the app reaches the
        // database's private address only from inside its VPC: only a DOKS cluster offers both.
        for (const [dataKey, mode] of [["database", database?.mode], ["cache", cache?.mode]] as const) {
            if (mode === "managed" && (cluster.doksClusterId === undefined || cluster.vpcUuid === undefined)) {
                problems.push({
                    path: [dataKey, "mode"],
                    problem: "a managed cluster on an existing Kubernetes cluster must trust that cluster and share its VPC",
                    got: mode,
                    expected: `kubernetes.cluster.doksClusterId and kubernetes.cluster.vpcUuid of an existing DOKS cluster, or ${dataKey}.mode container`,
                });
            }
        }
    } else {
        for (const field of ["kubeconfig", "context", "doksClusterId", "vpcUuid"] as const) {
            if (cluster[field] !== undefined) {
                problems.push({
                    path: at(field),
                    problem: "used only with an existing cluster",
                    got: field === "kubeconfig" ? "[secret]" : cluster[field],
                    expected: `no ${field} with kubernetes.cluster.mode doks, or mode existing`,
                });
            }
        }
        if (cluster.nodePool.minNodes > cluster.nodePool.maxNodes) {
            problems.push({
                path: at("nodePool", "minNodes"),
                problem: "above maxNodes",
                got: cluster.nodePool.minNodes,
                expected: `at most kubernetes.cluster.nodePool.maxNodes (${cluster.nodePool.maxNodes})`,
            });
        }
        if (cidrsOverlap(cluster.clusterSubnet, cluster.serviceSubnet)) {
            problems.push({
                path: at("serviceSubnet"),
                problem: "overlaps kubernetes.cluster.clusterSubnet",
                got: cluster.serviceSubnet,
                expected: `a range outside ${cluster.clusterSubnet}`,
            });
        }
        regions.forEach((region, i) => {
            for (const field of ["clusterSubnet", "serviceSubnet"] as const) {
                if (region.vpcIpRange !== undefined && cidrsOverlap(cluster[field], region.vpcIpRange)) {
                    problems.push({
                        path: at(field),
                        problem: `overlaps the VPC of region ${region.name}`,
                        got: cluster[field],
                        expected: `a range outside regions[${i}].vpcIpRange (${region.vpcIpRange})`,
                    });
                }
            }
        });
        if (app !== undefined) {
            problems.push(...nodePoolCapacityProblems(spec, cluster.nodePool.size, cluster.nodePool.maxNodes, app.resources));
        }
    }

    for (const annotation of Object.keys(settings.serviceAnnotations)) {
        const owner = HORIZON_SERVICE_ANNOTATIONS[annotation];
        if (owner !== undefined) {
            problems.push({
                path: ["kubernetes", "serviceAnnotations", annotation],
                problem: `horizon sets this annotation from ${owner}`,
                got: settings.serviceAnnotations[annotation],
                expected: "no horizon-managed annotation here; change the horizon key instead",
            });
        }
    }
    return problems;
}

/** Rules of the `docker` block that span keys. */
export function dockerProblems(spec: Partial<StackSpec>): ConfigProblem[] {
    if (spec.platform !== "docker" || spec.docker === undefined) {
        return [];
    }
    const problems: ConfigProblem[] = [];
    const { docker, regions } = spec;
    if (docker.statsPublish === docker.publish) {
        problems.push({
            path: ["docker", "statsPublish"],
            problem: "the same address and port as docker.publish",
            got: docker.statsPublish,
            expected: "a port of its own, like 127.0.0.1:8404",
        });
    }
    if (docker.sshOpts.length > 0 && !(docker.host ?? "").startsWith("ssh://")) {
        problems.push({
            path: ["docker", "sshOpts"],
            problem: "ssh options apply to an ssh:// host only",
            got: docker.sshOpts,
            expected: "no sshOpts, or docker.host like ssh://user@host",
        });
    }
    if ((regions?.length ?? 0) > 1) {
        problems.push({
            path: ["regions"],
            problem: "a docker stack runs on one Docker host with one published address",
            got: regions?.map((r) => r.name),
            expected: "one region per docker stack (one stack per host)",
        });
    }
    return problems;
}

/**
 * The node pool at its largest must hold the most app pods the stack asks for (HPA maximum or
 * the largest region's replicas) plus the pods a rollout adds (maxSurge), at the requested
 * resources, after the nodes' own reserve (`core/kubernetesCapacity.ts`).
 */
function nodePoolCapacityProblems(
    spec: Partial<KubernetesSpec>,
    size: string,
    maxNodes: number,
    resources: Resources | undefined,
): ConfigProblem[] {
    const shape = DROPLET_SHAPES[size];
    const app = spec.app;
    if (shape === undefined || app === undefined) {
        return [];
    }
    const pod = {
        cpu: resources?.cpu ?? DEFAULT_KUBERNETES_RESOURCES.cpu,
        memoryMb: resources?.memoryMb ?? DEFAULT_KUBERNETES_RESOURCES.memoryMb,
    };
    const perNode = podsPerNode(shape, pod);
    const podText = `${pod.cpu} CPU / ${pod.memoryMb} MB`;
    if (perNode === 0) {
        const free = allocatable(shape);
        return [
            {
                path: ["app", "resources"],
                problem: `one pod does not fit on a ${size} node`,
                got: { cpu: pod.cpu, memoryMb: pod.memoryMb },
                expected: `at most ${free.vcpus.toFixed(2)} CPU and ${Math.floor(free.memoryMb)} MB (what a ${size} node leaves for pods), or a larger kubernetes.cluster.nodePool.size`,
            },
        ];
    }
    const autoscaling = spec.autoscaling;
    const [peak, peakSource] =
        autoscaling !== undefined
            ? [autoscaling.maxReplicas, `autoscaling.maxReplicas ${autoscaling.maxReplicas}`]
            : [Math.max(0, ...(spec.regions ?? []).map((r) => r.replicas)), "the region's replicas"];
    if (peak === 0) {
        return [];
    }
    const surge = waveSize(peak, app.maxSurge);
    const needed = peak + surge;
    const capacity = perNode * maxNodes;
    if (capacity >= needed) {
        return [];
    }
    return [
        {
            path: ["kubernetes", "cluster", "nodePool", "maxNodes"],
            problem: `${maxNodes} x ${size} hold ${capacity} app pods of ${podText} (${perNode} per node)`,
            got: maxNodes,
            expected: `at least ${Math.ceil(needed / perNode)} nodes for ${needed} pods (${peakSource} + ${surge} surging during a rollout), a larger size, or smaller app.resources`,
        },
    ];
}

/** What the warnings can know beyond the parsed spec. */
export interface WarningContext {
    /** Top-level keys whose values the stack file encrypts. */
    readonly secretKeys?: ReadonlySet<string>;
    /** The configuration as written, before defaults. */
    readonly raw?: Readonly<Record<string, unknown>>;
}

/** Asks that work but are likely mistakes; printed by `pulumi up`, `validate` and `plan`. */
export function configWarnings(spec: StackSpec, stack: string | undefined, context: WarningContext = {}): string[] {
    const warnings: string[] = [...dropletWarnings(spec)];
    if (spec.app.registry !== undefined && context.secretKeys !== undefined && !context.secretKeys.has("app")) {
        warnings.push(
            "horizon:app.registry.password is stored in plain text in the stack file; set it with `pulumi config set --secret --path app.registry.password <password>`",
        );
    }
    if (spec.loadBalancer.stickySessions !== undefined && spec.loadBalancer.algorithm === "source") {
        warnings.push(
            "horizon:loadBalancer.stickySessions with algorithm source: the cookie pins a client already pinned by its address; keep one of them",
        );
    }
    const rawLoadBalancer = context.raw?.loadBalancer;
    if (
        spec.platform === "droplets" &&
        !balancedByHaproxy(spec.loadBalancer.algorithm) &&
        typeof rawLoadBalancer === "object" &&
        rawLoadBalancer !== null &&
        "haproxy" in rawLoadBalancer
    ) {
        warnings.push("horizon:loadBalancer.haproxy is unused: the HAProxy tier runs only for algorithms other than round_robin");
    }
    if (spec.platform === "droplets" && spec.adminCidrs.some((cidr) => cidr === "0.0.0.0/0" || cidr === "::/0")) {
        warnings.push("horizon:adminCidrs opens SSH to the whole internet; list your own address ranges instead");
    }
    if (spec.platform === "droplets" && spec.adminCidrs.length > 0 && spec.sshKeys.length === 0) {
        warnings.push("horizon:adminCidrs admits SSH but horizon:sshKeys is empty, so nobody can log in");
    }
    if (spec.platform === "droplets" && balancedByHaproxy(spec.loadBalancer.algorithm) && spec.app.deploymentStrategy === "rolling") {
        warnings.push(
            `horizon:loadBalancer.algorithm ${spec.loadBalancer.algorithm} puts HAProxy in front of the replicas, so DigitalOcean's load balancer cannot see them: rolling waves are not health-gated (HAProxy's own checks and slowstart still keep unhealthy replicas out of rotation)`,
        );
    }
    const https = spec.platform === "docker" ? undefined : spec.loadBalancer.https;
    if (https !== undefined && spec.platform !== "docker") {
        for (const region of spec.regions) {
            for (const domain of region.domains.filter((d) => !https.domains.includes(d))) {
                warnings.push(
                    `${domain} (region ${region.name}) is not in horizon:loadBalancer.https.domains: it is redirected to https but served a certificate for other names`,
                );
            }
        }
    }
    warnings.push(...geographyWarnings(spec));
    if (spec.platform === "kubernetes" && spec.kubernetes.cluster.mode === "doks") {
        const cluster = spec.kubernetes.cluster;
        for (const region of spec.regions.filter((r) => r.vpcIpRange === undefined)) {
            warnings.push(
                `region ${region.name} has no vpcIpRange: DigitalOcean picks the VPC range, so horizon cannot check it against kubernetes.cluster.clusterSubnet (${cluster.clusterSubnet}) and serviceSubnet (${cluster.serviceSubnet})`,
            );
        }
        if (DROPLET_SHAPES[cluster.nodePool.size] === undefined) {
            warnings.push(`kubernetes.cluster.nodePool.size ${cluster.nodePool.size} is not in horizon's size table: the node pool's capacity is not checked`);
        }
    }
    const production = stack !== undefined && projectEnvironment(stack, spec.protect) === "Production";
    if (production) {
        for (const region of spec.regions) {
            if (region.replicas < 2) {
                warnings.push(`region ${region.name} runs a single replica in a production stack: one failure is an outage`);
            }
        }
        if (spec.platform !== "docker" && spec.loadBalancer.https === undefined) {
            warnings.push("production stack without horizon:loadBalancer.https: traffic is plain http");
        }
        if (!spec.protect && (spec.database.mode !== "none" || spec.cache.mode !== "none")) {
            warnings.push("production stack with horizon:protect false: pulumi destroy would delete the data");
        }
    }
    return warnings;
}
