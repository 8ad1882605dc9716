import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles } from "../../components/config";
import { ADAPTERS, adapterFor, replacementFields } from "../../tools/plan/adapters";
import { DEFAULT_PRICES } from "../../tools/plan/prices";
import { planStack } from "../../tools/plan/run";
import { resource } from "./fixtures/inventory";

const STACKS = listStackFiles(path.join(__dirname, "..", "..", "stacks")).map((f) => path.basename(f).replace(/^Pulumi\.|\.yaml$/g, ""));

describe("plan adapters", () => {
    it("claim every cloud resource type a shipped stack registers, each type exactly once", async () => {
        for (const stack of STACKS) {
            const { plan } = await planStack(stack);
            for (const r of plan.resources.filter((x) => !x.type.startsWith("horizon:"))) {
                const claiming = ADAPTERS.filter((a) => a.handles(r.type)).map((a) => a.name);
                assert.equal(claiming.length, 1, `${stack}: ${r.type} is claimed by ${claiming.join(", ") || "no adapter"}`);
            }
        }
    });

    it("leave horizon's own components to the plan's core", () => {
        assert.equal(adapterFor("horizon:digitalocean:AppFleet"), undefined);
        assert.deepEqual(replacementFields("horizon:service:WebService"), []);
    });

    it("tell a data droplet from a replica by its role tag", () => {
        const droplet = (role: string) => resource("digitalocean:index/droplet:Droplet", "any", { tags: [`horizon:role:${role}`] });
        const adapter = adapterFor("digitalocean:index/droplet:Droplet");
        assert.equal(adapter?.isStateful(droplet("data")), true);
        assert.equal(adapter?.isStateful(droplet("app")), false);
    });

    it("price nothing on the Docker host", () => {
        const volume = resource("docker:index/volume:Volume", "pg", { name: "pg" });
        assert.deepEqual(adapterFor(volume.type)?.price(volume, DEFAULT_PRICES), []);
        assert.equal(adapterFor(volume.type)?.isStateful(volume), true);
    });
});
