import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadWaivers, parseWaivers, WaiverError } from "../../policy/waivers";
import { checkPlan } from "../../tools/plan/policy";
import { planStack } from "../../tools/plan/run";

describe("policy waivers", () => {
    it("turn a rule off for the named stack only, keeping the violation and its reason in the report", async () => {
        // The shipped stacks keep data egress private; opening it gives the rule something to waive.
        const waivers = parseWaivers({ production: { "firewall-restricted-egress": "the registry sits on a public address" } }, "test");
        const openEgress = (plan: Awaited<ReturnType<typeof planStack>>["plan"]) => ({
            ...plan,
            resources: plan.resources.map((r) =>
                r.type === "digitalocean:index/firewall:Firewall"
                    ? { ...r, inputs: { ...r.inputs, outboundRules: [{ protocol: "tcp", portRange: "5432", destinationAddresses: ["0.0.0.0/0", "::/0"] }] } }
                    : r,
            ),
        });
        const production = checkPlan(openEgress((await planStack("production")).plan), waivers);
        assert.deepEqual(production.violations.filter((v) => v.ruleId === "firewall-restricted-egress"), []);
        assert.ok(production.waived.length > 0);
        assert.ok(production.waived.every((v) => v.ruleId === "firewall-restricted-egress" && v.reason.startsWith("the registry")));
        const staging = checkPlan(openEgress((await planStack("staging")).plan), waivers);
        assert.ok(staging.violations.some((v) => v.ruleId === "firewall-restricted-egress"));
        assert.deepEqual(staging.waived, []);
    });

    it("a waiver without a reason is an error naming the stack and the rule", () => {
        for (const reason of [null, "", "   ", 3]) {
            assert.throws(
                () => parseWaivers({ staging: { "production-replicas": reason } }, "policy/waivers.yaml"),
                (err: unknown) =>
                    err instanceof WaiverError &&
                    err.message.startsWith(`policy/waivers.yaml: staging.production-replicas: the reason is ${JSON.stringify(reason)};`),
            );
        }
    });

    it("an unknown rule id is an error listing the rules, and every problem is reported at once", () => {
        assert.throws(
            () => parseWaivers({ staging: { "no-such-rule": "why", "production-replicas": "" } }, "w.yaml"),
            (err: unknown) =>
                err instanceof WaiverError &&
                /staging\.no-such-rule: "no-such-rule" is not a rule \(rules: droplet-ssh-keys, /.test(err.message) &&
                /staging\.production-replicas: the reason is ""/.test(err.message),
        );
    });

    it("the shipped waivers file parses, and a missing file means no waivers", () => {
        assert.ok(loadWaivers(path.join(__dirname, "..", "..", "policy", "waivers.yaml")) instanceof Map);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-waivers-"));
        try {
            assert.equal(loadWaivers(path.join(dir, "none.yaml")).size, 0);
            fs.writeFileSync(path.join(dir, "bad.yaml"), "staging: [\n");
            assert.throws(() => loadWaivers(path.join(dir, "bad.yaml")), /bad\.yaml: not valid YAML/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
