import { projectEnvironment } from "../components/core/names";

/**
 * horizon's policy rules as plain functions over plain data, so one definition runs in two
 * places: inside the CrossGuard pack (`pulumi preview --policy-pack policy`, see ./pack.ts)
 * and offline on the plan's inventory (`npm run plan -- --policy`, see tools/plan/policy.ts).
 */

/** Stands in for a secret value: rules never see one. */
export const SECRET = "[secret]";
/** Stands in for a value the cloud computes and a preview cannot know (e.g. a new VPC's id). */
export const UNKNOWN = "[unknown]";

export type Level = "mandatory" | "advisory";

/** One resource as a rule sees it. */
export interface PolicyResource {
    /** Pulumi type token, e.g. `digitalocean:index/droplet:Droplet`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** Inputs, with secret values replaced by `SECRET` and unknown ones by `UNKNOWN`. */
    readonly inputs: Record<string, unknown>;
    readonly protect: boolean;
    /** Names of the resources each input refers to by id, e.g. `{ clusterId: ["hits-us-east-pg"] }`. */
    readonly refs: Readonly<Record<string, readonly string[]>>;
}

export interface StackContext {
    readonly stack: string;
    /** Production stacks hold their stateful resources to `protect` and their apps to more than one replica. */
    readonly production: boolean;
}

/** What a rule found, before it is tied to the rule's id and level. */
export interface Finding {
    readonly resource: PolicyResource;
    readonly message: string;
}

interface RuleBase {
    /** Stable id, used in waivers and as the CrossGuard policy name. */
    readonly id: string;
    /** What the rule checks, ending with the published checks it mirrors. */
    readonly description: string;
    /** Published checks this rule mirrors (`CKV_DIO_2`, `AVD-DIG-0004`, cnspec uids), or `horizon`. */
    readonly sources: readonly string[];
    readonly level: Level;
    /** How to fix a violation, in horizon's terms. */
    readonly fix: string;
}

/** A rule that needs one resource only. */
export interface ResourceRule extends RuleBase {
    readonly scope: "resource";
    /** Type tokens it applies to; every type when absent. */
    readonly types?: readonly string[];
    /** One message per problem found. */
    check(resource: PolicyResource): string[];
}

/** A rule that compares resources with each other or needs to know the stack. */
export interface StackRule extends RuleBase {
    readonly scope: "stack";
    check(resources: readonly PolicyResource[], context: StackContext): Finding[];
}

export type Rule = ResourceRule | StackRule;

export const TYPES = {
    droplet: "digitalocean:index/droplet:Droplet",
    firewall: "digitalocean:index/firewall:Firewall",
    loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
    databaseCluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    volume: "digitalocean:index/volume:Volume",
    vpc: "digitalocean:index/vpc:Vpc",
    project: "digitalocean:index/project:Project",
    kubernetesCluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    dockerContainer: "docker:index/container:Container",
} as const;

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);
const SSH_PORT = 22;
/**
 * cnspec's list (MySQL, PostgreSQL, MongoDB, Redis, Kafka, Elasticsearch) plus DigitalOcean's
 * managed database ports: 25060 (Postgres, Valkey) and 25061 (the connection pooler).
 */
const DATABASE_PORTS = [3306, 5432, 6379, 9092, 9200, 27017, 25060, 25061];
/** What a replica must reach on the internet: image registries and packages, DNS, time, ping. */
const WORLD_EGRESS_NEEDED: { protocol: string; ports: number[] }[] = [
    { protocol: "tcp", ports: [80, 443] },
    { protocol: "udp", ports: [53, 123] },
];

const CKV = (id: string) => `Checkov ${id}`;
const AVD = (id: string) => `Trivy ${id}`;
const CNSPEC = (uid: string) => `cnspec mondoo-digitalocean-security-${uid}`;

// ---- small readers over untyped inputs ----

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

function records(value: unknown): Record<string, unknown>[] {
    return list(value).filter(isRecord);
}

function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

