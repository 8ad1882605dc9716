import { prOfStackName, TAG_EXPIRES, TAG_PR, TAG_REVIEW } from "./naming";

/** What the stacks tool knows about a stack before touching it. */
export interface StackFacts {
    readonly name: string;
    /** Stack tags (`pulumi stack tag ls`). */
    readonly tags: Readonly<Record<string, string>>;
    /** ISO time of the last update (`pulumi stack ls`), when there was one. */
    readonly lastUpdate?: string;
}

/** A review stack is named `pr-<n>` and carries `horizon:review=true`. */
export function isReviewStack(stack: StackFacts): boolean {
    return prOfStackName(stack.name) !== undefined && stack.tags[TAG_REVIEW] === "true";
}

/** An ISO time to the second, e.g. `2026-12-05T13:59:06Z`. */
export function isoSeconds(time: Date): string {
    return time.toISOString().replace(/\.[0-9]{3}Z$/, "Z");
}

/** The tags `review` sets on stack `pr-<n>`. */
export function reviewTags(pr: number, expires: Date): Record<string, string> {
    return { [TAG_REVIEW]: "true", [TAG_PR]: String(pr), [TAG_EXPIRES]: isoSeconds(expires) };
}

/** A resource of an exported deployment (`pulumi stack export`), as far as the refusal rules look. */
export interface DeployedResource {
    readonly urn: string;
    readonly type?: string;
    readonly protect?: boolean;
}

/** The protected resources of a deployment, by URN. */
export function protectedResources(deployment: { deployment?: { resources?: DeployedResource[] } }): string[] {
    return (deployment.deployment?.resources ?? []).filter((r) => r.protect === true).map((r) => r.urn);
}

/**
 * Why `destroy` refuses a stack, or undefined when it may go ahead. Only review stacks without
 * protected resources are destroyed unless the user forces it.
 */
export function destroyRefusal(stack: StackFacts, protectedUrns: readonly string[]): string | undefined {
    if (prOfStackName(stack.name) === undefined) {
        return `stack ${stack.name} is not a review stack (review stacks are named pr-<number>); add --force to destroy it anyway`;
    }
    if (stack.tags[TAG_REVIEW] !== "true") {
        return `stack ${stack.name} has no ${TAG_REVIEW}=true tag, so the stacks tool did not create it; add --force to destroy it anyway`;
    }
    if (protectedUrns.length > 0) {
        const names = protectedUrns.map((urn) => urn.split("::").pop()).join(", ");
        return `stack ${stack.name} holds ${protectedUrns.length} protected resource(s) (${names}); unprotect them (pulumi state unprotect) and add --force to destroy it`;
    }
    return undefined;
}

export interface Collectable {
    readonly name: string;
    readonly pr: number;
    readonly reason: string;
}

/**
 * The review stacks to collect: those whose pull request is closed, those past their
 * `horizon:expires` tag, and, without that tag, those last updated longer than `ttlMs` ago.
 * A stack with neither tag nor update time is kept: nothing says it is old.
 */
export function selectCollectable(stacks: readonly StackFacts[], options: { now: Date; ttlMs: number; closed: readonly number[] }): Collectable[] {
    const closed = new Set(options.closed);
    const selected: Collectable[] = [];
    for (const stack of stacks) {
        const pr = prOfStackName(stack.name);
        if (pr === undefined || !isReviewStack(stack)) {
            continue;
        }
        const reason = collectReason(stack, pr, closed, options);
        if (reason !== undefined) {
            selected.push({ name: stack.name, pr, reason });
        }
    }
    return selected.sort((a, b) => a.pr - b.pr);
}

function collectReason(stack: StackFacts, pr: number, closed: ReadonlySet<number>, options: { now: Date; ttlMs: number }): string | undefined {
    if (closed.has(pr)) {
        return `pull request #${pr} is closed`;
    }
    const expires = Date.parse(stack.tags[TAG_EXPIRES] ?? "");
    if (!Number.isNaN(expires)) {
        return expires <= options.now.getTime() ? `expired at ${isoSeconds(new Date(expires))}` : undefined;
    }
    const updated = Date.parse(stack.lastUpdate ?? "");
    if (!Number.isNaN(updated) && updated + options.ttlMs <= options.now.getTime()) {
        return `no ${TAG_EXPIRES} tag and last updated ${isoSeconds(new Date(updated))}, longer ago than the ttl`;
    }
    return undefined;
}
