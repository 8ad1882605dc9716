import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { find, ofType, SECRET } from "../helpers/mocks";
import { K, k8sService, raw } from "./fixtures";

const VERSIONS = "digitalocean:index/getKubernetesVersions:getKubernetesVersions";

describe("Cluster: DOKS", () => {
    it("runs the newest patch release of the minor version, asked of DigitalOcean by prefix", async () => {
        const asked: unknown[] = [];
        const { resources } = await k8sService({ kubernetes: { cluster: { version: "1.33" } } }, {}, {
            invokes: {
                [VERSIONS]: (inputs) => {
                    asked.push(inputs.versionPrefix);
                    return { latestVersion: "1.33.7-do.2", validVersions: ["1.33.7-do.2", "1.33.6-do.0"] };
                },
            },
        });
        assert.deepEqual(asked, ["1.33."]);
        assert.equal(raw(resources, K.doks, "hits-us-east-cluster-doks").version, "1.33.7-do.2");
    });

    it("builds the cluster from kubernetes.cluster, field by field", async () => {
        const { resources } = await k8sService({
            kubernetes: {
                cluster: {
                    ha: true,
                    autoUpgrade: true,
                    surgeUpgrade: false,
                    maintenanceWindow: { day: "tuesday", startTime: "02:30" },
                    nodePool: { size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 7 },
                    clusterSubnet: "10.200.0.0/16",
                    serviceSubnet: "10.201.0.0/16",
                },
            },
            tags: ["team:web"],
        });
        const doks = raw(resources, K.doks, "hits-us-east-cluster-doks");
        assert.equal(doks.region, "nyc3");
        assert.equal(doks.vpcUuid, "hits-us-east-network-vpc-id");
        assert.equal(doks.ha, true);
        assert.equal(doks.autoUpgrade, true);
        assert.equal(doks.surgeUpgrade, false);
        assert.deepEqual(doks.maintenancePolicy, { day: "tuesday", startTime: "02:30" });
        assert.equal(doks.clusterSubnet, "10.200.0.0/16");
        assert.equal(doks.serviceSubnet, "10.201.0.0/16");
        assert.deepEqual(doks.nodePool, {
            name: "horizon",
            size: "s-4vcpu-8gb",
            autoScale: true,
            minNodes: 2,
            maxNodes: 7,
            tags: ["horizon:app:hits", "horizon:stack:test", "team:web", "horizon:region:us-east", "horizon:role:app", "hits-test-us-east-nodes"],
        });
        assert.ok(doks.tags.includes("horizon:role:app"));
        assert.equal(raw(resources, "digitalocean:index/vpc:Vpc", "hits-us-east-network-vpc").ipRange, "10.110.0.0/20");
    });

    it("hands its kubeconfig to the Kubernetes provider as a secret, and keeps it secret in state", async () => {
        const { resources } = await k8sService();
        assert.ok(find(resources, K.doks, "hits-us-east-cluster-doks").additionalSecretOutputs.includes("kubeConfigs"));
        const provider = find(resources, K.provider, "hits-us-east-cluster-provider");
        assert.equal(provider.inputs.kubeconfig, SECRET);
        assert.match(String(provider.rawInputs.kubeconfig), /^apiVersion: v1\nkind: Config\n/);
        assert.equal(provider.rawInputs.enableServerSideApply, "true");
        assert.equal(provider.rawInputs.enableSecretMutable, "true");
    });

    it("registers every Kubernetes object with the cluster's provider", async () => {
        const { resources } = await k8sService({ loadBalancer: { algorithm: "random" }, database: { mode: "container" } });
        const objects = resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(objects.length >= 10);
        // The mock runtime records parents; every object hangs below a component built with the cluster's providers.
        for (const object of objects) {
            assert.ok(object.parent !== undefined && /^hits-us-east-(app|haproxy|pg|ns)/.test(object.parent), `${object.name} under ${object.parent}`);
        }
    });
});

describe("Cluster: existing", () => {
    it("creates no cloud cluster and reaches the cluster through a context of the local kubeconfig", async () => {
        const { resources } = await k8sService({ kubernetes: { cluster: { mode: "existing", context: "do-nyc3-platform" } } });
        assert.equal(ofType(resources, K.doks).length, 0);
        assert.equal(ofType(resources, "digitalocean:index/vpc:Vpc").length, 0);
        const provider = find(resources, K.provider, "hits-us-east-cluster-provider");
        assert.equal(provider.rawInputs.context, "do-nyc3-platform");
        assert.equal(provider.rawInputs.kubeconfig, undefined);
    });

    it("or through the stack's kubeconfig, kept secret", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\nusers: [{name: ci, user: {token: t0k3n}}]\n";
        const { resources } = await k8sService({ kubernetes: { cluster: { mode: "existing", kubeconfig } } });
        const provider = find(resources, K.provider, "hits-us-east-cluster-provider");
        assert.equal(provider.inputs.kubeconfig, SECRET);
        assert.equal(provider.rawInputs.kubeconfig, kubeconfig);
    });
});
