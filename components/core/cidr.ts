/** IPv4 address ranges, as VPCs, pod and service subnets are written: `10.10.0.0/20`. */

/** An IPv4 CIDR as [first, last] addresses (unsigned 32-bit), or undefined for anything else (IPv6 included). */
export function ipv4Range(cidr: string): [number, number] | undefined {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (match === null) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const bits = Number(match[5]);
    if (octets.some((o) => o > 255) || bits > 32) {
        return undefined;
    }
    const address = octets.reduce((sum, o) => sum * 256 + o, 0);
    const size = 2 ** (32 - bits);
    const first = Math.floor(address / size) * size;
    return [first, first + size - 1];
}

/** Whether two IPv4 CIDRs share any address; false when either is not an IPv4 CIDR. */
export function cidrsOverlap(a: string, b: string): boolean {
    const x = ipv4Range(a);
    const y = ipv4Range(b);
    return x !== undefined && y !== undefined && x[0] <= y[1] && y[0] <= x[1];
}

/** Whether every address of `inner` lies in `outer`; false when either is not an IPv4 CIDR. */
export function cidrWithin(inner: string, outer: string): boolean {
    const x = ipv4Range(inner);
    const y = ipv4Range(outer);
    return x !== undefined && y !== undefined && x[0] >= y[0] && x[1] <= y[1];
}
