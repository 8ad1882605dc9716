import { Pool } from "pg";
import { errorMessage, log } from "./log";
import { parseLsn, PrimarySamples, requiredReplayLsn } from "./replicaLag";
import { withTimeout } from "./timing";

/** Where a read was served: `X-Read-From` and `readFrom` in responses. */
export type ReadSource = "read-replica" | "primary";

export interface Routed<T> {
    readonly value: T;
    readonly from: ReadSource;
    /** Why the primary served a read although a read replica is configured. */
    readonly fallback?: string;
    /** The read replica's lag at its last check, in seconds, when known. */
    readonly lagSeconds?: number;
}

export interface ReplicaStatus {
    /** Whether reads go to the read replica. */
    readonly usable: boolean;
    readonly lagSeconds?: number;
    /** Why reads go to the primary, when they do. */
    readonly reason?: string;
}

export interface ReadReplicaOptions {
    readonly url: string;
    readonly maxLagSeconds: number;
    readonly timeoutMs: number;
    /** The primary's pool, sampled for its WAL position and serving reads the replica cannot. */
    readonly primary: Pool;
}

/** How often the replica's lag is measured; reads may be this much staler than the maximum lag. */
export const REPLICA_CHECK_INTERVAL_MS = 2000;
/** Bounded like the primary's pool: a replica that stalls ties up at most this many connections. */
const READ_POOL_SIZE = 10;

const PRIMARY_POSITION = "SELECT pg_current_wal_insert_lsn()::text AS lsn, current_setting('wal_block_size')::int AS wal_block_size";
const REPLICA_POSITION = `SELECT pg_is_in_recovery() AS in_recovery,
    pg_last_wal_replay_lsn()::text AS replay_lsn,
    extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS commit_age_seconds`;

/**
 * The region's read replica: reads go to it while its measured lag is within the maximum, and to
 * the primary when it lags, fails or does not answer within the read timeout. A failed read
 * takes the replica out of use at once; the next check (every REPLICA_CHECK_INTERVAL_MS) brings
 * it back. Each change of route is logged once.
 */
export class ReadReplica {
    private readonly pool: Pool;
    private readonly samples: PrimarySamples;
    private status: ReplicaStatus | undefined;
    private timer: NodeJS.Timeout | undefined;
    private checking: Promise<void> | undefined;
    private closed = false;

    private constructor(private readonly options: ReadReplicaOptions) {
        this.pool = new Pool({
            connectionString: options.url,
            max: READ_POOL_SIZE,
            connectionTimeoutMillis: options.timeoutMs,
            idleTimeoutMillis: 30_000,
            query_timeout: options.timeoutMs,
        });
        // Without a listener, an idle connection dropped by a replica restart crashes the process.
        this.pool.on("error", (err) => log("warn", "read replica connection lost", { error: err.message }));
        // Samples older than the maximum lag only make a lag already too high more precise.
        this.samples = new PrimarySamples(options.maxLagSeconds * 1000 + 60_000);
    }

    /** Never fails: a replica that is down at start-up only sends reads to the primary. */
    static async open(options: ReadReplicaOptions): Promise<ReadReplica> {
        const replica = new ReadReplica(options);
        await replica.runCheck();
        return replica;
    }

    get current(): ReplicaStatus {
        return this.status ?? { usable: false, reason: "read replica not checked yet" };
    }

    /** Runs `query` on the read replica when it is usable, on the primary otherwise or when it fails. */
    async read<T>(query: (pool: Pool) => Promise<T>): Promise<Routed<T>> {
        const status = this.current;
        let fallback = status.reason;
        if (status.usable) {
            try {
                return { value: await withTimeout(query(this.pool), this.options.timeoutMs), from: "read-replica", lagSeconds: status.lagSeconds };
            } catch (err) {
                fallback = `read replica failed: ${errorMessage(err)}`;
                this.setStatus({ usable: false, reason: fallback });
            }
        }
        return { value: await query(this.options.primary), from: "primary", fallback, lagSeconds: status.lagSeconds };
    }

    async close(): Promise<void> {
        this.closed = true;
        clearTimeout(this.timer);
        await this.checking;
        await this.pool.end();
    }

    /** One check, then the next one scheduled after it ends, so checks never overlap. */
    private runCheck(): Promise<void> {
        this.checking = this.check().finally(() => {
            this.checking = undefined;
            if (!this.closed) {
                this.timer = setTimeout(() => void this.runCheck(), REPLICA_CHECK_INTERVAL_MS);
                this.timer.unref();
            }
        });
        return this.checking;
    }

    private async check(): Promise<void> {
        const { primary, timeoutMs, maxLagSeconds } = this.options;
        const atMs = Date.now();
        try {
            const { rows } = await withTimeout(primary.query<{ lsn: string; wal_block_size: number }>(PRIMARY_POSITION), timeoutMs);
            this.samples.add({ atMs, lsn: requiredReplayLsn(parseLsn(rows[0].lsn), rows[0].wal_block_size) });
        } catch {
            // The primary's health check reports it; the replica's last commit still bounds its lag.
        }
        let lagSeconds: number | undefined;
        try {
            const { rows } = await withTimeout(
                this.pool.query<{ in_recovery: boolean; replay_lsn: string | null; commit_age_seconds: number | null }>(REPLICA_POSITION),
                timeoutMs,
            );
            const [row] = rows;
            lagSeconds = this.samples.lagSeconds(
                {
                    inRecovery: row.in_recovery,
                    replayLsn: row.replay_lsn === null ? null : parseLsn(row.replay_lsn),
                    lastReplayedCommitAgeSeconds: row.commit_age_seconds,
                },
                Date.now(),
            );
        } catch (err) {
            this.setStatus({ usable: false, reason: `read replica failed: ${errorMessage(err)}` });
            return;
        }
        if (lagSeconds === undefined) {
            this.setStatus({ usable: false, reason: "read replica lag unknown: it has replayed nothing the primary is known to hold" });
        } else if (lagSeconds > maxLagSeconds) {
            const rounded = roundLag(lagSeconds);
            this.setStatus({ usable: false, lagSeconds: rounded, reason: `read replica is ${rounded} s behind (DATABASE_READ_MAX_LAG_SECONDS=${maxLagSeconds})` });
        } else {
            this.setStatus({ usable: true, lagSeconds: roundLag(lagSeconds) });
        }
    }

    private setStatus(next: ReplicaStatus): void {
        const previous = this.status;
        this.status = next;
        if (previous?.usable === next.usable) {
            return;
        }
        if (next.usable) {
            log("info", "reading from the read replica", { lagSeconds: next.lagSeconds });
        } else {
            log("warn", "reading from the primary", { reason: next.reason });
        }
    }
}

/** Up to the next hundredth: the lag is an upper bound, and one just above the maximum must not print as equal to it. */
function roundLag(seconds: number): number {
    return Math.ceil(seconds * 100) / 100;
}
