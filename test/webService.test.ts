import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DropletsSpecInput } from "../components/config/schema";
import type { WebServiceOptions } from "../components/webService";
import { appEnv, find, ofType, type RecordedResource, runProgram, T } from "./helpers/mocks";

const APP = { name: "hits", image: "ghcr.io/acme/hits:1.4.2" } as const;
const US_EAST = { name: "us-east", region: "nyc3", replicas: 3 } as const;

/** Runs a WebService named "hits" under mocks; returns its flat outputs. */
async function service(spec: Partial<DropletsSpecInput>, opts: WebServiceOptions = {}, stack = "test") {
    return runProgram(
        async () => {
            const { WebService } = await import("../components/webService");
            const web = new WebService("hits", { app: APP, regions: [US_EAST], ...spec } as DropletsSpecInput, opts);
            return { urls: web.urls, loadBalancerIps: web.loadBalancerIps, dropletIps: web.replicaAddresses };
        },
        { stack },
    );
}

/** Runs a WebService that is expected to throw; returns the error and what was registered. */
async function failingService(spec: unknown) {
    const { outputs, resources } = await runProgram(async () => {
        const { WebService } = await import("../components/webService");
        const { ConfigError } = await import("../components/config/errors");
        try {
            new WebService("hits", spec as DropletsSpecInput);
        } catch (err) {
            return { isConfigError: err instanceof ConfigError, message: (err as Error).message };
        }
        return { isConfigError: false, message: "no error" };
    });
    return { ...outputs, resources };
}

const appDroplets = (resources: RecordedResource[], region = "us-east") =>
    ofType(resources, T.droplet).filter((d) => new RegExp(`^hits-${region}-fleet-droplet-\\d+$`).test(d.name));

function countByType(resources: RecordedResource[], prefix: string): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources.filter((r) => r.name.startsWith(prefix))) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

