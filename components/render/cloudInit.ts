import { dump } from "js-yaml";
import { DEFAULT_CACHE } from "../config/schema";
import { shellQuote, shellWords } from "./shell";

/** Name of the app container on a replica droplet. */
export const DEFAULT_APP_CONTAINER_NAME = "app";
/** Size at which Docker rotates a container's JSON log file, in MB. */
export const DEFAULT_LOG_MAX_SIZE_MB = 10;
/** Rotated log files Docker keeps per container. */
export const DEFAULT_LOG_MAX_FILES = 5;
/** Seconds Docker waits after SIGTERM before it kills the app container. */
export const DEFAULT_APP_STOP_TIMEOUT_SECONDS = 30;
/** Seconds after the app container starts during which failed health probes do not count. */
export const DEFAULT_HEALTH_START_PERIOD_SECONDS = 30;
/** Host port Postgres is published on, on the data droplet. */
export const DEFAULT_POSTGRES_PORT = 5432;
/** Tag of the `valkey/valkey` image on the data droplet. */
export const DEFAULT_VALKEY_VERSION = DEFAULT_CACHE.version;
/** Host port Valkey is published on, on the data droplet. */
export const DEFAULT_VALKEY_PORT = 6379;

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

/**
 * The Docker HEALTHCHECK of the app container, from the stack's `app.healthCheck`.
 *
 * The spec's `healthyThreshold` has no Docker counterpart (one passing probe makes a
 * container healthy); the load balancer applies it.
 */
export interface AppHealthCheck {
    /** HTTP path probed inside the container, on 127.0.0.1 and the container port. */
    readonly path: string;
    /** Seconds between probes. */
    readonly intervalSeconds: number;
    /** Seconds one probe may take before it counts as failed. */
    readonly timeoutSeconds: number;
    /** Consecutive failed probes before Docker reports the container unhealthy. */
    readonly unhealthyThreshold: number;
    /**
     * Seconds after start during which failed probes do not count, so a slow boot is not
     * reported as unhealthy.
     * @default 30
     */
    readonly startPeriodSeconds?: number;
}

/** Credentials for a private registry, used with `docker login --password-stdin`. */
export interface RegistryCredentials {
    /** Registry host, for example `registry.digitalocean.com`. */
    readonly server: string;
    readonly username: string;
    /** Written to a root-only file on the droplet and piped to `docker login`, never put on a command line. */
    readonly password: string;
}

/** Rotation of a container's `json-file` log. */
export interface ContainerLogOptions {
    /**
     * Size at which the log file is rotated, in MB.
     * @default 10
     */
    readonly maxSizeMb?: number;
    /**
     * Rotated files kept.
     * @default 5
     */
    readonly maxFiles?: number;
}

/** One app replica droplet: Docker from Ubuntu's archive running the app container. */
export interface AppCloudInitInput {
    /** Image reference, pulled at every boot; the copy already on the droplet is used when the pull fails. */
    readonly image: string;
    /**
     * Name of the container on the droplet.
     * @default "app"
     */
    readonly containerName?: string;
    /** Port the app listens on inside the container. */
    readonly containerPort: number;
    /** Droplet port the container port is published on, the one the load balancer targets. */
    readonly hostPort: number;
    /**
     * The container's whole environment (app, region, DATABASE_URL / REDIS_URL,
     * HORIZON_REPLICA_ID), written to a root-only Docker env file. Keys match
     * `^[A-Za-z_][A-Za-z0-9_]*$`; values are taken verbatim and cannot contain line breaks.
     */
    readonly env: Readonly<Record<string, string>>;
    readonly healthCheck: AppHealthCheck;
    /**
     * Private registry to log in to before the pull.
     * @default - no login: the image must be public
     */
    readonly registry?: RegistryCredentials;
    /**
     * Log rotation.
     * @default { maxSizeMb: 10, maxFiles: 5 }
     */
    readonly log?: ContainerLogOptions;
    /**
     * Memory limit of the container, in MB.
     * @default - no limit
     */
    readonly memoryMb?: number;
    /**
     * CPU limit of the container, in CPUs (fractions allowed).
     * @default - no limit
     */
    readonly cpus?: number;
    /**
     * Seconds Docker waits after SIGTERM before it kills the container, time for the app to
     * finish requests the load balancer already sent.
     * @default 30
     */
    readonly stopTimeoutSeconds?: number;
}

