/**
 * How many app pods a Kubernetes node pool holds, and whether two address ranges overlap:
 * decisions config makes before any cluster exists. Plain arithmetic, no provider SDK.
 */

export interface NodeShape {
    readonly vcpus: number;
    readonly memoryMb: number;
}

/**
 * vCPUs and memory of the DigitalOcean droplet sizes a DOKS node pool can use
 * (https://www.digitalocean.com/pricing/droplets, the same slugs as tools/plan/prices.json).
 */
export const DROPLET_SHAPES: Readonly<Record<string, NodeShape>> = {
    "s-1vcpu-2gb": { vcpus: 1, memoryMb: 2048 },
    "s-2vcpu-2gb": { vcpus: 2, memoryMb: 2048 },
    "s-2vcpu-4gb": { vcpus: 2, memoryMb: 4096 },
    "s-4vcpu-8gb": { vcpus: 4, memoryMb: 8192 },
    "s-8vcpu-16gb": { vcpus: 8, memoryMb: 16384 },
    "s-1vcpu-2gb-amd": { vcpus: 1, memoryMb: 2048 },
    "s-2vcpu-2gb-amd": { vcpus: 2, memoryMb: 2048 },
    "s-2vcpu-4gb-amd": { vcpus: 2, memoryMb: 4096 },
    "s-4vcpu-8gb-amd": { vcpus: 4, memoryMb: 8192 },
    "s-8vcpu-16gb-amd": { vcpus: 8, memoryMb: 16384 },
    "s-1vcpu-2gb-intel": { vcpus: 1, memoryMb: 2048 },
    "s-2vcpu-2gb-intel": { vcpus: 2, memoryMb: 2048 },
    "s-2vcpu-4gb-intel": { vcpus: 2, memoryMb: 4096 },
    "s-4vcpu-8gb-intel": { vcpus: 4, memoryMb: 8192 },
    "s-8vcpu-16gb-intel": { vcpus: 8, memoryMb: 16384 },
    "c-2": { vcpus: 2, memoryMb: 4096 },
    "c-4": { vcpus: 4, memoryMb: 8192 },
    "c-4-intel": { vcpus: 4, memoryMb: 8192 },
    "g-2vcpu-8gb": { vcpus: 2, memoryMb: 8192 },
    "g-2vcpu-8gb-intel": { vcpus: 2, memoryMb: 8192 },
    "m-2vcpu-16gb": { vcpus: 2, memoryMb: 16384 },
    "m-2vcpu-16gb-intel": { vcpus: 2, memoryMb: 16384 },
};

/**
 * What a node keeps for itself before pods get anything: an estimate, since DigitalOcean
 * publishes no formula. It is the kubelet reservation GKE documents (memory: 25% of the first
 * 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the rest, plus a 100 MiB eviction
 * threshold; CPU: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% of the
 * rest) plus an allowance for the DaemonSets every DOKS node runs (Cilium, CSI node plugin,
 * konnectivity agent, node agent): 0.3 vCPU and 400 MB. `kubectl describe node` on a real
 * cluster shows the true Allocatable figures.
 */
export const DOKS_DAEMONSET_RESERVE = { vcpus: 0.3, memoryMb: 400 } as const;

export function systemReserve(shape: NodeShape): NodeShape {
    const tiers = (total: number, steps: readonly [number, number][], rest: number): number => {
        let left = total;
        let reserved = 0;
        for (const [size, share] of steps) {
            const part = Math.min(left, size);
            reserved += part * share;
            left -= part;
        }
        return reserved + left * rest;
    };
    const memoryMb =
        tiers(
            shape.memoryMb,
            [
                [4096, 0.25],
                [4096, 0.2],
                [8192, 0.1],
            ],
            0.06,
        ) +
        100 +
        DOKS_DAEMONSET_RESERVE.memoryMb;
    const vcpus =
        tiers(
            shape.vcpus,
            [
                [1, 0.06],
                [1, 0.01],
                [2, 0.005],
            ],
            0.0025,
        ) + DOKS_DAEMONSET_RESERVE.vcpus;
    return { vcpus, memoryMb };
}

/** CPU and memory left for pods on one node of this shape. */
export function allocatable(shape: NodeShape): NodeShape {
    const reserve = systemReserve(shape);
    return { vcpus: Math.max(0, shape.vcpus - reserve.vcpus), memoryMb: Math.max(0, shape.memoryMb - reserve.memoryMb) };
}

/** Pods requesting `pod` that fit on one node of `shape` (0 when one does not fit at all). */
export function podsPerNode(shape: NodeShape, pod: { readonly cpu: number; readonly memoryMb: number }): number {
    const free = allocatable(shape);
    // Thousandths of a CPU, as Kubernetes counts them, so 0.1 + 0.2 does not round the wrong way.
    const byCpu = Math.floor(Math.round(free.vcpus * 1000) / Math.round(pod.cpu * 1000));
    const byMemory = Math.floor(free.memoryMb / pod.memoryMb);
    return Math.min(byCpu, byMemory);
}
