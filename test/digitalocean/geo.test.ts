import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { DropletsSpecInput } from "../../components/config/schema";
import { appEnv, find, ofType, type RecordedResource, runProgram, T } from "../helpers/mocks";

const APP = { name: "hits", image: "ghcr.io/acme/hits:1.4.2" } as const;
const REGIONS = [
    { name: "us-east", region: "nyc3", replicas: 2, domains: ["us.api.example.com"], vpcIpRange: "10.200.0.0/20" },
    { name: "eu-west", region: "ams3", replicas: 2, domains: ["eu.api.example.com"], vpcIpRange: "10.200.16.0/20" },
    { name: "ap-southeast", region: "sgp1", replicas: 2, domains: ["ap.api.example.com"], vpcIpRange: "10.200.32.0/20" },
] as const;
const GEO: DropletsSpecInput = {
    app: APP,
    regions: REGIONS,
    loadBalancer: { https: { domains: ["api.example.com", "us.api.example.com", "eu.api.example.com", "ap.api.example.com"] } },
    database: { mode: "managed", size: "db-s-2vcpu-4gb" },
    cache: { mode: "managed" },
};

async function service(spec: DropletsSpecInput) {
    return runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            const web = new WebService("hits", spec);
            return { outputs: web.platformOutputs };
        },
        { stack: "geo" },
    );
}

const GLOBAL = (resources: RecordedResource[]) => ofType(resources, T.loadBalancer).filter((lb) => lb.inputs.type === "GLOBAL");
const fleet = (resources: RecordedResource[], region: string) =>
    ofType(resources, T.droplet).filter((d) => new RegExp(`^hits-${region}-fleet-droplet-\\d+$`).test(d.name));

