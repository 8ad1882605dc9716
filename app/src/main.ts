import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { type Cache, openCache } from "./cache";
import { type AppConfig, ConfigError, parseConfig } from "./config";
import { type Database, openDatabase } from "./db";
import { errorMessage, log } from "./log";
import { type AppServer, createAppServer } from "./server";

async function main(): Promise<void> {
    const config = parseConfig(process.env, hostname());
    const db = await openDatabase(
        config.databaseUrl,
        config.databaseReadUrl === undefined
            ? undefined
            : { url: config.databaseReadUrl, maxLagSeconds: config.databaseReadMaxLagSeconds, timeoutMs: config.databaseReadTimeoutMs },
    );
    let cache: Cache;
    try {
        cache = await openCache(config.redisUrl);
    } catch (err) {
        await db.close();
        throw err;
    }
    const app = createAppServer({ replicaId: config.replicaId, db, cache });
    await listen(app, config.port);
    log("info", "listening", { port: config.port, replica: config.replicaId });

    const stop = (signal: NodeJS.Signals) => {
        shutdown(app, config, db, cache, signal).then(
            () => process.exit(0),
            (err: unknown) => {
                log("error", "shutdown failed", { error: errorMessage(err) });
                process.exit(1);
            },
        );
    };
    // Once only: a second signal gets the default handler and ends the process at once.
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
}

function listen(app: AppServer, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
        app.server.once("error", reject);
        app.server.listen(port, () => {
            app.server.off("error", reject);
            resolve();
        });
    });
}

/**
 * Behind a load balancer: fail the health check at once, keep serving while the balancer
 * notices (SHUTDOWN_DELAY_MS), then stop accepting, let in-flight requests finish
 * (DRAIN_TIMEOUT_MS), and close the pools.
 */
async function shutdown(app: AppServer, config: AppConfig, db: Database, cache: Cache, signal: NodeJS.Signals): Promise<void> {
    app.phase = "draining";
    log("info", "draining", { signal, shutdownDelayMs: config.shutdownDelayMs });
    await sleep(config.shutdownDelayMs);

    app.phase = "closing";
    const closed = new Promise<void>((resolve) => app.server.close(() => resolve()));
    // close() only drops connections idle at that moment; a keep-alive connection whose
    // response was already under way goes idle later and must be dropped then.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    const drained = await Promise.race([closed.then(() => true), sleep(config.drainTimeoutMs).then(() => false)]);
    clearInterval(sweep);
    if (!drained) {
        log("warn", "drain timeout reached, closing remaining connections", { drainTimeoutMs: config.drainTimeoutMs });
        app.server.closeAllConnections();
    }

    await Promise.all([db.close(), cache.close()]);
    log("info", "stopped");
}

main().catch((err: unknown) => {
    // One line, no stack: a bad environment or an unreachable dependency is an operator's
    // problem to fix, not a bug to debug.
    process.stderr.write(`hits: ${err instanceof ConfigError ? err.message : `start-up failed: ${errorMessage(err)}`}\n`);
    process.exit(1);
});
