import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "pg";
import { errorMessage, log } from "./log";
import { STARTUP_ATTEMPTS, startupBackoffMs, withTimeout } from "./timing";

export interface Database {
    recordVisit(replicaId: string): Promise<void>;
    /** Resolves when Postgres answers `SELECT 1` within `timeoutMs`. */
    ping(timeoutMs: number): Promise<void>;
    close(): Promise<void>;
}

/**
 * Sent as one simple-protocol query, so Postgres runs it as one transaction: the advisory lock
 * serialises replicas that start together, which would otherwise race inside CREATE TABLE IF
 * NOT EXISTS and fail on pg_type's unique index.
 */
const MIGRATION = `
SELECT pg_advisory_xact_lock(7243117);
CREATE TABLE IF NOT EXISTS visits (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    replica text NOT NULL,
    visited_at timestamptz NOT NULL DEFAULT now()
);`;

export async function openDatabase(url: string): Promise<Database> {
    const pool = new Pool({
        connectionString: url,
        max: 10,
        connectionTimeoutMillis: 2000,
        idleTimeoutMillis: 30_000,
        // A stuck query fails the request instead of holding a pooled connection forever.
        query_timeout: 5000,
    });
    // Without a listener, an idle connection dropped by a Postgres restart crashes the process.
    pool.on("error", (err) => log("warn", "postgres connection lost", { error: err.message }));

    for (let attempt = 1; ; attempt++) {
        try {
            await pool.query(MIGRATION);
            break;
        } catch (err) {
            if (attempt >= STARTUP_ATTEMPTS) {
                await pool.end();
                throw new Error(`postgres: not reachable after ${attempt} attempts: ${errorMessage(err)}`, { cause: err });
            }
            const delayMs = startupBackoffMs(attempt);
            log("warn", "postgres not ready, retrying", { attempt, delayMs, error: errorMessage(err) });
            await sleep(delayMs);
        }
    }

    return {
        async recordVisit(replicaId) {
            await pool.query("INSERT INTO visits (replica) VALUES ($1)", [replicaId]);
        },
        async ping(timeoutMs) {
            await withTimeout(pool.query("SELECT 1"), timeoutMs);
        },
        close: () => pool.end(),
    };
}