describe("a stack with three regions", () => {
    let resources: RecordedResource[];
    before(async () => {
        ({ resources } = await service(GEO));
    });

    it("puts one GLOBAL load balancer in front of the three regional ones, with no region and no forwarding rules", () => {
        const [glb, ...others] = GLOBAL(resources);

        assert.equal(others.length, 0);
        assert.deepEqual(glb.inputs.targetLoadBalancerIds, ["hits-us-east-lb-balancer-id", "hits-eu-west-lb-balancer-id", "hits-ap-southeast-lb-balancer-id"]);
        assert.equal("region" in glb.inputs, false);
        assert.equal("forwardingRules" in glb.inputs, false);
        assert.deepEqual(glb.inputs.glbSettings, {
            targetProtocol: "https",
            targetPort: 443,
            regionPriorities: { nyc3: 1, ams3: 2, sgp1: 3 },
            cdn: { isEnabled: false },
        });
    });

    it("serves the stack's shared https name with a regional certificate and lets DigitalOcean add its records", () => {
        const glb = GLOBAL(resources)[0];
        const certificates = ofType(resources, T.certificate).map((c) => c.name);

        const usEastRules = find(resources, T.loadBalancer, "hits-us-east-lb-balancer").inputs.forwardingRules as { certificateName?: string }[];
        const usEastCertificate = usEastRules.find((rule) => rule.certificateName !== undefined)?.certificateName;
        assert.match(String(usEastCertificate), /^hits-us-east-lb-cert/);
        assert.deepEqual(glb.inputs.domains, [{ name: "api.example.com", isManaged: true, certificateName: usEastCertificate }]);
        assert.equal(certificates.length, 3, "no extra certificate for the global balancer");
        const records = ofType(resources, T.dnsRecord).map((r) => `${String(r.inputs.name)}.${String(r.inputs.domain)}`);
        assert.deepEqual(records.sort(), ["ap.api.example.com", "eu.api.example.com", "us.api.example.com"]);
    });

    it("holds one Postgres cluster, in the primary region, trusting every region's fleet", () => {
        const postgres = ofType(resources, T.cluster).filter((c) => c.inputs.engine === "pg");

        assert.deepEqual(postgres.map((c) => [c.name, c.inputs.region, c.inputs.privateNetworkUuid]), [["hits-us-east-pg-cluster", "nyc3", "hits-us-east-network-vpc-id"]]);
        assert.deepEqual(find(resources, T.databaseFirewall, "hits-us-east-pg-fw").inputs.rules, [
            { type: "tag", value: "hits-geo-us-east-fleet" },
            { type: "tag", value: "hits-geo-eu-west-fleet" },
            { type: "tag", value: "hits-geo-ap-southeast-fleet" },
        ]);
    });

    it("gives every other region a replica of it, in that region's VPC, as large as the primary, behind its own firewall", () => {
        const replicas = ofType(resources, T.databaseReplica);

        assert.deepEqual(
            replicas.map((r) => [r.name, r.inputs.clusterId, r.inputs.region, r.inputs.privateNetworkUuid, r.inputs.size]),
            [
                ["hits-eu-west-pg-read-replica", "hits-us-east-pg-cluster-id", "ams3", "hits-eu-west-network-vpc-id", "db-s-2vcpu-4gb"],
                ["hits-ap-southeast-pg-read-replica", "hits-us-east-pg-cluster-id", "sgp1", "hits-ap-southeast-network-vpc-id", "db-s-2vcpu-4gb"],
            ],
        );
        const firewall = find(resources, T.databaseFirewall, "hits-eu-west-pg-read-fw");
        assert.match(String(firewall.inputs.clusterId), /^replica-/, "a replica's firewall names its uuid, not its id");
        assert.deepEqual(firewall.inputs.rules, [{ type: "tag", value: "hits-geo-eu-west-fleet" }]);
        const secretOutputs = find(resources, T.databaseReplica, "hits-eu-west-pg-read-replica").additionalSecretOutputs;
        assert.deepEqual([...new Set(secretOutputs)].sort(), ["password", "privateUri", "uri"]);
    });

    it("peers every pair of regional VPCs, and starts no replica before the peerings", () => {
        const peerings = ofType(resources, T.vpcPeering);

        assert.deepEqual(
            peerings.map((p) => p.inputs.vpcIds),
            [
                ["hits-us-east-network-vpc-id", "hits-eu-west-network-vpc-id"],
                ["hits-us-east-network-vpc-id", "hits-ap-southeast-network-vpc-id"],
                ["hits-eu-west-network-vpc-id", "hits-ap-southeast-network-vpc-id"],
            ],
        );
        for (const region of ["us-east", "eu-west", "ap-southeast"]) {
            const component = find(resources, "horizon:digitalocean:AppFleet", `hits-${region}-fleet`);
            assert.ok(component.options.dependsOn.includes("hits-peering"), `${region}'s fleet does not wait for the peerings: ${component.options.dependsOn.join(", ")}`);
        }
    });

    it("hands each region the primary for writes and its own replica for reads, as secrets", () => {
        const env = (region: string) => {
            const droplets = fleet(resources, region);
            assert.equal(droplets.length, 2);
            for (const droplet of droplets) {
                assert.ok(droplet.secretInputs.includes("userData"), `${droplet.name}'s user data is not secret`);
            }
            return appEnv(droplets[0]);
        };
        const primaryPool = "postgresql://app:mock-user-password@private-hits-us-east-pg-pool.db.ondigitalocean.test:25061/app-pool";

        assert.equal(env("us-east").DATABASE_URL, primaryPool);
        assert.equal("DATABASE_READ_URL" in env("us-east"), false, "the primary region reads its own primary");
        for (const region of ["eu-west", "ap-southeast"]) {
            assert.equal(env(region).DATABASE_URL, primaryPool);
            assert.equal(
                env(region).DATABASE_READ_URL,
                `postgresql://app:mock-user-password@private-hits-${region}-pg-read-replica.db.ondigitalocean.test:25060/app?sslmode=require`,
            );
        }
    });

    it("keeps a cache per region", () => {
        const caches = ofType(resources, T.cluster).filter((c) => c.inputs.engine === "valkey");

        assert.deepEqual(caches.map((c) => c.inputs.region), ["nyc3", "ams3", "sgp1"]);
        assert.match(appEnv(fleet(resources, "eu-west")[0]).REDIS_URL, /hits-eu-west-cache-cluster/);
    });
});

