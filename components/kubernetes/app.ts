import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { REPLICA_ID_VARIABLE } from "../core/env";
import { childName } from "../core/names";
import {
    type AutoscalingSpec,
    DEFAULT_KUBERNETES_RESOURCES,
    type DeploymentStrategy,
    type HealthCheck,
    type RegistryCredentials,
    type Resources,
} from "../core/spec";
import { kubernetesProbes } from "../render/healthCheck";
import { type Transform, transformChild } from "../transform";
import { checksum, cpuQuantity, memoryQuantity, type WorkloadLabels } from "./labels";
import { createLoadBalancerService, type LoadBalancerServiceArgs, loadBalancerAddress } from "./loadBalancerService";
import { disruptionBudget, ingressPolicy, workloadMetadata } from "./workload";

/** Seconds a terminating pod keeps serving, so the load balancer and HAProxy stop sending to it first. */
export const PRE_STOP_SLEEP_SECONDS = 15;
/** Seconds the app gets after the pre-stop sleep to finish in-flight requests before it is killed. */
export const SHUTDOWN_SECONDS = 30;
/** The HPA waits this long at a lower load before removing pods, so a short lull does not shed capacity. */
export const SCALE_DOWN_STABILIZATION_SECONDS = 300;
/** Name of the app container. */
export const APP_CONTAINER = "app";

/** Who may open connections to the app pods. */
export type AppIngress =
    /** Pods with these labels (the in-cluster HAProxy). */
    | { readonly pods: Readonly<Record<string, string>> }
    /** Address ranges (the load balancer's path through the nodes), or anywhere when empty. */
    | { readonly cidrs: readonly string[] };

export interface KubernetesAppArgs {
    readonly namespace: pulumi.Input<string>;
    /** Name of the Deployment and prefix of the other objects' names. */
    readonly objectName: string;
    readonly labels: WorkloadLabels;
    readonly image: string;
    readonly port: number;
    /** Values that may appear in the pod spec. */
    readonly env: Readonly<Record<string, string>>;
    /** Values that go into a Secret the container reads (`envFrom`). */
    readonly secretEnv: pulumi.Input<Record<string, string>>;
    readonly healthCheck: HealthCheck;
    /** Replicas when no autoscaler runs. */
    readonly replicas: number;
    /** A HorizontalPodAutoscaler owns the replica count when set. @default - fixed replicas */
    readonly autoscaling?: AutoscalingSpec;
    /** `rolling` (RollingUpdate, maxUnavailable 0) or `replace` (Recreate). @default "rolling" */
    readonly deploymentStrategy?: DeploymentStrategy;
    readonly maxSurge: number | string;
    readonly minReadySeconds: number;
    /** Seconds a rollout may take to make progress before Kubernetes (and Pulumi) fail it. */
    readonly readyTimeoutSeconds: number;
    /** Requests and limits. @default { cpu: 0.25, memoryMb: 256 } */
    readonly resources?: Resources;
    /** Private registry credentials, as an image pull Secret. @default - public image */
    readonly registry?: pulumi.Input<RegistryCredentials>;
    /** User id to run as, for images without a numeric non-root USER. @default - the image's */
    readonly runAsUser?: number;
    /** Who may connect to the app port. */
    readonly ingress: AppIngress;
    /**
     * A LoadBalancer Service in front of the pods; without it the pods get a headless Service
     * for DNS discovery (an in-cluster HAProxy sits in front instead). @default - headless
     */
    readonly loadBalancer?: Omit<LoadBalancerServiceArgs, "namespace" | "labels" | "selector" | "targetPort" | "containerPort" | "healthCheck" | "transform">;
    readonly transform?: {
        readonly secret?: Transform<k8s.core.v1.SecretArgs>;
        readonly deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
        readonly disruptionBudget?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
        readonly autoscaler?: Transform<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
        readonly service?: Transform<k8s.core.v1.ServiceArgs>;
        readonly networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    };
}

/**
 * The app's replicas on Kubernetes: a Secret for secret env values, a Deployment that rolls
 * one surge at a time without taking a ready pod away (maxUnavailable 0, minReadySeconds,
 * readiness/liveness/startup probes from `app.healthCheck`), restricted pods spread across
 * nodes, a PodDisruptionBudget, an optional HorizontalPodAutoscaler, a Service (LoadBalancer,
 * or headless behind HAProxy) and a NetworkPolicy admitting only the balancer path.
 */
