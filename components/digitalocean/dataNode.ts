import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_CACHE, DEFAULT_DATABASE } from "../core/spec";
import {
    DEFAULT_POSTGRES_PORT as POSTGRES_PORT,
    DEFAULT_VALKEY_PORT as VALKEY_PORT,
    renderDataCloudInit,
} from "../render/cloudInit";
import { childName, toTag } from "../core/names";
import { valkeyEvictionPolicy } from "../render/dataServices";
import { type Transform, transformChild } from "../transform";
import { DEFAULT_DROPLET_IMAGE, DROPLET_DELETE_TIMEOUT } from "./appFleet";
import { egressRules, sshRules, WEB_TCP_PORTS } from "./firewallRules";

export const DEFAULT_DATA_NODE_SIZE = "s-1vcpu-2gb";

export interface DataNodeArgs {
    readonly region: pulumi.Input<string>;
    readonly vpcUuid: pulumi.Input<string>;
    /** Droplets with this tag, and only they, may connect. */
    readonly trustedTag: pulumi.Input<string>;
    /** Run Postgres. @default - no Postgres */
    readonly postgres?: { readonly version?: string; readonly databaseName?: string; readonly userName?: string };
    /** Run Valkey. @default - no Valkey */
    readonly valkey?: { readonly version?: string; readonly evictionPolicy?: string };
    /** Volume holding the data, in GiB. @default 10 */
    readonly volumeSizeGb?: pulumi.Input<number>;
    /** @default "s-1vcpu-2gb" */
    readonly size?: pulumi.Input<string>;
    /** CIDRs admitted to SSH. @default [] */
    readonly adminCidrs?: readonly string[];
    /** @default [] */
    readonly sshKeys?: pulumi.Input<pulumi.Input<string>[]>;
    /** @default [] */
    readonly tags?: readonly string[];
    /** `protect` and `retainOnDelete` on the volume. @default false */
    readonly protect?: boolean;
    readonly transform?: {
        readonly droplet?: Transform<digitalocean.DropletArgs>;
        readonly volume?: Transform<digitalocean.VolumeArgs>;
        readonly firewall?: Transform<digitalocean.FirewallArgs>;
    };
}

/**
 * One droplet per region running Postgres and/or Valkey containers on a DigitalOcean volume:
 * the cheap data tier for staging and short-lived stacks. Reachable only from the fleet tag.
 */
export class DataNode extends pulumi.ComponentResource {
    readonly volume: digitalocean.Volume;
    readonly droplet: digitalocean.Droplet;
    readonly firewall: digitalocean.Firewall;
    readonly postgresPassword?: random.RandomPassword;
    readonly valkeyPassword?: random.RandomPassword;
    /** `postgresql://...` over the VPC. Secret. */
    readonly databaseUrl?: pulumi.Output<string>;
    /** `redis://...` over the VPC. Secret. */
    readonly redisUrl?: pulumi.Output<string>;
    readonly privateIp: pulumi.Output<string>;

    constructor(name: string, args: DataNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:DataNode", name, {}, opts);
        if (args.postgres === undefined && args.valkey === undefined) {
            throw new pulumi.ResourceError(`DataNode ${name}: nothing to run; pass postgres, valkey or both`, this);
        }
        this.postgresPassword = args.postgres !== undefined ? createPassword(childName(name, "pg-password"), this) : undefined;
        this.valkeyPassword = args.valkey !== undefined ? createPassword(childName(name, "cache-password"), this) : undefined;
        this.volume = createVolume(name, args, this);
        this.droplet = createDroplet(name, args, this.volume, this.postgresPassword, this.valkeyPassword, this);
        this.firewall = createFirewall(name, args, this.droplet, this);
        this.privateIp = this.droplet.ipv4AddressPrivate;
        const user = args.postgres?.userName ?? DEFAULT_DATABASE.user;
        const database = args.postgres?.databaseName ?? DEFAULT_DATABASE.name;
        this.databaseUrl = this.postgresPassword
            ? pulumi.secret(
                  pulumi.interpolate`postgresql://${user}:${this.postgresPassword.result}@${this.privateIp}:${POSTGRES_PORT}/${database}`,
              )
            : undefined;
        this.redisUrl = this.valkeyPassword
            ? pulumi.secret(pulumi.interpolate`redis://default:${this.valkeyPassword.result}@${this.privateIp}:${VALKEY_PORT}`)
            : undefined;
        this.registerOutputs({
            volume: this.volume,
            droplet: this.droplet,
            firewall: this.firewall,
            databaseUrl: this.databaseUrl,
            redisUrl: this.redisUrl,
            privateIp: this.privateIp,
        });
    }
}