/** Postgres in a container on the data droplet. */
export interface DataPostgresInput {
    /** Tag of the `postgres` image, for example `"17"`. */
    readonly version: string;
    /** Database created on first start. */
    readonly database: string;
    /** Superuser created on first start. */
    readonly user: string;
    /** Password of `user`; only read when the data directory is first initialised. */
    readonly password: string;
    /**
     * Droplet port Postgres is published on.
     * @default 5432
     */
    readonly port?: number;
}

/** Valkey in a container on the data droplet, with append-only persistence on the volume. */
export interface DataValkeyInput {
    /**
     * Tag of the `valkey/valkey` image.
     * @default "8"
     */
    readonly version?: string;
    /** Password clients send with AUTH (`requirepass`). */
    readonly password: string;
    /** `maxmemory-policy`, in Valkey's spelling (`allkeys-lru`, not DigitalOcean's `allkeys_lru`). */
    readonly evictionPolicy: ValkeyEvictionPolicy;
    /**
     * Memory Valkey may use before it evicts, in MB (`maxmemory`).
     * @default - no limit: the eviction policy never applies and Valkey grows until the droplet runs out of memory
     */
    readonly maxMemoryMb?: number;
    /**
     * Droplet port Valkey is published on.
     * @default 6379
     */
    readonly port?: number;
}

/**
 * The one data droplet of a region in `mode: container` (cheap staging): Postgres and/or
 * Valkey in containers, their data on a DigitalOcean Volume.
 *
 * The droplet's private IP is not known when user data is rendered, so both services are
 * published on 0.0.0.0. The caller's DigitalOcean Cloud Firewall must admit their ports
 * only from the fleet's tag; it filters before traffic reaches the droplet, so Docker's own
 * iptables rules cannot open the ports past it.
 */
export interface DataCloudInitInput {
    /**
     * Name of the attached volume. It appears as `/dev/disk/by-id/scsi-0DO_Volume_<name>`, is
     * formatted ext4 only when it holds no filesystem, and is mounted at `/mnt/<name>`.
     */
    readonly volumeName: string;
    /**
     * Postgres on the droplet.
     * @default - no Postgres (set at least one of postgres and valkey)
     */
    readonly postgres?: DataPostgresInput;
    /**
     * Valkey on the droplet.
     * @default - no Valkey (set at least one of postgres and valkey)
     */
    readonly valkey?: DataValkeyInput;
}

