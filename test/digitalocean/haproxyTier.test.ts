import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import type { DropletsSpecInput } from "../../components/config/schema";
import type { HaproxyTierArgs } from "../../components/digitalocean/haproxyTier";
import { ANYWHERE, find, FLEET_TAG, HEALTH_CHECK, NAME, ofType, type RecordedResource, runProgram, T, userData } from "../helpers/mocks";

const TIER_TAG = "hits-test-us-east-fleet-haproxy";

async function tier(args: Partial<HaproxyTierArgs> = {}) {
    return runProgram(async () => {
        const { HaproxyTier } = await import("../../components/digitalocean/haproxyTier");
        const haproxy = new HaproxyTier(`${NAME}-haproxy`, {
            region: "nyc3",
            vpcUuid: "vpc-1",
            tierTag: TIER_TAG,
            servers: [
                { name: "replica-0", host: "10.0.0.2", port: 3000 },
                { name: "replica-1", host: "10.0.0.3", port: 3000 },
            ],
            algorithm: "least_connections",
            healthCheck: HEALTH_CHECK,
            loadBalancerUids: ["lb-1"],
            ...args,
        });
        return { config: haproxy.config, privateIps: haproxy.privateIps };
    });
}

/** Runs a one-region WebService with this load balancer block. */
async function service(loadBalancer: DropletsSpecInput["loadBalancer"], app: Partial<DropletsSpecInput["app"]> = {}) {
    return runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            new WebService("hits", {
                app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2", port: 3000, ...app },
                regions: [{ name: "us-east", region: "nyc3", replicas: 3 }],
                loadBalancer,
            });
        },
        { stack: "test" },
    );
}

const haproxyDroplets = (resources: RecordedResource[]) => ofType(resources, T.droplet).filter((d) => d.name.includes("-haproxy-"));
const appDroplets = (resources: RecordedResource[]) => ofType(resources, T.droplet).filter((d) => /-droplet-\d+$/.test(d.name));
/** The haproxy.cfg that cloud-init writes on an HAProxy droplet. */
function haproxyConfig(droplet: RecordedResource): string {
    const config = yaml.load(userData(droplet)) as { write_files: { path: string; content: string }[] };
    return (config.write_files.find((f) => f.path === "/etc/haproxy/haproxy.cfg") ?? assert.fail("no haproxy.cfg in user data")).content;
}

describe("HaproxyTier", () => {
    it("registers two HAProxy droplets and a firewall by default, tagged with the tier tag", async () => {
        const { resources, outputs } = await tier({ tags: ["horizon:app:hits"] });

        assert.deepEqual(
            ofType(resources, T.droplet).map((d) => [d.name, d.parent, d.inputs.tags, d.inputs.size]),
            [0, 1].map((i) => [`${NAME}-haproxy-node-${i}`, `${NAME}-haproxy`, ["horizon:app:hits", TIER_TAG], "s-1vcpu-1gb"]),
        );
        assert.equal(find(resources, T.firewall, `${NAME}-haproxy-fw`).parent, `${NAME}-haproxy`);
        assert.equal(outputs.privateIps.length, 2);
    });

    it("runs as many nodes as asked, in the size asked", async () => {
        const { resources } = await tier({ nodes: 3, size: "s-2vcpu-2gb" });

        assert.deepEqual(
            ofType(resources, T.droplet).map((d) => d.inputs.size),
            ["s-2vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-2gb"],
        );
    });

    it("boots each node with the rendered haproxy.cfg", async () => {
        const { resources, outputs } = await tier({ stickySessions: { cookieName: "sid", ttlSeconds: 60 }, minReadySeconds: 12 });

        assert.match(outputs.config, /^\s+balance leastconn$/m);
        assert.match(outputs.config, /^\s+bind \*:8080$/m);
        assert.match(outputs.config, /^\s+http-check send meth GET uri \/ready$/m);
        assert.match(outputs.config, /^\s+default-server check inter 15s fall 7 rise 6 slowstart 12s$/m);
        assert.match(outputs.config, /^\s+cookie sid insert indirect nocache maxlife 60s$/m);
        assert.match(outputs.config, /^\s+server replica-1 10\.0\.0\.3:3000 cookie replica-1$/m);
        for (const droplet of ofType(resources, T.droplet)) {
            assert.equal(haproxyConfig(droplet), outputs.config);
        }
    });

    it("admits its port only from the load balancer, SSH only from admin CIDRs", async () => {
        const closed = find((await tier()).resources, T.firewall, `${NAME}-haproxy-fw`).inputs;
        assert.deepEqual(closed.tags, [TIER_TAG]);
        assert.deepEqual(closed.inboundRules, [{ protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] }]);
        assert.deepEqual(closed.outboundRules, [
            { protocol: "tcp", portRange: "1-65535", destinationAddresses: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] },
            { protocol: "tcp", portRange: "80", destinationAddresses: ANYWHERE },
            { protocol: "tcp", portRange: "443", destinationAddresses: ANYWHERE },
            { protocol: "udp", portRange: "53", destinationAddresses: ANYWHERE },
            { protocol: "udp", portRange: "123", destinationAddresses: ANYWHERE },
            { protocol: "icmp", destinationAddresses: ANYWHERE },
        ]);

        const open = find((await tier({ adminCidrs: ["203.0.113.0/24"] })).resources, T.firewall, `${NAME}-haproxy-fw`).inputs;
        assert.deepEqual(open.inboundRules, [
            { protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] },
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24"] },
        ]);
    });

    it("applies droplet and firewall transforms", async () => {
        const { resources } = await tier({
            transform: {
                droplet: { size: "c-2" },
                firewall: (args) => {
                    args.name = "edge-fw";
                },
            },
        });

        assert.ok(ofType(resources, T.droplet).every((d) => d.inputs.size === "c-2"));
        assert.equal(find(resources, T.firewall, `${NAME}-haproxy-fw`).inputs.name, "edge-fw");
    });
});