describe("geography options", () => {
    it("puts the primary in database.primaryRegion, wherever it sits in regions", async () => {
        const { resources } = await service({ ...GEO, database: { mode: "managed", primaryRegion: "eu-west" } });

        assert.deepEqual(
            ofType(resources, T.cluster).filter((c) => c.inputs.engine === "pg").map((c) => [c.name, c.inputs.region]),
            [["hits-eu-west-pg-cluster", "ams3"]],
        );
        assert.deepEqual(ofType(resources, T.databaseReplica).map((r) => r.inputs.region), ["nyc3", "sgp1"]);
        assert.equal("DATABASE_READ_URL" in appEnv(fleet(resources, "eu-west")[0]), false);
    });

    it("writes over the public pool address with crossRegionWrites public", async () => {
        const { resources } = await service({ ...GEO, database: { mode: "managed", crossRegionWrites: "public" } });

        assert.match(appEnv(fleet(resources, "ap-southeast")[0]).DATABASE_URL, /@hits-us-east-pg-pool\.db\.ondigitalocean\.test:25061\//);
        assert.match(appEnv(fleet(resources, "us-east")[0]).DATABASE_URL, /@private-hits-us-east-pg-pool\./);
    });

    it("takes explicit priorities, a failover threshold and the CDN; an empty map sends no priorities and no threshold", async () => {
        const explicit = await service({ ...GEO, loadBalancer: { ...GEO.loadBalancer, global: { regionPriorities: { ams3: 1, nyc3: 1, sgp1: 2 }, failoverThreshold: 30, cdn: true } } });
        const none = await service({ ...GEO, loadBalancer: { ...GEO.loadBalancer, global: { regionPriorities: {} } } });

        assert.deepEqual(GLOBAL(explicit.resources)[0].inputs.glbSettings, {
            targetProtocol: "https",
            targetPort: 443,
            regionPriorities: { ams3: 1, nyc3: 1, sgp1: 2 },
            failoverThreshold: 30,
            cdn: { isEnabled: true },
        });
        assert.deepEqual(GLOBAL(none.resources)[0].inputs.glbSettings, { targetProtocol: "https", targetPort: 443, cdn: { isEnabled: false } });
    });

    it("reaches the regional balancers over http on 80, with no names, when the stack has no https", async () => {
        const { resources } = await service({ ...GEO, loadBalancer: {} });
        const glb = GLOBAL(resources)[0];

        assert.deepEqual([glb.inputs.glbSettings && (glb.inputs.glbSettings as { targetProtocol: string }).targetProtocol, (glb.inputs.healthcheck as { port: number }).port], ["http", 80]);
        assert.equal("domains" in glb.inputs, false);
    });
});

describe("a stack with one region", () => {
    it("registers no global balancer, no replica and no peering, and its own Postgres", async () => {
        const { resources } = await service({ ...GEO, regions: [REGIONS[0]], loadBalancer: { https: { domains: ["api.example.com", "us.api.example.com"] } } });

        assert.deepEqual(GLOBAL(resources), []);
        assert.deepEqual(ofType(resources, T.databaseReplica), []);
        assert.deepEqual(ofType(resources, T.vpcPeering), []);
        assert.deepEqual(find(resources, T.databaseFirewall, "hits-us-east-pg-fw").inputs.rules, [{ type: "tag", value: "hits-geo-us-east-fleet" }]);
        assert.equal("DATABASE_READ_URL" in appEnv(fleet(resources, "us-east")[0]), false);
    });
});
