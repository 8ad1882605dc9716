import { digitaloceanAdapter } from "./digitalocean";
import { dockerAdapter } from "./docker";
import { kubernetesAdapter } from "./kubernetes";
import type { PlanAdapter } from "./types";

export type { PlanAdapter, Pricing } from "./types";

/** One adapter per provider horizon's platforms use. */
export const ADAPTERS: readonly PlanAdapter[] = [digitaloceanAdapter, dockerAdapter, kubernetesAdapter];

/** The adapter that knows a type token, if any (horizon's own components have none). */
export function adapterFor(type: string): PlanAdapter | undefined {
    return ADAPTERS.find((adapter) => adapter.handles(type));
}

/** Input paths whose change replaces a resource of this type. */
export function replacementFields(type: string): readonly string[] {
    return adapterFor(type)?.replacementFields(type) ?? [];
}

/** What the cloud would compute for a new resource, for the mock runtime. */
export function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    return adapterFor(type)?.mockOutputs(type, name, inputs) ?? {};
}

/** What an invoke the program makes would return, from the adapter that knows it; undefined when none does. */
export function mockInvoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> | undefined {
    for (const adapter of ADAPTERS) {
        const result = adapter.mockInvoke?.(token, inputs);
        if (result !== undefined) {
            return result;
        }
    }
    return undefined;
}
