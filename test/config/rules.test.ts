import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles, parseStackSpec } from "../../components/config";

const APP = { name: "hits", image: "ghcr.io/acme/hits:1.4.2" };
const REGION = { name: "us-east", region: "nyc3" };

function warnings(config: Record<string, unknown>, secretKeys?: Set<string>): string[] {
    return parseStackSpec({ app: APP, regions: [REGION], ...config }, { stack: "test", ...(secretKeys ? { secretKeys } : {}) }).warnings;
}

describe("what the Pulumi CLI writes", () => {
    it("reads protect stored as text, as `pulumi config set protect true` stores it", () => {
        assert.equal(parseStackSpec({ app: APP, regions: [REGION], protect: "true" }).spec.protect, true);
        assert.equal(parseStackSpec({ app: APP, regions: [REGION], protect: "false" }).spec.protect, false);
    });

    it("lists stack files whose names contain dots", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-stacks-"));
        try {
            for (const name of ["Pulumi.acme.prod.yaml", "Pulumi.staging.yaml", "Pulumi.yaml", "notes.yaml"]) {
                fs.writeFileSync(path.join(dir, name), "config: {}\n");
            }
            assert.deepEqual(listStackFiles(dir).map((f) => path.basename(f)), ["Pulumi.acme.prod.yaml", "Pulumi.staging.yaml"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("warnings", () => {
    it("name a well-formed region slug horizon does not know, with a guess, but accept it", () => {
        const [warning] = parseStackSpec({ app: APP, regions: [{ name: "us-east", region: "nyc4" }] }, { stack: "test" }).warnings;
        assert.match(warning, /^horizon:regions\[0\]\.region: "nyc4" is not a region horizon knows \(.*\); did you mean "nyc1"\?$/);
        assert.deepEqual(warnings({}), []);
    });

    it("say a registry password sits in plain text unless the stack file encrypts it", () => {
        const registry = { server: "registry.digitalocean.com", username: "ci", password: "dop_v1_abc" };
        const config = { app: { ...APP, registry } };
        assert.ok(warnings(config, new Set()).some((w) => w.startsWith("horizon:app.registry.password is stored in plain text")));
        assert.ok(!warnings(config, new Set(["app"])).some((w) => w.includes("plain text")));
    });

    it("point out sticky sessions on top of source hashing", () => {
        const lb = { algorithm: "source", stickySessions: {} };
        assert.ok(warnings({ loadBalancer: lb }).some((w) => w.startsWith("horizon:loadBalancer.stickySessions with algorithm source")));
        assert.ok(!warnings({ loadBalancer: { algorithm: "least_connections", stickySessions: {} } }).some((w) => w.includes("stickySessions")));
    });

    it("point out an HAProxy block that nothing uses", () => {
        assert.ok(warnings({ loadBalancer: { haproxy: { nodes: 3 } } }).some((w) => w.startsWith("horizon:loadBalancer.haproxy is unused")));
        assert.ok(!warnings({ loadBalancer: { algorithm: "random", haproxy: { nodes: 3 } } }).some((w) => w.includes("unused")));
    });
});

describe("the droplet rollout gate's timing", () => {
    const accepts = (app: Record<string, unknown>, config: Record<string, unknown> = {}) => {
        try {
            parseStackSpec({ app: { ...APP, ...app }, regions: [REGION], ...config }, { stack: "test" });
            return true;
        } catch (error) {
            assert.match(String(error), /readyTimeoutSeconds: shorter than a gated wave can take/);
            return false;
        }
    };

    it("asks for a timeout that spans the load balancer's health samples only where the gate runs", () => {
        assert.equal(accepts({ readyTimeoutSeconds: 150 }), false);
        assert.equal(accepts({ readyTimeoutSeconds: 171 }), true);
        assert.equal(accepts({ readyTimeoutSeconds: 200, minReadySeconds: 121 }), false, "two sample intervals to span 121 s");
        assert.equal(accepts({ readyTimeoutSeconds: 51, minReadySeconds: 0 }), true, "one healthy sample suffices");
        assert.equal(accepts({ readyTimeoutSeconds: 150, gateRollouts: false }), true);
        assert.equal(accepts({ readyTimeoutSeconds: 150, deploymentStrategy: "replace" }), true);
        assert.equal(accepts({ readyTimeoutSeconds: 150 }, { loadBalancer: { algorithm: "least_connections" } }), true, "HAProxy's checks decide there");
    });
});
