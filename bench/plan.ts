import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { planScript } from "../test/helpers/planScript";

/**
 * `npm run bench:plan`: first, what a plan costs beyond loading the SDKs it needs: in fresh
 * processes, the time to load @pulumi/pulumi, @pulumi/digitalocean and @pulumi/random alone, both
 * as any program loads them (plain node) and as the plan loads them (its Node options, with what
 * it never uses deferred: tools/deferredModules.ts), and the time to plan the `production` stack
 * from a cold start (the median of five runs of each); then plan time and peak memory for fleets of 10, 100 and 1,000
 * droplets, in one region and spread over three. Each case runs in its own process, started with
 * the Node options `npm run plan` uses, so peak RSS is that case's alone and what a plan of its
 * size takes.
 *
 * Stack config caps replicas at 100 per region (DigitalOcean's per-account droplet limits make
 * larger fleets an explicit decision), so the cases build each region's components directly:
 * Network, managed Postgres and Valkey, LoadBalancer and an AppFleet with health-gated waves,
 * the same components WebService builds. The pipeline after registration is the plan's own:
 * inventory, cost estimate, Mermaid diagram and JSON.
 */

const CASES: { droplets: number; regions: number }[] = [
    { droplets: 10, regions: 1 },
    { droplets: 100, regions: 1 },
    { droplets: 1000, regions: 1 },
    { droplets: 10, regions: 3 },
    { droplets: 100, regions: 3 },
    { droplets: 1000, regions: 3 },
];

interface Measurement {
    droplets: number;
    regions: number;
    resources: number;
    registerMs: number;
    reportMs: number;
    totalMs: number;
    peakRssMb: number;
    jsonBytes: number;
}

/* eslint-disable @typescript-eslint/no-require-imports -- a case loads what it measures after it starts its clock, with require as the plan does */
async function measure(droplets: number, regions: number): Promise<Measurement> {
    const start = performance.now();
    const { runUnderMocks } = require("../tools/mockRuntime") as typeof import("../tools/mockRuntime");
    const { estimateCost } = require("../tools/plan/cost") as typeof import("../tools/plan/cost");
    const { renderMermaid } = require("../tools/plan/diagram") as typeof import("../tools/plan/diagram");
    const { toPlanned } = require("../tools/plan/run") as typeof import("../tools/plan/run");
    const run = await runUnderMocks(() => {
        const c = {
            ...(require("../components") as typeof import("../components")),
            ...(require("../components/digitalocean") as typeof import("../components/digitalocean")),
        };
        const regionSlugs = ["nyc3", "ams3", "sgp1"];
        for (let r = 0; r < regions; r++) {
            const name = `bench-r${r}`;
            const replicas = Math.floor(droplets / regions) + (r < droplets % regions ? 1 : 0);
            const healthCheck = c.healthCheckWithDefaults();
            const network = new c.Network(name, { region: regionSlugs[r] });
            const tag = c.fleetTag("bench", "bench", `r${r}`);
            const pg = new c.Postgres(name, { region: regionSlugs[r], vpcUuid: network.vpcId, trustedTag: tag, nodes: 2 });
            const cache = new c.Cache(name, { region: regionSlugs[r], vpcUuid: network.vpcId, trustedTag: tag });
            const lb = new c.LoadBalancer(name, { region: regionSlugs[r], vpcUuid: network.vpcId, dropletTag: tag, targetPort: 8080, healthCheck });
            new c.AppFleet(name, {
                region: regionSlugs[r],
                vpcUuid: network.vpcId,
                size: "s-1vcpu-2gb",
                replicas,
                fleetTag: tag,
                container: {
                    image: "ghcr.io/acme/hits:1.4.2",
                    port: 8080,
                    env: { DATABASE_URL: pg.privateUri, REDIS_URL: cache.privateUri },
                    healthCheck,
                },
                trafficSources: { loadBalancerUids: [lb.id] },
                loadBalancerId: lb.id,
            });
        }
        return {};
    }, { serializeDynamicProviders: false, trackPromises: false });
    const registered = performance.now();
    const resources = run.resources.map((r) => toPlanned(r));
    const cost = estimateCost(resources);
    renderMermaid(resources);
    const json = JSON.stringify({ stack: "bench", resources, cost, warnings: [] });
    const done = performance.now();
    return {
        droplets,
        regions,
        resources: resources.length,
        registerMs: Math.round(registered - start),
        reportMs: Math.round(done - registered),
        totalMs: Math.round(done - start),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        jsonBytes: json.length,
    };
}

