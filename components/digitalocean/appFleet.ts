import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { HealthCheck } from "../core/spec";
import { DEFAULT_MAX_SURGE, DEFAULT_MIN_READY_SECONDS, DEFAULT_READY_TIMEOUT_SECONDS } from "../core/spec";
import { renderAppCloudInit } from "../render/cloudInit";
import { PORT_VARIABLE, REPLICA_ID_VARIABLE } from "../core/env";
import { childName } from "../core/names";
import { waveSize, waves } from "../core/rollout";
import { type Transform, transformChild } from "../transform";
import { egressRules, privateEgressRules, registryPort, sshRules, WEB_TCP_PORTS } from "./firewallRules";
import { HealthGate } from "./healthGate";

/**
 * With `gracefulShutdown` the provider powers a droplet off and waits for it before deleting it,
 * within the delete timeout, whose default (60 s) is shorter than a clean stop can take
 * (terraform-provider-digitalocean droplet/resource_droplet.go: `Timeouts.Delete`, and the
 * shutdown wait in resourceDigitalOceanDropletDelete).
 */
export const DROPLET_DELETE_TIMEOUT = "5m";

/** Ubuntu LTS, the image every droplet boots. */
export const DEFAULT_DROPLET_IMAGE = "ubuntu-24-04-x64";

/** The container every replica runs. */
export interface AppContainer {
    /** Image reference, e.g. `ghcr.io/acme/hits:1.4.2`. */
    readonly image: pulumi.Input<string>;
    /** Port the container listens on; the droplet publishes the same port. */
    readonly port: number;
    /** Environment for every replica; values may be secret Outputs. */
    readonly env: pulumi.Input<Record<string, pulumi.Input<string>>>;
    readonly healthCheck: HealthCheck;
    /** Private registry credentials; the password should be a secret. @default - public image */
    readonly registry?: { readonly server: string; readonly username: string; readonly password: pulumi.Input<string> };
    /** @default - no limits */
    readonly resources?: { readonly cpu?: number; readonly memoryMb?: number };
}

/** Who may reach the app port: the managed load balancer, or the HAProxy tier's tag. */
export interface TrafficSources {
    readonly loadBalancerUids?: pulumi.Input<pulumi.Input<string>[]>;
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface AppFleetArgs {
    readonly region: pulumi.Input<string>;
    readonly vpcUuid: pulumi.Input<string>;
    /** Droplet size slug. */
    readonly size: pulumi.Input<string>;
    /** Number of droplets, one replica each. */
    readonly replicas: number;
    readonly container: AppContainer;
    /** Replica `i` gets `HORIZON_REPLICA_ID=<replicaIdPrefix>-<i>`. @default - the component's name */
    readonly replicaIdPrefix?: string;
    /** The tag load balancers and database firewalls select this fleet by. */
    readonly fleetTag: pulumi.Input<string>;
    /** Sources admitted to the app port. */
    readonly trafficSources: TrafficSources;
    /** CIDRs admitted to SSH. @default [] (no SSH) */
    readonly adminCidrs?: readonly string[];
    /** SSH key fingerprints or ids. @default [] */
    readonly sshKeys?: pulumi.Input<pulumi.Input<string>[]>;
    /** Tags besides the fleet tag. @default [] */
    readonly tags?: readonly string[];
    /** @default "ubuntu-24-04-x64" */
    readonly image?: pulumi.Input<string>;
    /**
     * rolling: create droplets in waves, each gated on the previous wave's health (needs
     * `loadBalancerId`); replace: delete each droplet before creating its replacement.
     * @default "rolling"
     */
    readonly deploymentStrategy?: "rolling" | "replace";
    /** Droplets per wave: a count or a percentage of `replicas`, rounded up. @default "25%" */
    readonly maxSurge?: number | string;
    /** Seconds a wave must stay healthy. @default 10 */
    readonly minReadySeconds?: number;
    /** Seconds a wave may take to become healthy before the update fails. @default 600 */
    readonly readyTimeoutSeconds?: number;
    /** The load balancer whose health checks gate each wave. @default - no gates */
    readonly loadBalancerId?: pulumi.Input<string>;
    readonly transform?: {
        readonly droplet?: Transform<digitalocean.DropletArgs>;
        readonly firewall?: Transform<digitalocean.FirewallArgs>;
    };
}

/**
 * N droplets, each running one replica of the app container, behind a firewall that admits
 * the app port only from the load balancer (or HAProxy tier) and SSH only from admin CIDRs.
 */
export class AppFleet extends pulumi.ComponentResource {
    readonly droplets: digitalocean.Droplet[];
    readonly gates: HealthGate[];
    readonly firewall: digitalocean.Firewall;
    readonly dropletIds: pulumi.Output<string[]>;
    readonly publicIps: pulumi.Output<string[]>;
    readonly privateIps: pulumi.Output<string[]>;

