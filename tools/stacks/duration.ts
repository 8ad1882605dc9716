import { UsageError } from "../cli";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9][0-9]{0,5})(m|h|d)$/;
/** Review stacks live at least a minute and at most 90 days. */
const MIN_MS = UNIT_MS.m;
const MAX_MS = 90 * UNIT_MS.d;

/** `90m`, `72h` or `3d` as milliseconds; anything else is a usage error naming the option. */
export function parseDuration(option: string, text: string): number {
    const match = DURATION.exec(text);
    const ms = match === null ? NaN : Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (!(ms >= MIN_MS && ms <= MAX_MS)) {
        throw new UsageError(`${option}: ${JSON.stringify(text)} is not a duration; use minutes, hours or days like 90m, 72h or 3d (1m-90d)`);
    }
    return ms;
}
