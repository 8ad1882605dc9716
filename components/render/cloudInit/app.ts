import { DEFAULT_HEALTH_START_PERIOD_SECONDS, dockerHealthCheck, dockerHealthFlags } from "../healthCheck";
import { shellWords } from "../shell";
import {
    type ContainerLogOptions,
    type ContainerService,
    containerServiceFiles,
    REGISTRY_PASSWORD_FILE,
    type RegistryCredentials,
    logOptions,
    METADATA_GUARD_UNIT,
    metadataGuardFiles,
    renderCloudConfig,
    renderEnvFile,
    requireImage,
    requireInteger,
    requirePort,
    requireSingleLine,
    secretFile,
} from "./common";

/** Name of the app container on a replica droplet. */
export const DEFAULT_APP_CONTAINER_NAME = "app";

/** Seconds Docker waits after SIGTERM before it kills the app container. */
export const DEFAULT_APP_STOP_TIMEOUT_SECONDS = 30;

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

const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const APP_ENV_FILE = "/etc/horizon/app.env";

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
        // The app starts only once containers cannot read the user data from the metadata service.
        requires: [`${METADATA_GUARD_UNIT}.service`],
    };
    return renderCloudConfig({
        packages: ["docker.io"],
        writeFiles: [
            secretFile(APP_ENV_FILE, renderEnvFile("app.env", input.env)),
            ...(input.registry === undefined ? [] : [secretFile(REGISTRY_PASSWORD_FILE, input.registry.password)]),
            ...metadataGuardFiles(),
            ...containerServiceFiles(service),
        ],
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", `${service.unit}.service`],
        ],
    });
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
    return dockerHealthFlags(dockerHealthCheck(healthCheck, containerPort, startPeriodSeconds));
}
