import type { dynamic } from "@pulumi/pulumi";

/**
 * The HealthGate's provider: polls DigitalOcean's load-balancer health metrics until a wave
 * of droplets has been healthy long enough, and the dynamic provider object that runs the
 * wait on create and update.
 *
 * Pulumi serializes the provider object into the stack state and runs that text in a
 * separate process, so everything it reaches must be plain code: no imports (types only),
 * no values captured at construction time (a token read here would be written into state),
 * only globals of Node itself (`fetch`, `AbortController`, `setTimeout`, `process`).
 */

/** Where DigitalOcean's API lives unless `digitalocean:apiEndpoint` or `DIGITALOCEAN_API_URL` says otherwise. */
export const DEFAULT_API_URL = "https://api.digitalocean.com";
export const HEALTH_CHECKS_PATH = "/v2/monitoring/metrics/load_balancer/droplets_health_checks";
/** Seconds one metrics request may take before it is abandoned and retried. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
/**
 * How far back each query looks. DigitalOcean samples load-balancer metrics every two
 * minutes, so a shorter window can come back empty even for a healthy droplet.
 */
export const METRICS_WINDOW_SECONDS = 600;
/**
 * A sample is the percentage of health checks that passed. The API reference leaves the
 * scale undocumented; third-party exporters of this metric document 100 as healthy.
 * Anything less means some checks failed in that sample, which is not ready.
 */
export const HEALTHY_PERCENT = 100;
/**
 * Series labels that may name the droplet a series belongs to. The API reference documents the
 * matrix but not this label; DigitalOcean's telemetry reference calls the attribute `server`,
 * "backend server (node)" (docs.digitalocean.com/products/insights/reference/telemetry/load-balancers),
 * and droplet metrics use `host_id`. These are read first, then every other label, since an
 * account may report the node under another key. A value may be a droplet's id, its name or its
 * private IP (with or without a port), so all three are matched.
 */
export const DROPLET_LABELS = ["droplet_id", "host_id", "server"] as const;
/** Where the droplets of a tag are listed (`?tag_name=`), to match series by name or private IP. */
export const DROPLETS_PATH = "/v2/droplets";
/** The API's largest page (openapi `shared/parameters.yml`, `per_page` maximum). */
export const DROPLETS_PER_PAGE = 200;
/** Pages read at most: 2,000 droplets, far above a fleet's 100 per region plus a wave. */
const MAX_DROPLET_PAGES = 10;
/** Upper bound of the retry backoff, so a long outage is still polled every minute. */
const MAX_BACKOFF_MS = 60_000;

export interface WaitForHealthyDropletsOptions {
    /** API base URL, e.g. `https://api.digitalocean.com`. */
    readonly apiUrl: string;
    /** DigitalOcean API token; sent as a bearer token and never printed. */
    readonly token: string;
    readonly loadBalancerId: string;
    /** Droplets that must all be healthy. */
    readonly dropletIds: readonly string[];
    /**
     * The tag every droplet behind the load balancer carries. With it, series are matched by
     * droplet name and private IP too, and series that name no droplet of the tag fail the wait
     * at once instead of after the timeout. @default - match by droplet id only
     */
    readonly fleetTag?: string;
    /**
     * Seconds each droplet must stay healthy to count as ready, measured between the
     * timestamps of distinct samples (DigitalOcean samples about every 120 s), not between polls.
     */
    readonly minReadySeconds: number;
    /** Seconds after which the wait fails, naming the droplets that are not ready. */
    readonly readyTimeoutSeconds: number;
    /** Seconds between polls; also the first retry delay after a failed request. */
    readonly pollIntervalSeconds: number;
    /** @default DEFAULT_REQUEST_TIMEOUT_SECONDS */
    readonly requestTimeoutSeconds?: number;
    /** Clock in epoch milliseconds. @default Date.now */
    readonly now?: () => number;
    /** @default a timer */
    readonly sleep?: (ms: number) => Promise<void>;
    /** @default the global fetch */
    readonly fetch?: typeof fetch;
}

