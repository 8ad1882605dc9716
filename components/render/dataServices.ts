import { DEFAULT_CACHE } from "../core/spec";
import type { DockerHealthCheck } from "./healthCheck";

/**
 * Postgres and Valkey as containers, defined once: image, env, port, data directory, config,
 * health command and stop timeout. The data droplet's cloud-init, the Docker platform and
 * Kubernetes StatefulSets all run these definitions, so the three cannot drift apart.
 */

export const POSTGRES_PORT = 5432;
export const VALKEY_PORT = 6379;
/** Tag of the Valkey image when the stack names none. */
export const DEFAULT_VALKEY_VERSION = DEFAULT_CACHE.version;
/** Official images; a stack can point at a mirror or a pinned digest instead. */
export const DEFAULT_POSTGRES_IMAGE_REPOSITORY = "postgres";
export const DEFAULT_VALKEY_IMAGE_REPOSITORY = "valkey/valkey";
/** Postgres shuts down cleanly (no crash recovery at the next start) when given time to checkpoint. */
export const DATA_STOP_TIMEOUT_SECONDS = 60;
/** Docker's 64 MB /dev/shm is too small for Postgres parallel queries. */
export const POSTGRES_SHM_SIZE_MB = 256;

/** Valkey's `maxmemory-policy` values, spelled as Valkey spells them. */
export const VALKEY_EVICTION_POLICIES = [
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
] as const;
export type ValkeyEvictionPolicy = (typeof VALKEY_EVICTION_POLICIES)[number];

/** A file the container reads, written by the platform before the container starts. */
export interface DataFile {
    /** Absolute path inside the container. */
    readonly path: string;
    readonly content: string;
    /** Holds a credential: root-only on a droplet, a Secret on Kubernetes. */
    readonly secret: boolean;
}

/** One data service as a container, whatever runs it. */
export interface DataContainer {
    readonly service: "postgres" | "valkey";
    readonly image: string;
    /** Port the service listens on inside the container. */
    readonly port: number;
    /** Where the persistent volume is mounted inside the container. */
    readonly dataDir: string;
    /** Environment anyone may read. */
    readonly env: Readonly<Record<string, string>>;
    /** Environment holding credentials. */
    readonly secretEnv: Readonly<Record<string, string>>;
    readonly files: readonly DataFile[];
    /** Arguments after the image; empty for the image's default command. */
    readonly command: readonly string[];
    /** Docker HEALTHCHECK (and Kubernetes exec probe): its command exits 0 when the service answers. */
    readonly health: DockerHealthCheck;
    readonly stopTimeoutSeconds: number;
    /** Size of /dev/shm. @default - the runtime's */
    readonly shmSizeMb?: number;
}

export interface PostgresContainerInput {
    /** Major version, the image tag. */
    readonly version: string;
    /** @default "postgres:<version>" */
    readonly image?: string;
    /** Database created on first start. */
    readonly database: string;
    /** Superuser created on first start. */
    readonly user: string;
    /** Password of `user`; only read when the data directory is first initialised. */
    readonly password: string;
}

/** Postgres honouring the official image's env contract (POSTGRES_USER, _PASSWORD, _DB, PGDATA). */
export function postgresContainer(input: PostgresContainerInput): DataContainer {
    const dataDir = "/var/lib/postgresql/data";
    return {
        service: "postgres",
        image: input.image ?? `${DEFAULT_POSTGRES_IMAGE_REPOSITORY}:${input.version}`,
        port: POSTGRES_PORT,
        dataDir,
        // Postgres 18 images moved the default PGDATA; pinning it keeps one mount right for every version.
        env: { PGDATA: dataDir },
        secretEnv: { POSTGRES_DB: input.database, POSTGRES_USER: input.user, POSTGRES_PASSWORD: input.password },
        files: [],
        command: [],
        // pg_isready checks the server accepts connections, without a password.
        health: dataHealth(`pg_isready -q -h 127.0.0.1 -p ${POSTGRES_PORT} -U ${input.user} -d ${input.database}`),
        stopTimeoutSeconds: DATA_STOP_TIMEOUT_SECONDS,
        shmSizeMb: POSTGRES_SHM_SIZE_MB,
    };
}

