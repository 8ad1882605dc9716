import { isIP, isIPv6 } from "node:net";
import { haproxyCheck } from "./healthCheck";

/**
 * Renders haproxy.cfg for every platform that runs HAProxy (the droplet tier behind the
 * managed load balancer, the Docker stack). The integration tests run this output with a
 * real HAProxy in front of real replicas, so what they prove holds for what ships.
 */

export type HaproxyAlgorithm = "round_robin" | "least_connections" | "source" | "random";

export interface HaproxyServer {
    /** Unique; shown in logs and stats, and used as the stickiness cookie value. */
    readonly name: string;
    /** IP address or DNS name, resolved once when HAProxy starts. */
    readonly host: string;
    readonly port: number;
}

/**
 * Replicas found by DNS instead of listed: `server-template` fills `slots` servers from the
 * addresses `service` resolves to, re-resolved while HAProxy runs, so replicas can come and go
 * without a reload (Docker's embedded DNS at 127.0.0.11, Kubernetes cluster DNS).
 */
export interface HaproxyDiscovery {
    /** Prefix of the server names: `<name>1` .. `<name><slots>`. */
    readonly name: string;
    /** DNS name every replica answers to (a Docker network alias, a headless Service). */
    readonly service: string;
    readonly port: number;
    /** Servers HAProxy keeps ready; at least the most replicas that ever exist at once (a rollout's old and new). */
    readonly slots: number;
    readonly resolver: {
        /**
         * `address:port` of the DNS server, e.g. Docker's `127.0.0.11:53`. @default - the
         * nameservers of /etc/resolv.conf (`parse-resolv-conf`): in a Kubernetes pod, the
         * cluster's DNS Service, whatever address the cluster gave it
         */
        readonly nameserver?: string;
        /** How long an answer is trusted before it is asked again. @default 1 */
        readonly holdValidSeconds?: number;
    };
}

/** Name of the `resolvers` section discovery uses. */
export const HAPROXY_RESOLVERS = "discovery";

export interface HaproxyConfigInput {
    /** Port of the public frontend. */
    readonly listenPort: number;
    readonly algorithm: HaproxyAlgorithm;
    /** Servers listed by address; may be empty when `discovery` finds them. */
    readonly servers: readonly HaproxyServer[];
    /** Servers found by DNS. @default - only `servers` */
    readonly discovery?: HaproxyDiscovery;
    /** The stack spec's `app.healthCheck`: whole seconds, DigitalOcean's ranges. */
    readonly healthCheck: {
        readonly path: string;
        readonly intervalSeconds: number;
        readonly timeoutSeconds: number;
        readonly healthyThreshold: number;
        readonly unhealthyThreshold: number;
    };
    /** Cookie stickiness. @default - none */
    readonly stickySessions?: { readonly cookieName: string; readonly ttlSeconds: number };
    /** A server that comes back up ramps from no load to full weight over this many seconds. @default 0 */
    readonly minReadySeconds?: number;
    /** Port of the stats page (`/stats`, `/stats;csv`). @default - no stats listener */
    readonly statsPort?: number;
    /** Address the stats listener binds to: `*` inside a container network that publishes it to the host's loopback. @default "127.0.0.1" */
    readonly statsBindAddress?: string;
    /** Address the frontend binds to: `*` or an IPv4/IPv6 address. @default "*" */
    readonly bindAddress?: string;
    /**
     * Health-check interval and timeout in milliseconds, replacing `healthCheck`'s seconds.
     * For integration tests and latency-sensitive tuning: DigitalOcean's own checks cannot go
     * below 3 s, so the stack spec keeps whole seconds. Thresholds still come from `healthCheck`.
     * @default - from healthCheck
     */
    readonly checkTiming?: { readonly intervalMs: number; readonly timeoutMs: number };
}

export const HAPROXY_BALANCE: Readonly<Record<HaproxyAlgorithm, string>> = {
    round_robin: "roundrobin",
    least_connections: "leastconn",
    source: "source",
    random: "random",
};

