import * as http from "node:http";
import { randomBytes } from "node:crypto";
import { fakeOutputs, type RecordedResource } from "../../tools/mockRuntime";

/**
 * A small Docker Engine API client over the daemon's unix socket, and `startRecorded`, which
 * starts for real the Docker resources a program registered under Pulumi's mocks.
 *
 * Each input of a recorded `docker:index/container:Container` is mapped the way the
 * @pulumi/docker 5.2.0 provider maps it (it bridges kreuzwerker/terraform-provider-docker 4.x:
 * internal/provider/resource_docker_container_funcs.go `resourceDockerContainerCreate` and
 * resource_docker_container_structures.go), including the provider's schema defaults, which
 * the mocks never apply. An input this harness does not map is an error naming the resource
 * and the key: nothing a program registers is silently dropped.
 */

export const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? "/var/run/docker.sock";

/** The images scripts/docker-images.sh builds. */
export const LOCAL_IMAGES = {
    node: "horizon-local/node:20",
    haproxy: "horizon-local/haproxy:2.6",
    postgres: "horizon-local/postgres:15",
    valkey: "horizon-local/valkey:8",
    hits: "horizon-local/hits:test",
} as const;

const REQUEST_TIMEOUT_MS = 60_000;

export class DockerApiError extends Error {
    constructor(
        readonly status: number,
        readonly method: string,
        readonly path: string,
        message: string,
    ) {
        super(`docker ${method} ${path}: ${status} ${message}`);
    }
}

interface RawResponse {
    readonly status: number;
    readonly body: Buffer;
}

function request(method: string, path: string, body?: Buffer | object, contentType?: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<RawResponse> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                socketPath: DOCKER_SOCKET,
                method,
                path,
                headers: {
                    Host: "docker",
                    ...(payload === undefined
                        ? {}
                        : { "Content-Type": contentType ?? "application/json", "Content-Length": payload.length }),
                },
                timeout: timeoutMs,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`docker ${method} ${path}: no answer within ${timeoutMs} ms`)));
        req.on("error", reject);
        req.end(payload);
    });
}

async function call<T = unknown>(method: string, path: string, body?: Buffer | object, contentType?: string, timeoutMs?: number): Promise<T> {
    const res = await request(method, path, body, contentType, timeoutMs);
    if (res.status >= 400) {
        let message = res.body.toString();
        try {
            message = (JSON.parse(message) as { message: string }).message;
        } catch {
            // not JSON: keep the text
        }
        throw new DockerApiError(res.status, method, path, message.trim());
    }
    const text = res.body.toString();
    return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers) into text. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let offset = 0;
    while (offset + 8 <= buffer.length) {
        const stream = buffer[offset];
        const size = buffer.readUInt32BE(offset + 4);
        const frame = buffer.subarray(offset + 8, offset + 8 + size);
        (stream === 2 ? err : out).push(frame);
        offset += 8 + size;
    }
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

export interface ContainerInspect {
    Id: string;
    Name: string;
    State: {
        Status: string;
        Running: boolean;
        Pid: number;
        ExitCode: number;
        OOMKilled: boolean;
        Health?: { Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] };
    };
    RestartCount: number;
    Config: {
        Env: string[] | null;
        Labels: Record<string, string> | null;
        StopSignal?: string;
        StopTimeout?: number;
        Healthcheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; Retries: number };
        User: string;
        Image: string;
    };
    HostConfig: {
        Memory: number;
        NanoCpus: number;
        CpuShares: number;
        RestartPolicy: { Name: string; MaximumRetryCount: number };
        LogConfig: { Type: string; Config: Record<string, string> };
        Init: boolean | null;
        ReadonlyRootfs: boolean;
        NetworkMode: string;
        PortBindings: Record<string, { HostIp: string; HostPort: string }[]> | null;
        Binds: string[] | null;
    };
    NetworkSettings: {
        Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
        Networks: Record<string, { Aliases: string[] | null; IPAddress: string }>;
    };
    Image: string;
}