describe("WebService resources", () => {
    it("builds each region's units, and one project", async () => {
        const { resources } = await service({
            regions: [US_EAST, { name: "eu-west", region: "ams3", replicas: 2 }],
            database: { mode: "managed" },
            cache: { mode: "managed" },
        });

        assert.deepEqual(countByType(resources, "hits-us-east"), {
            "horizon:digitalocean:Network": 1,
            "horizon:digitalocean:Postgres": 1,
            "horizon:digitalocean:Cache": 1,
            "horizon:digitalocean:LoadBalancer": 1,
            "horizon:digitalocean:AppFleet": 1,
            [T.tag]: 1,
            [T.vpc]: 1,
            [T.cluster]: 2,
            [T.databaseDb]: 1,
            [T.databaseUser]: 1,
            [T.pool]: 1,
            [T.databaseFirewall]: 2,
            [T.loadBalancer]: 1,
            [T.firewall]: 1,
            [T.droplet]: 3,
            [T.healthGate]: 3,
        });
        const euWest = countByType(resources, "hits-eu-west");
        // eu-west's Postgres is a read replica of us-east's primary; its cluster is the cache.
        assert.deepEqual([euWest[T.droplet], euWest[T.healthGate], euWest[T.loadBalancer], euWest[T.vpc], euWest[T.cluster]], [2, 2, 1, 1, 1]);
        assert.equal(euWest["digitalocean:index/databaseReplica:DatabaseReplica"], 1);
        assert.equal(find(resources, T.vpc, "hits-eu-west-network-vpc").inputs.region, "ams3");
        assert.equal(ofType(resources, T.project).length, 1);
        assert.equal(ofType(resources, T.webService).length, 1);
    });

    it("names children after the service and region and parents them on their component", async () => {
        const { resources } = await service({ database: { mode: "managed" }, cache: { mode: "managed" } });

        const parentOf = (type: string, name: string) => find(resources, type, name).parent;
        assert.equal(parentOf(T.webService, "hits"), undefined);
        const components = { Network: "network", LoadBalancer: "lb", AppFleet: "fleet", Postgres: "pg", Cache: "cache" };
        for (const [type, role] of Object.entries(components)) {
            assert.equal(parentOf(`horizon:digitalocean:${type}`, `hits-us-east-${role}`), "hits", type);
        }
        assert.equal(parentOf(T.vpc, "hits-us-east-network-vpc"), "hits-us-east-network");
        assert.equal(parentOf(T.loadBalancer, "hits-us-east-lb-balancer"), "hits-us-east-lb");
        assert.equal(parentOf(T.firewall, "hits-us-east-fleet-fw"), "hits-us-east-fleet");
        assert.equal(parentOf(T.droplet, "hits-us-east-fleet-droplet-2"), "hits-us-east-fleet");
        assert.equal(parentOf(T.healthGate, "hits-us-east-fleet-gate-0"), "hits-us-east-fleet");
        assert.equal(parentOf(T.cluster, "hits-us-east-pg-cluster"), "hits-us-east-pg");
        assert.equal(parentOf(T.cluster, "hits-us-east-cache-cluster"), "hits-us-east-cache");
        const names = resources.filter((r) => r.type.startsWith("horizon:")).map((r) => r.name);
        assert.equal(new Set(names).size, names.length, "no two components share a name");
        assert.equal(parentOf(T.project, "hits-project"), "hits");
    });

    it("tags droplets with owner, stack, region, extra tags, their role and the fleet tag", async () => {
        const { resources } = await service({ tags: ["team:web"] }, {}, "staging");

        assert.deepEqual(find(resources, T.droplet, "hits-us-east-fleet-droplet-0").inputs.tags, [
            "horizon:app:hits",
            "horizon:stack:staging",
            "team:web",
            "horizon:region:us-east",
            "horizon:role:app",
            "hits-staging-us-east-fleet",
        ]);
    });

    it("sizes the replicas from the region", async () => {
        const { resources } = await service({ regions: [{ ...US_EAST, size: "s-2vcpu-4gb" }] });

        assert.ok(appDroplets(resources).every((d) => d.inputs.size === "s-2vcpu-4gb" && d.inputs.region === "nyc3"));
    });

    it("opens SSH from admin CIDRs and adds SSH keys", async () => {
        const { resources } = await service({ adminCidrs: ["203.0.113.0/24"], sshKeys: ["ab:cd", 1234] });

        assert.deepEqual(find(resources, T.firewall, "hits-us-east-fleet-fw").inputs.inboundRules, [
            { protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["hits-us-east-lb-balancer-id"] },
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24"] },
        ]);
        assert.ok(appDroplets(resources).every((d) => JSON.stringify(d.inputs.sshKeys) === JSON.stringify(["ab:cd", "1234"])));
    });

    it("puts every droplet, load balancer and cluster into the project", async () => {
        const { resources } = await service({ database: { mode: "managed" }, cache: { mode: "managed" } }, {}, "production");

        const project = find(resources, T.project, "hits-project").inputs;
        assert.deepEqual(
            { ...project, resources: undefined },
            { name: "hits-production", description: "horizon: hits (production)", purpose: "Web Application", environment: "Production", resources: undefined },
        );
        const urns = project.resources as string[];
        assert.equal(urns.length, 1 + 3 + 2);
        assert.ok(urns.some((u) => u.startsWith("do:loadbalancer:")));
        assert.equal(urns.filter((u) => u.startsWith("do:droplet:")).length, 3);
        assert.equal(urns.filter((u) => u.startsWith("do:dbaas:")).length, 2);
    });

    it("returns urls, load balancer ips and droplet ips per region", async () => {
        const { outputs } = await service({ regions: [US_EAST, { name: "eu-west", region: "ams3", replicas: 2 }] });

        assert.deepEqual(Object.keys(outputs.urls).sort(), ["eu-west", "us-east"]);
        for (const region of ["us-east", "eu-west"]) {
            assert.match(outputs.loadBalancerIps[region], /^203\.0\.113\.\d+$/);
            assert.equal(outputs.urls[region], `http://${outputs.loadBalancerIps[region]}`);
        }
        assert.equal(outputs.dropletIps["us-east"].length, 3);
        assert.equal(outputs.dropletIps["eu-west"].length, 2);
        assert.ok(outputs.dropletIps["us-east"].every((ip) => /^198\.51\.\d+\.\d+$/.test(ip)));
    });
});