export interface HealthyDroplets {
    readonly dropletIds: string[];
    /** ISO time each droplet was first seen healthy in its final, unbroken healthy run. */
    readonly healthySince: Record<string, string>;
    /** ISO time of the poll that found every droplet ready. */
    readonly readyAt: string;
    /** Successful metric reads, failed requests not counted. */
    readonly polls: number;
}

/** One series of the matrix: its labels and its samples as [unix seconds, percent]. */
export interface HealthSeries {
    readonly labels: Readonly<Record<string, string>>;
    readonly samples: readonly (readonly [number, number])[];
}

/** What one request learned: the series, a failure worth retrying, or one that is not. */
type PollOutcome =
    | { readonly kind: "health"; readonly series: HealthSeries[] }
    | { readonly kind: "retry"; readonly problem: string; readonly retryAfterMs?: number }
    | { readonly kind: "fatal"; readonly message: string };

/**
 * Polls the load balancer's droplet health checks until every droplet in `dropletIds` has an
 * unbroken run of healthy samples spanning `minReadySeconds` (timestamps of distinct samples,
 * so polling one sample again proves nothing), and resolves with when that happened. A series
 * belongs to a droplet when a droplet label holds its id, or, with `fleetTag`, the name or
 * private IP of a droplet carrying the tag. When series arrive and none belongs to a droplet of
 * the tag, the wait fails at once with the labels seen. A droplet missing from the metrics is
 * not healthy yet; an unhealthy sample starts its run again. A failed request (429, 5xx, network error, no answer within
 * `requestTimeoutSeconds`) is retried with a growing delay and leaves the clocks alone,
 * since it says nothing about the droplets. Rejects at once on 401/403 and other client
 * errors, and after `readyTimeoutSeconds` (overrun by at most one request's timeout, so the
 * last poll gets a fair chance) with the droplets not ready and what was last seen.
 */
