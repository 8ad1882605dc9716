import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import type { Algorithm, HealthCheck, StickySessions } from "../core/spec";
import { HAPROXY_MONITOR_URI } from "../render/haproxy";
import { type Transform, transformChild } from "../transform";
import { restrictedSecurity, spreadAcrossNodes } from "./app";
import { type HaproxyDiscovery, renderDiscoveryHaproxyConfig } from "./haproxyConfig";
import { checksum, type WorkloadLabels } from "./labels";
import { createLoadBalancerService, type LoadBalancerServiceArgs, loadBalancerAddress } from "./loadBalancerService";
import { disruptionBudget, ingressPolicy, workloadMetadata } from "./workload";

/** Port HAProxy listens on inside its pods (unprivileged, so it runs as non-root). */
export const HAPROXY_POD_PORT = 8080;
export const DEFAULT_HAPROXY_IMAGE = "haproxy:3.0";
export const DEFAULT_HAPROXY_REPLICAS = 2;
/** HAProxy reads only its config and binds an unprivileged port, so any non-root user works. */
export const HAPROXY_RUN_AS_USER = 99;
const CONFIG_DIR = "/usr/local/etc/haproxy";

export interface InClusterHaproxyArgs {
    readonly namespace: pulumi.Input<string>;
    /** Prefix of the objects' names. */
    readonly objectName: string;
    readonly labels: WorkloadLabels;
    readonly algorithm: Algorithm;
    /** The app's health check, which HAProxy runs against every pod. */
    readonly healthCheck: HealthCheck;
    readonly stickySessions?: StickySessions;
    /** Pods ramp up over this many seconds after they come up (`slowstart`). */
    readonly minReadySeconds: number;
    /** The app pods, found through cluster DNS. */
    readonly discovery: { readonly service: pulumi.Input<string>; readonly port: number; readonly slots: number };
    /** Who may connect to HAProxy (the load balancer's path through the nodes), anywhere when empty. */
    readonly sourceCidrs: readonly string[];
    /** @default 2 */
    readonly replicas?: number;
    /** @default "haproxy:3.0" */
    readonly image?: string;
    readonly loadBalancer: Omit<LoadBalancerServiceArgs, "namespace" | "labels" | "selector" | "targetPort" | "containerPort" | "healthCheck" | "transform" | "stickySessions">;
    readonly transform?: {
        readonly configMap?: Transform<k8s.core.v1.ConfigMapArgs>;
        readonly deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
        readonly service?: Transform<k8s.core.v1.ServiceArgs>;
    };
}

/**
 * HAProxy inside the cluster, for the algorithms DigitalOcean's load balancer lacks
 * (least_connections, source, random): a ConfigMap rendered by the shared renderer with DNS
 * discovery of the app pods, a Deployment of two restricted pods spread over nodes, a
 * PodDisruptionBudget, a NetworkPolicy and the LoadBalancer Service, which checks HAProxy's
 * monitor URI (it fails when HAProxy sees no healthy pod).
 */
export class InClusterHaproxy extends pulumi.ComponentResource {
    readonly configMap: k8s.core.v1.ConfigMap;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly disruptionBudget: k8s.policy.v1.PodDisruptionBudget;
    readonly networkPolicy: k8s.networking.v1.NetworkPolicy;
    readonly service: k8s.core.v1.Service;
    /** The rendered haproxy.cfg. */
    readonly config: pulumi.Output<string>;
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: InClusterHaproxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:kubernetes:InClusterHaproxy", name, {}, opts);
        this.config = renderConfig(args);
        this.configMap = createConfigMap(name, args, this.config, this);
        this.deployment = createDeployment(name, args, this.configMap, this.config, this);
        this.disruptionBudget = disruptionBudget(name, args, this);
        this.networkPolicy = ingressPolicy(name, args, [HAPROXY_POD_PORT], args.sourceCidrs.map((cidr) => ({ ipBlock: { cidr } })), this);
        this.service = createLoadBalancerService(
            childName(name, "service"),
            {
                ...args.loadBalancer,
                namespace: args.namespace,
                labels: { ...args.labels.labels },
                selector: args.labels.selector,
                targetPort: "http",
                containerPort: HAPROXY_POD_PORT,
                // The load balancer checks HAProxy itself; HAProxy checks the pods and pins sessions.
                healthCheck: { ...args.healthCheck, protocol: "http", path: HAPROXY_MONITOR_URI, port: undefined },
                ...(args.transform?.service ? { transform: args.transform.service } : {}),
            },
            this,
        );
        this.address = loadBalancerAddress(this.service);
        this.registerOutputs({
            configMap: this.configMap,
            deployment: this.deployment,
            disruptionBudget: this.disruptionBudget,
            networkPolicy: this.networkPolicy,
            service: this.service,
            config: this.config,
            address: this.address,
        });
    }
}

