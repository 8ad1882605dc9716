/**
 * The app's whole configuration, read once from the environment at start-up. Every problem
 * is reported at once, on one line, so a crash-looping container says what to fix.
 */

export interface AppConfig {
    readonly port: number;
    /** The primary: every write, and reads when there is no read replica or it cannot serve them. */
    readonly databaseUrl: string;
    /**
     * The nearest read replica (`DATABASE_READ_URL`); undefined when unset or the same as
     * `databaseUrl` (the primary's own region), so that reads then use the primary's pool.
     */
    readonly databaseReadUrl: string | undefined;
    /** Above this replication lag, reads go to the primary instead of the read replica. */
    readonly databaseReadMaxLagSeconds: number;
    /** How long a read (and a lag check) may wait on the read replica before the primary serves it. */
    readonly databaseReadTimeoutMs: number;
    readonly redisUrl: string;
    /** Shown in every response (`X-Replica`) so a client can tell replicas apart. */
    readonly replicaId: string;
    /** How long in-flight requests may take to finish once the listener is closed. */
    readonly drainTimeoutMs: number;
    /**
     * How long the app keeps serving after SIGTERM while its health check fails, so the load
     * balancer takes it out of rotation before the listener closes. Set it to the balancer's
     * check interval x unhealthy threshold; the orchestrator's stop grace period must cover
     * this delay plus `drainTimeoutMs`.
     */
    readonly shutdownDelayMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_PORT = 8080;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** No delay by default: only the platform knows its load balancer's check timing. */
export const DEFAULT_SHUTDOWN_DELAY_MS = 0;
/** Reads may be this stale; the check interval (a few seconds) comes on top. */
export const DEFAULT_DATABASE_READ_MAX_LAG_SECONDS = 30;
/** A read replica in the same region answers in milliseconds; one that takes a second is not serving. */
export const DEFAULT_DATABASE_READ_TIMEOUT_MS = 1000;
const MAX_DURATION_MS = 600_000;
const MAX_LAG_SECONDS = 3600;
const READ_TIMEOUT_RANGE_MS = { min: 100, max: 60_000 };

const REPLICA_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DIGITS = /^[0-9]+$/;
const URL_WITH_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const POSTGRES_SCHEMES = ["postgres:", "postgresql:"];
const DURATION_RANGE = { min: 0, max: MAX_DURATION_MS, unit: "milliseconds" } as const;
const DATABASE_URL_EXAMPLE = "postgres://user:password@host:5432/database";
const REDIS_URL_EXAMPLE = "redis://[user:password@]host:6379";

export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid configuration: ${problems.join("; ")}`);
        this.name = "ConfigError";
    }
}

export function parseConfig(env: Env, hostname: string): AppConfig {
    const problems: string[] = [];
    // Read in this order so that problems are listed as the variables are documented.
    const port = readPort(env.PORT, problems);
    const databaseUrl = readUrl("DATABASE_URL", env.DATABASE_URL, POSTGRES_SCHEMES, DATABASE_URL_EXAMPLE, problems);
    const databaseReadUrl = readOptionalUrl("DATABASE_READ_URL", env.DATABASE_READ_URL, POSTGRES_SCHEMES, DATABASE_URL_EXAMPLE, problems);
    const config: AppConfig = {
        port,
        databaseUrl,
        databaseReadUrl: databaseReadUrl === databaseUrl ? undefined : databaseReadUrl,
        databaseReadMaxLagSeconds: readWholeNumber(
            "DATABASE_READ_MAX_LAG_SECONDS",
            env.DATABASE_READ_MAX_LAG_SECONDS,
            DEFAULT_DATABASE_READ_MAX_LAG_SECONDS,
            { min: 0, max: MAX_LAG_SECONDS, unit: "seconds" },
            problems,
        ),
        databaseReadTimeoutMs: readWholeNumber(
            "DATABASE_READ_TIMEOUT_MS",
            env.DATABASE_READ_TIMEOUT_MS,
            DEFAULT_DATABASE_READ_TIMEOUT_MS,
            { ...READ_TIMEOUT_RANGE_MS, unit: "milliseconds" },
            problems,
        ),
        redisUrl: readUrl("REDIS_URL", env.REDIS_URL, ["redis:", "rediss:"], REDIS_URL_EXAMPLE, problems),
        replicaId: readReplicaId(value(env.HORIZON_REPLICA_ID) ?? hostname, problems),
        drainTimeoutMs: readWholeNumber("DRAIN_TIMEOUT_MS", env.DRAIN_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, DURATION_RANGE, problems),
        shutdownDelayMs: readWholeNumber("SHUTDOWN_DELAY_MS", env.SHUTDOWN_DELAY_MS, DEFAULT_SHUTDOWN_DELAY_MS, DURATION_RANGE, problems),
    };
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return config;
}

/** `PORT` on its own, so the container health check needs no other variable. */
export function parsePort(raw: string | undefined): number {
    const problems: string[] = [];
    const port = readPort(raw, problems);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return port;
}

// The readers below record a problem and return a placeholder, so that one pass over the
// environment reports everything that is wrong.

function readPort(raw: string | undefined, problems: string[]): number {
    const text = value(raw);
    if (text === undefined) {
        return DEFAULT_PORT;
    }
    const port = DIGITS.test(text) ? Number(text) : NaN;
    if (!(port >= 1 && port <= 65535)) {
        problems.push(`PORT: ${JSON.stringify(text)} is not a port (expected 1-65535)`);
    }
    return port;
}

/** Connection URLs carry passwords, so a problem names the variable but never echoes its value. */
function readUrl(name: string, raw: string | undefined, schemes: readonly string[], example: string, problems: string[]): string {
    const text = value(raw);
    if (text === undefined) {
        problems.push(`${name}: is not set (expected ${example})`);
        return "";
    }
    const url = toUrl(text);
    if (url === undefined) {
        problems.push(`${name}: is not a valid URL (expected ${example})`);
        return text;
    }
    if (!schemes.includes(url.protocol)) {
        const allowed = schemes.map((scheme) => `${scheme}//`).join(" or ");
        problems.push(`${name}: scheme ${JSON.stringify(url.protocol)} is not supported (expected ${allowed})`);
    } else if (url.hostname === "") {
        problems.push(`${name}: has no host (expected ${example})`);
    }
    return text;
}