/** An HAProxy droplet of the HAProxy tier. */
export interface HaproxyCloudInitInput {
    /** The whole haproxy.cfg, as `render/haproxy.ts` writes it. */
    readonly haproxyConfig: string;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const VOLUME_NAME = /^[a-z][a-z0-9-]{0,63}$/;

const APP_ENV_FILE = "/etc/horizon/app.env";
const REGISTRY_PASSWORD_FILE = "/etc/horizon/registry-password";
const POSTGRES_ENV_FILE = "/etc/horizon/postgres.env";
const VALKEY_CONFIG_FILE = "/etc/horizon/valkey.conf";
const HAPROXY_CONFIG_FILE = "/etc/haproxy/haproxy.cfg";
const HAPROXY_APPLY_SCRIPT = "/usr/local/bin/horizon-haproxy-apply";
const VOLUME_UNIT = "horizon-volume";

// Postgres shuts down cleanly (no crash recovery at the next start) when given time to checkpoint.
const DATA_STOP_TIMEOUT_SECONDS = 60;
// systemd must outwait `docker stop`, which itself waits the container's stop timeout.
const UNIT_STOP_GRACE_SECONDS = 30;
// Docker's 64 MB /dev/shm is too small for Postgres parallel queries.
const POSTGRES_SHM_SIZE = "256m";

/** One `write_files` entry of cloud-init. */
interface WriteFile {
    readonly path: string;
    readonly owner: string;
    readonly permissions: string;
    readonly content: string;
    /** Written in the final stage, after packages are installed (needed when a package owns the path). */
    readonly defer?: boolean;
}

/** A container that a oneshot systemd unit (re)creates at every boot. */
interface ContainerService {
    /** Name of the unit and of its start script in /usr/local/bin. */
    readonly unit: string;
    readonly description: string;
    readonly containerName: string;
    readonly image: string;
    readonly registry?: RegistryCredentials;
    /** Lines of bash run after the pull and before the container is replaced. */
    readonly prepare: readonly string[];
    /** `docker run` options, one shell-quoted fragment per line. */
    readonly runOptions: readonly string[];
    /** Command and arguments after the image. */
    readonly command: readonly string[];
    readonly stopTimeoutSeconds: number;
    /** Units besides docker.service the container cannot run without. */
    readonly requires: readonly string[];
}

/**
 * Renders the user data of an app replica droplet (Ubuntu 24.04): Docker from Ubuntu's
 * archive, the app's env file, and `horizon-app.service`, which pulls the image and
 * (re)creates the container at every boot.
 *
 * Credentials end up only in root-only files (`/etc/horizon/app.env`,
 * `/etc/horizon/registry-password`), never in a script or on a command line; the user
 * data as a whole still carries them, so the caller marks it secret.
 */
export function renderAppCloudInit(input: AppCloudInitInput): string {
    const containerName = input.containerName ?? DEFAULT_APP_CONTAINER_NAME;
    if (!CONTAINER_NAME.test(containerName)) {
        throw new Error(
            `horizon:app.containerName: "${containerName}" is not a Docker container name; use letters, digits, "_", "." and "-", starting with a letter or digit`,
        );
    }
    requireImage("app.image", input.image);
    requirePort("app.containerPort", input.containerPort);
    requirePort("app.hostPort", input.hostPort);
    if (input.registry !== undefined) {
        requireSingleLine("app.registry.password", input.registry.password, "docker login --password-stdin");
    }
    if (input.memoryMb !== undefined) {
        requireInteger("app.memoryMb", input.memoryMb, 1);
    }
    if (input.cpus !== undefined && !(Number.isFinite(input.cpus) && input.cpus > 0)) {
        throw new Error(`horizon:app.cpus: ${input.cpus} is not a CPU count; use a number above 0, for example 0.5 or 2`);
    }
    const stopTimeoutSeconds = input.stopTimeoutSeconds ?? DEFAULT_APP_STOP_TIMEOUT_SECONDS;
    requireInteger("app.stopTimeoutSeconds", stopTimeoutSeconds, 0);

    const runOptions = [
        "--restart unless-stopped",
        "--init",
        shellWords("--env-file", APP_ENV_FILE),
        shellWords("--publish", `${input.hostPort}:${input.containerPort}`),
        ...healthCheckOptions(input.containerPort, input.healthCheck),
        ...logOptions("app.log", input.log),
        ...(input.memoryMb === undefined ? [] : [shellWords("--memory", `${input.memoryMb}m`)]),
        ...(input.cpus === undefined ? [] : [shellWords("--cpus", String(input.cpus))]),
        shellWords("--stop-timeout", String(stopTimeoutSeconds)),
    ];
    const service: ContainerService = {
        unit: "horizon-app",
        description: `app replica (container ${containerName})`,
        containerName,
        image: input.image,
        registry: input.registry,
        prepare: [],
        runOptions,
        command: [],
        stopTimeoutSeconds,
        requires: [],
    };
    return renderCloudConfig({
        packages: ["docker.io"],
        writeFiles: [
            secretFile(APP_ENV_FILE, renderEnvFile("app.env", input.env)),
            ...(input.registry === undefined ? [] : [secretFile(REGISTRY_PASSWORD_FILE, input.registry.password)]),
            ...containerServiceFiles(service),
        ],
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", `${service.unit}.service`],
        ],
    });
}

