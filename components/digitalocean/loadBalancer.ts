import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { HealthCheck } from "../core/spec";
import { DEFAULT_LB_SIZE_UNIT } from "../core/spec";
import { childName } from "../core/names";
import { doLoadBalancerCheck } from "../render/healthCheck";
import { type Transform, transformChild } from "../transform";

export interface LoadBalancerArgs {
    readonly region: pulumi.Input<string>;
    readonly vpcUuid: pulumi.Input<string>;
    /** Droplets carrying this tag receive traffic. */
    readonly dropletTag: pulumi.Input<string>;
    /** Port the droplets serve on. */
    readonly targetPort: pulumi.Input<number>;
    /** Carried field by field into the load balancer's health check. */
    readonly healthCheck: HealthCheck;
    /** Managed load balancer size units. @default 1 */
    readonly sizeUnit?: pulumi.Input<number>;
    /** Cookie stickiness. @default - none */
    readonly stickySessions?: { readonly cookieName: string; readonly ttlSeconds: number };
    /**
     * Serve https on 443 with a Let's Encrypt certificate for these domains (which must be
     * managed in DigitalOcean DNS). @default - http only
     */
    readonly https?: { readonly domains: readonly string[]; readonly redirectHttp: boolean };
    readonly transform?: {
        readonly loadBalancer?: Transform<digitalocean.LoadBalancerArgs>;
        readonly certificate?: Transform<digitalocean.CertificateArgs>;
    };
}

/**
 * DigitalOcean's managed regional load balancer in front of a tagged fleet. DigitalOcean always
 * round-robins (its `algorithm` field is deprecated and ignored); other algorithms put an
 * `HaproxyTier` behind this load balancer.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    readonly loadBalancer: digitalocean.LoadBalancer;
    readonly certificate?: digitalocean.Certificate;
    readonly id: pulumi.Output<string>;
    readonly ip: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:LoadBalancer", name, {}, opts);
        this.certificate = args.https !== undefined ? createCertificate(name, args, this) : undefined;
        this.loadBalancer = createLoadBalancer(name, args, this.certificate, this);
        this.id = this.loadBalancer.id;
        this.ip = this.loadBalancer.ip;
        const domain = args.https?.domains[0];
        this.url = domain !== undefined ? pulumi.output(`https://${domain}`) : pulumi.interpolate`http://${this.loadBalancer.ip}`;
        this.registerOutputs({ loadBalancer: this.loadBalancer, certificate: this.certificate, id: this.id, ip: this.ip, url: this.url });
    }
}

/** The load balancer's health check, field by field from the spec. */
export function loadBalancerHealthcheck(
    check: HealthCheck,
    targetPort: pulumi.Input<number>,
): digitalocean.types.input.LoadBalancerHealthcheck {
    return doLoadBalancerCheck(check, targetPort);
}

function createCertificate(name: string, args: LoadBalancerArgs, parent: pulumi.Resource): digitalocean.Certificate {
    const [certArgs, certOpts] = transformChild<digitalocean.CertificateArgs, pulumi.CustomResourceOptions>(
        // No fixed name: a changed domain list replaces the certificate, and the new one is
        // created before the old is deleted, so the two must not share a name.
        { type: "lets_encrypt", domains: [...(args.https?.domains ?? [])] },
        { parent },
        args.transform?.certificate,
    );
    return new digitalocean.Certificate(childName(name, "cert"), certArgs, certOpts);
}

function createLoadBalancer(
    name: string,
    args: LoadBalancerArgs,
    certificate: digitalocean.Certificate | undefined,
    parent: pulumi.Resource,
): digitalocean.LoadBalancer {
    const forwardingRules: digitalocean.types.input.LoadBalancerForwardingRule[] = [
        { entryProtocol: "http", entryPort: 80, targetProtocol: "http", targetPort: args.targetPort },
    ];
    if (certificate !== undefined) {
        forwardingRules.push({
            entryProtocol: "https",
            entryPort: 443,
            targetProtocol: "http",
            targetPort: args.targetPort,
            certificateName: certificate.name,
        });
    }
    const [lbArgs, lbOpts] = transformChild<digitalocean.LoadBalancerArgs, pulumi.CustomResourceOptions>(
        {
            type: "REGIONAL",
            region: args.region,
            vpcUuid: args.vpcUuid,
            dropletTag: args.dropletTag,
            sizeUnit: args.sizeUnit ?? DEFAULT_LB_SIZE_UNIT,
            forwardingRules,
            healthcheck: loadBalancerHealthcheck(args.healthCheck, args.targetPort),
            redirectHttpToHttps: args.https?.redirectHttp ?? false,
            // Otherwise DigitalOcean points the certificate's apex domain at this load balancer
            // (openapi load_balancer_base.yml `disable_lets_encrypt_dns_records`); horizon writes
            // exactly the records the stack names.
            ...(certificate !== undefined ? { disableLetsEncryptDnsRecords: true } : {}),
            enableBackendKeepalive: true,
            ...(args.stickySessions !== undefined
                ? {
                      stickySessions: {
                          type: "cookies",
                          cookieName: args.stickySessions.cookieName,
                          cookieTtlSeconds: args.stickySessions.ttlSeconds,
                      },
                  }
                : {}),
        },
        { parent },
        args.transform?.loadBalancer,
    );
    return new digitalocean.LoadBalancer(childName(name, "balancer"), lbArgs, lbOpts);
}
