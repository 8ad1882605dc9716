import type { Role } from "../core/names";

/** A Docker label as @pulumi/docker takes it. */
export interface DockerLabel {
    readonly label: string;
    readonly value: string;
}

/** The label key that says what a container, volume or network is for (`horizon:role` = `app`). */
export const ROLE_LABEL = "horizon:role";

/**
 * Docker labels from horizon's tags. Label keys may hold `:`, so a tag `horizon:stack:local`
 * becomes the label `horizon:stack` = `local` (the last `:` splits key and value) and the
 * role becomes `horizon:role` = `<role>`; a tag without `:` becomes `<tag>` = `true`.
 * Later tags win, so user tags (which come last) override the defaults.
 */
export function dockerLabels(tags: readonly string[], role: Role): DockerLabel[] {
    const labels = new Map<string, string>();
    for (const tag of tags) {
        const cut = tag.lastIndexOf(":");
        if (cut > 0) {
            labels.set(tag.slice(0, cut), tag.slice(cut + 1));
        } else {
            labels.set(tag, "true");
        }
    }
    labels.set(ROLE_LABEL, role);
    return [...labels.entries()].map(([label, value]) => ({ label, value }));
}

/** The role a recorded resource's labels name, if any. */
export function roleFromLabels(labels: unknown): string | undefined {
    if (!Array.isArray(labels)) {
        return undefined;
    }
    const entry = labels.find((l): l is DockerLabel => typeof l === "object" && l !== null && (l as DockerLabel).label === ROLE_LABEL);
    return entry?.value;
}

/** Docker's json-file log driver, rotated so a chatty container cannot fill the host's disk. */
export const LOG_OPTIONS = { logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "3" } } as const;

/** Seconds to a Go duration string, as the provider's healthcheck takes it. */
export function seconds(value: number): string {
    return `${value}s`;
}

