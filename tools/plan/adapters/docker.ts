import type { PlanAdapter } from "./types";
import { hashName } from "./types";

const ROLLOUT_GATE = "pulumi-nodejs:dynamic/horizon:RolloutGate";

/**
 * Inputs whose change replaces the resource: terraform-provider-docker 3.x (bridged by
 * @pulumi/docker 5.2.0) marks nearly every container attribute ForceNew; only the restart
 * policy, memory and CPU shares are updated in place (internal/provider/resource_docker_container.go,
 * resourceDockerContainerUpdate). Volumes and networks have no update at all.
 */
const REPLACEMENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "docker:index/container:Container": [
        "image",
        "name",
        "envs",
        "command",
        "entrypoints",
        "labels",
        "networksAdvanced",
        "networkMode",
        "ports",
        "uploads",
        "volumes",
        "mounts",
        "healthcheck",
        "logDriver",
        "logOpts",
        "init",
        "stopTimeout",
        "user",
        "shmSize",
    ],
    "docker:index/volume:Volume": ["name", "driver", "driverOpts", "labels"],
    "docker:index/network:Network": ["name", "driver", "options", "ipamConfigs", "internal", "labels"],
    "docker:index/remoteImage:RemoteImage": ["name", "platform"],
};

/** The Docker platform: everything runs on the user's own host, so nothing has a list price. */
export const dockerAdapter: PlanAdapter = {
    name: "docker",
    handles: (type) => type.startsWith("docker:") || type === ROLLOUT_GATE,
    replacementFields: (type) => REPLACEMENT_FIELDS[type] ?? [],
    isStateful: (resource) => resource.type === "docker:index/volume:Volume",
    price: () => [],
    mockOutputs,
};

/** What the Docker engine computes: image ids and digests, and names it generates. */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const h = hashName(name);
    switch (type) {
        case "docker:index/remoteImage:RemoteImage": {
            // Another image reference is another image: its id changes, and so do the containers running it.
            const digest = hashName(`${name}:${String(inputs.name)}`).toString(16).padStart(8, "0").repeat(8);
            return { imageId: `sha256:${digest}`, repoDigest: `${String(inputs.name)}@sha256:${digest}` };
        }
        case "docker:index/image:Image":
            return { repoDigest: "", baseImageName: inputs.imageName };
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
            return { name: inputs.name ?? `${name}-${h.toString(16).padStart(8, "0").slice(0, 7)}` };
        case "docker:index/container:Container": {
            // Autonamed like any Pulumi resource: the logical name and a suffix.
            const containerName = inputs.name ?? `${name}-${h.toString(16).padStart(8, "0").slice(0, 7)}`;
            const advanced = Array.isArray(inputs.networksAdvanced) ? (inputs.networksAdvanced[0] as { name?: unknown } | undefined) : undefined;
            const network = typeof advanced?.name === "string" ? advanced.name : typeof inputs.networkMode === "string" ? inputs.networkMode : "bridge";
            return { name: containerName, networkDatas: [{ networkName: network, ipAddress: `172.18.${(h >>> 8) & 0xff}.${(h & 0x7f) + 2}` }] };
        }
        default:
            return {};
    }
}