/**
 * The command Docker runs inside the app container to probe it (`--health-cmd`, run by
 * `/bin/sh -c`).
 *
 * App images rarely ship curl, so the probe uses the first of curl, wget (BusyBox's counts,
 * as on Alpine) and node (18 or later, for `fetch`) that the image has. It assumes the
 * image has `/bin/sh`, one of those three, and an app listening on 127.0.0.1 (or all
 * interfaces) inside the container; an image with none of them is reported unhealthy.
 * Any response below 400 passes, as it does for curl and wget.
 */
export function renderHealthCommand(containerPort: number, healthCheck: Pick<AppHealthCheck, "path" | "timeoutSeconds">): string {
    const url = shellQuote(`http://127.0.0.1:${containerPort}${healthCheck.path}`);
    const seconds = healthCheck.timeoutSeconds;
    const nodeProbe =
        `fetch(process.argv[1],{signal:AbortSignal.timeout(${seconds * 1000})})` +
        ".then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))";
    return [
        `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null -m ${seconds} ${url}`,
        `elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null -T ${seconds} ${url}`,
        `elif command -v node >/dev/null 2>&1; then node -e "${nodeProbe}" ${url}`,
        // Docker reserves exit code 2, and curl or wget may return anything on failure.
        "else exit 1; fi || exit 1",
    ].join("; ");
}

/**
 * Renders the user data of a region's data droplet (Ubuntu 24.04): the volume, formatted
 * only when blank and mounted through fstab, and Postgres and/or Valkey in containers with
 * their data on it, each under its own systemd unit.
 *
 * Passwords end up only in root-only files (`/etc/horizon/postgres.env`,
 * `/etc/horizon/valkey.conf`); the caller marks the user data secret.
 */
export function renderDataCloudInit(input: DataCloudInitInput): string {
    if (!VOLUME_NAME.test(input.volumeName)) {
        throw new Error(
            `horizon:data.volumeName: "${input.volumeName}" is not a DigitalOcean volume name; use up to 64 lowercase letters, digits and "-", starting with a letter`,
        );
    }
    if (input.postgres === undefined && input.valkey === undefined) {
        throw new Error(
            "horizon:data: neither postgres nor valkey is set, so the data droplet would run nothing; set postgres, valkey or both",
        );
    }
    const mountPoint = `/mnt/${input.volumeName}`;
    const files: WriteFile[] = [
        executableFile(`/usr/local/bin/${VOLUME_UNIT}`, renderVolumeScript(input.volumeName, mountPoint)),
        unitFile(VOLUME_UNIT, renderVolumeUnit(input.volumeName)),
    ];
    const units: string[] = [];
    if (input.postgres !== undefined) {
        const postgres = postgresService(input.postgres, mountPoint);
        files.push(secretFile(POSTGRES_ENV_FILE, postgresEnvFile(input.postgres)), ...containerServiceFiles(postgres));
        units.push(`${postgres.unit}.service`);
    }
    if (input.valkey !== undefined) {
        const valkey = valkeyService(input.valkey, mountPoint);
        files.push(secretFile(VALKEY_CONFIG_FILE, renderValkeyConfig(input.valkey)), ...containerServiceFiles(valkey));
        units.push(`${valkey.unit}.service`);
    }
    return renderCloudConfig({
        packages: ["docker.io"],
        writeFiles: files,
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", ...units],
        ],
    });
}

