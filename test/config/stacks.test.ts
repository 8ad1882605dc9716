import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import {
    DEFAULT_APP_PORT,
    DEFAULT_CACHE,
    DEFAULT_DATABASE,
    DEFAULT_DROPLET_SIZE,
    DEFAULT_HAPROXY,
    DEFAULT_HEALTH_CHECK,
    DEFAULT_LB_SIZE_UNIT,
    DEFAULT_MAX_SURGE,
    DEFAULT_MIN_READY_SECONDS,
    DEFAULT_READY_TIMEOUT_SECONDS,
    DEFAULT_REPLICAS,
    type StackSpec,
    type StackSpecInput,
    listStackFiles,
    parseStackSpec,
    readStackFile,
    PLATFORM_SCHEMAS,
} from "../../components/config";
import { STACKS_DIR } from "../../tools/cli";

const REPO_ROOT = path.join(__dirname, "..", "..");

/** The facts each stack file exists to state, in one comparable shape. */
interface KeyFacts {
    readonly platform: string;
    /** `name@region x replicas`, one per region. */
    readonly regions: readonly string[];
    /** Each region's REGION env value, or null when unset. */
    readonly regionEnv: readonly (string | null)[];
    /** `mode` or `mode/nodes` for managed databases. */
    readonly database: string;
    readonly cache: string;
    /** `none`, `redirect` or `no-redirect`. */
    readonly https: string;
    readonly protect: boolean;
}

function keyFacts(spec: StackSpec): KeyFacts {
    const https = spec.platform === "docker" ? undefined : spec.loadBalancer.https;
    return {
        platform: spec.platform,
        regions: spec.regions.map((r) => ("region" in r ? `${r.name}@${r.region} x${r.replicas}` : `${r.name} x${r.replicas}`)),
        regionEnv: spec.regions.map((r) => r.env.REGION ?? null),
        database: spec.database.mode === "managed" ? `managed/${spec.database.nodes}` : spec.database.mode,
        cache: spec.cache.mode,
        https: https === undefined ? "none" : https.redirectHttp ? "redirect" : "no-redirect",
        protect: spec.protect,
    };
}

const regionalUnit = (name: string, region: string, env: string): KeyFacts => ({
    platform: "droplets",
    regions: [`${name}@${region} x3`],
    regionEnv: [env],
    database: "managed/2",
    cache: "managed",
    https: "redirect",
    protect: true,
});

const EXPECTED: Record<string, KeyFacts> = {
    production: {
        platform: "droplets",
        regions: ["us-east@nyc3 x3"],
        regionEnv: ["us-east-1"],
        database: "managed/2",
        cache: "managed",
        https: "redirect",
        protect: true,
    },
    staging: {
        platform: "droplets",
        regions: ["staging@nyc3 x2"],
        regionEnv: [null],
        database: "container",
        cache: "container",
        https: "none",
        protect: false,
    },
    "us-east": regionalUnit("us-east", "nyc3", "us-east-1"),
    "eu-west": regionalUnit("eu-west", "ams3", "eu-west-1"),
    "ap-southeast": regionalUnit("ap-southeast", "sgp1", "ap-southeast-1"),
    global: {
        platform: "droplets",
        regions: ["us-east@nyc3 x3", "eu-west@ams3 x3", "ap-southeast@sgp1 x3"],
        regionEnv: ["us-east-1", "eu-west-1", "ap-southeast-1"],
        database: "managed/2",
        cache: "managed",
        https: "redirect",
        protect: true,
    },
    local: {
        platform: "docker",
        regions: ["local x3"],
        regionEnv: [null],
        database: "container",
        cache: "container",
        https: "none",
        protect: false,
    },
    k8s: {
        platform: "kubernetes",
        regions: ["k8s@nyc3 x3"],
        regionEnv: [null],
        database: "managed/2",
        cache: "managed",
        https: "redirect",
        protect: true,
    },
    "k8s-existing": {
        platform: "kubernetes",
        regions: ["existing@nyc3 x3"],
        regionEnv: [null],
        database: "container",
        cache: "container",
        https: "none",
        protect: false,
    },
};