/** The Docker Engine API calls the tests need. */
export const docker = {
    /** True when a daemon answers on the socket within two seconds. */
    async available(): Promise<boolean> {
        try {
            const res = await request("GET", "/_ping", undefined, undefined, 2000);
            return res.status === 200;
        } catch {
            return false;
        }
    },
    version: () => call<{ Version: string; ApiVersion: string }>("GET", "/version"),
    info: () => call<{ Driver: string; CgroupVersion?: string }>("GET", "/info"),
    inspectImage: (ref: string) => call<{ Id: string; RepoTags: string[] | null }>("GET", `/images/${encodeURIComponent(ref)}/json`),
    inspect: (id: string) => call<ContainerInspect>("GET", `/containers/${encodeURIComponent(id)}/json`),
    inspectNetwork: (id: string) => call<{ Id: string; Name: string; Containers: Record<string, unknown> }>("GET", `/networks/${encodeURIComponent(id)}`),
    inspectVolume: (name: string) => call<{ Name: string; Mountpoint: string }>("GET", `/volumes/${encodeURIComponent(name)}`),
    createNetwork: (body: object) => call<{ Id: string }>("POST", "/networks/create", body),
    removeNetwork: (id: string) => call("DELETE", `/networks/${encodeURIComponent(id)}`),
    createVolume: (body: object) => call<{ Name: string }>("POST", "/volumes/create", body),
    removeVolume: (name: string) => call("DELETE", `/volumes/${encodeURIComponent(name)}`),
    createContainer: (name: string, body: object, platform?: string) =>
        call<{ Id: string }>(
            "POST",
            `/containers/create?name=${encodeURIComponent(name)}${platform === undefined ? "" : `&platform=${encodeURIComponent(platform)}`}`,
            body,
        ),
    start: (id: string) => call("POST", `/containers/${encodeURIComponent(id)}/start`),
    stop: (id: string, seconds: number) => call("POST", `/containers/${encodeURIComponent(id)}/stop?t=${seconds}`, undefined, undefined, (seconds + 30) * 1000),
    remove: (id: string, volumes = true) => call("DELETE", `/containers/${encodeURIComponent(id)}?force=true&v=${volumes}`),
    connect: (network: string, body: object) => call("POST", `/networks/${encodeURIComponent(network)}/connect`, body),
    disconnect: (network: string, container: string) =>
        call("POST", `/networks/${encodeURIComponent(network)}/disconnect`, { Container: container, Force: false }),
    putArchive: (id: string, path: string, tar: Buffer) =>
        call("PUT", `/containers/${encodeURIComponent(id)}/archive?path=${encodeURIComponent(path)}`, tar, "application/x-tar"),
    /** Both output streams of a container (no TTY), the last `tail` lines. */
    async logs(id: string, tail = 200): Promise<{ stdout: string; stderr: string }> {
        const res = await request("GET", `/containers/${encodeURIComponent(id)}/logs?stdout=1&stderr=1&tail=${tail}`);
        if (res.status >= 400) {
            throw new DockerApiError(res.status, "GET", "logs", res.body.toString());
        }
        return demux(res.body);
    },
    /** Runs a command in a running container and returns its exit code and output. */
    async exec(id: string, cmd: string[], options: { user?: string; env?: string[]; timeoutMs?: number } = {}) {
        const created = await call<{ Id: string }>("POST", `/containers/${encodeURIComponent(id)}/exec`, {
            Cmd: cmd,
            AttachStdout: true,
            AttachStderr: true,
            ...(options.user === undefined ? {} : { User: options.user }),
            ...(options.env === undefined ? {} : { Env: options.env }),
        });
        const res = await request("POST", `/exec/${created.Id}/start`, { Detach: false, Tty: false }, undefined, options.timeoutMs ?? 30_000);
        const { ExitCode } = await call<{ ExitCode: number }>("GET", `/exec/${created.Id}/json`);
        return { exitCode: ExitCode, ...demux(res.body) };
    },
};