/** Set, or computed by the cloud (a preview only knows it will be set). */
function isSet(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

/** `22`, `8000-9000`, `all`, `1-65535` or absent (ICMP) as an inclusive range. */
function portRange(value: unknown): [number, number] {
    const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
    if (text === "" || text === "all" || text === "0") {
        return [1, 65535];
    }
    const [low, high = low] = text.split("-").map((p) => Number.parseInt(p, 10));
    return [low, high];
}

function covers(range: [number, number], port: number): boolean {
    return range[0] <= port && port <= range[1];
}

function describeRule(rule: Record<string, unknown>): string {
    const ports = rule.portRange === undefined ? "" : ` ${String(rule.portRange)}`;
    return `${String(rule.protocol ?? "any")}${ports}`;
}

/** Inbound rules of a firewall that any address on the internet may use. */
function worldInbound(firewall: PolicyResource): Record<string, unknown>[] {
    return records(firewall.inputs.inboundRules).filter((rule) => strings(rule.sourceAddresses).some((a) => ANYWHERE.has(a)));
}

function protocolCarriesPorts(rule: Record<string, unknown>): boolean {
    return rule.protocol === "tcp" || rule.protocol === "udp";
}

function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
    return resources.filter((r) => r.type === type);
}

/** Firewalls that apply to a droplet: by one of its tags or by its id. */
function firewallsOf(droplet: PolicyResource, firewalls: readonly PolicyResource[]): PolicyResource[] {
    const tags = new Set(strings(droplet.inputs.tags));
    return firewalls.filter((fw) => strings(fw.inputs.tags).some((t) => tags.has(t)) || (fw.refs.dropletIds ?? []).includes(droplet.name));
}

// ---- the rules ----

const dropletSshKeys: StackRule = {
    id: "droplet-ssh-keys",
    scope: "stack",
    description:
        "A droplet that a firewall lets SSH reach logs in with SSH keys, not a root password. A droplet no firewall opens port 22 on has no login to protect, so it may go without keys. Mirrors CKV_DIO_2 and AVD-DIG-0004, narrowed to reachable SSH.",
    sources: [CKV("CKV_DIO_2"), AVD("AVD-DIG-0004")],
    level: "mandatory",
    fix: "List SSH key fingerprints or ids in `horizon:sshKeys`, or remove `horizon:adminCidrs` so no firewall admits SSH.",
    check(resources) {
        const firewalls = ofType(resources, TYPES.firewall);
        return ofType(resources, TYPES.droplet)
            .filter((droplet) => list(droplet.inputs.sshKeys).length === 0)
            .flatMap((droplet) => {
                const sshOpen = firewallsOf(droplet, firewalls).filter((fw) =>
                    records(fw.inputs.inboundRules).some((rule) => rule.protocol === "tcp" && covers(portRange(rule.portRange), SSH_PORT)),
                );
                return sshOpen.length === 0
                    ? []
                    : [{ resource: droplet, message: `no SSH keys, yet firewall ${sshOpen.map((fw) => fw.name).join(", ")} admits SSH (tcp 22)` }];
            });
    },
};

const dropletInVpc: ResourceRule = {
    id: "droplet-in-vpc",
    scope: "resource",
    types: [TYPES.droplet],
    description: "Every droplet sits in a VPC (`vpcUuid` set), so private traffic stays off the shared network. Mirrors cnspec droplet-in-vpc.",
    sources: [CNSPEC("droplet-in-vpc")],
    level: "mandatory",
    fix: "Create the droplet with the region's VPC: set `vpcUuid` (horizon's AppFleet and DataNode do this; a transform must not remove it).",
    check(droplet) {
        return isSet(droplet.inputs.vpcUuid) ? [] : ["`vpcUuid` is not set: the droplet is outside any VPC"];
    },
};

const dropletFirewallCoverage: StackRule = {
    id: "droplet-firewall-coverage",
    scope: "stack",
    description: "Every droplet is covered by a Cloud Firewall, by one of its tags or by its id. Mirrors cnspec droplet-firewall-coverage.",
    sources: [CNSPEC("droplet-firewall-coverage")],
    level: "mandatory",
    fix: "Give the droplet the tag its fleet firewall targets (the `<app>-<stack>-<region>-fleet` tag), or list it in a firewall's `dropletIds`.",
    check(resources) {
        const firewalls = ofType(resources, TYPES.firewall);
        return ofType(resources, TYPES.droplet)
            .filter((droplet) => firewallsOf(droplet, firewalls).length === 0)
            .map((droplet) => ({
                resource: droplet,
                message: `no firewall covers it (tags: ${strings(droplet.inputs.tags).join(", ") || "none"})`,
            }));
    },
};

