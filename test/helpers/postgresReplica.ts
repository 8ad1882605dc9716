import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { childPids, freePort, killOnFailure, ManagedProcess, userIds, waitFor } from "./processes";
import { type PostgresServer, postgresBinDir } from "./stack";

/**
 * A real streaming replica of a `PostgresServer` on loopback: a base backup taken with
 * `pg_basebackup -R` (which writes standby.signal and primary_conninfo), started as a hot standby
 * on its own port. The primary needs nothing beyond initdb's defaults: `wal_level = replica` and
 * `max_wal_senders = 10` in PostgreSQL 15, and a pg_hba.conf that admits replication connections
 * from 127.0.0.1 with the auth method given to initdb (trust here).
 */

const START_TIMEOUT_MS = 20_000;
export const REPLICATION_USER = "replicator";

export class PostgresReplica {
    private proc: ManagedProcess | undefined;
    private paused = false;

    private constructor(
        readonly port: number,
        private readonly dataDir: string,
        private readonly logFile: string,
    ) {}

    /** Creates the replication role on `primary`, takes a base backup into `dir` and starts the replica. */
    static async create(dir: string, primary: PostgresServer): Promise<PostgresReplica> {
        await primary.query(
            `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${REPLICATION_USER}') THEN CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN; END IF; END $$`,
        );
        const user = userIds("postgres");
        const home = path.join(dir, `postgres-replica-${primary.port}`);
        fs.mkdirSync(home);
        fs.chownSync(home, user.uid, user.gid);
        const dataDir = path.join(home, "data");
        const logFile = path.join(dir, "postgres-replica.log");
        const backup = new ManagedProcess(
            "pg_basebackup",
            path.join(postgresBinDir(), "pg_basebackup"),
            [
                ...["-h", "127.0.0.1", "-p", String(primary.port), "-U", REPLICATION_USER, "-D", dataDir],
                ...["-R", "--wal-method=stream", "--checkpoint=fast", "--no-sync"],
            ],
            { logFile, user, cwd: home },
        );
        const code = await Promise.race([backup.exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), START_TIMEOUT_MS).unref())]);
        if (code !== 0) {
            backup.kill();
            throw new Error(`pg_basebackup failed (${code}):\n${backup.logTail()}`);
        }
        const replica = new PostgresReplica(await freePort(), dataDir, logFile);
        await replica.start();
        return replica;
    }

    get url(): string {
        return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
    }

    get process(): ManagedProcess {
        if (!this.proc) {
            throw new Error("the replica was never started");
        }
        return this.proc;
    }

    /** Starts (again) on the same port and data directory; resolves once it accepts read-only queries. */
    async start(): Promise<void> {
        this.proc = new ManagedProcess(
            "postgres-replica",
            path.join(postgresBinDir(), "postgres"),
            [
                ...["-D", this.dataDir, "-k", path.dirname(this.dataDir), "-h", "127.0.0.1", "-p", String(this.port)],
                ...["-c", "fsync=off", "-c", "full_page_writes=off"],
            ],
            { logFile: this.logFile, user: userIds("postgres"), cwd: path.dirname(this.dataDir) },
        );
        this.paused = false;
        await killOnFailure(
            this.proc,
            waitFor(
                "the replica to accept connections in recovery",
                async () => ((await this.query<{ recovering: boolean }>("SELECT pg_is_in_recovery() AS recovering"))[0].recovering ? true : undefined),
                { timeoutMs: START_TIMEOUT_MS, process: this.proc },
            ),
        );
    }

    /**
     * Freezes every process of the replica with SIGSTOP, as a network that drops its packets
     * would: the postmaster first, so it forks no more, then each backend, the WAL receiver and
     * the startup process, which are process group leaders of their own (InitPostmasterChild
     * calls setsid()), so a signal to the postmaster's group misses them.
     */
    pause(): void {
        this.signalAll("SIGSTOP");
        this.paused = true;
    }

    resume(): void {
        this.signalAll("SIGCONT");
        this.paused = false;
    }

    private signalAll(signal: NodeJS.Signals): void {
        this.process.signal(signal);
        for (const pid of childPids(this.process.pid)) {
            try {
                process.kill(pid, signal);
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== "ESRCH") {
                    throw err;
                }
            }
        }
    }

    /** Fast shutdown; a paused replica is resumed first so that it can act on the signal. */
    async stop(): Promise<void> {
        if (this.proc === undefined) {
            return;
        }
        if (this.paused) {
            this.resume();
        }
        await this.proc.stop("SIGINT");
    }

    async query<T extends object = Record<string, unknown>>(sql: string): Promise<T[]> {
        const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
        await client.connect();
        try {
            return (await client.query<T>(sql)).rows;
        } finally {
            await client.end();
        }
    }
}
