import * as assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
    type HealthGateInputs,
    type HealthGateOutputs,
    checkHealthGateInputs,
    createHealthGateProvider,
    parseHealthSeries,
    resolveApiAccess,
    waitForHealthyDroplets,
} from "../../components/digitalocean/healthGateProvider";

import { type FakeApi, LB, matrix, type Reply, startFakeApi, TOKEN } from "../helpers/fakeDigitalOcean";

/** Time that moves only when the code under test sleeps, so minutes of waiting take no time. */
function virtualClock(startMs = 1_760_000_000_000) {
    let now = startMs;
    const sleeps: number[] = [];
    return {
        startMs,
        sleeps,
        now: () => now,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            now += ms;
        },
    };
}

function waitOptions(api: FakeApi, overrides: Partial<Parameters<typeof waitForHealthyDroplets>[0]> = {}) {
    return {
        apiUrl: api.url,
        token: TOKEN,
        loadBalancerId: LB,
        dropletIds: ["101", "102"],
        minReadySeconds: 3,
        readyTimeoutSeconds: 60,
        pollIntervalSeconds: 1,
        ...overrides,
    };
}

describe("waitForHealthyDroplets", () => {
    it("resolves once every droplet has stayed healthy for minReadySeconds, asking with the token and the query DigitalOcean expects", async () => {
        const api = await startFakeApi(() => matrix({ "101": 100, "102": 100 }));
        const started = Date.now();

        const healthy = await waitForHealthyDroplets(waitOptions(api, { minReadySeconds: 1, pollIntervalSeconds: 0.1, readyTimeoutSeconds: 10 }));

        // Ready means samples at least minReadySeconds apart: with one sample a second, that takes more than one poll.
        assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
        assert.deepEqual(healthy.dropletIds, ["101", "102"]);
        assert.ok(healthy.polls > 1, "one healthy poll was taken as proof of minReadySeconds");
        assert.ok(Date.parse(healthy.readyAt) - Date.parse(healthy.healthySince["101"]) >= 1000, JSON.stringify(healthy));
        const first = api.requests[0];
        assert.equal(first.authorization, `Bearer ${TOKEN}`);
        assert.equal(first.query.get("lb_id"), LB);
        const [start, end] = [Number(first.query.get("start")), Number(first.query.get("end"))];
        assert.ok(Math.abs(end - Date.now() / 1000) < 5, `end ${end} is not the present`);
        assert.equal(end - start, 600);
    });

    it("counts a droplet missing from the metrics as not yet healthy", async () => {
        const api = await startFakeApi((call) => (call < 3 ? matrix({ "101": 100 }) : matrix({ "101": 100, "102": 100 })));
        const clock = virtualClock();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), now: clock.now, sleep: clock.sleep });

        assert.equal(healthy.healthySince["102"], new Date(clock.startMs + 2000).toISOString());
        assert.equal(healthy.readyAt, new Date(clock.startMs + 5000).toISOString());
        assert.equal(healthy.polls, 6);
    });

    it("restarts a droplet's clock when it turns unhealthy between polls", async () => {
        const api = await startFakeApi((call) => matrix({ "101": call === 3 ? 0 : 100, "102": 100 }));
        const clock = virtualClock();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), now: clock.now, sleep: clock.sleep });

        assert.equal(healthy.healthySince["101"], new Date(clock.startMs + 3000).toISOString());
        assert.equal(healthy.healthySince["102"], new Date(clock.startMs).toISOString());
        assert.equal(healthy.readyAt, new Date(clock.startMs + 6000).toISOString());
        assert.equal(healthy.polls, 7);
    });

    it("rejects a droplet that keeps flapping once readyTimeoutSeconds have passed", async () => {
        const api = await startFakeApi((call) => matrix({ "101": call % 2 === 1 ? 100 : 50, "102": 100 }));
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), readyTimeoutSeconds: 10, now: clock.now, sleep: clock.sleep }),
            (error: Error) => {
                assert.match(error.message, /1 of 2 droplets behind load balancer lb-4de7ac8b were not healthy for 3 s within 10 s \(11 successful polls\)/);
                assert.match(error.message, /droplet 101: healthy for 0 s only\./);
                assert.doesNotMatch(error.message, /droplet 102/);
                return true;
            },
        );
        assert.equal(clock.now(), clock.startMs + 10_000);
    });

    it("rejects after readyTimeoutSeconds naming every droplet that never became healthy and what was last seen", async () => {
        const api = await startFakeApi(() => matrix({ "101": 0, "103": 100 }));
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), dropletIds: ["101", "102", "103"], readyTimeoutSeconds: 30, now: clock.now, sleep: clock.sleep }),
            (error: Error) => {
                assert.match(error.message, /^HealthGate: 2 of 3 droplets behind load balancer lb-4de7ac8b were not healthy for 3 s within 30 s/);
                assert.match(error.message, /droplet 101: 0% of health checks passing; droplet 102: no health data yet\./);
                assert.doesNotMatch(error.message, /droplet 103/);
                assert.match(error.message, /old droplets keep serving/);
                return true;
            },
        );
        assert.equal(api.requests.length, 31);
    });

    it("matches series labelled by droplet name or private IP, with or without a port, under any label, through the fleet tag's droplets", async () => {
        const droplets = [
            { id: 101, name: "hits-us-east-fleet-droplet-0", privateIp: "10.110.0.5" },
            { id: 102, name: "hits-us-east-fleet-droplet-1", privateIp: "10.110.0.6" },
        ];
        for (const [label, byId] of [
            ["server", { "101": "hits-us-east-fleet-droplet-0", "102": "hits-us-east-fleet-droplet-1" }],
            ["server", { "101": "10.110.0.5:8080", "102": "10.110.0.6" }],
            ["node", { "101": "10.110.0.5", "102": "hits-us-east-fleet-droplet-1" }],
        ] as const) {
            const api = await startFakeApi(() => matrix({ [byId["101"]]: 100, [byId["102"]]: 100 }, label), TOKEN, droplets);
            const clock = virtualClock();

            const healthy = await waitForHealthyDroplets({ ...waitOptions(api), fleetTag: "hits-test-us-east-fleet", now: clock.now, sleep: clock.sleep });

            assert.deepEqual(healthy.dropletIds, ["101", "102"], JSON.stringify(byId));
            assert.equal(healthy.readyAt, new Date(clock.startMs + 3000).toISOString());
            const listing = api.requests.find((r) => r.path === "/v2/droplets");
            assert.equal(listing?.query.get("tag_name"), "hits-test-us-east-fleet");
        }
    });

    it("counts minReadySeconds between distinct samples, not between polls of the same sample", async () => {
        const fixed = { ...matrix({ "101": 100, "102": 100 }), relativeSamples: false };
        const api = await startFakeApi(() => fixed);
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), readyTimeoutSeconds: 20, now: clock.now, sleep: clock.sleep }),
            /droplet 101: healthy for 0 s only; droplet 102: healthy for 0 s only\./,
        );
        assert.ok(api.requests.length > 10, "expected many reads of the same sample");
    });

    it("fails at once, with the labels it saw, when series arrive and none names a droplet of the fleet", async () => {
        const droplets = [{ id: 101, name: "hits-us-east-fleet-droplet-0", privateIp: "10.110.0.5" }];
        const api = await startFakeApi(() => matrix({ "node-a7f3": 100 }, "server"), TOKEN, droplets);
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), fleetTag: "hits-test-us-east-fleet", readyTimeoutSeconds: 600, now: clock.now, sleep: clock.sleep }),
            (error: Error) => {
                assert.match(error.message, /none names a droplet tagged hits-test-us-east-fleet by id, name or private IP in any label \(droplet_id, host_id, server first\); seen: \{lb_id="lb-4de7ac8b", server="node-a7f3"\}/);
                assert.match(error.message, /set `gateRollouts: false` under `horizon:app` in the stack file/);
                return true;
            },
        );
        assert.deepEqual(clock.sleeps, [], "it did not wait for the timeout");
    });

    it("finds a droplet on a later page of the fleet tag's droplets", async () => {
        const droplets = Array.from({ length: 230 }, (_, i) => ({ id: 1000 + i, name: `hits-us-east-fleet-droplet-${i}`, privateIp: `10.110.1.${i}` }));
        const api = await startFakeApi(() => matrix({ "hits-us-east-fleet-droplet-229": 100 }, "server"), TOKEN, droplets);
        const clock = virtualClock();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), dropletIds: ["1229"], fleetTag: "hits-test-us-east-fleet", now: clock.now, sleep: clock.sleep });

        assert.deepEqual(healthy.dropletIds, ["1229"]);
        const pages = api.requests.filter((r) => r.path === "/v2/droplets").map((r) => [r.query.get("page"), r.query.get("per_page")]);
        assert.deepEqual(pages.slice(0, 2), [["1", "200"], ["2", "200"]]);
    });

    it("fails at once when the token may not list the fleet's droplets", async () => {
        const api = await startFakeApi(() => matrix({ "hits-us-east-fleet-droplet-0": 100 }, "server"), TOKEN, [], 403);
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), fleetTag: "hits-test-us-east-fleet", now: clock.now, sleep: clock.sleep }),
            /answered 403 \(You are not authorized to perform this operation\) to listing the droplets tagged hits-test-us-east-fleet; a custom-scoped token needs droplet read access/,
        );
        assert.deepEqual(clock.sleeps, []);
    });

    it("keeps waiting while the series name only other droplets of the fleet (the ones being replaced)", async () => {
        const droplets = [{ id: 90, name: "old-0", privateIp: "10.110.0.2" }];
        const api = await startFakeApi(
            (call) => {
                if (call < 3) {
                    return matrix({ "old-0": 100, "gone-9": 100 }, "server");
                }
                if (droplets.length === 1) {
                    droplets.push({ id: 101, name: "new-0", privateIp: "10.110.0.5" }, { id: 102, name: "new-1", privateIp: "10.110.0.6" });
                }
                return matrix({ "old-0": 100, "gone-9": 100, "new-0": 100, "new-1": 100 }, "server");
            },
            TOKEN,
            droplets,
        );
        const clock = virtualClock();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), fleetTag: "hits-test-us-east-fleet", now: clock.now, sleep: clock.sleep });

        assert.equal(healthy.healthySince["101"], new Date(clock.startMs + 2000).toISOString());
        // Listed once for old-0 and gone-9 (a droplet deleted since), once more when new-0 and new-1 appear.
        assert.equal(api.requests.filter((r) => r.path === "/v2/droplets").length, 2);
        assert.equal(healthy.polls, 6);
    });

    for (const { status, serverToken, expected } of [
        { status: 401, serverToken: "another-token", expected: /401 Unauthorized \(Unable to authenticate you\): the API token is missing, mistyped or revoked.*DIGITALOCEAN_TOKEN/ },
        { status: 403, serverToken: TOKEN, expected: /403 Forbidden \(You are not authorized to perform this operation\): the API token may not read monitoring metrics/ },
    ]) {
        it(`fails at once on ${status} without printing the token`, async () => {
            const api = await startFakeApi(() => ({ status: 403, body: { id: "forbidden", message: "You are not authorized to perform this operation" } }), serverToken);
            const clock = virtualClock();

            await assert.rejects(waitForHealthyDroplets({ ...waitOptions(api), now: clock.now, sleep: clock.sleep }), (error: Error) => {
                assert.match(error.message, expected);
                assert.ok(!error.message.includes(TOKEN), "the message shows the token");
                return true;
            });
            assert.equal(api.requests.length, 1);
            assert.deepEqual(clock.sleeps, []);
        });
    }

    it("retries 5xx answers with a doubling delay, keeping the droplets' clocks", async () => {
        const replies: Reply[] = [
            matrix({ "101": 100, "102": 100 }),
            { status: 500, body: { id: "server_error", message: "Server Error" } },
            { status: 503, body: "" },
            matrix({ "101": 100, "102": 100 }),
        ];
        const api = await startFakeApi((call) => replies[Math.min(call, replies.length) - 1]);
        const clock = virtualClock();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), now: clock.now, sleep: clock.sleep });

        assert.deepEqual(clock.sleeps, [1000, 1000, 2000]);
        assert.equal(healthy.readyAt, new Date(clock.startMs + 4000).toISOString());
        assert.equal(healthy.healthySince["101"], new Date(clock.startMs).toISOString());
        assert.equal(healthy.polls, 2);
    });

    it("waits as long as a 429's Retry-After asks", async () => {
        const api = await startFakeApi((call) => (call === 1 ? { status: 429, body: { id: "too_many_requests", message: "API Rate limit exceeded." }, headers: { "retry-after": "7" } } : matrix({ "101": 100, "102": 100 })));
        const clock = virtualClock();

        await waitForHealthyDroplets({ ...waitOptions(api), minReadySeconds: 0, now: clock.now, sleep: clock.sleep });

        assert.deepEqual(clock.sleeps, [7000]);
    });

    it("waits for DigitalOcean's ratelimit-reset on a 429 without Retry-After", async () => {
        const clock = virtualClock();
        const reset = String(clock.startMs / 1000 + 30);
        const api = await startFakeApi((call) => (call === 1 ? { status: 429, body: { message: "API Rate limit exceeded." }, headers: { "ratelimit-reset": reset } } : matrix({ "101": 100, "102": 100 })));

        await waitForHealthyDroplets({ ...waitOptions(api), minReadySeconds: 0, now: clock.now, sleep: clock.sleep });

        assert.deepEqual(clock.sleeps, [30_000]);
    });

    it("abandons a request that gets no answer within requestTimeoutSeconds and asks again", { timeout: 5000 }, async () => {
        const api = await startFakeApi((call) => (call === 1 ? { hang: true } : matrix({ "101": 100, "102": 100 })));
        const clock = virtualClock();
        const started = Date.now();

        const healthy = await waitForHealthyDroplets({ ...waitOptions(api), minReadySeconds: 0, requestTimeoutSeconds: 0.2, now: clock.now, sleep: clock.sleep });

        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 190 && elapsed < 2000, `took ${elapsed} ms`);
        assert.equal(api.requests.length, 2);
        assert.equal(healthy.polls, 1);
    });

    it("reports a request that never answered when the deadline comes", { timeout: 5000 }, async () => {
        const api = await startFakeApi(() => ({ hang: true }));
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), readyTimeoutSeconds: 2, requestTimeoutSeconds: 0.1, now: clock.now, sleep: clock.sleep }),
            /\(0 successful polls\): droplet 101: never read; droplet 102: never read\. The last request failed: no answer within 0\.1 s\./,
        );
    });

    it("retries network errors until the deadline and names the last one", async () => {
        const api = await startFakeApi(() => matrix({}));
        await api.close();
        const clock = virtualClock();

        await assert.rejects(
            waitForHealthyDroplets({ ...waitOptions(api), readyTimeoutSeconds: 20, now: clock.now, sleep: clock.sleep }),
            /The last request failed: network error: fetch failed \(ECONNREFUSED\)\./,
        );
        assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000, 5000]);
    });

    it("fails at once on other client errors with the API's message and the token blanked out", async () => {
        const api = await startFakeApi(() => ({ status: 422, body: { id: "unprocessable_entity", message: `lb_id is not valid (sent with Bearer ${TOKEN})` } }));
        const clock = virtualClock();

        await assert.rejects(waitForHealthyDroplets({ ...waitOptions(api), now: clock.now, sleep: clock.sleep }), (error: Error) => {
            assert.equal(error.message, "HealthGate: DigitalOcean answered HTTP 422 (lb_id is not valid (sent with Bearer [token])) to the health-check metrics query for load balancer lb-4de7ac8b.");
            return true;
        });
        assert.equal(api.requests.length, 1);
    });
});

