import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { HealthGateArgs } from "../../components/digitalocean/healthGate";
import type { HealthGateInputs, HealthGateProvider } from "../../components/digitalocean/healthGateProvider";
import { matrix, startFakeApi } from "../helpers/fakeDigitalOcean";
import { find, runProgram, T } from "../helpers/mocks";

/** In the environment while gates are constructed: it must not reach the serialized provider. */
const PROGRAM_ENV_TOKEN = "dop_v1_program_environment_token";
process.env.DIGITALOCEAN_TOKEN = PROGRAM_ENV_TOKEN;

/** Registers one gate under the mocks and returns what was recorded and its outputs. */
async function gate(name: string, args: () => HealthGateArgs) {
    const run = await runProgram(async () => {
        const { HealthGate } = await import("../../components/digitalocean/healthGate");
        const created = new HealthGate(name, args());
        return { healthyDropletIds: created.healthyDropletIds, readyAt: created.readyAt };
    });
    return { resource: find(run.resources, T.healthGate, name), outputs: run.outputs };
}

/** Loads a serialized dynamic provider the way Pulumi's provider host does: as a fresh CommonJS module. */
function loadSerializedProvider(text: string): HealthGateProvider {
    const module = { exports: {} as { handler?: () => HealthGateProvider } };
    new Function("exports", "require", "module", text)(module.exports, require, module);
    return (module.exports.handler ?? assert.fail("no handler export"))();
}

describe("HealthGate", () => {
    it("registers as a named dynamic resource with the defaults filled in and a serialized provider", async () => {
        const { DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS, DEFAULT_POLL_INTERVAL_SECONDS } = await import(
            "../../components/digitalocean/healthGate"
        );

        const { resource } = await gate("web-gate-0", () => ({ loadBalancerId: "lb-1", dropletIds: ["102", "101"] }));

        assert.equal(resource.type, "pulumi-nodejs:dynamic/horizon:HealthGate");
        const { __provider, ...inputs } = resource.inputs;
        assert.deepEqual(inputs, {
            loadBalancerId: "lb-1",
            dropletIds: ["102", "101"],
            fleetTag: "",
            minReadySeconds: DEFAULT_MIN_READY_SECONDS,
            readyTimeoutSeconds: DEFAULT_READY_TIMEOUT_SECONDS,
            pollIntervalSeconds: DEFAULT_POLL_INTERVAL_SECONDS,
        });
        assert.deepEqual([DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS, DEFAULT_POLL_INTERVAL_SECONDS], [10, 600, 10]);
        assert.equal(typeof __provider, "string");
        assert.match(__provider as string, /^exports\.handler = /);
    });

    it("passes overrides and Output inputs through, and exposes the provider's outputs", async () => {
        const { resource, outputs } = await gate("web-gate-1", () => ({
            loadBalancerId: pulumi.output("lb-2"),
            dropletIds: pulumi.output([pulumi.output("202"), "201"]),
            minReadySeconds: 30,
            readyTimeoutSeconds: pulumi.output(900),
            pollIntervalSeconds: 5,
        }));

        assert.deepEqual(resource.inputs.dropletIds, ["202", "201"]);
        assert.equal(resource.inputs.loadBalancerId, "lb-2");
        assert.equal(resource.inputs.minReadySeconds, 30);
        assert.equal(resource.inputs.readyTimeoutSeconds, 900);
        assert.equal(resource.inputs.pollIntervalSeconds, 5);
        assert.deepEqual(outputs.healthyDropletIds, ["201", "202"]);
        assert.equal(outputs.readyAt, "2025-06-01T12:00:00.000Z");
    });

    describe("its serialized provider, loaded as Pulumi's provider host loads it", () => {
        it("holds no credential from the program's environment", async () => {
            const { resource } = await gate("web-gate-2", () => ({ loadBalancerId: "lb-3", dropletIds: ["301"] }));

            assert.ok(!(resource.rawInputs.__provider as string).includes(PROGRAM_ENV_TOKEN), "the serialized provider contains the token");
        });

        it("runs create against the API with the token from the stack config", async () => {
            const { resource } = await gate("web-gate-3", () => ({ loadBalancerId: "lb-3", dropletIds: ["301"] }));
            const api = await startFakeApi(() => matrix({ "301": 100 }), "config-token");
            const config: Record<string, string> = { "digitalocean:token": "config-token", "digitalocean:apiEndpoint": api.url };

            const provider = loadSerializedProvider(resource.rawInputs.__provider as string);
            await provider.configure?.({ config: { get: (key) => config[key], require: (key) => config[key] } });
            // The host hands create the recorded inputs, `__provider` included.
            const result = await provider.create({ ...(resource.rawInputs as unknown as HealthGateInputs), minReadySeconds: 0, pollIntervalSeconds: 0.1 });

            assert.deepEqual(result.outs?.healthyDropletIds, ["301"]);
            assert.ok(api.requests.length > 0 && api.requests.every((r) => r.query.get("lb_id") === "lb-3"), "a request asked about another load balancer");
        });

        it("matches series by droplet name through the fleet tag's droplets", async () => {
            const { resource } = await gate("web-gate-4", () => ({ loadBalancerId: "lb-4", dropletIds: ["401"], fleetTag: "hits-test-us-east-fleet" }));
            const droplets = [{ id: 401, name: "hits-us-east-fleet-droplet-0", privateIp: "10.110.0.5" }];
            const api = await startFakeApi(() => matrix({ "hits-us-east-fleet-droplet-0": 100 }, "server"), "config-token", droplets);
            const config: Record<string, string> = { "digitalocean:token": "config-token", "digitalocean:apiEndpoint": api.url };

            const provider = loadSerializedProvider(resource.rawInputs.__provider as string);
            await provider.configure?.({ config: { get: (key) => config[key], require: (key) => config[key] } });
            const result = await provider.create({ ...(resource.rawInputs as unknown as HealthGateInputs), minReadySeconds: 0, pollIntervalSeconds: 0.1 });

            assert.deepEqual(result.outs?.healthyDropletIds, ["401"]);
            assert.equal(api.requests.find((r) => r.path === "/v2/droplets")?.query.get("tag_name"), "hits-test-us-east-fleet");
        });
    });
});
