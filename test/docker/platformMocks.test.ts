import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../components/config/load";
import { type RecordedResource, runIndex } from "../helpers/mocks";

// The local stack's program under mocks: what the Docker platform registers, checked where a
// real `pulumi up` would behave differently from the engine tests' harness.

const CONTAINER = "docker:index/container:Container";

describe("the docker platform under mocks (stacks/Pulumi.local.yaml)", () => {
    let resources: RecordedResource[];
    const explicitDeleteBeforeReplace = new Map<string, boolean | undefined>();
    before(async () => {
        const file = readStackFile(path.join(__dirname, "..", "..", "stacks", "Pulumi.local.yaml"));
        // The recorded options fold "unset" into false; the provider's own choice (delete first) wins only when unset.
        const original = pulumi.runtime.registerStackTransformation;
        let installed = false;
        pulumi.runtime.registerStackTransformation = (t) => {
            original(t);
            if (!installed) {
                installed = true;
                original((args) => {
                    if (args.type === CONTAINER) {
                        explicitDeleteBeforeReplace.set(args.name, (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace);
                    }
                    return undefined;
                });
            }
        };
        try {
            resources = (await runIndex(file)).resources;
        } finally {
            pulumi.runtime.registerStackTransformation = original;
        }
    });
    const container = (name: string) => resources.find((r) => r.type === CONTAINER && r.name === name) ?? assert.fail(`no container ${name}`);

    it("says deleteBeforeReplace false on every replica (create before delete) and true on HAProxy and the data services", () => {
        assert.deepEqual(
            [...explicitDeleteBeforeReplace.entries()].sort(),
            [
                ["hits-local-app-0", false],
                ["hits-local-app-1", false],
                ["hits-local-app-2", false],
                ["hits-local-cache-container", true],
                ["hits-local-lb-haproxy", true],
                ["hits-local-pg-container", true],
            ],
        );
    });

    it("keeps the replicas' env secret and gives each its id and the data URLs", () => {
        const replica = container("hits-local-app-1");
        assert.ok(replica.secretInputs.includes("envs"));
        const envs = replica.rawInputs.envs as string[];
        assert.ok(envs.includes("HORIZON_REPLICA_ID=hits-local-1"));
        assert.ok(envs.includes("PORT=8080"));
        assert.ok(envs.some((e) => /^DATABASE_URL=postgresql:\/\/app:[^@]+@hits-local-pg:5432\/app$/.test(e)), envs.join(" "));
        assert.ok(envs.some((e) => /^REDIS_URL=redis:\/\/:[^@]+@hits-local-cache:6379$/.test(e)), envs.join(" "));
        assert.deepEqual(replica.rawInputs.networksAdvanced, [{ name: (replica.rawInputs.networksAdvanced as { name: string }[])[0].name, aliases: ["hits-local-app"] }]);
        assert.equal(replica.rawInputs.networkMode, undefined);
        assert.equal(replica.rawInputs.name, undefined, "replicas are autonamed");
    });

    it("gates each wave on the previous one, and publishes HAProxy and its stats on loopback", () => {
        assert.deepEqual(container("hits-local-app-1").options.dependsOn, ["hits-local-app-gate-0"]);
        assert.deepEqual(container("hits-local-app-2").options.dependsOn, ["hits-local-app-gate-1"]);
        const gate = resources.find((r) => r.name === "hits-local-app-gate-0") ?? assert.fail("no gate");
        assert.equal(gate.rawInputs.statsUrl, "http://127.0.0.1:8404/stats;csv");
        assert.deepEqual(container("hits-local-lb-haproxy").rawInputs.ports, [
            { internal: 8080, external: 8080, ip: "127.0.0.1" },
            { internal: 8404, external: 8404, ip: "127.0.0.1" },
        ]);
        assert.equal(container("hits-local-pg-container").rawInputs.ports, undefined);
    });
});
