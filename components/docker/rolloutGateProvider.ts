import type { dynamic } from "@pulumi/pulumi";

/**
 * The RolloutGate's provider: polls HAProxy's stats (CSV at `<stats uri>;csv`) until every
 * replica of a wave has been UP in HAProxy's own view for `minReadySeconds`, and the dynamic
 * provider object that runs the wait on create and update.
 *
 * Pulumi serializes the provider object into the stack state and runs that text in a
 * separate process, so everything it reaches must be plain code: no imports (types only),
 * only globals of Node itself (`fetch`, `AbortController`, `setTimeout`).
 */

/** Seconds one stats request may take before it is abandoned and retried. */
export const STATS_REQUEST_TIMEOUT_SECONDS = 5;

/** One replica the gate waits for: its container name (for messages) and its address on the stack network. */
export interface GateReplica {
    readonly name: string;
    readonly address: string;
}

/** One server line of HAProxy's stats CSV, the fields the gate reads. */
export interface HaproxyServerStat {
    /** Proxy (backend) name. */
    readonly pxname: string;
    /** Server name, e.g. `replica3` of a server-template. */
    readonly svname: string;
    /** `UP`, `DOWN`, `MAINT`, `UP 1/3` (going down), `DOWN 1/2` (going up), `no check`. */
    readonly status: string;
    /** `address:port` the server points at; empty for a slot with no address yet. */
    readonly addr: string;
    /** Last check result, e.g. `L7OK`, `L4CON`, `L7STS`. */
    readonly checkStatus: string;
    /** HTTP status or other detail of the last check. */
    readonly checkCode: string;
    /** Description of the last check, e.g. `Layer7 wrong status`. */
    readonly lastCheck: string;
}

/**
 * Server rows of HAProxy's `show stat` CSV (the header line starts with `# pxname,svname,`).
 * Field names come from the header, so the column order of any HAProxy version works.
 */
export function parseHaproxyStats(text: string): HaproxyServerStat[] | undefined {
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const header = lines[0];
    if (header === undefined || !header.startsWith("# ")) {
        return undefined;
    }
    const fields = header.slice(2).split(",");
    const at = (name: string) => fields.indexOf(name);
    const columns = { pxname: at("pxname"), svname: at("svname"), status: at("status"), addr: at("addr"), checkStatus: at("check_status"), checkCode: at("check_code"), lastCheck: at("last_chk") };
    if (columns.pxname < 0 || columns.svname < 0 || columns.status < 0 || columns.addr < 0) {
        return undefined;
    }
    const rows: HaproxyServerStat[] = [];
    for (const line of lines.slice(1)) {
        const values = line.split(",");
        const value = (index: number) => (index < 0 ? "" : (values[index] ?? ""));
        const svname = value(columns.svname);
        if (svname === "FRONTEND" || svname === "BACKEND") {
            continue;
        }
        rows.push({
            pxname: value(columns.pxname),
            svname,
            status: value(columns.status),
            addr: value(columns.addr),
            checkStatus: value(columns.checkStatus),
            checkCode: value(columns.checkCode),
            lastCheck: value(columns.lastCheck),
        });
    }
    return rows;
}

export interface WaitForReplicasOptions {
    /** HAProxy's stats CSV, e.g. `http://127.0.0.1:8404/stats;csv`. */
    readonly statsUrl: string;
    /** Backend whose servers are the replicas. */
    readonly backend: string;
    readonly replicas: readonly GateReplica[];
    readonly minReadySeconds: number;
    readonly readyTimeoutSeconds: number;
    readonly pollIntervalSeconds: number;
    /** @default Date.now */
    readonly now?: () => number;
    /** @default a timer */
    readonly sleep?: (ms: number) => Promise<void>;
    /** @default the global fetch */
    readonly fetch?: typeof fetch;
}

export interface ReplicasUp {
    /** HAProxy server name per replica name. */
    readonly servers: Record<string, string>;
    /** ISO time of the poll that found every replica ready. */
    readonly readyAt: string;
    readonly polls: number;
}

/** What HAProxy last said about a replica, for the failure message. */
function describeServer(row: HaproxyServerStat | undefined): string {
    if (row === undefined) {
        return "not in HAProxy's backend yet (its address has not resolved)";
    }
    const check = [row.checkStatus, row.checkCode, row.lastCheck].filter((part) => part !== "").join(" ");
    return `${row.svname} is ${row.status}${check === "" ? "" : `, last check: ${check}`}`;
}

/**
 * Polls HAProxy's stats until every replica has been `UP` on consecutive polls for
 * `minReadySeconds`. A replica is found by its address in the backend (a server-template
 * slot takes whatever address DNS gives it). A failed stats request is retried and leaves the
 * clocks alone; after `readyTimeoutSeconds` the wait fails naming each replica that is not
 * ready and HAProxy's last check of it.
 */