describe("WebService app", () => {
    it("lets region env override app env, and adds secret env", async () => {
        const { resources } = await service({
            app: { ...APP, env: { LOG_LEVEL: "info", REGION: "global", KEEP: "yes" }, secretEnv: { API_KEY: "k-123" } },
            regions: [{ ...US_EAST, env: { REGION: "us-east-1" } }],
        });

        for (const droplet of appDroplets(resources)) {
            const env = appEnv(droplet);
            assert.equal(env.REGION, "us-east-1");
            assert.equal(env.LOG_LEVEL, "info");
            assert.equal(env.KEEP, "yes");
            assert.equal(env.API_KEY, "k-123");
            assert.deepEqual(droplet.secretInputs, ["userData"]);
        }
    });

    it("carries the health check to the load balancer and to every replica", async () => {
        const healthCheck = { path: "/live", intervalSeconds: 20, timeoutSeconds: 6, healthyThreshold: 4, unhealthyThreshold: 5 };
        const { resources } = await service({ app: { ...APP, port: 3000, healthCheck } });

        assert.deepEqual(find(resources, T.loadBalancer, "hits-us-east-lb-balancer").inputs.healthcheck, {
            protocol: "http",
            port: 3000,
            path: "/live",
            checkIntervalSeconds: 20,
            responseTimeoutSeconds: 6,
            healthyThreshold: 4,
            unhealthyThreshold: 5,
        });
        for (const droplet of appDroplets(resources)) {
            const userData = String(droplet.rawInputs.userData);
            assert.match(userData, /--health-cmd '[^']*http:\/\/127\.0\.0\.1:3000\/live/);
            assert.match(userData, /--health-interval 20s/);
            assert.match(userData, /--health-timeout 6s/);
            assert.match(userData, /--health-retries 5/);
        }
    });

    it("rolls 3 replicas in 3 waves gated on the region's load balancer", async () => {
        const { resources } = await service({ app: { ...APP, deploymentStrategy: "rolling", maxSurge: "25%", minReadySeconds: 30 } });

        const gates = ofType(resources, T.healthGate);
        assert.deepEqual(
            gates.map((g) => [g.name, g.options.dependsOn, g.inputs.loadBalancerId, g.inputs.minReadySeconds]),
            [0, 1, 2].map((w) => [`hits-us-east-fleet-gate-${w}`, [`hits-us-east-fleet-droplet-${w}`], "hits-us-east-lb-balancer-id", 30]),
        );
        assert.deepEqual(
            appDroplets(resources).map((d) => d.options.dependsOn),
            [[], ["hits-us-east-fleet-gate-0"], ["hits-us-east-fleet-gate-1"]],
        );
    });

    it("rolls 8 replicas in 4 waves of 2", async () => {
        const { resources } = await service({ regions: [{ ...US_EAST, replicas: 8 }] });

        assert.deepEqual(
            ofType(resources, T.healthGate).map((g) => g.options.dependsOn),
            [0, 1, 2, 3].map((w) => [`hits-us-east-fleet-droplet-${2 * w}`, `hits-us-east-fleet-droplet-${2 * w + 1}`]),
        );
    });

    it("deletes before replacing, without gates, with replace", async () => {
        const { resources } = await service({ app: { ...APP, deploymentStrategy: "replace" } });

        assert.equal(ofType(resources, T.healthGate).length, 0);
        assert.ok(appDroplets(resources).every((d) => d.options.deleteBeforeReplace));
    });
});

describe("WebService load balancer", () => {
    it("carries sticky sessions to the managed load balancer as cookies", async () => {
        const { resources } = await service({ loadBalancer: { stickySessions: { cookieName: "hits_sid", ttlSeconds: 120 } } });

        assert.deepEqual(find(resources, T.loadBalancer, "hits-us-east-lb-balancer").inputs.stickySessions, {
            type: "cookies",
            cookieName: "hits_sid",
            cookieTtlSeconds: 120,
        });
    });

    it("serves https with a Let's Encrypt certificate for the domains", async () => {
        const { resources, outputs } = await service(
            { loadBalancer: { https: { domains: ["api.example.com"], redirectHttp: true }, sizeUnit: 2 } },
            { transform: { loadBalancer: { certificate: { name: "hits-cert" } } } },
        );

        const certificate = find(resources, T.certificate, "hits-us-east-lb-cert");
        assert.deepEqual([certificate.inputs.type, certificate.inputs.domains], ["lets_encrypt", ["api.example.com"]]);
        const lb = find(resources, T.loadBalancer, "hits-us-east-lb-balancer").inputs;
        assert.deepEqual((lb.forwardingRules as unknown[])[1], {
            entryProtocol: "https",
            entryPort: 443,
            targetProtocol: "http",
            targetPort: 8080,
            certificateName: "hits-cert",
        });
        assert.equal(lb.redirectHttpToHttps, true);
        assert.equal(lb.sizeUnit, 2);
        assert.equal(outputs.urls["us-east"], "https://api.example.com");
    });
});

