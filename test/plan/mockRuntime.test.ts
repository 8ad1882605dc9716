import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../tools/mockRuntime";
import { CODE_PATHS_EXPORTS } from "../../tools/deferredModules";
import { planScript } from "../helpers/planScript";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(__dirname, "fixtures");

/** Runs node with the plan's options, reporting at exit which deferred modules were loaded. */
function withPlanOptions(args: string[]): { status: number | null; stdout: string; stderr: string; loaded: unknown } {
    const run = spawnSync(process.execPath, [...planScript().options, "--require", path.join(FIXTURES, "deferredModulesLoaded.ts"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, HORIZON_REPORT_DEFERRED_MODULES: "1" },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, loaded: JSON.parse(run.stderr.trim().split("\n").pop() ?? "null") };
}

/** Runs one case of fixtures/mockRuntimeProcess.ts in a fresh process. */
function child(kind: string): { code: number | null; result: Record<string, unknown> | undefined; stderr: string } {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(FIXTURES, "mockRuntimeProcess.ts"), kind], { encoding: "utf8", timeout: 120_000 });
    const last = run.stdout.trim().split("\n").pop() ?? "";
    return { code: run.status, result: last === "" ? undefined : (JSON.parse(last) as Record<string, unknown>), stderr: run.stderr };
}

class Thing extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs) {
        super("test:index:Thing", name, props);
    }
}

/** How many promises @pulumi/pulumi holds in the set of pending ones it reports at exit. */
function promisesPulumiTracks(): number {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Pulumi's runtime state, read where Pulumi keeps it
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<unknown> } };
    return state.getStore().leakCandidates.size;
}

/** The promises Pulumi tracks right after the program creates a resource. */
async function trackedWhileRegistering(trackPromises: boolean | undefined): Promise<number> {
    let tracked = -1;
    await runUnderMocks(
        () => {
            new Thing("thing", { size: 1 });
            tracked = promisesPulumiTracks();
            return {};
        },
        trackPromises === undefined ? {} : { trackPromises },
    );
    return tracked;
}

describe("mock runtime", () => {
    it("npm run plan loads neither TypeScript nor npm's Arborist, which only serializing a function needs, nor zod's locales", () => {
        const run = withPlanOptions([planScript().script, "--stack", "production", "--json"]);
        assert.equal(run.status, 0, run.stderr);
        assert.ok((JSON.parse(run.stdout) as { resources: unknown[] }).resources.length > 10);
        assert.deepEqual(run.loaded, { typescript: false, arborist: false, zodLocales: false });
    });

    it("nor does planStack in a program that loads tools/plan/run first", () => {
        const run = withPlanOptions(["--eval", `require(${JSON.stringify(path.join(ROOT, "tools", "plan", "run.ts"))}).planStack("production")`]);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.loaded, { typescript: false, arborist: false, zodLocales: false });
    });

    it("serializing a function still works: TypeScript and Arborist load when first needed", () => {
        const run = child("serialize");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.result?.before, { typescript: false, arborist: false, zodLocales: false });
        assert.deepEqual(run.result?.afterSerializing, { typescript: true, arborist: false, zodLocales: false });
        assert.match(String(run.result?.provider), /return async\(\)=>\(\{id:"marker-serialized-provider"/);
        assert.deepEqual(run.result?.afterCodePaths, { typescript: true, arborist: true, zodLocales: false });
        assert.ok((run.result?.codePaths as string[]).includes("node_modules/js-yaml"));
        assert.deepEqual(run.result?.codePathsExports, [...CODE_PATHS_EXPORTS]);
    });

    it("zod works as before with its locales deferred, loading them when z.locales is read", () => {
        const run = child("zod-locales");
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.result?.before, { typescript: false, arborist: false, zodLocales: false });
        assert.deepEqual(run.result?.afterParse, { typescript: false, arborist: false, zodLocales: false });
        assert.equal(run.result?.english, "Invalid input: expected string, received number");
        assert.match(String(run.result?.french), /^Entrée invalide/);
        assert.ok((run.result?.locales as number) > 40, `only ${String(run.result?.locales)} locales`);
        assert.deepEqual(run.result?.after, { typescript: false, arborist: false, zodLocales: true });
    });

    it("trackPromises: false leaves Pulumi no record of pending promises while the program runs, and restores it after", async () => {
        assert.equal(await trackedWhileRegistering(false), 0);
        assert.ok((await trackedWhileRegistering(undefined)) > 0);
        assert.ok((await trackedWhileRegistering(true)) > 0);
    });

    it("trackPromises: false fails a program that never finishes, naming the resources still waiting", () => {
        const run = child("stall");
        assert.equal(run.code, 1);
        assert.equal(run.result, undefined);
        assert.equal(
            run.stderr.trim(),
            "the program never finished: resource never registered (stuck): an input waits on an Output or promise that never settles, or resources wait on each other",
        );
    });
});
