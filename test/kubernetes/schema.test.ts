import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
    autoName,
    type K8sManifest,
    KUBERNETES_VERSION,
    manifestsFromRecorded,
    validateManifest,
    validateRecorded,
} from "../helpers/k8sSchema";
import { type RecordedResource, runUnderMocks } from "../helpers/mocks";

const LABELS = { app: "hits", "horizon/role": "app" };

/** One of each kind the Kubernetes platform registers, built with the real @pulumi/kubernetes classes. */
async function registerGoodSet(): Promise<RecordedResource[]> {
    const { resources } = await runUnderMocks(async () => {
        const k8s = await import("@pulumi/kubernetes");
        const ns = new k8s.core.v1.Namespace("hits-ns", { metadata: { name: "hits", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
        const namespace = ns.metadata.name;
        new k8s.core.v1.Secret("hits-env", {
            metadata: { name: "hits-env", namespace },
            type: "Opaque",
            stringData: { DATABASE_URL: "postgresql://app:pw@db:5432/app" },
            data: { REDIS_PASSWORD: Buffer.from("s3cret").toString("base64") },
        });
        new k8s.core.v1.ConfigMap("hits-config", { metadata: { name: "hits-config", namespace }, data: { LOG_LEVEL: "info" } });
        new k8s.apps.v1.Deployment("hits-web", {
            metadata: { name: "hits-web", namespace, labels: LABELS },
            spec: {
                replicas: 3,
                minReadySeconds: 10,
                selector: { matchLabels: LABELS },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                template: {
                    metadata: { labels: LABELS },
                    spec: {
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: "app",
                                image: "ghcr.io/acme/hits:1.4.2",
                                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                                envFrom: [{ secretRef: { name: "hits-env" } }, { configMapRef: { name: "hits-config" } }],
                                readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
                                livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10 },
                                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
                            },
                        ],
                    },
                },
            },
        });
        new k8s.core.v1.Service("hits-lb", {
            metadata: {
                name: "hits-lb",
                namespace,
                annotations: {
                    "service.beta.kubernetes.io/do-loadbalancer-healthcheck-path": "/healthz",
                    "service.beta.kubernetes.io/do-loadbalancer-healthcheck-protocol": "http",
                },
            },
            spec: { type: "LoadBalancer", selector: LABELS, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
        });
        new k8s.core.v1.Service("hits-headless", {
            metadata: { name: "hits-headless", namespace },
            spec: { clusterIP: "None", selector: LABELS, ports: [{ port: 8080, targetPort: 8080 }] },
        });
        new k8s.policy.v1.PodDisruptionBudget("hits-pdb", {
            metadata: { name: "hits-pdb", namespace },
            spec: { maxUnavailable: 1, selector: { matchLabels: LABELS }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
        });
        new k8s.autoscaling.v2.HorizontalPodAutoscaler("hits-hpa", {
            metadata: { name: "hits-hpa", namespace },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "hits-web" },
                minReplicas: 3,
                maxReplicas: 10,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
            },
        });
        new k8s.networking.v1.NetworkPolicy("hits-netpol", {
            metadata: { name: "hits-netpol", namespace },
            spec: {
                podSelector: { matchLabels: LABELS },
                policyTypes: ["Ingress"],
                ingress: [{ ports: [{ port: 8080, protocol: "TCP" }], from: [{ ipBlock: { cidr: "10.10.0.0/16" } }] }],
            },
        });
        new k8s.apps.v1.StatefulSet("hits-pg", {
            metadata: { name: "hits-pg", namespace },
            spec: {
                serviceName: "hits-headless",
                replicas: 1,
                selector: { matchLabels: { app: "hits-pg" } },
                template: {
                    metadata: { labels: { app: "hits-pg" } },
                    spec: {
                        containers: [
                            {
                                name: "postgres",
                                image: "postgres:17",
                                ports: [{ containerPort: 5432 }],
                                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
                            },
                        ],
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data" },
                        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "do-block-storage", resources: { requests: { storage: "10Gi" } } },
                    },
                ],
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            },
        });
        // No metadata.name: the provider autonames it.
        new k8s.core.v1.ConfigMap("hits-autonamed", { metadata: { namespace }, data: { A: "1" } });
    });
    return resources;
}

