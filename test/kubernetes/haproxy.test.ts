import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { type DiscoveryHaproxyInput, renderDiscoveryHaproxyConfig } from "../../components/kubernetes/haproxyConfig";
import { makeTempDir } from "../helpers/processes";
import { assertHaproxyAccepts } from "../helpers/stack";
import { K, k8sService, raw, serviceAnnotations } from "./fixtures";

const A = "service.beta.kubernetes.io/do-loadbalancer-";

const base: DiscoveryHaproxyInput = {
    listenPort: 8080,
    algorithm: "least_connections",
    healthCheck: { path: "/health", intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 3 },
    minReadySeconds: 10,
    discovery: { service: "hits.hits.svc.cluster.local", port: 8080, slots: 15, resolver: {} },
};

describe("in-cluster haproxy.cfg (DNS discovery)", () => {
    const dir = makeTempDir("horizon-k8s-haproxy");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const variants: Record<string, DiscoveryHaproxyInput> = {
        "least connections": base,
        source: { ...base, algorithm: "source" },
        random: { ...base, algorithm: "random" },
        "sticky cookies": { ...base, stickySessions: { cookieName: "route", ttlSeconds: 600 } },
        "explicit nameserver and hold": { ...base, discovery: { ...base.discovery, resolver: { nameserver: "10.245.0.10", holdValidSeconds: 5 } } },
    };
    for (const [name, input] of Object.entries(variants)) {
        it(`${name}: HAProxy accepts it without warnings`, () => {
            assertHaproxyAccepts(dir, name.replace(/ /g, "-"), renderDiscoveryHaproxyConfig(input));
        });
    }

    it("fills server slots from the headless Service through the cluster's resolvers", () => {
        const config = renderDiscoveryHaproxyConfig(base);
        assert.match(config, /^ {4}server-template pod 15 hits\.hits\.svc\.cluster\.local:8080 resolvers discovery init-addr none resolve-prefer ipv4$/m);
        assert.match(config, /^resolvers discovery\n {4}parse-resolv-conf\n/m);
        assert.match(config, /^ {4}hold valid 10s$/m);
        assert.doesNotMatch(config, /discovery-placeholder|127\.0\.0\.1:8080/);
        assert.match(config, /^ {4}balance leastconn$/m);
    });

    it("names the nameserver when given one", () => {
        const config = renderDiscoveryHaproxyConfig(variants["explicit nameserver and hold"]);
        assert.match(config, /^ {4}nameserver dns 10\.245\.0\.10:53$/m);
        assert.match(config, /^ {4}hold valid 5s$/m);
    });

    it("pins sessions with dynamic cookies, since template servers have no fixed names", () => {
        const config = renderDiscoveryHaproxyConfig(variants["sticky cookies"]);
        assert.match(config, /^ {4}cookie route insert indirect nocache maxlife 600s dynamic$/m);
        assert.match(config, /^ {4}dynamic-cookie-key route-horizon$/m);
        assert.doesNotMatch(config, / cookie discovery-placeholder/);
    });

    it("reports bad discovery input by field, all at once", () => {
        assert.throws(() => renderDiscoveryHaproxyConfig({ ...base, discovery: { service: "hits svc", port: 0, slots: 0, resolver: { nameserver: "dns.local" } } }), {
            message: [
                'discovery.service: "hits svc" is not a DNS name (expected e.g. hits.hits.svc.cluster.local)',
                "discovery.port: 0 is not a port (expected 1-65535)",
                "discovery.slots: 0 is out of range (expected an integer in 1-1000)",
                'discovery.resolver.nameserver: "dns.local" is not an address (expected an IP, optionally with :port)',
            ].join("\n"),
        });
    });
});

describe("InClusterHaproxy behind the LoadBalancer Service", () => {
    const dir = makeTempDir("horizon-k8s-haproxy-program");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("ships the config HAProxy accepts, with a slot for every pod the autoscaler and a rollout can have", async () => {
        const { resources } = await k8sService({
            loadBalancer: { algorithm: "source" },
            autoscaling: { minReplicas: 2, maxReplicas: 8 },
            app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2", maxSurge: "25%" },
        });
        const config = raw(resources, K.configMap, "hits-us-east-haproxy-config").data["haproxy.cfg"];
        assertHaproxyAccepts(dir, "from-program", config);
        // 8 pods at most, plus ceil(25% of 8) = 2 surging.
        assert.match(config, /^ {4}server-template pod 10 hits\.hits\.svc\.cluster\.local:8080 resolvers discovery init-addr none resolve-prefer ipv4$/m);
        assert.match(config, /^ {4}balance source$/m);
    });

    it("runs two restricted HAProxy pods reading the ConfigMap, ready only while a replica is healthy", async () => {
        const { resources } = await k8sService({ loadBalancer: { algorithm: "random" } });
        const deployment = raw(resources, K.deployment, "hits-us-east-haproxy-deployment");
        assert.equal(deployment.spec.replicas, 2);
        assert.equal(deployment.metadata.labels["horizon/role"], "haproxy");
        const pod = deployment.spec.template.spec;
        assert.deepEqual(pod.volumes, [{ name: "config", configMap: { name: "hits-haproxy-config" } }]);
        const container = pod.containers[0];
        assert.deepEqual(container.readinessProbe.httpGet, { path: "/haproxy-health", port: "http", scheme: "HTTP" });
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 99, seccompProfile: { type: "RuntimeDefault" } });
        assert.match(deployment.spec.template.metadata.annotations["horizon/config-checksum"], /^[0-9a-f]{16}$/);
    });

    it("the load balancer checks HAProxy's monitor URI and leaves stickiness to HAProxy; the app gets a headless Service", async () => {
        const { resources } = await k8sService({ loadBalancer: { algorithm: "least_connections", stickySessions: {} } });
        const annotations = serviceAnnotations(resources, "hits-us-east-haproxy-service");
        assert.equal(annotations[`${A}healthcheck-path`], "/haproxy-health");
        assert.equal(annotations[`${A}healthcheck-port`], "80");
        assert.equal(annotations[`${A}sticky-sessions-type`], undefined);
        assert.deepEqual(raw(resources, K.service, "hits-us-east-haproxy-service").spec.selector, {
            "app.kubernetes.io/name": "hits",
            "app.kubernetes.io/instance": "hits-test-us-east",
            "app.kubernetes.io/component": "haproxy",
        });
        const app = raw(resources, K.service, "hits-us-east-app-service");
        assert.equal(app.spec.clusterIP, "None");
        assert.equal(app.spec.type, undefined);
        assert.match(raw(resources, K.configMap, "hits-us-east-haproxy-config").data["haproxy.cfg"], /cookie horizon insert .* dynamic/);
    });
});