const firewallNoPublicIngress: ResourceRule = {
    id: "firewall-no-public-ingress",
    scope: "resource",
    types: [TYPES.firewall],
    description:
        "No droplet firewall admits traffic from the whole internet (0.0.0.0/0 or ::/0): the load balancer is the only public entry, and droplets admit its traffic by `sourceLoadBalancerUids`. SSH and database ports have rules of their own. Mirrors AVD-DIG-0001 and CKV_DIO_4.",
    sources: [AVD("AVD-DIG-0001"), CKV("CKV_DIO_4")],
    level: "mandatory",
    fix: "Admit the app port from the load balancer only (`sourceLoadBalancerUids`), and other traffic from named CIDRs, tags or droplets.",
    check(firewall) {
        return worldInbound(firewall)
            .filter((rule) => {
                const range = portRange(rule.portRange);
                const special = protocolCarriesPorts(rule) && [SSH_PORT, ...DATABASE_PORTS].some((p) => covers(range, p));
                return !(rule.protocol === "tcp" && special);
            })
            .map((rule) => `inbound ${describeRule(rule)} is open to ${strings(rule.sourceAddresses).filter((a) => ANYWHERE.has(a)).join(", ")}`);
    },
};

const firewallNoPublicSsh: ResourceRule = {
    id: "firewall-no-public-ssh",
    scope: "resource",
    types: [TYPES.firewall],
    description: "No firewall admits SSH (tcp 22) from the whole internet. Mirrors cnspec firewall-no-unrestricted-ssh.",
    sources: [CNSPEC("firewall-no-unrestricted-ssh")],
    level: "mandatory",
    fix: "List only your administrators' networks in `horizon:adminCidrs` (never 0.0.0.0/0 or ::/0).",
    check(firewall) {
        return worldInbound(firewall)
            .filter((rule) => rule.protocol === "tcp" && covers(portRange(rule.portRange), SSH_PORT))
            .map((rule) => `inbound ${describeRule(rule)} admits SSH from anywhere`);
    },
};

const firewallNoPublicDatabasePorts: ResourceRule = {
    id: "firewall-no-public-db-ports",
    scope: "resource",
    types: [TYPES.firewall],
    description: `No firewall admits a database port (${DATABASE_PORTS.join(", ")}) from the whole internet. Mirrors cnspec firewall-no-unrestricted-db-ports, with DigitalOcean's managed database ports added.`,
    sources: [CNSPEC("firewall-no-unrestricted-db-ports")],
    level: "mandatory",
    fix: "Admit Postgres and Valkey only from the app's droplets (`sourceTags` with the fleet tag) inside the VPC.",
    check(firewall) {
        return worldInbound(firewall)
            .filter((rule) => rule.protocol === "tcp")
            .flatMap((rule) => {
                const ports = DATABASE_PORTS.filter((p) => covers(portRange(rule.portRange), p));
                return ports.length === 0 ? [] : [`inbound ${describeRule(rule)} admits database port ${ports.join(", ")} from anywhere`];
            });
    },
};

const firewallRestrictedEgress: ResourceRule = {
    id: "firewall-restricted-egress",
    scope: "resource",
    types: [TYPES.firewall],
    description:
        "Outbound traffic to the whole internet is limited to what a replica needs there: tcp 80 and 443 (registries, packages), udp 53 (DNS), udp 123 (time) and ICMP. Anything else goes to named destinations. Mirrors AVD-DIG-0003, relaxed to what the platform cannot avoid.",
    sources: [AVD("AVD-DIG-0003")],
    level: "advisory",
    fix: "Send database and cache traffic to the VPC's range or the clusters' tags instead of 0.0.0.0/0 and ::/0.",
    check(firewall) {
        return records(firewall.inputs.outboundRules)
            .filter((rule) => strings(rule.destinationAddresses).some((a) => ANYWHERE.has(a)))
            .filter((rule) => {
                if (rule.protocol === "icmp") {
                    return false;
                }
                const [low, high] = portRange(rule.portRange);
                const allowed = WORLD_EGRESS_NEEDED.find((e) => e.protocol === rule.protocol)?.ports ?? [];
                return !(low === high && allowed.includes(low));
            })
            .map((rule) => `outbound ${describeRule(rule)} is open to the whole internet`);
    },
};

