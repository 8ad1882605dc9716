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
 * Series labels that may name the droplet a series belongs to, in order of preference. The
 * API reference does not name it (droplet metrics use `host_id`), so the first present wins.
 */
export const DROPLET_LABELS = ["droplet_id", "host_id", "server"] as const;
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
    /** Seconds each droplet must stay healthy, across consecutive polls, to count as ready. */
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

/** What one request learned: health per droplet, a failure worth retrying, or one that is not. */
type PollOutcome =
    | { readonly kind: "health"; readonly percentByDroplet: Map<string, number> }
    | { readonly kind: "retry"; readonly problem: string; readonly retryAfterMs?: number }
    | { readonly kind: "fatal"; readonly message: string };

/**
 * Polls the load balancer's droplet health checks until every droplet in `dropletIds` has
 * been healthy on consecutive polls for `minReadySeconds`, and resolves with when that
 * happened. A droplet missing from the metrics is not healthy yet; one that turns unhealthy
 * starts its clock again. A failed request (429, 5xx, network error, no answer within
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
    const minReadyMs = options.minReadySeconds * 1000;
    const deadline = now() + options.readyTimeoutSeconds * 1000;
    const healthySince = new Map<string, number>();
    const lastSeen = new Map<string, string>();
    let polls = 0;
    let failures = 0;
    let lastProblem: string | undefined;
    const notReadyAt = (at: number) => dropletIds.filter((id) => at - (healthySince.get(id) ?? Infinity) < minReadyMs);

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
            for (const id of dropletIds) {
                const percent = outcome.percentByDroplet.get(id);
                if (percent !== undefined && percent >= HEALTHY_PERCENT) {
                    healthySince.set(id, healthySince.get(id) ?? polledAt);
                } else {
                    healthySince.delete(id);
                }
                lastSeen.set(id, percent === undefined ? "no health data yet" : `${percent}% of health checks passing`);
            }
            if (notReadyAt(polledAt).length === 0) {
                return {
                    dropletIds,
                    healthySince: Object.fromEntries(dropletIds.map((id) => [id, new Date(healthySince.get(id) ?? polledAt).toISOString()])),
                    readyAt: new Date(polledAt).toISOString(),
                    polls,
                };
            }
        }
        const remaining = deadline - now();
        if (remaining <= 0) {
            const at = now();
            const notReady = notReadyAt(at).map((id) => {
                const since = healthySince.get(id);
                return { id, state: since === undefined ? (lastSeen.get(id) ?? "never read") : `healthy for ${Math.floor((at - since) / 1000)} s only` };
            });
            throw new Error(timeoutMessage(options, dropletIds.length, notReady, polls, lastProblem));
        }
        await sleep(Math.min(waitMs, remaining));
    }
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
    const url = `${options.apiUrl.replace(/\/+$/, "")}${HEALTH_CHECKS_PATH}?${query.toString()}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let status: number;
    let headers: Headers;
    let text: string;
    try {
        const response = await (options.fetch ?? fetch)(url, {
            headers: { Authorization: `Bearer ${options.token}`, Accept: "application/json" },
            signal: controller.signal,
        });
        status = response.status;
        headers = response.headers;
        text = await response.text();
    } catch (error) {
        const problem = controller.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : `network error: ${describeError(error)}`;
        return { kind: "retry", problem };
    } finally {
        clearTimeout(timer);
    }
    return classifyResponse(status, headers, text, options, at);
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
    const percentByDroplet = parseHealthMatrix(text);
    return percentByDroplet === undefined
        ? { kind: "retry", problem: `HTTP ${status} with a body that is not a metrics matrix` }
        : { kind: "health", percentByDroplet };
}

const TOKEN_SOURCES =
    "The HealthGate reads the token from the digitalocean:token config secret, else DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN in the environment of `pulumi up`.";

export function missingTokenMessage(): string {
    return `HealthGate: no DigitalOcean API token to read load-balancer health with. ${TOKEN_SOURCES} Set one, e.g. \`pulumi config set --secret digitalocean:token <token>\`.`;
}

/**
 * Latest health-check percentage per droplet from a Prometheus-style matrix
 * (`{status: "success", data: {resultType: "matrix", result: [{metric, values: [[ts, "100"]]}]}}`),
 * or undefined when the body has another shape. A droplet with several series (one per
 * forwarding target) is only as healthy as its worst one.
 */
export function parseHealthMatrix(text: string): Map<string, number> | undefined {
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
    const percentByDroplet = new Map<string, number>();
    for (const series of result) {
        if (!isRecord(series) || !isRecord(series.metric) || !Array.isArray(series.values)) {
            continue;
        }
        const labels = series.metric;
        const label = DROPLET_LABELS.find((name) => typeof labels[name] === "string");
        const latest = latestSample(series.values);
        if (label === undefined || latest === undefined) {
            continue;
        }
        const dropletId = String(labels[label]);
        percentByDroplet.set(dropletId, Math.min(latest, percentByDroplet.get(dropletId) ?? Infinity));
    }
    return percentByDroplet;
}

function latestSample(values: unknown[]): number | undefined {
    let latestAt = -Infinity;
    let latest: number | undefined;
    for (const sample of values) {
        if (!Array.isArray(sample) || sample.length < 2) {
            continue;
        }
        const at = Number(sample[0]);
        const value = Number(sample[1]);
        if (Number.isFinite(at) && Number.isFinite(value) && at >= latestAt) {
            latestAt = at;
            latest = value;
        }
    }
    return latest;
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
    const healthy = await waitForHealthyDroplets({ ...inputs, apiUrl: access.apiUrl, token: access.token });
    return {
        loadBalancerId: inputs.loadBalancerId,
        dropletIds: inputs.dropletIds,
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
