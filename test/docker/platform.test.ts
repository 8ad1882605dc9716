import * as assert from "node:assert/strict";
import { test } from "node:test";
import { waitForReplicasUp } from "../../components/docker/rolloutGateProvider";
import { docker, dockerSkipReason, LOCAL_IMAGES, startRecorded, waitFor } from "../helpers/dockerEngine";
import { GATE_TYPE, gateReplica, MEMORY_MB, ofType, replicasOf, rollOut, stackFile, tag } from "../helpers/dockerPlatform";
import { freePort } from "../helpers/processes";
import { countByReplica, isFailure, runLoad, startLoad } from "../helpers/load";
import { runIndex } from "../helpers/mocks";

// The real program (index.ts) for a docker stack, recorded under Pulumi's mocks, then started
// on the local Docker engine exactly as registered: HAProxy finds the replicas through Docker's
// DNS, and the rollout steps a second `pulumi up` would take are applied for real.

const IMAGE_A = "horizon-local/hits:platform-a";
const IMAGE_B = "horizon-local/hits:platform-b";

test("the docker stack runs for real: balanced, self-healing, rolled under load, gated on HAProxy", { timeout: 420_000 }, async (t) => {
    const reason = await dockerSkipReason();
    if (reason !== undefined) {
        t.skip(reason);
        return;
    }
    tag(LOCAL_IMAGES.hits, IMAGE_A);
    tag(LOCAL_IMAGES.hits, IMAGE_B);
    const ports = { app: await freePort(), stats: await freePort() };
    const url = `http://127.0.0.1:${ports.app}/`;
    const first = (await runIndex(stackFile(ports, IMAGE_A))).resources;
    const stack = await startRecorded(first);
    let current = first;
    try {
        const statsUrl = String(ofType(first, GATE_TYPE)[0].rawInputs.statsUrl);
        const replicas = () => replicasOf(current).map((r) => stack.containers[r.name]);

        await t.test("HAProxy sees every replica UP through Docker's DNS", { timeout: 90_000 }, async () => {
            await waitForReplicasUp({
                statsUrl,
                backend: "app",
                replicas: await Promise.all(replicas().map(gateReplica)),
                // Past HAProxy's slowstart (minReadySeconds), so every replica takes its full share.
                minReadySeconds: 3,
                readyTimeoutSeconds: 80,
                pollIntervalSeconds: 0.5,
            });
        });

        await t.test("requests spread over the 3 replicas", { timeout: 30_000 }, async () => {
            const outcomes = await runLoad({ url, concurrency: 6, requests: 300 });
            assert.equal(outcomes.filter(isFailure).length, 0, JSON.stringify(outcomes.find(isFailure)));
            const counts = countByReplica(outcomes);
            assert.deepEqual([...counts.keys()].sort(), ["hits-local-0", "hits-local-1", "hits-local-2"]);
            for (const [replica, n] of counts) assert.ok(n >= 30, `${replica} served only ${n} of 300`);
        });

        await t.test("SIGKILL of a replica under load costs no request, and the restart policy brings it back", { timeout: 60_000 }, async () => {
            const victim = replicas()[1];
            const before = await docker.inspect(victim.id);
            const load = startLoad({ url, concurrency: 4, requests: 20_000, thinkTimeMs: 5 });
            await new Promise((r) => setTimeout(r, 1000));
            process.kill(before.State.Pid, "SIGKILL");
            // Running comes a moment before the restarted container's address is back on its network.
            await waitFor("the replica to be restarted with an address", async () => {
                const s = await docker.inspect(victim.id);
                const address = Object.values(s.NetworkSettings.Networks)[0]?.IPAddress ?? "";
                return s.RestartCount > before.RestartCount && s.State.Running && address !== "" ? s : undefined;
            });
            await waitForReplicasUp({ statsUrl, backend: "app", replicas: [await gateReplica(victim)], minReadySeconds: 0, readyTimeoutSeconds: 40, pollIntervalSeconds: 0.5 });
            const outcomes = await load.stop();
            assert.ok(outcomes.length > 50, `only ${outcomes.length} requests`);
            assert.equal(outcomes.filter(isFailure).length, 0, JSON.stringify(outcomes.filter(isFailure).slice(0, 3)));
        });

        await t.test("a rolling image change under load: new replicas gated on HAProxy, then the old removed, 0 non-2xx", { timeout: 120_000 }, async () => {
            const next = (await runIndex(stackFile(ports, IMAGE_B))).resources;
            assert.equal(replicasOf(next).filter((r) => r.rawInputs.image !== replicasOf(current).find((o) => o.name === r.name)?.rawInputs.image).length, 3);
            const oldIds = replicas().map((c) => c.id);
            const load = startLoad({ url, concurrency: 4, requests: 50_000, thinkTimeMs: 5 });
            await rollOut(stack, current, next, "-b");
            await new Promise((r) => setTimeout(r, 1000));
            const outcomes = await load.stop();
            current = next;
            assert.ok(outcomes.length > 500, `only ${outcomes.length} requests`);
            assert.equal(outcomes.filter(isFailure).length, 0, JSON.stringify(outcomes.filter(isFailure).slice(0, 3)));
            for (const id of oldIds) await assert.rejects(docker.inspect(id), /404/);
            // Both tags name one image, so the replicas are told apart by the run that created them.
            assert.deepEqual(replicas().map((c) => c.name.endsWith("-b")), [true, true, true]);
            assert.equal(countByReplica(outcomes.slice(-200)).size, 3);
        });

        await t.test("a replica that never becomes healthy stops the rollout; the old replicas keep serving", { timeout: 60_000 }, async () => {
            const broken = (await runIndex(stackFile(ports, IMAGE_B, { DRAIN_TIMEOUT_MS: "soon" }))).resources;
            const load = startLoad({ url, concurrency: 4, requests: 50_000, thinkTimeMs: 5 });
            const oldIds = replicas().map((c) => c.id);
            // The stack's readyTimeoutSeconds is at least 30 s; the test waits 12 s to stay short.
            await assert.rejects(rollOut(stack, current, broken, "-c", 12), (error: Error) => {
                assert.match(error.message, /RolloutGate: 1 of 1 new replicas were not UP in HAProxy/);
                assert.match(error.message, new RegExp(`container ${stack.prefix}hits-local-app-0-c \\(`));
                // Depending on when the deadline falls: not resolved yet, down, or up but failing its checks (going
                // down): refused while the container restarts, or timed out while its address has no container.
                assert.match(error.message, /not in HAProxy's backend yet|is DOWN|is MAINT|is UP \d+\/\d+, last check: L4(CON|TOUT)/);
                return true;
            });
            const outcomes = await load.stop();
            assert.equal(outcomes.filter(isFailure).length, 0, JSON.stringify(outcomes.filter(isFailure).slice(0, 3)));
            for (const id of oldIds) assert.equal((await docker.inspect(id)).State.Running, true);
            assert.equal(countByReplica(outcomes).size, 3);
        });

        await t.test("the memory limit is enforced", { timeout: 60_000 }, async () => {
            const replica = replicas()[0];
            assert.equal((await docker.inspect(replica.id)).HostConfig.Memory, MEMORY_MB * 1024 * 1024);
            const grow = "const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))";
            const result = await docker.exec(replica.id, ["node", "-e", grow], { timeoutMs: 50_000 });
            assert.equal(result.exitCode, 137, `exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`);
        });

        await t.test("Postgres stopped gives fast 503s; started again, the app recovers without restarts", { timeout: 90_000 }, async () => {
            const pg = stack.containers["hits-local-pg-container"];
            const restarts = await Promise.all(replicas().map(async (c) => (await docker.inspect(c.id)).RestartCount));
            await docker.stop(pg.id, 10);
            const down = await runLoad({ url, concurrency: 2, requests: 20 });
            assert.ok(down.every((o) => o.status === 503), JSON.stringify(down.slice(0, 3)));
            assert.ok(Math.max(...down.map((o) => o.latencyMs)) < 3000, `slowest 503 took ${Math.max(...down.map((o) => o.latencyMs))} ms`);
            await docker.start(pg.id);
            await waitFor("the app to serve again", async () => ((await runLoad({ url, concurrency: 1, requests: 1 }))[0].status === 200 ? true : undefined), 60_000);
            const after = await Promise.all(replicas().map(async (c) => (await docker.inspect(c.id)).RestartCount));
            assert.deepEqual(after, restarts);
        });

        await t.test("data written survives the Postgres container's replacement (named volume)", { timeout: 90_000 }, async () => {
            const psql = (id: string, sql: string) => docker.exec(id, ["psql", "-X", "-At", "-U", "app", "-d", "app", "-c", sql], { user: "postgres" });
            const write = await psql(stack.containers["hits-local-pg-container"].id, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives');");
            assert.equal(write.exitCode, 0, write.stderr);
            const replaced = await stack.replace("hits-local-pg-container");
            const read = await waitFor("Postgres to answer", async () => {
                const r = await psql(replaced.id, "SELECT note FROM kept;");
                return r.exitCode === 0 ? r : undefined;
            }, 60_000);
            assert.equal(read.stdout.trim(), "survives");
        });
    } finally {
        await stack.teardown();
    }
});
