import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlannedResource } from "../../tools/plan/inventory";
import { diffPlans, renderDiffMarkdown, renderPlanMarkdown } from "../../tools/plan/diff";
import { matchSnapshot } from "../helpers/snapshot";
import { plan, regionalUnit, resource } from "./fixtures/inventory";

const DROPLET = "digitalocean:index/droplet:Droplet";
const DB = "digitalocean:index/databaseCluster:DatabaseCluster";
const VOLUME = "digitalocean:index/volume:Volume";

function withInputs(resources: PlannedResource[], name: string, inputs: Record<string, unknown>): PlannedResource[] {
    return resources.map((r) => (r.name === name ? { ...r, inputs: { ...r.inputs, ...inputs } } : r));
}

/** Three replicas on managed Postgres become five on a container-mode data droplet, and the health check moves to /ready. */
function managedToContainer() {
    const before = plan("production", regionalUnit({ replicas: 3, healthPath: "/health", database: "managed", protect: true }));
    const after = plan("production", regionalUnit({ replicas: 5, healthPath: "/ready", database: "container", protect: true }));
    return { before, after, diff: diffPlans(before, after) };
}

describe("diffPlans", () => {
    it("finds added, removed and changed resources by type and name", () => {
        const { diff } = managedToContainer();
        const added = diff.added.map((r) => r.name);
        assert.ok(["hits-us-east-fleet-droplet-3", "hits-us-east-fleet-droplet-4", "hits-us-east-data-droplet", "hits-us-east-data-volume"].every((n) => added.includes(n)), added.join());
        assert.ok(!added.includes("hits-us-east-fleet-droplet-2"));
        assert.ok(diff.removed.some((r) => r.type === DB && r.name === "hits-us-east-pg-cluster"));
        assert.deepEqual(
            diff.changed.map(({ type, name, changes }) => ({ type, name, changes })),
            [{ type: "digitalocean:index/loadBalancer:LoadBalancer", name: "hits-us-east-lb-balancer", changes: [{ path: "healthcheck.path", before: "/health", after: "/ready" }] }],
        );
    });

    it("puts the removal of a managed database cluster first among the warnings", () => {
        const before = plan("s", [
            resource(VOLUME, "hits-us-east-data-volume", { region: "nyc3", size: 10 }),
            resource(DB, "hits-us-east-cache-cluster", { engine: "valkey", region: "nyc3" }),
            resource(DB, "hits-us-east-pg-cluster", { engine: "pg", region: "nyc3" }),
        ]);
        const after = plan("s", [resource(DB, "hits-us-east-cache-cluster", { engine: "valkey", region: "nyc3", privateNetworkUuid: "vpc-2" })]);
        assert.deepEqual(
            diffPlans(before, after).warnings.map((w) => [w.risk, w.name]),
            [
                ["database-removed", "hits-us-east-pg-cluster"],
                ["database-replaced", "hits-us-east-cache-cluster"],
                ["removed", "hits-us-east-data-volume"],
            ],
        );
    });

    it("says whether a removed cluster takes its data with it or stays behind with retainOnDelete", () => {
        const cluster = (retainOnDelete: boolean) => plan("s", [resource(DB, "pg", { engine: "pg" }, { options: { retainOnDelete } })]);
        assert.equal(diffPlans(cluster(false), plan("s", [])).warnings[0].reason, "the managed Postgres cluster is deleted, and its data and backups with it");
        assert.equal(diffPlans(cluster(true), plan("s", [])).warnings[0].reason, "the managed Postgres cluster leaves the stack but stays, and is still billed, in DigitalOcean");
    });

    it("flags the fields that replace a database cluster, and only those", () => {
        const base = [resource(DB, "pg", { engine: "pg", version: "15", region: "nyc3", name: "pg", privateNetworkUuid: "vpc-1", size: "db-s-1vcpu-2gb" })];
        const warn = (inputs: Record<string, unknown>) => diffPlans(plan("s", base), plan("s", withInputs(base, "pg", inputs))).warnings.map((w) => w.risk);
        for (const field of ["engine", "name", "privateNetworkUuid", "projectId"]) {
            assert.deepEqual(warn({ [field]: "other" }), ["database-replaced"], field);
        }
        // DigitalOcean migrates a cluster to a new region, and changes version and size, in place.
        assert.deepEqual(warn({ version: "16", size: "db-s-2vcpu-4gb", region: "ams3" }), []);
    });

    it("warns when the data droplet is replaced, but not when replicas roll", () => {
        const unit = regionalUnit({ database: "container" });
        const after = withInputs(withInputs(unit, "hits-us-east-data-droplet", { image: "docker-24-04" }), "hits-us-east-fleet-droplet-0", { image: "docker-24-04" });
        const warnings = diffPlans(plan("s", unit), plan("s", after)).warnings;
        assert.deepEqual(
            warnings.map((w) => [w.risk, w.name]),
            [["replaced", "hits-us-east-data-droplet"]],
        );
    });

    it("warns when a protected resource is removed, whatever it is", () => {
        const before = plan("s", [resource("digitalocean:index/firewall:Firewall", "fw", {}, { options: { protect: true } }), resource("digitalocean:index/firewall:Firewall", "fw2", {})]);
        const warnings = diffPlans(before, plan("s", [])).warnings;
        assert.deepEqual(
            warnings.map((w) => [w.risk, w.name]),
            [["removed", "fw"]],
        );
        assert.match(warnings[0].reason, /protected/);
    });

    it("compares options and parents too, and lists of plain values as one change", () => {
        const before = plan("s", [resource(DROPLET, "d", { tags: ["a", "b"] }, { parent: "x", options: { protect: true } })]);
        const after = plan("s", [resource(DROPLET, "d", { tags: ["a", "c"] }, { parent: "y", options: { protect: false } })]);
        assert.deepEqual(diffPlans(before, after).changed[0].changes, [
            { path: "parent", before: "x", after: "y" },
            { path: "tags", before: ["a", "b"], after: ["a", "c"] },
            { path: "options.protect", before: true, after: false },
        ]);
    });

    it("leaves secrets as they are: an unchanged secret is no change, a new one shows as [secret]", () => {
        const before = plan("s", [resource(DROPLET, "d", { userData: "[secret]", password: "hunter2" })]);
        const after = plan("s", [resource(DROPLET, "d", { userData: "[secret]", password: "[secret]" })]);
        assert.deepEqual(diffPlans(before, after).changed[0].changes, [{ path: "password", before: "hunter2", after: "[secret]" }]);
    });
});