export interface ValkeyContainerInput {
    /** @default "8" */
    readonly version?: string;
    /** @default "valkey/valkey:<version>" */
    readonly image?: string;
    /** Password clients send with AUTH (`requirepass`). */
    readonly password: string;
    /** `maxmemory-policy`, in Valkey's spelling (`allkeys-lru`, not DigitalOcean's `allkeys_lru`). */
    readonly evictionPolicy: ValkeyEvictionPolicy;
    /**
     * Memory Valkey may use before it evicts, in MB (`maxmemory`).
     * @default - no limit: the eviction policy never applies and Valkey grows until memory runs out
     */
    readonly maxMemoryMb?: number;
}

/**
 * Valkey with append-only persistence. The image runs Valkey as its own user and hands it
 * only /data, so the config (which holds the password) lives there.
 */
export function valkeyContainer(input: ValkeyContainerInput): DataContainer {
    const dataDir = "/data";
    const configPath = `${dataDir}/valkey.conf`;
    return {
        service: "valkey",
        image: input.image ?? `${DEFAULT_VALKEY_IMAGE_REPOSITORY}:${input.version ?? DEFAULT_VALKEY_VERSION}`,
        port: VALKEY_PORT,
        dataDir,
        env: {},
        secretEnv: {},
        files: [{ path: configPath, content: renderValkeyConfig(input), secret: true }],
        command: ["valkey-server", configPath],
        // Without the password a live server answers NOAUTH, which is enough to know it is up.
        health: dataHealth(`valkey-cli -p ${VALKEY_PORT} ping 2>&1 | grep -qE 'PONG|NOAUTH'`),
        stopTimeoutSeconds: DATA_STOP_TIMEOUT_SECONDS,
    };
}

/** valkey.conf: password, append-only persistence, eviction. */
export function renderValkeyConfig(valkey: ValkeyContainerInput): string {
    if (/[\r\n]/.test(valkey.password)) {
        throw new Error(
            "horizon:data.valkey.password: the value contains a line break, which a Valkey config line cannot hold; put it on one line",
        );
    }
    if (valkey.password === "") {
        throw new Error("horizon:data.valkey.password: the value is empty; Valkey always requires a password here");
    }
    if (!(VALKEY_EVICTION_POLICIES as readonly string[]).includes(valkey.evictionPolicy)) {
        throw new Error(
            `horizon:data.valkey.evictionPolicy: "${valkey.evictionPolicy}" is not one of ${VALKEY_EVICTION_POLICIES.join(", ")}; use Valkey's spelling, with "-"`,
        );
    }
    const lines = [
        "bind 0.0.0.0",
        `requirepass ${valkeyConfigString(valkey.password)}`,
        "dir /data",
        "appendonly yes",
        `maxmemory-policy ${valkey.evictionPolicy}`,
    ];
    if (valkey.maxMemoryMb !== undefined) {
        if (!Number.isInteger(valkey.maxMemoryMb) || valkey.maxMemoryMb < 1) {
            throw new Error(`horizon:data.valkey.maxMemoryMb: ${valkey.maxMemoryMb} is not allowed; use a whole number of at least 1`);
        }
        lines.push(`maxmemory ${valkey.maxMemoryMb}mb`);
    }
    return `${lines.join("\n")}\n`;
}

/** Data services check every 10 s and get a minute to recover a crash before they count as down. */
function dataHealth(command: string): DockerHealthCheck {
    return { command, intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 };
}

/** Valkey's config parser reads a double-quoted argument with backslash escapes. */
function valkeyConfigString(value: string): string {
    return `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

/** DigitalOcean spells eviction policies with `_`, Valkey with `-`. */
export function valkeyEvictionPolicy(doPolicy: string): ValkeyEvictionPolicy {
    return doPolicy.replace(/_/g, "-") as ValkeyEvictionPolicy;
}
