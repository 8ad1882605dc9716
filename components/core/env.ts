import * as pulumi from "@pulumi/pulumi";
import type { AppSpec, RegionBase } from "./spec";

/** The variable that names one replica, e.g. `hits-us-east-2`. */
export const REPLICA_ID_VARIABLE = "HORIZON_REPLICA_ID";
/** Where the app listens; most frameworks (and the sample app) read it. */
export const PORT_VARIABLE = "PORT";
export const DATABASE_URL_VARIABLE = "DATABASE_URL";
export const DATABASE_READ_URL_VARIABLE = "DATABASE_READ_URL";
export const REDIS_URL_VARIABLE = "REDIS_URL";

/** Connection strings a region's data services hand to the app; each is a secret Output. */
export interface DataEndpoints {
    /** The primary, for writes. */
    readonly databaseUrl?: pulumi.Output<string>;
    /** The nearest copy, for reads. @default - reads use databaseUrl */
    readonly databaseReadUrl?: pulumi.Output<string>;
    readonly redisUrl?: pulumi.Output<string>;
}

/**
 * A replica's environment, split by who may read it: `plain` values can go into a pod spec,
 * a container's env or a plan; `secret` values go into a Kubernetes Secret, a root-only env
 * file or a secret Output, never anywhere a plan prints them.
 */
export interface AppEnv {
    /** `PORT`, then `app.env`, then the region's `env` (later wins). */
    readonly plain: Readonly<Record<string, string>>;
    /** `app.secretEnv` plus the data services' URLs; a secret Output. */
    readonly secret: pulumi.Output<Record<string, string>>;
}

/** Assembles the env every replica of a region gets (the replica id is added per replica). */
export function assembleEnv(app: AppSpec, region: Pick<RegionBase, "env">, data: DataEndpoints): AppEnv {
    const plain = { [PORT_VARIABLE]: String(app.port), ...app.env, ...region.env };
    const urls: [string, pulumi.Output<string> | undefined][] = [
        [DATABASE_URL_VARIABLE, data.databaseUrl],
        [DATABASE_READ_URL_VARIABLE, data.databaseReadUrl],
        [REDIS_URL_VARIABLE, data.redisUrl],
    ];
    const present = urls.filter((entry): entry is [string, pulumi.Output<string>] => entry[1] !== undefined);
    const secret = pulumi.secret(
        pulumi
            .all(present.map(([, url]) => url))
            .apply((values) => ({ ...app.secretEnv, ...Object.fromEntries(present.map(([key], i) => [key, values[i]])) })),
    );
    return { plain, secret };
}

/**
 * One replica's whole environment (plain, then secret, then its id), as one Output that is
 * secret whenever any secret value is present.
 */
export function replicaEnv(env: AppEnv, replicaId?: string): pulumi.Output<Record<string, string>> {
    return env.secret.apply(
        (secret): Record<string, string> => ({
            ...env.plain,
            ...secret,
            ...(replicaId !== undefined ? { [REPLICA_ID_VARIABLE]: replicaId } : {}),
        }),
    );
}

