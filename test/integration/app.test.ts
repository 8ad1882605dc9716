import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { httpGet } from "../helpers/load";
import { freePort, waitFor } from "../helpers/processes";
import { type DataPlane, Replica, spawnApp, startDataPlane } from "../helpers/stack";

/** The sample app on its own, against real Postgres and Redis: start-up, endpoints, shutdown. */

describe("sample app", { timeout: 90_000 }, () => {
    let plane: DataPlane;
    const extraReplicas: Replica[] = [];
    let runs = 0;

    before(async () => {
        plane = await startDataPlane({ replicaCount: 1, prefix: "horizon-app" });
    });

    after(async () => {
        await Promise.all(extraReplicas.map((replica) => replica.process.stop("SIGKILL")));
        await plane?.stop();
    });

    /** Starts the app with `env` and waits for it to exit; returns its exit code, stdout and stderr. */
    async function runToExit(env: Record<string, string>) {
        const name = `run-${++runs}`;
        const logFile = path.join(plane.dir, `${name}.out`);
        const errFile = path.join(plane.dir, `${name}.err`);
        const code = await spawnApp(name, env, logFile, errFile).exited;
        return { code, stdout: fs.readFileSync(logFile, "utf8"), stderr: fs.readFileSync(errFile, "utf8") };
    }

    function validEnv(port: number): Record<string, string> {
        return { PORT: String(port), DATABASE_URL: plane.postgres.url, REDIS_URL: plane.redis.url };
    }

    it("rejects a malformed DATABASE_URL with one line on stderr and exit code 1", async () => {
        const result = await runToExit({ ...validEnv(await freePort()), DATABASE_URL: "postgres//app:s3cret@db" });
        assert.equal(result.code, 1);
        assert.equal(
            result.stderr,
            "hits: invalid configuration: DATABASE_URL: is not a valid URL (expected postgres://user:password@host:5432/database)\n",
        );
        assert.equal(result.stdout, "");
    });

    it("reports every missing variable at once", async () => {
        const result = await runToExit({ PORT: "http" });
        assert.equal(result.code, 1);
        assert.equal(
            result.stderr,
            'hits: invalid configuration: PORT: "http" is not a port (expected 1-65535); ' +
                "DATABASE_URL: is not set (expected postgres://user:password@host:5432/database); " +
                "REDIS_URL: is not set (expected redis://[user:password@]host:6379)\n",
        );
    });

    it("answers / with the count and its replica id, as JSON and in X-Replica", async () => {
        const [replica] = plane.replicas;
        const before = await plane.redis.integer("hits");
        const res = await httpGet(`${replica.url}/`);
        assert.equal(res.status, 200);
        assert.equal(res.headers["x-replica"], "a");
        assert.match(String(res.headers["content-type"]), /^application\/json/);
        assert.deepEqual(JSON.parse(res.body), { hits: before + 1, replica: "a" });
    });

    it("answers /health with both dependencies checked", async () => {
        const res = await httpGet(`${plane.replicas[0].url}/health`);
        assert.equal(res.status, 200);
        assert.deepEqual(JSON.parse(res.body), { status: "ok", replica: "a", checks: { postgres: "ok", redis: "ok" } });
    });

    it("answers 404 for other paths and 405 for other methods", async () => {
        const { url } = plane.replicas[0];
        assert.equal((await httpGet(`${url}/favicon.ico`)).status, 404);
        const post = await new Promise<http.IncomingMessage>((resolve, reject) => {
            http.request(`${url}/`, { method: "POST", agent: false }, resolve).on("error", reject).end();
        });
        post.resume();
        assert.equal(post.statusCode, 405);
        assert.equal(post.headers.allow, "GET");
    });

    it("waits for a Postgres that comes up during start-up", async () => {
        await plane.postgres.stop();
        const port = await freePort();
        const logFile = path.join(plane.dir, "late-postgres.out");
        const app = spawnApp("late-postgres", validEnv(port), logFile);
        try {
            await waitFor("a retry to be logged", async () => (fs.readFileSync(logFile, "utf8").includes("postgres not ready, retrying") ? true : undefined), {
                timeoutMs: 10_000,
                process: app,
            });
            await plane.postgres.start();
            await waitFor("the app to be healthy", async () => ((await httpGet(`http://127.0.0.1:${port}/health`)).status === 200 ? true : undefined), {
                timeoutMs: 15_000,
                process: app,
            });
        } finally {
            await app.stop("SIGKILL");
        }
    });

    it("gives up with one line on stderr when Postgres stays down", async () => {
        await plane.postgres.stop();
        try {
            const result = await runToExit(validEnv(await freePort()));
            assert.equal(result.code, 1);
            assert.match(result.stderr, /^hits: start-up failed: postgres: not reachable after 6 attempts: .*ECONNREFUSED.*\n$/);
            assert.equal(result.stderr.split("\n").length, 2, "exactly one line");
        } finally {
            await plane.postgres.start();
        }
    });

    describe("on SIGTERM", () => {
        let releaseVisits: (() => Promise<void>) | undefined;

        afterEach(async () => {
            await releaseVisits?.();
        });

        /**
         * Locks the visits table and sends a GET / that stays in flight (its INSERT waits) until
         * `releaseVisits` runs; afterEach releases it whatever the outcome.
         */
        async function requestHeldByLock(replica: Replica): Promise<{ inFlight: Promise<string> }> {
            const locker = await plane.postgres.connect();
            let released = false;
            releaseVisits = async () => {
                if (!released) {
                    released = true;
                    await locker.query("COMMIT");
                    await locker.end();
                }
            };
            await locker.query("BEGIN");
            await locker.query("LOCK TABLE visits IN EXCLUSIVE MODE");
            const inFlight = httpGet(`${replica.url}/`).then(
                (res) => `${res.status} ${res.headers.connection}`,
                (err: Error) => err.message,
            );
            await waitFor(
                "the request's INSERT to wait for the lock",
                async () => {
                    const rows = await plane.postgres.query(
                        "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO visits%'",
                    );
                    return rows.length > 0 ? true : undefined;
                },
                { timeoutMs: 5000 },
            );
            // Wrapped, or awaiting this function would wait for the response itself.
            return { inFlight };
        }

        async function startReplica(id: string, env: Record<string, string>): Promise<Replica> {
            const replica = await Replica.create({ id, dir: plane.dir, databaseUrl: plane.postgres.url, redisUrl: plane.redis.url, env });
            extraReplicas.push(replica);
            return replica;
        }

        it("fails /health at once, keeps listening for SHUTDOWN_DELAY_MS, finishes in-flight requests, exits 0", async () => {
            const replica = await startReplica("drain", { SHUTDOWN_DELAY_MS: "1000", DRAIN_TIMEOUT_MS: "5000" });
            const { inFlight } = await requestHeldByLock(replica);

            const signalledAt = Date.now();
            replica.process.signal("SIGTERM");
            const health = await waitFor(
                "/health to report draining",
                async () => {
                    const res = await httpGet(`${replica.url}/health`);
                    return res.status === 503 ? res : undefined;
                },
                { timeoutMs: 500, intervalMs: 20 },
            );
            assert.deepEqual(JSON.parse(health.body), { status: "draining", replica: "drain" });

            await waitFor("the listener to close", () => httpGet(`${replica.url}/health`).then(() => undefined, () => true), {
                timeoutMs: 3000,
                intervalMs: 20,
            });
            const listenedMs = Date.now() - signalledAt;
            assert.ok(listenedMs >= 900, `the listener closed ${listenedMs} ms after SIGTERM, before SHUTDOWN_DELAY_MS (1000)`);
            assert.ok(replica.process.running, "the app waits for the in-flight request");
            await releaseVisits?.();
            assert.equal(await inFlight, "200 close");
            assert.equal(await replica.process.exited, 0);
        });

        it("cuts requests still running after DRAIN_TIMEOUT_MS and exits 0", async () => {
            const replica = await startReplica("cut", { SHUTDOWN_DELAY_MS: "0", DRAIN_TIMEOUT_MS: "300" });
            const { inFlight } = await requestHeldByLock(replica);
            replica.process.signal("SIGTERM");
            assert.equal(await inFlight, "socket hang up");
            await releaseVisits?.();
            assert.equal(await replica.process.exited, 0);
        });
    });
});
