import type { PlanAdapter } from "./types";
import { hashName } from "./types";

/** The Docker platform: everything runs on the user's own host, so nothing has a list price. */
export const dockerAdapter: PlanAdapter = {
    name: "docker",
    handles: (type) => type.startsWith("docker:"),
    replacementFields: () => [],
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
