/**
 * One JSON object per line on stdout (stderr for errors), the shape log collectors on every
 * platform (Docker, journald, Kubernetes, DigitalOcean) parse without configuration.
 */

export type LogLevel = "info" | "warn" | "error";

export function log(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
    (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
}

/** The message of anything thrown, for logs and health details. */
export function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