/**
 * Renders the user data of an HAProxy droplet (Ubuntu 24.04): HAProxy from Ubuntu's
 * archive running `haproxyConfig`, applied only after `haproxy -c` accepts it.
 */
export function renderHaproxyCloudInit(input: HaproxyCloudInitInput): string {
    if (input.haproxyConfig.trim() === "") {
        throw new Error("horizon:haproxy.haproxyConfig: the configuration is empty; pass the text render/haproxy.ts produces");
    }
    // HAProxy warns that a file without a final newline may have been truncated.
    const config = input.haproxyConfig.endsWith("\n") ? input.haproxyConfig : `${input.haproxyConfig}\n`;
    const applyScript = [
        "#!/usr/bin/env bash",
        "# Written by cloud-init from horizon: a configuration HAProxy rejects must never replace a running one.",
        "set -euo pipefail",
        "",
        shellWords("haproxy", "-c", "-f", HAPROXY_CONFIG_FILE),
        "systemctl enable haproxy.service",
        "systemctl reload-or-restart haproxy.service",
        "",
    ].join("\n");
    return renderCloudConfig({
        packages: ["haproxy"],
        writeFiles: [
            // Deferred until the package has installed its own haproxy.cfg and created the haproxy group.
            { path: HAPROXY_CONFIG_FILE, owner: "root:haproxy", permissions: "0640", content: config, defer: true },
            executableFile(HAPROXY_APPLY_SCRIPT, applyScript),
        ],
        runcmd: [[HAPROXY_APPLY_SCRIPT]],
    });
}

/**
 * Cloud-init runs `write_files` early, `runcmd` after the packages are installed. Each
 * runcmd entry is a list so cloud-init executes it without a shell; runcmd does not stop at
 * a failed command, so anything with steps lives in a `set -e` script instead.
 */
function renderCloudConfig(config: {
    readonly packages: readonly string[];
    readonly writeFiles: readonly WriteFile[];
    readonly runcmd: readonly (readonly string[])[];
}): string {
    const document = {
        package_update: true,
        packages: config.packages,
        write_files: config.writeFiles,
        runcmd: config.runcmd,
    };
    return `#cloud-config\n${dump(document, { lineWidth: -1, noRefs: true })}`;
}

function secretFile(path: string, content: string): WriteFile {
    return { path, owner: "root:root", permissions: "0600", content };
}

function executableFile(path: string, content: string): WriteFile {
    return { path, owner: "root:root", permissions: "0755", content };
}

function unitFile(unit: string, content: string): WriteFile {
    return { path: `/etc/systemd/system/${unit}.service`, owner: "root:root", permissions: "0644", content };
}

/**
 * Docker env-file format: one `KEY=value` per line, the value taken verbatim up to the end
 * of the line (no quoting, no escapes), so a value cannot span lines. Keys are sorted so
 * the same environment always renders the same user data and does not replace droplets.
 */
function renderEnvFile(keyPath: string, env: Readonly<Record<string, string>>): string {
    return Object.keys(env)
        .sort()
        .map((key) => {
            if (!ENV_KEY.test(key)) {
                throw new Error(
                    `horizon:${keyPath}: "${key}" is not a valid environment variable name; use letters, digits and "_", not starting with a digit (${ENV_KEY.source})`,
                );
            }
            requireSingleLine(`${keyPath}.${key}`, env[key], "a Docker env file");
            return `${key}=${env[key]}\n`;
        })
        .join("");
}

