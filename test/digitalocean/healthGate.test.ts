import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { HealthGateInputs, HealthGateProvider } from "../../components/digitalocean/healthGateProvider";

/** In the environment while gates are constructed: it must not reach the serialized provider. */
const PROGRAM_ENV_TOKEN = "dop_v1_program_environment_token";
process.env.DIGITALOCEAN_TOKEN = PROGRAM_ENV_TOKEN;

interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            const ids = args.inputs.dropletIds as string[];
            return { id: `${args.name}-id`, state: { ...args.inputs, healthyDropletIds: [...ids].sort(), readyAt: "2025-06-01T12:00:00.000Z" } };
        },
        call: (args) => {
            throw new Error(`unexpected invoke ${args.token}`);
        },
    },
    "horizon",
    "test",
    false,
);

// Imported after setMocks, so the resources register with the mock monitor.
const loadComponent = () => import("../../components/digitalocean/healthGate");

function resolved<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

async function register(name: string, create: () => pulumi.Resource): Promise<Registered> {
    await resolved(create().urn);
    return registered.find((r) => r.name === name) ?? assert.fail(`${name} was not registered`);
}

/** Loads a serialized dynamic provider the way Pulumi's provider host does: as a fresh CommonJS module. */
function loadSerializedProvider(text: string): HealthGateProvider {
    const module = { exports: {} as { handler?: () => HealthGateProvider } };
    new Function("exports", "require", "module", text)(module.exports, require, module);
    return (module.exports.handler ?? assert.fail("no handler export"))();
}

describe("HealthGate", () => {
    it("registers as a named dynamic resource with the defaults filled in and a serialized provider", async () => {
        const { HealthGate, DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS, DEFAULT_POLL_INTERVAL_SECONDS } = await loadComponent();

        const gate = await register("web-gate-0", () => new HealthGate("web-gate-0", { loadBalancerId: "lb-1", dropletIds: ["102", "101"] }));

        assert.equal(gate.type, "pulumi-nodejs:dynamic/horizon:HealthGate");
        const { __provider, ...inputs } = gate.inputs;
        assert.deepEqual(inputs, {
            loadBalancerId: "lb-1",
            dropletIds: ["102", "101"],
            minReadySeconds: DEFAULT_MIN_READY_SECONDS,
            readyTimeoutSeconds: DEFAULT_READY_TIMEOUT_SECONDS,
            pollIntervalSeconds: DEFAULT_POLL_INTERVAL_SECONDS,
        });
        assert.deepEqual([DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS, DEFAULT_POLL_INTERVAL_SECONDS], [10, 600, 10]);
        assert.equal(typeof __provider, "string");
        assert.match(__provider as string, /^exports\.handler = /);
    });

    it("passes overrides and Output inputs through, and exposes the provider's outputs", async () => {
        const { HealthGate } = await loadComponent();
        const droplet = pulumi.output("202");
        let created: InstanceType<typeof HealthGate> | undefined;

        const gate = await register("web-gate-1", () => {
            created = new HealthGate("web-gate-1", {
                loadBalancerId: pulumi.output("lb-2"),
                dropletIds: pulumi.output([droplet, "201"]),
                minReadySeconds: 30,
                readyTimeoutSeconds: pulumi.output(900),
                pollIntervalSeconds: 5,
            });
            return created;
        });

        assert.deepEqual(gate.inputs.dropletIds, ["202", "201"]);
        assert.equal(gate.inputs.loadBalancerId, "lb-2");
        assert.equal(gate.inputs.minReadySeconds, 30);
        assert.equal(gate.inputs.readyTimeoutSeconds, 900);
        assert.equal(gate.inputs.pollIntervalSeconds, 5);
        const instance = created ?? assert.fail("no gate");
        assert.deepEqual(await resolved(instance.healthyDropletIds), ["201", "202"]);
        assert.equal(await resolved(instance.readyAt), "2025-06-01T12:00:00.000Z");
    });

    describe("its serialized provider, loaded as Pulumi's provider host loads it", () => {
        const server = http.createServer((req, res) => {
            const ok = req.headers.authorization === "Bearer config-token" && req.url?.startsWith("/v2/monitoring/metrics/load_balancer/droplets_health_checks?lb_id=lb-3&");
            res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
            const result = [{ metric: { droplet_id: "301" }, values: [[1_760_000_000, "100"]] }];
            res.end(JSON.stringify(ok ? { status: "success", data: { resultType: "matrix", result } } : { id: "unauthorized", message: "Unable to authenticate you" }));
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));

        it("holds no credential from the program's environment", async () => {
            const { HealthGate } = await loadComponent();
            const gate = await register("web-gate-2", () => new HealthGate("web-gate-2", { loadBalancerId: "lb-3", dropletIds: ["301"] }));

            assert.ok(!(gate.inputs.__provider as string).includes(PROGRAM_ENV_TOKEN), "the serialized provider contains the token");
        });

        it("runs create against the API with the token from the stack config", async () => {
            const { HealthGate } = await loadComponent();
            const gate = await register("web-gate-3", () => new HealthGate("web-gate-3", { loadBalancerId: "lb-3", dropletIds: ["301"] }));
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const config: Record<string, string> = {
                "digitalocean:token": "config-token",
                "digitalocean:apiEndpoint": `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            };

            const provider = loadSerializedProvider(gate.inputs.__provider as string);
            await provider.configure?.({ config: { get: (key) => config[key], require: (key) => config[key] } });
            // The host hands create the recorded inputs, `__provider` included.
            const result = await provider.create({ ...(gate.inputs as unknown as HealthGateInputs), minReadySeconds: 0, pollIntervalSeconds: 0.1 });

            assert.deepEqual(result.outs?.healthyDropletIds, ["301"]);
        });
    });
});