/** Milliseconds from process start to the SDKs loaded, or to the production plan done. */
async function coldStart(kind: "sdk" | "production"): Promise<number> {
    const start = performance.now();
    if (kind === "sdk") {
        // As the plan loads them: what only serializing a function needs waits until it is used.
        require("../tools/deferredModules");
        require("@pulumi/pulumi");
        require("@pulumi/digitalocean");
        require("@pulumi/random");
    } else {
        const { planStack } = require("../tools/plan/run") as typeof import("../tools/plan/run");
        await planStack("production");
    }
    return performance.now() - start;
}
/* eslint-enable @typescript-eslint/no-require-imports */

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Loading the SDKs as any program does: plain node, no TypeScript loader, nothing deferred, so
 * @pulumi/pulumi also loads TypeScript and Arborist for serializing functions.
 */
function runPublishedSdks(): string {
    const script = [
        "const start = performance.now();",
        ...["@pulumi/pulumi", "@pulumi/digitalocean", "@pulumi/random"].map((sdk) => `require(${JSON.stringify(sdk)});`),
        "console.log(JSON.stringify({ ms: performance.now() - start }));",
    ].join("\n");
    return execFileSync(process.execPath, ["-e", script], { cwd: path.join(__dirname, ".."), stdio: ["ignore", "pipe", "inherit"] }).toString();
}

function runCase(env: Record<string, string>): string {
    // Each case runs in a process set up exactly like a plan's.
    return execFileSync(process.execPath, [...planScript().options, path.join(__dirname, "plan.ts")], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "inherit"],
    }).toString();
}

function main(): void {
    const cold = process.env.HORIZON_BENCH_COLD;
    if (cold === "sdk" || cold === "production") {
        void coldStart(cold).then((ms) => console.log(JSON.stringify({ ms })));
        return;
    }
    if (process.env.HORIZON_BENCH_CASE !== undefined) {
        const [droplets, regions] = process.env.HORIZON_BENCH_CASE.split("x").map(Number);
        void measure(droplets, regions).then((m) => console.log(JSON.stringify(m)));
        return;
    }
    const lastJson = <T>(out: string) => JSON.parse(out.trim().split("\n").pop() ?? "{}") as T;
    const runs = 5;
    const published = median(Array.from({ length: runs }, () => lastJson<{ ms: number }>(runPublishedSdks()).ms));
    const sdk = median(Array.from({ length: runs }, () => lastJson<{ ms: number }>(runCase({ HORIZON_BENCH_COLD: "sdk" })).ms));
    const production = median(Array.from({ length: runs }, () => lastJson<{ ms: number }>(runCase({ HORIZON_BENCH_COLD: "production" })).ms));
    console.log(`cold start, median of ${runs}:`);
    console.log(`  SDKs alone, as published, under plain node:          ${String(Math.round(published)).padStart(5)} ms`);
    console.log(`  SDKs alone, as the plan loads them (its options):    ${String(Math.round(sdk)).padStart(5)} ms`);
    console.log(
        `  plan of production:                                  ${String(Math.round(production)).padStart(5)} ms ` +
            `(${(production / published).toFixed(2)}x the SDKs as published, ${(production / sdk).toFixed(2)}x as the plan loads them)`,
    );
    console.log("");
    const results: Measurement[] = [];
    for (const c of CASES) {
        results.push(lastJson<Measurement>(runCase({ HORIZON_BENCH_CASE: `${c.droplets}x${c.regions}` })));
    }
    console.log("droplets  regions  resources  register ms  report ms  total ms  peak RSS MB  JSON KB");
    for (const m of results) {
        console.log(
            [
                String(m.droplets).padStart(8),
                String(m.regions).padStart(8),
                String(m.resources).padStart(10),
                String(m.registerMs).padStart(12),
                String(m.reportMs).padStart(10),
                String(m.totalMs).padStart(9),
                String(m.peakRssMb).padStart(12),
                String(Math.round(m.jsonBytes / 1024)).padStart(8),
            ].join(" "),
        );
    }
    console.log(JSON.stringify({ bench: "plan", node: process.version, coldStart: { publishedSdkMs: Math.round(published), sdkMs: Math.round(sdk), productionMs: Math.round(production) }, results }));
}

main();