const loadBalancerHttpsRedirect: ResourceRule = {
    id: "lb-https-redirect",
    scope: "resource",
    types: [TYPES.loadBalancer],
    description:
        "A load balancer that serves HTTPS redirects plain HTTP to it (`redirectHttpToHttps`). A balancer without a certificate has nothing to redirect to and is not flagged. Mirrors AVD-DIG-0002 and cnspec lb-http-redirected-to-https.",
    sources: [AVD("AVD-DIG-0002"), CNSPEC("lb-http-redirected-to-https")],
    level: "mandatory",
    fix: "Set `horizon:loadBalancer.https.redirectHttp: true` (the default when `https` is set).",
    check(lb) {
        const protocols = records(lb.inputs.forwardingRules).map((rule) => rule.entryProtocol);
        const servesHttps = protocols.some((p) => p === "https" || p === "http2" || p === "http3");
        if (!servesHttps || !protocols.includes("http") || lb.inputs.redirectHttpToHttps === true || lb.inputs.redirectHttpToHttps === UNKNOWN) {
            return [];
        }
        return ["serves HTTPS but answers plain HTTP without redirecting (`redirectHttpToHttps` is not true)"];
    },
};

const databasePrivateNetwork: ResourceRule = {
    id: "database-private-network",
    scope: "resource",
    types: [TYPES.databaseCluster],
    description: "Every managed database cluster is attached to a VPC (`privateNetworkUuid` set), so the app reaches it over the private network. Mirrors cnspec db-in-private-network.",
    sources: [CNSPEC("db-in-private-network")],
    level: "mandatory",
    fix: "Create the cluster with the region's VPC as `privateNetworkUuid` (horizon's Postgres and Cache components do).",
    check(cluster) {
        return isSet(cluster.inputs.privateNetworkUuid) ? [] : ["`privateNetworkUuid` is not set: the cluster is not in a VPC"];
    },
};

const databaseFirewall: StackRule = {
    id: "database-firewall",
    scope: "stack",
    description:
        "Every managed database cluster has a DatabaseFirewall with at least one trusted source, so only the app (its tag or cluster) can connect. Mirrors cnspec db-firewall-configured.",
    sources: [CNSPEC("db-firewall-configured")],
    level: "mandatory",
    fix: "Add a DatabaseFirewall for the cluster that trusts the fleet tag or the Kubernetes cluster (horizon's Postgres and Cache components do).",
    check(resources) {
        const firewalls = ofType(resources, TYPES.databaseFirewall);
        return ofType(resources, TYPES.databaseCluster).flatMap((cluster) => {
            const own = firewalls.filter((fw) => (fw.refs.clusterId ?? []).includes(cluster.name));
            if (own.length === 0) {
                return [{ resource: cluster, message: "no DatabaseFirewall refers to this cluster: any address may try to connect" }];
            }
            return own.some((fw) => list(fw.inputs.rules).length > 0 || fw.inputs.rules === UNKNOWN)
                ? []
                : [{ resource: cluster, message: `DatabaseFirewall ${own.map((fw) => fw.name).join(", ")} has no rules` }];
        });
    },
};

const doksSurgeUpgrade: ResourceRule = {
    id: "doks-surge-upgrade",
    scope: "resource",
    types: [TYPES.kubernetesCluster],
    description: "A DOKS cluster upgrades by surge (`surgeUpgrade: true`), so nodes are replaced with new ones first and pods keep running. Mirrors AVD-DIG-0005.",
    sources: [AVD("AVD-DIG-0005")],
    level: "advisory",
    fix: "Set `surgeUpgrade: true` on the KubernetesCluster.",
    check(cluster) {
        return cluster.inputs.surgeUpgrade === false || cluster.inputs.surgeUpgrade === undefined ? ["`surgeUpgrade` is not true"] : [];
    },
};

const doksAutoUpgrade: ResourceRule = {
    id: "doks-auto-upgrade",
    scope: "resource",
    types: [TYPES.kubernetesCluster],
    description: "A DOKS cluster takes patch upgrades automatically (`autoUpgrade: true`) in its maintenance window. Mirrors AVD-DIG-0008 and cnspec doks-auto-upgrade-enabled.",
    sources: [AVD("AVD-DIG-0008"), CNSPEC("doks-auto-upgrade-enabled")],
    level: "mandatory",
    fix: "Set `autoUpgrade: true` and a `maintenancePolicy` on the KubernetesCluster.",
    check(cluster) {
        return cluster.inputs.autoUpgrade === true || cluster.inputs.autoUpgrade === UNKNOWN ? [] : ["`autoUpgrade` is not true"];
    },
};

