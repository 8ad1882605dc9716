import * as os from "node:os";
import { DEFAULT_HEALTH_CHECK } from "../components/config/schema";
import { isFailure, type Outcome, percentile, runLoad, startLoad } from "../test/helpers/load";
import { freePorts, waitFor } from "../test/helpers/processes";
import { type DataPlane, Haproxy, Nginx, type Replica, startDataPlane } from "../test/helpers/stack";

/**
 * `npm run bench:lb`: three replicas of the sample app (with Postgres and Redis), reached
 * directly, through HAProxy with the rendered config, and through nginx configured the way
 * most tutorials do it. Prints a table, then one JSON line with every figure. Load generator,
 * balancers and replicas share this machine, so compare rows with each other, not with other
 * machines.
 */

const REQUESTS = 3000;
const CONCURRENCY = 32;
const WARM_UP_REQUESTS = 300;

interface Figures {
    readonly requests: number;
    readonly failed: number;
    readonly rps: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
}

async function measure(url: string): Promise<Figures> {
    await runLoad({ url, requests: WARM_UP_REQUESTS, concurrency: CONCURRENCY });
    const started = performance.now();
    const outcomes = await runLoad({ url, requests: REQUESTS, concurrency: CONCURRENCY });
    return figures(outcomes, performance.now() - started);
}

/** A steady load during which `victim` is killed with SIGKILL halfway through. */
async function measureKill(url: string, victim: Replica): Promise<Figures> {
    await runLoad({ url, requests: WARM_UP_REQUESTS, concurrency: CONCURRENCY });
    const started = performance.now();
    const load = startLoad({ url, requests: REQUESTS, concurrency: CONCURRENCY });
    await waitFor("half the requests", async () => (load.outcomes.length >= REQUESTS / 2 ? true : undefined), { timeoutMs: 60_000, intervalMs: 5 });
    victim.process.kill();
    const outcomes = await load.done;
    const result = figures(outcomes, performance.now() - started);
    await victim.start();
    return result;
}

function figures(outcomes: readonly Outcome[], elapsedMs: number): Figures {
    return {
        requests: outcomes.length,
        failed: outcomes.filter(isFailure).length,
        rps: Math.round((outcomes.length / elapsedMs) * 1000),
        p50Ms: round(percentile(outcomes, 50)),
        p99Ms: round(percentile(outcomes, 99)),
    };
}

function round(ms: number): number {
    return Math.round(ms * 100) / 100;
}

function table(rows: readonly [string, Figures][]): string {
    const header = ["", "requests", "failed", "req/s", "p50 ms", "p99 ms"];
    const lines = rows.map(([name, f]) => [name, String(f.requests), String(f.failed), String(f.rps), f.p50Ms.toFixed(2), f.p99Ms.toFixed(2)]);
    const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((line) => line[i].length)));
    const format = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
    return [format(header), ...lines.map(format)].join("\n");
}

async function main(): Promise<void> {
    let plane: DataPlane | undefined;
    let haproxy: Haproxy | undefined;
    let nginx: Nginx | undefined;
    try {
        plane = await startDataPlane({ replicaCount: 3, prefix: "horizon-bench" });
        const servers = plane.replicas.map((replica) => ({ name: replica.id, host: "127.0.0.1", port: replica.port }));
        const [haproxyPort, statsPort, nginxPort] = await freePorts(3);
        const { path, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold } = DEFAULT_HEALTH_CHECK;
        haproxy = await Haproxy.start(plane.dir, {
            listenPort: haproxyPort,
            statsPort,
            algorithm: "round_robin",
            servers,
            healthCheck: { path, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold },
        });
        nginx = await Nginx.start(plane.dir, nginxPort, servers);

        const direct = await measure(`${plane.replicas[0].url}/`);
        const viaHaproxy = await measure(`${haproxy.url}/`);
        const viaNginx = await measure(`${nginx.url}/`);
        const victim = plane.replicas[2];
        const haproxyKill = await measureKill(`${haproxy.url}/`, victim);
        const nginxKill = await measureKill(`${nginx.url}/`, victim);

        console.log(`${REQUESTS} requests per row at concurrency ${CONCURRENCY} after ${WARM_UP_REQUESTS} warm-up requests; GET / (Postgres INSERT, fsync off, + Redis INCR); ${os.cpus().length} CPUs, Node ${process.version}`);
        console.log(
            table([
                ["direct, 1 replica", direct],
                ["haproxy round_robin, 3 replicas", viaHaproxy],
                ["nginx upstream, 3 replicas", viaNginx],
                ["haproxy, 1 of 3 killed midway", haproxyKill],
                ["nginx, 1 of 3 killed midway", nginxKill],
            ]),
        );
        console.log(
            JSON.stringify({
                requests: REQUESTS,
                concurrency: CONCURRENCY,
                warmUp: WARM_UP_REQUESTS,
                cpus: os.cpus().length,
                node: process.version,
                direct,
                haproxy: viaHaproxy,
                nginx: viaNginx,
                haproxyKill,
                nginxKill,
            }),
        );
    } finally {
        await nginx?.stop();
        await haproxy?.stop();
        await plane?.stop();
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
});