function createPassword(name: string, parent: pulumi.Resource): random.RandomPassword {
    // Letters and digits only, so the password needs no escaping inside a URL.
    return new random.RandomPassword(name, { length: 32, special: false }, { parent });
}

function createVolume(name: string, args: DataNodeArgs, parent: pulumi.Resource): digitalocean.Volume {
    const protect = args.protect === true;
    const [volumeArgs, volumeOpts] = transformChild<digitalocean.VolumeArgs, pulumi.CustomResourceOptions>(
        {
            // No fixed name: volume names are unique per region, and stacks may share a config.
            region: args.region,
            size: args.volumeSizeGb ?? DEFAULT_DATABASE.volumeSizeGb,
            description: `horizon data for ${name}`,
            tags: [...(args.tags ?? [])],
        },
        { parent, protect, retainOnDelete: protect },
        args.transform?.volume,
    );
    return new digitalocean.Volume(childName(name, "volume"), volumeArgs, volumeOpts);
}

function createDroplet(
    name: string,
    args: DataNodeArgs,
    volume: digitalocean.Volume,
    postgresPassword: random.RandomPassword | undefined,
    valkeyPassword: random.RandomPassword | undefined,
    parent: pulumi.Resource,
): digitalocean.Droplet {
    const userData = pulumi
        .all([volume.name, postgresPassword?.result, valkeyPassword?.result])
        .apply(([volumeName, pgPassword, cachePassword]) =>
            renderDataCloudInit({
                volumeName,
                ...(args.postgres !== undefined && pgPassword !== undefined
                    ? {
                          postgres: {
                              version: args.postgres.version ?? DEFAULT_DATABASE.version,
                              database: args.postgres.databaseName ?? DEFAULT_DATABASE.name,
                              user: args.postgres.userName ?? DEFAULT_DATABASE.user,
                              password: pgPassword,
                              port: POSTGRES_PORT,
                          },
                      }
                    : {}),
                ...(args.valkey !== undefined && cachePassword !== undefined
                    ? {
                          valkey: {
                              version: args.valkey.version ?? DEFAULT_CACHE.version,
                              password: cachePassword,
                              evictionPolicy: valkeyEvictionPolicy(args.valkey.evictionPolicy ?? DEFAULT_CACHE.evictionPolicy),
                              port: VALKEY_PORT,
                          },
                      }
                    : {}),
            }),
        );
    const [dropletArgs, dropletOpts] = transformChild<digitalocean.DropletArgs, pulumi.CustomResourceOptions>(
        {
            name: childName(name, "droplet"),
            region: args.region,
            size: args.size ?? DEFAULT_DATA_NODE_SIZE,
            image: DEFAULT_DROPLET_IMAGE,
            vpcUuid: args.vpcUuid,
            monitoring: true,
            // Shut down cleanly before deletion: in-flight requests drain and Postgres checkpoints.
            gracefulShutdown: true,
            sshKeys: args.sshKeys ?? [],
            tags: pulumi.output(args.trustedTag).apply((tag) => [...(args.tags ?? []), toTag(`${tag}-data`)]),
            // Attached at creation so the volume is there when cloud-init mounts it.
            volumeIds: [volume.id],
            userData: pulumi.secret(userData),
        },
        // A volume attaches to one droplet at a time: the old droplet must go before its replacement boots.
        { parent, deleteBeforeReplace: true, customTimeouts: { delete: DROPLET_DELETE_TIMEOUT } },
        args.transform?.droplet,
    );
    return new digitalocean.Droplet(childName(name, "droplet"), dropletArgs, dropletOpts);
}

function createFirewall(
    name: string,
    args: DataNodeArgs,
    droplet: digitalocean.Droplet,
    parent: pulumi.Resource,
): digitalocean.Firewall {
    const inboundRules: digitalocean.types.input.FirewallInboundRule[] = [];
    if (args.postgres !== undefined) {
        inboundRules.push({ protocol: "tcp", portRange: String(POSTGRES_PORT), sourceTags: [args.trustedTag] });
    }
    if (args.valkey !== undefined) {
        inboundRules.push({ protocol: "tcp", portRange: String(VALKEY_PORT), sourceTags: [args.trustedTag] });
    }
    inboundRules.push(...sshRules(args.adminCidrs));
    const [fwArgs, fwOpts] = transformChild<digitalocean.FirewallArgs, pulumi.CustomResourceOptions>(
        {
            name: childName(name, "fw"),
            dropletIds: [droplet.id.apply(Number)],
            inboundRules,
            outboundRules: egressRules(WEB_TCP_PORTS),
        },
        { parent },
        args.transform?.firewall,
    );
    return new digitalocean.Firewall(childName(name, "fw"), fwArgs, fwOpts);
}