describe("renderDiffMarkdown", () => {
    it("shows the database deletion first, then the new replicas, the health check path and the data droplet", () => {
        const { before, after, diff } = managedToContainer();
        const markdown = renderDiffMarkdown(diff, { stack: "production", before, after });
        matchSnapshot("plan/diff-managed-to-container.md", markdown);

        const caution = markdown.indexOf("> [!CAUTION]");
        const firstTable = markdown.indexOf("#### ");
        assert.ok(caution >= 0 && caution < firstTable, "the stateful warning block comes before the tables");
        const firstBullet = markdown.indexOf("> - ");
        assert.equal(markdown.indexOf("`hits-us-east-pg-cluster`"), markdown.indexOf("`hits-us-east-pg-cluster`", firstBullet), "the first mention of the cluster is its warning");
        assert.match(markdown.slice(firstBullet), /^> - \*\*Removes\*\* DatabaseCluster `hits-us-east-pg-cluster`: the managed Postgres cluster leaves the stack but stays, and is still billed, in DigitalOcean; it is protected/);

        assert.match(markdown, /\| `hits-us-east-fleet-droplet-3\.\.4` \(2\) \| Droplet \| size=s-1vcpu-2gb, region=nyc3 \|/);
        assert.match(markdown, /\| `hits-us-east-lb-balancer` \| LoadBalancer \| update \| `healthcheck\.path`: `\/health` → `\/ready` \|/);
        assert.match(markdown, /\| `hits-us-east-data-droplet` \| Droplet \|/);
        assert.match(markdown, /\| `hits-us-east-data-volume` \| Volume \| size=10, region=nyc3 \|/);
        assert.match(markdown, /monthly cost \$123\.90 → \$100\.00 \(-\$23\.90\)/);
        assert.match(markdown, /```mermaid\nflowchart LR\n[\s\S]*App replicas · 5 x s-1vcpu-2gb[\s\S]*```/);
    });

    it("groups identical changes on numbered siblings into one row", () => {
        const before = plan("s", regionalUnit({ replicas: 100, size: "s-1vcpu-2gb", waveSize: 25 }));
        const after = plan("s", regionalUnit({ replicas: 100, size: "s-2vcpu-4gb", waveSize: 25 }));
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after });
        assert.match(markdown, /\| `hits-us-east-fleet-droplet-0\.\.99` \(100\) \| Droplet \| update \| `size`: `s-1vcpu-2gb` → `s-2vcpu-4gb` \|/);
        assert.match(markdown, /\| Droplet s-2vcpu-4gb \| — \| 100 · \$2,400\.00 \| \+\$2,400\.00 \|/);
    });

    it("keeps a 1,000-droplet diff under 60,000 characters, collapsing what does not fit and keeping the warnings", () => {
        const build = (tag: string) =>
            regionalUnit({ replicas: 1000, waveSize: 250, database: tag === "old" ? "managed" : "none" }).map((r) =>
                r.type === DROPLET ? { ...r, inputs: { ...r.inputs, tags: [`${r.name}-${tag}`] } } : r,
            );
        const before = plan("s", build("old"));
        const after = plan("s", build("new"));
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after });
        assert.ok(markdown.length < 60000, `${markdown.length} characters`);
        assert.match(markdown, /\| … and 960 more droplets \| {2}\| {2}\|/);
        assert.match(markdown, /\*\*Removes\*\* DatabaseCluster `hits-us-east-pg-cluster`/);
    });

    it("collapses a scale-up to 1,000 replicas into one row per kind of resource", () => {
        const before = plan("s", regionalUnit({ replicas: 3 }));
        const after = plan("s", regionalUnit({ replicas: 1000 }));
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after });
        assert.ok(markdown.length < 60000, `${markdown.length} characters`);
        assert.match(markdown, /\| `hits-us-east-fleet-droplet-3\.\.999` \(997\) \| Droplet \| size=s-1vcpu-2gb, region=nyc3 \|/);
        assert.match(markdown, /\| `hits-us-east-fleet-gate-3\.\.999` \(997\) \| HealthGate \(dynamic\) \|/);
    });

    it("cuts to any limit and still leads with the stateful warnings", () => {
        const { before, after, diff } = managedToContainer();
        const markdown = renderDiffMarkdown(diff, { stack: "production", before, after, maxChars: 700 });
        assert.ok(markdown.length <= 700, `${markdown.length} characters`);
        assert.match(markdown, /\*\*Removes\*\* DatabaseCluster `hits-us-east-pg-cluster`/);
    });

    it("escapes pipes so a value cannot split a table row", () => {
        const before = plan("s", [resource(DROPLET, "d", { image: "a|b" })]);
        const after = plan("s", [resource(DROPLET, "d", { image: "c" })]);
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after });
        assert.match(markdown, /\| `d` \| Droplet \| \*\*replace\*\* \| `image`: `a\\\|b` → `c` \|/);
    });

    it("shows what joined or left a long list, and where a long string starts to differ", () => {
        const names = Array.from({ length: 30 }, (_, i) => `hits-us-east-fleet-droplet-${i}`);
        const before = plan("s", [resource(DROPLET, "d", { tags: names, image: `${"x".repeat(100)}-old` })]);
        const after = plan("s", [resource(DROPLET, "d", { tags: [...names.slice(1), "hits-us-east-fleet-droplet-30"], image: `${"x".repeat(100)}-new` })]);
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after, maxValueChars: 40 });
        assert.match(markdown, /`tags`: − `hits-us-east-fleet-droplet-0` \+ `hits-us-east-fleet-droplet-30`/);
        assert.match(markdown, /`image`: `…x{35}-old` → `…x{35}-new`/);
    });

    it("truncates long values", () => {
        const before = plan("s", [resource(DROPLET, "d", { image: "a".repeat(500) })]);
        const after = plan("s", [resource(DROPLET, "d", { image: "b".repeat(500) })]);
        const markdown = renderDiffMarkdown(diffPlans(before, after), { stack: "s", before, after, maxValueChars: 20 });
        assert.match(markdown, /`image`: `a{19}…` → `b{19}…`/);
        assert.doesNotMatch(markdown, /a{21}/);
    });
});

