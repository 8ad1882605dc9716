import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseStackSpec } from "../../components/config";
import { cidrsOverlap } from "../../components/core/cidr";
import { allocatable, DROPLET_SHAPES, podsPerNode } from "../../components/core/kubernetesCapacity";
import { DEFAULT_HEALTH_CHECK, type KubernetesSpecInput } from "../../components/core/spec";
import { doServiceAnnotations, HORIZON_SERVICE_ANNOTATIONS, loadBalancerName } from "../../components/render/doServiceAnnotations";
import { APP, US_EAST } from "./fixtures";

function parse(spec: Partial<KubernetesSpecInput>) {
    return parseStackSpec({ platform: "kubernetes", app: APP, regions: [US_EAST], ...spec }, { stack: "test" });
}

function problems(spec: Partial<KubernetesSpecInput>): string[] {
    try {
        parse(spec);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.message.split("\n").slice(1, -1).map((line) => line.trim());
    }
    return [];
}

describe("kubernetes config", () => {
    it("fills the documented defaults", () => {
        const { spec, warnings } = parse({});
        assert.equal(spec.platform, "kubernetes");
        assert.deepEqual(spec.platform === "kubernetes" ? spec.kubernetes : undefined, {
            cluster: {
                mode: "doks",
                version: "1.34",
                ha: false,
                autoUpgrade: true,
                surgeUpgrade: true,
                maintenanceWindow: { day: "sunday", startTime: "04:00" },
                nodePool: { size: "s-2vcpu-4gb", minNodes: 2, maxNodes: 4 },
                clusterSubnet: "10.244.0.0/16",
                serviceSubnet: "10.245.0.0/16",
            },
            serviceAnnotations: {},
        });
        assert.deepEqual(warnings, []);
    });

    it("takes every algorithm: the ones DigitalOcean's load balancer lacks get an in-cluster HAProxy", () => {
        for (const algorithm of ["round_robin", "least_connections", "source", "random"] as const) {
            assert.equal(parse({ loadBalancer: { algorithm } }).spec.loadBalancer.algorithm, algorithm);
        }
    });

    it("warns when the VPC range is left to DigitalOcean, since the cluster's ranges cannot be checked against it", () => {
        const { warnings } = parse({ regions: [{ name: "us-east", region: "nyc3" }] });
        assert.deepEqual(warnings, [
            "region us-east has no vpcIpRange: DigitalOcean picks the VPC range, so horizon cannot check it against kubernetes.cluster.clusterSubnet (10.244.0.0/16) and serviceSubnet (10.245.0.0/16)",
        ]);
    });

    it("rejects a node pool one pod short, and accepts it at exactly enough", () => {
        // s-2vcpu-4gb leaves 1.63 CPU: 3 pods of 0.5 CPU per node. 10 pods + 3 surging = 13 pods need 5 nodes.
        const spec = (maxNodes: number): Partial<KubernetesSpecInput> => ({
            app: { ...APP, resources: { cpu: 0.5, memoryMb: 256 } },
            autoscaling: { minReplicas: 2, maxReplicas: 10 },
            kubernetes: { cluster: { nodePool: { size: "s-2vcpu-4gb", minNodes: 2, maxNodes } } },
        });
        assert.deepEqual(problems(spec(5)), []);
        assert.deepEqual(problems(spec(4)), [
            "horizon:kubernetes.cluster.nodePool.maxNodes: 4 x s-2vcpu-4gb hold 12 app pods of 0.5 CPU / 256 MB (3 per node) (got 4; expected at least 5 nodes for 13 pods (autoscaling.maxReplicas 10 + 3 surging during a rollout), a larger size, or smaller app.resources)",
        ]);
    });

    it("counts the largest region's replicas when nothing autoscales", () => {
        const lines = problems({
            app: { ...APP, resources: { cpu: 1, memoryMb: 512 } },
            regions: [{ ...US_EAST, replicas: 6 }],
            kubernetes: { cluster: { nodePool: { size: "s-2vcpu-4gb", minNodes: 1, maxNodes: 3 } } },
        });
        assert.equal(lines.length, 1);
        assert.match(lines[0], /expected at least 8 nodes for 8 pods \(the region's replicas \+ 2 surging during a rollout\)/);
    });

    it("rejects every annotation horizon writes, and nothing else", () => {
        const written = doServiceAnnotations({
            name: "n",
            sizeUnit: 1,
            healthCheck: DEFAULT_HEALTH_CHECK,
            healthServicePort: 80,
            stickySessions: { cookieName: "c", ttlSeconds: 1 },
            https: { certificateName: "cert", redirectHttp: true },
        });
        for (const key of Object.keys(written)) {
            assert.ok(key in HORIZON_SERVICE_ANNOTATIONS, `${key} is written but users may set it too`);
        }
        assert.deepEqual(problems({ kubernetes: { serviceAnnotations: { "service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol": "false", "example.com/a": "b" } } }), []);
        assert.equal(problems({ kubernetes: { serviceAnnotations: { "service.beta.kubernetes.io/do-loadbalancer-type": "REGIONAL_NETWORK" } } }).length, 1);
    });

    it("allows managed data on an existing DOKS cluster named by id and VPC", () => {
        const existing = {
            mode: "existing",
            context: "do-nyc3",
            doksClusterId: "0f0e1d2c-3b4a-5968-7766-554433221100",
            vpcUuid: "a1b2c3d4-e5f6-4711-8899-aabbccddeeff",
        } as const;
        assert.deepEqual(problems({ kubernetes: { cluster: existing }, database: { mode: "managed" }, cache: { mode: "managed" } }), []);
        const { doksClusterId: _id, ...withoutId } = existing;
        assert.equal(problems({ kubernetes: { cluster: withoutId }, database: { mode: "managed" } }).length, 1);
    });
});

describe("node capacity", () => {
    it("leaves for pods what the node has minus the documented reserve", () => {
        const table: [string, number, number][] = [
            // 1 - (0.06 + 0.3) CPU; 2048 - (25% of 2048 + 100 + 400) MB
            ["s-1vcpu-2gb", 0.64, 1036],
            ["s-2vcpu-4gb", 1.63, 2572],
            // 8192 - (1024 + 819.2 + 100 + 400) MB
            ["s-4vcpu-8gb", 3.62, 5848],
            ["s-8vcpu-16gb", 7.61, 13221],
        ];
        for (const [size, cpu, memoryMb] of table) {
            const free = allocatable(DROPLET_SHAPES[size]);
            assert.equal(Number(free.vcpus.toFixed(2)), cpu, size);
            assert.equal(Math.floor(free.memoryMb), memoryMb, size);
        }
    });

    it("fits pods by the scarcer of CPU and memory", () => {
        const node = DROPLET_SHAPES["s-2vcpu-4gb"];
        assert.equal(podsPerNode(node, { cpu: 0.25, memoryMb: 256 }), 6);
        assert.equal(podsPerNode(node, { cpu: 0.1, memoryMb: 1024 }), 2);
        assert.equal(podsPerNode(node, { cpu: 2, memoryMb: 128 }), 0);
    });

    it("tells overlapping IPv4 ranges apart", () => {
        const table: [string, string, boolean][] = [
            ["10.244.0.0/16", "10.245.0.0/16", false],
            ["10.244.0.0/16", "10.244.255.0/24", true],
            ["10.0.0.0/8", "10.110.0.0/20", true],
            ["10.110.0.0/20", "10.110.16.0/20", false],
            ["10.110.0.0/20", "10.110.15.255/32", true],
        ];
        for (const [a, b, overlap] of table) {
            assert.equal(cidrsOverlap(a, b), overlap, `${a} ${b}`);
            assert.equal(cidrsOverlap(b, a), overlap, `${b} ${a}`);
        }
    });
});

describe("load balancer names", () => {
    it("keeps DigitalOcean's characters and never ends in '-'", () => {
        assert.equal(loadBalancerName("hits-pr_42-us-east"), "hits-pr-42-us-east");
        assert.equal(loadBalancerName("-hits-"), "hits");
        assert.equal(loadBalancerName("x".repeat(300)).length, 255);
    });
});
