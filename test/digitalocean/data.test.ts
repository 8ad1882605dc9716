import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type { DropletsSpecInput } from "../../components/config/schema";
import type { CacheArgs } from "../../components/digitalocean/cache";
import type { DataNodeArgs } from "../../components/digitalocean/dataNode";
import type { PostgresArgs } from "../../components/digitalocean/postgres";
import { ANYWHERE, find, isSecretOutput, ofType, type RecordedResource, runProgram, T, userData } from "../helpers/mocks";

const NAME = "hits-us-east";
const FLEET_TAG = "hits-test-us-east-fleet";
const CREDENTIAL_OUTPUTS = ["password", "uri", "privateUri"];

async function postgres(args: Partial<PostgresArgs> = {}) {
    return runProgram(async () => {
        const { Postgres } = await import("../../components/digitalocean/postgres");
        const pg = new Postgres(`${NAME}-pg`, { region: "nyc3", vpcUuid: "vpc-1", trustedTag: FLEET_TAG, ...args });
        return { privateUri: pg.privateUri, privateUriIsSecret: await isSecretOutput(pg.privateUri), host: pg.host, port: pg.port };
    });
}

async function cache(args: Partial<CacheArgs> = {}) {
    return runProgram(async () => {
        const { Cache } = await import("../../components/digitalocean/cache");
        const c = new Cache(`${NAME}-cache`, { region: "nyc3", vpcUuid: "vpc-1", trustedTag: FLEET_TAG, ...args });
        return { privateUri: c.privateUri, privateUriIsSecret: await isSecretOutput(c.privateUri), host: c.host, port: c.port };
    });
}

/** Runs one DataNode; `args` may be a function, to build Outputs once the mocks are set. */
async function dataNode(args: Partial<DataNodeArgs> | (() => Partial<DataNodeArgs>)) {
    return runProgram(async () => {
        const { DataNode } = await import("../../components/digitalocean/dataNode");
        const node = new DataNode(`${NAME}-data`, {
            region: "nyc3",
            vpcUuid: "vpc-1",
            trustedTag: FLEET_TAG,
            ...(typeof args === "function" ? args() : args),
        });
        return {
            databaseUrl: node.databaseUrl,
            redisUrl: node.redisUrl,
            databaseUrlIsSecret: await isSecretOutput(node.databaseUrl),
            redisUrlIsSecret: await isSecretOutput(node.redisUrl),
            privateIp: node.privateIp,
        };
    });
}

/** A one-region WebService with these data blocks. */
async function service(spec: Pick<DropletsSpecInput, "database" | "cache" | "protect">) {
    return runProgram(
        async () => {
            const { WebService } = await import("../../components/webService");
            new WebService("hits", {
                app: { name: "hits", image: "ghcr.io/acme/hits:1.4.2" },
                regions: [{ name: "us-east", region: "nyc3", replicas: 2 }],
                ...spec,
            });
        },
        { stack: "test" },
    );
}

const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
const appDroplets = (resources: RecordedResource[]) => ofType(resources, T.droplet).filter((d) => /-droplet-\d+$/.test(d.name));

/** The files cloud-init writes, by path. */
function writtenFiles(droplet: RecordedResource): Record<string, string> {
    const config = yaml.load(userData(droplet)) as { write_files: { path: string; content: string }[] };
    return Object.fromEntries(config.write_files.map((f) => [f.path, f.content]));
}

