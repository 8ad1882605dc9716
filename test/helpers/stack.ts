import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { createClient } from "redis";
import { type HaproxyConfigInput, HAPROXY_BACKEND, HAPROXY_STATS_URI, renderHaproxyConfig } from "../../components/render/haproxy";
import { httpGet } from "./load";
import { canConnect, freePort, freePorts, killOnFailure, ManagedProcess, makeTempDir, requireBinary, userIds, waitFor } from "./processes";

/**
 * The data plane on loopback, for the integration tests and the load-balancer benchmark: real
 * Postgres, Redis, HAProxy and nginx from Debian packages, and replicas of the sample app.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const START_TIMEOUT_MS = 20_000;

export function postgresBinDir(): string {
    const versions = fs.existsSync("/usr/lib/postgresql")
        ? fs
              .readdirSync("/usr/lib/postgresql")
              .filter((version) => /^\d+$/.test(version))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    const postgres = requireBinary(
        "postgres",
        versions.map((version) => `/usr/lib/postgresql/${version}/bin/postgres`),
        "postgresql",
    );
    return path.dirname(postgres);
}

export class PostgresServer {
    private proc: ManagedProcess | undefined;

    private constructor(
        readonly port: number,
        private readonly binDir: string,
        private readonly dataDir: string,
        private readonly socketDir: string,
        private readonly logFile: string,
    ) {}

    /** initdb in `dir` (trust auth, as the `postgres` user, which Postgres requires), then start. */
    static async create(dir: string): Promise<PostgresServer> {
        const binDir = postgresBinDir();
        const user = userIds("postgres");
        const home = path.join(dir, "postgres");
        fs.mkdirSync(home);
        fs.chownSync(home, user.uid, user.gid);
        const dataDir = path.join(home, "data");
        const logFile = path.join(dir, "postgres.log");
        const initdb = new ManagedProcess(
            "initdb",
            path.join(binDir, "initdb"),
            ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            { logFile, user, cwd: home },
        );
        const code = await initdb.exited;
        if (code !== 0) {
            throw new Error(`initdb failed (${code}):\n${initdb.logTail()}`);
        }
        const server = new PostgresServer(await freePort(), binDir, dataDir, home, logFile);
        await server.start();
        return server;
    }

    get url(): string {
        return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
    }

    /** Starts (again) on the same port and data directory. */
    async start(): Promise<void> {
        this.proc = new ManagedProcess(
            "postgres",
            path.join(this.binDir, "postgres"),
            [
                ...["-D", this.dataDir, "-k", this.socketDir, "-h", "127.0.0.1", "-p", String(this.port)],
                // Durability is not under test; skipping fsync keeps runs fast and disks quiet.
                ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            ],
            { logFile: this.logFile, user: userIds("postgres"), cwd: path.dirname(this.dataDir) },
        );
        await killOnFailure(
            this.proc,
            waitFor("postgres to accept connections", () => this.query("SELECT 1").then(() => true), {
                timeoutMs: START_TIMEOUT_MS,
                process: this.proc,
            }),
        );
    }

    /** Fast shutdown: open sessions are ended and the data directory is left clean. */
    async stop(): Promise<void> {
        await this.proc?.stop("SIGINT");
    }

    /** A connected client; the caller ends it. */
    async connect(): Promise<Client> {
        const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
        await client.connect();
        return client;
    }

    async query<T extends object = Record<string, unknown>>(sql: string): Promise<T[]> {
        const client = await this.connect();
        try {
            return (await client.query<T>(sql)).rows;
        } finally {
            await client.end();
        }
    }
}

export class RedisServer {
    private constructor(
        readonly port: number,
        private readonly proc: ManagedProcess,
    ) {}

    static async create(dir: string): Promise<RedisServer> {
        const binary = requireBinary("redis-server", ["/usr/bin/redis-server"], "redis-server");
        const port = await freePort();
        const proc = new ManagedProcess(
            "redis",
            binary,
            ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
            { logFile: path.join(dir, "redis.log") },
        );
        const server = new RedisServer(port, proc);
        await killOnFailure(
            proc,
            waitFor("redis to answer PING", () => server.withClient((client) => client.ping()), { timeoutMs: START_TIMEOUT_MS, process: proc }),
        );
        return server;
    }