describe("WebService with an HAProxy tier", () => {
    it("puts 2 HAProxy droplets between the load balancer and the replicas for least_connections", async () => {
        const { resources } = await service({ algorithm: "least_connections" });

        assert.equal(haproxyDroplets(resources).length, 2);
        assert.equal(appDroplets(resources).length, 3);
        const lb = find(resources, T.loadBalancer, `${NAME}-lb-balancer`).inputs;
        assert.equal(lb.dropletTag, TIER_TAG);
        assert.deepEqual(lb.forwardingRules, [{ entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 8080 }]);
        assert.equal((lb.healthcheck as Record<string, unknown>).port, 8080);
        assert.equal((lb.healthcheck as Record<string, unknown>).protocol, "http");
        assert.equal((lb.healthcheck as Record<string, unknown>).path, "/haproxy-health", "the load balancer checks HAProxy itself");
        assert.deepEqual(find(resources, T.firewall, `${NAME}-fleet-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "3000", sourceTags: [TIER_TAG] },
        ]);
        assert.deepEqual(find(resources, T.firewall, `${NAME}-haproxy-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: [`${NAME}-lb-balancer-id`] },
        ]);
        assert.equal(ofType(resources, T.healthGate).length, 0);
        for (const droplet of haproxyDroplets(resources)) {
            assert.match(userData(droplet), /^\s+balance leastconn$/m);
            assert.equal((userData(droplet).match(/^\s+server replica-\d+ [\d.]+:3000$/gm) ?? []).length, 3);
        }
    });

    it("balances by source address for source", async () => {
        const { resources } = await service({ algorithm: "source" });

        assert.equal(haproxyDroplets(resources).length, 2);
        for (const droplet of haproxyDroplets(resources)) {
            assert.match(userData(droplet), /^\s+balance source$/m);
        }
    });

    it("pins sessions in HAProxy, not on the managed load balancer", async () => {
        const { resources } = await service({ algorithm: "random", stickySessions: { cookieName: "sid", ttlSeconds: 90 } });

        assert.equal("stickySessions" in find(resources, T.loadBalancer, `${NAME}-lb-balancer`).inputs, false);
        for (const droplet of haproxyDroplets(resources)) {
            assert.match(userData(droplet), /^\s+balance random$/m);
            assert.match(userData(droplet), /^\s+cookie sid insert indirect nocache maxlife 90s$/m);
        }
    });

    it("sizes the tier from the spec", async () => {
        const { resources } = await service({ algorithm: "least_connections", haproxy: { nodes: 4, size: "s-2vcpu-2gb" } });

        assert.deepEqual(
            haproxyDroplets(resources).map((d) => d.inputs.size),
            Array(4).fill("s-2vcpu-2gb"),
        );
    });

    it("has no HAProxy tier for round_robin: the load balancer targets the replicas", async () => {
        const { resources } = await service({ algorithm: "round_robin" });

        assert.equal(haproxyDroplets(resources).length, 0);
        const lb = find(resources, T.loadBalancer, `${NAME}-lb-balancer`).inputs;
        assert.equal(lb.dropletTag, FLEET_TAG);
        assert.equal((lb.forwardingRules as { targetPort: number }[])[0].targetPort, 3000);
    });
});
