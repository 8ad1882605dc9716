import { dump } from "js-yaml";
import { shellQuote, shellWords } from "../shell";

/**
 * What every droplet's cloud-init shares: the cloud-config document, files, env files and
 * containers run under oneshot systemd units.
 */

/** Size at which Docker rotates a container's JSON log file, in MB. */
export const DEFAULT_LOG_MAX_SIZE_MB = 10;

/** Rotated log files Docker keeps per container. */
export const DEFAULT_LOG_MAX_FILES = 5;

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

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const REGISTRY_PASSWORD_FILE = "/etc/horizon/registry-password";

// systemd must outwait `docker stop`, which itself waits the container's stop timeout.
export const UNIT_STOP_GRACE_SECONDS = 30;

/** The droplet metadata service, which serves user data (and its secrets) to any caller. */
export const METADATA_ADDRESS = "169.254.169.254";
/** The unit that keeps containers away from the metadata service; container units require it. */
export const METADATA_GUARD_UNIT = "horizon-metadata-guard";

/**
 * DigitalOcean serves a droplet's user data at http://169.254.169.254/metadata/v1/user-data to
 * anything on the droplet, unauthenticated. The host needs it (cloud-init, droplet-agent,
 * do-agent); containers must not, so forwarded traffic from Docker's networks to it is
 * rejected in DOCKER-USER, the chain Docker evaluates first and never flushes. Rejected rather
 * than dropped, so a probe fails at once. Re-applied at every boot, after Docker creates the chain.
 */
export function metadataGuardScript(): string {
    const rule = shellWords("DOCKER-USER", "-d", `${METADATA_ADDRESS}/32`, "-j", "REJECT");
    return [
        "#!/usr/bin/env bash",
        `# Written by cloud-init from horizon; ${METADATA_GUARD_UNIT}.service runs it after Docker starts.`,
        "set -euo pipefail",
        "",
        `iptables -C ${rule} 2>/dev/null || iptables -I ${rule}`,
        "",
    ].join("\n");
}

export function metadataGuardFiles(): WriteFile[] {
    const unit = [
        "[Unit]",
        "Description=horizon: keep containers away from the droplet metadata service",
        "After=docker.service",
        "Requires=docker.service",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        `ExecStart=/usr/local/bin/${METADATA_GUARD_UNIT}`,
        "",
    ].join("\n");
    return [executableFile(`/usr/local/bin/${METADATA_GUARD_UNIT}`, metadataGuardScript()), unitFile(METADATA_GUARD_UNIT, unit)];
}

/** One `write_files` entry of cloud-init. */
export interface WriteFile {
    readonly path: string;
    readonly owner: string;
    readonly permissions: string;
    readonly content: string;
    /** Written in the final stage, after packages are installed (needed when a package owns the path). */
    readonly defer?: boolean;
}

/** A container that a oneshot systemd unit (re)creates at every boot. */
export interface ContainerService {
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
 * Cloud-init runs `write_files` early, `runcmd` after the packages are installed. Each
 * runcmd entry is a list so cloud-init executes it without a shell; runcmd does not stop at
 * a failed command, so anything with steps lives in a `set -e` script instead.
 */
export function renderCloudConfig(config: {
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

export function secretFile(path: string, content: string): WriteFile {
    return { path, owner: "root:root", permissions: "0600", content };
}

export function executableFile(path: string, content: string): WriteFile {
    return { path, owner: "root:root", permissions: "0755", content };
}

export function unitFile(unit: string, content: string): WriteFile {
    return { path: `/etc/systemd/system/${unit}.service`, owner: "root:root", permissions: "0644", content };
}

/**
 * Docker env-file format: one `KEY=value` per line, the value taken verbatim up to the end
 * of the line (no quoting, no escapes), so a value cannot span lines. Keys are sorted so
 * the same environment always renders the same user data and does not replace droplets.
 */
export function renderEnvFile(keyPath: string, env: Readonly<Record<string, string>>): string {
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

export function logOptions(keyPath: string, log: ContainerLogOptions | undefined): string[] {
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

export function containerServiceFiles(service: ContainerService): WriteFile[] {
    return [
        executableFile(`/usr/local/bin/${service.unit}`, renderContainerScript(service)),
        unitFile(service.unit, renderContainerUnit(service)),
    ];
}

/**
 * The start script pulls at every boot so a moved tag is picked up, yet falls back to the
 * image already on the droplet so a registry outage does not keep a rebooted replica down.
 */
export function renderContainerScript(service: ContainerService): string {
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
export function renderContainerUnit(service: ContainerService): string {
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

export function requireSingleLine(keyPath: string, value: string, medium: string): void {
    if (/[\r\n]/.test(value)) {
        throw new Error(
            `horizon:${keyPath}: the value contains a line break, which ${medium} cannot hold; put it on one line (base64-encode it if it must carry line breaks)`,
        );
    }
}

export function requireInteger(keyPath: string, value: number, min: number): void {
    if (!Number.isInteger(value) || value < min) {
        throw new Error(`horizon:${keyPath}: ${value} is not allowed; use a whole number of at least ${min}`);
    }
}

export function requirePort(keyPath: string, value: number): void {
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new Error(`horizon:${keyPath}: ${value} is not a TCP port; use a whole number from 1 to 65535`);
    }
}

export function requireImage(keyPath: string, image: string): void {
    if (!/^\S+$/.test(image)) {
        throw new Error(`horizon:${keyPath}: "${image}" is not an image reference; use one like "ghcr.io/acme/hits:1.4.2"`);
    }
}

export function requireTag(keyPath: string, tag: string): void {
    if (!IMAGE_TAG.test(tag)) {
        throw new Error(`horizon:${keyPath}: "${tag}" is not an image tag; use letters, digits, "_", "." and "-", for example "17"`);
    }
}
