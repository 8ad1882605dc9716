import * as http from "node:http";
import type { Cache } from "./cache";
import type { Database, VisitCount } from "./db";
import { errorMessage, log } from "./log";
import type { Routed } from "./readReplica";

export interface AppDeps {
    readonly replicaId: string;
    readonly db: Database;
    readonly cache: Cache;
}

/**
 * serving: normal. draining: health fails so the load balancer stops sending traffic, but
 * requests are still served. closing: the listener is shut and each response closes its
 * connection.
 */
export type Phase = "serving" | "draining" | "closing";

export interface AppServer {
    readonly server: http.Server;
    phase: Phase;
}

/** Per dependency; the load balancer's own check timeout is at least 3 s. */
export const HEALTH_TIMEOUT_MS = 1000;
/**
 * Longer than any load balancer in front keeps an idle connection (DigitalOcean: 60 s;
 * HAProxy purges idle server connections after 5 s), so the balancer, not the app, closes
 * idle connections and never reuses one the app is closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createAppServer(deps: AppDeps): AppServer {
    const app: AppServer = {
        server: http.createServer((req, res) => {
            handle(app, deps, req, res).catch((err: unknown) => {
                log("error", "request failed", { path: req.url, error: errorMessage(err) });
                if (!res.headersSent) {
                    send(app, res, 500, { error: "internal error" });
                } else {
                    res.destroy();
                }
            });
        }),
        phase: "serving",
    };
    app.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return app;
}

async function handle(app: AppServer, deps: AppDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("X-Replica", deps.replicaId);
    const path = (req.url ?? "/").split("?", 1)[0];
    switch (path) {
        case "/":
            if (req.method !== "GET") {
                return methodNotAllowed(app, res, "GET");
            }
            return hit(app, deps, res);
        case "/visits":
            if (req.method !== "GET") {
                return methodNotAllowed(app, res, "GET");
            }
            return visits(app, deps, res);
        case "/health":
            if (req.method !== "GET" && req.method !== "HEAD") {
                return methodNotAllowed(app, res, "GET, HEAD");
            }
            return health(app, deps, res);
        default:
            return send(app, res, 404, { error: "not found" });
    }
}

async function hit(app: AppServer, deps: AppDeps, res: http.ServerResponse): Promise<void> {
    // The visit is recorded first: a hit that Postgres did not keep is not counted either.
    try {
        await deps.db.recordVisit(deps.replicaId);
    } catch (err) {
        log("warn", "recording visit failed", { error: errorMessage(err) });
        return send(app, res, 503, { error: "postgres unavailable", replica: deps.replicaId });
    }
    let hits: number;
    try {
        hits = await deps.cache.incrementHits();
    } catch (err) {
        log("warn", "counting hit failed", { error: errorMessage(err) });
        return send(app, res, 503, { error: "redis unavailable", replica: deps.replicaId });
    }
    send(app, res, 200, { hits, replica: deps.replicaId });
}

/**
 * The visit count, read from the region's read replica when it is usable; `readFrom` (and the
 * `X-Read-From` header) says which database answered, `readFallback` why the primary did.
 */
async function visits(app: AppServer, deps: AppDeps, res: http.ServerResponse): Promise<void> {
    let read: Routed<VisitCount>;
    try {
        read = await deps.db.countVisits();
    } catch (err) {
        log("warn", "reading visits failed", { error: errorMessage(err) });
        return send(app, res, 503, { error: "postgres unavailable", replica: deps.replicaId });
    }
    res.setHeader("X-Read-From", read.from);
    send(app, res, 200, {
        ...read.value,
        replica: deps.replicaId,
        readFrom: read.from,
        ...(read.fallback !== undefined ? { readFallback: read.fallback } : {}),
        ...(read.lagSeconds !== undefined ? { readLagSeconds: read.lagSeconds } : {}),
    });
}

async function health(app: AppServer, deps: AppDeps, res: http.ServerResponse): Promise<void> {
    if (app.phase !== "serving") {
        return send(app, res, 503, { status: "draining", replica: deps.replicaId });
    }
    const [postgres, redis] = await Promise.all([
        probe(deps.db.ping(HEALTH_TIMEOUT_MS)),
        probe(deps.cache.ping(HEALTH_TIMEOUT_MS)),
    ]);
    const healthy = postgres === "ok" && redis === "ok";
    // Reported, never counted: reads fall back to the primary, so a replica that is down or
    // behind must not take this app replica out of the load balancer.
    const readReplica = deps.db.readReplicaStatus();
    const checks = { postgres, redis, ...(readReplica !== undefined ? { readReplica: readReplica.usable ? "ok" : readReplica.reason } : {}) };
    send(app, res, healthy ? 200 : 503, { status: healthy ? "ok" : "unavailable", replica: deps.replicaId, checks });
}

async function probe(check: Promise<void>): Promise<string> {
    try {
        await check;
        return "ok";
    } catch (err) {
        return errorMessage(err) || "failed";
    }
}

function methodNotAllowed(app: AppServer, res: http.ServerResponse, allow: string): void {
    res.setHeader("Allow", allow);
    send(app, res, 405, { error: "method not allowed" });
}

function send(app: AppServer, res: http.ServerResponse, status: number, body: object): void {
    const json = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(json),
        "Cache-Control": "no-store",
        ...(app.phase === "closing" ? { Connection: "close" } : {}),
    });
    res.end(json);
}