describe("renderPlanMarkdown", () => {
    it("summarises one stack: warnings, counts by type, cost and topology", () => {
        const resources = [...regionalUnit({ replicas: 4 }), resource(DROPLET, "hits-us-east-bastion", { region: "nyc3", size: "s-3vcpu-9gb" })];
        const markdown = renderPlanMarkdown(plan("staging", resources, ["horizon:protect is false"]));
        assert.match(markdown, /^### Plan for `staging`/);
        assert.match(markdown, /> - horizon:protect is false\n> - Not priced: hits-us-east-bastion: droplet size "s-3vcpu-9gb" is not in the price table/);
        assert.match(markdown, /\| Droplet \| 5 \|/);
        assert.match(markdown, /\| HealthGate \(dynamic\) \| 4 \|/);
        assert.match(markdown, /\| Droplet s-1vcpu-2gb \| 4 \| \$48\.00 \|/);
        assert.match(markdown, /\| \*\*Total\*\* \| {2}\| \*\*\$135\.90\*\* \|/);
        assert.match(markdown, /```mermaid\nflowchart LR\n/);
    });
});

describe("why a droplet is replaced", () => {
    it("names the parts of its secret user data that changed, and no secret value", async () => {
        const { planConfig } = await import("../../tools/plan/run");
        const { readStackFile } = await import("../../components/config");
        const path = await import("node:path");
        const file = readStackFile(path.join(__dirname, "..", "..", "stacks", "Pulumi.staging.yaml"));
        const app = file.config.app as Record<string, unknown>;
        const before = (await planConfig("staging", file.config, file.secretKeys, undefined, { fingerprintSecrets: true })).plan;
        const changed = { ...file.config, app: { ...app, image: "ghcr.io/acme/hits:1.5.0", env: { ...(app.env as object), FEATURE_X: "on" } } };
        const after = (await planConfig("staging", changed, file.secretKeys, undefined, { fingerprintSecrets: true })).plan;

        const droplet = diffPlans(before, after).changed.find((c) => c.name === "hits-staging-fleet-droplet-0");
        const paths = Object.fromEntries((droplet?.changes ?? []).map((c) => [c.path, c]));
        assert.ok(paths.userData, "the user data changed");
        assert.deepEqual([paths["userData.horizon-app image"]?.before, paths["userData.horizon-app image"]?.after], ["ghcr.io/acme/hits:1.4.2", "ghcr.io/acme/hits:1.5.0"]);
        const keys = paths["userData.env /etc/horizon/app.env"];
        assert.ok((keys?.after as string[]).includes("FEATURE_X") && !(keys?.before as string[]).includes("FEATURE_X"));
        // The data droplet's user data holds generated passwords; none reaches the plan.
        assert.doesNotMatch(JSON.stringify(after), /mock-password-/);
    });
});

describe("diffPlans across regions", () => {
    it("calls a change of primary region what it is: the old cluster removed and a new, empty one created", () => {
        const replica = (unit: string, region: string) =>
            resource("digitalocean:index/databaseReplica:DatabaseReplica", `hits-${unit}-pg-read-replica`, { region, clusterId: "x", size: "db-s-1vcpu-2gb" });
        const before = plan("global", [
            resource(DB, "hits-us-east-pg-cluster", { engine: "pg", region: "nyc3" }, { options: { protect: true, retainOnDelete: true } }),
            replica("eu-west", "ams3"),
        ]);
        const after = plan("global", [resource(DB, "hits-eu-west-pg-cluster", { engine: "pg", region: "ams3" }, { options: { protect: true, retainOnDelete: true } }), replica("us-east", "nyc3")]);

        const diff = diffPlans(before, after);

        assert.deepEqual(diff.warnings.map((w) => [w.risk, w.name]), [["database-removed", "hits-us-east-pg-cluster"]]);
        assert.equal(
            diff.warnings[0].reason,
            "the Postgres primary moves from nyc3 to ams3: `hits-eu-west-pg-cluster` is a new, empty cluster (replicas and writes follow it, the data does not); the managed Postgres cluster leaves the stack but stays, and is still billed, in DigitalOcean; it is protected, so `pulumi up` stops until protect is lifted",
        );
    });

    it("leaves the removal of a Postgres cluster alone when no primary takes its place elsewhere", () => {
        const before = plan("s", [resource(DB, "hits-us-east-pg-cluster", { engine: "pg", region: "nyc3" })]);
        const diff = diffPlans(before, plan("s", []));

        assert.equal(diff.warnings[0].reason, "the managed Postgres cluster is deleted, and its data and backups with it");
    });
});
