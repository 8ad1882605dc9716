import {
    type DataContainer,
    DEFAULT_VALKEY_VERSION,
    postgresContainer,
    POSTGRES_PORT,
    VALKEY_PORT,
    valkeyContainer,
    type ValkeyEvictionPolicy,
} from "../dataServices";
import { dockerHealthFlags } from "../healthCheck";
import { shellQuote, shellWords } from "../shell";
import {
    type ContainerService,
    containerServiceFiles,
    executableFile,
    logOptions,
    METADATA_GUARD_UNIT,
    metadataGuardFiles,
    renderCloudConfig,
    renderEnvFile,
    requirePort,
    requireSingleLine,
    requireTag,
    secretFile,
    unitFile,
    type WriteFile,
} from "./common";

/** Host port Postgres is published on, on the data droplet. */
export const DEFAULT_POSTGRES_PORT = POSTGRES_PORT;

/** Host port Valkey is published on, on the data droplet. */
export const DEFAULT_VALKEY_PORT = VALKEY_PORT;

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

const VOLUME_NAME = /^[a-z][a-z0-9-]{0,63}$/;



const VOLUME_UNIT = "horizon-volume";

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
        ...metadataGuardFiles(),
    ];
    const services = [
        ...(input.postgres !== undefined ? [postgresService(input.postgres, mountPoint)] : []),
        ...(input.valkey !== undefined ? [valkeyService(input.valkey, mountPoint)] : []),
    ];
    for (const { service, files: serviceFiles } of services) {
        files.push(...serviceFiles, ...containerServiceFiles(service));
    }
    const units = services.map(({ service }) => `${service.unit}.service`);
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

/**
 * A data service from its shared definition: credentials in a root-only env file, config
 * files copied onto the volume at every boot, the data directory on the volume.
 */
function dataService(container: DataContainer, hostPort: number, mountPoint: string): { service: ContainerService; files: WriteFile[] } {
    requirePort(`data.${container.service}.port`, hostPort);
    const unit = `horizon-${container.service}`;
    const hostDir = `${mountPoint}/${container.service}`;
    const envFile = `/etc/horizon/${container.service}.env`;
    const hasSecretEnv = Object.keys(container.secretEnv).length > 0;
    const files: WriteFile[] = [
        ...(hasSecretEnv ? [secretFile(envFile, renderEnvFile(`data.${container.service}`, container.secretEnv))] : []),
        ...container.files.map((file) => secretFile(`/etc/horizon/${file.path.split("/").pop()}`, file.content)),
    ];
    const copies = container.files.map((file) =>
        shellWords("install", "-D", "-m", "0600", `/etc/horizon/${file.path.split("/").pop()}`, `${hostDir}${file.path.slice(container.dataDir.length)}`),
    );
    const service: ContainerService = {
        unit,
        description: `${container.service === "postgres" ? "Postgres" : "Valkey"} (container ${unit})`,
        containerName: unit,
        image: container.image,
        prepare: [
            shellWords("mkdir", "-p", hostDir),
            ...(copies.length > 0 ? ["# The image hands its service only the data directory, so the root-only config is copied there.", ...copies] : []),
        ],
        runOptions: [
            "--restart unless-stopped",
            ...(hasSecretEnv ? [shellWords("--env-file", envFile)] : []),
            ...Object.entries(container.env).map(([key, value]) => shellWords("--env", `${key}=${value}`)),
            shellWords("--volume", `${hostDir}:${container.dataDir}`),
            shellWords("--publish", `0.0.0.0:${hostPort}:${container.port}`),
            ...(container.shmSizeMb !== undefined ? [shellWords("--shm-size", `${container.shmSizeMb}m`)] : []),
            ...dockerHealthFlags(container.health),
            ...logOptions(`data.${container.service}.log`, undefined),
            shellWords("--stop-timeout", String(container.stopTimeoutSeconds)),
        ],
        command: container.command,
        stopTimeoutSeconds: container.stopTimeoutSeconds,
        requires: [`${VOLUME_UNIT}.service`, `${METADATA_GUARD_UNIT}.service`],
    };
    return { service, files };
}

function postgresService(postgres: DataPostgresInput, mountPoint: string): { service: ContainerService; files: WriteFile[] } {
    requireTag("data.postgres.version", postgres.version);
    for (const field of ["database", "user", "password"] as const) {
        requireSingleLine(`data.postgres.${field}`, postgres[field], "a Docker env file");
        if (postgres[field] === "") {
            throw new Error(`horizon:data.postgres.${field}: the value is empty; the postgres image needs one`);
        }
    }
    return dataService(postgresContainer(postgres), postgres.port ?? DEFAULT_POSTGRES_PORT, mountPoint);
}

function valkeyService(valkey: DataValkeyInput, mountPoint: string): { service: ContainerService; files: WriteFile[] } {
    requireTag("data.valkey.version", valkey.version ?? DEFAULT_VALKEY_VERSION);
    return dataService(valkeyContainer(valkey), valkey.port ?? DEFAULT_VALKEY_PORT, mountPoint);
}
