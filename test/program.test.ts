import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import type { StackFile } from "../components/config/load";
import { ofType, type RecordedResource, runIndex, runUnderMocks, stackConfig, T } from "./helpers/mocks";

const STACKS_DIR = path.join(__dirname, "..", "stacks");
const INDEX = path.join(__dirname, "..", "index.ts");

const K8S = {
    cluster: "horizon:kubernetes:Cluster",
    namespaceComponent: "horizon:kubernetes:Namespace",
    app: "horizon:kubernetes:KubernetesApp",
    haproxy: "horizon:kubernetes:InClusterHaproxy",
    dataService: "horizon:kubernetes:DataService",
    provider: "pulumi:providers:kubernetes",
    namespace: "kubernetes:core/v1:Namespace",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
} as const;

const COMPONENT = {
    network: "horizon:digitalocean:Network",
    loadBalancer: "horizon:digitalocean:LoadBalancer",
    appFleet: "horizon:digitalocean:AppFleet",
    postgres: "horizon:digitalocean:Postgres",
    cache: "horizon:digitalocean:Cache",
    dataNode: "horizon:digitalocean:DataNode",
    dns: "horizon:digitalocean:Dns",
    vpcPeerings: "horizon:digitalocean:VpcPeerings",
    readReplica: "horizon:digitalocean:ReadReplica",
    globalLoadBalancer: "horizon:digitalocean:GlobalLoadBalancer",
} as const;

/** What one regional stack with managed data, https and one domain registers. */
function managedRegion(): Record<string, number> {
    return {
        [T.webService]: 1,
        [COMPONENT.network]: 1,
        [COMPONENT.loadBalancer]: 1,
        [COMPONENT.appFleet]: 1,
        [COMPONENT.postgres]: 1,
        [COMPONENT.cache]: 1,
        [COMPONENT.dns]: 1,
        [T.tag]: 1,
        [T.vpc]: 1,
        [T.droplet]: 3,
        [T.healthGate]: 3,
        [T.firewall]: 1,
        [T.loadBalancer]: 1,
        [T.certificate]: 1,
        [T.cluster]: 2,
        [T.databaseDb]: 1,
        [T.databaseUser]: 1,
        [T.pool]: 1,
        [T.databaseFirewall]: 2,
        [T.dnsRecord]: 1,
        [T.project]: 1,
    };
}

interface Expected {
    /** Registered resources by type, exactly. */
    readonly counts: Record<string, number>;
    /** Region unit name to DigitalOcean region slug. */
    readonly regions: Record<string, string>;
    /** Names of the DNS records' host names. */
    readonly dnsNames: string[];
    /** Resource names that are protected (and retained). */
    readonly protectedNames: string[];
    readonly url?: (ip: string) => string;
    readonly project?: string;
    readonly replicas?: number;
    /** Set for platform kubernetes, whose outputs name the namespace and cluster instead of droplets. */
    readonly kubernetes?: { readonly namespace: string; readonly doks: boolean };
}

function regional(region: string, slug: string, domain: string): Expected {
    return {
        counts: managedRegion(),
        regions: { [region]: slug },
        dnsNames: [domain],
        protectedNames: [`hits-${region}-cache-cluster`, `hits-${region}-network-vpc`, `hits-${region}-pg-cluster`],
        url: () => `https://${domain}`,
        project: `hits-${region}`,
        replicas: 3,
    };
}

