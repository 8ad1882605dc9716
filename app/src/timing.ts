/** Start-up connection attempts to Postgres and Redis before the app gives up. */
export const STARTUP_ATTEMPTS = 6;

/** 250 ms, 500 ms, 1 s, 2 s, 4 s: about 8 s in all, enough for a database that is restarting. */
export function startupBackoffMs(failedAttempts: number): number {
    return Math.min(250 * 2 ** (failedAttempts - 1), 4000);
}

/**
 * Rejects when `promise` has not settled within `ms`. The operation itself goes on; callers use
 * this where an answer that comes late is as useless as none (health checks).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}
