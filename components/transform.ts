import type * as pulumi from "@pulumi/pulumi";

/**
 * An escape hatch for one child resource: either a partial args object merged over what the
 * component computed, or a callback that edits the args and options in place. Applied last,
 * so the user wins.
 */
export type Transform<Args, Opts = pulumi.CustomResourceOptions> = Partial<Args> | ((args: Args, opts: Opts) => void);

/** Applies a `Transform` to a child's args and options and returns them. */
export function transformChild<Args extends object, Opts extends object>(
    args: Args,
    opts: Opts,
    transform: Transform<Args, Opts> | undefined,
): [Args, Opts] {
    if (transform === undefined) {
        return [args, opts];
    }
    if (typeof transform === "function") {
        const nextArgs = { ...args };
        const nextOpts = { ...opts };
        transform(nextArgs, nextOpts);
        return [nextArgs, nextOpts];
    }
    return [{ ...args, ...transform }, opts];
}
