import { docker, dockerSkipReason, LOCAL_IMAGES, startRecorded } from "../test/helpers/dockerEngine";
import { GATE_TYPE, gateReplica, ofType, replicasOf, rollOut, stackFile, tag } from "../test/helpers/dockerPlatform";
import { freePort } from "../test/helpers/processes";
import { isFailure, percentile, runLoad, startLoad } from "../test/helpers/load";
import { runIndex } from "../test/helpers/mocks";
import { waitForReplicasUp } from "../components/docker/rolloutGateProvider";

/**
 * `npm run bench:docker`: the docker stack (the real program's containers, three replicas,
 * HAProxy, Postgres, Valkey) on the local engine. Prints requests/s and p50/p99 direct to one
 * replica (its address on the stack network, reachable from the host) and through the HAProxy
 * container, then the time a rolling change of the 3 replicas takes (waves of 1, each gated
 * on HAProxy's stats) and the requests that failed during it. Then one JSON line.
 */

const REQUESTS = 3000;
const CONCURRENCY = 16;

async function measure(url: string) {
    await runLoad({ url, requests: 300, concurrency: CONCURRENCY });
    const started = performance.now();
    const outcomes = await runLoad({ url, requests: REQUESTS, concurrency: CONCURRENCY });
    const seconds = (performance.now() - started) / 1000;
    return { requests: outcomes.length, failed: outcomes.filter(isFailure).length, rps: Math.round(outcomes.length / seconds), p50Ms: +percentile(outcomes, 50).toFixed(1), p99Ms: +percentile(outcomes, 99).toFixed(1) };
}

async function main() {
    const reason = await dockerSkipReason();
    if (reason !== undefined) {
        console.error(`bench:docker: ${reason}`);
        process.exit(1);
    }
    tag(LOCAL_IMAGES.hits, "horizon-local/hits:bench-a");
    tag(LOCAL_IMAGES.hits, "horizon-local/hits:bench-b");
    const ports = { app: await freePort(), stats: await freePort() };
    const first = (await runIndex(stackFile(ports, "horizon-local/hits:bench-a"))).resources;
    const stack = await startRecorded(first);
    try {
        const statsUrl = String(ofType(first, GATE_TYPE)[0].rawInputs.statsUrl);
        const replicas = replicasOf(first).map((r) => stack.containers[r.name]);
        const gateReplicas = await Promise.all(replicas.map(gateReplica));
        await waitForReplicasUp({ statsUrl, backend: "app", replicas: gateReplicas, minReadySeconds: 3, readyTimeoutSeconds: 90, pollIntervalSeconds: 0.5 });
        const direct = await measure(`http://${gateReplicas[0].address}:8080/`);
        const haproxy = await measure(`http://127.0.0.1:${ports.app}/`);
        const next = (await runIndex(stackFile(ports, "horizon-local/hits:bench-b"))).resources;
        const load = startLoad({ url: `http://127.0.0.1:${ports.app}/`, concurrency: 4, requests: 1_000_000, thinkTimeMs: 5 });
        const started = performance.now();
        await rollOut(stack, first, next, "-b");
        const rolloutSeconds = +((performance.now() - started) / 1000).toFixed(1);
        const outcomes = await load.stop();
        const rollout = { seconds: rolloutSeconds, requests: outcomes.length, failed: outcomes.filter(isFailure).length };
        const engine = await docker.version();
        console.log(`docker engine ${engine.Version}; ${REQUESTS} requests at concurrency ${CONCURRENCY} after 300 warm-up; GET / (Postgres + Valkey per request)`);
        console.log(`direct to one replica   ${direct.rps} req/s  p50 ${direct.p50Ms} ms  p99 ${direct.p99Ms} ms  failed ${direct.failed}`);
        console.log(`through HAProxy (3)     ${haproxy.rps} req/s  p50 ${haproxy.p50Ms} ms  p99 ${haproxy.p99Ms} ms  failed ${haproxy.failed}`);
        console.log(`rolling change of 3     ${rollout.seconds} s (waves of 1, gated on HAProxy stats); ${rollout.requests} requests during it, ${rollout.failed} failed`);
        console.log(JSON.stringify({ direct, haproxy, rollout }));
    } finally {
        await stack.teardown();
    }
}

void main();
