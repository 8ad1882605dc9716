import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DropletsSpecInput } from "../../components/core/spec";
import { ofType, type RecordedResource, runProgram, T } from "../helpers/mocks";

/**
 * What a real DigitalOcean account would reject or get wrong on the first `pulumi up`, checked
 * on every shape of droplet stack: managed data, a data droplet, an HAProxy tier, https.
 */

/** Tag resources answer a name no literal could carry, so a reference can be told from a copy. */
const TAG_OUTPUT = "tag-output:";

const BASE: DropletsSpecInput = {
    app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2" },
    regions: [{ name: "us-east", region: "nyc3", replicas: 2, domains: ["us.api.example.com"] }],
};

const SHAPES: Record<string, DropletsSpecInput> = {
    "managed data, https": { ...BASE, database: { mode: "managed" }, cache: { mode: "managed" }, loadBalancer: { https: { domains: ["api.example.com"] } } },
    "data droplet": { ...BASE, database: { mode: "container" }, cache: { mode: "container" } },
    "three regions, one primary, a global balancer": {
        ...BASE,
        regions: [
            { name: "us-east", region: "nyc3", replicas: 2, vpcIpRange: "10.110.0.0/20" },
            { name: "eu-west", region: "ams3", replicas: 2, vpcIpRange: "10.120.0.0/20" },
            { name: "ap-southeast", region: "sgp1", replicas: 2, vpcIpRange: "10.130.0.0/20" },
        ],
        database: { mode: "managed", size: "db-s-1vcpu-2gb" },
        loadBalancer: { https: { domains: ["api.example.com"] } },
    },
    "HAProxy tier, https": { ...BASE, database: { mode: "managed" }, loadBalancer: { algorithm: "least_connections", https: { domains: ["api.example.com"] } } },
};

async function register(spec: DropletsSpecInput): Promise<RecordedResource[]> {
    const { resources } = await runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            new WebService("hits", spec);
        },
        { outputs: (type, _name, inputs) => (type === T.tag ? { name: `${TAG_OUTPUT}${String(inputs.name)}` } : undefined) },
    );
    return resources;
}

/** Every tag a firewall, load balancer or database firewall names, with where it is named. */
function referencedTags(resources: RecordedResource[]): [string, unknown][] {
    const refs: [string, unknown][] = [];
    for (const fw of ofType(resources, T.firewall)) {
        for (const tag of (fw.rawInputs.tags as unknown[] | undefined) ?? []) {
            refs.push([`${fw.name} tags`, tag]);
        }
        for (const rule of (fw.rawInputs.inboundRules as { sourceTags?: unknown[] }[] | undefined) ?? []) {
            for (const tag of rule.sourceTags ?? []) {
                refs.push([`${fw.name} sourceTags`, tag]);
            }
        }
    }
    for (const lb of ofType(resources, T.loadBalancer).filter((r) => r.rawInputs.dropletTag !== undefined)) {
        refs.push([`${lb.name} dropletTag`, lb.rawInputs.dropletTag]);
    }
    for (const fw of ofType(resources, T.databaseFirewall)) {
        for (const rule of (fw.rawInputs.rules as { type: string; value: unknown }[]).filter((r) => r.type === "tag")) {
            refs.push([`${fw.name} rule`, rule.value]);
        }
    }
    return refs;
}

describe("DigitalOcean API facts", () => {
    for (const [shape, spec] of Object.entries(SHAPES)) {
        describe(shape, () => {
            it("names only tags that a Tag resource creates first (firewalls, load balancer, database firewalls)", async () => {
                const refs = referencedTags(await register(spec));
                assert.ok(refs.length > 0, "the stack references tags");
                const literal = refs.filter(([, tag]) => typeof tag !== "string" || !tag.startsWith(TAG_OUTPUT));
                assert.deepEqual(literal, [], "every referenced tag is a Tag resource's name");
            });

            it("shuts every droplet down gracefully, with time to do it, before deleting it", async () => {
                const droplets = ofType(await register(spec), T.droplet);
                assert.ok(droplets.length > 0);
                for (const droplet of droplets) {
                    assert.equal(droplet.inputs.gracefulShutdown, true, droplet.name);
                    assert.equal(droplet.customTimeouts?.delete, "5m", droplet.name);
                }
            });

            it("keeps DigitalOcean from pointing the certificate's apex domain at a https load balancer", async () => {
                const resources = await register(spec);
                // A GLOBAL balancer has no forwarding rules: DigitalOcean writes the records of its own
                // managed domains, which is what horizon asks of it.
                for (const lb of ofType(resources, T.loadBalancer).filter((r) => r.inputs.type !== "GLOBAL")) {
                    const https = (lb.inputs.forwardingRules as { entryProtocol: string }[]).some((r) => r.entryProtocol === "https");
                    assert.equal(lb.inputs.disableLetsEncryptDnsRecords, https ? true : undefined, lb.name);
                }
            });
        });
    }
});
