import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

/**
 * The stacks tool run for real against a recording fake `pulumi` (test/stacks/fake-pulumi/pulumi)
 * first on PATH: the Automation API issues its commands to it, and the recorded sequence is
 * compared with the checked-in contract in test/stacks/contract/. The contract is what the tool
 * asks of the Pulumi CLI; whether the real CLI and a cloud answer as the fake does needs the
 * CLI and an account (docs/pull-requests.md).
 */

const ROOT = path.join(__dirname, "..", "..");
const FAKE_BIN = path.join(__dirname, "fake-pulumi");
const CONTRACT_DIR = path.join(__dirname, "contract");

type ConfigMap = Record<string, { value: string; secret: boolean }>;
interface FakeStack {
    config: ConfigMap;
    tags: Record<string, string>;
    resources: { urn: string; type?: string; protect?: boolean }[];
    outputs: Record<string, unknown>;
    lastUpdate?: string;
    destroyFailures?: number;
    upOutputs?: Record<string, unknown>;
}

/** The staging stack file's configuration, as `pulumi config --json --show-secrets` lists it, plus a secret. */
const STAGING: ConfigMap = {
    "horizon:platform": { value: "droplets", secret: false },
    "horizon:app": { value: JSON.stringify({ name: "hits", image: "ghcr.io/acme/hits:1.4.2", port: 8080, env: { LOG_LEVEL: "debug" }, secretEnv: { API_KEY: "staging-api-key" }, minReadySeconds: 5 }), secret: true },
    "horizon:regions": { value: JSON.stringify([{ name: "staging", region: "nyc3", replicas: 2, size: "s-1vcpu-1gb", domains: ["staging.example.com"] }]), secret: false },
    "horizon:database": { value: JSON.stringify({ mode: "container" }), secret: false },
    "horizon:cache": { value: JSON.stringify({ mode: "container" }), secret: false },
    "horizon:protect": { value: "false", secret: false },
};

const reviewTags = (pr: number, expires: string) => ({ "horizon:review": "true", "horizon:pr": String(pr), "horizon:expires": expires });
const stackResource = (stack: string) => ({ urn: `urn:pulumi:${stack}::horizon::pulumi:pulumi:Stack::horizon-${stack}`, type: "pulumi:pulumi:Stack" });

function emptyStack(extra: Partial<FakeStack> = {}): FakeStack {
    return { config: {}, tags: {}, resources: [], outputs: {}, ...extra };
}

function run(args: string[], stacks: Record<string, FakeStack>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-stacks-"));
    const log = path.join(dir, "log");
    const statePath = path.join(dir, "state.json");
    fs.writeFileSync(log, "");
    fs.writeFileSync(statePath, JSON.stringify({ stacks }));
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "stacks", "main.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH}`, FAKE_PULUMI_LOG: log, FAKE_PULUMI_STATE: statePath, HORIZON_STACKS_RETRY_WAIT_SECONDS: "0" },
    });
    const commands = fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as string[]);
    const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { stacks: Record<string, FakeStack> };
    return { ...result, commands, state: state.stacks, dir };
}

/** One command per line, shell-quoted where needed; review-expiry times (which depend on the clock) as <expires>. */
function contractText(commands: string[][]): string {
    const quote = (arg: string) => (/^[\w:./=@,{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);
    return commands.map((argv) => ["pulumi", ...argv].map(quote).join(" ").replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, "<expires>")).join("\n") + "\n";
}

function matchContract(name: string, commands: string[][]) {
    const file = path.join(CONTRACT_DIR, `${name}.txt`);
    const actual = contractText(commands);
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.writeFileSync(file, actual);
        return;
    }
    assert.ok(fs.existsSync(file), `contract ${path.relative(ROOT, file)} is missing; run with UPDATE_SNAPSHOTS=1 to record it`);
    assert.equal(actual, fs.readFileSync(file, "utf8"), `the commands differ from contract ${name}; run with UPDATE_SNAPSHOTS=1 if the change is intended`);
}

