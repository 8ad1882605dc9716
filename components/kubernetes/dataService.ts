import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import type { DataContainer } from "../render/dataServices";
import { type Transform, transformChild } from "../transform";
import { restrictedSecurity } from "./app";
import { cpuQuantity, memoryQuantity, type WorkloadLabels } from "./labels";
import { ingressPolicy, workloadMetadata } from "./workload";

/** The official Postgres and Valkey images both run their server as uid/gid 999. */
export const DATA_RUN_AS_USER = 999;
/** DigitalOcean's CSI driver's storage class on DOKS. */
export const DEFAULT_STORAGE_CLASS = "do-block-storage";

export interface DataServiceArgs {
    readonly namespace: pulumi.Input<string>;
    /** Name of the StatefulSet, its headless Service and Secret. */
    readonly objectName: string;
    readonly labels: WorkloadLabels;
    /**
     * The container for a password, from `postgresContainer()` / `valkeyContainer()`. The pod
     * spec is built from it with a stand-in password (only names and paths are read from
     * that), the Secret with the real one, so the spec stays plain and the plan can show it.
     */
    readonly container: (password: string) => DataContainer;
    /** The service's password (secret). */
    readonly password: pulumi.Input<string>;
    readonly volumeSizeGb: number;
    /** Requests and limits of the container. */
    readonly resources: { readonly cpu: number; readonly memoryMb: number };
    /** @default "do-block-storage" */
    readonly storageClassName?: string;
    /** Pods that may connect (the app). */
    readonly clients: Readonly<Record<string, string>>;
    /** Keep the volume when the StatefulSet is deleted or scaled down. @default true */
    readonly retainVolume?: boolean;
    readonly transform?: {
        readonly statefulSet?: Transform<k8s.apps.v1.StatefulSetArgs>;
    };
}

/**
 * One data service (Postgres or Valkey) as a StatefulSet of one pod: the container defined
 * once in `render/dataServices.ts`, its credentials and secret files in a Secret, its data on
 * a volume claim, exec probes from its health command, a headless Service giving it a stable
 * DNS name, and a NetworkPolicy admitting only the app.
 */
export class DataService extends pulumi.ComponentResource {
    readonly secret: k8s.core.v1.Secret;
    readonly statefulSet: k8s.apps.v1.StatefulSet;
    readonly service: k8s.core.v1.Service;
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    /** `<name>.<namespace>.svc.cluster.local`. */
    readonly host: pulumi.Output<string>;
    /** The service's password. Secret. */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: DataServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:kubernetes:DataService", name, {}, opts);
        const shape = args.container(STAND_IN_PASSWORD);
        this.secret = createSecret(name, args, this);
        this.service = createService(name, args, shape, this);
        this.statefulSet = createStatefulSet(name, args, shape, this.secret, this.service, this);
        this.networkPolicy = ingressPolicy(name, args, [shape.port], [{ podSelector: { matchLabels: { ...args.clients } } }], this);
        this.host = pulumi.interpolate`${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local`;
        this.password = pulumi.secret(args.password);
        this.registerOutputs({
            password: this.password,
            secret: this.secret,
            statefulSet: this.statefulSet,
            service: this.service,
            networkPolicy: this.networkPolicy,
            host: this.host,
        });
    }
}

/** Builds the container's shape only; never stored or sent anywhere. */
const STAND_IN_PASSWORD = "stand-in";

/** A Secret key for a file path (`/data/valkey.conf` -> `file-valkey.conf`). */
function fileKey(file: string): string {
    return `file-${path.posix.basename(file)}`;
}

function createSecret(name: string, args: DataServiceArgs, parent: pulumi.Resource): k8s.core.v1.Secret {
    const stringData = pulumi.secret(
        pulumi.output(args.password).apply((password) => args.container(password)).apply((c) => ({
            ...c.secretEnv,
            ...Object.fromEntries(c.files.map((file) => [fileKey(file.path), file.content])),
        })),
    );
    return new k8s.core.v1.Secret(
        childName(name, "secret"),
        { metadata: workloadMetadata(args, "secret"), type: "Opaque", stringData },
        { parent },
    );
}

function createService(name: string, args: DataServiceArgs, shape: DataContainer, parent: pulumi.Resource): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        childName(name, "service"),
        {
            metadata: { name: args.objectName, namespace: args.namespace, labels: { ...args.labels.labels } },
            spec: {
                clusterIP: "None",
                selector: { ...args.labels.selector },
                ports: [{ name: "data", port: shape.port, targetPort: "data", protocol: "TCP" }],
            },
        },
        { parent },
    );
}

