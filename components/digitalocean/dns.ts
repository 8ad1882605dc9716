import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../core/names";

export interface DnsRecordSpec {
    /** Fully qualified host name, e.g. `us.api.example.com`. */
    readonly fqdn: string;
    /** IPv4 address the name points at. */
    readonly ip: pulumi.Input<string>;
}

export interface DnsArgs {
    readonly records: readonly DnsRecordSpec[];
    /**
     * DNS zones managed in DigitalOcean. A record goes into the longest zone that ends its
     * name. @default - the last two labels of each name (`example.com`)
     */
    readonly zones?: readonly string[];
    /** @default 300 */
    readonly ttl?: number;
}

export const DEFAULT_DNS_TTL = 300;

/** Splits a host name into its DigitalOcean zone and the record name inside it (`@` at the apex). */
export function splitDomain(fqdn: string, zones: readonly string[] = []): { zone: string; name: string } {
    const zone =
        [...zones].sort((a, b) => b.length - a.length).find((z) => fqdn === z || fqdn.endsWith(`.${z}`)) ??
        fqdn.split(".").slice(-2).join(".");
    const name = fqdn === zone ? "@" : fqdn.slice(0, -(zone.length + 1));
    return { zone, name };
}

/** A records pointing host names at load balancers, in zones managed in DigitalOcean. */
export class Dns extends pulumi.ComponentResource {
    readonly records: digitalocean.DnsRecord[];

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("horizon:digitalocean:Dns", name, {}, opts);
        this.records = args.records.map((record) => {
            const { zone, name: recordName } = splitDomain(record.fqdn, args.zones);
            return new digitalocean.DnsRecord(
                childName(name, `a-${record.fqdn}`),
                { domain: zone, name: recordName, type: "A", value: record.ip, ttl: args.ttl ?? DEFAULT_DNS_TTL },
                { parent: this },
            );
        });
        this.registerOutputs({ records: this.records });
    }
}
