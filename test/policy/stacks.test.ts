import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles } from "../../components/config";
import { checkPlan, WAIVERS_FILE } from "../../tools/plan/policy";
import { planStack, REPOSITORY_ROOT } from "../../tools/plan/run";
import { loadWaivers } from "../../policy/waivers";

const STACKS = listStackFiles(REPOSITORY_ROOT.stacksDir).map((f) => path.basename(f).replace(/^Pulumi\.|\.ya?ml$/g, ""));

describe("every shipped stack passes the policy pack", () => {
    const waivers = loadWaivers(WAIVERS_FILE);

    it("finds the stacks", () => {
        assert.ok(STACKS.includes("production") && STACKS.includes("staging"), STACKS.join(", "));
    });

    for (const stack of STACKS) {
        it(`${stack}: no mandatory violation`, async () => {
            const report = checkPlan((await planStack(stack)).plan, waivers);
            const mandatory = report.violations.filter((v) => v.level === "mandatory");
            assert.deepEqual(mandatory, []);
        });
    }

    it("knows which stacks are production: by the project's environment", async () => {
        // One at a time: the mock runtime is process-wide.
        const production: [string, boolean][] = [];
        for (const stack of STACKS) {
            production.push([stack, checkPlan((await planStack(stack)).plan, waivers).production]);
        }
        const expected = Object.fromEntries(STACKS.map((s) => [s, ["production", "us-east", "eu-west", "ap-southeast", "global"].includes(s)]));
        assert.deepEqual(Object.fromEntries(production), expected);
    });
});
