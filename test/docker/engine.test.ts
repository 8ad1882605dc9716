import * as assert from "node:assert/strict";
import { test } from "node:test";
import { docker, DOCKER_TYPES, dockerSkipReason, LOCAL_IMAGES, startRecorded, waitFor, waitForHealth } from "../helpers/dockerEngine";
import { runUnderMocks } from "../helpers/mocks";

// A program built by hand with @pulumi/docker resources, recorded under Pulumi's mocks and
// started for real on the local Docker engine by the harness.

const PG_PASSWORD = "pg-secret-password";
const MEMORY_MB = 160;

async function recordProgram() {
    const run = await runUnderMocks(async () => {
        const pulumi = await import("@pulumi/pulumi");
        const dockerSdk = await import("@pulumi/docker");
        const net = new dockerSdk.Network("hits-net", {});
        const pgData = new dockerSdk.Volume("hits-pgdata", {});
        const hits = new dockerSdk.RemoteImage("hits-image", { name: LOCAL_IMAGES.hits, keepLocally: true });
        const postgres = new dockerSdk.RemoteImage("pg-image", { name: LOCAL_IMAGES.postgres, keepLocally: true });
        const valkey = new dockerSdk.RemoteImage("cache-image", { name: LOCAL_IMAGES.valkey, keepLocally: true });
        const password = pulumi.secret(PG_PASSWORD);
        new dockerSdk.Container("hits-pg", {
            image: postgres.imageId,
            envs: [pulumi.interpolate`POSTGRES_PASSWORD=${password}`, "POSTGRES_USER=hits", "POSTGRES_DB=hits"],
            volumes: [{ volumeName: pgData.name, containerPath: "/var/lib/postgresql/data" }],
            networksAdvanced: [{ name: net.name, aliases: ["pg"] }],
            healthcheck: { tests: ["CMD", "pg_isready", "-U", "hits", "-d", "hits"], interval: "1s", timeout: "3s", retries: 30 },
            restart: "unless-stopped",
        });
        new dockerSdk.Container("hits-cache", {
            image: valkey.imageId,
            networksAdvanced: [{ name: net.name, aliases: ["cache"] }],
            healthcheck: { tests: ["CMD", "valkey-cli", "ping"], interval: "1s", timeout: "3s", retries: 30 },
            restart: "unless-stopped",
        });
        for (const replica of [0, 1]) {
            new dockerSdk.Container(`hits-app-${replica}`, {
                image: hits.imageId,
                envs: [
                    pulumi.interpolate`DATABASE_URL=postgres://hits:${password}@pg:5432/hits`,
                    "REDIS_URL=redis://cache:6379",
                    `HORIZON_REPLICA_ID=replica-${replica}`,
                ],
                networksAdvanced: [{ name: net.name, aliases: ["app"] }],
                ports: [{ internal: 8080, ip: "127.0.0.1" }],
                healthcheck: { tests: ["CMD", "node", "dist/healthcheck.js"], interval: "1s", timeout: "3s", startPeriod: "30s", retries: 3 },
                restart: "always",
                memory: MEMORY_MB,
                cpus: "0.5",
                labels: [{ label: "horizon:role", value: "app" }],
                logDriver: "json-file",
                logOpts: { "max-size": "1m", "max-file": "2" },
                stopTimeout: 12,
                init: true,
            });
        }
        return {};
    });
    return run.resources;
}

async function get(port: number, path = "/"): Promise<{ status: number; replica: string | null; body: string }> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, replica: res.headers.get("x-replica"), body: await res.text() };
}

