import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Child processes for tests and benchmarks: each runs in its own process group so that a stop
 * reaches whatever it forked, writes to a log file, and is killed when this process exits
 * (on an error, a failed assertion or Ctrl-C alike), so no server outlives its test.
 */

const live = new Set<ManagedProcess>();
process.on("exit", () => {
    for (const proc of live) {
        proc.kill();
    }
});
// Children run in their own process groups, so a Ctrl-C reaches only this process; the
// default handler would exit without the "exit" event and leave them running.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => process.exit(code));
}

export interface SpawnOptions {
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    /** stdout (and stderr, unless `errFile` is set) is appended here, so a restarted process keeps its history. */
    readonly logFile: string;
    readonly errFile?: string;
    /** Run as this user (the caller must be root). */
    readonly user?: { readonly uid: number; readonly gid: number };
}

export class ManagedProcess {
    readonly child: ChildProcess;
    /** Resolves with the exit code, or the signal name when killed by one. */
    readonly exited: Promise<number | NodeJS.Signals>;
    private exitResult: number | NodeJS.Signals | undefined;

    constructor(
        readonly name: string,
        command: string,
        args: readonly string[],
        readonly options: SpawnOptions,
    ) {
        const out = fs.openSync(options.logFile, "a");
        const err = options.errFile === undefined ? out : fs.openSync(options.errFile, "a");
        this.child = spawn(command, args, {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: ["ignore", out, err],
            detached: true,
            uid: options.user?.uid,
            gid: options.user?.gid,
        });
        fs.closeSync(out);
        if (err !== out) {
            fs.closeSync(err);
        }
        live.add(this);
        this.exited = new Promise((resolve) => {
            this.child.once("error", (err) => {
                fs.appendFileSync(options.logFile, `spawn failed: ${err.message}\n`);
                live.delete(this);
                this.exitResult = -1;
                resolve(-1);
            });
            this.child.once("exit", (code, signal) => {
                live.delete(this);
                this.exitResult = code ?? signal ?? -1;
                resolve(this.exitResult);
            });
        });
    }

    get pid(): number {
        if (this.child.pid === undefined) {
            throw new Error(`${this.name} has no pid (spawn failed; see ${this.options.logFile})`);
        }
        return this.child.pid;
    }

    get running(): boolean {
        return this.exitResult === undefined;
    }

    /** Sends `signal` to the whole process group. */
    signal(signal: NodeJS.Signals): void {
        if (this.running && this.child.pid !== undefined) {
            try {
                process.kill(-this.child.pid, signal);
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code !== "ESRCH") {
                    throw err;
                }
            }
        }
    }

    kill(): void {
        this.signal("SIGKILL");
    }

    /** Sends `signal` and waits for the exit, killing the group if it takes longer than `timeoutMs`. */
    async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<number | NodeJS.Signals> {
        this.signal(signal);
        const result = await Promise.race([this.exited, sleep(timeoutMs, undefined, { ref: false })]);
        if (result !== undefined) {
            return result;
        }
        this.kill();
        return this.exited;
    }

    /** The end of the log, for error messages. */
    logTail(lines = 20): string {
        return tailFile(this.options.logFile, lines);
    }
}

export function tailFile(file: string, lines: number): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Kills `proc` when `starting` fails, so a failed start leaves nothing running. */
export async function killOnFailure<T>(proc: ManagedProcess, starting: Promise<T>): Promise<T> {
    try {
        return await starting;
    } catch (err) {
        await proc.stop("SIGKILL");
        throw err;
    }
}

/** A temporary directory other users can traverse (Postgres runs as its own user). */
export function makeTempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    fs.chmodSync(dir, 0o755);
    return dir;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
    const [port] = await freePorts(1);
    return port;
}

/** `count` distinct ports, all held open until every one is known, so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
    const servers = await Promise.all(
        Array.from(
            { length: count },
            () =>
                new Promise<net.Server>((resolve, reject) => {
                    const server = net.createServer();
                    server.once("error", reject);
                    server.listen(0, "127.0.0.1", () => resolve(server));
                }),
        ),
    );
    const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    return ports;
}

/**
 * The path of a server binary from a Debian package. Missing binaries fail loudly with the
 * package to install: the suite must not pass by skipping the tests that need them.
 */
export function requireBinary(name: string, candidates: readonly string[], debianPackage: string): string {
    const searched = [...candidates, ...(process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, name))];
    const found = searched.find((file) => {
        try {
            fs.accessSync(file, fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    });
    if (found === undefined) {
        throw new Error(`${name} not found (looked in ${candidates.join(", ")} and PATH): install the Debian package ${debianPackage} (apt-get install ${debianPackage})`);
    }
    return found;
}

/** The uid and gid of a local user. */
export function userIds(user: string): { uid: number; gid: number } {
    const read = (flag: string) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
    return { uid: read("-u"), gid: read("-g") };
}

export interface WaitOptions {
    readonly timeoutMs: number;
    readonly intervalMs?: number;
    /** Fail at once when this process exits while waiting. */
    readonly process?: ManagedProcess;
}

/** Polls `check` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    let lastError = "";
    for (;;) {
        if (options.process && !options.process.running) {
            throw new Error(`${options.process.name} exited while waiting for ${what}:\n${options.process.logTail()}`);
        }
        try {
            const result = await check();
            if (result !== undefined) {
                return result;
            }
        } catch (err) {
            lastError = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() >= deadline) {
            const detail = options.process ? `\n${options.process.logTail()}` : "";
            throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}${detail}`);
        }
        await sleep(options.intervalMs ?? 100);
    }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<true | undefined> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(undefined));
    });
}

/**
 * The pids of `pid`'s direct children, from /proc. Servers that put each child in its own
 * process group (PostgreSQL's backends call setsid()) are reached this way, not by a group signal.
 */
export function childPids(pid: number): number[] {
    const children: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        } catch {
            continue;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === pid) {
            children.push(Number(entry));
        }
    }
    return children;
}
