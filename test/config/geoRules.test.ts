import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackSpec } from "../../components/config";
import { cidrsOverlap, ipv4Range } from "../../components/core/cidr";

const APP = { name: "hits", image: "ghcr.io/acme/hits:1.4.2" } as const;

describe("geography rules", () => {
    it("warns, naming the region, when a stack peers regions without choosing their VPC ranges", () => {
        const { warnings } = parseStackSpec({
            app: APP,
            regions: [
                { name: "us-east", region: "nyc3", vpcIpRange: "10.200.0.0/20" },
                { name: "eu-west", region: "ams3" },
            ],
        });

        assert.deepEqual(warnings, [
            "region eu-west has no horizon:regions[].vpcIpRange: DigitalOcean picks one, which may overlap a range another region's datacenter reserves and then cannot be peered; set distinct ranges like 10.200.0.0/20",
        ]);
    });

    it("does not warn a one-region stack about its range", () => {
        assert.deepEqual(parseStackSpec({ app: APP, regions: [{ name: "us-east", region: "nyc3" }] }).warnings, []);
    });

    it("reads CIDRs as address spans, from the network address", () => {
        assert.deepEqual(ipv4Range("10.200.16.0/20"), [0x0ac81000, 0x0ac81fff]);
        assert.deepEqual(ipv4Range("10.200.17.5/20"), ipv4Range("10.200.16.0/20"));
        assert.equal(ipv4Range("fd00::/8"), undefined);
        assert.equal(cidrsOverlap("10.200.0.0/20", "10.200.15.0/24"), true);
        assert.equal(cidrsOverlap("10.200.0.0/20", "10.200.16.0/20"), false);
    });
});
