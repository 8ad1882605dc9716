import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { countByReplica, describeFailures, httpGet, isFailure, runLoad } from "../helpers/load";
import { type DataPlane, type Haproxy, startDataPlane, startHaproxy, TEST_CHECK_TIMING, TEST_HEALTH_CHECK } from "../helpers/stack";

/** The replicas' shared state behind HAProxy: counting under concurrency, and a database outage. */

const SLACK_MS = 1500;

describe("shared state behind HAProxy", { timeout: 90_000 }, () => {
    let plane: DataPlane;
    let lb: Haproxy;

    before(async () => {
        plane = await startDataPlane({ replicaCount: 3, prefix: "horizon-data" });
        lb = await startHaproxy(plane.dir, plane.replicas, { algorithm: "round_robin" });
    });

    after(async () => {
        await lb?.stop();
        await plane?.stop();
    });

    async function visits(): Promise<number> {
        const [row] = await plane.postgres.query<{ count: string }>("SELECT count(*) FROM visits");
        return Number(row.count);
    }

    it("1,000 concurrent hits across replicas add exactly 1,000 to the counter and to the visits", async () => {
        const hitsBefore = await plane.redis.integer("hits");
        const visitsBefore = await visits();
        const outcomes = await runLoad({ url: `${lb.url}/`, requests: 1000, concurrency: 1000, timeoutMs: 30_000 });
        assert.equal(outcomes.filter(isFailure).length, 0, describeFailures(outcomes));
        assert.equal(countByReplica(outcomes).size, 3);
        assert.equal((await plane.redis.integer("hits")) - hitsBefore, 1000);
        assert.equal((await visits()) - visitsBefore, 1000);
    });

    it("with Postgres stopped every replica fails its health check and the balancer answers 503 at once; it recovers without restarts", async () => {
        const pids = plane.replicas.map((replica) => replica.process.pid);
        await plane.postgres.stop();
        try {
            for (const replica of plane.replicas) {
                const health = await httpGet(`${replica.url}/health`);
                assert.equal(health.status, 503, `replica ${replica.id}`);
                const body = JSON.parse(health.body) as { status: string; checks: { postgres: string; redis: string } };
                assert.equal(body.status, "unavailable");
                assert.notEqual(body.checks.postgres, "ok");
                assert.equal(body.checks.redis, "ok");
            }
            const outWithinMs = TEST_CHECK_TIMING.intervalMs * TEST_HEALTH_CHECK.unhealthyThreshold + SLACK_MS;
            for (const replica of plane.replicas) {
                await lb.waitForState(replica.id, "DOWN", outWithinMs);
            }
            const started = Date.now();
            const res = await httpGet(`${lb.url}/`, { timeoutMs: 10_000 });
            const answeredMs = Date.now() - started;
            assert.equal(res.status, 503);
            assert.ok(answeredMs < 1000, `the balancer took ${answeredMs} ms to answer 503`);
            assert.equal((await httpGet(`${lb.url}/haproxy-health`)).status, 503, "the node reports itself down");
        } finally {
            await plane.postgres.start();
        }

        for (const replica of plane.replicas) {
            await lb.waitForState(replica.id, "UP", TEST_CHECK_TIMING.intervalMs * TEST_HEALTH_CHECK.healthyThreshold + 5000);
        }
        const outcomes = await runLoad({ url: `${lb.url}/`, requests: 30, concurrency: 3 });
        assert.equal(outcomes.filter(isFailure).length, 0, describeFailures(outcomes));
        assert.equal((await httpGet(`${lb.url}/haproxy-health`)).status, 200);
        assert.deepEqual(
            plane.replicas.map((replica) => replica.process.pid),
            pids,
            "the same processes serve again",
        );
    });
});