function parseStack(stack: string) {
    const stackFile = readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`));
    return parseStackSpec(stackFile.config, stackFile);
}

interface ProjectFile {
    readonly stackConfigDir: string;
    readonly config: Record<string, { readonly type: string; readonly default: unknown }>;
}

function readProjectFile(): ProjectFile {
    const file = path.join(REPO_ROOT, "Pulumi.yaml");
    try {
        return yaml.load(fs.readFileSync(file, "utf8")) as ProjectFile;
    } catch (err) {
        return assert.fail(`Pulumi.yaml is not valid YAML, so Pulumi cannot load the project: ${(err as Error).message.split("\n")[0]}`);
    }
}

const MINIMAL: StackSpecInput = {
    app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2" },
    regions: [{ name: "us-east", region: "nyc3" }],
};

describe("stack files", () => {
    it("has a table entry for every stack file in stacks/", () => {
        const stacks = listStackFiles(STACKS_DIR).map((f) => readStackFile(f).stack);
        assert.deepEqual(stacks.sort(), Object.keys(EXPECTED).sort());
    });

    for (const [stack, facts] of Object.entries(EXPECTED)) {
        it(`${stack}: parses without warnings and states its key facts`, () => {
            const { spec, warnings } = parseStack(stack);

            assert.deepEqual(keyFacts(spec), facts);
            assert.deepEqual(warnings, []);
        });
    }

    it("local keeps the default health check path when it shortens only the timings", () => {
        const { spec } = parseStack("local");

        assert.deepEqual(spec.app.healthCheck, {
            ...DEFAULT_HEALTH_CHECK,
            intervalSeconds: 3,
            timeoutSeconds: 3,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
        });
        assert.equal(spec.loadBalancer.algorithm, "least_connections");
    });
});

describe("defaults", () => {
    const { spec, warnings } = parseStackSpec(MINIMAL);

    it("fill in a minimal spec with the exported constants", () => {
        assert.deepEqual(spec.app.healthCheck, DEFAULT_HEALTH_CHECK);
        assert.equal(spec.app.port, DEFAULT_APP_PORT);
        assert.equal(spec.app.minReadySeconds, DEFAULT_MIN_READY_SECONDS);
        assert.equal(spec.app.readyTimeoutSeconds, DEFAULT_READY_TIMEOUT_SECONDS);
        assert.equal(spec.app.maxSurge, DEFAULT_MAX_SURGE);
        assert.equal(spec.app.deploymentStrategy, "rolling");
        assert.deepEqual(spec.app.env, {});
        assert.deepEqual(spec.app.secretEnv, {});
        assert.deepEqual(spec.regions, [
            { name: "us-east", region: "nyc3", replicas: DEFAULT_REPLICAS, size: DEFAULT_DROPLET_SIZE, domains: [], env: {} },
        ]);
        assert.deepEqual(spec.loadBalancer, { algorithm: "round_robin", sizeUnit: DEFAULT_LB_SIZE_UNIT, haproxy: DEFAULT_HAPROXY });
        assert.deepEqual(spec.database, DEFAULT_DATABASE);
        assert.deepEqual(spec.cache, DEFAULT_CACHE);
        assert.equal("autoscaling" in spec, false);
        assert.deepEqual(warnings, []);
    });

    it("keep the defaults of the keys a partial healthCheck leaves out", () => {
        const partial = parseStackSpec({ ...MINIMAL, app: { ...MINIMAL.app, healthCheck: { path: "/ready" } } }).spec;

        assert.deepEqual(partial.app.healthCheck, { ...DEFAULT_HEALTH_CHECK, path: "/ready" });
    });

    it("match the config defaults Pulumi.yaml declares", () => {
        const project = readProjectFile();
        const declared = Object.fromEntries(Object.entries(project.config).map(([key, decl]) => [key, decl.default]));
        const schemaDefaults = Object.fromEntries(Object.keys(declared).map((key) => [key, spec[key as keyof StackSpec]]));

        // Pulumi applies project defaults to every stack, so only keys every platform understands are declared.
        assert.deepEqual(Object.keys(declared).sort(), ["platform", "protect", "tags"]);
        assert.deepEqual(declared, schemaDefaults);
        for (const key of Object.keys(declared)) {
            assert.ok(Object.values(PLATFORM_SCHEMAS).every((schema) => key in schema.shape), `Pulumi.yaml declares horizon:${key}, which not every platform understands`);
        }
        assert.equal(path.join(REPO_ROOT, project.stackConfigDir), STACKS_DIR);
    });

    it("declare each Pulumi.yaml config key with the type the schema parses", () => {
        const project = readProjectFile();
        const typeOf = (value: unknown) => (Array.isArray(value) ? "array" : typeof value);

        for (const [key, decl] of Object.entries(project.config)) {
            assert.equal(decl.type, typeOf(spec[key as keyof StackSpec]), `horizon:${key}`);
        }
    });
});
