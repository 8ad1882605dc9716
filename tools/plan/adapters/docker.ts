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
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${h.toString(16).padStart(8, "0").repeat(8)}`, repoDigest: `${String(inputs.name)}@sha256:${h.toString(16).padStart(8, "0").repeat(8)}` };
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
        case "docker:index/container:Container":
            return { name: inputs.name ?? `${name}-${h.toString(16).padStart(8, "0").slice(0, 7)}` };
        default:
            return {};
    }
}
