import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    ConfigError,
    DEFAULT_DATABASE_READ_MAX_LAG_SECONDS,
    DEFAULT_DATABASE_READ_TIMEOUT_MS,
    DEFAULT_DRAIN_TIMEOUT_MS,
    DEFAULT_PORT,
    DEFAULT_SHUTDOWN_DELAY_MS,
    parseConfig,
    parsePort,
} from "../../app/src/config";

const required = {
    DATABASE_URL: "postgres://app:s3cret@db.internal:25060/app?sslmode=require",
    REDIS_URL: "rediss://default:s3cret@cache.internal:25061",
};

function problemsOf(env: Record<string, string | undefined>, hostname = "web-7f9c"): readonly string[] {
    try {
        parseConfig(env, hostname);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        assert.equal(err.message, `invalid configuration: ${err.problems.join("; ")}`);
        assert.doesNotMatch(err.message, /\n/, "one line");
        return err.problems;
    }
    assert.fail("parseConfig accepted the environment");
}

describe("app config", () => {
    it("fills defaults and takes the replica id from the hostname", () => {
        assert.deepEqual(parseConfig(required, "web-7f9c"), {
            port: DEFAULT_PORT,
            databaseUrl: required.DATABASE_URL,
            databaseReadUrl: undefined,
            databaseReadMaxLagSeconds: DEFAULT_DATABASE_READ_MAX_LAG_SECONDS,
            databaseReadTimeoutMs: DEFAULT_DATABASE_READ_TIMEOUT_MS,
            redisUrl: required.REDIS_URL,
            replicaId: "web-7f9c",
            drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
            shutdownDelayMs: DEFAULT_SHUTDOWN_DELAY_MS,
        });
        assert.equal(DEFAULT_PORT, 8080);
        assert.equal(DEFAULT_DATABASE_READ_MAX_LAG_SECONDS, 30);
        assert.equal(DEFAULT_DATABASE_READ_TIMEOUT_MS, 1000);
    });

    it("reads every variable", () => {
        const config = parseConfig(
            {
                ...required,
                PORT: "3000",
                HORIZON_REPLICA_ID: "nyc3-web-1",
                DRAIN_TIMEOUT_MS: "2500",
                SHUTDOWN_DELAY_MS: "30000",
                DATABASE_URL: "postgresql://app@10.0.0.5/app",
                DATABASE_READ_URL: "postgresql://app@10.1.0.5/app",
                DATABASE_READ_MAX_LAG_SECONDS: "5",
                DATABASE_READ_TIMEOUT_MS: "250",
                REDIS_URL: "redis://10.0.0.6:6379",
            },
            "ignored",
        );
        assert.deepEqual(config, {
            port: 3000,
            databaseUrl: "postgresql://app@10.0.0.5/app",
            databaseReadUrl: "postgresql://app@10.1.0.5/app",
            databaseReadMaxLagSeconds: 5,
            databaseReadTimeoutMs: 250,
            redisUrl: "redis://10.0.0.6:6379",
            replicaId: "nyc3-web-1",
            drainTimeoutMs: 2500,
            shutdownDelayMs: 30000,
        });
    });

    it("treats empty variables as unset", () => {
        const config = parseConfig(
            { ...required, PORT: "", HORIZON_REPLICA_ID: "", DRAIN_TIMEOUT_MS: "", DATABASE_READ_URL: "", DATABASE_READ_MAX_LAG_SECONDS: "" },
            "host-1",
        );
        assert.equal(config.databaseReadUrl, undefined);
        assert.equal(config.databaseReadMaxLagSeconds, DEFAULT_DATABASE_READ_MAX_LAG_SECONDS);
        assert.equal(config.port, DEFAULT_PORT);
        assert.equal(config.replicaId, "host-1");
        assert.equal(config.drainTimeoutMs, DEFAULT_DRAIN_TIMEOUT_MS);
    });

    it("reads from the primary when DATABASE_READ_URL names the primary itself", () => {
        assert.equal(parseConfig({ ...required, DATABASE_READ_URL: required.DATABASE_URL }, "h").databaseReadUrl, undefined);
    });

    it("accepts a maximum lag of 0 (only a caught-up replica serves reads)", () => {
        assert.equal(parseConfig({ ...required, DATABASE_READ_MAX_LAG_SECONDS: "0" }, "h").databaseReadMaxLagSeconds, 0);
    });

    const bad: [string, Record<string, string | undefined>, string][] = [
        ["a missing DATABASE_URL", { REDIS_URL: required.REDIS_URL }, "DATABASE_URL: is not set (expected postgres://user:password@host:5432/database)"],
        ["a missing REDIS_URL", { DATABASE_URL: required.DATABASE_URL }, "REDIS_URL: is not set (expected redis://[user:password@]host:6379)"],
        [
            "a DATABASE_URL that is not a URL",
            { ...required, DATABASE_URL: "app:s3cret@db:5432" },
            "DATABASE_URL: is not a valid URL (expected postgres://user:password@host:5432/database)",
        ],
        [
            "a DATABASE_URL of another database",
            { ...required, DATABASE_URL: "mysql://app:s3cret@db/app" },
            'DATABASE_URL: scheme "mysql:" is not supported (expected postgres:// or postgresql://)',
        ],
        ["a DATABASE_URL without a host", { ...required, DATABASE_URL: "postgres:///app" }, "DATABASE_URL: has no host (expected postgres://user:password@host:5432/database)"],
        [
            "a REDIS_URL of another scheme",
            { ...required, REDIS_URL: "http://cache:6379" },
            'REDIS_URL: scheme "http:" is not supported (expected redis:// or rediss://)',
        ],
        [
            "a DATABASE_READ_URL that is not a URL",
            { ...required, DATABASE_READ_URL: "replica.internal:5432" },
            "DATABASE_READ_URL: is not a valid URL (expected postgres://user:password@host:5432/database)",
        ],
        [
            "a DATABASE_READ_URL of another database",
            { ...required, DATABASE_READ_URL: "mysql://app@replica/app" },
            'DATABASE_READ_URL: scheme "mysql:" is not supported (expected postgres:// or postgresql://)',
        ],
        [
            "a maximum lag with a unit",
            { ...required, DATABASE_READ_MAX_LAG_SECONDS: "30s" },
            'DATABASE_READ_MAX_LAG_SECONDS: "30s" is not a duration (expected seconds in 0-3600)',
        ],
        [
            "a maximum lag above an hour",
            { ...required, DATABASE_READ_MAX_LAG_SECONDS: "3601" },
            'DATABASE_READ_MAX_LAG_SECONDS: "3601" is not a duration (expected seconds in 0-3600)',
        ],
        [
            "a read timeout too short to reach any replica",
            { ...required, DATABASE_READ_TIMEOUT_MS: "50" },
            'DATABASE_READ_TIMEOUT_MS: "50" is not a duration (expected milliseconds in 100-60000)',
        ],
        [
            "a read timeout above a minute",
            { ...required, DATABASE_READ_TIMEOUT_MS: "60001" },
            'DATABASE_READ_TIMEOUT_MS: "60001" is not a duration (expected milliseconds in 100-60000)',
        ],
        ["a PORT that is not a number", { ...required, PORT: "eighty" }, 'PORT: "eighty" is not a port (expected 1-65535)'],
        ["PORT 0", { ...required, PORT: "0" }, 'PORT: "0" is not a port (expected 1-65535)'],
        ["a PORT above 65535", { ...required, PORT: "65536" }, 'PORT: "65536" is not a port (expected 1-65535)'],
        ["a PORT with trailing text", { ...required, PORT: "8080tcp" }, 'PORT: "8080tcp" is not a port (expected 1-65535)'],
        [
            "a replica id that cannot go in a header",
            { ...required, HORIZON_REPLICA_ID: "web 1\r\nX-Evil: 1" },
            `HORIZON_REPLICA_ID: "web 1\\r\\nX-Evil: 1" is not a replica id (expected 1-64 letters, digits, '.', '_' or '-'; the hostname when unset)`,
        ],
        [
            "a negative drain timeout",
            { ...required, DRAIN_TIMEOUT_MS: "-1" },
            'DRAIN_TIMEOUT_MS: "-1" is not a duration (expected milliseconds in 0-600000)',
        ],
        [
            "a shutdown delay in seconds",
            { ...required, SHUTDOWN_DELAY_MS: "5s" },
            'SHUTDOWN_DELAY_MS: "5s" is not a duration (expected milliseconds in 0-600000)',
        ],
    ];
    for (const [what, env, problem] of bad) {
        it(`rejects ${what}`, () => {
            assert.deepEqual(problemsOf(env), [problem]);
        });
    }

    it("never echoes a URL, which may hold a password", () => {
        const problems = problemsOf({
            DATABASE_URL: "postgres//app:s3cret@db",
            DATABASE_READ_URL: "postgres//app:s3cret@replica",
            REDIS_URL: "redis//default:s3cret@cache",
        });
        assert.equal(problems.length, 3);
        assert.doesNotMatch(problems.join(" "), /s3cret/);
    });

    it("reports every problem at once", () => {
        assert.deepEqual(problemsOf({ PORT: "x", SHUTDOWN_DELAY_MS: "soon", DATABASE_READ_TIMEOUT_MS: "1s" }), [
            'PORT: "x" is not a port (expected 1-65535)',
            "DATABASE_URL: is not set (expected postgres://user:password@host:5432/database)",
            'DATABASE_READ_TIMEOUT_MS: "1s" is not a duration (expected milliseconds in 100-60000)',
            "REDIS_URL: is not set (expected redis://[user:password@]host:6379)",
            'SHUTDOWN_DELAY_MS: "soon" is not a duration (expected milliseconds in 0-600000)',
        ]);
    });

    it("reads PORT alone for the container health check", () => {
        assert.equal(parsePort(undefined), DEFAULT_PORT);
        assert.equal(parsePort("9090"), 9090);
        assert.throws(() => parsePort("-"), { message: 'invalid configuration: PORT: "-" is not a port (expected 1-65535)' });
    });
});
