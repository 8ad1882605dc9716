import type { HealthCheck } from "../core/spec";
import { doServiceHealthAnnotations } from "./healthCheck";

/**
 * Annotations that make DigitalOcean's cloud controller manager (CCM) build the load balancer
 * of a Kubernetes Service of type LoadBalancer the way horizon builds one for droplets.
 * Names and value formats: digitalocean/digitalocean-cloud-controller-manager,
 * cloud-controller-manager/do/lb_annotations.go and docs/controllers/services/annotations.md.
 * Every value is a string: annotations are map[string]string.
 */

export const DO_LB_ANNOTATION_PREFIX = "service.beta.kubernetes.io/do-loadbalancer-";

const key = (name: string) => `${DO_LB_ANNOTATION_PREFIX}${name}`;

/**
 * Every annotation horizon may write, with the stack key that decides it. A user's
 * `kubernetes.serviceAnnotations` may not set one of these: the two would fight.
 */
export const HORIZON_SERVICE_ANNOTATIONS: Readonly<Record<string, string>> = {
    [key("name")]: "the app, stack and region names",
    [key("type")]: "horizon (REGIONAL, for HTTP checks and cookies)",
    [key("protocol")]: "horizon (http)",
    [key("size-unit")]: "loadBalancer.sizeUnit",
    [key("size-slug")]: "loadBalancer.sizeUnit",
    [key("override-health-check")]: "app.healthCheck",
    [key("healthcheck-port")]: "app.healthCheck.port",
    [key("healthcheck-protocol")]: "app.healthCheck.protocol",
    [key("healthcheck-path")]: "app.healthCheck.path",
    [key("healthcheck-check-interval-seconds")]: "app.healthCheck.intervalSeconds",
    [key("healthcheck-response-timeout-seconds")]: "app.healthCheck.timeoutSeconds",
    [key("healthcheck-healthy-threshold")]: "app.healthCheck.healthyThreshold",
    [key("healthcheck-unhealthy-threshold")]: "app.healthCheck.unhealthyThreshold",
    [key("sticky-sessions-type")]: "loadBalancer.stickySessions",
    [key("sticky-sessions-cookie-name")]: "loadBalancer.stickySessions.cookieName",
    [key("sticky-sessions-cookie-ttl")]: "loadBalancer.stickySessions.ttlSeconds",
    [key("certificate-id")]: "loadBalancer.https",
    [key("certificate-name")]: "loadBalancer.https",
    [key("tls-ports")]: "loadBalancer.https",
    [key("http-ports")]: "loadBalancer.https",
    [key("redirect-http-to-https")]: "loadBalancer.https.redirectHttp",
    [key("disable-lets-encrypt-dns-records")]: "horizon (it writes the DNS records itself)",
    [key("algorithm")]: "loadBalancer.algorithm (the annotation is deprecated and does nothing)",
    "kubernetes.digitalocean.com/load-balancer-id": "the CCM, which writes it after creating the load balancer",
};

/** The Service port plain HTTP arrives on. */
export const SERVICE_HTTP_PORT = 80;
/** The Service port TLS is terminated on when https is set. */
export const SERVICE_HTTPS_PORT = 443;

export interface DoServiceAnnotationsInput {
    /** Load balancer name (DigitalOcean's), ≤255 characters of `[A-Za-z0-9.-]`. */
    readonly name: string;
    readonly sizeUnit: number;
    /** The check the load balancer runs through `healthServicePort`. */
    readonly healthCheck: HealthCheck;
    /** Service port the check goes through when `healthCheck.port` is unset. */
    readonly healthServicePort: number;
    readonly stickySessions?: { readonly cookieName: string; readonly ttlSeconds: number };
    /** Name of the DigitalOcean certificate to terminate TLS with (stable across Let's Encrypt renewals). */
    readonly https?: { readonly certificateName: string; readonly redirectHttp: boolean };
}

/** The annotations of horizon's LoadBalancer Service. */
export function doServiceAnnotations(input: DoServiceAnnotationsInput): Record<string, string> {
    return {
        [key("name")]: loadBalancerName(input.name),
        // The CCM's default is REGIONAL_NETWORK (pass-through): no HTTP checks, cookies or TLS.
        [key("type")]: "REGIONAL",
        [key("protocol")]: "http",
        [key("size-unit")]: String(input.sizeUnit),
        ...doServiceHealthAnnotations(input.healthCheck, input.healthServicePort),
        ...(input.stickySessions
            ? {
                  [key("sticky-sessions-type")]: "cookies",
                  [key("sticky-sessions-cookie-name")]: input.stickySessions.cookieName,
                  [key("sticky-sessions-cookie-ttl")]: String(input.stickySessions.ttlSeconds),
              }
            : {}),
        ...(input.https
            ? {
                  [key("certificate-name")]: input.https.certificateName,
                  [key("tls-ports")]: String(SERVICE_HTTPS_PORT),
                  [key("http-ports")]: String(SERVICE_HTTP_PORT),
                  [key("redirect-http-to-https")]: String(input.https.redirectHttp),
              }
            : {}),
        // horizon writes its own A records; the CCM would otherwise add some for Let's Encrypt certificates.
        [key("disable-lets-encrypt-dns-records")]: "true",
    };
}

/** A DigitalOcean load balancer name: letters, digits, `.` and `-`, starting alphanumeric, not ending in `-`. */
export function loadBalancerName(name: string): string {
    const cleaned = name
        .replace(/[^A-Za-z0-9.-]/g, "-")
        .replace(/^[^A-Za-z0-9]+/, "")
        .slice(0, 255)
        .replace(/-+$/, "");
    return cleaned === "" ? "horizon" : cleaned;
}