function healthCheckOptions(containerPort: number, healthCheck: AppHealthCheck): string[] {
    const path = healthCheck.path;
    if (!/^\/\S*$/.test(path)) {
        throw new Error(`horizon:app.healthCheck.path: "${path}" is not an HTTP path; start it with "/" and leave out spaces`);
    }
    requireInteger("app.healthCheck.intervalSeconds", healthCheck.intervalSeconds, 1);
    requireInteger("app.healthCheck.timeoutSeconds", healthCheck.timeoutSeconds, 1);
    requireInteger("app.healthCheck.unhealthyThreshold", healthCheck.unhealthyThreshold, 1);
    const startPeriodSeconds = healthCheck.startPeriodSeconds ?? DEFAULT_HEALTH_START_PERIOD_SECONDS;
    requireInteger("app.healthCheck.startPeriodSeconds", startPeriodSeconds, 0);
    return [
        shellWords("--health-cmd", renderHealthCommand(containerPort, healthCheck)),
        shellWords("--health-interval", `${healthCheck.intervalSeconds}s`),
        shellWords("--health-timeout", `${healthCheck.timeoutSeconds}s`),
        shellWords("--health-retries", String(healthCheck.unhealthyThreshold)),
        shellWords("--health-start-period", `${startPeriodSeconds}s`),
    ];
}

function logOptions(keyPath: string, log: ContainerLogOptions | undefined): string[] {
    const maxSizeMb = log?.maxSizeMb ?? DEFAULT_LOG_MAX_SIZE_MB;
    const maxFiles = log?.maxFiles ?? DEFAULT_LOG_MAX_FILES;
    requireInteger(`${keyPath}.maxSizeMb`, maxSizeMb, 1);
    requireInteger(`${keyPath}.maxFiles`, maxFiles, 1);
    return [
        "--log-driver json-file",
        shellWords("--log-opt", `max-size=${maxSizeMb}m`),
        shellWords("--log-opt", `max-file=${maxFiles}`),
    ];
}

function containerServiceFiles(service: ContainerService): WriteFile[] {
    return [
        executableFile(`/usr/local/bin/${service.unit}`, renderContainerScript(service)),
        unitFile(service.unit, renderContainerUnit(service)),
    ];
}

/**
 * The start script pulls at every boot so a moved tag is picked up, yet falls back to the
 * image already on the droplet so a registry outage does not keep a rebooted replica down.
 */
function renderContainerScript(service: ContainerService): string {
    const lines = [
        "#!/usr/bin/env bash",
        `# Written by cloud-init from horizon; ${service.unit}.service runs it at every boot.`,
        "set -euo pipefail",
        "",
        `image=${shellQuote(service.image)}`,
        `name=${shellQuote(service.containerName)}`,
        "",
    ];
    if (service.registry !== undefined) {
        const login = shellWords("docker", "login", "--username", service.registry.username, "--password-stdin", service.registry.server);
        lines.push(
            `if ! ${login} <${REGISTRY_PASSWORD_FILE}; then`,
            `  echo "${service.unit}: registry login failed; trying the pull anyway" >&2`,
            "fi",
        );
    }
    lines.push(
        'if ! docker pull "$image"; then',
        `  echo "${service.unit}: pulling $image failed; starting the copy already on this droplet" >&2`,
        '  docker image inspect "$image" >/dev/null',
        "fi",
        ...service.prepare,
        'docker rm --force --volumes "$name" >/dev/null 2>&1 || true',
        "docker run --detach \\",
        ...['--name "$name"', ...service.runOptions].map((option) => `  ${option} \\`),
        `  ${['"$image"', ...service.command.map(shellQuote)].join(" ")}`,
        "",
    );
    return lines.join("\n");
}

/**
 * Docker's restart policy brings the container back after a crash; the unit recreates it
 * at boot from the files cloud-init wrote, and stops it gracefully at shutdown.
 */
function renderContainerUnit(service: ContainerService): string {
    const requires = ["docker.service", ...service.requires].join(" ");
    return [
        "[Unit]",
        `Description=horizon ${service.description}`,
        "Wants=network-online.target",
        `After=network-online.target ${requires}`,
        `Requires=${requires}`,
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        `ExecStart=/usr/local/bin/${service.unit}`,
        `ExecStop=/usr/bin/docker stop ${service.containerName}`,
        `TimeoutStopSec=${service.stopTimeoutSeconds + UNIT_STOP_GRACE_SECONDS}`,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ].join("\n");
}