export class KubernetesApp extends pulumi.ComponentResource {
    readonly secret: k8s.core.v1.Secret;
    readonly registrySecret?: k8s.core.v1.Secret;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly disruptionBudget: k8s.policy.v1.PodDisruptionBudget;
    readonly autoscaler?: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    readonly service: k8s.core.v1.Service;
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    /** `<service>.<namespace>.svc.cluster.local`: the headless Service's name for DNS discovery. */
    readonly serviceName: pulumi.Output<string>;
    /** The LoadBalancer's address, or "" behind HAProxy. */
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: KubernetesAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:kubernetes:KubernetesApp", name, {}, opts);
        this.secret = createEnvSecret(name, args, this);
        this.registrySecret = args.registry !== undefined ? createRegistrySecret(name, args, args.registry, this) : undefined;
        this.deployment = createDeployment(name, args, this.secret, this.registrySecret, this);
        this.disruptionBudget = disruptionBudget(name, args, this, args.transform?.disruptionBudget);
        this.autoscaler = args.autoscaling !== undefined ? createAutoscaler(name, args, args.autoscaling, this.deployment, this) : undefined;
        this.service = args.loadBalancer
            ? createLoadBalancerService(
                  childName(name, "service"),
                  {
                      ...args.loadBalancer,
                      namespace: args.namespace,
                      labels: { ...args.labels.labels },
                      selector: args.labels.selector,
                      targetPort: "http",
                      containerPort: args.port,
                      healthCheck: args.healthCheck,
                      ...(args.transform?.service ? { transform: args.transform.service } : {}),
                  },
                  this,
              )
            : createHeadlessService(name, args, this);
        this.networkPolicy = createNetworkPolicy(name, args, this);
        this.serviceName = pulumi.interpolate`${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local`;
        this.address = args.loadBalancer ? loadBalancerAddress(this.service) : pulumi.output("");
        this.registerOutputs({
            secret: this.secret,
            registrySecret: this.registrySecret,
            deployment: this.deployment,
            disruptionBudget: this.disruptionBudget,
            autoscaler: this.autoscaler,
            service: this.service,
            networkPolicy: this.networkPolicy,
            serviceName: this.serviceName,
            address: this.address,
        });
    }
}

function createEnvSecret(name: string, args: KubernetesAppArgs, parent: pulumi.Resource): k8s.core.v1.Secret {
    const [secretArgs, secretOpts] = transformChild<k8s.core.v1.SecretArgs, pulumi.CustomResourceOptions>(
        { metadata: workloadMetadata(args, "env"), type: "Opaque", stringData: pulumi.secret(args.secretEnv) },
        { parent },
        args.transform?.secret,
    );
    return new k8s.core.v1.Secret(childName(name, "env"), secretArgs, secretOpts);
}

function createRegistrySecret(
    name: string,
    args: KubernetesAppArgs,
    registry: pulumi.Input<RegistryCredentials>,
    parent: pulumi.Resource,
): k8s.core.v1.Secret {
    const dockerConfig = pulumi.output(registry).apply((r) =>
        JSON.stringify({
            auths: { [r.server]: { username: r.username, password: r.password, auth: Buffer.from(`${r.username}:${r.password}`).toString("base64") } },
        }),
    );
    return new k8s.core.v1.Secret(
        childName(name, "registry"),
        { metadata: workloadMetadata(args, "registry"), type: "kubernetes.io/dockerconfigjson", stringData: { ".dockerconfigjson": pulumi.secret(dockerConfig) } },
        { parent },
    );
}

/** Pod-level and container-level settings of Kubernetes' `restricted` Pod Security profile. */
export function restrictedSecurity(runAsUser?: number): {
    pod: k8s.types.input.core.v1.PodSecurityContext;
    container: k8s.types.input.core.v1.SecurityContext;
} {
    return {
        pod: { runAsNonRoot: true, ...(runAsUser !== undefined ? { runAsUser } : {}), seccompProfile: { type: "RuntimeDefault" } },
        container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    };
}

/** Spread a Deployment's pods (this revision's, by pod-template-hash) across nodes. */
export function spreadAcrossNodes(selector: Readonly<Record<string, string>>): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            // Prefer spreading, but never leave a pod unscheduled for it.
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { ...selector } },
            matchLabelKeys: ["pod-template-hash"],
        },
    ];
}

