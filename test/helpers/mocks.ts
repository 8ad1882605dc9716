import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import type { StackFile } from "../../components/config/load";
import { type MockRun, type MockRunOptions, type RecordedResource, runUnderMocks } from "../../tools/mockRuntime";
import { REPOSITORY_ROOT, runEntry, toPulumiConfig } from "../../tools/plan/run";

export { type MockRun, type RecordedResource, runUnderMocks, SECRET, isSecretOutput } from "../../tools/mockRuntime";

/**
 * The one mocks helper for tests: runs a program under Pulumi's mock runtime in a root stack
 * and returns every registered resource (type, name, parent, inputs, options). Invokes that
 * no test mocked throw. Import components inside `program` (dynamic `import()`), so they
 * load after the mocks are set.
 */
export async function runProgram<T>(program: () => T | Promise<T>, options?: MockRunOptions): Promise<MockRun<pulumi.Unwrap<T>>> {
    return (await runUnderMocks(program, options)) as unknown as MockRun<pulumi.Unwrap<T>>;
}

/** A droplet's cloud-init, as the provider would receive it. */
export function userData(droplet: RecordedResource): string {
    return String(droplet.rawInputs.userData);
}

/** The app container's environment, from the env file a replica's cloud-init writes. */
export function appEnv(droplet: RecordedResource): Record<string, string> {
    const config = yaml.load(userData(droplet)) as { write_files: { path: string; content: string }[] };
    const file = config.write_files.find((f) => f.path === "/etc/horizon/app.env") ?? assert.fail("no app.env in user data");
    return Object.fromEntries(
        file.content
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** The regional component name the component tests build, and its fleet tag in stack `test`. */
export const NAME = "hits-us-east";
export const FLEET_TAG = "hits-test-us-east-fleet";

/** A health check with no default value, so each field's journey is visible. */
export const HEALTH_CHECK = {
    path: "/ready",
    protocol: "http",
    intervalSeconds: 15,
    timeoutSeconds: 4,
    healthyThreshold: 6,
    unhealthyThreshold: 7,
} as const;

/** Any IPv4 or IPv6 address, as firewall rules spell it. */
export const ANYWHERE = ["0.0.0.0/0", "::/0"];

/** Config for `runUnderMocks` from a parsed stack file (full keys, JSON values). */
export function stackConfig(file: StackFile): Pick<MockRunOptions, "config" | "secretKeys" | "stack"> {
    return {
        stack: file.stack,
        config: toPulumiConfig(file.config),
        secretKeys: [...file.secretKeys].map((key) => `horizon:${key}`),
    };
}

/** Runs the real program (`index.ts`) for a stack file, as `npm run plan` does. */
export function runIndex(file: StackFile): Promise<MockRun<Record<string, unknown>>> {
    return runEntry(REPOSITORY_ROOT.entry, file.stack, file.config, file.secretKeys);
}

export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The one resource with this type and name; fails loudly when absent. */
export function find(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) {
        const names = ofType(resources, type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
    }
    return found;
}

export const T = {
    webService: "horizon:service:WebService",
    vpc: "digitalocean:index/vpc:Vpc",
    firewall: "digitalocean:index/firewall:Firewall",
    droplet: "digitalocean:index/droplet:Droplet",
    loadBalancer: "digitalocean:index/loadBalancer:LoadBalancer",
    certificate: "digitalocean:index/certificate:Certificate",
    cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
    databaseDb: "digitalocean:index/databaseDb:DatabaseDb",
    databaseUser: "digitalocean:index/databaseUser:DatabaseUser",
    pool: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool",
    databaseFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
    volume: "digitalocean:index/volume:Volume",
    dnsRecord: "digitalocean:index/dnsRecord:DnsRecord",
    project: "digitalocean:index/project:Project",
    tag: "digitalocean:index/tag:Tag",
    doks: "digitalocean:index/kubernetesCluster:KubernetesCluster",
    password: "random:index/randomPassword:RandomPassword",
    healthGate: "pulumi-nodejs:dynamic/horizon:HealthGate",
    databaseReplica: "digitalocean:index/databaseReplica:DatabaseReplica",
    vpcPeering: "digitalocean:index/vpcPeering:VpcPeering",
} as const;