/** Waits until the container's health state is `want`; fails with the last probe output after `timeoutMs`. */
export async function waitForHealth(id: string, want: "healthy" | "unhealthy" = "healthy", timeoutMs = 60_000): Promise<ContainerInspect> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const state = await docker.inspect(id);
        const health = state.State.Health;
        if (health === undefined) {
            throw new Error(`container ${state.Name} has no healthcheck`);
        }
        if (health.Status === want) {
            return state;
        }
        if (Date.now() > deadline) {
            const last = health.Log.at(-1);
            throw new Error(
                `container ${state.Name} is ${health.Status} (state ${state.State.Status}), not ${want}, after ${timeoutMs} ms; last probe: ${last?.ExitCode} ${last?.Output.trim() ?? "none"}`,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

/** Polls `check` every 200 ms until it returns a value other than undefined, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) {
                return value;
            }
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? "" : `: ${String(lastError)}`}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

// ---------------------------------------------------------------------------------------------
// Recorded resources -> real Docker objects

export const DOCKER_TYPES = {
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    image: "docker:index/image:Image",
    container: "docker:index/container:Container",
} as const;

export interface StartOptions {
    /**
     * Prefix of every network, volume and container name created, so runs never collide.
     * @default `hz-<random>-`
     */
    readonly prefix?: string;
    /** Keep the volumes at teardown (containers and networks are always removed). @default false */
    readonly keepVolumes?: boolean;
    /** Resource types to leave alone (for example a provider or a component). @default - only docker types are started; others are ignored */
    readonly ignoreTypes?: readonly string[];
}

export interface ContainerHandle {
    /** The recorded resource's logical name. */
    readonly resource: string;
    readonly id: string;
    /** The real container name (prefixed). */
    readonly name: string;
    /** Published ports: `8080/tcp` -> host port. */
    readonly ports: Record<string, number>;
}

export interface StartedStack {
    readonly prefix: string;
    readonly containers: Record<string, ContainerHandle>;
    /** Logical network name -> real network name. */
    readonly networks: Record<string, string>;
    /** Logical volume name -> real volume name. */
    readonly volumes: Record<string, string>;
    /** Logical image resource name -> local image id. */
    readonly images: Record<string, string>;
    /**
     * Replaces one container as Pulumi replaces it: removes it (`rm -fv`: anonymous volumes
     * go, named volumes stay) and creates it again from the same recorded inputs.
     */
    replace(resource: string): Promise<ContainerHandle>;
    /**
     * Starts the images and containers of another registration of the program beside the
     * running ones, on the networks and volumes already started, as `pulumi up` creates
     * replacements before deleting what they replace. Each new container's name ends in `suffix`.
     */
    add(resources: readonly RecordedResource[], suffix: string): Promise<Record<string, ContainerHandle>>;
    /** Deletes one container as the provider does: stop within its destroyGraceSeconds, then remove. */
    remove(handle: ContainerHandle): Promise<void>;
    /** Removes every container and network it created, and its volumes unless kept. */
    teardown(): Promise<void>;
}

/** An input mapping error: names the resource, the key path, the value and what is allowed. */
export class UnsupportedInputError extends Error {}

type Obj = Record<string, unknown>;

function fail(resource: RecordedResource, key: string, message: string): never {
    throw new UnsupportedInputError(`${resource.type} "${resource.name}": input "${key}" ${message}`);
}

/** Takes the inputs of a resource one key at a time, so any key left over is reported. */
class Inputs {
    private readonly pending: Set<string>;
    constructor(
        readonly resource: RecordedResource,
        readonly values: Obj,
        readonly path = "",
    ) {
        this.pending = new Set(Object.keys(values).filter((k) => values[k] !== undefined));
    }
    private key(k: string): string {
        return this.path === "" ? k : `${this.path}.${k}`;
    }
    take(k: string): unknown {
        this.pending.delete(k);
        return this.values[k];
    }
    string(k: string): string | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (typeof v !== "string") fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; a string is expected`);
        return v;
    }
    number(k: string): number | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v)) fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; an integer is expected`);
        return v;
    }
    boolean(k: string): boolean | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (typeof v !== "boolean") fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; true or false is expected`);
        return v;
    }
    strings(k: string): string[] | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; a list of strings is expected`);
        return v as string[];
    }
    stringMap(k: string): Record<string, string> | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (typeof v !== "object" || v === null || Array.isArray(v) || Object.values(v).some((s) => typeof s !== "string")) {
            fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; a map of strings is expected`);
        }
        return v as Record<string, string>;
    }
    /** A list of objects, each read through its own Inputs (all keys must be taken). */
    list<T>(k: string, read: (item: Inputs) => T): T[] | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (!Array.isArray(v)) fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; a list is expected`);
        return v.map((item, i) => {
            if (typeof item !== "object" || item === null) fail(this.resource, `${this.key(k)}[${i}]`, `is ${JSON.stringify(item)}; an object is expected`);
            const inputs = new Inputs(this.resource, item as Obj, `${this.key(k)}[${i}]`);
            const result = read(inputs);
            inputs.done();
            return result;
        });
    }
    object<T>(k: string, read: (item: Inputs) => T): T | undefined {
        const v = this.take(k);
        if (v === undefined) return undefined;
        if (typeof v !== "object" || v === null || Array.isArray(v)) fail(this.resource, this.key(k), `is ${JSON.stringify(v)}; an object is expected`);
        const inputs = new Inputs(this.resource, v as Obj, this.key(k));
        const result = read(inputs);
        inputs.done();
        return result;
    }
    /** Fails on the first input nobody took. */
    done(): void {
        for (const k of this.pending) {
            fail(this.resource, this.key(k), `(${JSON.stringify(this.values[k])}) is not mapped by the Docker test harness; map it in test/helpers/dockerEngine.ts or leave it out`);
        }
    }
}

const GO_DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration, in nanoseconds, as the provider parses healthcheck durations. The
 * provider ignores a parse error and sends 0 (Docker then uses the image's value); the harness
 * reports it instead.
 */
export function parseGoDuration(resource: RecordedResource, key: string, text: string): number {
    if (text === "0") return 0;
    const parts = [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
        fail(resource, key, `is "${text}"; a Go duration such as "10s", "1m30s" or "500ms" is expected`);
    }
    return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * GO_DURATION_UNITS[p[2]], 0));
}

/** The labels list shape of @pulumi/docker ([{label, value}]) as a map. */
function labelMap(inputs: Inputs, key: string): Record<string, string> | undefined {
    const labels = inputs.list(key, (l) => [l.string("label") ?? "", l.string("value") ?? ""] as const);
    return labels === undefined ? undefined : Object.fromEntries(labels);
}