    get url(): string {
        return `redis://127.0.0.1:${this.port}`;
    }

    /** The integer stored at `key`, 0 when unset. */
    async integer(key: string): Promise<number> {
        return Number((await this.withClient((client) => client.get(key))) ?? 0);
    }

    async withClient<T>(use: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
        const client = createClient({ url: this.url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
        client.on("error", () => undefined);
        await client.connect();
        try {
            return await use(client);
        } finally {
            client.destroy();
        }
    }

    async stop(): Promise<void> {
        await this.proc.stop("SIGTERM");
    }
}

export interface ReplicaOptions {
    readonly id: string;
    readonly dir: string;
    readonly databaseUrl: string;
    readonly redisUrl: string;
    /** Extra environment, e.g. SHUTDOWN_DELAY_MS. */
    readonly env?: Readonly<Record<string, string>>;
    /** @default - a free port */
    readonly port?: number;
}

/** One sample-app replica, run from source exactly as `npm run app` runs it. */
export class Replica {
    private proc: ManagedProcess | undefined;

    private constructor(
        readonly options: ReplicaOptions,
        readonly port: number,
    ) {}

    static async create(options: ReplicaOptions): Promise<Replica> {
        const replica = new Replica(options, options.port ?? (await freePort()));
        await replica.start();
        return replica;
    }

    get id(): string {
        return this.options.id;
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    get process(): ManagedProcess {
        if (!this.proc) {
            throw new Error(`replica ${this.id} was never started`);
        }
        return this.proc;
    }

    /** Starts (again) on the same port and waits for a healthy /health. */
    async start(): Promise<void> {
        this.proc = spawnApp(
            `replica ${this.id}`,
            {
                PORT: String(this.port),
                DATABASE_URL: this.options.databaseUrl,
                REDIS_URL: this.options.redisUrl,
                HORIZON_REPLICA_ID: this.id,
                ...this.options.env,
            },
            path.join(this.options.dir, `${this.id}.log`),
        );
        await killOnFailure(
            this.proc,
            waitFor(`replica ${this.id} to be healthy`, async () => ((await httpGet(`${this.url}/health`)).status === 200 ? true : undefined), {
                timeoutMs: START_TIMEOUT_MS,
                process: this.proc,
            }),
        );
    }

    async stop(signal: NodeJS.Signals): Promise<number | NodeJS.Signals> {
        return this.process.stop(signal);
    }
}

/** Runs app/src/main.ts under tsx with exactly `env` (plus PATH); stderr goes to `errFile` when given. */
export function spawnApp(name: string, env: Readonly<Record<string, string>>, logFile: string, errFile?: string): ManagedProcess {
    return new ManagedProcess(name, process.execPath, ["--import", "tsx", "app/src/main.ts"], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, ...env },
        logFile,
        errFile,
    });
}

/** Server state as HAProxy's stats report it: `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2`, `MAINT`... */
export type ServerStates = ReadonlyMap<string, string>;

/** `haproxy -c` parses the file as HAProxy would at start-up (resolvers included), without binding ports, and warns about nothing. */
export function assertHaproxyAccepts(dir: string, name: string, config: string): void {
    const haproxy = requireBinary("haproxy", ["/usr/sbin/haproxy"], "haproxy");
    const file = path.join(dir, `${name}.cfg`);
    fs.writeFileSync(file, config);
    const check = spawnSync(haproxy, ["-c", "-f", file], { encoding: "utf8" });
    const output = `${check.stdout}${check.stderr}`;
    assert.equal(check.status, 0, `haproxy -c rejected ${name}:\n${output}`);
    assert.doesNotMatch(output, /WARNING|Warnings were found/, `haproxy -c warned about ${name}:\n${output}`);
}

/** HAProxy running a config from the production renderer. */
export class Haproxy {
    private constructor(
        readonly input: HaproxyConfigInput & { readonly statsPort: number },
        readonly proc: ManagedProcess,
    ) {}

