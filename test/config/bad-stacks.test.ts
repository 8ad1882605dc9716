import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, REDACTED, listStackFiles, parseStackSpec, readStackFile } from "../../components/config";
import { BAD_STACKS, BAD_STACKS_DIR, type BadStack, expectedMessage } from "./fixtures/badStacks";

function stackFilePath(stack: string): string {
    return path.join(BAD_STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** Reads and parses a stack file the way `pulumi up` and `npm run validate` do; returns the error. */
function configErrorFor(file: string): ConfigError {
    try {
        const stackFile = readStackFile(file);
        parseStackSpec(stackFile.config, stackFile);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err;
    }
    return assert.fail(`${path.basename(file)} parsed without error`);
}

describe("bad stack files", () => {
    it("has one table entry per fixture file", () => {
        const fixtures = listStackFiles(BAD_STACKS_DIR).map((f) => path.basename(f));
        const entries = BAD_STACKS.map((c) => path.basename(stackFilePath(c.stack))).sort();
        assert.deepEqual(fixtures, entries);
        assert.ok(entries.length >= 18, `only ${entries.length} bad stack files`);
    });

    for (const badStack of BAD_STACKS) {
        it(`${badStack.stack}: reports ${badStack.problems.length === 1 ? "its problem" : "every problem"} by key path`, () => {
            const err = configErrorFor(stackFilePath(badStack.stack));

            assert.equal(err.message, expectedMessage(badStack));
            assert.equal(err.problems.length, badStack.problems.length);
            for (const line of err.message.split("\n").slice(1, -1)) {
                // A file that is not YAML has no key path: its problem names the file instead.
                assert.match(line, /^ {2}(horizon:|Pulumi\.[a-z-]+\.yaml is not valid YAML)/);
            }
            assert.doesNotMatch(err.message, /^\s+at /m);
        });
    }

    const secretCases = BAD_STACKS.filter((c): c is BadStack & { hidden: readonly string[] } => c.hidden !== undefined);

    for (const { stack, hidden } of secretCases) {
        it(`${stack}: prints ${REDACTED} and never the values`, () => {
            const { message } = configErrorFor(stackFilePath(stack));

            assert.ok(message.includes(REDACTED), message);
            for (const value of hidden) {
                assert.ok(!message.includes(value), `message shows ${value}:\n${message}`);
            }
        });
    }

    it("marks a top-level key holding a secure value as secret and never passes the ciphertext on", () => {
        const stackFile = readStackFile(stackFilePath("secret-beside-wrong-type"));

        assert.deepEqual([...stackFile.secretKeys], ["app"]);
        assert.doesNotMatch(JSON.stringify(stackFile.config), /v1:abc/);
    });
});