/** A minimal ustar archive of regular files, as the provider builds for `uploads`. */
export function tarFiles(files: readonly { path: string; content: Buffer; mode: number }[]): Buffer {
    const blocks: Buffer[] = [];
    for (const file of files) {
        const header = Buffer.alloc(512);
        let name = file.path.replace(/^\/+/, "");
        let prefix = "";
        if (Buffer.byteLength(name) > 100) {
            const cut = name.lastIndexOf("/", 155);
            prefix = name.slice(0, cut);
            name = name.slice(cut + 1);
        }
        header.write(name, 0, 100);
        header.write(`${file.mode.toString(8).padStart(7, "0")}\0`, 100);
        header.write("0000000\0", 108);
        header.write("0000000\0", 116);
        header.write(`${file.content.length.toString(8).padStart(11, "0")}\0`, 124);
        header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, "0")}\0`, 136);
        header.write("        ", 148);
        header.write("0", 156);
        header.write("ustar\0", 257);
        header.write("00", 263);
        header.write(prefix, 345, 155);
        let sum = 0;
        for (const byte of header) sum += byte;
        header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
        blocks.push(header, file.content, Buffer.alloc((512 - (file.content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return Buffer.concat(blocks);
}

/** What other resources see of a recorded resource under mocks: its fake id and outputs. */
function fakeState(r: RecordedResource): Obj {
    return { ...r.rawInputs, ...fakeOutputs(r.type, r.name, r.rawInputs), id: `${r.name}-id` };
}

/** Values under which other resources may refer to a recorded resource (under mocks). */
function referenceKeys(r: RecordedResource, fields: readonly string[]): string[] {
    const state = fakeState(r);
    return fields.map((f) => state[f]).filter((v): v is string => typeof v === "string" && v !== "");
}

const BUILTIN_NETWORKS = new Set(["bridge", "host", "none", "default"]);

/**
 * Starts for real the Docker resources in `resources` (networks, volumes, images, containers,
 * in that order; containers in registration order). References between them are resolved
 * through what the mocks returned for each resource (tools/mockRuntime.ts `fakeOutputs`, ids
 * `<name>-id`): a container's network, volume and image inputs that equal a recorded
 * resource's fake id, name, imageId or repoDigest are replaced by the real object created for
 * that resource. Images are never pulled or built: a RemoteImage's `name` (an Image's
 * `imageName`) must already exist locally.
 *
 * Every created name gets a per-run prefix; a container keeps the name the program gave it
 * (or the name its mock outputs report) as a network alias on each of its networks, so
 * addresses the program wired (DATABASE_URL hosts, HAProxy servers) still resolve.
 */
export async function startRecorded(resources: readonly RecordedResource[], options: StartOptions = {}): Promise<StartedStack> {
    const prefix = options.prefix ?? `hz-${randomBytes(3).toString("hex")}-`;
    const created = { containers: [] as { id: string; grace: number; removeVolumes: boolean }[], networks: [] as string[], volumes: [] as string[] };
    const networkRefs = new Map<string, string>();
    const volumeRefs = new Map<string, string>();
    const imageRefs = new Map<string, string>();
    const containers: Record<string, ContainerHandle> = {};
    const stack: StartedStack = {
        prefix,
        containers,
        networks: {},
        volumes: {},
        images: {},
        async replace(resource) {
            const recorded = resources.find((r) => r.type === DOCKER_TYPES.container && r.name === resource);
            const old = containers[resource];
            if (recorded === undefined || old === undefined) {
                throw new Error(`no started container ${resource}; started: ${Object.keys(containers).join(", ")}`);
            }
            await docker.remove(old.id, true);
            created.containers = created.containers.filter((c) => c.id !== old.id);
            containers[resource] = await startContainer(recorded, { prefix, networkRefs, volumeRefs, imageRefs }, created);
            return containers[resource];
        },
        async add(more, suffix) {
            await startImages(more.filter((r) => r.type === DOCKER_TYPES.remoteImage || r.type === DOCKER_TYPES.image));
            const added: Record<string, ContainerHandle> = {};
            for (const r of more.filter((x) => x.type === DOCKER_TYPES.container)) {
                added[r.name] = await startContainer(r, { prefix, networkRefs, volumeRefs, imageRefs, suffix }, created);
            }
            return added;
        },
        async remove(handle) {
            const entry = created.containers.find((c) => c.id === handle.id);
            if (entry !== undefined && entry.grace > 0) await docker.stop(handle.id, entry.grace);
            await docker.remove(handle.id, entry?.removeVolumes ?? true);
            created.containers = created.containers.filter((c) => c.id !== handle.id);
        },
        teardown: () => teardown(created, options.keepVolumes === true),
    };
    const startImages = async (images: readonly RecordedResource[]) => {
        for (const r of images) {
            const inputs = new Inputs(r, r.rawInputs);
            const isRemote = r.type === DOCKER_TYPES.remoteImage;
            const ref = (isRemote ? inputs.string("name") : inputs.string("imageName")) ?? fail(r, isRemote ? "name" : "imageName", "is missing");
            if (isRemote) {
                // Lifecycle of the image in a real run (pull triggers, keep/remove on destroy): the harness never pulls or removes images.
                inputs.boolean("keepLocally");
                inputs.boolean("forceRemove");
                inputs.strings("pullTriggers");
                inputs.stringMap("triggers");
                if (inputs.take("build") !== undefined) fail(r, "build", "asks for a build; build the image with scripts/docker-images.sh and reference it by name");
                inputs.string("platform");
            } else {
                // A local Image build: the harness uses the image already built under imageName instead of building it.
                inputs.take("build");
                inputs.boolean("skipPush");
                inputs.boolean("buildOnPreview");
                if (inputs.take("registry") !== undefined) fail(r, "registry", "asks for a registry; no registry is reachable here");
            }
            inputs.done();
            let id: string;
            try {
                id = (await docker.inspectImage(ref)).Id;
            } catch (error) {
                if (error instanceof DockerApiError && error.status === 404) {
                    throw new UnsupportedInputError(`${r.type} "${r.name}": image "${ref}" is not on this Docker host and is never pulled; build it with npm run docker:images`);
                }
                throw error;
            }
            stack.images[r.name] = id;
            for (const key of [ref, ...referenceKeys(r, ["id", "imageId", "repoDigest", "name", "imageName", "repoDigest"])]) imageRefs.set(key, id);
        }
    };
    const byType = (type: string) => resources.filter((r) => r.type === type);
    const known = new Set<string>([...Object.values(DOCKER_TYPES), ...(options.ignoreTypes ?? [])]);
    for (const r of resources) {
        if (r.type.startsWith("docker:") && !known.has(r.type)) {
            throw new UnsupportedInputError(`${r.type} "${r.name}": the Docker test harness does not start this resource type`);
        }
    }

    try {
        for (const r of byType(DOCKER_TYPES.network)) {
            const inputs = new Inputs(r, r.rawInputs);
            const name = `${prefix}${inputs.string("name") ?? r.name}`;
            const ipam = inputs.list("ipamConfigs", (c) => ({
                Subnet: c.string("subnet"),
                Gateway: c.string("gateway"),
                IPRange: c.string("ipRange"),
                AuxiliaryAddresses: c.stringMap("auxAddress"),
            }));
            const body = {
                Name: name,
                CheckDuplicate: true,
                Driver: inputs.string("driver") ?? "bridge",
                Internal: inputs.boolean("internal") ?? false,
                Attachable: inputs.boolean("attachable") ?? false,
                Ingress: inputs.boolean("ingress") ?? false,
                EnableIPv6: inputs.boolean("ipv6") ?? false,
                Labels: labelMap(inputs, "labels"),
                Options: inputs.stringMap("options"),
                IPAM: { Driver: inputs.string("ipamDriver") ?? "default", Config: ipam ?? [], Options: inputs.stringMap("ipamOptions") },
            };
            inputs.done();
            const { Id } = await docker.createNetwork(body);
            created.networks.push(Id);
            stack.networks[r.name] = name;
            for (const key of referenceKeys(r, ["id", "name"])) networkRefs.set(key, name);
        }

        for (const r of byType(DOCKER_TYPES.volume)) {
            const inputs = new Inputs(r, r.rawInputs);
            const name = `${prefix}${inputs.string("name") ?? r.name}`;
            const body = { Name: name, Driver: inputs.string("driver") ?? "local", DriverOpts: inputs.stringMap("driverOpts"), Labels: labelMap(inputs, "labels") };
            inputs.done();
            await docker.createVolume(body);
            created.volumes.push(name);
            stack.volumes[r.name] = name;
            for (const key of referenceKeys(r, ["id", "name"])) volumeRefs.set(key, name);
        }

        await startImages([...byType(DOCKER_TYPES.remoteImage), ...byType(DOCKER_TYPES.image)]);

        for (const r of byType(DOCKER_TYPES.container)) {
            containers[r.name] = await startContainer(r, { prefix, networkRefs, volumeRefs, imageRefs }, created);
        }
    } catch (error) {
        await teardown(created, false);
        throw error;
    }
    return stack;
}

interface Refs {
    readonly prefix: string;
    /** Appended to container names, for containers started beside others of the same logical name. @default "" */
    readonly suffix?: string;
    readonly networkRefs: Map<string, string>;
    readonly volumeRefs: Map<string, string>;
    readonly imageRefs: Map<string, string>;
}

async function startContainer(
    r: RecordedResource,
    refs: Refs,
    created: { containers: { id: string; grace: number; removeVolumes: boolean }[] },
): Promise<ContainerHandle> {
    const inputs = new Inputs(r, r.rawInputs);
    const given = inputs.string("name");
    // What other resources know this container as: its own name, or the name the mocks report.
    const knownAs = given ?? (fakeState(r).name as string | undefined) ?? r.name;
    const name = `${refs.prefix}${given ?? r.name}${refs.suffix ?? ""}`;

    const imageInput = inputs.string("image") ?? fail(r, "image", "is missing");
    const image = refs.imageRefs.get(imageInput) ?? imageInput;
    try {
        await docker.inspectImage(image);
    } catch {
        fail(r, "image", `is "${imageInput}", which is neither a recorded image resource's output nor an image on this Docker host (images are never pulled)`);
    }

    const network = (key: string, value: string): string => {
        const mapped = refs.networkRefs.get(value);
        if (mapped !== undefined) return mapped;
        if (BUILTIN_NETWORKS.has(value) || value.startsWith("container:")) return value;
        fail(r, key, `is "${value}", which is no recorded docker Network (by id or name) nor a built-in network`);
    };
    const volume = (key: string, value: string): string =>
        refs.volumeRefs.get(value) ?? fail(r, key, `is "${value}", which is no recorded docker Volume (by id or name); the harness creates no implicit volumes`);

    // Provider schema defaults (resource_docker_container.go), which mocks do not apply.
    const restart = inputs.string("restart") ?? "no";
    const start = inputs.boolean("start") ?? true;
    const mustRun = inputs.boolean("mustRun") ?? true;
    const wait = inputs.boolean("wait") ?? false;
    const waitTimeout = inputs.number("waitTimeout") ?? 60;
    const destroyGraceSeconds = inputs.number("destroyGraceSeconds") ?? 0;
    const removeVolumes = inputs.boolean("removeVolumes") ?? true;
    const networkMode = network("networkMode", inputs.string("networkMode") ?? "bridge");
    if ((inputs.boolean("attach") ?? false) || (inputs.boolean("logs") ?? false)) {
        fail(r, "attach", "runs the container to completion inside create; the harness starts long-running containers only");
    }
    // Only how often a refresh re-reads the container; nothing at create.
    inputs.number("containerReadRefreshTimeoutMilliseconds");

    const command = inputs.strings("command");
    if (command?.some((c) => c === "")) fail(r, "command", "contains an empty string; the provider rejects it");

    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    inputs.list("ports", (p) => {
        const key = `${p.number("internal") ?? fail(r, "ports.internal", "is missing")}/${p.string("protocol") ?? "tcp"}`;
        exposed[key] = {};
        const external = p.number("external");
        (bindings[key] ??= []).push({ HostIp: p.string("ip") ?? "0.0.0.0", HostPort: external === undefined ? "" : String(external) });
    });

    const binds: string[] = [];
    const volumesFrom: string[] = [];
    const anonymous: Record<string, object> = {};
    inputs.list("volumes", (v) => {
        const containerPath = v.string("containerPath");
        const fromContainer = v.string("fromContainer");
        const hostPath = v.string("hostPath");
        const volumeName = v.string("volumeName");
        const selinuxRelabel = v.string("selinuxRelabel");
        const mode = `${(v.boolean("readOnly") ?? false) ? "ro" : "rw"}${selinuxRelabel === undefined ? "" : `,${selinuxRelabel}`}`;
        if (fromContainer !== undefined) {
            volumesFrom.push(fromContainer);
        } else if (containerPath === undefined) {
            fail(r, "volumes", "has an entry without containerPath or fromContainer");
        } else if (hostPath !== undefined) {
            binds.push(`${hostPath}:${containerPath}:${mode}`);
        } else if (volumeName !== undefined) {
            binds.push(`${volume("volumes.volumeName", volumeName)}:${containerPath}:${mode}`);
        } else {
            anonymous[containerPath] = {};
        }
    });

    const mounts = inputs.list("mounts", (m) => {
        const type = m.string("type") ?? fail(r, "mounts.type", "is missing");
        const source = m.string("source");
        return {
            Type: type,
            Target: m.string("target"),
            Source: type === "volume" && source !== undefined ? volume("mounts.source", source) : source,
            ReadOnly: m.boolean("readOnly") ?? false,
            BindOptions: m.object("bindOptions", (b) => ({ Propagation: b.string("propagation") })),
            VolumeOptions: m.object("volumeOptions", (o) => ({
                NoCopy: o.boolean("noCopy"),
                Labels: labelMap(o, "labels"),
                Subpath: o.string("subpath"),
                DriverConfig: { Name: o.string("driverName"), Options: o.stringMap("driverOptions") },
            })),
            TmpfsOptions: m.object("tmpfsOptions", (t) => ({ SizeBytes: t.number("sizeBytes"), Mode: t.number("mode") })),
        };
    });

    const healthcheck = inputs.object("healthcheck", (h) => ({
        Test: h.strings("tests"),
        Interval: parseGoDuration(r, "healthcheck.interval", h.string("interval") ?? "0s"),
        Timeout: parseGoDuration(r, "healthcheck.timeout", h.string("timeout") ?? "0s"),
        StartPeriod: parseGoDuration(r, "healthcheck.startPeriod", h.string("startPeriod") ?? "0s"),
        StartInterval: parseGoDuration(r, "healthcheck.startInterval", h.string("startInterval") ?? "0s"),
        Retries: h.number("retries") ?? 0,
    }));

    const cpus = inputs.string("cpus");
    const cpuPeriod = inputs.number("cpuPeriod");
    const cpuQuota = inputs.number("cpuQuota");
    if (cpus !== undefined && (cpuPeriod !== undefined || cpuQuota !== undefined)) {
        fail(r, "cpus", "is set together with cpuPeriod or cpuQuota; the provider rejects that combination");
    }
    let nanoCpus: number | undefined;
    if (cpus !== undefined) {
        const value = Number(cpus);
        if (!Number.isFinite(value) || value <= 0) fail(r, "cpus", `is "${cpus}"; a positive number of CPUs such as "0.5" is expected`);
        nanoCpus = Math.round(value * 1e9);
    }
    const mb = (key: string) => {
        const v = inputs.number(key);
        return v === undefined ? undefined : v * 1024 * 1024;
    };
    const memorySwap = inputs.number("memorySwap");

    const capabilities = inputs.object("capabilities", (c) => ({ add: c.strings("adds"), drop: c.strings("drops") }));
    const ulimits = inputs.list("ulimits", (u) => ({ Name: u.string("name"), Soft: u.number("soft"), Hard: u.number("hard") }));
    const hosts = inputs.list("hosts", (h) => `${h.string("host")}:${h.string("ip")}`);
    const endpoints = inputs.list("networksAdvanced", (n) => {
        const net = network("networksAdvanced.name", n.string("name") ?? fail(r, "networksAdvanced.name", "is missing"));
        const ipv4 = n.string("ipv4Address");
        const ipv6 = n.string("ipv6Address");
        const linkLocal = n.strings("linkLocalIps");
        const driverOpts = n.strings("driverOpts");
        return {
            network: net,
            config: {
                Aliases: [...(n.strings("aliases") ?? []), knownAs],
                IPAMConfig: { IPv4Address: ipv4, IPv6Address: ipv6, LinkLocalIPs: linkLocal },
                MacAddress: n.string("macAddress"),
                DriverOpts: driverOpts === undefined ? undefined : Object.fromEntries(driverOpts.map((o) => [o.slice(0, o.indexOf("=")), o.slice(o.indexOf("=") + 1)])),
                GwPriority: n.number("gwPriority"),
            },
        };
    });
    const uploads = inputs.list("uploads", (u) => {
        const file = u.string("file") ?? fail(r, "uploads.file", "is missing");
        const content = u.string("content");
        const base64 = u.string("contentBase64");
        const source = u.string("source");
        u.string("sourceHash");
        const set = [content, base64, source].filter((v) => v !== undefined && v !== "");
        if (set.length !== 1) fail(r, `uploads[${file}]`, "must set exactly one of content, contentBase64 and source");
        if (source !== undefined) fail(r, `uploads[${file}].source`, "reads a file on the machine running Pulumi; use content in programs the harness starts");
        if (u.string("owner") !== undefined || u.string("group") !== undefined) fail(r, `uploads[${file}].owner`, "is not applied by the provider version bridged by @pulumi/docker 5.2.0");
        const permissions = u.string("permissions");
        const executable = u.boolean("executable") ?? false;
        const mode = permissions !== undefined ? parseInt(permissions, 8) : executable ? 0o744 : 0o644;
        if (Number.isNaN(mode)) fail(r, `uploads[${file}].permissions`, `is "${permissions}"; an octal mode such as "0644" is expected`);
        return { path: file, content: content !== undefined ? Buffer.from(content) : Buffer.from(base64 ?? "", "base64"), mode };
    });

    const body = {
        Image: image,
        Hostname: inputs.string("hostname"),
        Domainname: inputs.string("domainname"),
        Tty: inputs.boolean("tty") ?? false,
        OpenStdin: inputs.boolean("stdinOpen") ?? false,
        StopSignal: inputs.string("stopSignal"),
        StopTimeout: inputs.number("stopTimeout"),
        Env: inputs.strings("envs"),
        Cmd: command,
        Entrypoint: inputs.strings("entrypoints"),
        User: inputs.string("user"),
        WorkingDir: inputs.string("workingDir"),
        ExposedPorts: Object.keys(exposed).length > 0 ? { ...exposed } : undefined,
        Volumes: Object.keys(anonymous).length > 0 ? anonymous : undefined,
        Labels: labelMap(inputs, "labels"),
        Healthcheck: healthcheck,
        HostConfig: {
            Privileged: inputs.boolean("privileged") ?? false,
            PublishAllPorts: inputs.boolean("publishAllPorts") ?? false,
            RestartPolicy: { Name: restart, MaximumRetryCount: inputs.number("maxRetryCount") ?? 0 },
            Runtime: inputs.string("runtime"),
            Mounts: mounts,
            AutoRemove: inputs.boolean("rm") ?? false,
            ReadonlyRootfs: inputs.boolean("readOnly") ?? false,
            LogConfig: { Type: inputs.string("logDriver") ?? "", Config: inputs.stringMap("logOpts") },
            Tmpfs: inputs.stringMap("tmpfs"),
            PortBindings: Object.keys(bindings).length > 0 ? bindings : undefined,
            ExtraHosts: hosts,
            Binds: binds.length > 0 ? binds : undefined,
            VolumesFrom: volumesFrom.length > 0 ? volumesFrom : undefined,
            Ulimits: ulimits,
            CapAdd: capabilities?.add,
            CapDrop: capabilities?.drop,
            Dns: inputs.strings("dns"),
            DnsOptions: inputs.strings("dnsOpts"),
            DnsSearch: inputs.strings("dnsSearches"),
            SecurityOpt: inputs.strings("securityOpts"),
            Memory: mb("memory"),
            MemoryReservation: mb("memoryReservation"),
            MemorySwap: memorySwap === undefined ? undefined : memorySwap > 0 ? memorySwap * 1024 * 1024 : memorySwap,
            ShmSize: mb("shmSize"),
            NanoCpus: nanoCpus,
            CpuPeriod: cpuPeriod,
            CpuQuota: cpuQuota,
            CpuShares: inputs.number("cpuShares"),
            CpusetCpus: inputs.string("cpuSet"),
            NetworkMode: networkMode,
            UsernsMode: inputs.string("usernsMode"),
            PidMode: inputs.string("pidMode"),
            Sysctls: inputs.stringMap("sysctls"),
            IpcMode: inputs.string("ipcMode"),
            GroupAdd: inputs.strings("groupAdds"),
            CgroupnsMode: inputs.string("cgroupnsMode"),
            CgroupParent: inputs.string("cgroupParent"),
            Init: inputs.boolean("init") ?? false,
            StorageOpt: inputs.stringMap("storageOpts"),
        },
        NetworkingConfig: {},
    };
    const platform = inputs.string("platform");
    inputs.done();

    const { Id: id } = await docker.createContainer(name, body, platform);
    created.containers.push({ id, grace: destroyGraceSeconds, removeVolumes });
    if (endpoints !== undefined && endpoints.length > 0) {
        // As the provider: leave the default bridge, then join each advanced network.
        try {
            await docker.disconnect("bridge", id);
        } catch (error) {
            if (!(error instanceof DockerApiError) || (error.status !== 404 && !/is not connected/.test(error.message))) throw error;
        }
        for (const endpoint of endpoints) {
            await docker.connect(endpoint.network, { Container: id, EndpointConfig: endpoint.config });
        }
    }
    if (uploads !== undefined) {
        for (const upload of uploads) {
            await docker.putArchive(id, "/", tarFiles([upload]));
        }
    }
    if (start) {
        await docker.start(id);
        if (wait) {
            await waitForHealth(id, "healthy", waitTimeout * 1000);
        }
        const state = await docker.inspect(id);
        if (mustRun && !state.State.Running && restart === "no") {
            const logs = await docker.logs(id, 20);
            throw new Error(`container ${name} (${r.name}) exited at once with code ${state.State.ExitCode}:\n${logs.stdout}${logs.stderr}`);
        }
    }
    const state = await docker.inspect(id);
    const ports: Record<string, number> = {};
    for (const [port, published] of Object.entries(state.NetworkSettings.Ports ?? {})) {
        const first = published?.[0];
        if (first !== undefined) ports[port] = Number(first.HostPort);
    }
    return { resource: r.name, id, name, ports };
}

