import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readStackFile } from "../../components/config";
import { planConfig } from "../../tools/plan/run";
import { costPerDay, reviewComment } from "../../tools/stacks/comment";
import { reviewConfig } from "../../tools/stacks/overrides";
import { formatUsd } from "../../tools/plan/markdown";

const stacksDir = path.join(__dirname, "..", "..", "stacks");

describe("offline plan of a review stack", () => {
    for (const base of ["staging", "production"]) {
        it(`derived from ${base}: nothing protected, no managed data, and the comment's cost per day is the plan's`, async () => {
            const file = readStackFile(path.join(stacksDir, `Pulumi.${base}.yaml`));
            const review = reviewConfig(file, { pr: 7, domainTemplate: "pr-{pr}.staging.example.com" });
            const { plan } = await planConfig("pr-7", review.config, review.secretKeys);
            assert.ok(plan.resources.length > 0);
            assert.deepEqual(plan.resources.filter((r) => r.options.protect).map((r) => r.name), []);
            assert.deepEqual(plan.resources.filter((r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster").map((r) => r.name), []);
            assert.deepEqual(plan.cost.unpriced, []);
            const comment = reviewComment({ stack: "pr-7", urls: [], monthlyUsd: plan.cost.monthlyUsd, pricesAsOf: plan.cost.pricesAsOf, expires: new Date(0) });
            const perDay = Math.round((plan.cost.monthlyUsd * 24 * 100) / 672) / 100;
            assert.equal(costPerDay(plan.cost.monthlyUsd), perDay);
            assert.ok(comment.includes(`| Cost | ${formatUsd(perDay)} per day`), comment);
            const droplets = plan.resources.filter((r) => r.type === "digitalocean:index/droplet:Droplet" && r.name.includes("-droplet-"));
            assert.ok(droplets.every((d) => d.inputs.size === "s-1vcpu-512mb-10gb"), JSON.stringify(droplets.map((d) => d.inputs.size)));
        });
    }
});