describe("stacks review against a recording pulumi", () => {
    it("creates pr-7 from staging's config with the overrides, tags it, runs up and writes the comment", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-comment-"));
        const commentFile = path.join(dir, "comment.md");
        const before = Date.now();
        const result = run(["review", "7", "--domain-template", "pr-{pr}.staging.example.com", "--ttl", "48h", "--comment-file", commentFile], { staging: emptyStack({ config: STAGING }) });
        assert.equal(result.status, 0, result.stderr);
        matchContract("review-create", result.commands);

        const pr = result.state["pr-7"];
        assert.equal(pr.config["horizon:app"].secret, true, "the secret stays secret (set with --secret)");
        assert.equal(JSON.parse(pr.config["horizon:app"].value).secretEnv.API_KEY, "staging-api-key");
        assert.deepEqual(JSON.parse(pr.config["horizon:regions"].value), [{ name: "staging", region: "nyc3", replicas: 2, size: "s-1vcpu-512mb-10gb", domains: ["pr-7.staging.example.com"] }]);
        assert.equal(pr.config["horizon:protect"].value, "false");
        assert.deepEqual(JSON.parse(pr.config["horizon:tags"].value), ["horizon:pr:7"]);
        const expires = Date.parse(pr.tags["horizon:expires"]);
        assert.ok(expires >= before - 1000 + 48 * 3_600_000 && expires <= Date.now() + 48 * 3_600_000, pr.tags["horizon:expires"]);
        assert.deepEqual({ ...pr.tags, "horizon:expires": "" }, { "horizon:review": "true", "horizon:pr": "7", "horizon:expires": "" });

        assert.match(result.stdout, /Updating \(pr-7\)/, "up's progress is streamed");
        assert.match(result.stdout, /pr-7: http:\/\/203\.0\.113\.10\n/);
        const comment = fs.readFileSync(commentFile, "utf8");
        assert.match(comment, /\| URL \| <http:\/\/203\.0\.113\.10> \|/);
        assert.match(comment, /\| Cost \| \$\d+\.\d\d per day/);
        assert.ok(comment.includes(`| Expires | ${pr.tags["horizon:expires"]};`));
    });

    it("updates an existing pr-7: no init, stale keys removed, config and tags set again", () => {
        const existing = emptyStack({
            config: { ...STAGING, "horizon:sshKeys": { value: '["1"]', secret: false } },
            tags: reviewTags(7, "2026-12-01T00:00:00Z"),
            resources: [stackResource("pr-7")],
        });
        const result = run(["review", "7"], { staging: emptyStack({ config: STAGING }), "pr-7": existing });
        assert.equal(result.status, 0, result.stderr);
        matchContract("review-update", result.commands);
        assert.equal(result.state["pr-7"].config["horizon:sshKeys"], undefined);
        assert.equal("domains" in JSON.parse(result.state["pr-7"].config["horizon:regions"].value)[0], false, "no template: the base's domain is dropped");
    });

    it("stops before creating anything when the derived config is invalid", () => {
        const bad = { ...STAGING, "horizon:app": { value: JSON.stringify({ name: "Hits!", image: "ghcr.io/acme/hits:1" }), secret: false } };
        const result = run(["review", "7"], { staging: emptyStack({ config: bad }) });
        assert.equal(result.status, 1);
        assert.match(result.stderr, /horizon:app\.name: bad format \(got "Hits!"/);
        assert.match(result.stderr, /Fix stacks\/Pulumi\.staging\.yaml/);
        assert.deepEqual(result.commands.map((c) => c[0]), ["version", "config"], "only the base's config was read");
        assert.equal(result.state["pr-7"], undefined);
    });
});

describe("stacks destroy against a recording pulumi", () => {
    it("destroys and removes a review stack, retrying a transient VPC error", () => {
        const stack = emptyStack({ tags: reviewTags(7, "2026-12-01T00:00:00Z"), resources: [stackResource("pr-7")], destroyFailures: 1 });
        const result = run(["destroy", "pr-7"], { "pr-7": stack });
        assert.equal(result.status, 0, result.stderr);
        matchContract("destroy", result.commands);
        assert.equal(result.state["pr-7"], undefined);
        assert.match(result.stdout, /destroy attempt 1 of 3 hit an error DigitalOcean clears by itself/);
    });

    it("gives up after three attempts and keeps the stack", () => {
        const stack = emptyStack({ tags: reviewTags(7, "2026-12-01T00:00:00Z"), destroyFailures: 5 });
        const result = run(["destroy", "pr-7"], { "pr-7": stack });
        assert.equal(result.status, 1);
        assert.equal(result.commands.filter((c) => c[0] === "destroy").length, 3);
        assert.ok(result.state["pr-7"]);
        assert.match(result.stderr, /^error: .*Can not delete VPC with members/ms);
    });

    it("refuses a stack with protected resources without destroying anything", () => {
        const stack = emptyStack({ tags: reviewTags(7, "2026-12-01T00:00:00Z"), resources: [{ urn: "urn:pulumi:pr-7::horizon::digitalocean:index/vpc:Vpc::hits-vpc", protect: true }] });
        const result = run(["destroy", "pr-7"], { "pr-7": stack });
        assert.equal(result.status, 1);
        assert.equal(result.stderr, "error: refusing to destroy: stack pr-7 holds 1 protected resource(s) (hits-vpc); unprotect them (pulumi state unprotect) and add --force to destroy it\n");
        matchContract("destroy-refused", result.commands);
    });

    it("refuses a stack that is not a review stack unless forced", () => {
        const refused = run(["destroy", "staging"], { staging: emptyStack({ config: STAGING }) });
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, /^error: refusing to destroy: stack staging is not a review stack/);
        assert.ok(!refused.commands.some((c) => c[0] === "destroy"));
        const forced = run(["destroy", "staging", "--force"], { staging: emptyStack({ config: STAGING }) });
        assert.equal(forced.status, 0, forced.stderr);
        assert.equal(forced.state.staging, undefined);
    });
});