export async function waitForHealthyDroplets(options: WaitForHealthyDropletsOptions): Promise<HealthyDroplets> {
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const dropletIds = [...new Set(options.dropletIds)];
    const pollMs = options.pollIntervalSeconds * 1000;
    const requestTimeoutMs = (options.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
    const minReadySeconds = options.minReadySeconds;
    const deadline = now() + options.readyTimeoutSeconds * 1000;
    // Every distinct sample seen per droplet: unix second -> healthy, the worst series winning.
    const samples = new Map<string, Map<number, boolean>>(dropletIds.map((id) => [id, new Map()]));
    const lastSeen = new Map<string, string>();
    let identities = new Map<string, string>(dropletIds.map((id) => [id, id]));
    const lookedUp = new Set<string>();
    let polls = 0;
    let failures = 0;
    let lastProblem: string | undefined;
    /** The start of each droplet's unbroken run of healthy samples up to its latest, in unix seconds. */
    const healthyRun = (id: string): { since: number; latest: number } | undefined => {
        const seen = [...(samples.get(id) ?? new Map<number, boolean>()).entries()].sort((a, b) => a[0] - b[0]);
        if (seen.length === 0 || !seen[seen.length - 1][1]) {
            return undefined;
        }
        let start = seen.length - 1;
        while (start > 0 && seen[start - 1][1]) {
            start -= 1;
        }
        return { since: seen[start][0], latest: seen[seen.length - 1][0] };
    };
    const notReady = () =>
        dropletIds.filter((id) => {
            const run = healthyRun(id);
            return run === undefined || run.latest - run.since < minReadySeconds;
        });

    for (;;) {
        const polledAt = now();
        const outcome = await readDropletHealth(options, polledAt, requestTimeoutMs);
        let waitMs = pollMs;
        if (outcome.kind === "fatal") {
            throw new Error(outcome.message);
        } else if (outcome.kind === "retry") {
            failures += 1;
            lastProblem = outcome.problem;
            waitMs = Math.max(Math.min(pollMs * 2 ** (failures - 1), MAX_BACKOFF_MS), outcome.retryAfterMs ?? 0);
        } else {
            polls += 1;
            failures = 0;
            lastProblem = undefined;
            // A series no known droplet explains may be a new droplet's name or IP: list the tag
            // again, once per such series (one of a droplet deleted since stays unexplained).
            const unexplained = outcome.series.map(seriesKey).filter((key, i) => droplet(outcome.series[i], identities) === undefined && !lookedUp.has(key));
            if (options.fleetTag !== undefined && unexplained.length > 0) {
                const listed = await listTaggedDroplets(options, options.fleetTag, requestTimeoutMs);
                if (listed.kind === "fatal") {
                    throw new Error(listed.message);
                }
                if (listed.kind === "droplets") {
                    unexplained.forEach((key) => lookedUp.add(key));
                    identities = new Map([...identities, ...listed.identities]);
                    const fleet = new Set(listed.identities.values());
                    if (outcome.series.length > 0 && outcome.series.every((series) => !fleet.has(droplet(series, identities) ?? ""))) {
                        throw new Error(unmatchedMessage(options, outcome.series));
                    }
                }
            }
            const latestPercent = new Map<string, number>();
            for (const series of outcome.series) {
                const id = droplet(series, identities);
                const seen = id === undefined ? undefined : samples.get(id);
                if (id === undefined || seen === undefined) {
                    continue;
                }
                for (const [at, percent] of series.samples) {
                    seen.set(at, (seen.get(at) ?? true) && percent >= HEALTHY_PERCENT);
                }
                const latest = series.samples.reduce<readonly [number, number] | undefined>((a, b) => (a === undefined || b[0] >= a[0] ? b : a), undefined);
                if (latest !== undefined) {
                    latestPercent.set(id, Math.min(latest[1], latestPercent.get(id) ?? Infinity));
                }
            }
            for (const id of dropletIds) {
                const percent = latestPercent.get(id);
                if (percent !== undefined) {
                    lastSeen.set(id, `${percent}% of health checks passing`);
                } else if (!lastSeen.has(id)) {
                    lastSeen.set(id, "no health data yet");
                }
            }
            if (notReady().length === 0) {
                return {
                    dropletIds,
                    healthySince: Object.fromEntries(dropletIds.map((id) => [id, new Date((healthyRun(id)?.since ?? 0) * 1000).toISOString()])),
                    readyAt: new Date(polledAt).toISOString(),
                    polls,
                };
            }
        }
        const remaining = deadline - now();
        if (remaining <= 0) {
            const states = notReady().map((id) => {
                const run = healthyRun(id);
                return { id, state: run === undefined ? (lastSeen.get(id) ?? "never read") : `healthy for ${run.latest - run.since} s only` };
            });
            throw new Error(timeoutMessage(options, dropletIds.length, states, polls, lastProblem));
        }
        await sleep(Math.min(waitMs, remaining));
    }
}

/**
 * The droplet id a series belongs to: the first label value, droplet labels first, that reads
 * as a known droplet's id, name or private IP.
 */
function droplet(series: HealthSeries, identities: ReadonlyMap<string, string>): string | undefined {
    const others = Object.keys(series.labels).filter((label) => !(DROPLET_LABELS as readonly string[]).includes(label));
    for (const label of [...DROPLET_LABELS, ...others]) {
        const value = series.labels[label];
        if (value === undefined) {
            continue;
        }
        const id = identities.get(value) ?? identities.get(value.replace(/:\d+$/, ""));
        if (id !== undefined) {
            return id;
        }
    }
    return undefined;
}

function seriesKey(series: HealthSeries): string {
    return JSON.stringify(Object.entries(series.labels).sort(([a], [b]) => a.localeCompare(b)));
}

function unmatchedMessage(options: WaitForHealthyDropletsOptions, series: readonly HealthSeries[]): string {
    const seen = [...new Set(series.map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(", ")}}`))].slice(0, 5);
    return (
        `HealthGate: load balancer ${options.loadBalancerId} reports health series, but none names a droplet tagged ${options.fleetTag} ` +
        `by id, name or private IP in any label (${DROPLET_LABELS.join(", ")} first); seen: ${seen.join(" ")}. ` +
        "The update stops before any old droplet is removed. If this account's metrics name droplets another way, " +
        "set `gateRollouts: false` under `horizon:app` in the stack file to roll out without health gates."
    );
}

/**
 * Every droplet of a tag, as identifier (id, name, private IP) to droplet id, page by page
 * (`per_page` is at most 200: openapi `shared/parameters.yml`); failures say whether to retry.
 * A rolling update briefly holds the old droplets and a wave of new ones under the tag.
 */
async function listTaggedDroplets(
    options: WaitForHealthyDropletsOptions,
    tag: string,
    timeoutMs: number,
): Promise<{ kind: "droplets"; identities: Map<string, string> } | { kind: "retry" } | { kind: "fatal"; message: string }> {
    const identities = new Map<string, string>();
    for (let page = 1; page <= MAX_DROPLET_PAGES; page++) {
        const query = new URLSearchParams({ tag_name: tag, per_page: String(DROPLETS_PER_PAGE), page: String(page) });
        const answer = await apiGet(options, DROPLETS_PATH, query, timeoutMs);
        if (answer.kind === "failed") {
            return { kind: "retry" };
        }
        const { status, text } = answer;
        if (status === 401 || status === 403) {
            return {
                kind: "fatal",
                message:
                    `HealthGate: DigitalOcean answered ${status} (${redact(errorMessageOf(text), options.token)}) to listing the droplets tagged ${tag}; ` +
                    `a custom-scoped token needs droplet read access as well as monitoring read access. ${TOKEN_SOURCES}`,
            };
        }
        let body: unknown;
        try {
            body = JSON.parse(text);
        } catch {
            return { kind: "retry" };
        }
        if (status < 200 || status >= 300 || !isRecord(body) || !Array.isArray(body.droplets)) {
            return { kind: "retry" };
        }
        const droplets = body.droplets.filter(isRecord);
        for (const d of droplets) {
            const id = String(d.id);
            identities.set(id, id);
            if (typeof d.name === "string") {
                identities.set(d.name, id);
            }
            const v4 = isRecord(d.networks) && Array.isArray(d.networks.v4) ? d.networks.v4.filter(isRecord) : [];
            for (const network of v4.filter((n) => n.type === "private" && typeof n.ip_address === "string")) {
                identities.set(String(network.ip_address), id);
            }
        }
        if (droplets.length < DROPLETS_PER_PAGE) {
            break;
        }
    }
    return { kind: "droplets", identities };
}

function timeoutMessage(
    options: WaitForHealthyDropletsOptions,
    total: number,
    notReady: readonly { id: string; state: string }[],
    polls: number,
    lastProblem: string | undefined,
): string {
    const states = notReady.map(({ id, state }) => `droplet ${id}: ${state}`);
    const apiNote = lastProblem === undefined ? "" : ` The last request failed: ${lastProblem}.`;
    return (
        `HealthGate: ${notReady.length} of ${total} droplets behind load balancer ${options.loadBalancerId} ` +
        `were not healthy for ${options.minReadySeconds} s within ${options.readyTimeoutSeconds} s ` +
        `(${polls} successful polls): ${states.join("; ")}.${apiNote} ` +
        "The update stops here, so the old droplets keep serving; check the app's health check on these droplets, " +
        "or raise readyTimeoutSeconds if they only need longer to start."
    );
}

/** One GET of the health-check metrics, classified. Never throws. */
async function readDropletHealth(options: WaitForHealthyDropletsOptions, at: number, timeoutMs: number): Promise<PollOutcome> {
    const end = Math.floor(at / 1000);
    const query = new URLSearchParams({ lb_id: options.loadBalancerId, start: String(end - METRICS_WINDOW_SECONDS), end: String(end) });
    const answer = await apiGet(options, HEALTH_CHECKS_PATH, query, timeoutMs);
    return answer.kind === "failed" ? { kind: "retry", problem: answer.problem } : classifyResponse(answer.status, answer.headers, answer.text, options, at);
}

/**
 * One authenticated GET of DigitalOcean's API, abandoned after `timeoutMs`: the answer whatever
 * its status, or why none came (no answer in time, a network error). Never throws.
 */
async function apiGet(
    options: WaitForHealthyDropletsOptions,
    path: string,
    query: URLSearchParams,
    timeoutMs: number,
): Promise<{ kind: "answer"; status: number; headers: Headers; text: string } | { kind: "failed"; problem: string }> {
    const url = `${options.apiUrl.replace(/\/+$/, "")}${path}?${query.toString()}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
        const response = await (options.fetch ?? fetch)(url, {
            headers: { Authorization: `Bearer ${options.token}`, Accept: "application/json" },
            signal: controller.signal,
        });
        return { kind: "answer", status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
        return { kind: "failed", problem: controller.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : `network error: ${describeError(error)}` };
    } finally {
        clearTimeout(timer);
    }
}

function classifyResponse(status: number, headers: Headers, text: string, options: WaitForHealthyDropletsOptions, at: number): PollOutcome {
    const apiMessage = redact(errorMessageOf(text), options.token);
    if (status === 401) {
        return { kind: "fatal", message: `HealthGate: DigitalOcean answered 401 Unauthorized (${apiMessage}): the API token is missing, mistyped or revoked. ${TOKEN_SOURCES}` };
    }
    if (status === 403) {
        return {
            kind: "fatal",
            message: `HealthGate: DigitalOcean answered 403 Forbidden (${apiMessage}): the API token may not read monitoring metrics; a custom-scoped token needs monitoring read access. ${TOKEN_SOURCES}`,
        };
    }
    if (status === 429 || status === 408 || status >= 500) {
        return { kind: "retry", problem: `HTTP ${status} (${apiMessage})`, retryAfterMs: retryAfterMs(headers, at) };
    }
    if (status < 200 || status >= 300) {
        return {
            kind: "fatal",
            message: `HealthGate: DigitalOcean answered HTTP ${status} (${apiMessage}) to the health-check metrics query for load balancer ${options.loadBalancerId}.`,
        };
    }
    const series = parseHealthSeries(text);
    return series === undefined ? { kind: "retry", problem: `HTTP ${status} with a body that is not a metrics matrix` } : { kind: "health", series };
}

const TOKEN_SOURCES =
    "The HealthGate reads the token from the digitalocean:token config secret, else DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN in the environment of `pulumi up`.";

export function missingTokenMessage(): string {
    return `HealthGate: no DigitalOcean API token to read load-balancer health with. ${TOKEN_SOURCES} Set one, e.g. \`pulumi config set --secret digitalocean:token <token>\`.`;
}

/**
 * The series of a Prometheus-style matrix
 * (`{status: "success", data: {resultType: "matrix", result: [{metric, values: [[ts, "100"]]}]}}`),
 * or undefined when the body has another shape. Labels keep their string values; samples that
 * are not numbers are dropped.
 */
export function parseHealthSeries(text: string): HealthSeries[] | undefined {
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        return undefined;
    }
    const data = isRecord(body) && body.status === "success" ? body.data : undefined;
    const result = isRecord(data) ? data.result : undefined;
    if (!Array.isArray(result)) {
        return undefined;
    }
    const series: HealthSeries[] = [];
    for (const entry of result) {
        if (!isRecord(entry) || !isRecord(entry.metric) || !Array.isArray(entry.values)) {
            continue;
        }
        const labels = Object.fromEntries(Object.entries(entry.metric).filter((kv): kv is [string, string] => typeof kv[1] === "string"));
        const samples = entry.values
            .filter((sample): sample is unknown[] => Array.isArray(sample) && sample.length >= 2)
            .map((sample) => [Number(sample[0]), Number(sample[1])] as const)
            .filter(([at, value]) => Number.isFinite(at) && Number.isFinite(value));
        series.push({ labels, samples });
    }
    return series;
}

