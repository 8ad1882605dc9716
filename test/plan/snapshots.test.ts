import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles } from "../../components/config";
import { planStack } from "../../tools/plan/run";
import { matchSnapshot } from "../helpers/snapshot";

const STACKS = listStackFiles(path.join(__dirname, "..", "..", "stacks")).map((f) =>
    path.basename(f).replace(/^Pulumi\.|\.yaml$/g, ""),
);

/**
 * The JSON plan of every stack, snapshotted: any change to what a stack creates, its options
 * or its cost shows up as a snapshot diff in the pull request.
 */
describe("plan snapshots", () => {
    for (const stack of STACKS) {
        it(`stack ${stack}`, async () => {
            const { plan } = await planStack(stack);
            const text = `${JSON.stringify(plan, null, 2)}\n`;
            assert.ok(!text.includes("mock-user-password") && !text.includes("mock-cluster-password"), "no credential in the plan");
            matchSnapshot(`plan/${stack}.json`, text);
        });
    }
});
