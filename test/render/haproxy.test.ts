import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { type HaproxyConfigInput, renderHaproxyConfig } from "../../components/render/haproxy";
import { makeTempDir } from "../helpers/processes";
import { assertHaproxyAccepts } from "../helpers/stack";
import { matchSnapshot } from "../helpers/snapshot";

const base: HaproxyConfigInput = {
    listenPort: 80,
    algorithm: "round_robin",
    servers: [
        { name: "web-0", host: "10.10.0.2", port: 8080 },
        { name: "web-1", host: "10.10.0.3", port: 8080 },
        { name: "web-2", host: "10.10.0.4", port: 8080 },
    ],
    healthCheck: { path: "/health", intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 3 },
};

const DISCOVERY = {
    name: "replica",
    service: "hits-local-app",
    port: 8080,
    slots: 6,
    resolver: { nameserver: "127.0.0.11:53", holdValidSeconds: 1 },
} as const;

const variants: Record<string, HaproxyConfigInput> = {
    "round-robin": base,
    "least-connections": { ...base, algorithm: "least_connections" },
    source: { ...base, algorithm: "source" },
    random: { ...base, algorithm: "random" },
    sticky: { ...base, stickySessions: { cookieName: "horizon", ttlSeconds: 3600 } },
    slowstart: { ...base, minReadySeconds: 30 },
    stats: { ...base, statsPort: 8404 },
    discovery: { ...base, servers: [], discovery: DISCOVERY, statsPort: 8404, statsBindAddress: "*" },
    "discovery-sticky": { ...base, servers: [], discovery: DISCOVERY, stickySessions: { cookieName: "horizon", ttlSeconds: 600 } },
    "ipv6-and-timing": {
        ...base,
        bindAddress: "::",
        servers: [{ name: "web-0", host: "fd00::2", port: 8080 }],
        checkTiming: { intervalMs: 500, timeoutMs: 1500 },
    },
};

