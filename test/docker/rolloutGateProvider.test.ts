import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { checkRolloutGateInputs, parseHaproxyStats, waitForReplicasUp } from "../../components/docker/rolloutGateProvider";

// HAProxy 2.6's CSV header as served at /stats;csv (with stats show-legends), trimmed to the
// columns in the order HAProxy prints them up to addr; the parser reads columns by name.
const HEADER = "# pxname,svname,qcur,status,weight,check_status,check_code,last_chk,addr,";
const row = (svname: string, status: string, addr: string, check = ["L7OK", "200", "OK"]) => `app,${svname},0,${status},1,${check.join(",")},${addr},`;

describe("the RolloutGate's provider, against a local server serving HAProxy stats CSV", () => {
    let body = "";
    let status = 200;
    const server = http.createServer((_req, res) => {
        res.writeHead(status, { "Content-Type": "text/plain" });
        res.end(body);
    });
    let url = "";
    before(async () => {
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats;csv`;
    });
    after(() => server.close());
    const replicas = [
        { name: "hits-local-app-0-a1", address: "172.18.0.5" },
        { name: "hits-local-app-1-b2", address: "172.18.0.6" },
    ];
    const options = { backend: "app", replicas, minReadySeconds: 0.3, readyTimeoutSeconds: 2, pollIntervalSeconds: 0.05 };

    it("reads server rows by header name and skips FRONTEND/BACKEND lines", () => {
        const rows = parseHaproxyStats([HEADER, "app,FRONTEND,,OPEN,,,,,,", row("replica1", "UP", "172.18.0.5:8080"), "app,BACKEND,0,UP,1,,,,,"].join("\n"));
        assert.deepEqual(rows, [{ pxname: "app", svname: "replica1", status: "UP", addr: "172.18.0.5:8080", checkStatus: "L7OK", checkCode: "200", lastCheck: "OK" }]);
        assert.equal(parseHaproxyStats("<html>not csv</html>"), undefined);
    });

    it("opens once every replica of the wave has been UP for minReadySeconds, matched by address", async () => {
        status = 200;
        body = [HEADER, row("replica1", "UP", "172.18.0.6:8080"), row("replica2", "UP", "172.18.0.5:8080"), row("replica3", "MAINT (resolution)", "")].join("\n");
        const up = await waitForReplicasUp({ ...options, statsUrl: url });
        assert.deepEqual(up.servers, { "hits-local-app-0-a1": "replica2", "hits-local-app-1-b2": "replica1" });
        assert.ok(up.polls >= 2, "minReadySeconds needs more than one poll");
    });

    it("fails after the timeout naming the container and HAProxy's last check when a replica stays DOWN", async () => {
        status = 200;
        body = [HEADER, row("replica1", "UP", "172.18.0.5:8080"), row("replica2", "DOWN", "172.18.0.6:8080", ["L7STS", "503", "Layer7 wrong status"])].join("\n");
        await assert.rejects(waitForReplicasUp({ ...options, statsUrl: url, readyTimeoutSeconds: 0.5 }), {
            message: new RegExp(
                "^RolloutGate: 1 of 2 new replicas were not UP in HAProxy \\(backend app, .*\\) for 0.3 s within 0.5 s: " +
                    "container hits-local-app-1-b2 \\(172.18.0.6\\): replica2 is DOWN, last check: L7STS 503 Layer7 wrong status\\.",
            ),
        });
    });

    it("does not count a replica that is UP only going down (UP 1/2), and says when stats cannot be read", async () => {
        body = [HEADER, row("replica1", "UP 1/2", "172.18.0.5:8080"), row("replica2", "UP", "172.18.0.6:8080")].join("\n");
        await assert.rejects(waitForReplicasUp({ ...options, statsUrl: url, readyTimeoutSeconds: 0.5 }), /hits-local-app-0-a1 \(172\.18\.0\.5\): replica1 is UP 1\/2/);
        status = 503;
        await assert.rejects(waitForReplicasUp({ ...options, statsUrl: url, readyTimeoutSeconds: 0.3 }), /The last stats request failed: HTTP 503 without HAProxy stats CSV/);
    });

    it("rejects timing inputs that could never open, naming the input", () => {
        assert.deepEqual(checkRolloutGateInputs({ minReadySeconds: 60, readyTimeoutSeconds: 30, pollIntervalSeconds: 0 }), [
            { property: "readyTimeoutSeconds", reason: "30 is not longer than minReadySeconds (60), so the gate could never open" },
            { property: "pollIntervalSeconds", reason: "0 must be more than 0 seconds" },
        ]);
    });
});