const EXPECTED: Record<string, Expected> = {
    production: {
        counts: { ...managedRegion(), [T.dnsRecord]: 2 },
        regions: { "us-east": "nyc3" },
        dnsNames: ["api.example.com", "us.api.example.com"],
        protectedNames: ["hits-us-east-cache-cluster", "hits-us-east-network-vpc", "hits-us-east-pg-cluster"],
        url: () => "https://api.example.com",
        project: "hits-production",
        replicas: 3,
    },
    staging: {
        counts: {
            [T.webService]: 1,
            [T.tag]: 1,
            [COMPONENT.network]: 1,
            [COMPONENT.loadBalancer]: 1,
            [COMPONENT.appFleet]: 1,
            [COMPONENT.dataNode]: 1,
            [T.vpc]: 1,
            [T.droplet]: 3,
            [T.healthGate]: 2,
            [T.firewall]: 2,
            [T.loadBalancer]: 1,
            [T.volume]: 1,
            [T.password]: 2,
            [T.project]: 1,
        },
        regions: { staging: "nyc3" },
        dnsNames: [],
        protectedNames: [],
        url: (ip) => `http://${ip}`,
        project: "hits-staging",
        replicas: 2,
    },
    "us-east": regional("us-east", "nyc3", "us.api.example.com"),
    "eu-west": regional("eu-west", "ams3", "eu.api.example.com"),
    "ap-southeast": regional("ap-southeast", "sgp1", "ap.api.example.com"),
    global: {
        counts: {
            [T.webService]: 1,
            [COMPONENT.network]: 3,
            [COMPONENT.vpcPeerings]: 1,
            [COMPONENT.postgres]: 1,
            [COMPONENT.readReplica]: 2,
            [COMPONENT.cache]: 3,
            [COMPONENT.loadBalancer]: 3,
            [COMPONENT.globalLoadBalancer]: 1,
            [COMPONENT.appFleet]: 3,
            [COMPONENT.dns]: 3,
            [T.tag]: 3,
            [T.vpc]: 3,
            [T.vpcPeering]: 3,
            [T.droplet]: 9,
            [T.healthGate]: 9,
            [T.firewall]: 3,
            // Three regional balancers and the GLOBAL one.
            [T.loadBalancer]: 4,
            [T.certificate]: 3,
            // The primary Postgres and one Valkey per region.
            [T.cluster]: 4,
            [T.databaseReplica]: 2,
            [T.databaseDb]: 1,
            [T.databaseUser]: 1,
            [T.pool]: 1,
            // The primary's, each replica's and each cache's.
            [T.databaseFirewall]: 6,
            // Regional names only: DigitalOcean adds api.example.com's records for the GLOBAL balancer.
            [T.dnsRecord]: 3,
            [T.project]: 1,
        },
        regions: { "us-east": "nyc3", "eu-west": "ams3", "ap-southeast": "sgp1" },
        dnsNames: ["ap.api.example.com", "eu.api.example.com", "us.api.example.com"],
        protectedNames: [
            "hits-ap-southeast-cache-cluster",
            "hits-ap-southeast-network-vpc",
            "hits-eu-west-cache-cluster",
            "hits-eu-west-network-vpc",
            "hits-us-east-cache-cluster",
            "hits-us-east-network-vpc",
            "hits-us-east-pg-cluster",
        ],
        url: () => "https://api.example.com",
        project: "hits-global",
        replicas: 3,
    },
    k8s: {
        counts: {
            [T.webService]: 1,
            [COMPONENT.network]: 1,
            [COMPONENT.postgres]: 1,
            [COMPONENT.cache]: 1,
            [COMPONENT.dns]: 1,
            [K8S.cluster]: 1,
            [K8S.namespaceComponent]: 1,
            [K8S.app]: 1,
            [T.vpc]: 1,
            [T.certificate]: 1,
            [T.doks]: 1,
            [T.cluster]: 2,
            [T.databaseDb]: 1,
            [T.databaseUser]: 1,
            [T.pool]: 1,
            [T.databaseFirewall]: 2,
            [T.dnsRecord]: 1,
            [K8S.provider]: 1,
            [K8S.namespace]: 1,
            [K8S.networkPolicy]: 2,
            [K8S.service]: 1,
            [K8S.secret]: 1,
            [K8S.pdb]: 1,
            [K8S.deployment]: 1,
            [K8S.hpa]: 1,
        },
        regions: { k8s: "nyc3" },
        dnsNames: ["k8s.api.example.com"],
        protectedNames: ["hits-k8s-cache-cluster", "hits-k8s-network-vpc", "hits-k8s-pg-cluster"],
        url: () => "https://k8s.api.example.com",
        kubernetes: { namespace: "hits", doks: true },
    },
    "k8s-existing": {
        counts: {
            [T.webService]: 1,
            [T.password]: 2,
            [K8S.cluster]: 1,
            [K8S.namespaceComponent]: 1,
            [K8S.dataService]: 2,
            [K8S.haproxy]: 1,
            [K8S.app]: 1,
            [K8S.provider]: 1,
            [K8S.namespace]: 1,
            [K8S.networkPolicy]: 5,
            [K8S.service]: 4,
            [K8S.secret]: 3,
            [K8S.pdb]: 2,
            [K8S.statefulSet]: 2,
            [K8S.configMap]: 1,
            [K8S.deployment]: 2,
        },
        regions: { existing: "nyc3" },
        dnsNames: [],
        protectedNames: [],
        url: (ip) => `http://${ip}`,
        kubernetes: { namespace: "hits-staging", doks: false },
    },
    local: {
        counts: {
            [T.webService]: 1,
            "horizon:docker:DataService": 2,
            "horizon:docker:Balancer": 1,
            "horizon:docker:AppReplicas": 1,
            "docker:index/network:Network": 1,
            "docker:index/volume:Volume": 2,
            "docker:index/remoteImage:RemoteImage": 4,
            "docker:index/container:Container": 6,
            "pulumi-nodejs:dynamic/horizon:RolloutGate": 3,
            [T.password]: 2,
        },
        regions: {},
        dnsNames: [],
        protectedNames: [],
    },
};