describe("stacks gc against a recording pulumi", () => {
    const stacks = () => ({
        staging: emptyStack({ config: STAGING }),
        "pr-1": emptyStack({ tags: reviewTags(1, "2020-01-01T00:00:00Z") }),
        "pr-2": emptyStack({ tags: reviewTags(2, "2999-01-01T00:00:00Z") }),
        "pr-3": emptyStack({ tags: reviewTags(3, "2999-01-01T00:00:00Z") }),
        "pr-4": emptyStack({ tags: { "horizon:review": "true" }, lastUpdate: "2020-01-01T00:00:00.000Z" }),
        "pr-5": emptyStack({ tags: {} }),
    });

    it("lists what it would collect and touches nothing on --dry-run", () => {
        const result = run(["gc", "--ttl", "72h", "--closed", "3", "--dry-run"], stacks());
        assert.equal(result.status, 0, result.stderr);
        assert.equal(
            result.stdout,
            [
                "pr-1: expired at 2020-01-01T00:00:00Z (dry run: kept)",
                "pr-3: pull request #3 is closed (dry run: kept)",
                "pr-4: no horizon:expires tag and last updated 2020-01-01T00:00:00Z, longer ago than the ttl (dry run: kept)",
                "",
            ].join("\n"),
        );
        assert.ok(!result.commands.some((c) => c[0] === "destroy" || c[1] === "rm"));
        matchContract("gc-dry-run", result.commands);
    });

    it("destroys and removes expired, closed and stale review stacks only", () => {
        const result = run(["gc", "--ttl", "72h", "--closed", "3"], stacks());
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(Object.keys(result.state).sort(), ["pr-2", "pr-5", "staging"]);
        matchContract("gc", result.commands);
    });
});

describe("stacks command line", () => {
    const cases: [string[], string][] = [
        [[], "error: usage: npm run stacks -- review <pr>"],
        [["deploy"], 'error: unknown command "deploy"'],
        [["review"], "error: review takes 1 argument, got 0"],
        [["review", "x7"], 'error: pull request: "x7" is not a pull request number'],
        [["review", "7", "--ttl", "2w"], 'error: --ttl: "2w" is not a duration'],
        [["review", "7", "--from", "a b"], 'error: --from: "a b" is not a stack name'],
        [["review", "7", "--domain-template", "example.com"], 'error: --domain-template: "example.com" has no {pr}'],
        [["review", "7", "--colour"], "error: review: Unknown option '--colour'"],
        [["destroy"], "error: destroy takes 1 argument, got 0"],
        [["destroy", "pr-1", "pr-2"], "error: destroy takes 1 argument, got 2"],
        [["gc"], "error: gc: --ttl is required"],
        [["gc", "--ttl", "72h", "--closed", "1,two"], 'error: --closed: "two" is not a pull request number'],
        [["gc", "--ttl"], "error: gc: Option '--ttl <value>' argument missing"],
    ];
    for (const [args, start] of cases) {
        it(`exits 2 with one line for: ${args.join(" ") || "(nothing)"}`, () => {
            const result = run(args, {});
            assert.equal(result.status, 2, result.stderr);
            assert.ok(result.stderr.startsWith(start), result.stderr);
            assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
            assert.deepEqual(result.commands, [], "a usage error runs no pulumi command");
        });
    }
});
