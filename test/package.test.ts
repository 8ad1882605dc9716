import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

/**
 * The library as a user gets it: `npm pack`, installed into a new Pulumi TypeScript project,
 * type-checked by the user's `tsc` (no skipLibCheck), run with plain `node` on the compiled
 * output and through ts-node the way `pulumi up` loads a TypeScript program.
 */

const ROOT = path.join(__dirname, "..");
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    devDependencies: Record<string, string>;
};

/** tsconfig.json of Pulumi's `typescript` template (pulumi/templates). */
const TEMPLATE_TSCONFIG = {
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module: "commonjs",
        moduleResolution: "node",
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
};

/** A user's program: the whole service from a spec, plus two standalone components. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { WebService } from "${rootPackage.name}";
import { LoadBalancer, Network } from "${rootPackage.name}/digitalocean";

const shop = new WebService("shop", {
    app: { name: "shop", image: "ghcr.io/acme/shop:1.0.0", env: { LOG_LEVEL: "info" } },
    regions: [{ name: "eu", region: "ams3", replicas: 2 }],
    database: { mode: "managed" },
});

const network = new Network("jobs-network", { region: "fra1" });
const balancer = new LoadBalancer("jobs-lb", {
    region: "fra1",
    vpcUuid: network.vpcId,
    dropletTag: "jobs",
    targetPort: 9000,
    healthCheck: { path: "/ready", protocol: "http", intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 3 },
});

export const urls: pulumi.Output<Record<string, string>> = shop.urls;
export const jobsUrl = balancer.url;
`;

/**
 * Runs a program under Pulumi's mocks and prints what it registered. With \`--ts\`, ts-node is
 * registered first exactly as \`pulumi up\` does for a TypeScript project (the typescript and
 * ts-node that @pulumi/pulumi resolves, the project's tsconfig.json, type checking on).
 */
const RUNNER = `const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const [program, mode] = process.argv.slice(2);
if (mode === "--ts") {
    const { typeScriptRequireStrings } = require("@pulumi/pulumi/tsutils");
    const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
    require(tsnodeRequire).register({ compiler: typescriptRequire, project: "tsconfig.json", skipProject: false, compilerOptions: {} });
}
const registered = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            registered.push(args.type + " " + args.name);
            const outputs = { ip: "203.0.113.10", ipv4Address: "198.51.100.10", ipv4AddressPrivate: "10.1.0.10", ipRange: "10.1.0.0/20", privateUri: "postgresql://u:p@db:25060/app" };
            return { id: args.name + "-id", state: { ...outputs, ...args.inputs } };
        },
        call() {
            throw new Error("no invoke expected");
        },
    },
    "consumer",
    "dev",
    false,
);
const exported = require(path.resolve(program));
pulumi.all([exported.urls, exported.jobsUrl]).apply(([urls, jobsUrl]) => {
    setTimeout(() => console.log(JSON.stringify({ urls, jobsUrl, registered: registered.sort() })), 200);
});
`;

function run(command: string, args: string[], cwd: string): string {
    try {
        return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`, { cause: err });
    }
}

describe("the npm package", () => {
    let workdir: string;
    let tarball: string;
    let files: string[];
    let consumer: string;

    before(() => {
        workdir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-package-"));
        const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", workdir], ROOT)) as { filename: string; files: { path: string }[] }[];
        tarball = path.join(workdir, packed.filename);
        files = packed.files.map((f) => f.path);

        consumer = path.join(workdir, "consumer");
        fs.mkdirSync(consumer);
        fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, main: "index.ts" }, null, 2));
        fs.writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify(TEMPLATE_TSCONFIG, null, 2));
        fs.writeFileSync(path.join(consumer, "index.ts"), PROGRAM);
        fs.writeFileSync(path.join(consumer, "run.js"), RUNNER);
        // The template's dependencies, at the versions this repository develops against.
        const dev = rootPackage.devDependencies;
        run(
            "npm",
            [
                "install",
                "--prefer-offline",
                "--no-audit",
                "--no-fund",
                tarball,
                `@pulumi/pulumi@${dev["@pulumi/pulumi"]}`,
                `@pulumi/digitalocean@${dev["@pulumi/digitalocean"]}`,
                `@pulumi/random@${dev["@pulumi/random"]}`,
                `typescript@${dev.typescript}`,
                `@types/node@${dev["@types/node"]}`,
            ],
            consumer,
        );
    });

    after(() => fs.rmSync(workdir, { recursive: true, force: true }));

    it("holds the compiled library with declarations and no tests, tools, stacks or sample app", () => {
        assert.ok(files.includes("dist/index.js") && files.includes("dist/index.d.ts"), files.join("\n"));
        assert.ok(files.includes("dist/digitalocean/index.js") && files.includes("dist/digitalocean/index.d.ts"));
        const outside = files.filter((f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f));
        assert.deepEqual(outside, []);
        assert.equal(files.filter((f) => /\.test\.|(^|\/)test\//.test(f)).length, 0);
        assert.equal(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).length, 0, "no TypeScript sources");
    });

    it("type-checks a program that composes WebService and standalone components, without skipLibCheck", () => {
        run(path.join(consumer, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "tsconfig.json"], consumer);
    });

    it("runs under Pulumi's mocks with plain node on the compiled output", () => {
        run(path.join(consumer, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], consumer);
        const result = JSON.parse(run("node", ["run.js", "bin/index.js"], consumer)) as { urls: Record<string, string>; jobsUrl: string; registered: string[] };
        assert.deepEqual(result.urls, { eu: "http://203.0.113.10" });
        assert.equal(result.jobsUrl, "http://203.0.113.10");
        for (const expected of [
            "horizon:service:WebService shop",
            "horizon:digitalocean:AppFleet shop-eu-fleet",
            "digitalocean:index/droplet:Droplet shop-eu-fleet-droplet-1",
            "digitalocean:index/databaseCluster:DatabaseCluster shop-eu-pg-cluster",
            "horizon:digitalocean:Network jobs-network",
            "digitalocean:index/loadBalancer:LoadBalancer jobs-lb-balancer",
        ]) {
            assert.ok(result.registered.includes(expected), `${expected} not in\n${result.registered.join("\n")}`);
        }
    });

    it("loads through ts-node the way pulumi up runs a TypeScript program", () => {
        const result = JSON.parse(run("node", ["run.js", "index.ts", "--ts"], consumer)) as { registered: string[] };
        assert.ok(result.registered.includes("horizon:digitalocean:LoadBalancer jobs-lb"), result.registered.join("\n"));
    });
});
