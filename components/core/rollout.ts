/**
 * Rollout math shared by every platform: how many replicas a wave replaces at once.
 */

/** Number of replicas per rolling wave for `maxSurge` (a count or a percentage, rounded up). */
export function waveSize(replicas: number, maxSurge: number | string): number {
    const size = typeof maxSurge === "number" ? maxSurge : Math.ceil((replicas * Number.parseInt(maxSurge, 10)) / 100);
    return Math.min(replicas, Math.max(1, size));
}

/** Splits `0..count-1` into consecutive waves of `size`. */
export function waves(count: number, size: number): number[][] {
    const out: number[][] = [];
    for (let start = 0; start < count; start += size) {
        out.push(Array.from({ length: Math.min(size, count - start) }, (_, i) => start + i));
    }
    return out;
}