/** Types whose loss loses data or forces everything in them to move. */
const STATEFUL_TYPES: readonly string[] = [TYPES.databaseCluster, TYPES.volume, TYPES.vpc];

const productionProtect: StackRule = {
    id: "production-protect-stateful",
    scope: "stack",
    description: "In a production stack, database clusters, volumes and VPCs are protected (`protect`), so no update or destroy deletes them by accident. horizon's own rule.",
    sources: ["horizon"],
    level: "mandatory",
    fix: "Set `horizon:protect: true` in the stack file (it protects and retains stateful resources).",
    check(resources, context) {
        if (!context.production) {
            return [];
        }
        return resources
            .filter((r) => STATEFUL_TYPES.includes(r.type) && !r.protect)
            .map((r) => ({ resource: r, message: `not protected in production stack ${context.stack}` }));
    },
};

/** Environment-variable names that hold a credential. */
const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|KEY|APIKEY|CREDENTIALS?)$/;
/** Connection URLs whose value is only a credential when it carries a password. */
const URL_NAME = /_URL$|_URI$|_DSN$/;
/** `scheme://user:password@`, where the password is not a shell or template reference. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:([^\s@/"']+)@/gi;
/** `NAME=value` as in env files, `docker run --env`, Docker `envs` and shell scripts. */
const ASSIGNMENT = /(?:^|[\s"'])([A-Z][A-Z0-9_]*)=("[^"\n]*"|'[^'\n]*'|[^\s"']*)/g;

function isReference(value: string): boolean {
    return value === "" || value === SECRET || value === UNKNOWN || /^\$|^\{\{|^<.*>$/.test(value);
}

function unquote(value: string): string {
    return /^(".*"|'.*')$/.test(value) ? value.slice(1, -1) : value;
}

function credentialIn(name: string, value: string): string | undefined {
    if (isReference(value)) {
        return undefined;
    }
    if (CREDENTIAL_NAME.test(name)) {
        return `${name} holds a credential in plain text`;
    }
    if (URL_NAME.test(name) && urlPasswords(value).length > 0) {
        return `${name} is a URL with a password in plain text`;
    }
    return undefined;
}

function urlPasswords(text: string): string[] {
    return [...text.matchAll(URL_WITH_PASSWORD)].map((m) => m[1]).filter((p) => !isReference(p));
}

/** Every credential-looking value in a value tree, with the path it sits at. */
function findCredentials(value: unknown, path: string, out: Set<string>): void {
    if (typeof value === "string") {
        const named = [...value.matchAll(ASSIGNMENT)].flatMap((match) => credentialIn(match[1], unquote(match[2])) ?? []);
        for (const found of named) {
            out.add(`${path}: ${found}`);
        }
        // A URL under a credential-looking name is reported once, by that name.
        if (named.length === 0 && urlPasswords(value).length > 0) {
            out.add(`${path}: a URL with a password in plain text`);
        }
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, i) => findCredentials(item, `${path}[${i}]`, out));
        return;
    }
    if (!isRecord(value)) {
        return;
    }
    // Kubernetes `env: [{ name, value }]`.
    if (typeof value.name === "string" && typeof value.value === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.name)) {
        const found = credentialIn(value.name.toUpperCase(), value.value);
        if (found !== undefined) {
            out.add(`${path}: ${found}`);
        }
    }
    for (const [key, child] of Object.entries(value)) {
        const childPath = path === "" ? key : `${path}.${key}`;
        // Maps of environment variables (`env: { DB_PASSWORD: ... }`) name the credential in their key.
        if (/^[A-Z][A-Z0-9_]*$/.test(key) && typeof child === "string") {
            const found = credentialIn(key, child);
            if (found !== undefined) {
                out.add(`${childPath}: ${found}`);
                continue;
            }
        }
        findCredentials(child, childPath, out);
    }
}

