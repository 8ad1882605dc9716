import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import type { StackFile } from "../../components/config/load";
import { type GateReplica, waitForReplicasUp } from "../../components/docker/rolloutGateProvider";
import { type ContainerHandle, docker, DOCKER_TYPES, LOCAL_IMAGES, type StartedStack } from "./dockerEngine";
import type { RecordedResource } from "./mocks";

/**
 * A docker stack's configuration for tests and the bench, and the steps a second `pulumi up`
 * takes for the difference between two registrations of the program.
 */

export const GATE_TYPE = "pulumi-nodejs:dynamic/horizon:RolloutGate";
export const MEMORY_MB = 160;
const DOCKER_CLI = fs.existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

export function stackFile(ports: { app: number; stats: number }, image: string, env: Record<string, string> = {}): StackFile {
    return {
        stack: "dockertest",
        file: "stacks/Pulumi.dockertest.yaml",
        secretKeys: new Set(),
        config: {
            platform: "docker",
            app: {
                name: "hits",
                image,
                env,
                healthCheck: { intervalSeconds: 3, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 },
                minReadySeconds: 2,
                resources: { memoryMb: MEMORY_MB, cpu: 0.5 },
                maxSurge: 1,
            },
            regions: [{ name: "local", replicas: 3 }],
            loadBalancer: { algorithm: "round_robin" },
            database: { mode: "container", version: "15" },
            cache: { mode: "container" },
            docker: {
                publish: `127.0.0.1:${ports.app}`,
                statsPublish: `127.0.0.1:${ports.stats}`,
                images: { haproxy: LOCAL_IMAGES.haproxy, postgres: LOCAL_IMAGES.postgres, valkey: LOCAL_IMAGES.valkey },
            },
        },
    };
}

export const ofType = (resources: readonly RecordedResource[], type: string) => resources.filter((r) => r.type === type);
export const replicasOf = (resources: readonly RecordedResource[]) =>
    ofType(resources, DOCKER_TYPES.container).filter((r) => /-app-\d+$/.test(r.name));

export async function gateReplica(handle: ContainerHandle): Promise<GateReplica> {
    const state = await docker.inspect(handle.id);
    const address = Object.values(state.NetworkSettings.Networks)[0]?.IPAddress ?? "";
    assert.notEqual(address, "", `container ${handle.name} has no address on its network yet`);
    return { name: handle.name, address };
}

/**
 * What `pulumi up` does with the difference between two registrations: per gate, in order,
 * create the changed replicas its wave holds beside the old ones and wait on HAProxy's stats
 * as the gate's provider does (its code, its recorded inputs); after every wave passed,
 * delete the replaced containers. A gate that fails stops here, leaving the old ones.
 */
export async function rollOut(stack: StartedStack, before: readonly RecordedResource[], after: readonly RecordedResource[], suffix: string, readyTimeoutSeconds?: number) {
    const old = new Map(before.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.rawInputs)]));
    const changed = (r: RecordedResource) => old.get(`${r.type}::${r.name}`) !== JSON.stringify(r.rawInputs);
    const images = ofType(after, DOCKER_TYPES.remoteImage).filter(changed);
    const replaced = replicasOf(after).filter(changed);
    const started: Record<string, ContainerHandle> = {};
    const gates = ofType(after, GATE_TYPE).sort((a, b) => a.name.localeCompare(b.name));
    for (const gate of gates) {
        const wave = replaced.filter((r) => gate.options.dependsOn.includes(r.name));
        if (wave.length === 0) continue;
        Object.assign(started, await stack.add([...images.splice(0), ...wave], suffix));
        await waitForReplicasUp({
            statsUrl: String(gate.rawInputs.statsUrl),
            backend: String(gate.rawInputs.backend),
            replicas: await Promise.all(wave.map((r) => gateReplica(started[r.name]))),
            minReadySeconds: Number(gate.rawInputs.minReadySeconds),
            readyTimeoutSeconds: readyTimeoutSeconds ?? Number(gate.rawInputs.readyTimeoutSeconds),
            pollIntervalSeconds: 0.5,
        });
    }
    for (const r of replaced) {
        await stack.remove(stack.containers[r.name]);
        stack.containers[r.name] = started[r.name];
    }
    return started;
}

export function tag(source: string, target: string): void {
    const result = spawnSync(DOCKER_CLI, ["tag", source, target], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
}