    constructor(name: string, args: AppFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:AppFleet", name, {}, opts);
        const { droplets, gates } = createDroplets(name, args, this);
        this.droplets = droplets;
        this.gates = gates;
        this.firewall = createFirewall(name, args, this);
        this.dropletIds = pulumi.all(droplets.map((d) => d.id));
        this.publicIps = pulumi.all(droplets.map((d) => d.ipv4Address));
        this.privateIps = pulumi.all(droplets.map((d) => d.ipv4AddressPrivate));
        this.registerOutputs({
            droplets,
            gates,
            firewall: this.firewall,
            dropletIds: this.dropletIds,
            publicIps: this.publicIps,
            privateIps: this.privateIps,
        });
    }
}

/** What every replica's cloud-init shares, resolved once per fleet rather than once per droplet. */
type FleetContainerValues = pulumi.Output<[Record<string, string>, string, string | undefined]>;

function fleetContainerValues(container: AppContainer): FleetContainerValues {
    return pulumi.all([container.env, container.image, container.registry?.password]) as FleetContainerValues;
}

/** Cloud-init for replica `index`: the app env plus the replica's own id. */
function replicaUserData(replicaId: string, container: AppContainer, values: FleetContainerValues): pulumi.Output<string> {
    return values.apply(([env, image, password]) =>
        renderAppCloudInit({
            image,
            containerPort: container.port,
            hostPort: container.port,
            // PORT tells the app where to listen (the sample app and most frameworks read it); the user's env may override it.
            env: { [PORT_VARIABLE]: String(container.port), ...env, [REPLICA_ID_VARIABLE]: replicaId },
            healthCheck: container.healthCheck,
            ...(container.registry !== undefined && password !== undefined
                ? { registry: { server: container.registry.server, username: container.registry.username, password } }
                : {}),
            ...(container.resources?.memoryMb !== undefined ? { memoryMb: container.resources.memoryMb } : {}),
            ...(container.resources?.cpu !== undefined ? { cpus: container.resources.cpu } : {}),
        }),
    );
}

function createDroplets(
    name: string,
    args: AppFleetArgs,
    parent: pulumi.Resource,
): { droplets: digitalocean.Droplet[]; gates: HealthGate[] } {
    const strategy = args.deploymentStrategy ?? "rolling";
    const gated = strategy === "rolling" && args.loadBalancerId !== undefined;
    const plan = gated
        ? waves(args.replicas, waveSize(args.replicas, args.maxSurge ?? DEFAULT_MAX_SURGE))
        : [Array.from({ length: args.replicas }, (_, i) => i)];
    const droplets: digitalocean.Droplet[] = [];
    const gates: HealthGate[] = [];
    const values = fleetContainerValues(args.container);
    plan.forEach((wave, w) => {
        const previousGate = gates[w - 1];
        const waveDroplets = wave.map((i) => createDroplet(name, i, args, strategy, previousGate, values, parent));
        droplets.push(...waveDroplets);
        if (gated && args.loadBalancerId !== undefined) {
            gates.push(
                new HealthGate(
                    childName(name, `gate-${w}`),
                    {
                        loadBalancerId: args.loadBalancerId,
                        dropletIds: waveDroplets.map((d) => d.id),
                        fleetTag: args.fleetTag,
                        minReadySeconds: args.minReadySeconds ?? DEFAULT_MIN_READY_SECONDS,
                        readyTimeoutSeconds: args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS,
                    },
                    { parent, dependsOn: waveDroplets },
                ),
            );
        }
    });
    return { droplets, gates };
}

function createDroplet(
    name: string,
    index: number,
    args: AppFleetArgs,
    strategy: "rolling" | "replace",
    previousGate: HealthGate | undefined,
    values: FleetContainerValues,
    parent: pulumi.Resource,
): digitalocean.Droplet {
    const dropletName = childName(name, `droplet-${index}`);
    const [dropletArgs, dropletOpts] = transformChild<digitalocean.DropletArgs, pulumi.CustomResourceOptions>(
        {
            name: dropletName,
            region: args.region,
            size: args.size,
            image: args.image ?? DEFAULT_DROPLET_IMAGE,
            vpcUuid: args.vpcUuid,
            monitoring: true,
            // Shut down cleanly before deletion: in-flight requests drain and Postgres checkpoints.
            gracefulShutdown: true,
            sshKeys: args.sshKeys ?? [],
            tags: [...(args.tags ?? []), args.fleetTag],
            userData: replicaUserData(`${args.replicaIdPrefix ?? name}-${index}`, args.container, values),
        },
        {
            parent,
            customTimeouts: { delete: DROPLET_DELETE_TIMEOUT },
            deleteBeforeReplace: strategy === "replace",
            ...(previousGate !== undefined ? { dependsOn: [previousGate] } : {}),
        },
        args.transform?.droplet,
    );
    return new digitalocean.Droplet(dropletName, dropletArgs, dropletOpts);
}

/** Egress the replicas need to any address: DNS, NTP, package and image downloads. */
export const FLEET_EGRESS_TCP_PORTS = [...WEB_TCP_PORTS];
/** Egress to the data services, which only ever sit on private addresses: a data droplet's Postgres and Valkey, managed clusters. */
export const FLEET_DATA_TCP_PORTS = ["5432", "6379", "25060-25061"];

/**
 * The droplet firewall's rules, exact: app port from the traffic sources, SSH from admin CIDRs;
 * egress to the web, to the data services over private addresses, and to a registry on a port
 * of its own (`registry.example.com:5000`), which would otherwise be unreachable.
 */
export function fleetFirewallRules(
    appPort: number,
    sources: TrafficSources,
    adminCidrs: readonly string[],
    registryServer?: string,
): Pick<digitalocean.FirewallArgs, "inboundRules" | "outboundRules"> {
    const inboundRules: digitalocean.types.input.FirewallInboundRule[] = [
        {
            protocol: "tcp",
            portRange: String(appPort),
            ...(sources.loadBalancerUids !== undefined ? { sourceLoadBalancerUids: sources.loadBalancerUids } : {}),
            ...(sources.tags !== undefined ? { sourceTags: sources.tags } : {}),
        },
        ...sshRules(adminCidrs),
    ];
    const registry = registryPort(registryServer);
    return {
        inboundRules,
        outboundRules: [...egressRules([...FLEET_EGRESS_TCP_PORTS, ...(registry !== undefined ? [registry] : [])]), ...privateEgressRules(FLEET_DATA_TCP_PORTS)],
    };
}

function createFirewall(name: string, args: AppFleetArgs, parent: pulumi.Resource): digitalocean.Firewall {
    const [fwArgs, fwOpts] = transformChild<digitalocean.FirewallArgs, pulumi.CustomResourceOptions>(
        {
            name: childName(name, "fw"),
            tags: [args.fleetTag],
            ...fleetFirewallRules(args.container.port, args.trafficSources, args.adminCidrs ?? [], args.container.registry?.server),
        },
        { parent },
        args.transform?.firewall,
    );
    return new digitalocean.Firewall(childName(name, "fw"), fwArgs, fwOpts);
}