describe("WebService protection", () => {
    it("protects and retains the VPC and both clusters in a protected stack, and nothing else", async () => {
        const { resources } = await service({ protect: true, database: { mode: "managed" }, cache: { mode: "managed" } }, {}, "production");

        const kept = resources.filter((r) => r.options.protect).map((r) => r.name).sort();
        assert.deepEqual(kept, ["hits-us-east-cache-cluster", "hits-us-east-network-vpc", "hits-us-east-pg-cluster"]);
        assert.ok(resources.filter((r) => r.options.protect).every((r) => r.options.retainOnDelete));
        assert.deepEqual(resources.filter((r) => r.options.retainOnDelete).map((r) => r.name).sort(), kept);
    });

    it("protects nothing, not even the data volume, in an unprotected stack", async () => {
        const { resources } = await service({ protect: false, database: { mode: "container" }, cache: { mode: "container" } }, {}, "staging");

        assert.equal(ofType(resources, T.volume).length, 1);
        assert.deepEqual(resources.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.name), []);
    });
});

describe("WebService transforms", () => {
    it("hands partial-object and callback transforms down to the droplets and the load balancer", async () => {
        const { resources } = await service(
            {},
            {
                transform: {
                    fleet: { droplet: { backups: true } },
                    loadBalancer: {
                        loadBalancer: (args, opts) => {
                            args.sizeUnit = 4;
                            opts.ignoreChanges = ["sizeUnit"];
                        },
                    },
                    network: { vpc: { ipRange: "10.30.0.0/20" } },
                    project: (args) => {
                        args.purpose = "Service or API";
                    },
                },
            },
        );

        assert.ok(appDroplets(resources).every((d) => d.inputs.backups === true && d.inputs.image === "ubuntu-24-04-x64"));
        const lb = find(resources, T.loadBalancer, "hits-us-east-lb-balancer");
        assert.equal(lb.inputs.sizeUnit, 4);
        assert.deepEqual(lb.options.ignoreChanges, ["sizeUnit"]);
        assert.equal(find(resources, T.vpc, "hits-us-east-network-vpc").inputs.ipRange, "10.30.0.0/20");
        assert.equal(find(resources, T.project, "hits-project").inputs.purpose, "Service or API");
    });
});

describe("WebService errors", () => {

    it("reports every problem of an invalid spec in one ConfigError, before registering anything", async () => {
        const result = await failingService({
            app: { ...APP, healthCheck: { intervalSeconds: 1 } },
            regions: [{ ...US_EAST, replicas: 0 }],
            loadBalancer: { algorithm: "least_conn" },
        });

        assert.equal(result.isConfigError, true);
        assert.match(result.message, /has 3 problems/);
        assert.match(result.message, /horizon:app\.healthCheck\.intervalSeconds: too small \(got 1; expected an integer in 3-300 seconds\)/);
        assert.match(result.message, /horizon:regions\[0\]\.replicas: too small \(got 0; expected an integer in 1-100\)/);
        assert.match(result.message, /horizon:loadBalancer\.algorithm: not an allowed value \(got "least_conn"; expected one of round_robin, least_connections, source, random\)/);
        assert.deepEqual(result.resources, []);
    });

    it("reports cross-field problems before registering anything", async () => {
        const result = await failingService({ app: { ...APP, healthCheck: { intervalSeconds: 5, timeoutSeconds: 6 } }, regions: [US_EAST] });

        assert.equal(result.isConfigError, true);
        assert.match(result.message, /horizon:app\.healthCheck\.timeoutSeconds: longer than the check interval/);
        assert.deepEqual(result.resources, []);
    });
});
