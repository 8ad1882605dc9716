import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { AppFleetArgs } from "../../components/digitalocean/appFleet";
import { ANYWHERE, appEnv, find, FLEET_TAG, HEALTH_CHECK, NAME, ofType, type RecordedResource, runProgram, T, userData } from "../helpers/mocks";


type FleetArgs = Omit<AppFleetArgs, "container" | "region" | "vpcUuid" | "size" | "fleetTag" | "trafficSources"> &
    Partial<Pick<AppFleetArgs, "trafficSources" | "size">> & { readonly container?: Partial<AppFleetArgs["container"]> };

/** Runs one AppFleet; `args` may be a function, to build Outputs once the mocks are set. */
async function fleet(args: FleetArgs | (() => FleetArgs)) {
    return runProgram(async () => {
        const { AppFleet } = await import("../../components/digitalocean/appFleet");
        const { container, ...rest } = typeof args === "function" ? args() : args;
        const f = new AppFleet(NAME, {
            region: "nyc3",
            vpcUuid: "vpc-1",
            size: "s-1vcpu-1gb",
            fleetTag: FLEET_TAG,
            trafficSources: { loadBalancerUids: ["lb-1"] },
            ...rest,
            container: {
                image: "ghcr.io/acme/hits:1.4.2",
                port: 8080,
                env: { LOG_LEVEL: "info" },
                healthCheck: HEALTH_CHECK,
                ...container,
            },
        });
        return { publicIps: f.publicIps, privateIps: f.privateIps, dropletIds: f.dropletIds };
    });
}

const droplets = (resources: RecordedResource[]) => ofType(resources, T.droplet);
const gates = (resources: RecordedResource[]) => ofType(resources, T.healthGate);
const firewall = (resources: RecordedResource[]) => find(resources, T.firewall, `${NAME}-fw`);

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const EGRESS = [
    ...["80", "443"].map((portRange) => ({ protocol: "tcp", portRange, destinationAddresses: ANYWHERE })),
    { protocol: "udp", portRange: "53", destinationAddresses: ANYWHERE },
    { protocol: "udp", portRange: "123", destinationAddresses: ANYWHERE },
    { protocol: "icmp", destinationAddresses: ANYWHERE },
    // Data services only ever sit on private addresses.
    ...["5432", "6379", "25060-25061"].map((portRange) => ({ protocol: "tcp", portRange, destinationAddresses: PRIVATE })),
];

describe("AppFleet droplets", () => {
    it("registers one droplet per replica and one firewall, named and parented after the fleet", async () => {
        const { resources, outputs } = await fleet({ replicas: 3, tags: ["horizon:app:hits"], sshKeys: ["key-1"] });

        assert.deepEqual(
            droplets(resources).map((d) => [d.name, d.parent]),
            [0, 1, 2].map((i) => [`${NAME}-droplet-${i}`, NAME]),
        );
        assert.deepEqual(
            ofType(resources, T.firewall).map((f) => [f.name, f.parent]),
            [[`${NAME}-fw`, NAME]],
        );
        const { userData: _userData, ...inputs } = find(resources, T.droplet, `${NAME}-droplet-1`).inputs;
        assert.deepEqual(inputs, {
            name: `${NAME}-droplet-1`,
            region: "nyc3",
            size: "s-1vcpu-1gb",
            image: "ubuntu-24-04-x64",
            vpcUuid: "vpc-1",
            monitoring: true,
            gracefulShutdown: true,
            sshKeys: ["key-1"],
            tags: ["horizon:app:hits", FLEET_TAG],
        });
        assert.equal(outputs.publicIps.length, 3);
        assert.equal(outputs.privateIps.length, 3);
        assert.equal(new Set(outputs.dropletIds).size, 3);
    });

    it("writes every health-check field into the container's Docker health flags", async () => {
        const { resources } = await fleet({ replicas: 1 });

        const text = userData(find(resources, T.droplet, `${NAME}-droplet-0`));
        assert.match(text, /--health-cmd '[^']*http:\/\/127\.0\.0\.1:8080\/ready/);
        assert.match(text, /curl -fsS -o \/dev\/null -m 4 /);
        assert.match(text, /--health-interval 15s/);
        assert.match(text, /--health-timeout 4s/);
        assert.match(text, /--health-retries 7/);
        assert.match(text, /--publish 8080:8080/);
        assert.match(text, /image=ghcr\.io\/acme\/hits:1\.4\.2/);
    });

    it("gives each replica the env, the port to listen on and its own replica id", async () => {
        const { resources } = await fleet({ replicas: 2 });

        assert.deepEqual(appEnv(find(resources, T.droplet, `${NAME}-droplet-0`)), { PORT: "8080", LOG_LEVEL: "info", HORIZON_REPLICA_ID: `${NAME}-0` });
        assert.deepEqual(appEnv(find(resources, T.droplet, `${NAME}-droplet-1`)), { PORT: "8080", LOG_LEVEL: "info", HORIZON_REPLICA_ID: `${NAME}-1` });
    });

    it("lets the app's own env override PORT", async () => {
        const { resources } = await fleet(() => ({ replicas: 1, container: { env: { PORT: "9999" } } }));

        assert.equal(appEnv(find(resources, T.droplet, `${NAME}-droplet-0`)).PORT, "9999");
    });

    it("keeps user data secret when the env carries a secret such as DATABASE_URL", async () => {
        const { resources } = await fleet(() => ({
            replicas: 2,
            container: { env: pulumi.output({ LOG_LEVEL: "info", DATABASE_URL: pulumi.secret("postgresql://app:pw@10.0.0.5:5432/app") }) },
        }));

        for (const droplet of droplets(resources)) {
            assert.deepEqual(droplet.secretInputs, ["userData"]);
            assert.equal(droplet.inputs.userData, "[secret]");
            assert.equal(appEnv(droplet).DATABASE_URL, "postgresql://app:pw@10.0.0.5:5432/app");
        }
    });

    it("keeps user data secret when it carries a registry password", async () => {
        const { resources } = await fleet(() => ({
            replicas: 1,
            container: { registry: { server: "ghcr.io", username: "bot", password: pulumi.secret("s3cret") } },
        }));

        const droplet = find(resources, T.droplet, `${NAME}-droplet-0`);
        assert.deepEqual(droplet.secretInputs, ["userData"]);
        assert.match(userData(droplet), /docker login --username bot --password-stdin ghcr\.io/);
    });

    it("passes container limits to docker run", async () => {
        const { resources } = await fleet({ replicas: 1, container: { resources: { cpu: 0.5, memoryMb: 512 } } });

        const text = userData(find(resources, T.droplet, `${NAME}-droplet-0`));
        assert.match(text, /--memory 512m/);
        assert.match(text, /--cpus 0\.5/);
    });
});

