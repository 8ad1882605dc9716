import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { listStackFiles } from "../../components/config";
import { STACKS_DIR } from "../../tools/cli";
import { BAD_STACKS, BAD_STACKS_DIR, expectedMessage } from "./fixtures/badStacks";

const REPO_ROOT = path.join(__dirname, "..", "..");

interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** `npm run validate -- <args>`, run the way the script does, from the repository root. */
function validate(...args: string[]): Run {
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/validate.ts", ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    assert.equal(result.error, undefined);
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertNoStackTrace(run: Run): void {
    assert.doesNotMatch(run.stdout + run.stderr, /^\s+at /m);
}

const STACKS = listStackFiles(STACKS_DIR).map((f) => path.basename(f).replace(/^Pulumi\.|\.yaml$/g, ""));

describe("npm run validate", () => {
    it("passes every stack in stacks/ and prints ok per stack", () => {
        const run = validate();

        assert.equal(run.stderr, "");
        assert.equal(
            run.stdout,
            [...STACKS.map((s) => `ok    ${s} (stacks/Pulumi.${s}.yaml)`), `${STACKS.length} of ${STACKS.length} stack files valid`, ""].join("\n"),
        );
        assert.equal(run.status, 0);
    });

    it("passes one stack with --stack production", () => {
        const run = validate("--stack", "production");

        assert.equal(run.stderr, "");
        assert.equal(run.stdout, "ok    production (stacks/Pulumi.production.yaml)\n1 of 1 stack files valid\n");
        assert.equal(run.status, 0);
    });

    it("fails --dir with bad stacks, listing each file's problems without a stack trace", () => {
        const run = validate("--dir", path.relative(REPO_ROOT, BAD_STACKS_DIR));
        const inFileOrder = [...BAD_STACKS].sort((a, b) => (a.stack < b.stack ? -1 : 1));

        assert.equal(run.stderr, inFileOrder.map((badStack) => `FAIL  ${expectedMessage(badStack)}\n`).join(""));
        assert.equal(run.stdout, `0 of ${BAD_STACKS.length} stack files valid\n`);
        assertNoStackTrace(run);
        assert.equal(run.status, 1);
    });

    it("rejects an unknown --stack with one line naming the stacks there are (exit 2)", () => {
        const run = validate("--stack", "nope");

        assert.equal(run.stdout, "");
        assert.equal(run.stderr, `error: no stack "nope": stacks/Pulumi.nope.yaml does not exist (stacks: ${STACKS.join(", ")})\n`);
        assert.equal(run.status, 2);
    });

    it("rejects an unknown option with one line (exit 2)", () => {
        const run = validate("--stak", "production");

        assert.equal(run.stdout, "");
        assert.equal(run.stderr, "error: Unknown option '--stak'\n");
        assert.equal(run.status, 2);
    });
});
