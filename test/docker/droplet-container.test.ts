import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { load } from "js-yaml";
import { renderAppCloudInit } from "../../components/render/cloudInit";
import { docker, dockerSkipReason, LOCAL_IMAGES, startRecorded, waitForHealth } from "../helpers/dockerEngine";
import { runUnderMocks } from "../helpers/mocks";
import { freePort } from "../helpers/processes";

// The start script a replica droplet's cloud-init writes (/usr/local/bin/horizon-app) run with
// bash against the local engine, so the `docker run` flags droplets use are proven for real.

const APP_ENV_FILE = "/etc/horizon/app.env";
const STOP_TIMEOUT_SECONDS = 17;

/** Postgres and Valkey on the default bridge network, where the droplet's app container runs. */
async function startDataServices() {
    const run = await runUnderMocks(async () => {
        const dockerSdk = await import("@pulumi/docker");
        new dockerSdk.Container("droplet-pg", {
            image: LOCAL_IMAGES.postgres,
            envs: ["POSTGRES_PASSWORD=droplet-pw", "POSTGRES_USER=hits", "POSTGRES_DB=hits"],
            healthcheck: { tests: ["CMD", "pg_isready", "-U", "hits", "-d", "hits"], interval: "1s", timeout: "3s", retries: 30 },
        });
        new dockerSdk.Container("droplet-cache", { image: LOCAL_IMAGES.valkey });
        return {};
    });
    return startRecorded(run.resources);
}

test("the droplet's container start script runs on the Docker engine with the flags droplets use", { timeout: 180_000 }, async (t) => {
    const reason = await dockerSkipReason([LOCAL_IMAGES.hits, LOCAL_IMAGES.postgres, LOCAL_IMAGES.valkey]);
    if (reason !== undefined) {
        t.skip(reason);
        return;
    }
    // The script publishes the app port on Docker's default bridge, as on a droplet. The daemon
    // scripts/docker-images.sh starts has that bridge (it falls back to --bridge=none only where the
    // bridge cannot be made; then -p is ignored and this test cannot prove the published port).
    const defaultBridge = await docker.inspectNetwork("bridge").catch(() => undefined);
    if (defaultBridge === undefined) {
        t.skip("the Docker daemon runs without its default bridge (--bridge=none), where docker run -p is ignored");
        return;
    }

    const data = await startDataServices();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-droplet-"));
    const containerName = `${data.prefix}app`;
    try {
        const ip = async (resource: string) => (await docker.inspect(data.containers[resource].id)).NetworkSettings.Networks.bridge.IPAddress;
        const hostPort = await freePort();
        const userData = renderAppCloudInit({
            image: LOCAL_IMAGES.hits,
            containerName,
            containerPort: 8080,
            hostPort,
            env: {
                DATABASE_URL: `postgres://hits:droplet-pw@${await ip("droplet-pg")}:5432/hits`,
                REDIS_URL: `redis://${await ip("droplet-cache")}:6379`,
                HORIZON_REPLICA_ID: "droplet-0",
            },
            healthCheck: { path: "/health", intervalSeconds: 1, timeoutSeconds: 3, unhealthyThreshold: 3 },
            log: { maxSizeMb: 3, maxFiles: 4 },
            memoryMb: 192,
            cpus: 0.75,
            stopTimeoutSeconds: STOP_TIMEOUT_SECONDS,
        });
        const files = (load(userData) as { write_files: { path: string; content: string }[] }).write_files;
        const file = (p: string) => files.find((f) => f.path === p)?.content ?? assert.fail(`no ${p} in the user data`);

        // Substituted: the env file path (cloud-init writes it to /etc/horizon on the droplet; here it
        // goes to a temporary directory so the test writes nothing outside it). Nothing else changes:
        // `docker pull` of the local image fails (no registry) and the script falls back to the copy
        // already on the host, its designed path when a registry is down.
        const envFile = path.join(workDir, "app.env");
        fs.writeFileSync(envFile, file(APP_ENV_FILE), { mode: 0o600 });
        const script = file("/usr/local/bin/horizon-app");
        assert.ok(script.includes(APP_ENV_FILE), "the start script no longer reads the env file it is written next to");
        const scriptPath = path.join(workDir, "horizon-app");
        fs.writeFileSync(scriptPath, script.replaceAll(APP_ENV_FILE, envFile), { mode: 0o755 });

        // Debian's docker client, as on a droplet (docker.io), first on PATH.
        const result = spawnSync("bash", [scriptPath], {
            encoding: "utf8",
            timeout: 90_000,
            env: { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ""}` },
        });
        assert.equal(result.status, 0, `horizon-app failed: ${result.stderr}`);

        const started = await docker.inspect(containerName);
        assert.equal(started.State.Running, true);
        await waitForHealth(started.Id, "healthy", 90_000);

        const res = await fetch(`http://127.0.0.1:${hostPort}/health`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200, await res.text());
        assert.equal(res.headers.get("x-replica"), "droplet-0");

        const env = await docker.exec(started.Id, ["printenv", "HORIZON_REPLICA_ID"]);
        assert.equal(env.stdout.trim(), "droplet-0");
        const state = await docker.inspect(started.Id);
        assert.equal(state.HostConfig.RestartPolicy.Name, "unless-stopped");
        assert.equal(state.HostConfig.Init, true);
        assert.equal(state.HostConfig.LogConfig.Type, "json-file");
        assert.deepEqual(state.HostConfig.LogConfig.Config, { "max-size": "3m", "max-file": "4" });
        assert.equal(state.HostConfig.Memory, 192 * 1024 * 1024);
        assert.equal(state.HostConfig.NanoCpus, 750_000_000);
        assert.equal(state.Config.StopTimeout, STOP_TIMEOUT_SECONDS);
        assert.deepEqual(state.HostConfig.PortBindings?.["8080/tcp"], [{ HostIp: "", HostPort: String(hostPort) }]);
        assert.equal(state.Config.Healthcheck?.Interval, 1e9);
        assert.equal(state.Config.Healthcheck?.Retries, 3);
    } finally {
        await docker.remove(containerName, true).catch(() => undefined);
        await data.teardown();
        fs.rmSync(workDir, { recursive: true, force: true });
    }
});
