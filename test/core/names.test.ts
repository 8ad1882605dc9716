import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { waveSize, waves } from "../../components/core/rollout";
import { childName, fleetTag, projectEnvironment, standardTags, toTag } from "../../components/core/names";

describe("waveSize", () => {
    it("takes a percentage of the replicas, rounded up", () => {
        assert.equal(waveSize(3, "25%"), 1);
        assert.equal(waveSize(8, "25%"), 2);
        assert.equal(waveSize(10, "25%"), 3);
        assert.equal(waveSize(4, "50%"), 2);
        assert.equal(waveSize(5, "50%"), 3);
    });

    it("takes a count as is", () => {
        assert.equal(waveSize(10, 3), 3);
        assert.equal(waveSize(10, 1), 1);
    });

    it("never goes below one nor above the replicas", () => {
        assert.equal(waveSize(1, "1%"), 1);
        assert.equal(waveSize(3, "100%"), 3);
        assert.equal(waveSize(3, 10), 3);
        assert.equal(waveSize(3, 0), 1);
    });
});

describe("waves", () => {
    it("splits the indexes into consecutive waves, the last one shorter", () => {
        assert.deepEqual(waves(3, 1), [[0], [1], [2]]);
        assert.deepEqual(waves(8, 2), [[0, 1], [2, 3], [4, 5], [6, 7]]);
        assert.deepEqual(waves(5, 2), [[0, 1], [2, 3], [4]]);
        assert.deepEqual(waves(3, 3), [[0, 1, 2]]);
    });

    it("returns no waves for no replicas", () => {
        assert.deepEqual(waves(0, 1), []);
    });
});

describe("toTag", () => {
    it("keeps letters, digits, ':', '_' and '-'", () => {
        assert.equal(toTag("horizon:app:hits_v2-x"), "horizon:app:hits_v2-x");
    });

    it("replaces every other character with '-'", () => {
        assert.equal(toTag("a.b/c d@e"), "a-b-c-d-e");
    });

    it("cuts at 255 characters", () => {
        assert.equal(toTag("x".repeat(300)).length, 255);
    });
});

describe("fleetTag", () => {
    it("names app, stack and region", () => {
        assert.equal(fleetTag("hits", "production", "us-east"), "hits-production-us-east-fleet");
    });

    it("differs per stack and per region", () => {
        assert.notEqual(fleetTag("hits", "production", "us-east"), fleetTag("hits", "staging", "us-east"));
        assert.notEqual(fleetTag("hits", "production", "us-east"), fleetTag("hits", "production", "eu-west"));
    });

    it("is a valid tag whatever the stack is called", () => {
        assert.equal(fleetTag("hits", "pr.42/x", "us-east"), "hits-pr-42-x-us-east-fleet");
    });
});

describe("standardTags", () => {
    it("puts app and stack first, then the extra tags, without duplicates", () => {
        assert.deepEqual(standardTags("hits", "staging", ["team:web", "horizon:app:hits", "a b"]), [
            "horizon:app:hits",
            "horizon:stack:staging",
            "team:web",
            "a-b",
        ]);
    });
});

describe("projectEnvironment", () => {
    it("maps stack names to DigitalOcean's three environments", () => {
        assert.equal(projectEnvironment("production"), "Production");
        assert.equal(projectEnvironment("prod-eu"), "Production");
        assert.equal(projectEnvironment("staging"), "Staging");
        assert.equal(projectEnvironment("pr-42"), "Staging");
        assert.equal(projectEnvironment("preview-feature"), "Staging");
        assert.equal(projectEnvironment("us-east"), "Development");
        assert.equal(projectEnvironment("dev"), "Development");
    });

    it("files a stack that protects its data as Production, unless it is named for staging", () => {
        assert.equal(projectEnvironment("us-east", true), "Production");
        assert.equal(projectEnvironment("staging", true), "Staging");
    });
});

describe("childName", () => {
    it("joins the component name and the role with '-'", () => {
        assert.equal(childName("hits-us-east", "vpc"), "hits-us-east-vpc");
        assert.equal(childName("hits", "us-east"), "hits-us-east");
    });
});
