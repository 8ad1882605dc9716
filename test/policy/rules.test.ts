import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Level } from "../../policy/rules";
import { checkPlan } from "../../tools/plan/policy";
import { toPlanned } from "../../tools/plan/run";
import { runUnderMocks } from "../helpers/mocks";

type Sdk = {
    pulumi: typeof import("@pulumi/pulumi");
    digitalocean: typeof import("@pulumi/digitalocean");
    docker: typeof import("@pulumi/docker");
    k8s: typeof import("@pulumi/kubernetes");
};

/** Builds resources with the real SDK classes under mocks and runs every rule on them. */
async function violations(stack: string, build: (sdk: Sdk) => void) {
    const run = await runUnderMocks(
        async () => {
            build({
                pulumi: await import("@pulumi/pulumi"),
                digitalocean: await import("@pulumi/digitalocean"),
                docker: await import("@pulumi/docker"),
                k8s: await import("@pulumi/kubernetes"),
            });
        },
        { stack },
    );
    const resources = run.resources.map((r) => toPlanned(r));
    const empty = { currency: "USD" as const, pricesAsOf: "-", lines: [], monthlyUsd: 0, unpriced: [] };
    return checkPlan({ stack, resources, cost: empty, warnings: [] }, new Map()).violations;
}

const TAG = "web-fleet";
const WORLD = ["0.0.0.0/0", "::/0"];

/** A droplet in a VPC, covered by a firewall that admits the app from a load balancer only. */
function coveredDroplet({ digitalocean }: Sdk, overrides: Record<string, unknown> = {}, inboundRules?: unknown[]) {
    const vpc = new digitalocean.Vpc("vpc", { region: "nyc3" }, { protect: true });
    const droplet = new digitalocean.Droplet("web-0", {
        image: "ubuntu-24-04-x64",
        region: "nyc3",
        size: "s-1vcpu-1gb",
        vpcUuid: vpc.id,
        tags: [TAG],
        ...overrides,
    });
    new digitalocean.Firewall("fw", {
        tags: [TAG],
        inboundRules: (inboundRules as never) ?? [{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] }],
    });
    return droplet;
}

const securePod = {
    securityContext: { runAsNonRoot: true },
    containers: [
        {
            name: "app",
            image: "ghcr.io/acme/hits:1.4.2",
            securityContext: { allowPrivilegeEscalation: false },
            readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
            resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
    ],
};

function deployment({ k8s }: Sdk, pod: Record<string, unknown>, replicas = 2) {
    new k8s.apps.v1.Deployment("web", {
        spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: pod as never } },
    });
}

interface Case {
    readonly rule: string;
    readonly level: Level;
    readonly stack?: string;
    readonly build: (sdk: Sdk) => void;
}

