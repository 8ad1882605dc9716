import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { isSecretOutput, type RecordedResource, SECRET } from "../helpers/mocks";
import { APP, appContainer, K, k8sService, raw, serviceAnnotations } from "./fixtures";

const A = "service.beta.kubernetes.io/do-loadbalancer-";

/** A health check with no default value, so each field's journey is visible. */
const CHECK = { path: "/ready", protocol: "http", intervalSeconds: 15, timeoutSeconds: 4, healthyThreshold: 6, unhealthyThreshold: 7 } as const;

describe("KubernetesApp: the health check reaches the probes and the load balancer", () => {
    let resources: RecordedResource[];
    before(async () => {
        ({ resources } = await k8sService({ app: { ...APP, healthCheck: CHECK } }));
    });

    // [field, where in the probes, where in the annotations]
    const table: [keyof typeof CHECK, (c: Record<string, Record<string, unknown>>) => unknown[], string, unknown][] = [
        ["path", (c) => [c.readinessProbe.httpGet, c.livenessProbe.httpGet, c.startupProbe.httpGet].map((g) => (g as { path: string }).path), `${A}healthcheck-path`, "/ready"],
        ["protocol", (c) => [c.readinessProbe.httpGet, c.livenessProbe.httpGet].map((g) => (g as { scheme: string }).scheme), `${A}healthcheck-protocol`, "http"],
        ["intervalSeconds", (c) => [c.readinessProbe.periodSeconds, c.livenessProbe.periodSeconds, c.startupProbe.periodSeconds], `${A}healthcheck-check-interval-seconds`, "15"],
        ["timeoutSeconds", (c) => [c.readinessProbe.timeoutSeconds, c.livenessProbe.timeoutSeconds], `${A}healthcheck-response-timeout-seconds`, "4"],
        ["healthyThreshold", (c) => [c.readinessProbe.successThreshold], `${A}healthcheck-healthy-threshold`, "6"],
        ["unhealthyThreshold", (c) => [c.readinessProbe.failureThreshold, c.livenessProbe.failureThreshold], `${A}healthcheck-unhealthy-threshold`, "7"],
    ];
    const probeValue: Record<string, unknown> = { path: "/ready", protocol: "HTTP", intervalSeconds: 15, timeoutSeconds: 4, healthyThreshold: 6, unhealthyThreshold: 7 };

    for (const [field, probes, annotation, value] of table) {
        it(`app.healthCheck.${field}`, () => {
            const values = probes(appContainer(resources));
            assert.ok(values.length > 0);
            assert.deepEqual(new Set(values), new Set([probeValue[field]]));
            assert.equal(serviceAnnotations(resources)[annotation], value);
        });
    }

    it("turns the health-check override on and checks through the http Service port, on the app's port", () => {
        const annotations = serviceAnnotations(resources);
        assert.equal(annotations[`${A}override-health-check`], "true");
        assert.equal(annotations[`${A}healthcheck-port`], "80");
        assert.deepEqual(raw(resources, K.service, "hits-us-east-app-service").spec.ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
        assert.equal(appContainer(resources).readinessProbe.httpGet.port, 8080);
    });

    it("a check on a port of its own gets a Service port, a container port and the probes on it", async () => {
        const run = await k8sService({ app: { ...APP, healthCheck: { ...CHECK, port: 9090 } } });
        const service = raw(run.resources, K.service, "hits-us-east-app-service");
        assert.deepEqual(service.spec.ports[1], { name: "health", port: 9090, targetPort: 9090, protocol: "TCP" });
        assert.equal(serviceAnnotations(run.resources)[`${A}healthcheck-port`], "9090");
        const container = appContainer(run.resources);
        assert.deepEqual(container.ports[1], { name: "health", containerPort: 9090, protocol: "TCP" });
        assert.equal(container.livenessProbe.httpGet.port, 9090);
        const ingress = raw(run.resources, K.networkPolicy, "hits-us-east-app-ingress").spec.ingress[0];
        assert.deepEqual(ingress.ports, [{ port: 8080, protocol: "TCP" }, { port: 9090, protocol: "TCP" }]);
    });

    it("a tcp check becomes tcpSocket probes and a tcp check without a path", async () => {
        const run = await k8sService({ app: { ...APP, healthCheck: { ...CHECK, protocol: "tcp" } } });
        assert.deepEqual(appContainer(run.resources).readinessProbe.tcpSocket, { port: 8080 });
        assert.equal(appContainer(run.resources).readinessProbe.httpGet, undefined);
        const annotations = serviceAnnotations(run.resources);
        assert.equal(annotations[`${A}healthcheck-protocol`], "tcp");
        assert.equal(annotations[`${A}healthcheck-path`], undefined);
    });
});

describe("KubernetesApp: rollout, disruption budget and autoscaler from the spec", () => {
    const cases: [string, Parameters<typeof k8sService>[0], (r: RecordedResource[]) => void][] = [
        [
            "maxSurge as a percentage, minReadySeconds, readyTimeoutSeconds",
            { app: { ...APP, maxSurge: "50%", minReadySeconds: 20, readyTimeoutSeconds: 300 } },
            (r) => {
                const deployment = raw(r, K.deployment, "hits-us-east-app-deployment");
                assert.deepEqual(deployment.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "50%", maxUnavailable: 0 } });
                assert.equal(deployment.spec.minReadySeconds, 20);
                assert.equal(deployment.spec.progressDeadlineSeconds, 300);
                assert.equal(deployment.metadata.annotations["pulumi.com/timeoutSeconds"], "300");
                assert.equal(deployment.spec.replicas, 3);
            },
        ],
        [
            "maxSurge as a count",
            { app: { ...APP, maxSurge: 2 } },
            (r) => assert.equal(raw(r, K.deployment, "hits-us-east-app-deployment").spec.strategy.rollingUpdate.maxSurge, 2),
        ],
        [
            "deploymentStrategy replace recreates",
            { app: { ...APP, deploymentStrategy: "replace" } },
            (r) => assert.deepEqual(raw(r, K.deployment, "hits-us-east-app-deployment").spec.strategy, { type: "Recreate" }),
        ],
        [
            "autoscaling: an HPA on CPU owns the replica count",
            { autoscaling: { minReplicas: 4, maxReplicas: 9, cpuPercent: 65 } },
            (r) => {
                const hpa = raw(r, K.hpa, "hits-us-east-app-hpa");
                assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "hits" });
                assert.equal(hpa.spec.minReplicas, 4);
                assert.equal(hpa.spec.maxReplicas, 9);
                assert.deepEqual(hpa.spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 65 } } }]);
                assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
                assert.equal("replicas" in raw(r, K.deployment, "hits-us-east-app-deployment").spec, false);
            },
        ],
        [
            "no autoscaling: no HPA",
            {},
            (r) => assert.equal(r.filter((x) => x.type === K.hpa).length, 0),
        ],
        [
            "a PodDisruptionBudget lets one pod go at a time",
            {},
            (r) =>
                assert.deepEqual(raw(r, K.pdb, "hits-us-east-app-pdb").spec, {
                    maxUnavailable: 1,
                    selector: { matchLabels: { "app.kubernetes.io/name": "hits", "app.kubernetes.io/instance": "hits-test-us-east", "app.kubernetes.io/component": "web" } },
                    unhealthyPodEvictionPolicy: "AlwaysAllow",
                }),
        ],
        [
            "app.resources become requests and limits",
            { app: { ...APP, resources: { cpu: 0.5, memoryMb: 768 } } },
            (r) => assert.deepEqual(appContainer(r).resources, { requests: { cpu: "500m", memory: "768Mi" }, limits: { cpu: "500m", memory: "768Mi" } }),
        ],
        [
            "without app.resources, the documented defaults (the HPA needs a CPU request)",
            {},
            (r) => assert.deepEqual(appContainer(r).resources.requests, { cpu: "250m", memory: "256Mi" }),
        ],
    ];
    for (const [name, spec, check] of cases) {
        it(name, async () => {
            const { resources } = await k8sService(spec);
            check(resources);
        });
    }
});