const noPlaintextCredentials: ResourceRule = {
    id: "no-plaintext-credentials",
    scope: "resource",
    description:
        "No input carries a credential in plain text: user data, environment maps, container env and args. A value counts as a credential when its variable is named *PASSWORD, *SECRET, *TOKEN, *API_KEY and the like, or is a URL with a password (`postgresql://user:pass@host`). Secret inputs are exempt: Pulumi encrypts them in state. horizon's own rule.",
    sources: ["horizon"],
    level: "mandatory",
    fix: "Put the value in `horizon:app.secretEnv` (set with `pulumi config set --secret`) or wrap it in `pulumi.secret(...)` so the input is a secret.",
    check(resource) {
        const found = new Set<string>();
        findCredentials(resource.inputs, "", found);
        return [...found];
    },
};

interface Container {
    readonly name: string;
    readonly spec: Record<string, unknown>;
}

function podSpec(workload: PolicyResource): Record<string, unknown> | undefined {
    const spec = workload.inputs.spec;
    const template = isRecord(spec) ? spec.template : undefined;
    const pod = isRecord(template) ? template.spec : undefined;
    return isRecord(pod) ? pod : undefined;
}

function containersOf(pod: Record<string, unknown>): Container[] {
    return [...records(pod.initContainers), ...records(pod.containers)].map((spec, i) => ({
        name: typeof spec.name === "string" ? spec.name : `#${i}`,
        spec,
    }));
}

function securityContext(value: Record<string, unknown>): Record<string, unknown> {
    return isRecord(value.securityContext) ? value.securityContext : {};
}

const kubernetesPodSecurity: ResourceRule = {
    id: "k8s-pod-security",
    scope: "resource",
    types: [TYPES.deployment, TYPES.statefulSet],
    description:
        "Every container of a Deployment or StatefulSet runs as non-root (`runAsNonRoot: true` on the pod or the container) with `allowPrivilegeEscalation: false` and is not privileged, as the restricted Pod Security Standard asks. horizon's own rule.",
    sources: ["horizon", "Kubernetes Pod Security Standards (restricted)"],
    level: "mandatory",
    fix: "Set `securityContext.runAsNonRoot: true` on the pod template and `allowPrivilegeEscalation: false` on each container (horizon's Kubernetes components do).",
    check(workload) {
        const pod = podSpec(workload);
        if (pod === undefined) {
            return [];
        }
        const podNonRoot = securityContext(pod).runAsNonRoot === true;
        return containersOf(pod).flatMap(({ name, spec }) => {
            const context = securityContext(spec);
            const problems: string[] = [];
            if (!(context.runAsNonRoot === true || (podNonRoot && context.runAsNonRoot !== false))) {
                problems.push(`container ${name} may run as root (runAsNonRoot is not true)`);
            }
            if (context.allowPrivilegeEscalation !== false) {
                problems.push(`container ${name} allows privilege escalation (allowPrivilegeEscalation is not false)`);
            }
            if (context.privileged === true) {
                problems.push(`container ${name} is privileged`);
            }
            return problems;
        });
    },
};

const kubernetesPodReadiness: ResourceRule = {
    id: "k8s-pod-probes-resources",
    scope: "resource",
    types: [TYPES.deployment, TYPES.statefulSet],
    description:
        "Every container of a Deployment or StatefulSet has a readiness probe (so a rollout waits for it) and CPU and memory requests and limits (so the scheduler places it and a leak cannot starve its node). horizon's own rule.",
    sources: ["horizon"],
    level: "advisory",
    fix: "Set `horizon:app.healthCheck` and `horizon:app.resources`; horizon maps them to the readiness probe, requests and limits.",
    check(workload) {
        const pod = podSpec(workload);
        if (pod === undefined) {
            return [];
        }
        return records(pod.containers).flatMap((spec, i) => {
            const name = typeof spec.name === "string" ? spec.name : `#${i}`;
            const resources = isRecord(spec.resources) ? spec.resources : {};
            const problems: string[] = [];
            if (!isSet(spec.readinessProbe)) {
                problems.push(`container ${name} has no readiness probe`);
            }
            for (const kind of ["requests", "limits"] as const) {
                const values = isRecord(resources[kind]) ? resources[kind] : {};
                const missing = ["cpu", "memory"].filter((k) => !isSet(values[k]));
                if (missing.length > 0) {
                    problems.push(`container ${name} has no ${missing.join(" or ")} ${kind}`);
                }
            }
            return problems;
        });
    },
};

