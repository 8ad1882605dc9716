import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NetworkArgs } from "../../components/digitalocean/network";
import { find, ofType, runProgram, T } from "../helpers/mocks";

async function network(args: Partial<NetworkArgs> = {}) {
    return runProgram(async () => {
        const { Network } = await import("../../components/digitalocean/network");
        const net = new Network("hits-us-east", { region: "nyc3", ...args });
        return { vpcId: net.vpcId, ipRange: net.ipRange };
    });
}

describe("Network", () => {
    it("registers one VPC, <name>-vpc, under the component, named by Pulumi's autonaming", async () => {
        const { resources, outputs } = await network();

        assert.deepEqual(
            resources.map((r) => [r.type, r.name, r.parent]),
            [
                ["horizon:digitalocean:Network", "hits-us-east", undefined],
                [T.vpc, "hits-us-east-vpc", "hits-us-east"],
            ],
        );
        assert.deepEqual(find(resources, T.vpc, "hits-us-east-vpc").inputs, {
            region: "nyc3",
            description: "horizon network for hits-us-east",
        });
        assert.equal(outputs.vpcId, "hits-us-east-vpc-id");
    });

    it("passes an ip range through", async () => {
        const { resources, outputs } = await network({ ipRange: "10.10.0.0/20" });

        assert.equal(find(resources, T.vpc, "hits-us-east-vpc").inputs.ipRange, "10.10.0.0/20");
        assert.equal(outputs.ipRange, "10.10.0.0/20");
    });

    it("neither protects nor retains the VPC by default", async () => {
        const { options } = find((await network()).resources, T.vpc, "hits-us-east-vpc");

        assert.equal(options.protect, false);
        assert.equal(options.retainOnDelete, false);
    });

    it("waits up to 20 minutes for its members to be released when it is deleted", async () => {
        const vpc = find((await network()).resources, T.vpc, "hits-us-east-vpc");

        assert.deepEqual(vpc.customTimeouts, { delete: "20m" });
    });

    it("protects and retains the VPC with protect", async () => {
        const { options } = find((await network({ protect: true })).resources, T.vpc, "hits-us-east-vpc");

        assert.equal(options.protect, true);
        assert.equal(options.retainOnDelete, true);
    });

    it("merges a partial-object transform over the VPC args", async () => {
        const { resources } = await network({ transform: { vpc: { description: "mine", ipRange: "10.20.0.0/20" } } });

        const vpc = find(resources, T.vpc, "hits-us-east-vpc");
        assert.equal(vpc.inputs.description, "mine");
        assert.equal(vpc.inputs.ipRange, "10.20.0.0/20");
        assert.equal(vpc.inputs.region, "nyc3");
    });

    it("lets a callback transform edit args and options", async () => {
        const { resources } = await network({
            transform: {
                vpc: (args, opts) => {
                    args.description = "edited";
                    opts.ignoreChanges = ["description"];
                    opts.protect = true;
                },
            },
        });

        const vpc = find(resources, T.vpc, "hits-us-east-vpc");
        assert.equal(vpc.inputs.description, "edited");
        assert.deepEqual(vpc.options.ignoreChanges, ["description"]);
        assert.equal(vpc.options.protect, true);
        assert.equal(ofType(resources, T.vpc).length, 1);
    });
});
