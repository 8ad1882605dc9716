import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles, parseStackSpec, readStackFile } from "../../components/config";
import { KUBERNETES_VERSION, manifestsFromRecorded, validateRecorded } from "../helpers/k8sSchema";
import { runIndex } from "../helpers/mocks";
import { k8sService, type K8sSpec } from "./fixtures";

const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");

/** Every stack file whose platform is kubernetes. */
const KUBERNETES_STACKS = listStackFiles(STACKS_DIR)
    .map(readStackFile)
    .filter((file) => parseStackSpec(file.config, { stack: file.stack }).spec.platform === "kubernetes");

/** Specs that between them reach every branch of the components: algorithms, data modes, https, checks. */
const VARIANTS: Record<string, K8sSpec> = {
    "round robin, https, sticky, HPA, managed data": {
        loadBalancer: { https: { domains: ["api.example.com"] }, stickySessions: {} },
        autoscaling: { minReplicas: 2, maxReplicas: 6 },
        database: { mode: "managed" },
        cache: { mode: "managed" },
    },
    "least connections with sticky cookies, container data": {
        loadBalancer: { algorithm: "least_connections", stickySessions: { cookieName: "route", ttlSeconds: 600 } },
        database: { mode: "container" },
        cache: { mode: "container" },
    },
    "source hashing, tcp check on its own port, registry, replace strategy": {
        app: {
            name: "hits",
            image: "registry.example.com/acme/hits:2",
            healthCheck: { protocol: "tcp", port: 9090 },
            deploymentStrategy: "replace",
            registry: { server: "registry.example.com", username: "ci", password: "hunter2" },
        },
        loadBalancer: { algorithm: "source" },
    },
    "random on an existing cluster with a kubeconfig": {
        loadBalancer: { algorithm: "random" },
        kubernetes: { cluster: { mode: "existing", kubeconfig: "apiVersion: v1\nkind: Config\n" }, serviceAnnotations: { "example.com/team": "web" } },
        regions: [{ name: "us-east", region: "nyc3" }],
    },
};

describe(`every Kubernetes object horizon registers validates against the Kubernetes ${KUBERNETES_VERSION} schema`, () => {
    it("finds the Kubernetes stacks", () => {
        assert.deepEqual(KUBERNETES_STACKS.map((f) => f.stack).sort(), ["k8s", "k8s-existing"]);
    });

    for (const file of KUBERNETES_STACKS) {
        it(`stack ${file.stack}`, async () => {
            const { resources } = await runIndex(file);

            assert.ok(manifestsFromRecorded(resources).length >= 8, "too few manifests to mean anything");
            assert.deepEqual(validateRecorded(resources), []);
        });
    }

    for (const [name, spec] of Object.entries(VARIANTS)) {
        it(name, async () => {
            const { resources } = await k8sService(spec);

            assert.deepEqual(validateRecorded(resources), []);
        });
    }
});
