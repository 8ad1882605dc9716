import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { KubernetesTransforms } from "../../components/kubernetes/platform";
import { postgresContainer, valkeyContainer } from "../../components/render/dataServices";
import { ofType, type RecordedResource, SECRET } from "../helpers/mocks";
import { K, k8sService, raw } from "./fixtures";

describe("managed data on DOKS", () => {
    let resources: RecordedResource[];
    before(async () => {
        ({ resources } = await k8sService({ database: { mode: "managed" }, cache: { mode: "managed" } }));
    });

    it("trusts the DOKS cluster itself in every database firewall", () => {
        const firewalls = ofType(resources, K.databaseFirewall);
        assert.deepEqual(firewalls.map((f) => f.name).sort(), ["hits-us-east-cache-fw", "hits-us-east-pg-fw"]);
        for (const firewall of firewalls) {
            assert.deepEqual(firewall.rawInputs.rules, [{ type: "k8s", value: "hits-us-east-cluster-doks-id" }]);
        }
    });

    it("puts the clusters in the cluster's VPC", () => {
        const vpc = "hits-us-east-network-vpc-id";
        assert.equal(raw(resources, K.doks, "hits-us-east-cluster-doks").vpcUuid, vpc);
        for (const cluster of ofType(resources, "digitalocean:index/databaseCluster:DatabaseCluster")) {
            assert.equal(cluster.rawInputs.privateNetworkUuid, vpc);
        }
    });

    it("hands the private URIs to the app through its Secret only", () => {
        const secret = resources.find((r) => r.name === "hits-us-east-app-env");
        const env = secret?.rawInputs.stringData as Record<string, string>;
        assert.match(env.DATABASE_URL, /^postgresql:\/\/app:mock-user-password@private-hits-us-east-pg-pool\.db\.ondigitalocean\.test:25061\/app-pool$/);
        assert.match(env.REDIS_URL, /^rediss:\/\/.*private-hits-us-east-cache-cluster/);
        assert.equal(secret?.inputs.stringData, SECRET);
    });

    it("keeps the user's firewall transform, applied after the cluster rule", async () => {
        const run = await k8sService(
            { database: { mode: "managed" } },
            {
                transform: {
                    kubernetes: {
                        postgres: { firewall: (args) => void (args.rules = [...(args.rules as object[]), { type: "ipAddr", value: "203.0.113.9" }] as never) },
                    } satisfies KubernetesTransforms,
                },
            },
        );
        assert.deepEqual(raw(run.resources, K.databaseFirewall, "hits-us-east-pg-fw").rules, [
            { type: "k8s", value: "hits-us-east-cluster-doks-id" },
            { type: "ipAddr", value: "203.0.113.9" },
        ]);
    });

    it("on an existing DOKS cluster, trusts the cluster id and joins the VPC the stack names", async () => {
        const run = await k8sService({
            kubernetes: {
                cluster: {
                    mode: "existing",
                    context: "do-nyc3",
                    doksClusterId: "0f0e1d2c-3b4a-5968-7766-554433221100",
                    vpcUuid: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
                },
            },
            database: { mode: "managed" },
        });
        assert.deepEqual(raw(run.resources, K.databaseFirewall, "hits-us-east-pg-fw").rules, [{ type: "k8s", value: "0f0e1d2c-3b4a-5968-7766-554433221100" }]);
        assert.equal(raw(run.resources, "digitalocean:index/databaseCluster:DatabaseCluster", "hits-us-east-pg-cluster").privateNetworkUuid, "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
        assert.equal(ofType(run.resources, K.doks).length, 0);
    });
});

describe("data as StatefulSets", () => {
    let resources: RecordedResource[];
    before(async () => {
        ({ resources } = await k8sService({ database: { mode: "container", version: "17", volumeSizeGb: 25 }, cache: { mode: "container" }, protect: true }));
    });

    const cases = [
        { service: "postgres", name: "hits-us-east-pg", container: postgresContainer({ version: "17", database: "app", user: "app", password: "x" }), mount: "/var/lib/postgresql" },
        { service: "valkey", name: "hits-us-east-valkey", container: valkeyContainer({ password: "x", evictionPolicy: "allkeys-lru" }), mount: "/data" },
    ] as const;

    for (const { service, name, container, mount } of cases) {
        it(`${service}: the container from render/dataServices.ts, on a volume claim, with exec probes`, () => {
            const set = raw(resources, K.statefulSet, `${name}-statefulset`);
            const pod = set.spec.template.spec;
            const main = pod.containers[0];
            assert.equal(main.image, container.image);
            assert.deepEqual(main.ports, [{ name: "data", containerPort: container.port, protocol: "TCP" }]);
            assert.deepEqual(main.readinessProbe.exec.command, ["/bin/sh", "-c", container.health.command]);
            assert.equal(main.readinessProbe.periodSeconds, container.health.intervalSeconds);
            assert.equal(main.livenessProbe.failureThreshold, container.health.retries);
            assert.equal(pod.terminationGracePeriodSeconds, container.stopTimeoutSeconds);
            assert.deepEqual(main.volumeMounts[0], { name: "data", mountPath: mount });
            assert.deepEqual(set.spec.volumeClaimTemplates[0].spec, {
                accessModes: ["ReadWriteOnce"],
                storageClassName: "do-block-storage",
                resources: { requests: { storage: "25Gi" } },
            });
            assert.equal(set.spec.serviceName, service === "postgres" ? "hits-postgres" : "hits-valkey");
            // protect keeps the volumes when the StatefulSet goes.
            assert.deepEqual(set.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
            assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" }, runAsGroup: 999, fsGroup: 999 });
            assert.equal(main.securityContext.allowPrivilegeEscalation, false);
        });

        it(`${service}: a headless Service gives it a stable name`, () => {
            const svc = raw(resources, K.service, `${name}-service`);
            assert.equal(svc.spec.clusterIP, "None");
            assert.deepEqual(svc.spec.ports, [{ name: "data", port: container.port, targetPort: "data", protocol: "TCP" }]);
        });
    }

    it("postgres: credentials come from its Secret, never the pod spec", () => {
        const set = raw(resources, K.statefulSet, "hits-us-east-pg-statefulset");
        const env = set.spec.template.spec.containers[0].env;
        assert.deepEqual(env[0], { name: "PGDATA", value: "/var/lib/postgresql/data" });
        assert.deepEqual(
            env.slice(1).map((e: { name: string; valueFrom: unknown }) => [e.name, e.valueFrom]),
            ["POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"].map((key) => [key, { secretKeyRef: { name: "hits-postgres-secret", key } }]),
        );
        const secret = resources.find((r) => r.name === "hits-us-east-pg-secret");
        assert.equal(secret?.inputs.stringData, SECRET);
        const password = (secret?.rawInputs.stringData as Record<string, string>).POSTGRES_PASSWORD;
        assert.match(password, /^mock-password-/);
        assert.ok(!JSON.stringify(set).includes(password));
        const appEnv = resources.find((r) => r.name === "hits-us-east-app-env")?.rawInputs.stringData as Record<string, string>;
        assert.equal(appEnv.DATABASE_URL, `postgresql://app:${password}@hits-postgres.hits.svc.cluster.local:5432/app`);
    });

    it("valkey: its config, with the password and maxmemory, is a file from its Secret", () => {
        const set = raw(resources, K.statefulSet, "hits-us-east-valkey-statefulset");
        const main = set.spec.template.spec.containers[0];
        assert.deepEqual(main.args, ["valkey-server", "/data/valkey.conf"]);
        assert.deepEqual(main.volumeMounts[1], { name: "files", mountPath: "/data/valkey.conf", subPath: "file-valkey.conf", readOnly: true });
        const config = (resources.find((r) => r.name === "hits-us-east-valkey-secret")?.rawInputs.stringData as Record<string, string>)["file-valkey.conf"];
        assert.match(config, /^requirepass "mock-password-/m);
        assert.match(config, /^maxmemory 384mb$/m);
        assert.deepEqual(main.resources.limits, { cpu: "250m", memory: "512Mi" });
        const appEnv = resources.find((r) => r.name === "hits-us-east-app-env")?.rawInputs.stringData as Record<string, string>;
        assert.match(appEnv.REDIS_URL, /^redis:\/\/default:mock-password-[a-z0-9]+@hits-valkey\.hits\.svc\.cluster\.local:6379$/);
    });

    it("the app waits for its data services", () => {
        const app = resources.find((r) => r.type === K.app);
        assert.deepEqual([...(app?.options.dependsOn ?? [])].sort(), ["hits-us-east-ns", "hits-us-east-pg", "hits-us-east-valkey"]);
    });
});