function createStatefulSet(
    name: string,
    args: DataServiceArgs,
    c: DataContainer,
    secret: k8s.core.v1.Secret,
    service: k8s.core.v1.Service,
    parent: pulumi.Resource,
): k8s.apps.v1.StatefulSet {
    const security = restrictedSecurity(DATA_RUN_AS_USER);
    const retain = args.retainVolume ?? true;
    const quantities = { cpu: cpuQuantity(args.resources.cpu), memory: memoryQuantity(args.resources.memoryMb) };
    // Postgres refuses a data directory with anything in it, and a fresh ext4 volume holds
    // lost+found; mounting the volume one level up leaves the data directory for initdb to create.
    const volumeMount = c.service === "postgres" && path.posix.dirname(c.dataDir) !== "/" ? path.posix.dirname(c.dataDir) : c.dataDir;
    const probe = {
        exec: { command: ["/bin/sh", "-c", c.health.command] },
        periodSeconds: c.health.intervalSeconds,
        timeoutSeconds: c.health.timeoutSeconds,
        failureThreshold: c.health.retries,
    };
    const spec: k8s.types.input.apps.v1.StatefulSetSpec = {
        serviceName: service.metadata.name,
        replicas: 1,
        selector: { matchLabels: { ...args.labels.selector } },
        persistentVolumeClaimRetentionPolicy: retain ? { whenDeleted: "Retain", whenScaled: "Retain" } : { whenDeleted: "Delete", whenScaled: "Delete" },
        template: {
            metadata: { labels: { ...args.labels.labels } },
            spec: {
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: { ...security.pod, runAsGroup: DATA_RUN_AS_USER, fsGroup: DATA_RUN_AS_USER },
                terminationGracePeriodSeconds: c.stopTimeoutSeconds,
                containers: [
                    {
                        name: c.service,
                        image: c.image,
                        ...(c.command.length > 0 ? { args: [...c.command] } : {}),
                        ports: [{ name: "data", containerPort: c.port, protocol: "TCP" }],
                        env: [
                            ...Object.entries(c.env).map(([envName, value]) => ({ name: envName, value })),
                            ...Object.keys(c.secretEnv).map((envName) => ({
                                name: envName,
                                valueFrom: { secretKeyRef: { name: secret.metadata.name, key: envName } },
                            })),
                        ],
                        readinessProbe: { ...probe, successThreshold: 1 },
                        livenessProbe: { ...probe, successThreshold: 1 },
                        resources: { requests: quantities, limits: quantities },
                    startupProbe: {
                            ...probe,
                            successThreshold: 1,
                            failureThreshold: Math.max(1, Math.ceil(c.health.startPeriodSeconds / c.health.intervalSeconds)),
                        },
                        volumeMounts: [
                            { name: "data", mountPath: volumeMount },
                            ...c.files.map((file) => ({ name: "files", mountPath: file.path, subPath: fileKey(file.path), readOnly: true })),
                            ...(c.shmSizeMb !== undefined ? [{ name: "shm", mountPath: "/dev/shm" }] : []),
                        ],
                        securityContext: security.container,
                    },
                ],
                volumes: [
                    ...(c.files.length > 0
                        ? [{ name: "files", secret: { secretName: secret.metadata.name, items: c.files.map((f) => ({ key: fileKey(f.path), path: fileKey(f.path) })) } }]
                        : []),
                    ...(c.shmSizeMb !== undefined ? [{ name: "shm", emptyDir: { medium: "Memory", sizeLimit: memoryQuantity(c.shmSizeMb) } }] : []),
                ],
            },
        },
        volumeClaimTemplates: [
            {
                metadata: { name: "data", labels: { ...args.labels.labels } },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
                    resources: { requests: { storage: `${args.volumeSizeGb}Gi` } },
                },
            },
        ],
    };
    const [setArgs, setOpts] = transformChild<k8s.apps.v1.StatefulSetArgs, pulumi.CustomResourceOptions>(
        { metadata: { name: args.objectName, namespace: args.namespace, labels: { ...args.labels.labels } }, spec },
        { parent },
        args.transform?.statefulSet,
    );
    return new k8s.apps.v1.StatefulSet(childName(name, "statefulset"), setArgs, setOpts);
}
