/**
 * Names and tags shared by every platform. A child's logical name is its identity in Pulumi
 * state (renaming recreates it), so these functions are the only place names are built.
 */

/** `${name}-${role}`, the logical name of a component's child. */
export function childName(name: string, role: string): string {
    return `${name}-${role}`;
}

/** DigitalOcean tags allow letters, digits, `:`, `-` and `_`, up to 255 characters. */
export function toTag(value: string): string {
    return value.replace(/[^A-Za-z0-9:_-]/g, "-").slice(0, 255);
}

/**
 * The tag that marks one stack's replicas in one region. Load balancers, droplet firewalls and
 * database firewalls select droplets by it, so it must be unique per stack and region.
 */
export function fleetTag(app: string, stack: string, region: string): string {
    return toTag(`${app}-${stack}-${region}-fleet`);
}

/** Tags every droplet, cluster and volume carries: who owns it and where it belongs. */
export function standardTags(app: string, stack: string, extra: readonly string[] = []): string[] {
    return [...new Set([toTag(`horizon:app:${app}`), toTag(`horizon:stack:${stack}`), ...extra.map(toTag)])];
}

/**
 * DigitalOcean project environments are exactly these three. A stack named for staging or a
 * pull request is Staging; one named for production, or one that protects its data (the
 * regional stacks), is Production.
 */
export function projectEnvironment(stack: string, protect = false): "Production" | "Staging" | "Development" {
    if (/stag|^pr-|preview/i.test(stack)) {
        return "Staging";
    }
    if (/prod/i.test(stack) || protect) {
        return "Production";
    }
    return "Development";
}

/** Roles a resource can play; carried as the tag or label `horizon:role:<role>`. */
export const ROLES = ["app", "haproxy", "data", "balancer", "database", "cache", "network", "dns"] as const;
export type Role = (typeof ROLES)[number];

/** The tag (DigitalOcean) or label value that says what a resource is for. */
export function roleTag(role: Role): string {
    return `horizon:role:${role}`;
}

/** The role a resource's tags name, if any. */
export function roleFromTags(tags: readonly unknown[] | undefined): Role | undefined {
    for (const tag of tags ?? []) {
        const role = typeof tag === "string" && tag.startsWith("horizon:role:") ? tag.slice("horizon:role:".length) : undefined;
        if ((ROLES as readonly string[]).includes(role ?? "")) {
            return role as Role;
        }
    }
    return undefined;
}
