import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { after } from "node:test";
import { HEALTH_CHECKS_PATH } from "../../components/digitalocean/healthGateProvider";

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
 * A stand-in for DigitalOcean's monitoring endpoint on a loopback port. It answers 401 to
 * any token but `token`, 400 to a malformed query, and otherwise what `reply` says for the
 * n-th request (1-based).
 */
export async function startFakeApi(reply: (call: number) => Reply, token = TOKEN): Promise<FakeApi> {
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
        const [start, end] = [Number(url.searchParams.get("start")), Number(url.searchParams.get("end"))];
        if (seen.path !== HEALTH_CHECKS_PATH || !url.searchParams.get("lb_id") || !Number.isInteger(start) || !Number.isInteger(end) || start >= end) {
            send(400, { id: "bad_request", message: `unexpected request ${req.url}` });
            return;
        }
        const answer = reply(requests.length);
        if (!answer.hang) {
            send(answer.status ?? 200, answer.body, answer.headers);
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

/**
 * The endpoint's Prometheus-style matrix: one series per droplet, an older sample with the
 * opposite reading first, so only the latest sample can decide.
 */
export function matrix(percentByDroplet: Record<string, number>, label = "droplet_id"): Reply {
    const at = 1_760_000_000;
    return {
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
