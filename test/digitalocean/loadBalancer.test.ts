import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoadBalancerArgs } from "../../components/digitalocean/loadBalancer";
import { find, ofType, runProgram, T } from "../helpers/mocks";

const NAME = "hits-us-east";

const HEALTH_CHECK = {
    path: "/ready",
    protocol: "https",
    port: 9000,
    intervalSeconds: 20,
    timeoutSeconds: 7,
    healthyThreshold: 4,
    unhealthyThreshold: 6,
} as const;

async function loadBalancer(args: Partial<LoadBalancerArgs> = {}) {
    return runProgram(async () => {
        const { LoadBalancer } = await import("../../components/digitalocean/loadBalancer");
        const lb = new LoadBalancer(`${NAME}-lb`, {
            region: "nyc3",
            vpcUuid: "vpc-1",
            dropletTag: "hits-test-us-east-fleet",
            targetPort: 3000,
            healthCheck: HEALTH_CHECK,
            ...args,
        });
        return { id: lb.id, ip: lb.ip, url: lb.url };
    });
}

const lbInputs = (resources: Awaited<ReturnType<typeof loadBalancer>>["resources"]) => find(resources, T.loadBalancer, `${NAME}-lb-balancer`).inputs;

describe("LoadBalancer", () => {
    it("registers a regional load balancer over the tagged droplets, http only by default", async () => {
        const { resources, outputs } = await loadBalancer();

        assert.deepEqual(
            resources.map((r) => [r.type, r.name, r.parent]),
            [
                ["horizon:digitalocean:LoadBalancer", `${NAME}-lb`, undefined],
                [T.loadBalancer, `${NAME}-lb-balancer`, `${NAME}-lb`],
            ],
        );
        const { healthcheck: _healthcheck, ...inputs } = lbInputs(resources);
        assert.deepEqual(inputs, {
            type: "REGIONAL",
            region: "nyc3",
            vpcUuid: "vpc-1",
            dropletTag: "hits-test-us-east-fleet",
            sizeUnit: 1,
            forwardingRules: [{ entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 3000 }],
            redirectHttpToHttps: false,
            enableBackendKeepalive: true,
        });
        assert.equal(outputs.id, `${NAME}-lb-balancer-id`);
        assert.match(outputs.ip, /^203\.0\.113\.\d+$/);
        assert.equal(outputs.url, `http://${outputs.ip}`);
    });

    it("carries every health-check field into the load balancer's health check", async () => {
        const { resources } = await loadBalancer();

        assert.deepEqual(lbInputs(resources).healthcheck, {
            protocol: "https",
            port: 9000,
            path: "/ready",
            checkIntervalSeconds: 20,
            responseTimeoutSeconds: 7,
            healthyThreshold: 4,
            unhealthyThreshold: 6,
        });
    });

    it("checks the target port when the health check names none, and sends no path over tcp", async () => {
        const { port: _port, ...withoutPort } = HEALTH_CHECK;
        const { resources } = await loadBalancer({ healthCheck: { ...withoutPort, protocol: "tcp" } });

        assert.deepEqual(lbInputs(resources).healthcheck, {
            protocol: "tcp",
            port: 3000,
            checkIntervalSeconds: 20,
            responseTimeoutSeconds: 7,
            healthyThreshold: 4,
            unhealthyThreshold: 6,
        });
    });

    it("sets the size units", async () => {
        assert.equal(lbInputs((await loadBalancer({ sizeUnit: 3 })).resources).sizeUnit, 3);
    });

    it("carries sticky sessions as cookies", async () => {
        const { resources } = await loadBalancer({ stickySessions: { cookieName: "hits_sid", ttlSeconds: 600 } });

        assert.deepEqual(lbInputs(resources).stickySessions, { type: "cookies", cookieName: "hits_sid", cookieTtlSeconds: 600 });
    });

    it("sends no stickiness without sticky sessions", async () => {
        assert.equal("stickySessions" in lbInputs((await loadBalancer()).resources), false);
    });

    it("serves https with a Let's Encrypt certificate and redirects http", async () => {
        const { resources, outputs } = await loadBalancer({
            https: { domains: ["api.example.com", "us.api.example.com"], redirectHttp: true },
            // Certificates are auto-named by the provider, which mocks do not run: name it to see it wired.
            transform: { certificate: { name: "hits-cert-1" } },
        });

        const certificate = find(resources, T.certificate, `${NAME}-lb-cert`);
        assert.equal(certificate.parent, `${NAME}-lb`);
        assert.deepEqual(certificate.inputs, { type: "lets_encrypt", domains: ["api.example.com", "us.api.example.com"], name: "hits-cert-1" });
        const inputs = lbInputs(resources);
        assert.deepEqual(inputs.forwardingRules, [
            { entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: 3000 },
            { entryProtocol: "https", entryPort: 443, targetProtocol: "http", targetPort: 3000, certificateName: "hits-cert-1" },
        ]);
        assert.equal(inputs.redirectHttpToHttps, true);
        assert.equal(outputs.url, "https://api.example.com");
    });

    it("keeps http open when redirectHttp is false", async () => {
        const { resources } = await loadBalancer({ https: { domains: ["api.example.com"], redirectHttp: false } });

        assert.equal(lbInputs(resources).redirectHttpToHttps, false);
        assert.equal(ofType(resources, T.certificate).length, 1);
    });

    it("creates no certificate without https", async () => {
        assert.equal(ofType((await loadBalancer()).resources, T.certificate).length, 0);
    });

    it("merges a partial-object transform over the load balancer args", async () => {
        const { resources } = await loadBalancer({ transform: { loadBalancer: { sizeUnit: 5, enableProxyProtocol: true } } });

        const inputs = lbInputs(resources);
        assert.equal(inputs.sizeUnit, 5);
        assert.equal(inputs.enableProxyProtocol, true);
        assert.equal(inputs.dropletTag, "hits-test-us-east-fleet");
    });

    it("lets a callback transform edit the load balancer's args and options", async () => {
        const { resources } = await loadBalancer({
            transform: {
                loadBalancer: (args, opts) => {
                    args.disableLetsEncryptDnsRecords = true;
                    opts.protect = true;
                },
            },
        });

        const lb = find(resources, T.loadBalancer, `${NAME}-lb-balancer`);
        assert.equal(lb.inputs.disableLetsEncryptDnsRecords, true);
        assert.equal(lb.options.protect, true);
    });
});
