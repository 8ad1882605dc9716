import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HealthCheck } from "../../components/core/spec";
import {
    dockerHealthCheck,
    dockerHealthFlags,
    doLoadBalancerCheck,
    doServiceHealthAnnotations,
    haproxyCheck,
    kubernetesProbes,
} from "../../components/render/healthCheck";
import { renderHaproxyConfig } from "../../components/render/haproxy";

/**
 * One health check, every consumer: each row's fields must reach the DigitalOcean load
 * balancer, HAProxy (and the haproxy.cfg it runs), Docker, Kubernetes probes and the
 * DigitalOcean Service annotations. Every value is distinct so a field crossing into another's
 * place shows.
 */
const CHECKS: Record<string, HealthCheck> = {
    "http on the app port": { path: "/ready", protocol: "http", intervalSeconds: 15, timeoutSeconds: 4, healthyThreshold: 6, unhealthyThreshold: 7 },
    "http on its own port": { path: "/healthz", port: 9091, protocol: "http", intervalSeconds: 30, timeoutSeconds: 8, healthyThreshold: 2, unhealthyThreshold: 9 },
    "tcp": { path: "/unused", protocol: "tcp", intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 4, unhealthyThreshold: 2 },
};
const APP_PORT = 8080;
const A = "service.beta.kubernetes.io/do-loadbalancer-healthcheck-";

describe("the health check, mapped to every consumer", () => {
    for (const [name, check] of Object.entries(CHECKS)) {
        const port = check.port ?? APP_PORT;

        it(`${name}: DigitalOcean load balancer`, () => {
            assert.deepEqual(doLoadBalancerCheck(check, APP_PORT), {
                protocol: check.protocol,
                port,
                ...(check.protocol === "tcp" ? {} : { path: check.path }),
                checkIntervalSeconds: check.intervalSeconds,
                responseTimeoutSeconds: check.timeoutSeconds,
                healthyThreshold: check.healthyThreshold,
                unhealthyThreshold: check.unhealthyThreshold,
            });
        });

        it(`${name}: HAProxy, and the haproxy.cfg it runs`, () => {
            assert.deepEqual(haproxyCheck(check), {
                path: check.path,
                interMs: check.intervalSeconds * 1000,
                timeoutMs: check.timeoutSeconds * 1000,
                rise: check.healthyThreshold,
                fall: check.unhealthyThreshold,
            });
            const config = renderHaproxyConfig({ listenPort: 80, algorithm: "round_robin", servers: [{ name: "r0", host: "10.0.0.2", port }], healthCheck: check });
            assert.match(config, new RegExp(`^ {4}http-check send meth GET uri ${check.path}$`, "m"));
            assert.match(config, new RegExp(`^ {4}timeout check ${check.timeoutSeconds}s$`, "m"));
            assert.match(config, new RegExp(`^ {4}default-server check inter ${check.intervalSeconds}s fall ${check.unhealthyThreshold} rise ${check.healthyThreshold}$`, "m"));
        });

        it(`${name}: Docker HEALTHCHECK`, () => {
            const health = dockerHealthCheck(check, port, 45);
            assert.deepEqual(
                { interval: health.intervalSeconds, timeout: health.timeoutSeconds, retries: health.retries, start: health.startPeriodSeconds },
                { interval: check.intervalSeconds, timeout: check.timeoutSeconds, retries: check.unhealthyThreshold, start: 45 },
            );
            assert.ok(health.command.includes(`http://127.0.0.1:${port}${check.path}`), health.command);
            assert.ok(health.command.includes(`-m ${check.timeoutSeconds} `), "curl's timeout is the check's");
            assert.deepEqual(dockerHealthFlags(health).slice(1), [
                `--health-interval ${check.intervalSeconds}s`,
                `--health-timeout ${check.timeoutSeconds}s`,
                `--health-retries ${check.unhealthyThreshold}`,
                "--health-start-period 45s",
            ]);
        });

        it(`${name}: Kubernetes readiness, liveness and startup probes`, () => {
            const probes = kubernetesProbes(check, APP_PORT, 60);
            const action = check.protocol === "tcp" ? { tcpSocket: { port } } : { httpGet: { path: check.path, port, scheme: "HTTP" } };
            const timing = { periodSeconds: check.intervalSeconds, timeoutSeconds: check.timeoutSeconds };
            assert.deepEqual(probes.readinessProbe, { ...action, ...timing, successThreshold: check.healthyThreshold, failureThreshold: check.unhealthyThreshold });
            assert.deepEqual(probes.livenessProbe, { ...action, ...timing, successThreshold: 1, failureThreshold: check.unhealthyThreshold });
            assert.deepEqual(probes.startupProbe, { ...action, ...timing, successThreshold: 1, failureThreshold: Math.ceil(60 / check.intervalSeconds) });
        });

        it(`${name}: DigitalOcean Service annotations`, () => {
            const annotations = doServiceHealthAnnotations(check, 80);
            assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-override-health-check"], "true", "without it the controller ignores the rest");
            assert.equal(annotations[`${A}port`], String(check.port ?? 80));
            assert.equal(annotations[`${A}protocol`], check.protocol);
            assert.equal(annotations[`${A}path`], check.protocol === "tcp" ? undefined : check.path);
            assert.equal(annotations[`${A}check-interval-seconds`], String(check.intervalSeconds));
            assert.equal(annotations[`${A}response-timeout-seconds`], String(check.timeoutSeconds));
            assert.equal(annotations[`${A}healthy-threshold`], String(check.healthyThreshold));
            assert.equal(annotations[`${A}unhealthy-threshold`], String(check.unhealthyThreshold));
            assert.ok(Object.values(annotations).every((v) => typeof v === "string"), "annotation values are strings");
        });
    }
});