/** One deliberately bad input per rule; each must be caught by that rule and no other. */
const CASES: Case[] = [
    {
        rule: "droplet-ssh-keys",
        level: "mandatory",
        build: (sdk) => coveredDroplet(sdk, { sshKeys: [] }, [{ protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24"] }]),
    },
    { rule: "droplet-in-vpc", level: "mandatory", build: (sdk) => coveredDroplet(sdk, { vpcUuid: undefined }) },
    {
        rule: "droplet-firewall-coverage",
        level: "mandatory",
        build: ({ digitalocean }) => {
            const vpc = new digitalocean.Vpc("vpc", { region: "nyc3" });
            new digitalocean.Droplet("web-0", { image: "ubuntu-24-04-x64", region: "nyc3", size: "s-1vcpu-1gb", vpcUuid: vpc.id, tags: [TAG] });
            new digitalocean.Firewall("fw", { tags: ["another-fleet"], inboundRules: [] });
        },
    },
    {
        rule: "firewall-no-public-ingress",
        level: "mandatory",
        build: (sdk) => coveredDroplet(sdk, {}, [{ protocol: "tcp", portRange: "8080", sourceAddresses: WORLD }]),
    },
    {
        rule: "firewall-no-public-ssh",
        level: "mandatory",
        build: (sdk) => coveredDroplet(sdk, { sshKeys: ["ab:cd"] }, [{ protocol: "tcp", portRange: "22", sourceAddresses: ["::/0"] }]),
    },
    {
        rule: "firewall-no-public-db-ports",
        level: "mandatory",
        build: (sdk) => coveredDroplet(sdk, {}, [{ protocol: "tcp", portRange: "5432", sourceAddresses: ["0.0.0.0/0"] }]),
    },
    {
        rule: "firewall-restricted-egress",
        level: "advisory",
        build: ({ digitalocean }) => {
            new digitalocean.Firewall("fw", {
                tags: [TAG],
                outboundRules: [
                    { protocol: "tcp", portRange: "443", destinationAddresses: WORLD },
                    { protocol: "tcp", portRange: "1-65535", destinationAddresses: WORLD },
                ],
            });
        },
    },
    {
        rule: "lb-https-redirect",
        level: "mandatory",
        build: ({ digitalocean }) => {
            new digitalocean.LoadBalancer("lb", {
                region: "nyc3",
                dropletTag: TAG,
                redirectHttpToHttps: false,
                forwardingRules: [
                    { entryPort: 80, entryProtocol: "http", targetPort: 8080, targetProtocol: "http" },
                    { entryPort: 443, entryProtocol: "https", targetPort: 8080, targetProtocol: "http", certificateName: "cert" },
                ],
            });
        },
    },
    {
        rule: "database-private-network",
        level: "mandatory",
        build: ({ digitalocean }) => {
            const pg = new digitalocean.DatabaseCluster("pg", { engine: "pg", version: "16", size: "db-s-1vcpu-1gb", region: "nyc3", nodeCount: 1 });
            new digitalocean.DatabaseFirewall("pg-fw", { clusterId: pg.id, rules: [{ type: "tag", value: TAG }] });
        },
    },
    {
        rule: "database-firewall",
        level: "mandatory",
        build: ({ digitalocean }) => {
            const vpc = new digitalocean.Vpc("vpc", { region: "nyc3" });
            new digitalocean.DatabaseCluster("pg", { engine: "pg", version: "16", size: "db-s-1vcpu-1gb", region: "nyc3", nodeCount: 1, privateNetworkUuid: vpc.id });
        },
    },
    {
        rule: "doks-surge-upgrade",
        level: "advisory",
        build: ({ digitalocean }) => {
            new digitalocean.KubernetesCluster("doks", {
                region: "nyc3",
                version: "1.33.1-do.0",
                autoUpgrade: true,
                surgeUpgrade: false,
                nodePool: { name: "default", size: "s-2vcpu-4gb", nodeCount: 3 },
            });
        },
    },
    {
        rule: "doks-auto-upgrade",
        level: "mandatory",
        build: ({ digitalocean }) => {
            new digitalocean.KubernetesCluster("doks", {
                region: "nyc3",
                version: "1.33.1-do.0",
                surgeUpgrade: true,
                nodePool: { name: "default", size: "s-2vcpu-4gb", nodeCount: 3 },
            });
        },
    },
    {
        rule: "production-protect-stateful",
        level: "mandatory",
        stack: "eu-west",
        build: ({ digitalocean }) => {
            new digitalocean.Project("project", { name: "hits-eu-west", environment: "Production" });
            new digitalocean.Volume("data", { region: "nyc3", size: 10 });
        },
    },
    {
        rule: "no-plaintext-credentials",
        level: "mandatory",
        build: ({ docker }) => {
            new docker.Container("web", { image: "horizon/hits:dev", envs: ["LOG_LEVEL=info", "DATABASE_URL=postgresql://app:hunter2@postgres:5432/app"] });
        },
    },
    { rule: "k8s-pod-security", level: "mandatory", build: (sdk) => deployment(sdk, { ...securePod, securityContext: {} }) },
    {
        rule: "k8s-pod-probes-resources",
        level: "advisory",
        build: (sdk) => deployment(sdk, { ...securePod, containers: [{ ...securePod.containers[0], readinessProbe: undefined }] }),
    },
    {
        rule: "docker-container-isolation",
        level: "mandatory",
        build: ({ docker }) => {
            new docker.Container("web", { image: "horizon/hits:dev", networkMode: "host" });
        },
    },
    { rule: "production-replicas", level: "advisory", stack: "production", build: (sdk) => deployment(sdk, securePod, 1) },
];

describe("policy rules on hand-built resources", () => {
    it("has one bad-input case per rule", async () => {
        const { RULES } = await import("../../policy/rules");
        assert.deepEqual(CASES.map((c) => c.rule).sort(), RULES.map((r) => r.id).sort());
    });

    for (const c of CASES) {
        it(`${c.rule} catches its bad input, at level ${c.level}, and no other rule fires`, async () => {
            const found = await violations(c.stack ?? "dev", c.build);
            assert.ok(found.length > 0, `${c.rule} found nothing`);
            assert.deepEqual([...new Set(found.map((v) => `${v.ruleId} ${v.level}`))], [`${c.rule} ${c.level}`], JSON.stringify(found, null, 2));
        });
    }

    it("a secret credential passes where the same plain value fails", async () => {
        const found = await violations("dev", ({ docker, pulumi }) => {
            new docker.Container("web", { image: "horizon/hits:dev", envs: pulumi.secret(["DATABASE_URL=postgresql://app:hunter2@postgres:5432/app"]) });
        });
        assert.deepEqual(found, []);
    });

    it("finds credentials in Kubernetes env values and env maps, not in references or URLs without a password", async () => {
        const found = await violations("dev", (sdk) => {
            const container = {
                ...securePod.containers[0],
                env: [
                    { name: "API_TOKEN", value: "tok-123" },
                    { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                    { name: "REDIS_URL", value: "redis://cache:6379" },
                    { name: "CACHE_PASSWORD", value: "$(CACHE_PASSWORD_FROM_FILE)" },
                ],
            };
            deployment(sdk, { ...securePod, containers: [container] });
        });
        assert.deepEqual(
            found.map((v) => v.message),
            ["spec.template.spec.containers[0].env[0]: API_TOKEN holds a credential in plain text"],
        );
    });

    it("a production stack's protected stateful resources and a non-production stack's unprotected ones both pass", async () => {
        const build = ({ digitalocean }: Sdk) => {
            new digitalocean.Vpc("vpc", { region: "nyc3" }, { protect: true });
        };
        assert.deepEqual(await violations("production", build), []);
        assert.deepEqual(
            await violations("review-1", ({ digitalocean }) => {
                new digitalocean.Project("project", { name: "hits-review-1", environment: "Development" });
                new digitalocean.Vpc("vpc", { region: "nyc3" });
            }),
            [],
        );
    });
});
