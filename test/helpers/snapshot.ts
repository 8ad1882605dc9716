import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const SNAPSHOT_DIR = path.join(__dirname, "..", "__snapshots__");

/**
 * Compares `actual` with the stored snapshot `test/__snapshots__/<name>`.
 *
 * A missing snapshot fails the test (so CI never writes one silently). Run the tests with
 * `UPDATE_SNAPSHOTS=1` to write or refresh snapshots, then review the diff like code.
 */
export function matchSnapshot(name: string, actual: string): void {
    const file = path.join(SNAPSHOT_DIR, name);
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, actual);
        return;
    }
    if (!fs.existsSync(file)) {
        assert.fail(`snapshot ${path.relative(process.cwd(), file)} is missing; run with UPDATE_SNAPSHOTS=1 to create it`);
    }
    assert.equal(actual, fs.readFileSync(file, "utf8"), `snapshot ${name} differs; run with UPDATE_SNAPSHOTS=1 if the change is intended`);
}
