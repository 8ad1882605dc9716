import { type HaproxyConfigInput, renderHaproxyConfig } from "../render/haproxy";

/**
 * haproxy.cfg for the in-cluster HAProxy, which finds the app pods through cluster DNS (a
 * headless Service answers with every ready pod) instead of a fixed server list, so a
 * rollout or an autoscaler changes the backends without a reload.
 *
 * The shared renderer (`render/haproxy.ts`) writes every other line. Its `discovery` input
 * (`server-template` + `resolvers`) has the shape of `HaproxyDiscovery` below; until the
 * renderer takes it, `withDiscovery` swaps the one placeholder server line for those
 * directives. That swap is the only code here: once the renderer has `discovery`, this
 * function becomes `renderHaproxyConfig({ ...input, discovery })`.
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
const RESOLVERS = "cluster";
const PLACEHOLDER = "discovery-placeholder";

export function renderDiscoveryHaproxyConfig(input: DiscoveryHaproxyInput): string {
    const { discovery, ...rest } = input;
    const problems = validateDiscovery(discovery);
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    const config = renderHaproxyConfig({ ...rest, servers: [{ name: PLACEHOLDER, host: "127.0.0.1", port: discovery.port }] });
    return withDiscovery(config, input);
}

function withDiscovery(config: string, input: DiscoveryHaproxyInput): string {
    const { discovery, stickySessions } = input;
    const lines = config.split("\n");
    const at = lines.findIndex((line) => line.trimStart().startsWith(`server ${PLACEHOLDER} `));
    if (at < 0) {
        throw new Error("render/haproxy.ts no longer writes one server line per server; wire `discovery` into the renderer instead");
    }
    const configured = discovery.resolver.nameserver;
    const nameserver =
        configured === undefined ? "    parse-resolv-conf" : `    nameserver dns ${configured.includes(":") ? configured : `${configured}:53`}`;
    const holdValid = discovery.resolver.holdValidSeconds ?? DEFAULT_HOLD_VALID_SECONDS;
    const serverTemplate = [
        `    server-template ${SERVER_TEMPLATE_PREFIX} ${discovery.slots} ${discovery.service}:${discovery.port}`,
        `resolvers ${RESOLVERS}`,
        // Pods that are not resolved yet stay in maintenance instead of failing the start-up.
        "init-addr none",
    ].join(" ");
    const backend: string[] = [serverTemplate];
    if (stickySessions) {
        // Template servers have no fixed names to put in a cookie; `dynamic` derives each
        // server's cookie from its address and this key.
        const cookieLine = lines.findIndex((line) => line.trimStart().startsWith("cookie "));
        lines[cookieLine] = `${lines[cookieLine]} dynamic`;
        backend.unshift(`    dynamic-cookie-key ${stickySessions.cookieName}`);
        lines[at] = lines[at].replace(/ cookie \S+$/, "");
    }
    lines.splice(at, 1, ...backend);
    const resolvers = [
        `resolvers ${RESOLVERS}`,
        nameserver,
        `    hold valid ${holdValid}s`,
        // A headless Service with many pods answers with more records than 512 bytes hold.
        "    accepted_payload_size 8192",
        "",
    ];
    const defaultsAt = lines.findIndex((line) => line === "defaults");
    lines.splice(defaultsAt, 0, ...resolvers);
    return lines.join("\n");
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