export async function waitForReplicasUp(options: WaitForReplicasOptions): Promise<ReplicasUp> {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const doFetch = options.fetch ?? fetch;
    const deadline = now() + options.readyTimeoutSeconds * 1000;
    const upSince = new Map<string, number>();
    const lastSeen = new Map<string, HaproxyServerStat | undefined>();
    let polls = 0;
    let lastProblem: string | undefined;
    for (;;) {
        const polledAt = now();
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), STATS_REQUEST_TIMEOUT_SECONDS * 1000);
        let rows: HaproxyServerStat[] | undefined;
        try {
            const response = await doFetch(options.statsUrl, { signal: controller.signal });
            const text = await response.text();
            rows = response.ok ? parseHaproxyStats(text) : undefined;
            lastProblem = rows === undefined ? `HTTP ${response.status} without HAProxy stats CSV` : undefined;
        } catch (error) {
            lastProblem = controller.signal.aborted ? `no answer within ${STATS_REQUEST_TIMEOUT_SECONDS} s` : String(error instanceof Error ? error.message : error);
        } finally {
            clearTimeout(timer);
        }
        if (rows !== undefined) {
            polls += 1;
            for (const replica of options.replicas) {
                const row = rows.find((r) => r.pxname === options.backend && r.addr.startsWith(`${replica.address}:`));
                lastSeen.set(replica.name, row);
                if (row?.status === "UP") {
                    upSince.set(replica.name, upSince.get(replica.name) ?? polledAt);
                } else {
                    upSince.delete(replica.name);
                }
            }
            const ready = options.replicas.every((r) => polledAt - (upSince.get(r.name) ?? Infinity) >= options.minReadySeconds * 1000);
            if (ready) {
                return {
                    servers: Object.fromEntries(options.replicas.map((r) => [r.name, lastSeen.get(r.name)?.svname ?? ""])),
                    readyAt: new Date(polledAt).toISOString(),
                    polls,
                };
            }
        }
        const remaining = deadline - now();
        if (remaining <= 0) {
            const at = now();
            const notReady = options.replicas
                .filter((r) => at - (upSince.get(r.name) ?? Infinity) < options.minReadySeconds * 1000)
                .map((r) => {
                    const since = upSince.get(r.name);
                    const state = since === undefined ? describeServer(lastSeen.get(r.name)) : `UP for ${Math.floor((at - since) / 1000)} s only`;
                    return `container ${r.name} (${r.address}): ${state}`;
                });
            const statsNote = lastProblem === undefined ? "" : ` The last stats request failed: ${lastProblem}.`;
            throw new Error(
                `RolloutGate: ${notReady.length} of ${options.replicas.length} new replicas were not UP in HAProxy (backend ${options.backend}, ${options.statsUrl}) ` +
                    `for ${options.minReadySeconds} s within ${options.readyTimeoutSeconds} s: ${notReady.join("; ")}.${statsNote} ` +
                    "The update stops here and the old replicas keep serving; check the app's logs (docker logs <container>) and its health check, " +
                    "or raise app.readyTimeoutSeconds if it only needs longer to start.",
            );
        }
        await sleep(Math.min(options.pollIntervalSeconds * 1000, remaining));
    }
}

/** The RolloutGate's inputs as the provider receives them, every default filled in. */
export interface RolloutGateInputs {
    readonly statsUrl: string;
    readonly backend: string;
    /** Ids of the wave's containers: a new id is a new replica to wait for. */
    readonly containerIds: string[];
    readonly replicas: GateReplica[];
    readonly minReadySeconds: number;
    readonly readyTimeoutSeconds: number;
    readonly pollIntervalSeconds: number;
}

export interface RolloutGateOutputs extends RolloutGateInputs {
    /** ISO time the whole wave was ready. */
    readonly readyAt: string;
}

function sameIds(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    const left = [...(a ?? [])].sort();
    const right = [...(b ?? [])].sort();
    return left.length === right.length && left.every((id, i) => id === right[i]);
}

/** Problems with the timing inputs, each naming the input; unknown (preview) values are skipped. */
export function checkRolloutGateInputs(inputs: Partial<RolloutGateInputs>): dynamic.CheckFailure[] {
    const failures: dynamic.CheckFailure[] = [];
    const { minReadySeconds, readyTimeoutSeconds, pollIntervalSeconds } = inputs;
    if (typeof minReadySeconds === "number" && !(minReadySeconds >= 0)) {
        failures.push({ property: "minReadySeconds", reason: `${minReadySeconds} is negative; use 0 or more seconds` });
    }
    if (typeof readyTimeoutSeconds === "number" && typeof minReadySeconds === "number" && !(readyTimeoutSeconds > minReadySeconds)) {
        failures.push({ property: "readyTimeoutSeconds", reason: `${readyTimeoutSeconds} is not longer than minReadySeconds (${minReadySeconds}), so the gate could never open` });
    }
    if (typeof pollIntervalSeconds === "number" && !(pollIntervalSeconds > 0)) {
        failures.push({ property: "pollIntervalSeconds", reason: `${pollIntervalSeconds} must be more than 0 seconds` });
    }
    return failures;
}

async function waitForGate(inputs: RolloutGateInputs): Promise<RolloutGateOutputs> {
    const up = await waitForReplicasUp(inputs);
    return { ...inputs, readyAt: up.readyAt };
}

/** A fresh provider object; the gate waits on create, and on update when the wave's containers changed. */
export function createRolloutGateProvider(): dynamic.ResourceProvider<RolloutGateInputs, RolloutGateOutputs> {
    return {
        async check(_olds: RolloutGateInputs, news: RolloutGateInputs) {
            return { inputs: news, failures: checkRolloutGateInputs(news) };
        },
        async diff(_id: string, olds: RolloutGateOutputs, news: RolloutGateInputs) {
            return { changes: olds.statsUrl !== news.statsUrl || !sameIds(olds.containerIds, news.containerIds) };
        },
        async create(inputs: RolloutGateInputs) {
            return { id: crypto.randomUUID(), outs: await waitForGate(inputs) };
        },
        async update(_id: string, _olds: RolloutGateOutputs, news: RolloutGateInputs) {
            return { outs: await waitForGate(news) };
        },
        async delete() {
            // Nothing exists outside the state: the gate only ever waited.
        },
    };
}