async function readStack(stack: string): Promise<StackFile> {
    const { readStackFile } = await import("../components/config/load");
    return readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
}

function countByType(resources: RecordedResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

interface ProgramOutputs {
    readonly platform: string;
    readonly urls?: Record<string, string>;
    readonly loadBalancerIps?: Record<string, string>;
    readonly dropletIps?: Record<string, string[]>;
    readonly project?: string;
    readonly app?: string;
    readonly regions?: string[];
    readonly kubernetes?: Record<string, { namespace: string; clusterId: string; version: string }>;
}

describe("the program, per stack file", () => {
    it("has an expectation for every stack file", () => {
        const stacks = fs
            .readdirSync(STACKS_DIR)
            .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
            .map((f) => f.replace(/^Pulumi\./, "").replace(/\.ya?ml$/, ""));
        assert.deepEqual(stacks.sort(), Object.keys(EXPECTED).sort());
    });

    for (const [stack, expected] of Object.entries(EXPECTED)) {
        describe(stack, () => {
            // One run per stack, shared by its assertions; runs never overlap (the mock runtime is global).
            let result: Awaited<ReturnType<typeof runIndex>>;
            before(async () => {
                result = await runIndex(await readStack(stack));
            });

            it("registers the expected resources, by type", async () => {
                const { resources } = result;

                assert.deepEqual(countByType(resources), expected.counts);
            });

            it("puts every region in its DigitalOcean region", async () => {
                const { resources } = result;

                for (const [region, slug] of Object.entries(expected.regions)) {
                    const names = [`hits-${region}-network-vpc`, `hits-${region}-lb-balancer`];
                    for (const r of resources.filter((r) => names.includes(r.name) || new RegExp(`^hits-${region}-.*-droplet-\\d+$`).test(r.name))) {
                        assert.equal(r.inputs.region, slug, r.name);
                    }
                }
            });

            it("points DNS at the load balancer for the expected names", async () => {
                const { resources } = result;

                const records = ofType(resources, T.dnsRecord);
                assert.deepEqual(records.map((r) => [r.inputs.name, r.inputs.domain].join(".").replace(/^@\./, "")).sort(), expected.dnsNames);
            });

            it("covers every DNS name with the load balancer's certificate", async () => {
                const { resources } = result;

                const certified = ofType(resources, T.certificate).flatMap((c) => c.inputs.domains as string[]);
                for (const name of expected.dnsNames) {
                    assert.ok(certified.includes(name), `${name} is served over https without a certificate for it`);
                }
            });

            it("protects and retains exactly the stateful resources the stack asks for", async () => {
                const { resources } = result;

                assert.deepEqual(resources.filter((r) => r.options.protect).map((r) => r.name).sort(), expected.protectedNames);
                assert.deepEqual(resources.filter((r) => r.options.retainOnDelete).map((r) => r.name).sort(), expected.protectedNames);
            });

            it("returns urls, load balancer ips and droplet ips per region", async () => {
                const outputs = result.outputs as unknown as ProgramOutputs;

                if (expected.url === undefined) {
                    const docker = outputs as unknown as { platform: string; urls: Record<string, string>; containers: Record<string, string[]> };
                    assert.equal(docker.platform, "docker");
                    assert.deepEqual(docker.urls, { local: "http://127.0.0.1:8080" });
                    assert.equal(docker.containers.local.length, 3);
                    return;
                }
                const regions = Object.keys(expected.regions);
                if (expected.kubernetes !== undefined) {
                    assert.equal(outputs.platform, "kubernetes");
                    const { namespace, doks } = expected.kubernetes;
                    for (const region of regions) {
                        const ip = outputs.loadBalancerIps?.[region] ?? "";
                        assert.match(ip, /^203\.0\.113\.\d+$/);
                        assert.equal(outputs.urls?.[region], expected.url(ip));
                        assert.deepEqual(
                            outputs.kubernetes?.[region],
                            doks ? { namespace, clusterId: `hits-${region}-cluster-doks-id`, version: "1.34.1-do.0" } : { namespace, clusterId: "", version: "" },
                        );
                    }
                    return;
                }
                assert.equal(outputs.platform, "droplets");
                assert.equal(outputs.project, expected.project);
                assert.deepEqual(Object.keys(outputs.urls ?? {}), regions);
                assert.deepEqual(Object.keys(outputs.loadBalancerIps ?? {}), regions);
                assert.deepEqual(Object.keys(outputs.dropletIps ?? {}), regions);
                for (const region of regions) {
                    const ip = outputs.loadBalancerIps?.[region] ?? "";
                    assert.match(ip, /^203\.0\.113\.\d+$/);
                    assert.equal(outputs.urls?.[region], expected.url(ip));
                    const dropletIps = outputs.dropletIps?.[region] ?? [];
                    assert.equal(dropletIps.length, expected.replicas);
                    assert.ok(dropletIps.every((d) => /^198\.51\.\d+\.\d+$/.test(d)));
                }
            });
        });
    }

    it("wires production's certificate, redirect, database firewalls and rollout", async () => {
        const file = await readStack("production");
        const { resources } = await runIndex(file);

        const https = (file.config.loadBalancer as { https: { domains: string[] } }).https;
        assert.deepEqual(ofType(resources, T.certificate)[0].inputs.domains, https.domains);
        assert.ok(https.domains.includes("api.example.com"));
        const lb = ofType(resources, T.loadBalancer)[0].inputs;
        assert.equal(lb.redirectHttpToHttps, true);
        assert.deepEqual(lb.healthcheck, {
            protocol: "http",
            port: 8080,
            path: "/health",
            checkIntervalSeconds: 10,
            responseTimeoutSeconds: 5,
            healthyThreshold: 3,
            unhealthyThreshold: 3,
        });
        for (const firewall of ofType(resources, T.databaseFirewall)) {
            assert.deepEqual(firewall.inputs.rules, [{ type: "tag", value: "hits-production-us-east-fleet" }]);
        }
        assert.deepEqual(
            ofType(resources, T.healthGate).map((g) => [g.inputs.minReadySeconds, g.options.dependsOn.length]),
            [
                [10, 1],
                [10, 1],
                [10, 1],
            ],
        );
        assert.equal(ofType(resources, T.project)[0].inputs.environment, "Production");
    });

    it("throws the ConfigError for a bad stack file, before registering anything", async () => {
        const staging = await readStack("staging");
        const bad: StackFile = {
            ...staging,
            config: {
                ...staging.config,
                regions: [{ name: "staging", region: "nyc3", replicas: 0 }],
                loadBalancer: { algorithm: "least_conn" },
            },
        };

        // runIndex would reject, but a failed program leaves a late unhandled rejection behind, so catch inside.
        const { resources, outputs } = await runUnderMocks(async () => {
            const { ConfigError } = await import("../components/config/errors");
            delete require.cache[require.resolve(INDEX)];
            try {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- re-evaluates the program, as runIndex does
                require(INDEX);
            } catch (err) {
                return { isConfigError: err instanceof ConfigError, message: (err as Error).message };
            }
            return { isConfigError: false, message: "no error" };
        }, stackConfig(bad));

        assert.equal(outputs.isConfigError, true);
        assert.match(outputs.message, /^stack "staging" has 2 problems:/);
        assert.match(outputs.message, /horizon:regions\[0\]\.replicas: too small \(got 0; expected an integer in 1-100\)/);
        assert.match(outputs.message, /horizon:loadBalancer\.algorithm: not an allowed value \(got "least_conn"; .*did you mean "least_connections"\?/);
        assert.match(outputs.message, /Fix stacks\/Pulumi\.staging\.yaml/);
        assert.deepEqual(resources, []);
    });
});