function renderConfig(args: InClusterHaproxyArgs): pulumi.Output<string> {
    return pulumi.output(args.discovery.service).apply((service) => {
        // The pod's resolv.conf names the cluster DNS, whatever address a cluster gives it.
        const discovery: HaproxyDiscovery = { service, port: args.discovery.port, slots: args.discovery.slots, resolver: {} };
        return renderDiscoveryHaproxyConfig({
            listenPort: HAPROXY_POD_PORT,
            algorithm: args.algorithm,
            healthCheck: args.healthCheck,
            ...(args.stickySessions ? { stickySessions: args.stickySessions } : {}),
            minReadySeconds: args.minReadySeconds,
            discovery,
        });
    });
}

function createConfigMap(name: string, args: InClusterHaproxyArgs, config: pulumi.Output<string>, parent: pulumi.Resource): k8s.core.v1.ConfigMap {
    const [mapArgs, mapOpts] = transformChild<k8s.core.v1.ConfigMapArgs, pulumi.CustomResourceOptions>(
        {
            metadata: workloadMetadata(args, "config"),
            data: { "haproxy.cfg": config },
        },
        { parent },
        args.transform?.configMap,
    );
    return new k8s.core.v1.ConfigMap(childName(name, "config"), mapArgs, mapOpts);
}

function createDeployment(
    name: string,
    args: InClusterHaproxyArgs,
    configMap: k8s.core.v1.ConfigMap,
    config: pulumi.Output<string>,
    parent: pulumi.Resource,
): k8s.apps.v1.Deployment {
    const security = restrictedSecurity(HAPROXY_RUN_AS_USER);
    const probe = {
        httpGet: { path: HAPROXY_MONITOR_URI, port: "http", scheme: "HTTP" },
        periodSeconds: args.healthCheck.intervalSeconds,
        timeoutSeconds: args.healthCheck.timeoutSeconds,
    };
    const [deploymentArgs, deploymentOpts] = transformChild<k8s.apps.v1.DeploymentArgs, pulumi.CustomResourceOptions>(
        {
            metadata: { name: args.objectName, namespace: args.namespace, labels: { ...args.labels.labels } },
            spec: {
                replicas: args.replicas ?? DEFAULT_HAPROXY_REPLICAS,
                selector: { matchLabels: { ...args.labels.selector } },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: {
                    metadata: {
                        labels: { ...args.labels.labels },
                        // A new config rolls the pods (a ConfigMap change alone does not).
                        annotations: { "horizon/config-checksum": config.apply((text) => checksum({ "haproxy.cfg": text })) },
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        securityContext: security.pod,
                        topologySpreadConstraints: spreadAcrossNodes(args.labels.selector),
                        containers: [
                            {
                                name: "haproxy",
                                image: args.image ?? DEFAULT_HAPROXY_IMAGE,
                                args: ["-f", `${CONFIG_DIR}/haproxy.cfg`],
                                ports: [{ name: "http", containerPort: HAPROXY_POD_PORT, protocol: "TCP" }],
                                // Ready only while HAProxy sees a healthy app pod (its monitor URI says so).
                                readinessProbe: { ...probe, successThreshold: 1, failureThreshold: args.healthCheck.unhealthyThreshold },
                                livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                                resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                                volumeMounts: [{ name: "config", mountPath: CONFIG_DIR, readOnly: true }],
                                securityContext: { ...security.container, readOnlyRootFilesystem: true },
                            },
                        ],
                        volumes: [{ name: "config", configMap: { name: configMap.metadata.name } }],
                    },
                },
            },
        },
        { parent },
        args.transform?.deployment,
    );
    return new k8s.apps.v1.Deployment(childName(name, "deployment"), deploymentArgs, deploymentOpts);
}
