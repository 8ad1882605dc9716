import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { describeFailures, isFailure, type Load, startLoad } from "../helpers/load";
import { waitFor } from "../helpers/processes";
import { type DataPlane, type Haproxy, startDataPlane, startHaproxy, TEST_CHECK_TIMING, TEST_HEALTH_CHECK } from "../helpers/stack";

/** Replicas dying and restarting behind the rendered haproxy.cfg while clients keep sending. */

const INTERVAL_MS = TEST_CHECK_TIMING.intervalMs;
const { healthyThreshold, unhealthyThreshold } = TEST_HEALTH_CHECK;
const MIN_READY_SECONDS = 2;
/** Stats are polled every 50 ms; the rest covers a busy two-core machine. */
const SLACK_MS = 1500;
/** Long enough for HAProxy to see the failing health check before the listener closes. */
const SHUTDOWN_DELAY_MS = INTERVAL_MS * unhealthyThreshold + 1000;

describe("failover through HAProxy", { timeout: 120_000 }, () => {
    let plane: DataPlane;
    let lb: Haproxy;
    let load: Load | undefined;

    before(async () => {
        plane = await startDataPlane({
            replicaCount: 3,
            prefix: "horizon-failover",
            replicaEnv: { SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS) },
        });
        lb = await startHaproxy(plane.dir, plane.replicas, { algorithm: "round_robin", minReadySeconds: MIN_READY_SECONDS });
    });

    after(async () => {
        await load?.stop();
        await lb?.stop();
        await plane?.stop();
    });

    function steadyLoad(): Load {
        load = startLoad({ url: `${lb.url}/`, concurrency: 8, thinkTimeMs: 10, requests: 50_000 });
        return load;
    }

    it("a replica killed under load costs no request, leaves rotation in time and comes back", async (t) => {
        const traffic = steadyLoad();
        await waitFor("traffic to flow", async () => (traffic.outcomes.length >= 200 ? true : undefined), { timeoutMs: 10_000 });

        const victim = plane.replicas[1];
        const killedAt = Date.now();
        victim.process.kill();
        await lb.waitForState(victim.id, "DOWN", 10_000);
        const outAfterMs = Date.now() - killedAt;
        assert.ok(
            outAfterMs <= INTERVAL_MS * unhealthyThreshold + SLACK_MS,
            `out of rotation after ${outAfterMs} ms; expected within ${INTERVAL_MS} ms x ${unhealthyThreshold} + ${SLACK_MS} ms`,
        );

        await victim.start();
        const upAfterMs = await lb.waitForState(victim.id, "UP", 10_000);
        assert.ok(
            upAfterMs <= INTERVAL_MS * healthyThreshold + SLACK_MS,
            `back in rotation ${upAfterMs} ms after it was healthy; expected within ${INTERVAL_MS} ms x ${healthyThreshold} + ${SLACK_MS} ms`,
        );
        const backFrom = traffic.outcomes.length;
        await waitFor(
            "the restarted replica to get traffic again",
            async () => (traffic.outcomes.slice(backFrom).some((outcome) => outcome.replica === victim.id) ? true : undefined),
            { timeoutMs: MIN_READY_SECONDS * 1000 + SLACK_MS },
        );

        const outcomes = await traffic.stop();
        t.diagnostic(`out of rotation after ${outAfterMs} ms, back ${upAfterMs} ms after healthy, ${outcomes.length} requests`);
        assert.equal(outcomes.filter(isFailure).length, 0, `${outcomes.length} requests: ${describeFailures(outcomes)}`);
    });

    it("a rolling restart of every replica under load answers every request with 2xx", async (t) => {
        const traffic = steadyLoad();
        await waitFor("traffic to flow", async () => (traffic.outcomes.length >= 200 ? true : undefined), { timeoutMs: 10_000 });
        for (const replica of plane.replicas) {
            assert.equal(await replica.stop("SIGTERM"), 0, `replica ${replica.id} exit code`);
            await lb.waitForState(replica.id, "DOWN", 1000);
            await replica.start();
            await lb.waitForState(replica.id, "UP", 10_000);
        }
        const outcomes = await traffic.stop();
        t.diagnostic(`${outcomes.length} requests during the restart`);
        assert.equal(outcomes.filter(isFailure).length, 0, `${outcomes.length} requests: ${describeFailures(outcomes)}`);
        assert.ok(outcomes.length >= 1000, `only ${outcomes.length} requests were sent during the restart`);
    });
});