/** `Retry-After` in seconds, else DigitalOcean's `ratelimit-reset` (epoch seconds). */
function retryAfterMs(headers: Headers, at: number): number | undefined {
    const retryAfter = Number(headers.get("retry-after") ?? Number.NaN);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) {
        return retryAfter * 1000;
    }
    const reset = Number(headers.get("ratelimit-reset") ?? Number.NaN);
    return Number.isFinite(reset) && reset * 1000 > at ? reset * 1000 - at : undefined;
}

/** DigitalOcean errors look like `{"id": "unauthorized", "message": "Unable to authenticate you"}`. */
function errorMessageOf(text: string): string {
    try {
        const body: unknown = JSON.parse(text);
        if (isRecord(body) && typeof body.message === "string") {
            return body.message;
        }
    } catch {
        // not JSON: fall through to the raw text
    }
    const trimmed = text.trim();
    return trimmed === "" ? "empty body" : trimmed.slice(0, 200);
}

function describeError(error: unknown): string {
    if (!(error instanceof Error)) {
        return String(error);
    }
    const cause = (error as { cause?: unknown }).cause;
    const code = isRecord(cause) && typeof cause.code === "string" ? ` (${cause.code})` : "";
    return `${error.message}${code}`;
}

/** Keeps the token out of messages even when an API or proxy echoes it back. */
function redact(message: string, token: string): string {
    return token === "" ? message : message.split(token).join("[token]");
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The HealthGate's inputs as the provider receives them: every default already filled in. */
export interface HealthGateInputs {
    readonly loadBalancerId: string;
    readonly dropletIds: string[];
    /** The tag every droplet behind the load balancer carries; "" for none. */
    readonly fleetTag: string;
    readonly minReadySeconds: number;
    readonly readyTimeoutSeconds: number;
    readonly pollIntervalSeconds: number;
}

export interface HealthGateOutputs extends HealthGateInputs {
    /** The droplets the gate saw healthy, sorted. */
    readonly healthyDropletIds: string[];
    /** ISO time the whole wave was ready. */
    readonly readyAt: string;
}

export interface HealthGateProvider extends dynamic.ResourceProvider<HealthGateInputs, HealthGateOutputs> {
    /** `digitalocean:token`, set by `configure` in the provider process only. */
    configuredToken?: string;
    /** `digitalocean:apiEndpoint`, set by `configure` in the provider process only. */
    configuredApiUrl?: string;
}

/**
 * The API credentials, resolved where the provider runs (the `pulumi up` process), never
 * taken as resource inputs: inputs are written to the state, and so would the token be.
 * Config wins over the environment, as in the digitalocean provider, so the gate reads
 * metrics with the same token that created the droplets.
 */
export function resolveApiAccess(
    configured: { token?: string; apiUrl?: string },
    env: Record<string, string | undefined>,
): { token: string | undefined; apiUrl: string } {
    const pick = (...values: (string | undefined)[]) => values.find((v) => v !== undefined && v !== "");
    return {
        token: pick(configured.token, env.DIGITALOCEAN_TOKEN, env.DIGITALOCEAN_ACCESS_TOKEN),
        apiUrl: pick(configured.apiUrl, env.DIGITALOCEAN_API_URL) ?? DEFAULT_API_URL,
    };
}

async function waitForGate(provider: HealthGateProvider, inputs: HealthGateInputs): Promise<HealthGateOutputs> {
    const access = resolveApiAccess({ token: provider.configuredToken, apiUrl: provider.configuredApiUrl }, process.env);
    if (access.token === undefined) {
        throw new Error(missingTokenMessage());
    }
    const { fleetTag, ...rest } = inputs;
    const healthy = await waitForHealthyDroplets({ ...rest, ...(fleetTag ? { fleetTag } : {}), apiUrl: access.apiUrl, token: access.token });
    return {
        loadBalancerId: inputs.loadBalancerId,
        dropletIds: inputs.dropletIds,
        fleetTag: inputs.fleetTag,
        minReadySeconds: inputs.minReadySeconds,
        readyTimeoutSeconds: inputs.readyTimeoutSeconds,
        pollIntervalSeconds: inputs.pollIntervalSeconds,
        healthyDropletIds: [...healthy.dropletIds].sort(),
        readyAt: healthy.readyAt,
    };
}

function sameDroplets(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
    const left = [...new Set(a ?? [])].sort();
    const right = [...new Set(b ?? [])].sort();
    return left.length === right.length && left.every((id, i) => id === right[i]);
}

/** Problems with the timing inputs, each naming the input; unknown (preview) values are skipped. */
export function checkHealthGateInputs(inputs: Partial<HealthGateInputs>): dynamic.CheckFailure[] {
    const failures: dynamic.CheckFailure[] = [];
    const { minReadySeconds, readyTimeoutSeconds, pollIntervalSeconds } = inputs;
    if (typeof minReadySeconds === "number" && !(minReadySeconds >= 0)) {
        failures.push({ property: "minReadySeconds", reason: `${minReadySeconds} is negative; use 0 or more seconds` });
    }
    if (typeof readyTimeoutSeconds === "number" && !(readyTimeoutSeconds > 0)) {
        failures.push({ property: "readyTimeoutSeconds", reason: `${readyTimeoutSeconds} must be more than 0 seconds` });
    }
    if (typeof pollIntervalSeconds === "number" && !(pollIntervalSeconds > 0)) {
        failures.push({ property: "pollIntervalSeconds", reason: `${pollIntervalSeconds} must be more than 0 seconds` });
    }
    if (typeof minReadySeconds === "number" && typeof readyTimeoutSeconds === "number" && minReadySeconds > readyTimeoutSeconds) {
        failures.push({
            property: "readyTimeoutSeconds",
            reason: `${readyTimeoutSeconds} is shorter than minReadySeconds (${minReadySeconds}), so the gate could never open; raise it`,
        });
    }
    return failures;
}

/**
 * A fresh provider object. `configure` runs in the provider process with the stack's
 * configuration (Pulumi's dynamic-provider `configure`), which is how a `--secret` token
 * reaches the provider without passing through resource inputs.
 */
export function createHealthGateProvider(): HealthGateProvider {
    return {
        async configure(request: dynamic.ConfigureRequest) {
            this.configuredToken = request.config.get("digitalocean:token");
            this.configuredApiUrl = request.config.get("digitalocean:apiEndpoint");
        },
        async check(_olds: HealthGateInputs, news: HealthGateInputs) {
            return { inputs: news, failures: checkHealthGateInputs(news) };
        },
        async diff(_id: string, olds: HealthGateOutputs, news: HealthGateInputs) {
            const changed = olds.loadBalancerId !== news.loadBalancerId || !sameDroplets(olds.dropletIds, news.dropletIds);
            return { changes: changed };
        },
        async create(inputs: HealthGateInputs) {
            const outs = await waitForGate(this, inputs);
            return { id: crypto.randomUUID(), outs };
        },
        async update(_id: string, _olds: HealthGateOutputs, news: HealthGateInputs) {
            return { outs: await waitForGate(this, news) };
        },
        async delete() {
            // Nothing exists outside the state: the gate only ever waited.
        },
    };
}