describe("AppFleet firewall", () => {
    it("admits the app port only from the load balancer and no SSH without admin CIDRs", async () => {
        const { resources } = await fleet({ replicas: 1, container: { port: 3000 } });

        assert.deepEqual(firewall(resources).inputs, {
            name: `${NAME}-fw`,
            tags: [FLEET_TAG],
            inboundRules: [{ protocol: "tcp", portRange: "3000", sourceLoadBalancerUids: ["lb-1"] }],
            outboundRules: EGRESS,
        });
    });

    it("admits SSH only from the admin CIDRs", async () => {
        const { resources } = await fleet({ replicas: 1, adminCidrs: ["203.0.113.0/24", "2001:db8::/32"] });

        assert.deepEqual(firewall(resources).inputs.inboundRules, [
            { protocol: "tcp", portRange: "8080", sourceLoadBalancerUids: ["lb-1"] },
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24", "2001:db8::/32"] },
        ]);
    });

    it("opens egress to a registry on a port of its own, which the web ports would not reach", async () => {
        const registry = { server: "registry.example.com:5000", username: "ci", password: "secret" };
        const { resources } = await fleet({ replicas: 1, container: { registry } });

        const outbound = firewall(resources).inputs.outboundRules as { portRange?: string; destinationAddresses?: string[] }[];
        assert.deepEqual(outbound.find((rule) => rule.portRange === "5000")?.destinationAddresses, ANYWHERE);
        const defaultPort = await fleet({ replicas: 1, container: { registry: { ...registry, server: "registry.example.com:443" } } });
        assert.deepEqual(firewall(defaultPort.resources).inputs.outboundRules, EGRESS);
    });

    it("admits the app port from tagged droplets when the sources are tags", async () => {
        const { resources } = await fleet({ replicas: 1, trafficSources: { tags: ["hits-test-us-east-fleet-haproxy"] } });

        assert.deepEqual(firewall(resources).inputs.inboundRules, [
            { protocol: "tcp", portRange: "8080", sourceTags: ["hits-test-us-east-fleet-haproxy"] },
        ]);
    });
});

