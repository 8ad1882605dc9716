import type * as digitalocean from "@pulumi/digitalocean";

export const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** Package and image downloads. */
export const WEB_TCP_PORTS = ["80", "443"];

/** Egress every droplet needs: the given TCP ports, DNS, NTP and ICMP, to any address. */
export function egressRules(tcpPorts: readonly string[]): digitalocean.types.input.FirewallOutboundRule[] {
    return [
        ...tcpPorts.map((portRange) => ({ protocol: "tcp", portRange, destinationAddresses: ANYWHERE })),
        { protocol: "udp", portRange: "53", destinationAddresses: ANYWHERE },
        { protocol: "udp", portRange: "123", destinationAddresses: ANYWHERE },
        { protocol: "icmp", destinationAddresses: ANYWHERE },
    ];
}

/** RFC 1918: every VPC range DigitalOcean accepts lies inside these (openapi vpcs/models/vpc.yml `ip_range`). */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** TCP egress to private addresses only: data services reached over the VPC or a peering. */
export function privateEgressRules(tcpPorts: readonly string[]): digitalocean.types.input.FirewallOutboundRule[] {
    return tcpPorts.map((portRange) => ({ protocol: "tcp", portRange, destinationAddresses: PRIVATE_RANGES }));
}

/** The port of a registry host written `host:port`, when it is not the HTTPS default. */
export function registryPort(server: string | undefined): string | undefined {
    const port = server?.match(/:(\d+)$/)?.[1];
    return port !== undefined && port !== "443" ? port : undefined;
}

/** SSH from the admin CIDRs; no rule at all when there are none. */
export function sshRules(adminCidrs: readonly string[] | undefined): digitalocean.types.input.FirewallInboundRule[] {
    return adminCidrs !== undefined && adminCidrs.length > 0
        ? [{ protocol: "tcp", portRange: "22", sourceAddresses: [...adminCidrs] }]
        : [];
}