/**
 * Runs before the data containers at every boot. A volume attached after the droplet
 * boots shows up late, so the script waits for it; it formats only a volume on which
 * blkid finds no signature at all, so existing data is never reformatted.
 */
function renderVolumeScript(volumeName: string, mountPoint: string): string {
    return [
        "#!/usr/bin/env bash",
        `# Written by cloud-init from horizon; ${VOLUME_UNIT}.service runs it before the data containers start.`,
        "set -euo pipefail",
        "",
        `device=${shellQuote(`/dev/disk/by-id/scsi-0DO_Volume_${volumeName}`)}`,
        `mount_point=${shellQuote(mountPoint)}`,
        "",
        "for _ in $(seq 60); do",
        '  [[ -b "$device" ]] && break',
        "  sleep 5",
        "done",
        'if [[ ! -b "$device" ]]; then',
        `  echo "${VOLUME_UNIT}: $device did not appear; attach the volume to this droplet" >&2`,
        "  exit 1",
        "fi",
        "",
        "# blkid exits 2 only when the device carries no signature at all. Any other failure",
        "# must not lead to mkfs, which would destroy the data on the volume.",
        "status=0",
        'blkid --probe "$device" >/dev/null || status=$?',
        'if [[ "$status" -eq 2 ]]; then',
        '  mkfs.ext4 -q "$device"',
        'elif [[ "$status" -ne 0 ]]; then',
        `  echo "${VOLUME_UNIT}: blkid could not read $device (exit $status); leaving it alone" >&2`,
        "  exit 1",
        "fi",
        "",
        'fs_type=$(blkid --probe --match-tag TYPE --output value "$device")',
        'if [[ -z "$fs_type" ]]; then',
        `  echo "${VOLUME_UNIT}: $device holds no filesystem blkid recognises (a partition table?); leaving it alone" >&2`,
        "  exit 1",
        "fi",
        "# nofail: a missing volume must not drop the droplet into emergency mode at boot.",
        'if ! grep -q "^$device " /etc/fstab; then',
        '  echo "$device $mount_point $fs_type defaults,nofail,discard 0 2" >>/etc/fstab',
        "fi",
        'mkdir -p "$mount_point"',
        'mountpoint -q "$mount_point" || mount "$mount_point"',
        "",
    ].join("\n");
}

function renderVolumeUnit(volumeName: string): string {
    return [
        "[Unit]",
        `Description=horizon volume ${volumeName}: format when blank, mount at /mnt/${volumeName}`,
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        `ExecStart=/usr/local/bin/${VOLUME_UNIT}`,
        "",
    ].join("\n");
}

function postgresService(postgres: DataPostgresInput, mountPoint: string): ContainerService {
    requireTag("data.postgres.version", postgres.version);
    const port = postgres.port ?? DEFAULT_POSTGRES_PORT;
    requirePort("data.postgres.port", port);
    const dataDir = `${mountPoint}/postgres`;
    return {
        unit: "horizon-postgres",
        description: "Postgres (container horizon-postgres)",
        containerName: "horizon-postgres",
        image: `postgres:${postgres.version}`,
        prepare: [shellWords("mkdir", "-p", dataDir)],
        runOptions: [
            "--restart unless-stopped",
            shellWords("--env-file", POSTGRES_ENV_FILE),
            // Postgres 18 images moved the default PGDATA; pinning it keeps one mount right for every version.
            shellWords("--env", "PGDATA=/var/lib/postgresql/data"),
            shellWords("--volume", `${dataDir}:/var/lib/postgresql/data`),
            shellWords("--publish", `0.0.0.0:${port}:5432`),
            shellWords("--shm-size", POSTGRES_SHM_SIZE),
            ...logOptions("data.postgres.log", undefined),
            shellWords("--stop-timeout", String(DATA_STOP_TIMEOUT_SECONDS)),
        ],
        command: [],
        stopTimeoutSeconds: DATA_STOP_TIMEOUT_SECONDS,
        requires: [`${VOLUME_UNIT}.service`],
    };
}

