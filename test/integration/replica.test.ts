import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { describeFailures, httpGet, isFailure, type Load, type Outcome, percentile, startLoad } from "../helpers/load";
import { PostgresReplica } from "../helpers/postgresReplica";
import { freePort, makeTempDir, waitFor } from "../helpers/processes";
import { PostgresServer, RedisServer, Replica } from "../helpers/stack";

/**
 * The sample app in a region with a read replica: a real primary and a real streaming replica
 * (pg_basebackup -R) on loopback. Writes go to the primary; reads come from the replica while
 * its lag is within the maximum, and from the primary when it lags, freezes or stops, without
 * a failed request and without the app's health check failing.
 */

const MAX_LAG_SECONDS = 2;
const READ_TIMEOUT_MS = 500;
/** The app measures the replica's lag every 2 s (REPLICA_CHECK_INTERVAL_MS); the rest covers a busy machine. */
const CHECK_INTERVAL_MS = 2000;
const SLACK_MS = 1500;

interface VisitsBody {
    readonly visits: number;
    readonly lastVisitId: number | null;
    readonly replica: string;
    readonly readFrom: "read-replica" | "primary";
    readonly readFallback?: string;
    readonly readLagSeconds?: number;
}

interface Visits {
    readonly header: string | undefined;
    readonly body: VisitsBody;
}

