import * as digitalocean from "@pulumi/digitalocean";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";
import { DEFAULT_KUBERNETES_CLUSTER, type KubernetesClusterSpec } from "../core/spec";
import { type Transform, transformChild } from "../transform";

export interface ClusterArgs {
    /** `doks` creates a DigitalOcean Kubernetes cluster; `existing` connects to one. */
    readonly mode: KubernetesClusterSpec["mode"];
    /** DigitalOcean region slug (doks). */
    readonly region: pulumi.Input<string>;
    /** The region's VPC, which the cluster's nodes join (doks). @default - the region's default VPC */
    readonly vpcUuid?: pulumi.Input<string>;
    /** Cluster settings from the stack (`kubernetes.cluster`). */
    readonly settings: KubernetesClusterSpec;
    /** A kubeconfig for an existing cluster; made secret here. @default - settings.kubeconfig */
    readonly kubeconfig?: pulumi.Input<string>;
    /** Tags on the cluster and its nodes. @default [] */
    readonly tags?: readonly string[];
    /** Tag every node of the pool carries (the node droplets take the pool's tags). */
    readonly nodeTag: string;
    readonly transform?: {
        readonly cluster?: Transform<digitalocean.KubernetesClusterArgs>;
        readonly provider?: Transform<k8s.ProviderArgs>;
    };
}

/** Name of the DOKS node pool horizon creates. */
export const NODE_POOL_NAME = "horizon";

/**
 * The cluster a region's workloads run on, and the Kubernetes provider that reaches it.
 *
 * `doks`: a DigitalOcean Kubernetes cluster in the region's VPC, at the newest patch release
 * of the requested minor version, with an autoscaling node pool, auto and surge upgrades in a
 * maintenance window, and explicit pod and service ranges. The provider reads its kubeconfig
 * (`kubeConfigs[0].rawConfig`), kept secret.
 *
 * `existing`: no cloud resource; the provider uses the stack's kubeconfig (secret) or a
 * context of the local kubeconfig.
 */
export class Cluster extends pulumi.ComponentResource {
    /** The DOKS cluster (doks mode). */
    readonly cluster?: digitalocean.KubernetesCluster;
    readonly provider: k8s.Provider;
    /** The DOKS cluster's id, which database firewalls trust (doks, or an existing DOKS cluster). */
    readonly clusterId?: pulumi.Output<string>;
    /** The version slug DOKS runs, e.g. `1.34.1-do.0` (doks). */
    readonly version?: pulumi.Output<string>;
    /** The cluster's kubeconfig (doks). Secret. */
    readonly kubeconfig?: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:kubernetes:Cluster", name, {}, opts);
        if (args.mode === "doks") {
            this.version = resolveVersion(args.settings.version, this);
            this.cluster = createDoksCluster(name, args, this.version, this);
            this.clusterId = this.cluster.id;
            this.kubeconfig = pulumi.secret(this.cluster.kubeConfigs.apply((configs) => configs?.[0]?.rawConfig ?? ""));
            this.provider = createProvider(name, { kubeconfig: this.kubeconfig }, args.transform?.provider, this);
        } else {
            const kubeconfig = args.kubeconfig ?? args.settings.kubeconfig;
            this.provider = createProvider(
                name,
                {
                    ...(kubeconfig !== undefined ? { kubeconfig: pulumi.secret(kubeconfig) } : {}),
                    ...(args.settings.context !== undefined ? { context: args.settings.context } : {}),
                },
                args.transform?.provider,
                this,
            );
            this.clusterId = args.settings.doksClusterId !== undefined ? pulumi.output(args.settings.doksClusterId) : undefined;
        }
        this.registerOutputs({
            cluster: this.cluster,
            provider: this.provider,
            clusterId: this.clusterId,
            version: this.version,
            kubeconfig: this.kubeconfig,
        });
    }
}

/** The newest DOKS release of a minor version (`1.34` -> `1.34.1-do.0`). */
function resolveVersion(minor: string, parent: pulumi.Resource): pulumi.Output<string> {
    return digitalocean
        .getKubernetesVersionsOutput({ versionPrefix: `${minor}.` }, { parent })
        .apply((versions) => {
            if (versions.latestVersion === "") {
                throw new pulumi.ResourceError(
                    `horizon:kubernetes.cluster.version: DigitalOcean offers no Kubernetes ${minor} release (it offers ${versions.validVersions.join(", ") || "none with this prefix"}); choose a minor version it lists`,
                    parent,
                );
            }
            return versions.latestVersion;
        });
}

function createDoksCluster(
    name: string,
    args: ClusterArgs,
    version: pulumi.Output<string>,
    parent: pulumi.Resource,
): digitalocean.KubernetesCluster {
    const settings = args.settings;
    const tags = [...(args.tags ?? [])];
    const [clusterArgs, clusterOpts] = transformChild<digitalocean.KubernetesClusterArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name: Pulumi adds a suffix, so a copy of a stack gets its own cluster.
            region: args.region,
            version,
            ...(args.vpcUuid !== undefined ? { vpcUuid: args.vpcUuid } : {}),
            ha: settings.ha,
            autoUpgrade: settings.autoUpgrade,
            surgeUpgrade: settings.surgeUpgrade,
            maintenancePolicy: { day: settings.maintenanceWindow.day, startTime: settings.maintenanceWindow.startTime },
            clusterSubnet: settings.clusterSubnet ?? DEFAULT_KUBERNETES_CLUSTER.clusterSubnet,
            serviceSubnet: settings.serviceSubnet ?? DEFAULT_KUBERNETES_CLUSTER.serviceSubnet,
            nodePool: {
                name: NODE_POOL_NAME,
                size: settings.nodePool.size,
                autoScale: true,
                minNodes: settings.nodePool.minNodes,
                maxNodes: settings.nodePool.maxNodes,
                tags: [...tags, args.nodeTag],
            },
            tags,
        },
        // The kubeconfig holds a bearer token; the SDK itself marks `kubeConfigs` a secret output.
        { parent },
        args.transform?.cluster,
    );
    return new digitalocean.KubernetesCluster(childName(name, "doks"), clusterArgs, clusterOpts);
}

function createProvider(
    name: string,
    providerArgs: k8s.ProviderArgs,
    transform: Transform<k8s.ProviderArgs> | undefined,
    parent: pulumi.Resource,
): k8s.Provider {
    const [args, opts] = transformChild<k8s.ProviderArgs, pulumi.CustomResourceOptions>(
        {
            ...providerArgs,
            // Server-side apply leaves fields other managers own alone (the CCM's load-balancer-id annotation, the HPA's replicas).
            enableServerSideApply: true,
            // Update Secrets and ConfigMaps in place: by default the provider replaces them on a data
            // change, and a fixed name means delete first, leaving pods without them for a moment.
            // Pods still roll, through the checksum annotations on their templates.
            enableSecretMutable: true,
            enableConfigMapMutable: true,
        },
        { parent },
        transform,
    );
    return new k8s.Provider(childName(name, "provider"), args, opts);
}
