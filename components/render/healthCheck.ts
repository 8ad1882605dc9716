import type { HealthCheck } from "../core/spec";
import { shellQuote } from "./shell";

/**
 * One health check, every consumer: `app.healthCheck` becomes the DigitalOcean load
 * balancer's check, HAProxy's `check inter/rise/fall`, a Docker HEALTHCHECK, Kubernetes
 * probes and the DigitalOcean Kubernetes load balancer's annotations. Each mapping lives
 * here and nowhere else, so a field cannot reach one consumer and miss another.
 */

/** Seconds after a container starts during which failed probes do not count. */
export const DEFAULT_HEALTH_START_PERIOD_SECONDS = 30;

/** DigitalOcean load balancer `healthcheck` (provider field names); `P` is how the port is given. */
export interface DoLoadBalancerCheck<P = number> {
    readonly protocol: string;
    readonly port: number | P;
    readonly path?: string;
    readonly checkIntervalSeconds: number;
    readonly responseTimeoutSeconds: number;
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
}

/** The DigitalOcean load balancer's check of replicas serving on `targetPort`. */
export function doLoadBalancerCheck<P = number>(check: HealthCheck, targetPort: P): DoLoadBalancerCheck<P> {
    return {
        protocol: check.protocol,
        port: check.port ?? targetPort,
        ...(check.protocol === "tcp" ? {} : { path: check.path }),
        checkIntervalSeconds: check.intervalSeconds,
        responseTimeoutSeconds: check.timeoutSeconds,
        healthyThreshold: check.healthyThreshold,
        unhealthyThreshold: check.unhealthyThreshold,
    };
}

/** HAProxy's active check: `http-check send ... uri <path>`, `inter`, `timeout check`, `rise`, `fall`. */
export interface HaproxyCheck {
    readonly path: string;
    readonly interMs: number;
    readonly timeoutMs: number;
    readonly rise: number;
    readonly fall: number;
}

export function haproxyCheck(check: Pick<HealthCheck, "path" | "intervalSeconds" | "timeoutSeconds" | "healthyThreshold" | "unhealthyThreshold">): HaproxyCheck {
    return {
        path: check.path,
        interMs: check.intervalSeconds * 1000,
        timeoutMs: check.timeoutSeconds * 1000,
        rise: check.healthyThreshold,
        fall: check.unhealthyThreshold,
    };
}

/**
 * A Docker HEALTHCHECK. Docker has no healthy threshold (one passing probe makes a container
 * healthy); the load balancer in front applies it.
 */
export interface DockerHealthCheck {
    /** Run by `/bin/sh -c` inside the container. */
    readonly command: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
    readonly startPeriodSeconds: number;
}

/** `port` is the port probed inside the container: the health check's own, or the app's. */
export function dockerHealthCheck(
    check: Pick<HealthCheck, "path" | "intervalSeconds" | "timeoutSeconds" | "unhealthyThreshold">,
    port: number,
    startPeriodSeconds = DEFAULT_HEALTH_START_PERIOD_SECONDS,
): DockerHealthCheck {
    return {
        command: renderHealthCommand(port, check),
        intervalSeconds: check.intervalSeconds,
        timeoutSeconds: check.timeoutSeconds,
        retries: check.unhealthyThreshold,
        startPeriodSeconds,
    };
}

/** `docker run` flags for a Docker health check, each a shell-quoted fragment. */
export function dockerHealthFlags(health: DockerHealthCheck): string[] {
    return [
        `--health-cmd ${shellQuote(health.command)}`,
        `--health-interval ${health.intervalSeconds}s`,
        `--health-timeout ${health.timeoutSeconds}s`,
        `--health-retries ${health.retries}`,
        `--health-start-period ${health.startPeriodSeconds}s`,
    ];
}

/**
 * The command Docker runs inside the app container to probe it (`--health-cmd`, run by
 * `/bin/sh -c`).
 *
 * App images rarely ship curl, so the probe uses the first of curl, wget (BusyBox's counts,
 * as on Alpine) and node (18 or later, for `fetch`) that the image has. It assumes the
 * image has `/bin/sh`, one of those three, and an app listening on 127.0.0.1 (or all
 * interfaces) inside the container; an image with none of them is reported unhealthy.
 * Any response below 400 passes, as it does for curl and wget.
 */