test("a program's @pulumi/docker resources run for real on the Docker engine", { timeout: 240_000 }, async (t) => {
    const reason = await dockerSkipReason();
    if (reason !== undefined) {
        t.skip(reason);
        return;
    }
    const resources = await recordProgram();
    const stack = await startRecorded(resources);
    try {
        const app0 = stack.containers["hits-app-0"];
        const app1 = stack.containers["hits-app-1"];
        const pg = stack.containers["hits-pg"];

        await t.test("every healthcheck reaches healthy", async () => {
            for (const c of Object.values(stack.containers)) {
                await waitForHealth(c.id, "healthy", 90_000);
            }
        });

        await t.test("both replicas answer behind the shared alias, from another container and from the host", async () => {
            const lookup = await docker.exec(pg.id, ["getent", "ahostsv4", "app"]);
            assert.equal(lookup.exitCode, 0, lookup.stderr);
            const addresses = new Set(lookup.stdout.split("\n").filter((l) => l !== "").map((l) => l.split(/\s+/)[0]));
            const real = await Promise.all([app0, app1].map(async (c) => Object.values((await docker.inspect(c.id)).NetworkSettings.Networks)[0].IPAddress));
            assert.deepEqual([...addresses].sort(), real.sort());

            const seen = new Set<string | null>();
            for (const c of [app0, app1]) {
                const res = await get(c.ports["8080/tcp"]);
                assert.equal(res.status, 200, res.body);
                seen.add(res.replica);
            }
            assert.deepEqual([...seen].sort(), ["replica-0", "replica-1"]);
        });

        await t.test("env values, labels, log options, limits and stop timeout arrive as registered", async () => {
            const env = await docker.exec(app1.id, ["printenv", "HORIZON_REPLICA_ID"]);
            assert.equal(env.stdout.trim(), "replica-1");
            const state = await docker.inspect(app1.id);
            assert.equal(state.Config.Labels?.["horizon:role"], "app");
            assert.equal(state.HostConfig.LogConfig.Type, "json-file");
            assert.deepEqual(state.HostConfig.LogConfig.Config, { "max-size": "1m", "max-file": "2" });
            assert.equal(state.HostConfig.Memory, MEMORY_MB * 1024 * 1024);
            assert.equal(state.HostConfig.NanoCpus, 500_000_000);
            assert.equal(state.HostConfig.RestartPolicy.Name, "always");
            assert.equal(state.Config.StopTimeout, 12);
            assert.equal(state.HostConfig.Init, true);
            assert.equal(state.Config.Healthcheck?.Interval, 1e9);
            assert.equal(state.Config.Healthcheck?.StartPeriod, 30e9);
        });

        await t.test("the memory limit is enforced: a process growing past it is OOM-killed", async () => {
            const grow = "const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))";
            const result = await docker.exec(app0.id, ["node", "-e", grow], { timeoutMs: 60_000 });
            assert.equal(result.exitCode, 137, `exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`);
        });

        await t.test("the restart policy brings back a replica whose process is killed from the host", async () => {
            const before = await docker.inspect(app1.id);
            process.kill(before.State.Pid, "SIGKILL");
            const after = await waitFor(
                "the replica to be restarted",
                async () => {
                    const s = await docker.inspect(app1.id);
                    return s.RestartCount > before.RestartCount && s.State.Running && s.State.Pid !== before.State.Pid ? s : undefined;
                },
                30_000,
            );
            assert.equal(after.RestartCount, before.RestartCount + 1);
            const healthy = await waitForHealth(app1.id, "healthy", 60_000);
            // A port published without a fixed host port gets a new one at every start.
            const port = Number(healthy.NetworkSettings.Ports?.["8080/tcp"]?.[0].HostPort);
            const res = await get(port);
            assert.equal(res.replica, "replica-1");
        });

        await t.test("data in the named volume survives replacing the Postgres container", async () => {
            const psql = (id: string, sql: string) => docker.exec(id, ["psql", "-X", "-At", "-U", "hits", "-d", "hits", "-c", sql], { user: "postgres" });
            const write = await psql(pg.id, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives');");
            assert.equal(write.exitCode, 0, write.stderr);
            const replaced = await stack.replace("hits-pg");
            assert.notEqual(replaced.id, pg.id);
            await waitForHealth(replaced.id, "healthy", 60_000);
            const read = await psql(replaced.id, "SELECT note FROM kept;");
            assert.equal(read.exitCode, 0, read.stderr);
            assert.equal(read.stdout.trim(), "survives");
        });
    } finally {
        await stack.teardown();
    }
    for (const c of Object.values(stack.containers)) {
        await assert.rejects(docker.inspect(c.id), /404/, `container ${c.name} is left behind`);
    }
    for (const n of Object.values(stack.networks)) {
        await assert.rejects(docker.inspectNetwork(n), /404/, `network ${n} is left behind`);
    }
    for (const v of Object.values(stack.volumes)) {
        await assert.rejects(docker.inspectVolume(v), /404/, `volume ${v} is left behind`);
    }
});

test("an input the harness does not map is rejected with the resource and key, and nothing is left behind", { timeout: 60_000 }, async (t) => {
    const reason = await dockerSkipReason([LOCAL_IMAGES.hits]);
    if (reason !== undefined) {
        t.skip(reason);
        return;
    }
    const run = await runUnderMocks(async () => {
        const dockerSdk = await import("@pulumi/docker");
        const net = new dockerSdk.Network("odd-net", {});
        new dockerSdk.Container("odd-app", { image: LOCAL_IMAGES.hits, networksAdvanced: [{ name: net.name }], gpus: "all" });
        return {};
    });
    assert.equal(run.resources.filter((r) => r.type === DOCKER_TYPES.container).length, 1);
    const prefix = `hz-odd-${process.pid}-`;
    await assert.rejects(startRecorded(run.resources, { prefix }), {
        message: `docker:index/container:Container "odd-app": input "gpus" ("all") is not mapped by the Docker test harness; map it in test/helpers/dockerEngine.ts or leave it out`,
    });
    await assert.rejects(docker.inspectNetwork(`${prefix}odd-net`), /404/);
});
