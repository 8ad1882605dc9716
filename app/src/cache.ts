import { createClient } from "redis";
import { errorMessage, log } from "./log";
import { STARTUP_ATTEMPTS, startupBackoffMs, withTimeout } from "./timing";

export interface Cache {
    /** The hit count after this hit: one atomic INCR, so concurrent replicas never lose a hit. */
    incrementHits(): Promise<number>;
    /** Resolves when Redis answers PING within `timeoutMs`. */
    ping(timeoutMs: number): Promise<void>;
    close(): Promise<void>;
}

export const HITS_KEY = "hits";
const MAX_RECONNECT_DELAY_MS = 2000;

export async function openCache(url: string): Promise<Cache> {
    let everReady = false;
    const client = createClient({
        url,
        // While Redis is away, commands fail at once rather than queue behind a reconnect.
        disableOfflineQueue: true,
        socket: {
            connectTimeout: 2000,
            // Give up only at start-up; a running replica keeps reconnecting while its
            // health check reports Redis down.
            reconnectStrategy: (retries, cause) => {
                if (!everReady && retries + 1 >= STARTUP_ATTEMPTS) {
                    return new Error(`redis: not reachable after ${retries + 1} attempts: ${cause.message}`);
                }
                return everReady ? Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : startupBackoffMs(retries + 1);
            },
        },
    });
    // Without a listener, a dropped connection crashes the process.
    client.on("error", (err: unknown) => log("warn", everReady ? "redis connection lost" : "redis not ready, retrying", { error: errorMessage(err) }));
    client.on("ready", () => {
        everReady = true;
    });

    try {
        await client.connect();
    } catch (err) {
        client.destroy();
        throw err instanceof Error && err.message.startsWith("redis:") ? err : new Error(`redis: ${errorMessage(err)}`, { cause: err });
    }

    return {
        incrementHits: () => client.incr(HITS_KEY),
        async ping(timeoutMs) {
            await withTimeout(client.ping(), timeoutMs);
        },
        async close() {
            try {
                await client.close();
            } catch {
                client.destroy();
            }
        },
    };
}
