import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { find, ofType, runProgram, T } from "./helpers/mocks";

describe("examples/compose", () => {
    it("runs as a Pulumi program: a WebService with a transform plus hand-wired components", async () => {
        const entry = path.join(__dirname, "..", "examples", "compose", "index.ts");
        const run = await runProgram(() => require(entry) as Record<string, unknown>, { stack: "example" });
        const shopDroplets = ofType(run.resources, T.droplet).filter((r) => r.name.startsWith("shop-eu-fleet-droplet-"));
        assert.equal(shopDroplets.length, 4);
        assert.ok(shopDroplets.every((d) => d.inputs.backups === true), "the fleet transform reaches every droplet");
        const workerLb = find(run.resources, T.loadBalancer, "worker-lb-balancer");
        assert.equal((workerLb.inputs.healthcheck as { path: string }).path, "/ready");
        assert.equal(ofType(run.resources, T.droplet).filter((r) => r.name.startsWith("worker-fleet-droplet-")).length, 2);
        assert.equal(ofType(run.resources, "digitalocean:index/monitorAlert:MonitorAlert").length, 1);
        assert.deepEqual(Object.keys(run.outputs.shopUrls as object), ["eu"]);
    });
});