describe("renderHaproxyConfig", () => {
    const dir = makeTempDir("horizon-haproxy-render");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [name, input] of Object.entries(variants)) {
        it(`renders ${name} as reviewed, and HAProxy accepts it without warnings`, () => {
            const config = renderHaproxyConfig(input);
            matchSnapshot(`render/haproxy/${name}.cfg`, config);
            assertHaproxyAccepts(dir, name, config);
        });
    }

    it("maps each algorithm to HAProxy's balance keyword", () => {
        const balance = (algorithm: HaproxyConfigInput["algorithm"]) =>
            /^ {4}balance (\S+)$/m.exec(renderHaproxyConfig({ ...base, algorithm }))?.[1];
        assert.deepEqual(
            (["round_robin", "least_connections", "source", "random"] as const).map(balance),
            ["roundrobin", "leastconn", "source", "random"],
        );
    });

    it("takes check timing from the health check, or from checkTiming when given", () => {
        assert.match(renderHaproxyConfig(base), /^ {4}default-server check inter 10s fall 3 rise 5$/m);
        assert.match(renderHaproxyConfig(base), /^ {4}timeout check 5s$/m);
        const tuned = renderHaproxyConfig({ ...base, checkTiming: { intervalMs: 1000, timeoutMs: 750 } });
        assert.match(tuned, /^ {4}default-server check inter 1s fall 3 rise 5$/m);
        assert.match(tuned, /^ {4}timeout check 750ms$/m);
    });

    it("adds slowstart only when minReadySeconds is above zero", () => {
        assert.doesNotMatch(renderHaproxyConfig({ ...base, minReadySeconds: 0 }), /slowstart/);
        assert.match(renderHaproxyConfig({ ...base, minReadySeconds: 12 }), / slowstart 12s$/m);
    });

    it("discovers replicas by DNS: a resolvers section and a server-template over the shared name", () => {
        const config = renderHaproxyConfig({ ...base, servers: [], discovery: DISCOVERY });
        assert.match(config, /^resolvers discovery\n {4}nameserver dns 127\.0\.0\.11:53$/m);
        assert.match(config, /^ {4}hold valid 1s$/m);
        assert.match(config, /^ {4}server-template replica 6 hits-local-app:8080 resolvers discovery init-addr none resolve-prefer ipv4$/m);
        assert.doesNotMatch(config, /^ {4}server /m);
        for (const algorithm of ["round_robin", "least_connections", "source", "random"] as const) {
            assert.match(renderHaproxyConfig({ ...base, algorithm, servers: [], discovery: DISCOVERY }), /server-template replica 6 /);
        }
    });

    it("gives discovered replicas address-derived sticky cookies, listed ones their names", () => {
        const sticky = { cookieName: "horizon", ttlSeconds: 60 };
        const discovered = renderHaproxyConfig({ ...base, servers: [], discovery: DISCOVERY, stickySessions: sticky });
        assert.match(discovered, /^ {4}cookie horizon insert indirect nocache maxlife 60s dynamic$/m);
        assert.match(discovered, /^ {4}dynamic-cookie-key horizon-horizon$/m);
        const listed = renderHaproxyConfig({ ...base, stickySessions: sticky });
        assert.doesNotMatch(listed, /dynamic/);
        assert.match(listed, / cookie web-0$/m);
    });

    it("binds the stats listener to loopback unless told otherwise", () => {
        assert.match(renderHaproxyConfig({ ...base, statsPort: 8404 }), /^ {4}bind 127\.0\.0\.1:8404$/m);
        assert.match(renderHaproxyConfig({ ...base, statsPort: 8404, statsBindAddress: "*" }), /^ {4}bind \*:8404$/m);
        // The rollout gate finds discovered replicas by the CSV's addr column, which needs legends.
        assert.match(renderHaproxyConfig({ ...base, servers: [], discovery: DISCOVERY, statsPort: 8404 }), /^ {4}stats show-legends$/m);
        assert.doesNotMatch(renderHaproxyConfig({ ...base, statsPort: 8404 }), /show-legends/);
    });

    describe("rejects bad input naming the field", () => {
        const cases: [string, HaproxyConfigInput, string][] = [
            ["a port out of range", { ...base, servers: [base.servers[0], { ...base.servers[1], port: 70000 }] }, "servers[1].port: 70000 is not a port (expected 1-65535)"],
            ["a bad listen port", { ...base, listenPort: 0 }, "listenPort: 0 is not a port (expected 1-65535)"],
            ["an unknown algorithm", { ...base, algorithm: "least_conn" as HaproxyConfigInput["algorithm"] }, 'algorithm: "least_conn" is not one of round_robin, least_connections, source, random'],
            ["no servers", { ...base, servers: [] }, "servers: is empty (expected at least one server, or discovery)"],
            [
                "a server name with a space",
                { ...base, servers: [{ ...base.servers[0], name: "web 0" }] },
                `servers[0].name: "web 0" is not a server name (expected 1-64 letters, digits, '.', '_' or '-')`,
            ],
            [
                "duplicate server names",
                { ...base, servers: [base.servers[0], base.servers[1], { ...base.servers[2], name: "web-0" }] },
                'servers[2].name: "web-0" is a duplicate (expected a name used by one server only)',
            ],
            [
                "a bad host",
                { ...base, servers: [{ ...base.servers[0], host: "10.0.0.1:8080" }] },
                'servers[0].host: "10.0.0.1:8080" is not a host (expected an IP address or a DNS name)',
            ],
            [
                "a path without a leading slash",
                { ...base, healthCheck: { ...base.healthCheck, path: "health" } },
                'healthCheck.path: "health" is not a path (expected "/" then URL characters, without spaces, quotes or "#")',
            ],
            [
                "a path that would end the line early",
                { ...base, healthCheck: { ...base.healthCheck, path: "/health#x" } },
                'healthCheck.path: "/health#x" is not a path (expected "/" then URL characters, without spaces, quotes or "#")',
            ],
            [
                "an interval below 3 s",
                { ...base, healthCheck: { ...base.healthCheck, intervalSeconds: 1 } },
                "healthCheck.intervalSeconds: 1 is out of range (expected an integer in 3-300 seconds)",
            ],
            [
                "a fractional timeout",
                { ...base, healthCheck: { ...base.healthCheck, timeoutSeconds: 4.5 } },
                "healthCheck.timeoutSeconds: 4.5 is not an integer (expected an integer in 3-300 seconds)",
            ],
            [
                "a healthy threshold above 10",
                { ...base, healthCheck: { ...base.healthCheck, healthyThreshold: 11 } },
                "healthCheck.healthyThreshold: 11 is out of range (expected an integer in 2-10)",
            ],
            [
                "an unhealthy threshold below 2",
                { ...base, healthCheck: { ...base.healthCheck, unhealthyThreshold: 1 } },
                "healthCheck.unhealthyThreshold: 1 is out of range (expected an integer in 2-10)",
            ],
            [
                "a bad cookie name",
                { ...base, stickySessions: { cookieName: "my cookie", ttlSeconds: 60 } },
                `stickySessions.cookieName: "my cookie" is not a cookie name (expected 2-40 letters, digits, '_' or '-')`,
            ],
            ["a negative minReadySeconds", { ...base, minReadySeconds: -1 }, "minReadySeconds: -1 is out of range (expected an integer in 0-3600 seconds)"],
            ["a stats port equal to the listen port", { ...base, statsPort: 80 }, "statsPort: 80 is also the listenPort (expected a port of its own)"],
            ["a bad bind address", { ...base, bindAddress: "localhost" }, 'bindAddress: "localhost" is not an address (expected "*" or an IPv4 or IPv6 address)'],
            [
                "a check interval below 100 ms",
                { ...base, checkTiming: { intervalMs: 50, timeoutMs: 500 } },
                "checkTiming.intervalMs: 50 is out of range (expected an integer in 100-300000 ms)",
            ],
            [
                "a discovery name that is not a DNS name",
                { ...base, discovery: { ...DISCOVERY, service: "hits_app:8080" } },
                'discovery.service: "hits_app:8080" is not a DNS name (expected a name like hits-local-app)',
            ],
            [
                "no discovery slots",
                { ...base, discovery: { ...DISCOVERY, slots: 0 } },
                "discovery.slots: 0 is out of range (expected an integer in 1-1000)",
            ],
            [
                "a nameserver without a port",
                { ...base, discovery: { ...DISCOVERY, resolver: { nameserver: "127.0.0.11" } } },
                'discovery.resolver.nameserver: "127.0.0.11" is not an address (expected an IPv4 address and port like 127.0.0.11:53)',
            ],
            ["a bad stats bind address", { ...base, statsPort: 8404, statsBindAddress: "all" }, 'statsBindAddress: "all" is not an address (expected "*" or an IPv4 or IPv6 address)'],
        ];
        for (const [what, input, message] of cases) {
            it(what, () => {
                assert.throws(() => renderHaproxyConfig(input), { message });
            });
        }

        it("every problem at once, one per line", () => {
            assert.throws(() => renderHaproxyConfig({ ...base, listenPort: 65536, servers: [] }), {
                message: "listenPort: 65536 is not a port (expected 1-65535)\nservers: is empty (expected at least one server, or discovery)",
            });
        });
    });
});