describe("parseHealthMatrix", () => {
    it("reads each series' labels and numeric samples", () => {
        const body = JSON.stringify(matrix({ "101": 100 }, "server").body);
        assert.deepEqual(parseHealthSeries(body), [{ labels: { lb_id: LB, server: "101" }, samples: [[-120, 0], [0, 100]] }]);
    });

    it("keeps every series, labelled or not, and drops samples that are not numbers", () => {
        const body = {
            status: "success",
            data: {
                resultType: "matrix",
                result: [
                    { metric: { droplet_id: "101", port: "443" }, values: [[10, "50"], [20, "NaN"]] },
                    { metric: { lb_id: LB }, values: [[10, "100"]] },
                ],
            },
        };
        assert.deepEqual(parseHealthSeries(JSON.stringify(body)), [
            { labels: { droplet_id: "101", port: "443" }, samples: [[10, 50]] },
            { labels: { lb_id: LB }, samples: [[10, 100]] },
        ]);
    });

    it("refuses bodies that are not a successful matrix", () => {
        for (const text of ["<html>bad gateway</html>", '{"status":"error","data":{"result":[]}}', '{"status":"success","data":{}}']) {
            assert.equal(parseHealthSeries(text), undefined, text);
        }
    });
});

describe("resolveApiAccess", () => {
    it("prefers the stack config to the environment, as the digitalocean provider does", () => {
        const env = { DIGITALOCEAN_TOKEN: "env", DIGITALOCEAN_ACCESS_TOKEN: "env-access", DIGITALOCEAN_API_URL: "http://env" };
        assert.deepEqual(resolveApiAccess({ token: "config", apiUrl: "http://config" }, env), { token: "config", apiUrl: "http://config" });
        assert.deepEqual(resolveApiAccess({}, env), { token: "env", apiUrl: "http://env" });
        assert.deepEqual(resolveApiAccess({ token: "" }, { DIGITALOCEAN_ACCESS_TOKEN: "env-access" }), { token: "env-access", apiUrl: "https://api.digitalocean.com" });
        assert.deepEqual(resolveApiAccess({}, {}), { token: undefined, apiUrl: "https://api.digitalocean.com" });
    });
});

