import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLsn, PrimarySamples, requiredReplayLsn } from "../../app/src/replicaLag";

describe("read replica lag", () => {
    it("parses WAL positions as PostgreSQL prints them", () => {
        assert.equal(parseLsn("0/0"), 0n);
        assert.equal(parseLsn("0/3000148"), 0x3000148n);
        assert.equal(parseLsn("16/B374D848"), (0x16n << 32n) + 0xb374d848n);
        assert.throws(() => parseLsn("16-B374D848"), { message: 'not a WAL position: "16-B374D848"' });
    });

    it("lets a replica stopped on a page boundary count as caught up with an insert position past the page header", () => {
        const boundary = 0x3002000n;
        assert.equal(requiredReplayLsn(boundary + 24n, 8192), boundary);
        assert.equal(requiredReplayLsn(boundary + 40n, 8192), boundary);
        assert.equal(requiredReplayLsn(boundary + 48n, 8192), boundary + 48n);
        assert.equal(requiredReplayLsn(boundary + 0x128n, 8192), boundary + 0x128n);
        // Read off PostgreSQL 15 right after pg_basebackup: the primary's insert position at the
        // start of a new segment (after its 40-byte long header) and the idle replica's replay position.
        assert.equal(requiredReplayLsn(parseLsn("0/3000028"), 8192), parseLsn("0/3000000"));
    });

    const inRecovery = { inRecovery: true, lastReplayedCommitAgeSeconds: null };

    it("bounds the lag by the newest primary sample the replica has replayed past", () => {
        const samples = new PrimarySamples(60_000);
        samples.add({ atMs: 1_000, lsn: 100n });
        samples.add({ atMs: 3_000, lsn: 200n });
        samples.add({ atMs: 5_000, lsn: 300n });
        assert.equal(samples.lagSeconds({ ...inRecovery, replayLsn: 300n }, 5_100), 0.1);
        assert.equal(samples.lagSeconds({ ...inRecovery, replayLsn: 250n }, 5_100), 2.1);
        assert.equal(samples.lagSeconds({ ...inRecovery, replayLsn: 100n }, 9_000), 8);
    });

    it("reports a replica stuck while the primary is idle as caught up, whatever its last commit's age", () => {
        const samples = new PrimarySamples(60_000);
        samples.add({ atMs: 600_000, lsn: 500n });
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: 500n, lastReplayedCommitAgeSeconds: 3600 }, 600_050), 0.05);
    });

    it("falls back to the last replayed commit's age, and takes the tighter of both bounds", () => {
        const samples = new PrimarySamples(60_000);
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: 10n, lastReplayedCommitAgeSeconds: 42 }, 0), 42);
        samples.add({ atMs: 0, lsn: 10n });
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: 10n, lastReplayedCommitAgeSeconds: 42 }, 50_000), 42);
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: 10n, lastReplayedCommitAgeSeconds: 42 }, 5_000), 5);
    });

    it("knows no lag for a replica that has replayed nothing the primary is known to hold", () => {
        const samples = new PrimarySamples(60_000);
        samples.add({ atMs: 0, lsn: 10n });
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: 9n, lastReplayedCommitAgeSeconds: null }, 1_000), undefined);
        assert.equal(samples.lagSeconds({ inRecovery: true, replayLsn: null, lastReplayedCommitAgeSeconds: null }, 1_000), undefined);
    });

    it("counts a server that is not in recovery (the primary itself) as never behind", () => {
        assert.equal(new PrimarySamples(1000).lagSeconds({ inRecovery: false, replayLsn: null, lastReplayedCommitAgeSeconds: null }, 0), 0);
    });

    it("keeps samples for the configured window only, and never more than MAX_SAMPLES", () => {
        const samples = new PrimarySamples(10_000);
        for (let i = 0; i <= 20; i++) {
            samples.add({ atMs: i * 1000, lsn: BigInt(i) });
        }
        // The sample at 5 s was dropped (older than 20 s - 10 s), so the replica at 5 is unbounded.
        assert.equal(samples.lagSeconds({ ...inRecovery, replayLsn: 5n }, 20_000), undefined);
        assert.equal(samples.lagSeconds({ ...inRecovery, replayLsn: 10n }, 20_000), 10);

        const many = new PrimarySamples(Number.MAX_SAFE_INTEGER);
        for (let i = 0; i <= PrimarySamples.MAX_SAMPLES; i++) {
            many.add({ atMs: i, lsn: BigInt(i) });
        }
        assert.equal(many.lagSeconds({ ...inRecovery, replayLsn: 0n }, 1000), undefined);
        assert.equal(many.lagSeconds({ ...inRecovery, replayLsn: 1n }, 1001), 1);
    });
});