/** Answered by HAProxy itself, so a managed load balancer in front can check each node. */
export const HAPROXY_MONITOR_URI = "/haproxy-health";
export const HAPROXY_STATS_URI = "/stats";
/** Name of the backend, as it appears in logs and stats. */
export const HAPROXY_BACKEND = "app";
/** A soft stop (SIGUSR1, reload) lets open connections finish for at most this long. */
export const HAPROXY_HARD_STOP_AFTER_SECONDS = 30;
export const HAPROXY_RETRIES = 3;

const SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** URL characters minus those haproxy.cfg gives a meaning to: quotes, `#`, `\` and spaces. */
const CHECK_PATH = /^\/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*$/;
const COOKIE_NAME = /^[A-Za-z0-9_-]{2,40}$/;

export function renderHaproxyConfig(input: HaproxyConfigInput): string {
    const problems = validate(input);
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    return [
        "# Rendered by horizon (components/render/haproxy.ts). Edit the stack spec, not this file.",
        "",
        ...renderGlobal(),
        "",
        ...(input.discovery === undefined ? [] : [...renderResolvers(input.discovery), ""]),
        ...renderDefaults(),
        "",
        ...renderFrontend(input),
        "",
        ...renderBackend(input),
        ...(input.statsPort === undefined ? [] : ["", ...renderStats(input.statsPort, input.statsBindAddress ?? "127.0.0.1", input.discovery !== undefined)]),
        "",
    ].join("\n");
}

function renderGlobal(): string[] {
    return [
        "global",
        "    log stdout format raw local0 info",
        `    hard-stop-after ${HAPROXY_HARD_STOP_AFTER_SECONDS}s`,
    ];
}

function renderDefaults(): string[] {
    return [
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option dontlognull",
        "    option forwardfor",
        "    timeout connect 5s",
        "    timeout client 30s",
        "    timeout server 30s",
        "    timeout queue 30s",
        "    timeout http-request 10s",
        "    timeout http-keep-alive 10s",
        `    retries ${HAPROXY_RETRIES}`,
        // Every retry goes to another server: the default (last retry only) would first
        // retry a replica that has just died, waiting a turn-around second each time.
        "    option redispatch 1",
        "    retry-on conn-failure empty-response response-timeout",
    ];
}

function renderFrontend(input: HaproxyConfigInput): string[] {
    return [
        "frontend web",
        `    bind ${bindAddress(input.bindAddress ?? "*")}:${input.listenPort}`,
        `    monitor-uri ${HAPROXY_MONITOR_URI}`,
        // A node that sees no healthy replica reports itself down, so the managed load
        // balancer sends traffic to a node that does.
        `    monitor fail if { nbsrv(${HAPROXY_BACKEND}) lt 1 }`,
        `    default_backend ${HAPROXY_BACKEND}`,
    ];
}

function renderBackend(input: HaproxyConfigInput): string[] {
    const check = haproxyCheck(input.healthCheck);
    const intervalMs = input.checkTiming?.intervalMs ?? check.interMs;
    const timeoutMs = input.checkTiming?.timeoutMs ?? check.timeoutMs;
    const sticky = input.stickySessions;
    const slowstart = (input.minReadySeconds ?? 0) > 0 ? ` slowstart ${input.minReadySeconds}s` : "";
    return [
        `backend ${HAPROXY_BACKEND}`,
        `    balance ${HAPROXY_BALANCE[input.algorithm]}`,
        // Consistent hashing moves only the clients of a server that comes or goes.
        ...(input.algorithm === "source" ? ["    hash-type consistent"] : []),
        // retry-on replays a request that may already have reached a replica; HAProxy does
        // that for any method unless told otherwise, so only GET, HEAD and OPTIONS are
        // replayed. A connection failure (nothing sent yet) is still retried for every method.
        "    http-request disable-l7-retry unless METH_GET or METH_OPTIONS",
        "    option httpchk",
        `    http-check send meth GET uri ${check.path}`,
        "    http-check expect status 200",
        `    timeout check ${duration(timeoutMs)}`,
        ...(sticky ? renderCookie(sticky, input.discovery !== undefined) : []),
        `    default-server check inter ${duration(intervalMs)} fall ${check.fall} rise ${check.rise}${slowstart}`,
        ...input.servers.map(
            (server) => `    server ${server.name} ${hostPort(server.host, server.port)}${sticky ? ` cookie ${server.name}` : ""}`,
        ),
        ...(input.discovery === undefined ? [] : [renderServerTemplate(input.discovery)]),
    ];
}

/**
 * Listed servers carry their name as cookie value. Discovered slots change hands as replicas
 * come and go, so their cookie is derived from the replica's address instead (`dynamic`).
 */
function renderCookie(sticky: NonNullable<HaproxyConfigInput["stickySessions"]>, discovered: boolean): string[] {
    const cookie = `    cookie ${sticky.cookieName} insert indirect nocache maxlife ${sticky.ttlSeconds}s`;
    // The key only keeps cookie values from spelling out replica addresses; it guards nothing.
    return discovered ? [`${cookie} dynamic`, `    dynamic-cookie-key ${sticky.cookieName}-horizon`] : [cookie];
}

/**
 * `init-addr none` starts HAProxy even before any replica resolves; every slot without an
 * address is in maintenance until one does (sticky cookies are
 * set per server with dynamic cookies, see `renderCookie`).
 */
function renderServerTemplate(discovery: HaproxyDiscovery): string {
    return (
        `    server-template ${discovery.name} ${discovery.slots} ${discovery.service}:${discovery.port}` +
        ` resolvers ${HAPROXY_RESOLVERS} init-addr none resolve-prefer ipv4`
    );
}

function renderResolvers(discovery: HaproxyDiscovery): string[] {
    const hold = discovery.resolver.holdValidSeconds ?? 1;
    return [
        `resolvers ${HAPROXY_RESOLVERS}`,
        discovery.resolver.nameserver === undefined ? "    parse-resolv-conf" : `    nameserver dns ${discovery.resolver.nameserver}`,
        // Many replicas behind one name need more than DNS's classic 512-byte answers.
        "    accepted_payload_size 8192",
        "    resolve_retries 3",
        "    timeout resolve 1s",
        "    timeout retry 1s",
        `    hold valid ${hold}s`,
        // A replica gone from DNS leaves its slot at the next answer.
        "    hold obsolete 0s",
        "    hold nx 1s",
        "    hold other 1s",
        "    hold refused 1s",
        "    hold timeout 1s",
    ];
}

function renderStats(port: number, address: string, discovered: boolean): string[] {
    return [
        "listen stats",
        `    bind ${bindAddress(address)}:${port}`,
        // Stats polls would drown the request log.
        "    http-request set-log-level silent",
        "    stats enable",
        // Discovered slots are known by address only; without legends the CSV's addr column stays empty.
        ...(discovered ? ["    stats show-legends"] : []),
        `    stats uri ${HAPROXY_STATS_URI}`,
        "    stats refresh 5s",
    ];
}

function duration(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function bindAddress(address: string): string {
    return isIPv6(address) ? `[${address}]` : address;
}

function hostPort(host: string, port: number): string {
    return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

function validate(input: HaproxyConfigInput): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, message: string) => {
        if (!ok) {
            problems.push(message);
        }
    };
    const port = (path: string, value: number) =>
        check(Number.isInteger(value) && value >= 1 && value <= 65535, `${path}: ${show(value)} is not a port (expected 1-65535)`);
    const int = (path: string, value: number, min: number, max: number, unit = "") => {
        const expected = `(expected an integer in ${min}-${max}${unit})`;
        if (!Number.isInteger(value)) {
            problems.push(`${path}: ${show(value)} is not an integer ${expected}`);
        } else if (value < min || value > max) {
            problems.push(`${path}: ${show(value)} is out of range ${expected}`);
        }
    };

    port("listenPort", input.listenPort);
    check(
        Object.hasOwn(HAPROXY_BALANCE, input.algorithm),
        `algorithm: ${show(input.algorithm)} is not one of ${Object.keys(HAPROXY_BALANCE).join(", ")}`,
    );

    check(
        input.servers.length > 0 || input.discovery !== undefined,
        "servers: is empty (expected at least one server, or discovery)",
    );
    if (input.discovery !== undefined) {
        const d = input.discovery;
        check(SERVER_NAME.test(d.name), `discovery.name: ${show(d.name)} is not a server name prefix (expected 1-64 letters, digits, '.', '_' or '-')`);
        check(HOST_NAME.test(d.service), `discovery.service: ${show(d.service)} is not a DNS name (expected a name like hits-local-app)`);
        port("discovery.port", d.port);
        int("discovery.slots", d.slots, 1, 1000);
        const [address, nameserverPort, ...rest] = (d.resolver.nameserver ?? "127.0.0.1:53").split(":");
        check(
            rest.length === 0 && isIP(address ?? "") === 4 && /^\d+$/.test(nameserverPort ?? "") && Number(nameserverPort) >= 1 && Number(nameserverPort) <= 65535,
            `discovery.resolver.nameserver: ${show(d.resolver.nameserver)} is not an address (expected an IPv4 address and port like 127.0.0.11:53)`,
        );
        if (d.resolver.holdValidSeconds !== undefined) {
            int("discovery.resolver.holdValidSeconds", d.resolver.holdValidSeconds, 1, 300, " seconds");
        }
    }
    const seen = new Set<string>();
    input.servers.forEach((server, i) => {
        if (!SERVER_NAME.test(server.name)) {
            problems.push(`servers[${i}].name: ${show(server.name)} is not a server name (expected 1-64 letters, digits, '.', '_' or '-')`);
        } else if (seen.has(server.name)) {
            problems.push(`servers[${i}].name: ${show(server.name)} is a duplicate (expected a name used by one server only)`);
        }
        seen.add(server.name);
        check(
            isIP(server.host) !== 0 || HOST_NAME.test(server.host),
            `servers[${i}].host: ${show(server.host)} is not a host (expected an IP address or a DNS name)`,
        );
        port(`servers[${i}].port`, server.port);
    });

    const hc = input.healthCheck;
    check(
        CHECK_PATH.test(hc.path),
        `healthCheck.path: ${show(hc.path)} is not a path (expected "/" then URL characters, without spaces, quotes or "#")`,
    );
    int("healthCheck.intervalSeconds", hc.intervalSeconds, 3, 300, " seconds");
    int("healthCheck.timeoutSeconds", hc.timeoutSeconds, 3, 300, " seconds");
    int("healthCheck.healthyThreshold", hc.healthyThreshold, 2, 10);
    int("healthCheck.unhealthyThreshold", hc.unhealthyThreshold, 2, 10);

    if (input.stickySessions) {
        const { cookieName, ttlSeconds } = input.stickySessions;
        check(
            COOKIE_NAME.test(cookieName),
            `stickySessions.cookieName: ${show(cookieName)} is not a cookie name (expected 2-40 letters, digits, '_' or '-')`,
        );
        int("stickySessions.ttlSeconds", ttlSeconds, 1, 31536000, " seconds");
    }
    if (input.minReadySeconds !== undefined) {
        int("minReadySeconds", input.minReadySeconds, 0, 3600, " seconds");
    }
    if (input.statsPort !== undefined) {
        port("statsPort", input.statsPort);
        check(
            input.statsPort !== input.listenPort,
            `statsPort: ${input.statsPort} is also the listenPort (expected a port of its own)`,
        );
    }
    if (input.statsBindAddress !== undefined) {
        check(
            input.statsBindAddress === "*" || isIP(input.statsBindAddress) !== 0,
            `statsBindAddress: ${show(input.statsBindAddress)} is not an address (expected "*" or an IPv4 or IPv6 address)`,
        );
    }
    if (input.bindAddress !== undefined) {
        check(
            input.bindAddress === "*" || isIP(input.bindAddress) !== 0,
            `bindAddress: ${show(input.bindAddress)} is not an address (expected "*" or an IPv4 or IPv6 address)`,
        );
    }
    if (input.checkTiming) {
        int("checkTiming.intervalMs", input.checkTiming.intervalMs, 100, 300000, " ms");
        int("checkTiming.timeoutMs", input.checkTiming.timeoutMs, 100, 300000, " ms");
    }
    return problems;
}

function show(value: unknown): string {
    return typeof value === "number" ? String(value) : JSON.stringify(value);
}