function readOptionalUrl(name: string, raw: string | undefined, schemes: readonly string[], example: string, problems: string[]): string | undefined {
    return value(raw) === undefined ? undefined : readUrl(name, raw, schemes, example, problems);
}

function toUrl(text: string): URL | undefined {
    // Without "scheme://", the text before the first colon may be a user name, not a scheme.
    if (!URL_WITH_AUTHORITY.test(text)) {
        return undefined;
    }
    try {
        return new URL(text);
    } catch {
        return undefined;
    }
}

function readReplicaId(id: string, problems: string[]): string {
    if (!REPLICA_ID.test(id)) {
        problems.push(
            `HORIZON_REPLICA_ID: ${JSON.stringify(id)} is not a replica id (expected 1-64 letters, digits, '.', '_' or '-'; the hostname when unset)`,
        );
    }
    return id;
}

interface Range {
    readonly min: number;
    readonly max: number;
    readonly unit: "milliseconds" | "seconds";
}

function readWholeNumber(name: string, raw: string | undefined, fallback: number, range: Range, problems: string[]): number {
    const text = value(raw);
    if (text === undefined) {
        return fallback;
    }
    const number = DIGITS.test(text) ? Number(text) : NaN;
    if (!(number >= range.min && number <= range.max)) {
        problems.push(`${name}: ${JSON.stringify(text)} is not a duration (expected ${range.unit} in ${range.min}-${range.max})`);
    }
    return number;
}

/** An empty variable counts as unset, as `FOO= app` usually means "no value". */
function value(raw: string | undefined): string | undefined {
    return raw === undefined || raw === "" ? undefined : raw;
}