function byName(manifests: readonly K8sManifest[], kind: string, name: string): K8sManifest {
    const found = manifests.find((m) => m.kind === kind && m.metadata?.name === name);
    return found ?? assert.fail(`no ${kind}/${name} among ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(", ")}`);
}

/** Plain JSON that an edit reaches deep into, where typing each path would only hide the edit. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A deep copy of one good manifest, changed by `edit`. */
function edited(manifest: K8sManifest, edit: (m: Json) => void): K8sManifest {
    const copy = structuredClone(manifest) as Json;
    edit(copy);
    return copy as K8sManifest;
}

describe(`Kubernetes ${KUBERNETES_VERSION} manifest schema`, () => {
    let recorded: RecordedResource[];
    let manifests: K8sManifest[];
    before(async () => {
        recorded = await registerGoodSet();
        manifests = manifestsFromRecorded(recorded);
    });

    it("pins a Kubernetes release that DOKS offers", () => {
        assert.equal(KUBERNETES_VERSION, "v1.34.0");
    });

    it("accepts every kind the platform registers, built with @pulumi/kubernetes", () => {
        assert.deepEqual(manifests.map((m) => `${m.apiVersion} ${m.kind}/${m.metadata?.name}`).sort(), [
            "apps/v1 Deployment/hits-web",
            "apps/v1 StatefulSet/hits-pg",
            "autoscaling/v2 HorizontalPodAutoscaler/hits-hpa",
            "networking.k8s.io/v1 NetworkPolicy/hits-netpol",
            "policy/v1 PodDisruptionBudget/hits-pdb",
            `v1 ConfigMap/${autoName("hits-autonamed")}`,
            "v1 ConfigMap/hits-config",
            "v1 Namespace/hits",
            "v1 Secret/hits-env",
            "v1 Service/hits-headless",
            "v1 Service/hits-lb",
        ]);
        assert.deepEqual(validateRecorded(recorded), []);
    });

    it("gives an unnamed object the provider's autoname and annotation", () => {
        const cm = byName(manifests, "ConfigMap", autoName("hits-autonamed"));
        assert.match(String(cm.metadata?.name), /^hits-autonamed-[0-9a-f]{8}$/);
        assert.deepEqual(cm.metadata?.annotations, { "pulumi.com/autonamed": "true" });
        assert.equal(byName(manifests, "Secret", "hits-env").metadata?.annotations, undefined);
    });

    it("keeps secret inputs in plain text, as the provider sends them", () => {
        const secret = byName(manifests, "Secret", "hits-env");
        assert.deepEqual(secret.stringData, { DATABASE_URL: "postgresql://app:pw@db:5432/app" });
        assert.deepEqual(secret.data, { REDIS_PASSWORD: "czNjcmV0" });
    });

    it("rejects a field the schema does not define, naming its path", () => {
        const bad = edited(byName(manifests, "Deployment", "hits-web"), (m) => {
            m.spec.template.spec.containers[0].healthCheck = { path: "/healthz" };
        });
        assert.deepEqual(validateManifest(bad), [
            "Deployment/hits-web: spec.template.spec.containers[0].healthCheck: unknown field: the Kubernetes v1.34.0 schema does not define it here",
        ]);
    });

    it("rejects an unknown field registered through the real class", async () => {
        const { resources } = await runUnderMocks(async () => {
            const k8s = await import("@pulumi/kubernetes");
            new k8s.core.v1.Service("typo", {
                metadata: { name: "typo" },
                spec: { selector: LABELS, ports: [{ port: 80, targetPorts: 8080 }] } as unknown as Record<string, never>,
            });
        });
        assert.deepEqual(validateRecorded(resources), [
            "Service/typo: spec.ports[0].targetPorts: unknown field: the Kubernetes v1.34.0 schema does not define it here",
        ]);
    });

    it("rejects a wrong type", () => {
        const bad = edited(byName(manifests, "Deployment", "hits-web"), (m) => {
            m.spec.replicas = "3";
        });
        assert.deepEqual(validateManifest(bad), ['Deployment/hits-web: spec.replicas: must be integer, got string "3"']);
    });

    it("rejects a missing Deployment selector and a container without a name", () => {
        const bad = edited(byName(manifests, "Deployment", "hits-web"), (m) => {
            delete m.spec.selector;
            delete m.spec.template.spec.containers[0].name;
        });
        assert.deepEqual(validateManifest(bad).sort(), [
            "Deployment/hits-web: spec.selector: required field is missing",
            "Deployment/hits-web: spec.template.spec.containers[0].name: required field is missing",
        ]);
    });

    it("rejects a Service type outside its enum, and a bad protocol", () => {
        const bad = edited(byName(manifests, "Service", "hits-lb"), (m) => {
            m.spec.type = "LoadBalancr";
            m.spec.ports[0].protocol = "tcp";
        });
        assert.deepEqual(validateManifest(bad), [
            'Service/hits-lb: spec.ports[0].protocol: "tcp" is not one of "SCTP", "TCP", "UDP"',
            'Service/hits-lb: spec.type: "LoadBalancr" is not one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
        ]);
    });

    it("rejects an int-or-string that is neither an int32 nor a string", () => {
        const pdb = edited(byName(manifests, "PodDisruptionBudget", "hits-pdb"), (m) => {
            m.spec.maxUnavailable = 1.5;
        });
        assert.deepEqual(validateManifest(pdb), ["PodDisruptionBudget/hits-pdb: spec.maxUnavailable: must be integer or string, got number 1.5"]);
        const deployment = edited(byName(manifests, "Deployment", "hits-web"), (m) => {
            m.spec.strategy.rollingUpdate.maxSurge = true;
            m.spec.template.spec.containers[0].readinessProbe.httpGet.port = 2 ** 31;
        });
        assert.deepEqual(validateManifest(deployment), [
            "Deployment/hits-web: spec.strategy.rollingUpdate.maxSurge: must be integer or string, got boolean true",
            "Deployment/hits-web: spec.template.spec.containers[0].readinessProbe.httpGet.port: 2147483648 is not a valid int32 value",
        ]);
    });

    it("rejects a malformed quantity and non-base64 Secret data", () => {
        const sts = edited(byName(manifests, "StatefulSet", "hits-pg"), (m) => {
            m.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "10GB";
        });
        assert.deepEqual(validateManifest(sts), [
            'StatefulSet/hits-pg: spec.volumeClaimTemplates[0].spec.resources.requests.storage: "10GB" is not a Kubernetes quantity (e.g. 250m, 1.5, 512Mi, 2Gi)',
        ]);
        const secret = edited(byName(manifests, "Secret", "hits-env"), (m) => {
            m.data.REDIS_PASSWORD = "s3cret!";
        });
        assert.deepEqual(validateManifest(secret), ['Secret/hits-env: data.REDIS_PASSWORD: "s3cret!" is not a valid byte (base64) value']);
    });

    it("checks HPA v2, NetworkPolicy and annotation values", () => {
        const hpa = edited(byName(manifests, "HorizontalPodAutoscaler", "hits-hpa"), (m) => {
            delete m.spec.maxReplicas;
            m.spec.metrics[0].resource.target.averageUtilization = "70%";
        });
        assert.deepEqual(validateManifest(hpa).sort(), [
            "HorizontalPodAutoscaler/hits-hpa: spec.maxReplicas: required field is missing",
            'HorizontalPodAutoscaler/hits-hpa: spec.metrics[0].resource.target.averageUtilization: must be integer, got string "70%"',
        ]);
        const netpol = edited(byName(manifests, "NetworkPolicy", "hits-netpol"), (m) => {
            m.spec.policyTypes = ["Inbound"];
        });
        assert.deepEqual(validateManifest(netpol), ['NetworkPolicy/hits-netpol: spec.policyTypes[0]: "Inbound" is not one of "Egress", "Ingress"']);
        const service = edited(byName(manifests, "Service", "hits-lb"), (m) => {
            m.metadata.annotations["service.beta.kubernetes.io/do-loadbalancer-healthcheck-port"] = 8080;
        });
        assert.deepEqual(validateManifest(service), [
            'Service/hits-lb: metadata.annotations["service.beta.kubernetes.io/do-loadbalancer-healthcheck-port"]: must be string, got number 8080',
        ]);
    });

    it("reads null as unset, as the API server decodes it", () => {
        const deployment = byName(manifests, "Deployment", "hits-web");
        assert.deepEqual(validateManifest(edited(deployment, (m) => (m.spec.paused = null))), []);
        assert.deepEqual(validateManifest(edited(deployment, (m) => (m.spec.template = null))), ["Deployment/hits-web: spec.template: required field is missing"]);
    });

    it("names a kind it has no schema for", () => {
        const [line] = validateManifest({ apiVersion: "apps/v1beta1", kind: "Deployment", metadata: { name: "old" } });
        assert.match(line, /^Deployment\/old: apiVersion: no schema for apps\/v1beta1 Deployment in Kubernetes v1\.34\.0; known: /);
    });
});

