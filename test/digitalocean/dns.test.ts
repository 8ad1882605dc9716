import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DropletsSpecInput } from "../../components/config/schema";
import type { DnsArgs } from "../../components/digitalocean/dns";
import { find, ofType, runProgram, T } from "../helpers/mocks";

describe("splitDomain", () => {
    // Component modules load lazily, after the mock runtime is set up.
    const load = async () => (await import("../../components/digitalocean/dns")).splitDomain;

    it("puts a name in the zone of its last two labels by default", async () => {
        const splitDomain = await load();
        assert.deepEqual(splitDomain("us.api.example.com"), { zone: "example.com", name: "us.api" });
        assert.deepEqual(splitDomain("api.example.com"), { zone: "example.com", name: "api" });
    });

    it("writes the apex as @", async () => {
        const splitDomain = await load();
        assert.deepEqual(splitDomain("example.com"), { zone: "example.com", name: "@" });
        assert.deepEqual(splitDomain("api.example.com", ["api.example.com"]), { zone: "api.example.com", name: "@" });
    });

    it("uses the longest listed zone that ends the name", async () => {
        const splitDomain = await load();
        const zones = ["example.com", "api.example.com"];
        assert.deepEqual(splitDomain("us.api.example.com", zones), { zone: "api.example.com", name: "us" });
        assert.deepEqual(splitDomain("www.example.com", zones), { zone: "example.com", name: "www" });
        assert.deepEqual(splitDomain("shop.example.co.uk", ["example.co.uk"]), { zone: "example.co.uk", name: "shop" });
    });

    it("matches zones on label boundaries only", async () => {
        const splitDomain = await load();
        assert.deepEqual(splitDomain("api.myexample.com", ["example.com"]), { zone: "myexample.com", name: "api" });
    });
});

async function dns(args: Omit<DnsArgs, "records"> & { fqdns: string[] }) {
    const { fqdns, ...rest } = args;
    return runProgram(async () => {
        const { Dns } = await import("../../components/digitalocean/dns");
        new Dns("hits-us-east", { records: fqdns.map((fqdn) => ({ fqdn, ip: "203.0.113.7" })), ...rest });
    });
}

describe("Dns", () => {
    it("registers one A record per name, in its zone, under the component", async () => {
        const { resources } = await dns({ fqdns: ["us.api.example.com", "example.org"] });

        assert.deepEqual(
            ofType(resources, T.dnsRecord).map((r) => [r.name, r.parent, r.inputs]),
            [
                ["hits-us-east-a-us.api.example.com", "hits-us-east", { domain: "example.com", name: "us.api", type: "A", value: "203.0.113.7", ttl: 300 }],
                ["hits-us-east-a-example.org", "hits-us-east", { domain: "example.org", name: "@", type: "A", value: "203.0.113.7", ttl: 300 }],
            ],
        );
    });

    it("files records under the listed zones and takes a ttl", async () => {
        const { resources } = await dns({ fqdns: ["us.api.example.com"], zones: ["api.example.com"], ttl: 60 });

        const record = find(resources, T.dnsRecord, "hits-us-east-a-us.api.example.com").inputs;
        assert.deepEqual([record.domain, record.name, record.ttl], ["api.example.com", "us", 60]);
    });
});

async function service(spec: Partial<DropletsSpecInput>) {
    return runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            const web = new WebService("hits", {
                app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2" },
                regions: [{ name: "us-east", region: "nyc3", replicas: 1, domains: ["us.api.example.com"] }],
                ...spec,
            });
            return { loadBalancerIps: web.loadBalancerIps };
        },
        { stack: "test" },
    );
}

describe("WebService DNS", () => {
    it("points the region's domains and the https domains at the region's load balancer", async () => {
        const { resources, outputs } = await service({ loadBalancer: { https: { domains: ["api.example.com"] } } });

        const ip = outputs.loadBalancerIps["us-east"];
        assert.match(ip, /^203\.0\.113\.\d+$/);
        assert.deepEqual(
            ofType(resources, T.dnsRecord).map((r) => [r.name, r.parent, r.inputs.domain, r.inputs.name, r.inputs.type, r.inputs.value]),
            [
                ["hits-us-east-dns-a-us.api.example.com", "hits-us-east-dns", "example.com", "us.api", "A", ip],
                ["hits-us-east-dns-a-api.example.com", "hits-us-east-dns", "example.com", "api", "A", ip],
            ],
        );
    });

    it("files records under horizon:dnsZones", async () => {
        const { resources } = await service({ dnsZones: ["api.example.com"] });

        const record = find(resources, T.dnsRecord, "hits-us-east-dns-a-us.api.example.com").inputs;
        assert.deepEqual([record.domain, record.name], ["api.example.com", "us"]);
    });

    it("points shared https domains nowhere when there are several regions", async () => {
        const { resources } = await service({
            regions: [
                { name: "us-east", region: "nyc3", replicas: 1, domains: ["us.api.example.com"] },
                { name: "eu-west", region: "ams3", replicas: 1, domains: ["eu.api.example.com"] },
            ],
            loadBalancer: { https: { domains: ["api.example.com"] } },
        });

        assert.deepEqual(ofType(resources, T.dnsRecord).map((r) => r.name).sort(), [
            "hits-eu-west-dns-a-eu.api.example.com",
            "hits-us-east-dns-a-us.api.example.com",
        ]);
    });

    it("creates no records without domains", async () => {
        const { resources } = await service({ regions: [{ name: "us-east", region: "nyc3", replicas: 1 }] });

        assert.equal(ofType(resources, T.dnsRecord).length, 0);
        assert.equal(ofType(resources, "horizon:digitalocean:Dns").length, 0);
    });
});
