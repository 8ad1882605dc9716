import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs, stackOfUrn } from "../../policy/pack";
import { RULES, TYPES } from "../../policy/rules";
import { parseWaivers } from "../../policy/waivers";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const grpc = require("@grpc/grpc-js");
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");
/** How Pulumi's secret and unknown values arrive on the wire (`@pulumi/pulumi/runtime/rpc`). */
const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::horizon::${type}::${name}`;

describe("policy/index.ts builds a PolicyPack whose policies are exactly the rules", () => {
    it("one policy per rule: same name, level and fix; resource rules validate resources, stack rules validate the stack", () => {
        const { policies } = policyPackArgs(new Map());
        assert.deepEqual(
            policies.map((p) => [p.name, p.enforcementLevel, p.remediationSteps, "validateStack" in p ? "stack" : "resource"]),
            RULES.map((r) => [r.id, r.level, r.fix, r.scope]),
        );
    });

    it("reads the stack from a resource's URN", () => {
        assert.equal(stackOfUrn(urn("pr-42", TYPES.droplet, "web-0")), "pr-42");
        assert.throws(() => stackOfUrn("web-0"), /not a Pulumi URN: web-0/);
    });

    it("honours waivers for the stack the resource belongs to", () => {
        const waivers = parseWaivers({ staging: { "docker-container-isolation": "a load-test rig that needs the host's network" } }, "test");
        const policy = policyPackArgs(waivers).policies.find((p) => p.name === "docker-container-isolation") as ResourceValidationPolicy;
        const messages = (stack: string) => {
            const found: string[] = [];
            const report: ReportViolation = (message: string) => found.push(message);
            const validate = policy.validateResource as (args: any, report: ReportViolation) => void;
            validate(
                { type: TYPES.dockerContainer, name: "web", urn: urn(stack, TYPES.dockerContainer, "web"), props: { networkMode: "host" }, opts: { protect: false } },
                report,
            );
            return found;
        };
        assert.deepEqual(messages("staging"), []);
        assert.deepEqual(messages("production"), [
            "uses the host's network (networkMode host). Fix: Remove `privileged` and `networkMode: host` (horizon's Docker platform puts containers on their own bridge network).",
        ]);
        assert.ok((policyPackArgs(waivers).policies.find((p) => p.name === "droplet-firewall-coverage") as StackValidationPolicy).validateStack);
    });
});

/**
 * The pack served for real, started the way the Pulumi CLI's Node.js language host starts a
 * policy pack (`run-policy-pack <engine> <dir>` in the pack's directory, TypeScript compiled
 * and type-checked by Pulumi's ts-node), then called over gRPC as the engine calls it.
 */
describe("the policy pack served as the Pulumi engine runs it", () => {
    let child: ChildProcess;
    let client: any;

    before(async () => {
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
        child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr?.on("data", (chunk) => (stderr += chunk));
        const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the pack printed no port in 90 s: ${stderr}`)), 90_000);
            child.stdout?.once("data", (chunk) => {
                clearTimeout(timer);
                resolve(String(chunk).trim());
            });
            child.once("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
        });
        assert.match(port, /^\d+$/);
        client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    const call = <T>(method: string, request: unknown): Promise<T> =>
        new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

    function options(protect = false) {
        const opts = new pb.AnalyzerResourceOptions();
        opts.setProtect(protect);
        return opts;
    }

    /** @pulumi/policy puts the policy's description before the violation's message. */
    const messageOf = (d: any) => {
        const [description, message] = d.getMessage().split("\n");
        assert.equal(description, d.getDescription());
        return message;
    };

    async function analyze(stack: string, type: string, name: string, props: Record<string, unknown>) {
        const req = new pb.AnalyzeRequest();
        req.setType(type);
        req.setName(name);
        req.setUrn(urn(stack, type, name));
        req.setProperties(Struct.fromJavaScript(props));
        req.setOptions(options());
        const res = await call<any>("analyze", req);
        return res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()} ${d.getEnforcementlevel() === 1 ? "mandatory" : "advisory"}: ${messageOf(d)}`);
    }

    interface StackResource {
        type: string;
        name: string;
        props: Record<string, unknown>;
        protect?: boolean;
        refs?: Record<string, string[]>;
    }

    async function analyzeStack(stack: string, resources: StackResource[]) {
        const req = new pb.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const resource = new pb.AnalyzerResource();
                resource.setType(r.type);
                resource.setName(r.name);
                resource.setUrn(urn(stack, r.type, r.name));
                resource.setProperties(Struct.fromJavaScript(r.props));
                resource.setOptions(options(r.protect));
                for (const [key, names] of Object.entries(r.refs ?? {})) {
                    const deps = new pb.AnalyzerPropertyDependencies();
                    deps.setUrnsList(names.map((n) => urn(stack, resources.find((o) => o.name === n)?.type ?? "", n)));
                    resource.getPropertydependenciesMap().set(key, deps);
                }
                return resource;
            }),
        );
        const res = await call<any>("analyzeStack", req);
        return res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()} ${d.getUrn().split("::").pop()}`);
    }

    it("describes itself with one policy per rule", async () => {
        const info = await call<any>("getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), PACK_NAME);
        assert.deepEqual(
            info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel() === 1 ? "mandatory" : "advisory"]),
            RULES.map((r) => [r.id, r.level]),
        );
    });

    it("flags a droplet outside a VPC, and counts a VPC id a preview cannot know yet as set", async () => {
        const droplet = { image: "ubuntu-24-04-x64", region: "nyc3", size: "s-1vcpu-1gb", tags: ["web"] };
        const [found] = await analyze("dev", TYPES.droplet, "web-0", droplet);
        assert.match(found, /^droplet-in-vpc mandatory: `vpcUuid` is not set: the droplet is outside any VPC\. Fix: /);
        assert.deepEqual(await analyze("dev", TYPES.droplet, "web-0", { ...droplet, vpcUuid: UNKNOWN_STRING }), []);
    });

    it("sees a secret input as a secret: a plain credential fails, the same value as a secret passes", async () => {
        const envs = ["DATABASE_URL=postgresql://app:hunter2@postgres:5432/app"];
        const plain = await analyze("dev", TYPES.dockerContainer, "web", { image: "horizon/hits:dev", envs });
        assert.deepEqual(
            plain.map((d: string) => d.split(". Fix:")[0]),
            ["no-plaintext-credentials mandatory: envs[0]: DATABASE_URL is a URL with a password in plain text"],
        );
        assert.deepEqual(await analyze("dev", TYPES.dockerContainer, "web", { image: "horizon/hits:dev", envs: secret(envs) }), []);
    });

    it("runs stack rules over the whole stack: firewall coverage by tag, database firewalls by property dependency", async () => {
        const resources: StackResource[] = [
            { type: TYPES.droplet, name: "web-0", props: { vpcUuid: "vpc-1", tags: ["web"], sshKeys: [] } },
            { type: TYPES.droplet, name: "web-1", props: { vpcUuid: "vpc-1", tags: ["other"], sshKeys: [] } },
            { type: TYPES.firewall, name: "fw", props: { tags: ["web"], inboundRules: [] } },
            { type: TYPES.databaseCluster, name: "pg", props: { privateNetworkUuid: "vpc-1" } },
            { type: TYPES.databaseCluster, name: "cache", props: { privateNetworkUuid: "vpc-1" } },
            { type: TYPES.databaseFirewall, name: "pg-fw", props: { clusterId: "pg-id", rules: [{ type: "tag", value: "web" }] }, refs: { clusterId: ["pg"] } },
        ];
        assert.deepEqual((await analyzeStack("dev", resources)).sort(), ["database-firewall cache", "droplet-firewall-coverage web-1"]);
    });
});
