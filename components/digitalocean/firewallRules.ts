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

/** SSH from the admin CIDRs; no rule at all when there are none. */
export function sshRules(adminCidrs: readonly string[] | undefined): digitalocean.types.input.FirewallInboundRule[] {
    return adminCidrs !== undefined && adminCidrs.length > 0
        ? [{ protocol: "tcp", portRange: "22", sourceAddresses: [...adminCidrs] }]
        : [];
}
