import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "pg";
import { errorMessage, log } from "./log";
import { ReadReplica, type ReplicaStatus, type Routed } from "./readReplica";
import { STARTUP_ATTEMPTS, startupBackoffMs, withTimeout } from "./timing";

export interface VisitCount {
    readonly visits: number;
    /** The newest visit's id; null before the first visit. */
    readonly lastVisitId: number | null;
}

export interface Database {
    /** A write: always on the primary. */
    recordVisit(replicaId: string): Promise<void>;
    /** A read: on the read replica when there is one and it is usable, else on the primary. */
    countVisits(): Promise<Routed<VisitCount>>;
    /** Resolves when the primary answers `SELECT 1` within `timeoutMs`. */
    ping(timeoutMs: number): Promise<void>;
    /** The read replica's state at its last check; undefined when there is none. */
    readReplicaStatus(): ReplicaStatus | undefined;
    close(): Promise<void>;
}

export interface ReadReplicaConfig {
    readonly url: string;
    readonly maxLagSeconds: number;
    readonly timeoutMs: number;
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

const COUNT_VISITS = "SELECT count(*)::text AS visits, max(id)::text AS last_visit_id FROM visits";

export async function openDatabase(url: string, readReplicaConfig?: ReadReplicaConfig): Promise<Database> {
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

    // Opened after the migration, so the replica has the table once it has caught up.
    const readReplica = readReplicaConfig && (await ReadReplica.open({ ...readReplicaConfig, primary: pool }));
    const countOn = async (target: Pool): Promise<VisitCount> => {
        const { rows } = await target.query<{ visits: string; last_visit_id: string | null }>(COUNT_VISITS);
        return { visits: Number(rows[0].visits), lastVisitId: rows[0].last_visit_id === null ? null : Number(rows[0].last_visit_id) };
    };

    return {
        async recordVisit(replicaId) {
            await pool.query("INSERT INTO visits (replica) VALUES ($1)", [replicaId]);
        },
        async countVisits() {
            return readReplica ? readReplica.read(countOn) : { value: await countOn(pool), from: "primary" };
        },
        async ping(timeoutMs) {
            await withTimeout(pool.query("SELECT 1"), timeoutMs);
        },
        readReplicaStatus: () => readReplica?.current,
        async close() {
            await readReplica?.close();
            await pool.end();
        },
    };
}
