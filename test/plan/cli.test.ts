import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack } from "../../tools/plan/run";

const ROOT = path.join(__dirname, "..", "..");

function plan(args: string[], cwd = ROOT) {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(cwd, "tools", "plan", "main.ts"), ...args], {
        cwd,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run plan", () => {
    it("prints the production summary with regions, health check and monthly cost", () => {
        const run = plan(["--stack", "production"]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^horizon plan: stack production/);
        assert.match(run.stdout, /region us-east \(nyc3\)/);
        assert.match(run.stdout, /replicas {7}3 x s-1vcpu-2gb, rolling in 3 health-gated waves/);
        assert.match(run.stdout, /health check {3}HTTP \/health on :8080 every 10 s/);
        assert.match(run.stdout, /monthly cost: \$\d+\.\d\d/);
        assert.match(run.stdout, /^protected: hits-us-east-cache-cluster, hits-us-east-network-vpc, hits-us-east-pg-cluster$/m);
    });

    it("--json lists the same resources the program registers, secrets redacted", async () => {
        const run = plan(["--stack", "production", "--json"]);
        assert.equal(run.code, 0, run.stderr);
        const parsed = JSON.parse(run.stdout) as { stack: string; resources: { type: string; name: string; inputs: Record<string, unknown> }[] };
        const direct = await planStack("production");
        assert.equal(parsed.stack, "production");
        assert.deepEqual(
            parsed.resources.map((r) => `${r.type} ${r.name}`),
            direct.plan.resources.map((r) => `${r.type} ${r.name}`),
        );
        const droplet = parsed.resources.find((r) => r.name === "hits-us-east-fleet-droplet-0");
        assert.equal(droplet?.inputs.userData, "[secret]");
    });

    it("--format mermaid prints only the diagram, titled with its stack", () => {
        const run = plan(["--stack", "staging", "--format", "mermaid"]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^---\ntitle: stack staging\n---\nflowchart LR\n/);
        assert.doesNotMatch(run.stdout, /^horizon plan|^resources:/m);
    });

    it("--all --format mermaid prints one titled document per stack and nothing else", () => {
        const run = plan(["--all", "--format", "mermaid"]);
        assert.equal(run.code, 0, run.stderr);
        const documents = run.stdout.trim().split(/\n\n(?=---\n)/);
        const stacks = fs.readdirSync(path.join(ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice("Pulumi.".length, -".yaml".length));
        assert.deepEqual(documents.map((d) => d.match(/^---\ntitle: stack (\S+)\n---\nflowchart LR\n/)?.[1]).sort(), stacks.sort());
        // Every line of a document is front matter, the flowchart header, a node, a subgraph or an edge.
        for (const line of documents.flatMap((d) => d.split("\n").slice(4))) {
            assert.match(line, /^( {4}| {8})(\w+\[|\w+\(|\w+ (-->|-\.->) \w+|subgraph |end$)/, line);
        }
    });

    it("a bad stack file exits 1 with the config error and no stack trace", () => {
        const run = plan(["--dir", "test/config/fixtures/bad", "--stack", "wrong-algorithm"]);
        assert.equal(run.code, 1);
        assert.equal(run.stdout, "");
        assert.match(run.stderr, /horizon:loadBalancer\.algorithm: not an allowed value \(got "least_conn"/);
        assert.doesNotMatch(run.stderr, /^\s+at /m);
    });

    it("a bad command line exits 2 with one line", () => {
        const run = plan(["--stack", "nope"]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^error: no stack "nope"/);
        assert.equal(plan([]).code, 2);
    });
});

describe("npm run plan -- --diff", () => {
    let clone: string;

    before(() => {
        // A throwaway clone where a commit changes the staging stack; the diff runs against its parent.
        clone = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-diff-"));
        const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, stdio: "pipe" });
        execFileSync("git", ["clone", "--quiet", ROOT, clone], { stdio: "pipe" });
        for (const dir of ["components", "tools", "index.ts", "stacks"]) {
            fs.cpSync(path.join(ROOT, dir), path.join(clone, dir), { recursive: true });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
        git("add", "--all", "--", "components", "tools", "index.ts", "stacks");
        git("-c", "user.email=plan@test", "-c", "user.name=plan", "commit", "--quiet", "--allow-empty", "-m", "base");
        const stackFile = path.join(clone, "stacks", "Pulumi.staging.yaml");
        fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace("replicas: 2", "replicas: 4"));
        git("-c", "user.email=plan@test", "-c", "user.name=plan", "commit", "--quiet", "-am", "more replicas");
    });

    after(() => fs.rmSync(clone, { recursive: true, force: true }));

    it("shows the change against a git ref and removes its worktree", () => {
        const run = plan(["--stack", "staging", "--diff", "HEAD~1"], clone);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /### Plan diff for `staging`/);
        assert.match(run.stdout, /hits-staging-fleet-droplet-2\.\.3/);
        const worktrees = execFileSync("git", ["worktree", "list"], { cwd: clone }).toString().trim().split("\n");
        assert.equal(worktrees.length, 1, "the temporary worktree is removed");
    });

    it("an unknown ref is a one-line usage error", () => {
        const run = plan(["--stack", "staging", "--diff", "no-such-ref"], clone);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^error: --diff no-such-ref: not a commit/);
    });
});
