import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const ROOT = path.join(__dirname, "..", "..");

/** Lints `code` as if it lived at `file` (which need not exist), with the repository's config. */
async function lint(file: string, code: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: ROOT });
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("layers", () => {
    const cases: [string, string, RegExp][] = [
        ["components/core/probe.ts", 'import * as digitalocean from "@pulumi/digitalocean";\nexport const x = digitalocean;\n', /no provider SDK/],
        ["components/core/probe.ts", 'import * as k8s from "@pulumi/kubernetes";\nexport const x = k8s;\n', /no provider SDK/],
        ["components/core/probe.ts", 'import { parseStackSpec } from "../config/load";\nexport const x = parseStackSpec;\n', /never the stack configuration/],
        ["components/render/probe.ts", 'import * as docker from "@pulumi/docker";\nexport const x = docker;\n', /no Pulumi SDK/],
        ["components/render/probe.ts", 'import * as pulumi from "@pulumi/pulumi";\nexport const x = pulumi;\n', /no Pulumi SDK/],
        ["components/render/probe.ts", 'import { AppFleet } from "../digitalocean/appFleet";\nexport const x = AppFleet;\n', /below every platform/],
    ];
    for (const [file, code, message] of cases) {
        it(`rejects in ${path.dirname(file)}: ${code.split("\n")[0]}`, async () => {
            const messages = await lint(file, code);
            assert.ok(messages.some((m) => m.startsWith("no-restricted-imports") && message.test(m)), messages.join("\n") || "no lint error");
        });
    }

    it("lets core/ use Pulumi's own SDK and platforms use their provider", async () => {
        assert.deepEqual(await lint("components/core/probe.ts", 'import * as pulumi from "@pulumi/pulumi";\nexport const x = pulumi;\n'), []);
        assert.deepEqual(await lint("components/digitalocean/probe.ts", 'import * as digitalocean from "@pulumi/digitalocean";\nexport const x = digitalocean;\n'), []);
    });
});
