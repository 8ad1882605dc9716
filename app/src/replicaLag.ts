/**
 * How stale a read replica may be, worked out from write-ahead log positions. Pure, so the
 * arithmetic is tested without servers.
 *
 * Every few seconds the app samples the primary's WAL insert position L at time T, then asks the
 * replica how far it has replayed. A replica that has replayed past L holds everything committed
 * on the primary before T, so its data is at most `now - T` old. That bound stays right on an
 * idle primary, where `now() - pg_last_xact_replay_timestamp()` grows although nothing is
 * missing, and on a replica whose WAL receiver has stalled, where the received and replayed
 * positions are equal although the replica is falling behind. When no sample qualifies (the
 * app just started), the age of the last replayed commit is the bound: also an upper one, but
 * measured on the replica's clock against the primary's commit time.
 */

export interface LsnSample {
    /** `Date.now()` taken before the primary was asked. */
    readonly atMs: number;
    /** The replay position a replica needs to hold what the primary held then: `requiredReplayLsn` of its insert position. */
    readonly lsn: bigint;
}

export interface ReplicaPosition {
    /** `pg_is_in_recovery()`: false when the read URL is not a replica at all. */
    readonly inRecovery: boolean;
    /** `pg_last_wal_replay_lsn()`; null before any WAL is replayed. */
    readonly replayLsn: bigint | null;
    /** `now() - pg_last_xact_replay_timestamp()` in seconds; null before any commit is replayed. */
    readonly lastReplayedCommitAgeSeconds: number | null;
}

/** `16/B374D848` as a number. */
export function parseLsn(text: string): bigint {
    const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
    if (match === null) {
        throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
    }
    return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** The largest WAL page header (`SizeOfXLogLongPHD` in PostgreSQL's xlog_internal.h, on 64-bit builds). */
const LONG_PAGE_HEADER_BYTES = 40n;

/**
 * The position a replica must have replayed to hold everything inserted before `insertLsn`.
 * `pg_current_wal_insert_lsn()` points past the page header when the last record ended on a
 * page boundary (GetXLogInsertRecPtr uses XLogBytePosToRecPtr, xlog.c), while a replica's replay
 * position is the end of its last record, the boundary itself; no record ends inside a header.
 */
export function requiredReplayLsn(insertLsn: bigint, walBlockSize: number): bigint {
    const offset = insertLsn % BigInt(walBlockSize);
    return offset <= LONG_PAGE_HEADER_BYTES ? insertLsn - offset : insertLsn;
}

/**
 * Samples of the primary's WAL position, newest last, kept for `keepMs` (and at most
 * `MAX_SAMPLES`), which is enough to tell any lag up to the configured maximum.
 */
export class PrimarySamples {
    static readonly MAX_SAMPLES = 512;
    private readonly samples: LsnSample[] = [];

    constructor(private readonly keepMs: number) {}

    add(sample: LsnSample): void {
        this.samples.push(sample);
        const oldest = sample.atMs - this.keepMs;
        while (this.samples.length > PrimarySamples.MAX_SAMPLES || (this.samples.length > 1 && this.samples[0].atMs < oldest)) {
            this.samples.shift();
        }
    }

    /**
     * An upper bound, in seconds at `nowMs`, on how far behind the primary a replica at
     * `position` is; undefined when nothing bounds it (reads then go to the primary).
     */
    lagSeconds(position: ReplicaPosition, nowMs: number): number | undefined {
        if (!position.inRecovery) {
            return 0;
        }
        const bounds: number[] = [];
        const { replayLsn } = position;
        if (replayLsn !== null) {
            const caughtUpTo = [...this.samples].reverse().find((sample) => replayLsn >= sample.lsn);
            if (caughtUpTo !== undefined) {
                bounds.push(Math.max(0, nowMs - caughtUpTo.atMs) / 1000);
            }
        }
        if (position.lastReplayedCommitAgeSeconds !== null) {
            bounds.push(Math.max(0, position.lastReplayedCommitAgeSeconds));
        }
        return bounds.length === 0 ? undefined : Math.min(...bounds);
    }
}