describe("checkHealthGateInputs", () => {
    it("names each timing input that cannot work and skips values unknown in a preview", () => {
        assert.deepEqual(checkHealthGateInputs({ minReadySeconds: 10, readyTimeoutSeconds: 600, pollIntervalSeconds: 10 }), []);
        assert.deepEqual(checkHealthGateInputs({ minReadySeconds: -1, readyTimeoutSeconds: 0, pollIntervalSeconds: 0 }), [
            { property: "minReadySeconds", reason: "-1 is negative; use 0 or more seconds" },
            { property: "readyTimeoutSeconds", reason: "0 must be more than 0 seconds" },
            { property: "pollIntervalSeconds", reason: "0 must be more than 0 seconds" },
        ]);
        assert.deepEqual(checkHealthGateInputs({ minReadySeconds: 120, readyTimeoutSeconds: 60 }), [
            { property: "readyTimeoutSeconds", reason: "60 is shorter than minReadySeconds (120), so the gate could never open; raise it" },
        ]);
    });
});

describe("the HealthGate dynamic provider", () => {
    const ENV_KEYS = ["DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_API_URL"] as const;
    const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
    const inputs = (overrides: Partial<HealthGateInputs> = {}): HealthGateInputs => ({
        loadBalancerId: LB,
        dropletIds: ["102", "101"],
        fleetTag: "",
        minReadySeconds: 0.3,
        readyTimeoutSeconds: 5,
        pollIntervalSeconds: 0.1,
        ...overrides,
    });
    const stackConfig = (values: Record<string, string>) => ({
        config: {
            get: (key: string) => values[key],
            require: (key: string) => values[key] ?? assert.fail(`missing ${key}`),
        },
    });

    const setEnv = (values: Partial<Record<(typeof ENV_KEYS)[number], string>>) => {
        for (const key of ENV_KEYS) {
            if (values[key] === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = values[key];
            }
        }
    };

    beforeEach(() => setEnv({}));
    afterEach(() => setEnv(savedEnv));

    it("create waits for the wave with the token and API URL from the environment", async () => {
        const api = await startFakeApi(() => matrix({ "101": 100, "102": 100 }));
        setEnv({ DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: TOKEN });

        const result = await createHealthGateProvider().create(inputs());

        // minReadySeconds above 0 takes two distinct healthy samples, so at least two reads.
        assert.ok(api.requests.length >= 2, `opened after ${api.requests.length} read(s)`);
        assert.match(result.id, /^[0-9a-f-]{36}$/);
        const { readyAt, ...rest } = result.outs ?? assert.fail("no outputs");
        assert.deepEqual(rest, { ...inputs(), healthyDropletIds: ["101", "102"] });
        assert.ok(Math.abs(Date.parse(readyAt) - Date.now()) < 2000, readyAt);
    });

    it("create uses digitalocean:token and digitalocean:apiEndpoint from the stack config over the environment", async () => {
        const api = await startFakeApi(() => matrix({ "101": 100, "102": 100 }), "config-token");
        setEnv({ DIGITALOCEAN_API_URL: "http://127.0.0.1:9", DIGITALOCEAN_TOKEN: TOKEN });
        const provider = createHealthGateProvider();
        await provider.configure?.(stackConfig({ "digitalocean:token": "config-token", "digitalocean:apiEndpoint": api.url }));

        await provider.create(inputs());

        assert.ok(api.requests.length > 0, "no request made");
        assert.ok(api.requests.every((r) => r.authorization === "Bearer config-token"), "a request used another token");
    });

    it("create fails before any request when no token is configured", async () => {
        const api = await startFakeApi(() => matrix({ "101": 100, "102": 100 }));
        setEnv({ DIGITALOCEAN_API_URL: api.url });

        await assert.rejects(createHealthGateProvider().create(inputs()), /no DigitalOcean API token.*digitalocean:token.*DIGITALOCEAN_TOKEN/);
        assert.equal(api.requests.length, 0);
    });

    it("update waits for the new droplets on the new load balancer", async () => {
        const api = await startFakeApi(() => matrix({ "201": 100, "202": 100 }));
        setEnv({ DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_ACCESS_TOKEN: TOKEN });
        const olds: HealthGateOutputs = { ...inputs(), healthyDropletIds: ["101", "102"], readyAt: "2025-01-01T00:00:00.000Z" };

        const result = await createHealthGateProvider().update?.("gate-id", olds, inputs({ loadBalancerId: "lb-new", dropletIds: ["202", "201"] }));

        assert.deepEqual(result?.outs?.healthyDropletIds, ["201", "202"]);
        assert.equal(result?.outs?.loadBalancerId, "lb-new");
        assert.ok(api.requests.every((r) => r.query.get("lb_id") === "lb-new"), "a request asked about another load balancer");
    });

    it("update fails the deployment when the new droplets do not become healthy in time", async () => {
        const api = await startFakeApi(() => matrix({ "101": 100, "201": 0 }));
        setEnv({ DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: TOKEN });
        const olds: HealthGateOutputs = { ...inputs(), healthyDropletIds: ["101", "102"], readyAt: "2025-01-01T00:00:00.000Z" };

        await assert.rejects(
            createHealthGateProvider().update?.("gate-id", olds, inputs({ dropletIds: ["201", "202"], readyTimeoutSeconds: 0.5 })) ?? assert.fail("no update"),
            /2 of 2 droplets .* droplet 201: 0% of health checks passing; droplet 202: no health data yet\./,
        );
    });

    it("diff reports a change only when the droplets or the load balancer change", async () => {
        const provider = createHealthGateProvider();
        const diff = provider.diff ?? assert.fail("no diff");
        const olds: HealthGateOutputs = { ...inputs(), healthyDropletIds: ["101", "102"], readyAt: "2025-01-01T00:00:00.000Z" };

        assert.deepEqual(await diff("id", olds, inputs({ dropletIds: ["101", "102"] })), { changes: false });
        assert.deepEqual(await diff("id", olds, inputs({ minReadySeconds: 60, readyTimeoutSeconds: 900, pollIntervalSeconds: 30 })), { changes: false });
        assert.deepEqual(await diff("id", olds, inputs({ dropletIds: ["101", "103"] })), { changes: true });
        assert.deepEqual(await diff("id", olds, inputs({ dropletIds: ["101"] })), { changes: true });
        assert.deepEqual(await diff("id", olds, inputs({ loadBalancerId: "lb-other" })), { changes: true });
    });

    it("check reports unusable timing inputs against their names", async () => {
        const result = await createHealthGateProvider().check?.(inputs(), inputs({ pollIntervalSeconds: 0 }));
        assert.deepEqual(result?.failures, [{ property: "pollIntervalSeconds", reason: "0 must be more than 0 seconds" }]);
    });

    it("delete calls nothing", async () => {
        const api = await startFakeApi(() => matrix({}));
        setEnv({ DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_TOKEN: TOKEN });
        const olds: HealthGateOutputs = { ...inputs(), healthyDropletIds: ["101", "102"], readyAt: "2025-01-01T00:00:00.000Z" };

        await createHealthGateProvider().delete?.("gate-id", olds);

        assert.equal(api.requests.length, 0);
    });
});
