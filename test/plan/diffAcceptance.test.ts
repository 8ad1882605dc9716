import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readStackFile } from "../../components/config";
import { diffPlans, renderDiffMarkdown } from "../../tools/plan/diff";
import { planConfig } from "../../tools/plan/run";

/**
 * The pull-request diff on the real program: raising replicas, changing the health-check path
 * and moving the database from managed to container mode all show, with the removal of the
 * managed database cluster first.
 */
describe("plan diff of the real program", () => {
    it("shows replicas, health-check path and database mode changes, database removal first", async () => {
        const base = readStackFile(path.join(__dirname, "..", "..", "stacks", "Pulumi.production.yaml"));
        const before = await planConfig("production", base.config, base.secretKeys, undefined, { fingerprintSecrets: true });
        const app = base.config.app as { healthCheck: Record<string, unknown> };
        const regions = base.config.regions as Record<string, unknown>[];
        const changed = {
            ...base.config,
            app: { ...app, healthCheck: { ...app.healthCheck, path: "/ready" } },
            regions: [{ ...regions[0], replicas: 5 }],
            database: { ...(base.config.database as object), mode: "container", nodes: 1 },
        };
        const after = await planConfig("production", changed, base.secretKeys, undefined, { fingerprintSecrets: true });
        const markdown = renderDiffMarkdown(diffPlans(before.plan, after.plan), {
            stack: "production",
            before: before.plan,
            after: after.plan,
        });

        const clusterRemoval = markdown.indexOf("hits-us-east-pg-cluster");
        assert.ok(clusterRemoval >= 0, "the managed Postgres cluster's removal is listed");
        for (const later of ["hits-us-east-fleet-droplet-4", "/ready"]) {
            const at = markdown.indexOf(later);
            assert.ok(at > clusterRemoval, `${later} appears, after the database removal`);
        }
        assert.match(markdown, /\/health/, "the old health-check path is shown next to the new one");
        assert.match(markdown, /hits-us-east-data-droplet/, "the data droplet that replaces the cluster is added");
        assert.ok(markdown.length < 60_000);
    });
});