function createDeployment(
    name: string,
    args: KubernetesAppArgs,
    secret: k8s.core.v1.Secret,
    registrySecret: k8s.core.v1.Secret | undefined,
    parent: pulumi.Resource,
): k8s.apps.v1.Deployment {
    const resources = { ...DEFAULT_KUBERNETES_RESOURCES, ...args.resources };
    const quantities = { cpu: cpuQuantity(resources.cpu), memory: memoryQuantity(resources.memoryMb) };
    const probes = kubernetesProbes(args.healthCheck, args.port);
    const security = restrictedSecurity(args.runAsUser);
    const healthPort = args.healthCheck.port !== undefined && args.healthCheck.port !== args.port ? args.healthCheck.port : undefined;
    // The digest changes when a secret value does, which rolls the pods; it reveals nothing of the values.
    const envChecksum = pulumi.unsecret(pulumi.output(args.secretEnv).apply(checksum));
    const rolling = (args.deploymentStrategy ?? "rolling") === "rolling";
    const [deploymentArgs, deploymentOpts] = transformChild<k8s.apps.v1.DeploymentArgs, pulumi.CustomResourceOptions>(
        {
            metadata: {
                ...workloadMetadata(args, ""),
                // Pulumi waits this long for the rollout to become ready before failing the update.
                annotations: { "pulumi.com/timeoutSeconds": String(args.readyTimeoutSeconds) },
            },
            spec: {
                // With an autoscaler the HPA owns the count; a fixed value here would reset it on every update.
                ...(args.autoscaling === undefined ? { replicas: args.replicas } : {}),
                selector: { matchLabels: { ...args.labels.selector } },
                minReadySeconds: args.minReadySeconds,
                progressDeadlineSeconds: args.readyTimeoutSeconds,
                revisionHistoryLimit: 5,
                strategy: rolling
                    ? { type: "RollingUpdate", rollingUpdate: { maxSurge: args.maxSurge, maxUnavailable: 0 } }
                    : { type: "Recreate" },
                template: {
                    metadata: { labels: { ...args.labels.labels }, annotations: { "horizon/env-checksum": envChecksum } },
                    spec: {
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        securityContext: security.pod,
                        terminationGracePeriodSeconds: PRE_STOP_SLEEP_SECONDS + SHUTDOWN_SECONDS,
                        ...(registrySecret ? { imagePullSecrets: [{ name: registrySecret.metadata.name }] } : {}),
                        topologySpreadConstraints: spreadAcrossNodes(args.labels.selector),
                        containers: [
                            {
                                name: APP_CONTAINER,
                                image: args.image,
                                ports: [
                                    { name: "http", containerPort: args.port, protocol: "TCP" },
                                    ...(healthPort !== undefined ? [{ name: "health", containerPort: healthPort, protocol: "TCP" }] : []),
                                ],
                                env: [
                                    ...Object.entries(args.env).map(([envName, value]) => ({ name: envName, value })),
                                    { name: REPLICA_ID_VARIABLE, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                                ],
                                envFrom: [{ secretRef: { name: secret.metadata.name } }],
                                ...probes,
                                resources: { requests: quantities, limits: quantities },
                                // Keep serving while endpoints and HAProxy's DNS catch up with the pod's removal.
                                lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
                                securityContext: security.container,
                            },
                        ],
                    },
                },
            },
        },
        { parent },
        args.transform?.deployment,
    );
    return new k8s.apps.v1.Deployment(childName(name, "deployment"), deploymentArgs, deploymentOpts);
}

function createAutoscaler(
    name: string,
    args: KubernetesAppArgs,
    autoscaling: AutoscalingSpec,
    deployment: k8s.apps.v1.Deployment,
    parent: pulumi.Resource,
): k8s.autoscaling.v2.HorizontalPodAutoscaler {
    const [hpaArgs, hpaOpts] = transformChild<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs, pulumi.CustomResourceOptions>(
        {
            metadata: workloadMetadata(args, "hpa"),
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                minReplicas: autoscaling.minReplicas,
                maxReplicas: autoscaling.maxReplicas,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.cpuPercent } } }],
                behavior: {
                    scaleDown: {
                        stabilizationWindowSeconds: SCALE_DOWN_STABILIZATION_SECONDS,
                        policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
                    },
                },
            },
        },
        { parent },
        args.transform?.autoscaler,
    );
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(childName(name, "hpa"), hpaArgs, hpaOpts);
}

/** A headless Service: cluster DNS answers with every ready pod's address (HAProxy's discovery). */
function createHeadlessService(name: string, args: KubernetesAppArgs, parent: pulumi.Resource): k8s.core.v1.Service {
    const [serviceArgs, serviceOpts] = transformChild<k8s.core.v1.ServiceArgs, pulumi.CustomResourceOptions>(
        {
            metadata: workloadMetadata(args, ""),
            spec: {
                clusterIP: "None",
                selector: { ...args.labels.selector },
                ports: [{ name: "http", port: args.port, targetPort: "http", protocol: "TCP" }],
            },
        },
        { parent },
        args.transform?.service,
    );
    return new k8s.core.v1.Service(childName(name, "service"), serviceArgs, serviceOpts);
}

/** Admits the app port (and a separate health port) from the balancer path only. */
function createNetworkPolicy(name: string, args: KubernetesAppArgs, parent: pulumi.Resource): k8s.networking.v1.NetworkPolicy {
    const ports = [args.port, ...(args.healthCheck.port !== undefined && args.healthCheck.port !== args.port ? [args.healthCheck.port] : [])];
    const from =
        "pods" in args.ingress
            ? [{ podSelector: { matchLabels: { ...args.ingress.pods } } }]
            : args.ingress.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    return ingressPolicy(name, args, ports, from, parent, args.transform?.networkPolicy);
}
