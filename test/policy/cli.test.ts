import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = path.join(__dirname, "..", "..");

function plan(args: string[]) {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "plan", "main.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run plan -- --policy", () => {
    let dir: string;
    let advisoryDir: string;

    before(() => {
        // Production with SSH open to an admin network but no SSH keys: a mandatory violation per droplet.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-policy-"));
        const production = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.production.yaml"), "utf8");
        const sshOpen = production.replace("horizon:adminCidrs: []", 'horizon:adminCidrs: ["203.0.113.0/24"]');
        assert.notEqual(sshOpen, production);
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), sshOpen);
        // Production with a single replica: an availability advisory, nothing mandatory.
        const single = production.replace("      replicas: 3\n", "      replicas: 1\n");
        assert.notEqual(single, production);
        advisoryDir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-policy-advisory-"));
        fs.writeFileSync(path.join(advisoryDir, "Pulumi.production.yaml"), single);
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(advisoryDir, { recursive: true, force: true });
    });

    it("exits 0 on the shipped production stack, which breaks no rule", () => {
        const run = plan(["--stack", "production", "--policy"]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Policy for production \(production\): 0 mandatory, 0 advisory$/m);
    });

    it("exits 0 on advisory violations and prints them grouped by resource", () => {
        const run = plan(["--stack", "production", "--policy", "--dir", advisoryDir]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Policy for production \(production\): 0 mandatory, 1 advisory$/m);
        assert.match(run.stdout, /advisory {2}production-replicas: /);
    });

    it("exits 1 when a mandatory rule is broken, naming the rule, the resource and the fix", () => {
        const run = plan(["--stack", "production", "--policy", "--dir", dir]);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stdout, /^Policy for production \(production\): 3 mandatory, 0 advisory$/m);
        assert.match(run.stdout, /^ {2}Droplet hits-us-east-fleet-droplet-0\n {4}mandatory droplet-ssh-keys: no SSH keys, yet firewall hits-us-east-fleet-fw admits SSH \(tcp 22\)\n {14}fix: List SSH key/m);
    });

    it("without --policy the same stack exits 0: the check is opt-in", () => {
        assert.equal(plan(["--stack", "production", "--dir", dir]).code, 0);
    });

    it("--all --policy covers every stack, and --format markdown lists the violations in a table", () => {
        const run = plan(["--all", "--policy", "--format", "markdown"]);
        assert.equal(run.code, 0, run.stderr);
        for (const stack of ["ap-southeast", "eu-west", "local", "production", "staging", "us-east"]) {
            assert.match(run.stdout, new RegExp(`^#### Policy for \`${stack}\`: 0 mandatory`, "m"));
        }
        assert.match(run.stdout, /^#### Policy for `staging`: 0 mandatory, 0 advisory/m);
    });

    it("--json adds the policy report to the plan", () => {
        const run = plan(["--stack", "production", "--policy", "--json", "--dir", dir]);
        assert.equal(run.code, 1, run.stderr);
        const parsed = JSON.parse(run.stdout) as { policy: { violations: { ruleId: string; level: string }[] } };
        assert.ok(parsed.policy.violations.some((v) => v.ruleId === "droplet-ssh-keys" && v.level === "mandatory"));
    });
});
