import { type HaproxyConfigInput, renderHaproxyConfig } from "../render/haproxy";

/**
 * haproxy.cfg for the in-cluster HAProxy, which finds the app pods through cluster DNS (a
 * headless Service answers with every ready pod) instead of a fixed server list, so a
 * rollout or an autoscaler changes the backends without a reload. The shared renderer
 * (`render/haproxy.ts`) writes it, with the same `server-template` + `resolvers` discovery the
 * Docker platform's tests run for real; here only the cluster's defaults are chosen.
 */

/** DNS discovery of the backends, as `render/haproxy.ts` takes it. */
export interface HaproxyDiscovery {
    /** Name every ready backend resolves under, e.g. `hits.hits.svc.cluster.local`. */
    readonly service: string;
    readonly port: number;
    /** Server slots HAProxy keeps; at least the most pods the backend ever has. */
    readonly slots: number;
    /**
     * `nameserver`: the DNS server's address. Left out, HAProxy reads the nameservers from
     * /etc/resolv.conf (`parse-resolv-conf`): in a pod that is the cluster's DNS Service,
     * whatever address the cluster gave it.
     */
    readonly resolver: { readonly nameserver?: string; readonly holdValidSeconds?: number };
}

export type DiscoveryHaproxyInput = Omit<HaproxyConfigInput, "servers" | "discovery"> & { readonly discovery: HaproxyDiscovery };

/** Seconds a DNS answer stays valid before HAProxy asks again. */
export const DEFAULT_HOLD_VALID_SECONDS = 10;
/** Prefix of the template's server names (`app1`, `app2`, ...). */
export const SERVER_TEMPLATE_PREFIX = "pod";

export function renderDiscoveryHaproxyConfig(input: DiscoveryHaproxyInput): string {
    const { discovery, ...rest } = input;
    const problems = validateDiscovery(discovery);
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    const configured = discovery.resolver.nameserver;
    return renderHaproxyConfig({
        ...rest,
        servers: [],
        discovery: {
            name: SERVER_TEMPLATE_PREFIX,
            service: discovery.service,
            port: discovery.port,
            slots: discovery.slots,
            resolver: {
                ...(configured !== undefined ? { nameserver: configured.includes(":") ? configured : `${configured}:53` } : {}),
                holdValidSeconds: discovery.resolver.holdValidSeconds ?? DEFAULT_HOLD_VALID_SECONDS,
            },
        },
    });
}

function validateDiscovery(discovery: HaproxyDiscovery): string[] {
    const problems: string[] = [];
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(discovery.service)) {
        problems.push(`discovery.service: ${JSON.stringify(discovery.service)} is not a DNS name (expected e.g. hits.hits.svc.cluster.local)`);
    }
    if (!Number.isInteger(discovery.port) || discovery.port < 1 || discovery.port > 65535) {
        problems.push(`discovery.port: ${discovery.port} is not a port (expected 1-65535)`);
    }
    if (!Number.isInteger(discovery.slots) || discovery.slots < 1 || discovery.slots > 1000) {
        problems.push(`discovery.slots: ${discovery.slots} is out of range (expected an integer in 1-1000)`);
    }
    if (discovery.resolver.nameserver !== undefined && !/^[0-9a-fA-F.:[\]]+$/.test(discovery.resolver.nameserver)) {
        problems.push(`discovery.resolver.nameserver: ${JSON.stringify(discovery.resolver.nameserver)} is not an address (expected an IP, optionally with :port)`);
    }
    return problems;
}