export function renderHealthCommand(port: number, healthCheck: Pick<HealthCheck, "path" | "timeoutSeconds">): string {
    const url = shellQuote(`http://127.0.0.1:${port}${healthCheck.path}`);
    const seconds = healthCheck.timeoutSeconds;
    const nodeProbe =
        `fetch(process.argv[1],{signal:AbortSignal.timeout(${seconds * 1000})})` +
        ".then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))";
    return [
        `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null -m ${seconds} ${url}`,
        `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T ${seconds} ${url}`,
        `elif command -v node >/dev/null 2>&1; then node -e "${nodeProbe}" ${url}`,
        // Docker reserves exit code 2, and curl or wget may return anything on failure.
        "else exit 1; fi || exit 1",
    ].join("; ");
}

/** A Kubernetes probe (core/v1 Probe), as a plain object. */
export interface KubernetesProbe {
    readonly httpGet?: { readonly path: string; readonly port: number; readonly scheme: "HTTP" | "HTTPS" };
    readonly tcpSocket?: { readonly port: number };
    readonly periodSeconds: number;
    readonly timeoutSeconds: number;
    readonly successThreshold: number;
    readonly failureThreshold: number;
    readonly initialDelaySeconds?: number;
}

export interface KubernetesProbes {
    /** Gates traffic: the Service sends to a pod only while this passes. */
    readonly readinessProbe: KubernetesProbe;
    /** Restarts a pod that stopped answering for longer than the load balancer tolerates. */
    readonly livenessProbe: KubernetesProbe;
    /** Holds the other two off while the app boots, up to the start period. */
    readonly startupProbe: KubernetesProbe;
}

/**
 * Readiness mirrors the load balancer (period = interval, failure = unhealthy threshold);
 * Kubernetes requires liveness and startup probes to have a success threshold of 1, so the
 * healthy threshold applies to readiness only.
 */
export function kubernetesProbes(
    check: HealthCheck,
    containerPort: number,
    startPeriodSeconds = DEFAULT_HEALTH_START_PERIOD_SECONDS,
): KubernetesProbes {
    const port = check.port ?? containerPort;
    const action: Pick<KubernetesProbe, "httpGet" | "tcpSocket"> =
        check.protocol === "tcp"
            ? { tcpSocket: { port } }
            : { httpGet: { path: check.path, port, scheme: check.protocol === "https" ? "HTTPS" : "HTTP" } };
    const timing = { periodSeconds: check.intervalSeconds, timeoutSeconds: check.timeoutSeconds };
    return {
        readinessProbe: { ...action, ...timing, successThreshold: check.healthyThreshold, failureThreshold: check.unhealthyThreshold },
        livenessProbe: { ...action, ...timing, successThreshold: 1, failureThreshold: check.unhealthyThreshold },
        startupProbe: {
            ...action,
            ...timing,
            successThreshold: 1,
            failureThreshold: Math.max(1, Math.ceil(startPeriodSeconds / check.intervalSeconds)),
        },
    };
}

/**
 * The DigitalOcean cloud controller manager's health-check annotations for a Service of type
 * LoadBalancer (digitalocean/digitalocean-cloud-controller-manager,
 * docs/controllers/services/annotations.md). Values are strings, as annotations must be.
 *
 * `servicePort` is the Service port (`spec.ports[].port`) the check goes through when the
 * check names no port of its own: the CCM maps the annotated port to that port's NodePort
 * (cloud-controller-manager/do/loadbalancers.go). Without `override-health-check` the CCM
 * ignores path, port and protocol and checks kube-proxy instead (loadbalancers.go:1001-1024).
 */
export function doServiceHealthAnnotations(check: HealthCheck, servicePort: number): Record<string, string> {
    const prefix = "service.beta.kubernetes.io/do-loadbalancer-healthcheck-";
    return {
        "service.beta.kubernetes.io/do-loadbalancer-override-health-check": "true",
        [`${prefix}port`]: String(check.port ?? servicePort),
        [`${prefix}protocol`]: check.protocol,
        ...(check.protocol === "tcp" ? {} : { [`${prefix}path`]: check.path }),
        [`${prefix}check-interval-seconds`]: String(check.intervalSeconds),
        [`${prefix}response-timeout-seconds`]: String(check.timeoutSeconds),
        [`${prefix}healthy-threshold`]: String(check.healthyThreshold),
        [`${prefix}unhealthy-threshold`]: String(check.unhealthyThreshold),
    };
}
