import type { ConfigProblem } from "./errors";
import { formatPath } from "./errors";
import { projectEnvironment } from "../core/names";
import type { StackSpec } from "../core/spec";

/**
 * Rules that span several keys. Errors are for asks that conflict or cannot be built;
 * warnings are for asks that work but are likely not what a user wants.
 *
 * Takes a partial spec so the rules also run beside schema errors: each rule checks only
 * the keys that parsed, and all problems are reported at once.
 */
export function crossFieldProblems(spec: Partial<StackSpec>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const { platform, app, loadBalancer, database, cache } = spec;
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

    if (platform === "kubernetes" && loadBalancer !== undefined && loadBalancer.algorithm !== "round_robin") {
        problems.push({
            path: ["loadBalancer", "algorithm"],
            problem: "a Kubernetes LoadBalancer Service on DigitalOcean always round-robins",
            got: loadBalancer.algorithm,
            expected: "round_robin on platform kubernetes",
        });
    }

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

/** Asks that work but are likely mistakes; printed by `pulumi up`, `validate` and `plan`. */
export function configWarnings(spec: StackSpec, stack: string | undefined): string[] {
    const warnings: string[] = [];
    if (spec.platform === "droplets" && spec.adminCidrs.some((cidr) => cidr === "0.0.0.0/0" || cidr === "::/0")) {
        warnings.push("horizon:adminCidrs opens SSH to the whole internet; list your own address ranges instead");
    }
    if (spec.platform === "droplets" && spec.adminCidrs.length > 0 && spec.sshKeys.length === 0) {
        warnings.push("horizon:adminCidrs admits SSH but horizon:sshKeys is empty, so nobody can log in");
    }
    if (spec.platform === "droplets" && spec.loadBalancer.algorithm !== "round_robin" && spec.app.deploymentStrategy === "rolling") {
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