    /** Renders `input`, starts HAProxy on it and waits until every server is UP. */
    static async start(dir: string, input: HaproxyConfigInput & { readonly statsPort: number }): Promise<Haproxy> {
        const binary = requireBinary("haproxy", ["/usr/sbin/haproxy"], "haproxy");
        const configFile = path.join(dir, `haproxy-${input.listenPort}.cfg`);
        fs.writeFileSync(configFile, renderHaproxyConfig(input));
        const proc = new ManagedProcess("haproxy", binary, ["-db", "-f", configFile], {
            logFile: path.join(dir, `haproxy-${input.listenPort}.log`),
        });
        const haproxy = new Haproxy(input, proc);
        await killOnFailure(
            proc,
            (async () => {
                await waitFor("haproxy to listen", () => canConnect(input.listenPort), { timeoutMs: START_TIMEOUT_MS, process: proc });
                for (const server of input.servers) {
                    await haproxy.waitForState(server.name, "UP", START_TIMEOUT_MS);
                }
            })(),
        );
        return haproxy;
    }

    get url(): string {
        return `http://127.0.0.1:${this.input.listenPort}`;
    }

    async serverStates(): Promise<ServerStates> {
        const csv = (await httpGet(`http://127.0.0.1:${this.input.statsPort}${HAPROXY_STATS_URI};csv`)).body;
        const [header, ...rows] = csv.trim().split("\n");
        const columns = header.replace(/^# /, "").split(",");
        const [proxy, server, status] = ["pxname", "svname", "status"].map((name) => columns.indexOf(name));
        const states = new Map<string, string>();
        for (const row of rows) {
            const cells = row.split(",");
            if (cells[proxy] === HAPROXY_BACKEND && cells[server] !== "BACKEND") {
                states.set(cells[server], cells[status]);
            }
        }
        return states;
    }

    /** Waits until `server` is in `state` ("UP": in rotation, "DOWN": out of it); resolves with the ms waited. */
    async waitForState(server: string, state: "UP" | "DOWN", timeoutMs: number): Promise<number> {
        const started = Date.now();
        await waitFor(
            `haproxy to see ${server} ${state}`,
            async () => ((await this.serverStates()).get(server)?.split(" ")[0] === state ? true : undefined),
            { timeoutMs, intervalMs: 50, process: this.proc },
        );
        return Date.now() - started;
    }

    async stop(): Promise<void> {
        await this.proc.stop("SIGTERM");
    }
}

/**
 * nginx as most tutorials set it up: an `upstream` block and `proxy_pass`, no health checks
 * and no upstream keep-alive. The baseline users would otherwise pick.
 */
export class Nginx {
    private constructor(
        readonly listenPort: number,
        readonly proc: ManagedProcess,
    ) {}