/** An env file's variables. */
function envFile(content: string | undefined): Record<string, string> {
    assert.ok(content !== undefined, "no such env file");
    return Object.fromEntries(
        content
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

const appEnv = (droplet: RecordedResource) => envFile(writtenFiles(droplet)["/etc/horizon/app.env"]);

describe("Postgres", () => {
    it("registers a cluster, database, user, pool and firewall under the component", async () => {
        const { resources } = await postgres({ tags: ["horizon:app:hits"] });

        assert.deepEqual(
            sorted(resources.map((r) => [r.type, r.name, r.parent ?? null])),
            sorted([
                ["horizon:digitalocean:Postgres", `${NAME}-pg`, null],
                [T.cluster, `${NAME}-pg-cluster`, `${NAME}-pg`],
                [T.databaseDb, `${NAME}-pg-db`, `${NAME}-pg`],
                [T.databaseUser, `${NAME}-pg-user`, `${NAME}-pg`],
                [T.pool, `${NAME}-pg-pool`, `${NAME}-pg`],
                [T.databaseFirewall, `${NAME}-pg-fw`, `${NAME}-pg`],
            ]),
        );
        assert.deepEqual(find(resources, T.cluster, `${NAME}-pg-cluster`).inputs, {
            engine: "pg",
            version: "16",
            size: "db-s-1vcpu-1gb",
            nodeCount: 1,
            region: "nyc3",
            privateNetworkUuid: "vpc-1",
            maintenanceWindows: [{ day: "sunday", hour: "03:00:00" }],
            tags: ["horizon:app:hits"],
        });
        assert.deepEqual(find(resources, T.databaseDb, `${NAME}-pg-db`).inputs, { clusterId: `${NAME}-pg-cluster-id`, name: "app" });
        assert.deepEqual(find(resources, T.databaseUser, `${NAME}-pg-user`).inputs, { clusterId: `${NAME}-pg-cluster-id`, name: "app" });
        assert.deepEqual(find(resources, T.pool, `${NAME}-pg-pool`).inputs, {
            clusterId: `${NAME}-pg-cluster-id`,
            name: "app-pool",
            mode: "transaction",
            size: 20,
            dbName: "app",
            user: "app",
        });
    });

    it("takes version, size, nodes, names, pool size and maintenance window", async () => {
        const { resources } = await postgres({
            version: "17",
            size: "db-s-2vcpu-4gb",
            nodes: 2,
            databaseName: "hits",
            userName: "hits_app",
            poolSize: 50,
            maintenanceWindow: { day: "tuesday", hour: "04:30:00" },
        });

        const cluster = find(resources, T.cluster, `${NAME}-pg-cluster`).inputs;
        assert.deepEqual([cluster.version, cluster.size, cluster.nodeCount], ["17", "db-s-2vcpu-4gb", 2]);
        assert.deepEqual(cluster.maintenanceWindows, [{ day: "tuesday", hour: "04:30:00" }]);
        assert.equal(find(resources, T.databaseDb, `${NAME}-pg-db`).inputs.name, "hits");
        assert.equal(find(resources, T.databaseUser, `${NAME}-pg-user`).inputs.name, "hits_app");
        const pool = find(resources, T.pool, `${NAME}-pg-pool`).inputs;
        assert.deepEqual([pool.name, pool.size, pool.dbName, pool.user], ["hits-pool", 50, "hits", "hits_app"]);
    });

    it("trusts only the fleet tag", async () => {
        const { resources } = await postgres();

        assert.deepEqual(find(resources, T.databaseFirewall, `${NAME}-pg-fw`).inputs, {
            clusterId: `${NAME}-pg-cluster-id`,
            rules: [{ type: "tag", value: FLEET_TAG }],
        });
    });

    it("keeps credentials secret: cluster, user and pool outputs, and the private URI", async () => {
        const { resources, outputs } = await postgres();

        for (const [type, name] of [
            [T.cluster, `${NAME}-pg-cluster`],
            [T.databaseUser, `${NAME}-pg-user`],
            [T.pool, `${NAME}-pg-pool`],
        ]) {
            const { additionalSecretOutputs } = find(resources, type, name);
            for (const output of CREDENTIAL_OUTPUTS) {
                assert.ok(additionalSecretOutputs.includes(output), `${name} keeps ${output} secret`);
            }
        }
        assert.equal(outputs.privateUriIsSecret, true);
        assert.equal(outputs.privateUri, `postgresql://app:mock-user-password@private-${NAME}-pg-pool.db.ondigitalocean.test:25061/app-pool`);
        assert.equal(outputs.host, `private-${NAME}-pg-pool.db.ondigitalocean.test`);
        assert.equal(outputs.port, 25061);
    });

    it("neither protects nor retains the cluster by default", async () => {
        const { options } = find((await postgres()).resources, T.cluster, `${NAME}-pg-cluster`);

        assert.deepEqual([options.protect, options.retainOnDelete], [false, false]);
    });

    it("protects and retains the cluster with protect", async () => {
        const { options } = find((await postgres({ protect: true })).resources, T.cluster, `${NAME}-pg-cluster`);

        assert.deepEqual([options.protect, options.retainOnDelete], [true, true]);
    });

    it("applies cluster, pool and firewall transforms", async () => {
        const { resources } = await postgres({
            transform: {
                cluster: { storageSizeMib: "20480" },
                pool: { mode: "session" },
                firewall: (args, opts) => {
                    args.rules = [{ type: "tag", value: "other" }];
                    opts.deleteBeforeReplace = true;
                },
            },
        });

        assert.equal(find(resources, T.cluster, `${NAME}-pg-cluster`).inputs.storageSizeMib, "20480");
        assert.equal(find(resources, T.pool, `${NAME}-pg-pool`).inputs.mode, "session");
        const firewall = find(resources, T.databaseFirewall, `${NAME}-pg-fw`);
        assert.deepEqual(firewall.inputs.rules, [{ type: "tag", value: "other" }]);
        assert.equal(firewall.options.deleteBeforeReplace, true);
    });
});

describe("Cache", () => {
    it("registers a Valkey cluster and a firewall trusting only the fleet tag", async () => {
        const { resources } = await cache();

        assert.deepEqual(
            sorted(resources.map((r) => [r.type, r.name, r.parent ?? null])),
            sorted([
                ["horizon:digitalocean:Cache", `${NAME}-cache`, null],
                [T.cluster, `${NAME}-cache-cluster`, `${NAME}-cache`],
                [T.databaseFirewall, `${NAME}-cache-fw`, `${NAME}-cache`],
            ]),
        );
        assert.deepEqual(find(resources, T.cluster, `${NAME}-cache-cluster`).inputs, {
            engine: "valkey",
            version: "8",
            size: "db-s-1vcpu-1gb",
            nodeCount: 1,
            region: "nyc3",
            privateNetworkUuid: "vpc-1",
            evictionPolicy: "allkeys_lru",
            tags: [],
        });
        assert.deepEqual(find(resources, T.databaseFirewall, `${NAME}-cache-fw`).inputs, {
            clusterId: `${NAME}-cache-cluster-id`,
            rules: [{ type: "tag", value: FLEET_TAG }],
        });
    });

    it("takes version, size, nodes and eviction policy", async () => {
        const { resources } = await cache({ version: "7", size: "db-s-2vcpu-4gb", nodes: 2, evictionPolicy: "volatile_ttl" });

        const cluster = find(resources, T.cluster, `${NAME}-cache-cluster`).inputs;
        assert.deepEqual(
            [cluster.version, cluster.size, cluster.nodeCount, cluster.evictionPolicy],
            ["7", "db-s-2vcpu-4gb", 2, "volatile_ttl"],
        );
    });

    it("keeps credentials secret", async () => {
        const { resources, outputs } = await cache();

        const { additionalSecretOutputs } = find(resources, T.cluster, `${NAME}-cache-cluster`);
        for (const output of CREDENTIAL_OUTPUTS) {
            assert.ok(additionalSecretOutputs.includes(output), `the cache cluster keeps ${output} secret`);
        }
        assert.equal(outputs.privateUriIsSecret, true);
        assert.match(outputs.privateUri, /^rediss:\/\/doadmin:mock-cluster-password@private-hits-us-east-cache-cluster\./);
        assert.equal(outputs.port, 25061);
    });

    it("protects and retains the cluster only with protect", async () => {
        const unprotected = find((await cache()).resources, T.cluster, `${NAME}-cache-cluster`).options;
        assert.deepEqual([unprotected.protect, unprotected.retainOnDelete], [false, false]);

        const protectedCluster = find((await cache({ protect: true })).resources, T.cluster, `${NAME}-cache-cluster`).options;
        assert.deepEqual([protectedCluster.protect, protectedCluster.retainOnDelete], [true, true]);
    });

    it("applies cluster and firewall transforms", async () => {
        const { resources } = await cache({ transform: { cluster: { size: "db-s-4vcpu-8gb" }, firewall: { rules: [] } } });

        assert.equal(find(resources, T.cluster, `${NAME}-cache-cluster`).inputs.size, "db-s-4vcpu-8gb");
        assert.deepEqual(find(resources, T.databaseFirewall, `${NAME}-cache-fw`).inputs.rules, []);
    });
});

describe("DataNode", () => {
    const both = { postgres: {}, valkey: {} };

    it("registers passwords, a volume, a droplet and a firewall under the component", async () => {
        const { resources } = await dataNode({ ...both, tags: ["horizon:app:hits"] });

        assert.deepEqual(
            sorted(resources.map((r) => [r.type, r.name, r.parent ?? null])),
            sorted([
                ["horizon:digitalocean:DataNode", `${NAME}-data`, null],
                [T.password, `${NAME}-data-pg-password`, `${NAME}-data`],
                [T.password, `${NAME}-data-cache-password`, `${NAME}-data`],
                [T.volume, `${NAME}-data-volume`, `${NAME}-data`],
                [T.droplet, `${NAME}-data-droplet`, `${NAME}-data`],
                [T.firewall, `${NAME}-data-fw`, `${NAME}-data`],
            ]),
        );
        for (const password of ofType(resources, T.password)) {
            assert.deepEqual(password.inputs, { length: 32, special: false });
        }
        assert.deepEqual(find(resources, T.volume, `${NAME}-data-volume`).inputs, {
            region: "nyc3",
            size: 10,
            description: `horizon data for ${NAME}-data`,
            tags: ["horizon:app:hits"],
        });
    });

    it("boots the droplet with the volume attached, replacing it only after deleting it", async () => {
        const { resources } = await dataNode({ ...both, tags: ["horizon:app:hits"], volumeSizeGb: 40 });

        const droplet = find(resources, T.droplet, `${NAME}-data-droplet`);
        // The volume is named by Pulumi's autonaming; cloud-init must mount that name, not a guess.
        assert.match(userData(droplet), /scsi-0DO_Volume_hits-us-east-data-volume-[0-9a-f]{7}\b/);
        const { userData: _userData, ...inputs } = droplet.inputs;
        assert.deepEqual(inputs, {
            name: `${NAME}-data-droplet`,
            region: "nyc3",
            size: "s-1vcpu-2gb",
            image: "ubuntu-24-04-x64",
            vpcUuid: "vpc-1",
            monitoring: true,
            gracefulShutdown: true,
            sshKeys: [],
            tags: ["horizon:app:hits", `${FLEET_TAG}-data`],
            volumeIds: [`${NAME}-data-volume-id`],
        });
        assert.equal(droplet.options.deleteBeforeReplace, true);
        assert.equal(find(resources, T.volume, `${NAME}-data-volume`).inputs.size, 40);
    });

    it("writes the passwords only into secret user data", async () => {
        const { resources, outputs } = await dataNode(both);

        const droplet = find(resources, T.droplet, `${NAME}-data-droplet`);
        assert.deepEqual(droplet.secretInputs, ["userData"]);
        const files = writtenFiles(droplet);
        const postgresEnv = envFile(files["/etc/horizon/postgres.env"]);
        assert.deepEqual(Object.keys(postgresEnv).sort(), ["POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
        assert.deepEqual([postgresEnv.POSTGRES_DB, postgresEnv.POSTGRES_USER], ["app", "app"]);
        assert.match(postgresEnv.POSTGRES_PASSWORD, /^mock-password-/);
        assert.ok(outputs.databaseUrl?.includes(`:${postgresEnv.POSTGRES_PASSWORD}@`));
        const valkeyConfig = files["/etc/horizon/valkey.conf"];
        assert.match(valkeyConfig, /^maxmemory-policy allkeys-lru$/m);
        const valkeyPassword = /^requirepass "(.*)"$/m.exec(valkeyConfig)?.[1];
        assert.match(valkeyPassword ?? "", /^mock-password-/);
        assert.notEqual(valkeyPassword, postgresEnv.POSTGRES_PASSWORD);
        assert.ok(outputs.redisUrl?.includes(`:${valkeyPassword}@`));
    });

    it("hands out secret URLs on the droplet's private address", async () => {
        const { outputs } = await dataNode(both);

        assert.equal(outputs.databaseUrlIsSecret, true);
        assert.equal(outputs.redisUrlIsSecret, true);
        assert.match(outputs.databaseUrl ?? "", new RegExp(`^postgresql://app:mock-password-\\w+@${outputs.privateIp}:5432/app$`));
        assert.match(outputs.redisUrl ?? "", new RegExp(`^redis://default:mock-password-\\w+@${outputs.privateIp}:6379$`));
    });

    it("admits 5432 and 6379 only from the fleet tag, and no SSH without admin CIDRs", async () => {
        const { resources } = await dataNode(both);

        const firewall = find(resources, T.firewall, `${NAME}-data-fw`).inputs;
        assert.equal((firewall.dropletIds as number[]).length, 1);
        assert.equal(typeof (firewall.dropletIds as number[])[0], "number");
        assert.deepEqual(firewall.inboundRules, [
            { protocol: "tcp", portRange: "5432", sourceTags: [FLEET_TAG] },
            { protocol: "tcp", portRange: "6379", sourceTags: [FLEET_TAG] },
        ]);
        assert.deepEqual(firewall.outboundRules, [
            { protocol: "tcp", portRange: "80", destinationAddresses: ANYWHERE },
            { protocol: "tcp", portRange: "443", destinationAddresses: ANYWHERE },
            { protocol: "udp", portRange: "53", destinationAddresses: ANYWHERE },
            { protocol: "udp", portRange: "123", destinationAddresses: ANYWHERE },
            { protocol: "icmp", destinationAddresses: ANYWHERE },
        ]);
    });

    it("admits SSH only from admin CIDRs", async () => {
        const { resources } = await dataNode({ ...both, adminCidrs: ["203.0.113.0/24"] });

        assert.deepEqual((find(resources, T.firewall, `${NAME}-data-fw`).inputs.inboundRules as unknown[]).at(-1), {
            protocol: "tcp",
            portRange: "22",
            sourceAddresses: ["203.0.113.0/24"],
        });
    });

    it("runs Postgres alone", async () => {
        const { resources, outputs } = await dataNode({ postgres: { databaseName: "hits", userName: "hits_app", version: "17" } });

        assert.deepEqual(
            ofType(resources, T.password).map((p) => p.name),
            [`${NAME}-data-pg-password`],
        );
        assert.deepEqual(find(resources, T.firewall, `${NAME}-data-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "5432", sourceTags: [FLEET_TAG] },
        ]);
        assert.equal(outputs.redisUrl, undefined);
        assert.match(outputs.databaseUrl ?? "", /^postgresql:\/\/hits_app:.*:5432\/hits$/);
        const files = writtenFiles(find(resources, T.droplet, `${NAME}-data-droplet`));
        assert.equal(files["/etc/horizon/valkey.conf"], undefined);
        assert.match(files["/usr/local/bin/horizon-postgres"], /^image=postgres:17$/m);
    });

    it("runs Valkey alone", async () => {
        const { resources, outputs } = await dataNode({ valkey: { evictionPolicy: "volatile_ttl" } });

        assert.deepEqual(
            ofType(resources, T.password).map((p) => p.name),
            [`${NAME}-data-cache-password`],
        );
        assert.deepEqual(find(resources, T.firewall, `${NAME}-data-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "6379", sourceTags: [FLEET_TAG] },
        ]);
        assert.equal(outputs.databaseUrl, undefined);
        assert.match(writtenFiles(find(resources, T.droplet, `${NAME}-data-droplet`))["/etc/horizon/valkey.conf"], /^maxmemory-policy volatile-ttl$/m);
    });

    it("refuses to run nothing", async () => {
        const { outputs } = await runProgram(async () => {
            const { DataNode } = await import("../../components/digitalocean/dataNode");
            try {
                new DataNode(`${NAME}-data`, { region: "nyc3", vpcUuid: "vpc-1", trustedTag: FLEET_TAG });
                return { message: "" };
            } catch (err) {
                return { message: (err as Error).message };
            }
        });

        assert.match(outputs.message, /DataNode hits-us-east-data: nothing to run; pass postgres, valkey or both/);
    });

    it("protects and retains the volume only with protect", async () => {
        const unprotected = find((await dataNode(both)).resources, T.volume, `${NAME}-data-volume`).options;
        assert.deepEqual([unprotected.protect, unprotected.retainOnDelete], [false, false]);

        const protectedVolume = find((await dataNode({ ...both, protect: true })).resources, T.volume, `${NAME}-data-volume`).options;
        assert.deepEqual([protectedVolume.protect, protectedVolume.retainOnDelete], [true, true]);
    });

    it("tags the droplet after the trusted tag when that tag is an Output", async () => {
        const { resources } = await dataNode(() => ({ ...both, trustedTag: pulumi.output(FLEET_TAG) }));

        assert.deepEqual(find(resources, T.droplet, `${NAME}-data-droplet`).inputs.tags, [`${FLEET_TAG}-data`]);
    });

    it("applies droplet, volume and firewall transforms", async () => {
        const { resources } = await dataNode({
            ...both,
            transform: {
                droplet: { size: "s-2vcpu-4gb" },
                volume: (_args, opts) => {
                    opts.protect = true;
                },
                firewall: { name: "data-edge" },
            },
        });

        assert.equal(find(resources, T.droplet, `${NAME}-data-droplet`).inputs.size, "s-2vcpu-4gb");
        assert.equal(find(resources, T.volume, `${NAME}-data-volume`).options.protect, true);
        assert.equal(find(resources, T.firewall, `${NAME}-data-fw`).inputs.name, "data-edge");
    });
});

describe("WebService data services", () => {
    const DATA_TYPES = [T.cluster, T.databaseDb, T.databaseUser, T.pool, T.databaseFirewall, T.volume, T.password];

    it("trusts only the fleet tag in both managed firewalls and hands the app their private URIs", async () => {
        const { resources } = await service({ database: { mode: "managed" }, cache: { mode: "managed" } });

        for (const name of [`${NAME}-pg-fw`, `${NAME}-cache-fw`]) {
            assert.deepEqual(find(resources, T.databaseFirewall, name).inputs.rules, [{ type: "tag", value: FLEET_TAG }]);
        }
        for (const droplet of appDroplets(resources)) {
            assert.ok(droplet.secretInputs.includes("userData"));
            const env = appEnv(droplet);
            assert.equal(env.DATABASE_URL, `postgresql://app:mock-user-password@private-${NAME}-pg-pool.db.ondigitalocean.test:25061/app-pool`);
            assert.match(env.REDIS_URL, new RegExp(`^rediss://doadmin:mock-cluster-password@private-${NAME}-cache-cluster\\.`));
            assert.ok(droplet.inputs.tags instanceof Array && droplet.inputs.tags.includes(FLEET_TAG));
        }
    });

    it("runs a data node in container mode, reachable only from the fleet", async () => {
        const { resources } = await service({ database: { mode: "container", volumeSizeGb: 20 }, cache: { mode: "container" } });

        assert.equal(ofType(resources, T.cluster).length, 0);
        assert.equal(ofType(resources, T.volume).length, 1);
        assert.equal(ofType(resources, T.password).length, 2);
        assert.equal(find(resources, T.volume, `${NAME}-data-volume`).inputs.size, 20);
        assert.equal(find(resources, T.droplet, `${NAME}-data-droplet`).options.deleteBeforeReplace, true);
        assert.deepEqual(find(resources, T.firewall, `${NAME}-data-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "5432", sourceTags: [FLEET_TAG] },
            { protocol: "tcp", portRange: "6379", sourceTags: [FLEET_TAG] },
        ]);
        for (const droplet of appDroplets(resources)) {
            const env = appEnv(droplet);
            assert.match(env.DATABASE_URL, /^postgresql:\/\/app:mock-password-\w+@10\.\d+\.\d+\.\d+:5432\/app$/);
            assert.match(env.REDIS_URL, /^redis:\/\/default:mock-password-\w+@10\.\d+\.\d+\.\d+:6379$/);
        }
    });

    it("mixes a container database with a managed cache", async () => {
        const { resources } = await service({ database: { mode: "container" }, cache: { mode: "managed" } });

        assert.deepEqual(
            ofType(resources, T.cluster).map((c) => c.inputs.engine),
            ["valkey"],
        );
        assert.deepEqual(find(resources, T.firewall, `${NAME}-data-fw`).inputs.inboundRules, [
            { protocol: "tcp", portRange: "5432", sourceTags: [FLEET_TAG] },
        ]);
        const env = appEnv(appDroplets(resources)[0]);
        assert.match(env.DATABASE_URL, /^postgresql:\/\/app:mock-password-\w+@10\./);
        assert.match(env.REDIS_URL, /^rediss:\/\/doadmin:/);
    });

    it("creates no data resources and no URLs in mode none", async () => {
        const { resources } = await service({ database: { mode: "none" }, cache: { mode: "none" } });

        for (const type of DATA_TYPES) {
            assert.equal(ofType(resources, type).length, 0, type);
        }
        assert.equal(ofType(resources, T.droplet).length, 2);
        for (const droplet of appDroplets(resources)) {
            const env = appEnv(droplet);
            assert.equal("DATABASE_URL" in env, false);
            assert.equal("REDIS_URL" in env, false);
        }
    });
});