describe("KubernetesApp: pods", () => {
    let resources: RecordedResource[];
    let outputs: unknown;
    before(async () => {
        ({ resources, outputs } = await k8sService({
            app: {
                ...APP,
                env: { LOG_LEVEL: "info" },
                secretEnv: { API_KEY: "k-123" },
                registry: { server: "ghcr.io", username: "ci", password: "hunter2" },
            },
            regions: [{ ...{ name: "us-east", region: "nyc3", replicas: 3, vpcIpRange: "10.110.0.0/20" }, env: { REGION: "us-east-1" } }],
            database: { mode: "managed" },
        }));
    });

    it("runs restricted: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp, no service account token", () => {
        const pod = raw(resources, K.deployment, "hits-us-east-app-deployment").spec.template.spec;
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        assert.deepEqual(appContainer(resources).securityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(raw(resources, K.namespace, "hits-us-east-ns-namespace").metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("keeps plain values in the pod spec, secret ones in a Secret, and names each pod by the downward API", () => {
        const container = appContainer(resources);
        assert.deepEqual(container.env, [
            { name: "PORT", value: "8080" },
            { name: "LOG_LEVEL", value: "info" },
            { name: "REGION", value: "us-east-1" },
            { name: "HORIZON_REPLICA_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ]);
        assert.deepEqual(container.envFrom, [{ secretRef: { name: "hits-env" } }]);
        const secret = resources.find((r) => r.name === "hits-us-east-app-env");
        assert.deepEqual(Object.keys(secret?.rawInputs.stringData as object).sort(), ["API_KEY", "DATABASE_URL"]);
        assert.equal((secret?.rawInputs.stringData as Record<string, string>).API_KEY, "k-123");
        assert.ok(secret?.secretInputs.includes("stringData"));
        assert.equal(secret?.inputs.stringData, SECRET);
        assert.doesNotMatch(JSON.stringify(raw(resources, K.deployment, "hits-us-east-app-deployment")), /k-123|mock-user-password/);
    });

    it("rolls the pods when a secret value changes, without revealing it", async () => {
        const checksum = (r: RecordedResource[]) => raw(r, K.deployment, "hits-us-east-app-deployment").spec.template.metadata.annotations["horizon/env-checksum"];
        const other = await k8sService({ app: { ...APP, secretEnv: { API_KEY: "k-456" } } });
        const same = await k8sService({ app: { ...APP, secretEnv: { API_KEY: "k-456" } } });
        assert.match(checksum(other.resources), /^[0-9a-f]{16}$/);
        assert.equal(checksum(other.resources), checksum(same.resources));
        assert.notEqual(checksum(other.resources), checksum(resources));
    });

    it("pulls from a private registry with an image pull Secret", () => {
        const pull = resources.find((r) => r.name === "hits-us-east-app-registry");
        assert.equal(pull?.rawInputs.type, "kubernetes.io/dockerconfigjson");
        const config = JSON.parse((pull?.rawInputs.stringData as Record<string, string>)[".dockerconfigjson"]);
        assert.deepEqual(config.auths["ghcr.io"], { username: "ci", password: "hunter2", auth: Buffer.from("ci:hunter2").toString("base64") });
        assert.deepEqual(raw(resources, K.deployment, "hits-us-east-app-deployment").spec.template.spec.imagePullSecrets, [{ name: "hits-registry" }]);
    });

    it("stops taking traffic before it stops: a pre-stop sleep inside the grace period", () => {
        const pod = raw(resources, K.deployment, "hits-us-east-app-deployment").spec.template.spec;
        assert.deepEqual(appContainer(resources).lifecycle, { preStop: { sleep: { seconds: 15 } } });
        assert.equal(pod.terminationGracePeriodSeconds, 45);
    });

    it("spreads pods across nodes", () => {
        const [spread] = raw(resources, K.deployment, "hits-us-east-app-deployment").spec.template.spec.topologySpreadConstraints;
        assert.equal(spread.topologyKey, "kubernetes.io/hostname");
        assert.equal(spread.maxSkew, 1);
        assert.deepEqual(spread.matchLabelKeys, ["pod-template-hash"]);
    });

    it("labels every object with app.kubernetes.io/* and its horizon/role", () => {
        const labels = raw(resources, K.deployment, "hits-us-east-app-deployment").metadata.labels;
        assert.deepEqual(labels, {
            "app.kubernetes.io/name": "hits",
            "app.kubernetes.io/instance": "hits-test-us-east",
            "app.kubernetes.io/component": "web",
            "app.kubernetes.io/part-of": "hits",
            "app.kubernetes.io/managed-by": "horizon",
            "horizon/role": "app",
            "horizon/region": "nyc3",
        });
        for (const type of [K.service, K.pdb, K.networkPolicy, K.secret]) {
            for (const r of resources.filter((x) => x.type === type && x.name.startsWith("hits-us-east-app-"))) {
                assert.equal((r.rawInputs.metadata as { labels: Record<string, string> }).labels["horizon/role"], "app", r.name);
            }
        }
    });

    it("returns the Service's load balancer address as the region's url", async () => {
        const { urls, loadBalancerIps } = outputs as { urls: Record<string, string>; loadBalancerIps: Record<string, string> };
        assert.match(loadBalancerIps["us-east"], /^203\.0\.113\.\d+$/);
        assert.equal(urls["us-east"], `http://${loadBalancerIps["us-east"]}`);
        assert.equal(await isSecretOutput(outputs), false);
    });
});

describe("KubernetesApp: the LoadBalancer Service", () => {
    it("is a REGIONAL load balancer with a stable name, size units, and no Let's Encrypt DNS records of the CCM's own", async () => {
        const { resources } = await k8sService({ loadBalancer: { sizeUnit: 3 } });
        const annotations = serviceAnnotations(resources);
        assert.equal(annotations[`${A}type`], "REGIONAL");
        assert.equal(annotations[`${A}name`], "hits-test-us-east");
        assert.equal(annotations[`${A}size-unit`], "3");
        assert.equal(annotations[`${A}disable-lets-encrypt-dns-records`], "true");
        assert.equal(raw(resources, K.service, "hits-us-east-app-service").spec.type, "LoadBalancer");
    });

    it("terminates https with the DigitalOcean certificate by name, on 443, and redirects http", async () => {
        const { resources } = await k8sService({ loadBalancer: { https: { domains: ["api.example.com"], redirectHttp: true } } });
        const annotations = serviceAnnotations(resources);
        const certificate = raw(resources, "digitalocean:index/certificate:Certificate", "hits-us-east-cert");
        assert.deepEqual(certificate.domains, ["api.example.com"]);
        // The certificate's name, which DigitalOcean keeps across Let's Encrypt renewals (the id changes).
        assert.match(annotations[`${A}certificate-name`], /^hits-us-east-cert-[0-9a-f]{7}$/);
        assert.equal(annotations[`${A}certificate-id`], undefined);
        assert.equal(annotations[`${A}tls-ports`], "443");
        assert.equal(annotations[`${A}http-ports`], "80");
        assert.equal(annotations[`${A}redirect-http-to-https`], "true");
        assert.deepEqual(
            raw(resources, K.service, "hits-us-east-app-service").spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]),
            [
                ["http", 80],
                ["https", 443],
            ],
        );
    });

    it("pins sessions with the load balancer's cookie", async () => {
        const { resources } = await k8sService({ loadBalancer: { stickySessions: { cookieName: "route", ttlSeconds: 600 } } });
        const annotations = serviceAnnotations(resources);
        assert.equal(annotations[`${A}sticky-sessions-type`], "cookies");
        assert.equal(annotations[`${A}sticky-sessions-cookie-name`], "route");
        assert.equal(annotations[`${A}sticky-sessions-cookie-ttl`], "600");
    });

    it("adds the user's own annotations beside horizon's", async () => {
        const { resources } = await k8sService({ kubernetes: { serviceAnnotations: { "example.com/team": "web" } } });
        assert.equal(serviceAnnotations(resources)["example.com/team"], "web");
        assert.equal(serviceAnnotations(resources)[`${A}type`], "REGIONAL");
    });
});

describe("KubernetesApp: network policies", () => {
    it("denies all ingress in the namespace, then admits the app port from the load balancer's path only", async () => {
        const { resources } = await k8sService();
        assert.deepEqual(raw(resources, K.networkPolicy, "hits-us-east-ns-deny-ingress").spec, { podSelector: {}, policyTypes: ["Ingress"] });
        const policy = raw(resources, K.networkPolicy, "hits-us-east-app-ingress").spec;
        assert.deepEqual(policy.policyTypes, ["Ingress"]);
        assert.equal(policy.podSelector.matchLabels["app.kubernetes.io/component"], "web");
        assert.deepEqual(policy.ingress, [
            { ports: [{ port: 8080, protocol: "TCP" }], from: [{ ipBlock: { cidr: "10.110.0.0/20" } }, { ipBlock: { cidr: "10.244.0.0/16" } }] },
        ]);
    });

    it("admits the app port from anywhere when the VPC range is not known (an existing cluster)", async () => {
        const { resources } = await k8sService({ kubernetes: { cluster: { mode: "existing", context: "ctx" } } });
        assert.deepEqual(raw(resources, K.networkPolicy, "hits-us-east-app-ingress").spec.ingress, [{ ports: [{ port: 8080, protocol: "TCP" }] }]);
    });

    it("behind HAProxy, admits only the HAProxy pods", async () => {
        const { resources } = await k8sService({ loadBalancer: { algorithm: "least_connections" } });
        assert.deepEqual(raw(resources, K.networkPolicy, "hits-us-east-app-ingress").spec.ingress, [
            {
                ports: [{ port: 8080, protocol: "TCP" }],
                from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "hits", "app.kubernetes.io/instance": "hits-test-us-east", "app.kubernetes.io/component": "haproxy" } } }],
            },
        ]);
    });

    it("admits only the app to the data services", async () => {
        const { resources } = await k8sService({ database: { mode: "container" }, cache: { mode: "container" } });
        for (const [name, port] of [
            ["hits-us-east-pg-ingress", 5432],
            ["hits-us-east-valkey-ingress", 6379],
        ] as const) {
            assert.deepEqual(raw(resources, K.networkPolicy, name).spec.ingress, [
                {
                    ports: [{ port, protocol: "TCP" }],
                    from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "hits", "app.kubernetes.io/instance": "hits-test-us-east", "app.kubernetes.io/component": "web" } } }],
                },
            ]);
        }
    });
});
