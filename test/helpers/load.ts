import * as http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** A small HTTP load generator: a fixed number of workers over one keep-alive agent. */

export interface HttpResult {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface GetOptions {
    /** @default - a fresh connection, closed afterwards */
    readonly agent?: http.Agent;
    readonly headers?: Readonly<Record<string, string>>;
    /** @default 5000 */
    readonly timeoutMs?: number;
}

export function httpGet(url: string, options: GetOptions = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { agent: options.agent ?? false, headers: options.headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
            res.on("error", reject);
        });
        req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", reject);
    });
}

export interface Outcome {
    /** Absent when the request failed without a response. */
    readonly status?: number;
    /** The `X-Replica` response header. */
    readonly replica?: string;
    readonly latencyMs: number;
    readonly error?: string;
}

export interface LoadOptions {
    readonly url: string;
    /** Requests in flight at once. */
    readonly concurrency: number;
    /** Upper bound on requests sent; a steady load is stopped earlier with `stop()`. */
    readonly requests: number;
    readonly headers?: Readonly<Record<string, string>>;
    /** @default 10000 */
    readonly timeoutMs?: number;
    /** Pause of each worker between requests, to keep a steady load from saturating the machine. @default 0 */
    readonly thinkTimeMs?: number;
}

export interface Load {
    /** Resolves when every request has completed. */
    readonly done: Promise<Outcome[]>;
    /** Outcomes so far, in order of completion. */
    readonly outcomes: readonly Outcome[];
    /** Lets in-flight requests finish and sends no more. */
    stop(): Promise<Outcome[]>;
}

export function startLoad(options: LoadOptions): Load {
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
    const outcomes: Outcome[] = [];
    let sent = 0;
    let stopped = false;
    const worker = async () => {
        while (!stopped && sent < options.requests) {
            sent++;
            outcomes.push(await timedGet(options, agent));
            if (options.thinkTimeMs) {
                await sleep(options.thinkTimeMs);
            }
        }
    };
    const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => {
        agent.destroy();
        return outcomes;
    });
    return {
        done,
        outcomes,
        stop() {
            stopped = true;
            return done;
        },
    };
}

export function runLoad(options: LoadOptions): Promise<Outcome[]> {
    return startLoad(options).done;
}

async function timedGet(options: LoadOptions, agent: http.Agent): Promise<Outcome> {
    const started = performance.now();
    try {
        const res = await httpGet(options.url, { agent, headers: options.headers, timeoutMs: options.timeoutMs ?? 10_000 });
        const replica = res.headers["x-replica"];
        return { status: res.status, replica: typeof replica === "string" ? replica : undefined, latencyMs: performance.now() - started };
    } catch (err) {
        return { error: err instanceof Error ? err.message : String(err), latencyMs: performance.now() - started };
    }
}

export function isFailure(outcome: Outcome): boolean {
    return outcome.status === undefined || outcome.status < 200 || outcome.status > 299;
}

/** Requests answered by each replica. */
export function countByReplica(outcomes: readonly Outcome[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { replica } of outcomes) {
        if (replica !== undefined) {
            counts.set(replica, (counts.get(replica) ?? 0) + 1);
        }
    }
    return counts;
}

/** Nearest-rank percentile of the latencies, in ms. */
export function percentile(outcomes: readonly Outcome[], p: number): number {
    const sorted = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
    return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One line per kind of failure, for assertion messages. */
export function describeFailures(outcomes: readonly Outcome[]): string {
    const kinds = new Map<string, number>();
    for (const outcome of outcomes.filter(isFailure)) {
        const kind = outcome.error ?? `HTTP ${outcome.status}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return [...kinds].map(([kind, count]) => `${count} x ${kind}`).join("; ");
}