describe("AppFleet rollout", () => {
    const dependsOn = (resources: RecordedResource[], type: string, name: string) => find(resources, type, name).options.dependsOn;

    it("rolls 3 replicas at 25% in 3 gated waves of 1", async () => {
        const { resources } = await fleet({ replicas: 3, loadBalancerId: "lb-1", maxSurge: "25%" });

        assert.deepEqual(
            gates(resources).map((g) => [g.name, g.parent, g.options.dependsOn]),
            [0, 1, 2].map((w) => [`${NAME}-gate-${w}`, NAME, [`${NAME}-droplet-${w}`]]),
        );
        assert.deepEqual(dependsOn(resources, T.droplet, `${NAME}-droplet-0`), []);
        assert.deepEqual(dependsOn(resources, T.droplet, `${NAME}-droplet-1`), [`${NAME}-gate-0`]);
        assert.deepEqual(dependsOn(resources, T.droplet, `${NAME}-droplet-2`), [`${NAME}-gate-1`]);
    });

    it("rolls 8 replicas at 25% in 4 gated waves of 2", async () => {
        const { resources } = await fleet({ replicas: 8, loadBalancerId: "lb-1", maxSurge: "25%" });

        assert.deepEqual(
            gates(resources).map((g) => g.options.dependsOn),
            [0, 1, 2, 3].map((w) => [`${NAME}-droplet-${2 * w}`, `${NAME}-droplet-${2 * w + 1}`]),
        );
        for (let i = 0; i < 8; i++) {
            const wave = Math.floor(i / 2);
            assert.deepEqual(dependsOn(resources, T.droplet, `${NAME}-droplet-${i}`), wave === 0 ? [] : [`${NAME}-gate-${wave - 1}`]);
        }
    });

    it("rolls in waves of 25% by default and passes the gate settings", async () => {
        const { resources, outputs } = await fleet({ replicas: 4, loadBalancerId: "lb-1", minReadySeconds: 20, readyTimeoutSeconds: 900 });

        assert.equal(gates(resources).length, 4);
        const { __provider, ...gate } = find(resources, T.healthGate, `${NAME}-gate-1`).inputs;
        assert.equal(typeof __provider, "string");
        assert.deepEqual(gate, {
            loadBalancerId: "lb-1",
            dropletIds: [outputs.dropletIds[1]],
            fleetTag: FLEET_TAG,
            minReadySeconds: 20,
            readyTimeoutSeconds: 900,
            pollIntervalSeconds: 10,
        });
    });

    it("takes a count as maxSurge", async () => {
        const { resources } = await fleet({ replicas: 5, loadBalancerId: "lb-1", maxSurge: 2 });

        assert.deepEqual(
            gates(resources).map((g) => g.options.dependsOn.length),
            [2, 2, 1],
        );
    });

    it("creates no gates without a load balancer to read health from", async () => {
        const { resources } = await fleet({ replicas: 3, deploymentStrategy: "rolling" });

        assert.equal(gates(resources).length, 0);
        assert.ok(droplets(resources).every((d) => d.options.dependsOn.length === 0));
    });

    it("creates replacements before deleting with rolling", async () => {
        const { resources } = await fleet({ replicas: 2, loadBalancerId: "lb-1" });

        assert.ok(droplets(resources).every((d) => !d.options.deleteBeforeReplace));
    });

    it("deletes before replacing every droplet, without gates, with replace", async () => {
        const { resources } = await fleet({ replicas: 3, loadBalancerId: "lb-1", deploymentStrategy: "replace" });

        assert.equal(droplets(resources).length, 3);
        assert.ok(droplets(resources).every((d) => d.options.deleteBeforeReplace && d.options.dependsOn.length === 0));
        assert.equal(gates(resources).length, 0);
    });
});

describe("AppFleet transforms", () => {
    it("merges partial-object transforms over the droplet and firewall args", async () => {
        const { resources } = await fleet({
            replicas: 2,
            transform: { droplet: { size: "s-2vcpu-4gb", backups: true }, firewall: { name: "custom-fw" } },
        });

        for (const droplet of droplets(resources)) {
            assert.equal(droplet.inputs.size, "s-2vcpu-4gb");
            assert.equal(droplet.inputs.backups, true);
            assert.equal(droplet.inputs.region, "nyc3");
        }
        assert.equal(firewall(resources).inputs.name, "custom-fw");
    });

    it("lets a callback transform edit each droplet's args and options", async () => {
        const { resources } = await fleet({
            replicas: 2,
            loadBalancerId: "lb-1",
            transform: {
                droplet: (args, opts) => {
                    args.tags = ["extra"];
                    opts.ignoreChanges = ["userData"];
                },
            },
        });

        for (const droplet of droplets(resources)) {
            assert.deepEqual(droplet.inputs.tags, ["extra"]);
            assert.deepEqual(droplet.options.ignoreChanges, ["userData"]);
        }
        assert.deepEqual(find(resources, T.droplet, `${NAME}-droplet-1`).options.dependsOn, [`${NAME}-gate-0`]);
    });
});