describe("manifestsFromRecorded", () => {
    const recordedAs = (type: string, name: string, rawInputs: Record<string, unknown>): RecordedResource => ({
        type,
        name,
        inputs: rawInputs,
        rawInputs,
        secretInputs: [],
        additionalSecretOutputs: [],
        options: { protect: false, dependsOn: [], deleteBeforeReplace: false, retainOnDelete: false, ignoreChanges: [] },
    });

    it("takes apiVersion and kind from the type token when the inputs lack them", () => {
        const manifests = manifestsFromRecorded([
            recordedAs("kubernetes:core/v1:Service", "svc", { metadata: { name: "svc" }, spec: { ports: [{ port: 80 }] } }),
            recordedAs("kubernetes:apps/v1:Deployment", "web", { metadata: { name: "web" }, spec: {} }),
            recordedAs("kubernetes:networking.k8s.io/v1:NetworkPolicy", "np", { metadata: { name: "np" }, spec: {} }),
        ]);
        assert.deepEqual(
            manifests.map((m) => [m.apiVersion, m.kind]),
            [
                ["v1", "Service"],
                ["apps/v1", "Deployment"],
                ["networking.k8s.io/v1", "NetworkPolicy"],
            ],
        );
        assert.deepEqual(validateManifest(manifests[1]).sort(), [
            "Deployment/web: spec.selector: required field is missing",
            "Deployment/web: spec.template: required field is missing",
        ]);
    });

    it("skips providers, components and other clouds' resources", () => {
        const manifests = manifestsFromRecorded([
            recordedAs("pulumi:providers:kubernetes", "default", {}),
            recordedAs("kubernetes:yaml/v2:ConfigGroup", "cg", {}),
            recordedAs("kubernetes:helm.sh/v4:Chart", "chart", {}),
            recordedAs("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks", { name: "doks" }),
        ]);
        assert.deepEqual(manifests, []);
    });

    it("refuses server-side apply patches instead of skipping them", () => {
        assert.throws(
            () => manifestsFromRecorded([recordedAs("kubernetes:apps/v1:DeploymentPatch", "p", { metadata: { name: "coredns" } })]),
            /kubernetes:apps\/v1:DeploymentPatch p: a server-side apply patch is a partial object/,
        );
    });
});