async function teardown(created: { containers: { id: string; grace: number; removeVolumes: boolean }[]; networks: string[]; volumes: string[] }, keepVolumes: boolean): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>) => {
        try {
            await work();
        } catch (error) {
            if (!(error instanceof DockerApiError && error.status === 404)) errors.push(error);
        }
    };
    for (const c of created.containers.splice(0).reverse()) {
        // destroyGraceSeconds: the provider stops the container with that timeout before removing it.
        if (c.grace > 0) await attempt(() => docker.stop(c.id, c.grace));
        await attempt(() => docker.remove(c.id, c.removeVolumes));
    }
    for (const n of created.networks.splice(0).reverse()) await attempt(() => docker.removeNetwork(n));
    const volumes = created.volumes.splice(0);
    if (!keepVolumes) {
        for (const v of volumes.reverse()) await attempt(() => docker.removeVolume(v));
    }
    if (errors.length > 0) {
        throw new Error(`teardown left something behind: ${errors.map(String).join("; ")}`);
    }
}

/** Why Docker tests are skipped here, or undefined when a daemon answers and the images exist. */
export async function dockerSkipReason(images: readonly string[] = Object.values(LOCAL_IMAGES)): Promise<string | undefined> {
    if (!(await docker.available())) {
        return `no Docker daemon answers on ${DOCKER_SOCKET}; run npm run docker:images (it installs and starts one) to run these tests`;
    }
    for (const image of images) {
        try {
            await docker.inspectImage(image);
        } catch {
            return `image ${image} is missing; run npm run docker:images`;
        }
    }
    return undefined;
}