    static async start(dir: string, listenPort: number, servers: readonly { host: string; port: number }[]): Promise<Nginx> {
        const binary = requireBinary("nginx", ["/usr/sbin/nginx"], "nginx-light");
        const prefix = path.join(dir, `nginx-${listenPort}`);
        fs.mkdirSync(prefix);
        const config = [
            "daemon off;",
            // As root, workers would otherwise switch to nobody and lose access to the temp dir.
            ...(process.getuid?.() === 0 ? ["user root root;"] : []),
            "worker_processes auto;",
            `pid ${prefix}/nginx.pid;`,
            `error_log ${prefix}/error.log warn;`,
            "events { worker_connections 1024; }",
            "http {",
            `    access_log ${prefix}/access.log;`,
            ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${prefix}/${kind};`),
            "    upstream app {",
            ...servers.map((server) => `        server ${server.host}:${server.port};`),
            "    }",
            "    server {",
            `        listen 127.0.0.1:${listenPort};`,
            "        location / {",
            "            proxy_pass http://app;",
            "        }",
            "    }",
            "}",
            "",
        ].join("\n");
        const configFile = path.join(prefix, "nginx.conf");
        fs.writeFileSync(configFile, config);
        const proc = new ManagedProcess("nginx", binary, ["-p", prefix, "-c", configFile, "-e", path.join(prefix, "error.log")], {
            logFile: path.join(prefix, "stdout.log"),
        });
        await killOnFailure(proc, waitFor("nginx to listen", () => canConnect(listenPort), { timeoutMs: START_TIMEOUT_MS, process: proc }));
        return new Nginx(listenPort, proc);
    }

    get url(): string {
        return `http://127.0.0.1:${this.listenPort}`;
    }

    async stop(): Promise<void> {
        await this.proc.stop("SIGQUIT");
    }
}

/**
 * The fastest checks the stack spec allows (3 s, thresholds of 2), with the interval and
 * timeout brought down to 1 s through `checkTiming` so the suite stays short.
 */
export const TEST_HEALTH_CHECK: HaproxyConfigInput["healthCheck"] = {
    path: "/health",
    intervalSeconds: 3,
    timeoutSeconds: 3,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
};
export const TEST_CHECK_TIMING: NonNullable<HaproxyConfigInput["checkTiming"]> = { intervalMs: 1000, timeoutMs: 1000 };

/** HAProxy on fresh ports in front of `replicas`, with `overrides` applied last. */
export async function startHaproxy(
    dir: string,
    replicas: readonly { id: string; port: number }[],
    overrides: Omit<Partial<HaproxyConfigInput>, "listenPort" | "statsPort"> = {},
): Promise<Haproxy> {
    const [listenPort, statsPort] = await freePorts(2);
    return Haproxy.start(dir, {
        listenPort,
        statsPort,
        algorithm: "round_robin",
        servers: replicas.map((replica) => ({ name: replica.id, host: "127.0.0.1", port: replica.port })),
        healthCheck: TEST_HEALTH_CHECK,
        checkTiming: TEST_CHECK_TIMING,
        ...overrides,
    });
}

export interface DataPlane {
    readonly dir: string;
    readonly postgres: PostgresServer;
    readonly redis: RedisServer;
    readonly replicas: Replica[];
    /** Stops everything still running; safe to call after a failed start. */
    stop(): Promise<void>;
}

/**
 * Postgres, Redis and `replicaCount` replicas named a, b, c... in a fresh temp directory,
 * removed by `stop()` unless HORIZON_KEEP_TEMP=1 (to read the logs after a failure). On
 * failure, whatever started is stopped before the error is thrown.
 */
export async function startDataPlane(options: { replicaCount: number; replicaEnv?: Readonly<Record<string, string>>; prefix: string }): Promise<DataPlane> {
    const dir = makeTempDir(options.prefix);
    const started: { postgres?: PostgresServer; redis?: RedisServer; replicas: Replica[] } = { replicas: [] };
    const stop = async () => {
        await Promise.all(started.replicas.map((replica) => replica.process.stop("SIGKILL")));
        await Promise.all([started.redis?.stop(), started.postgres?.stop()]);
        if (process.env.HORIZON_KEEP_TEMP === "1") {
            console.log(`kept ${dir}`);
        } else {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };
    try {
        started.postgres = await PostgresServer.create(dir);
        started.redis = await RedisServer.create(dir);
        const { url: databaseUrl } = started.postgres;
        const { url: redisUrl } = started.redis;
        const ids = "abcdefghij".slice(0, options.replicaCount).split("");
        const ports = await freePorts(ids.length);
        const results = await Promise.allSettled(
            ids.map((id, i) => Replica.create({ id, dir, databaseUrl, redisUrl, env: options.replicaEnv, port: ports[i] })),
        );
        for (const result of results) {
            if (result.status === "rejected") {
                throw result.reason;
            }
            started.replicas.push(result.value);
        }
        return { dir, postgres: started.postgres, redis: started.redis, replicas: started.replicas, stop };
    } catch (err) {
        await stop();
        throw err;
    }
}