function postgresEnvFile(postgres: DataPostgresInput): string {
    for (const field of ["database", "user", "password"] as const) {
        requireSingleLine(`data.postgres.${field}`, postgres[field], "a Docker env file");
        if (postgres[field] === "") {
            throw new Error(`horizon:data.postgres.${field}: the value is empty; the postgres image needs one`);
        }
    }
    return renderEnvFile("data.postgres", {
        POSTGRES_DB: postgres.database,
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: postgres.password,
    });
}

function valkeyService(valkey: DataValkeyInput, mountPoint: string): ContainerService {
    const version = valkey.version ?? DEFAULT_VALKEY_VERSION;
    requireTag("data.valkey.version", version);
    const port = valkey.port ?? DEFAULT_VALKEY_PORT;
    requirePort("data.valkey.port", port);
    const dataDir = `${mountPoint}/valkey`;
    return {
        unit: "horizon-valkey",
        description: "Valkey (container horizon-valkey)",
        containerName: "horizon-valkey",
        image: `valkey/valkey:${version}`,
        prepare: [
            "# The image runs Valkey as its own user and hands it only /data, so the root-only config is copied there.",
            shellWords("install", "-D", "-m", "0600", VALKEY_CONFIG_FILE, `${dataDir}/valkey.conf`),
        ],
        runOptions: [
            "--restart unless-stopped",
            shellWords("--volume", `${dataDir}:/data`),
            shellWords("--publish", `0.0.0.0:${port}:6379`),
            ...logOptions("data.valkey.log", undefined),
            shellWords("--stop-timeout", String(DATA_STOP_TIMEOUT_SECONDS)),
        ],
        command: ["valkey-server", "/data/valkey.conf"],
        stopTimeoutSeconds: DATA_STOP_TIMEOUT_SECONDS,
        requires: [`${VOLUME_UNIT}.service`],
    };
}

function renderValkeyConfig(valkey: DataValkeyInput): string {
    requireSingleLine("data.valkey.password", valkey.password, "a Valkey config line");
    if (valkey.password === "") {
        throw new Error("horizon:data.valkey.password: the value is empty; Valkey on the data droplet always requires a password");
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
        requireInteger("data.valkey.maxMemoryMb", valkey.maxMemoryMb, 1);
        lines.push(`maxmemory ${valkey.maxMemoryMb}mb`);
    }
    return `${lines.join("\n")}\n`;
}

/** Valkey's config parser reads a double-quoted argument with backslash escapes. */
function valkeyConfigString(value: string): string {
    return `"${value.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

function requireSingleLine(keyPath: string, value: string, medium: string): void {
    if (/[\r\n]/.test(value)) {
        throw new Error(
            `horizon:${keyPath}: the value contains a line break, which ${medium} cannot hold; put it on one line (base64-encode it if it must carry line breaks)`,
        );
    }
}

function requireInteger(keyPath: string, value: number, min: number): void {
    if (!Number.isInteger(value) || value < min) {
        throw new Error(`horizon:${keyPath}: ${value} is not allowed; use a whole number of at least ${min}`);
    }
}

function requirePort(keyPath: string, value: number): void {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new Error(`horizon:${keyPath}: ${value} is not a TCP port; use a whole number from 1 to 65535`);
    }
}

function requireImage(keyPath: string, image: string): void {
    if (!/^\S+$/.test(image)) {
        throw new Error(`horizon:${keyPath}: "${image}" is not an image reference; use one like "ghcr.io/acme/hits:1.4.2"`);
    }
}

function requireTag(keyPath: string, tag: string): void {
    if (!IMAGE_TAG.test(tag)) {
        throw new Error(`horizon:${keyPath}: "${tag}" is not an image tag; use letters, digits, "_", "." and "-", for example "17"`);
    }
}
