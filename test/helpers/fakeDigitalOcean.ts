import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after } from "node:test";
import { DROPLETS_PATH, HEALTH_CHECKS_PATH } from "../../components/digitalocean/healthGateProvider";

/** The token the fake API accepts unless told otherwise. */
export const TOKEN = "dop_v1_test_token_0123456789";
/** The load balancer the fake metrics describe. */
export const LB = "lb-4de7ac8b";

export interface SeenRequest {
    readonly path: string;
    readonly query: URLSearchParams;
    readonly authorization: string | undefined;
}

export interface Reply {
    readonly status?: number;
    readonly body?: unknown;
    readonly headers?: Record<string, string>;
    /** Never answer. */
    readonly hang?: boolean;
    /**
     * Sample timestamps in the body count from the query's `end`, as a live series does: each
     * request then sees a new latest sample.
     */
    readonly relativeSamples?: boolean;
}

/** A droplet as `GET /v2/droplets?tag_name=` lists it: what series labels may name. */
export interface FakeDroplet {
    readonly id: number;
    readonly name: string;
    readonly privateIp: string;
}

export interface FakeApi {
    readonly url: string;
    readonly requests: SeenRequest[];
    close(): Promise<void>;
}

const running: FakeApi[] = [];
after(async () => {
    await Promise.all(running.map((api) => api.close()));
});

/**
 * A stand-in for DigitalOcean's monitoring endpoint, and for `GET /v2/droplets?tag_name=` listing
 * `droplets` page by page (answering `dropletsStatus` if not 200), on a loopback port. It answers 401 to
 * any token but `token`, 400 to a malformed query, and otherwise what `reply` says for the
 * n-th request (1-based).
 */
export async function startFakeApi(reply: (call: number) => Reply, token = TOKEN, droplets: readonly FakeDroplet[] = [], dropletsStatus = 200): Promise<FakeApi> {
    const requests: SeenRequest[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const seen = { path: url.pathname, query: url.searchParams, authorization: req.headers.authorization };
        requests.push(seen);
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
            res.writeHead(status, { "content-type": "application/json", ...headers });
            res.end(JSON.stringify(body));
        };
        if (seen.authorization !== `Bearer ${token}`) {
            send(401, { id: "unauthorized", message: "Unable to authenticate you" });
            return;
        }
        if (seen.path === DROPLETS_PATH) {
            const tag = url.searchParams.get("tag_name");
            const perPage = Number(url.searchParams.get("per_page") ?? 20);
            const page = Number(url.searchParams.get("page") ?? 1);
            if (!tag || !(perPage >= 1 && perPage <= 200) || !(page >= 1)) {
                send(400, { id: "bad_request", message: `unexpected request ${req.url}` });
                return;
            }
            if (dropletsStatus !== 200) {
                send(dropletsStatus, { id: "forbidden", message: "You are not authorized to perform this operation" });
                return;
            }
            send(200, {
                droplets: droplets.slice((page - 1) * perPage, page * perPage).map((d) => ({
                    id: d.id,
                    name: d.name,
                    tags: [tag],
                    networks: { v4: [{ ip_address: d.privateIp, type: "private" }, { ip_address: `203.0.113.${d.id % 250}`, type: "public" }] },
                })),
            });
            return;
        }
        const [start, end] = [Number(url.searchParams.get("start")), Number(url.searchParams.get("end"))];
        if (seen.path !== HEALTH_CHECKS_PATH || !url.searchParams.get("lb_id") || !Number.isInteger(start) || !Number.isInteger(end) || start >= end) {
            send(400, { id: "bad_request", message: `unexpected request ${req.url}` });
            return;
        }
        const answer = reply(requests.filter((r) => r.path === HEALTH_CHECKS_PATH).length);
        if (!answer.hang) {
            send(answer.status ?? 200, answer.relativeSamples ? shiftSamples(answer.body, end) : answer.body, answer.headers);
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const api: FakeApi = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
    running.push(api);
    return api;
}

function shiftSamples(body: unknown, end: number): unknown {
    const result = (body as { data: { result: { metric: unknown; values: [number, string][] }[] } }).data.result;
    return {
        ...(body as object),
        data: { resultType: "matrix", result: result.map((series) => ({ ...series, values: series.values.map(([at, v]) => [end + at, v]) })) },
    };
}

/**
 * The endpoint's Prometheus-style matrix: one series per droplet, an older sample with the
 * opposite reading first, so only the latest sample can decide. Samples are taken at each
 * request's `end`, so every request brings one new sample.
 */
export function matrix(percentByDroplet: Record<string, number>, label = "droplet_id"): Reply {
    const at = 0;
    return {
        relativeSamples: true,
        body: {
            status: "success",
            data: {
                resultType: "matrix",
                result: Object.entries(percentByDroplet).map(([id, percent]) => ({
                    metric: { lb_id: LB, [label]: id },
                    values: [
                        [at - 120, String(100 - percent)],
                        [at, String(percent)],
                    ],
                })),
            },
        },
    };
}