describe("sample app with a read replica", { timeout: 150_000 }, () => {
    let dir: string;
    let primary: PostgresServer | undefined;
    let standby: PostgresReplica | undefined;
    let redis: RedisServer | undefined;
    let app: Replica | undefined;
    const loads: Load[] = [];
    const extraApps: Replica[] = [];

    before(async () => {
        dir = makeTempDir("horizon-replica");
        primary = await PostgresServer.create(dir);
        standby = await PostgresReplica.create(dir, primary);
        redis = await RedisServer.create(dir);
        app = await Replica.create({
            id: "r",
            dir,
            databaseUrl: primary.url,
            redisUrl: redis.url,
            env: {
                DATABASE_READ_URL: standby.url,
                DATABASE_READ_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS),
                DATABASE_READ_TIMEOUT_MS: String(READ_TIMEOUT_MS),
            },
        });
    });

    after(async () => {
        await Promise.all(loads.map((load) => load.stop()));
        await Promise.all([app, ...extraApps].map((replica) => replica?.process.stop("SIGKILL")));
        await Promise.all([standby?.stop(), redis?.stop()]);
        await primary?.stop();
        if (process.env.HORIZON_KEEP_TEMP === "1") {
            console.log(`kept ${dir}`);
        } else if (dir !== undefined) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    async function visits(url = app!.url): Promise<Visits> {
        const res = await httpGet(`${url}/visits`, { timeoutMs: 5000 });
        assert.equal(res.status, 200, `GET /visits answered ${res.status}: ${res.body}`);
        const header = res.headers["x-read-from"];
        return { header: typeof header === "string" ? header : undefined, body: JSON.parse(res.body) as VisitsBody };
    }

    async function hit(): Promise<void> {
        const res = await httpGet(`${app!.url}/`);
        assert.equal(res.status, 200, `GET / answered ${res.status}: ${res.body}`);
    }

    async function primaryLastVisitId(): Promise<number> {
        const [row] = await primary!.query<{ id: string }>("SELECT max(id)::text AS id FROM visits");
        return Number(row.id);
    }

    /** Polls /visits until `accept` holds; resolves with the answer and the ms it took. */
    async function visitsUntil(what: string, accept: (visits: Visits) => boolean, timeoutMs: number): Promise<{ visits: Visits; afterMs: number }> {
        const started = Date.now();
        const found = await waitFor(
            what,
            async () => {
                const answer = await visits();
                return accept(answer) ? answer : undefined;
            },
            { timeoutMs, intervalMs: 50, process: app!.process },
        );
        return { visits: found, afterMs: Date.now() - started };
    }

    /** Each test starts with reads on an up-to-date replica, whatever the one before left behind. */
    async function readsFromReplica(): Promise<void> {
        await visitsUntil("reads to come from the replica", (answer) => answer.body.readFrom === "read-replica", 10_000);
    }

    function appLog(): string {
        return fs.readFileSync(path.join(dir, "r.log"), "utf8");
    }

    /** Reads, health checks and writes in a steady trickle, to show that none fails. */
    function steadyTraffic(): { stop(): Promise<{ reads: Outcome[]; health: Outcome[]; writes: Outcome[] }> } {
        const [reads, health, writes] = ["/visits", "/health", "/"].map((route) => {
            const load = startLoad({ url: `${app!.url}${route}`, concurrency: 2, thinkTimeMs: 20, requests: 5000, timeoutMs: 5000 });
            loads.push(load);
            return load;
        });
        return {
            async stop() {
                const [r, h, w] = await Promise.all([reads.stop(), health.stop(), writes.stop()]);
                return { reads: r, health: h, writes: w };
            },
        };
    }

    function assertNoneFailed(outcomes: { reads: Outcome[]; health: Outcome[]; writes: Outcome[] }): void {
        for (const [kind, list] of Object.entries(outcomes)) {
            assert.ok(list.length > 10, `too few ${kind} to judge: ${list.length}`);
            assert.equal(list.filter(isFailure).length, 0, `${kind} failed: ${describeFailures(list)}`);
        }
    }

    it("streams from the primary: a write through the app lands on the primary and is then read from the replica", async (t) => {
        const [streaming] = await primary!.query<{ state: string; usename: string }>("SELECT state, usename FROM pg_stat_replication");
        assert.deepEqual({ ...streaming }, { state: "streaming", usename: "replicator" });

        for (let i = 0; i < 3; i++) {
            await hit();
        }
        const [written] = await primary!.query<{ n: string }>("SELECT count(*)::text AS n FROM visits WHERE replica = 'r'");
        assert.equal(written.n, "3", "the three visits are on the primary");
        const last = await primaryLastVisitId();

        const { visits: read, afterMs } = await visitsUntil(
            "the replica to serve the latest visit",
            (answer) => answer.body.readFrom === "read-replica" && answer.body.lastVisitId === last,
            10_000,
        );
        t.diagnostic(`latest write read from the replica ${afterMs} ms after it was written`);
        assert.equal(read.header, "read-replica");
        assert.equal(read.body.visits, 3);
        assert.equal(read.body.readFallback, undefined);
        assert.ok(read.body.readLagSeconds !== undefined && read.body.readLagSeconds <= MAX_LAG_SECONDS, `lag ${read.body.readLagSeconds}`);

        const health = await httpGet(`${app!.url}/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(JSON.parse(health.body), { status: "ok", replica: "r", checks: { postgres: "ok", redis: "ok", readReplica: "ok" } });
    });

    it("with replay paused, reads stay on the replica while its lag is within the maximum, then go to the primary", async (t) => {
        await readsFromReplica();
        await standby!.query("SELECT pg_wal_replay_pause()");
        t.after(() => standby!.query("SELECT pg_wal_replay_resume()"));
        const pausedAt = Date.now();
        await hit();
        const last = await primaryLastVisitId();
        const seen: Visits[] = [];
        const { visits: fallback } = await visitsUntil(
            "reads to fall back to the primary",
            (answer) => {
                seen.push(answer);
                return answer.body.readFrom === "primary";
            },
            MAX_LAG_SECONDS * 1000 + CHECK_INTERVAL_MS + SLACK_MS + 2000,
        );
        const fallbackAfterMs = Date.now() - pausedAt;
        t.diagnostic(`reads went to the primary ${fallbackAfterMs} ms after replay was paused (max lag ${MAX_LAG_SECONDS} s, checked every ${CHECK_INTERVAL_MS} ms)`);

        for (const answer of seen.filter((a) => a.body.readFrom === "read-replica")) {
            assert.ok(answer.body.readLagSeconds! <= MAX_LAG_SECONDS, `served by a replica reported ${answer.body.readLagSeconds} s behind`);
        }
        assert.equal(fallback.header, "primary");
        assert.equal(fallback.body.lastVisitId, last, "the primary serves the visit the replica has not replayed");
        assert.match(fallback.body.readFallback ?? "", /^read replica is \d+(\.\d+)? s behind \(DATABASE_READ_MAX_LAG_SECONDS=2\)$/);
        assert.ok(fallback.body.readLagSeconds! > MAX_LAG_SECONDS);
        const [onReplica] = await standby!.query<{ id: string }>("SELECT max(id)::text AS id FROM visits");
        assert.ok(Number(onReplica.id) < last, "the replica has not replayed the latest visit");
        assert.match(appLog(), /"msg":"reading from the primary","reason":"read replica is [\d.]+ s behind/);

        const health = await httpGet(`${app!.url}/health`);
        assert.equal(health.status, 200, "a lagging replica does not fail the health check");
        assert.match(JSON.parse(health.body).checks.readReplica, /behind/);

        await standby!.query("SELECT pg_wal_replay_resume()");
        const { afterMs } = await visitsUntil(
            "reads to return to the replica",
            (answer) => answer.body.readFrom === "read-replica" && answer.body.lastVisitId === last,
            CHECK_INTERVAL_MS + SLACK_MS + 2000,
        );
        t.diagnostic(`reads back on the replica ${afterMs} ms after replay resumed`);
    });

    it("with the replica frozen (SIGSTOP), reads fall back within the read timeout, /health stays 200 and no request fails", async (t) => {
        await readsFromReplica();
        const traffic = steadyTraffic();
        await waitFor("traffic to flow", async () => (loads.slice(-3).every((load) => load.outcomes.length >= 20) ? true : undefined), { timeoutMs: 10_000 });
        standby!.pause();
        t.after(() => standby!.resume());
        const { visits: fallback, afterMs } = await visitsUntil("reads to fall back to the primary", (answer) => answer.body.readFrom === "primary", 5000);
        t.diagnostic(`first read from the primary ${afterMs} ms after the replica froze`);
        assert.match(fallback.body.readFallback ?? "", /^read replica failed: /);
        // Long enough for several lag checks to time out against the frozen replica.
        await new Promise((resolve) => setTimeout(resolve, 2 * CHECK_INTERVAL_MS));
        const outcomes = await traffic.stop();
        assertNoneFailed(outcomes);
        const slowestRead = percentile(outcomes.reads, 100);
        const slowestHealth = percentile(outcomes.health, 100);
        t.diagnostic(
            `${outcomes.reads.length} reads, ${outcomes.health.length} health checks, ${outcomes.writes.length} writes, none failed; ` +
                `slowest read ${Math.round(slowestRead)} ms, p50 ${Math.round(percentile(outcomes.reads, 50))} ms; slowest /health ${Math.round(slowestHealth)} ms`,
        );
        assert.ok(slowestRead <= 2 * READ_TIMEOUT_MS + 500, `a read took ${Math.round(slowestRead)} ms; the read timeout is ${READ_TIMEOUT_MS} ms`);
        assert.ok(slowestHealth <= 1000, `a health check took ${Math.round(slowestHealth)} ms while the replica was frozen`);
        assert.match(appLog(), /"msg":"reading from the primary","reason":"read replica failed: /);

        const frozenHealth = await httpGet(`${app!.url}/health`);
        assert.equal(frozenHealth.status, 200);
        assert.match(JSON.parse(frozenHealth.body).checks.readReplica, /^read replica failed: /);

        standby!.resume();
        const back = await visitsUntil("reads to return to the replica", (answer) => answer.body.readFrom === "read-replica", CHECK_INTERVAL_MS + READ_TIMEOUT_MS + SLACK_MS + 2000);
        t.diagnostic(`reads back on the replica ${back.afterMs} ms after it was resumed`);
    });

    it("with the replica stopped, reads fall back at once, /health stays 200, and reads return after it restarts", async (t) => {
        await readsFromReplica();
        const traffic = steadyTraffic();
        await waitFor("traffic to flow", async () => (loads.slice(-3).every((load) => load.outcomes.length >= 20) ? true : undefined), { timeoutMs: 10_000 });
        await standby!.stop();
        t.after(async () => {
            if (!standby!.process.running) {
                await standby!.start();
            }
        });
        const { visits: fallback, afterMs } = await visitsUntil("reads to fall back to the primary", (answer) => answer.body.readFrom === "primary", 5000);
        t.diagnostic(`first read from the primary ${afterMs} ms after the replica stopped`);
        assert.match(fallback.body.readFallback ?? "", /^read replica failed: /);
        await new Promise((resolve) => setTimeout(resolve, CHECK_INTERVAL_MS + 500));
        const outcomes = await traffic.stop();
        assertNoneFailed(outcomes);
        const slowestRead = percentile(outcomes.reads, 100);
        t.diagnostic(`${outcomes.reads.length} reads, none failed; slowest read ${Math.round(slowestRead)} ms, p99 ${Math.round(percentile(outcomes.reads, 99))} ms`);
        assert.ok(slowestRead <= READ_TIMEOUT_MS + 500, `a read took ${Math.round(slowestRead)} ms with the replica down`);

        const health = await httpGet(`${app!.url}/health`);
        assert.equal(health.status, 200, "a stopped replica does not fail the health check");
        assert.match(JSON.parse(health.body).checks.readReplica, /^read replica failed: .*ECONNREFUSED/);

        const restartedAt = Date.now();
        await standby!.start();
        await hit();
        const last = await primaryLastVisitId();
        await visitsUntil(
            "reads to return to the restarted replica",
            (answer) => answer.body.readFrom === "read-replica" && answer.body.lastVisitId === last,
            CHECK_INTERVAL_MS + SLACK_MS + 5000,
        );
        t.diagnostic(`reads back on the replica ${Date.now() - restartedAt} ms after its restart began`);
        assert.match(appLog(), /"msg":"reading from the read replica"/);
    });

    it("starts, healthy, with its read replica unreachable, and reads from the primary", async () => {
        const closedPort = await freePort();
        const lonely = await Replica.create({
            id: "no-replica",
            dir,
            databaseUrl: primary!.url,
            redisUrl: redis!.url,
            env: { DATABASE_READ_URL: `postgres://postgres@127.0.0.1:${closedPort}/postgres`, DATABASE_READ_TIMEOUT_MS: String(READ_TIMEOUT_MS) },
        });
        extraApps.push(lonely);
        const answer = await visits(lonely.url);
        assert.equal(answer.header, "primary");
        assert.equal(answer.body.lastVisitId, await primaryLastVisitId());
        assert.match(answer.body.readFallback ?? "", /^read replica failed: .*ECONNREFUSED/);
    });

    it("reads from the primary, saying nothing of a replica, when DATABASE_READ_URL is unset", async () => {
        const plain = await Replica.create({ id: "primary-only", dir, databaseUrl: primary!.url, redisUrl: redis!.url });
        extraApps.push(plain);
        const answer = await visits(plain.url);
        assert.equal(answer.header, "primary");
        assert.deepEqual(Object.keys(answer.body).sort(), ["lastVisitId", "readFrom", "replica", "visits"]);
        const health = await httpGet(`${plain.url}/health`);
        assert.deepEqual(JSON.parse(health.body).checks, { postgres: "ok", redis: "ok" });
    });
});