const dockerContainerIsolation: ResourceRule = {
    id: "docker-container-isolation",
    scope: "resource",
    types: [TYPES.dockerContainer],
    description: "No Docker container runs privileged or on the host's network (`networkMode: host`), which would give it the host's devices or every port of the host. horizon's own rule.",
    sources: ["horizon"],
    level: "mandatory",
    fix: "Remove `privileged` and `networkMode: host` (horizon's Docker platform puts containers on their own bridge network).",
    check(container) {
        const problems: string[] = [];
        if (container.inputs.privileged === true) {
            problems.push("runs privileged");
        }
        if (container.inputs.networkMode === "host") {
            problems.push("uses the host's network (networkMode host)");
        }
        return problems;
    },
};

const productionReplicas: StackRule = {
    id: "production-replicas",
    scope: "stack",
    description:
        "In a production stack, a load balancer balances at least two droplets and a Deployment runs at least two replicas, so one failure or rollout does not take the app down. horizon's own rule.",
    sources: ["horizon"],
    level: "advisory",
    fix: "Set `replicas` of the region to 2 or more in the stack file.",
    check(resources, context) {
        if (!context.production) {
            return [];
        }
        const droplets = ofType(resources, TYPES.droplet);
        const balancers = ofType(resources, TYPES.loadBalancer).flatMap((lb) => {
            const tag = lb.inputs.dropletTag;
            const count = typeof tag === "string" ? droplets.filter((d) => strings(d.inputs.tags).includes(tag)).length : list(lb.inputs.dropletIds).length;
            const global = lb.inputs.type === "GLOBAL";
            return !global && count === 1 ? [{ resource: lb, message: `balances a single droplet in production stack ${context.stack}` }] : [];
        });
        const deployments = ofType(resources, TYPES.deployment).flatMap((d) => {
            const spec = isRecord(d.inputs.spec) ? d.inputs.spec : {};
            return spec.replicas === 1 ? [{ resource: d, message: `runs one replica in production stack ${context.stack}` }] : [];
        });
        return [...balancers, ...deployments];
    },
};

/** Every rule, in the order reports list them. */
export const RULES: readonly Rule[] = [
    dropletSshKeys,
    dropletInVpc,
    dropletFirewallCoverage,
    firewallNoPublicIngress,
    firewallNoPublicSsh,
    firewallNoPublicDatabasePorts,
    firewallRestrictedEgress,
    loadBalancerHttpsRedirect,
    databasePrivateNetwork,
    databaseFirewall,
    doksSurgeUpgrade,
    doksAutoUpgrade,
    productionProtect,
    noPlaintextCredentials,
    kubernetesPodSecurity,
    kubernetesPodReadiness,
    dockerContainerIsolation,
    productionReplicas,
];

/**
 * Whether a stack is production: its DigitalOcean project says so (horizon sets `Production` for
 * a stack named for production or one with `horizon:protect: true`), or, on platforms without a
 * project, its name does.
 */
export function isProduction(stack: string, resources: readonly PolicyResource[]): boolean {
    const projects = ofType(resources, TYPES.project);
    if (projects.length > 0) {
        return projects.some((p) => p.inputs.environment === "Production");
    }
    return projectEnvironment(stack) === "Production";
}

/** One problem found by one rule on one resource. */
export interface Violation {
    readonly ruleId: string;
    readonly level: Level;
    readonly type: string;
    readonly name: string;
    readonly message: string;
    readonly fix: string;
}

/** Runs one rule over a stack's resources. */
export function runRule(rule: Rule, resources: readonly PolicyResource[], context: StackContext): Finding[] {
    if (rule.scope === "stack") {
        return rule.check(resources, context);
    }
    return resources
        .filter((r) => rule.types === undefined || rule.types.includes(r.type))
        .flatMap((resource) => rule.check(resource).map((message) => ({ resource, message })));
}

/** Runs every rule not waived for the stack, and returns what they found. */
export function evaluate(resources: readonly PolicyResource[], context: StackContext, waived: ReadonlySet<string> = new Set()): Violation[] {
    return RULES.filter((rule) => !waived.has(rule.id)).flatMap((rule) =>
        runRule(rule, resources, context).map((f) => ({
            ruleId: rule.id,
            level: rule.level,
            type: f.resource.type,
            name: f.resource.name,
            message: f.message,
            fix: rule.fix,
        })),
    );
}
