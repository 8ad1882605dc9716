import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { countByReplica, describeFailures, httpGet, isFailure, runLoad } from "../helpers/load";
import { type DataPlane, type Haproxy, startDataPlane, startHaproxy } from "../helpers/stack";

/** Each algorithm of the rendered haproxy.cfg, run by a real HAProxy in front of three replicas. */

describe("load balancing algorithms through HAProxy", { timeout: 90_000 }, () => {
    let plane: DataPlane;
    const balancers: Haproxy[] = [];
    const slowProxies: http.Server[] = [];

    before(async () => {
        plane = await startDataPlane({ replicaCount: 3, prefix: "horizon-balancing" });
    });

    after(async () => {
        await Promise.all(balancers.map((balancer) => balancer.stop()));
        for (const proxy of slowProxies) {
            proxy.closeAllConnections();
            proxy.close();
        }
        await plane?.stop();
    });

    async function balancer(overrides: Parameters<typeof startHaproxy>[2]): Promise<Haproxy> {
        const started = await startHaproxy(plane.dir, plane.replicas, overrides);
        balancers.push(started);
        return started;
    }

    it("round_robin gives each replica 100 ± 10 of 300 requests", async () => {
        const lb = await balancer({ algorithm: "round_robin" });
        const outcomes = await runLoad({ url: `${lb.url}/`, requests: 300, concurrency: 6 });
        assert.equal(outcomes.filter(isFailure).length, 0, describeFailures(outcomes));
        const counts = countByReplica(outcomes);
        assert.deepEqual([...counts.keys()].sort(), ["a", "b", "c"]);
        for (const [replica, count] of counts) {
            assert.ok(Math.abs(count - 100) <= 10, `replica ${replica} answered ${count} of 300`);
        }
    });

    it("source sends every request from one client address to one replica", async () => {
        const lb = await balancer({ algorithm: "source" });
        const outcomes = await runLoad({ url: `${lb.url}/`, requests: 60, concurrency: 4 });
        assert.equal(outcomes.filter(isFailure).length, 0, describeFailures(outcomes));
        assert.equal(countByReplica(outcomes).size, 1, `answered by ${[...countByReplica(outcomes).keys()].join(", ")}`);
        assert.deepEqual([...(await lb.serverStates()).values()].map((state) => state.split(" ")[0]), ["UP", "UP", "UP"]);
    });

    it("a sticky cookie pins a browser that sends it back, and only that browser", async () => {
        const lb = await balancer({ algorithm: "round_robin", stickySessions: { cookieName: "horizon", ttlSeconds: 60 } });
        const first = await httpGet(`${lb.url}/`);
        const setCookie = first.headers["set-cookie"]?.[0] ?? "";
        const cookie = /^horizon=[^;]+/.exec(setCookie)?.[0];
        assert.ok(cookie, `no horizon cookie in ${JSON.stringify(first.headers["set-cookie"])}`);
        // The server's name, then the dates HAProxy adds to enforce maxlife.
        assert.match(cookie, new RegExp(`^horizon=${first.headers["x-replica"]}\\|`));

        const pinned = await runLoad({ url: `${lb.url}/`, requests: 30, concurrency: 3, headers: { Cookie: cookie } });
        assert.equal(pinned.filter(isFailure).length, 0, describeFailures(pinned));
        assert.deepEqual([...countByReplica(pinned).keys()], [first.headers["x-replica"]]);

        const anonymous = await runLoad({ url: `${lb.url}/`, requests: 30, concurrency: 3 });
        assert.equal(countByReplica(anonymous).size, 3, "without the cookie, requests spread");
    });

    it("least_connections sends little to a replica that answers slowly", async (t) => {
        const slow = await startSlowProxy(plane.replicas[2].port, 250);
        slowProxies.push(slow.server);
        const lb = await balancer({
            algorithm: "least_connections",
            servers: [
                { name: "a", host: "127.0.0.1", port: plane.replicas[0].port },
                { name: "b", host: "127.0.0.1", port: plane.replicas[1].port },
                { name: "slow-c", host: "127.0.0.1", port: slow.port },
            ],
        });
        const outcomes = await runLoad({ url: `${lb.url}/`, requests: 150, concurrency: 12 });
        assert.equal(outcomes.filter(isFailure).length, 0, describeFailures(outcomes));
        const counts = countByReplica(outcomes);
        t.diagnostic(`answered by ${JSON.stringify(Object.fromEntries(counts))}`);
        // Round robin would give the slow replica a third (50); least connections keeps it near its share of free slots.
        assert.ok((counts.get("c") ?? 0) < 15, `the slow replica answered ${counts.get("c") ?? 0} of 150: ${JSON.stringify(Object.fromEntries(counts))}`);
    });
});

/** A replica that takes `delayMs` longer to answer: a proxy that waits before forwarding. */
async function startSlowProxy(targetPort: number, delayMs: number): Promise<{ server: http.Server; port: number }> {
    const agent = new http.Agent({ keepAlive: true });
    const server = http.createServer(async (req, res) => {
        await sleep(delayMs);
        const upstream = http.request({ host: "127.0.0.1", port: targetPort, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on("error", () => res.destroy());
        req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    server.on("close", () => agent.destroy());
    return { server, port: (server.address() as AddressInfo).port };
}
