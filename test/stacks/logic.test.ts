import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseStackSpec, readStackFile } from "../../components/config";
import { UsageError } from "../../tools/cli";
import { costPerDay, destroyedComment, reviewComment } from "../../tools/stacks/comment";
import { fromConfigMap, toConfigMap } from "../../tools/stacks/configMap";
import { parseDuration } from "../../tools/stacks/duration";
import { parsePrList, parsePrNumber, prOfStackName, reviewStackName } from "../../tools/stacks/naming";
import { cheapestDropletSize, reviewConfig, reviewDomain, type StackConfig } from "../../tools/stacks/overrides";
import { destroyRefusal, protectedResources, reviewTags, selectCollectable } from "../../tools/stacks/policy";
import { isTransientDestroyError } from "../../tools/stacks/transient";

const stacksDir = path.join(__dirname, "..", "..", "stacks");
const production = readStackFile(path.join(stacksDir, "Pulumi.production.yaml"));
const staging = readStackFile(path.join(stacksDir, "Pulumi.staging.yaml"));

describe("review stack names", () => {
    it("names pull request n's stack pr-<n> and reads the number back", () => {
        assert.equal(reviewStackName(42), "pr-42");
        assert.equal(prOfStackName("pr-42"), 42);
        for (const name of ["staging", "pr-", "pr-042", "pr-4a", "xpr-4", "pr-4-old"]) {
            assert.equal(prOfStackName(name), undefined, name);
        }
    });

    it("accepts GitHub's pull request numbers only", () => {
        assert.equal(parsePrNumber("7"), 7);
        for (const bad of ["", "0", "07", "-7", "7.0", "1e3", "seven", "12345678901"]) {
            assert.throws(() => parsePrNumber(bad), (err: Error) => err instanceof UsageError && err.message === `pull request: ${JSON.stringify(bad)} is not a pull request number; use digits like 42`);
        }
    });

    it("reads the closed list, empty included", () => {
        assert.deepEqual(parsePrList("--closed", "12,15"), [12, 15]);
        assert.deepEqual(parsePrList("--closed", " 3 , 4 "), [3, 4]);
        assert.deepEqual(parsePrList("--closed", ""), []);
        assert.throws(() => parsePrList("--closed", "12,x"), /--closed: "x" is not a pull request number/);
        assert.throws(() => parsePrList("--closed", "12,,15"), /--closed: "" is not a pull request number/);
    });
});

describe("durations", () => {
    it("reads minutes, hours and days", () => {
        assert.equal(parseDuration("--ttl", "90m"), 90 * 60_000);
        assert.equal(parseDuration("--ttl", "72h"), 72 * 3_600_000);
        assert.equal(parseDuration("--ttl", "3d"), 3 * 86_400_000);
    });

    it("rejects other units, zero and more than 90 days, naming the option", () => {
        for (const bad of ["72", "3w", "0h", "-1h", "1.5h", "91d", "h", " 3d"]) {
            assert.throws(() => parseDuration("--ttl", bad), (err: Error) => err instanceof UsageError && err.message.startsWith(`--ttl: ${JSON.stringify(bad)} is not a duration`));
        }
    });
});

describe("review configuration", () => {
    const review = (base: StackConfig, domainTemplate?: string) => reviewConfig(base, { pr: 7, domainTemplate });

    it("turns production into a safe, cheap, valid stack", () => {
        const { config } = review(production, "pr-{pr}.staging.example.com");
        assert.equal(config.protect, false);
        assert.deepEqual(config.database, { engine: "postgres", mode: "container", version: "16", size: "db-s-1vcpu-2gb", nodes: 1 });
        assert.deepEqual(config.cache, { engine: "valkey", mode: "container", size: "db-s-1vcpu-1gb", evictionPolicy: "allkeys_lru", nodes: 1 });
        assert.deepEqual(config.regions, [
            { name: "us-east", region: "nyc3", replicas: 2, size: "s-1vcpu-512mb-10gb", env: { REGION: "us-east-1" }, domains: ["pr-7.staging.example.com"] },
        ]);
        assert.deepEqual(config.loadBalancer, { algorithm: "round_robin", https: { domains: ["pr-7.staging.example.com"], redirectHttp: true } });
        assert.deepEqual(config.tags, ["horizon:pr:7"]);
        assert.doesNotThrow(() => parseStackSpec(config, { stack: "pr-7" }));
    });

    it("leaves the base's configuration untouched", () => {
        const before = JSON.stringify(production.config);
        review(production, "pr-{pr}.staging.example.com");
        assert.equal(JSON.stringify(production.config), before);
    });

    it("drops the base's domains and https without a template, so no record points at the review stack", () => {
        const { config } = review(production);
        const [region] = config.regions as Record<string, unknown>[];
        assert.equal("domains" in region, false);
        assert.deepEqual(config.loadBalancer, { algorithm: "round_robin" });
        assert.doesNotThrow(() => parseStackSpec(config, { stack: "pr-7" }));
    });

    it("keeps only the first region and at most two replicas", () => {
        const base = { ...staging, config: { ...staging.config, regions: [{ name: "a", region: "nyc3", replicas: 9 }, { name: "b", region: "ams3" }] } };
        const regions = review(base).config.regions as Record<string, unknown>[];
        assert.deepEqual(regions.map((r) => [r.name, r.replicas]), [["a", 2]]);
        const one = { ...staging, config: { ...staging.config, regions: [{ name: "a", region: "nyc3", replicas: 1 }] } };
        assert.equal((review(one).config.regions as Record<string, unknown>[])[0].replicas, 1);
    });

    it("picks the cheapest droplet size that holds app.resources", () => {
        assert.equal(cheapestDropletSize(undefined), "s-1vcpu-512mb-10gb");
        assert.equal(cheapestDropletSize({ cpu: 0.5, memoryMb: 512 }), "s-1vcpu-512mb-10gb");
        assert.equal(cheapestDropletSize({ memoryMb: 513 }), "s-1vcpu-1gb");
        assert.equal(cheapestDropletSize({ cpu: 1.5, memoryMb: 1024 }), "s-2vcpu-2gb");
        assert.equal(cheapestDropletSize({ cpu: 2, memoryMb: 8192 }), "s-4vcpu-8gb");
        assert.throws(() => cheapestDropletSize({ cpu: 64 }), /horizon:app.resources: \{"cpu":64\} is more than any droplet size/);
        const base = { ...staging, config: { ...staging.config, app: { ...(staging.config.app as object), resources: { cpu: 2, memoryMb: 3000 } } } };
        assert.equal((review(base).config.regions as Record<string, unknown>[])[0].size, "s-2vcpu-4gb");
    });

    it("sets no droplet size on other platforms", () => {
        const base = { ...staging, config: { ...staging.config, platform: "docker", regions: [{ name: "local" }] } };
        assert.deepEqual(review(base).config.regions, [{ name: "local", replicas: 2 }]);
    });

    it("puts an HAProxy tier on the cheapest size with the fewest nodes", () => {
        const base = { ...staging, config: { ...staging.config, loadBalancer: { algorithm: "least_connections", haproxy: { size: "s-2vcpu-4gb", nodes: 4 } } } };
        assert.deepEqual(review(base).config.loadBalancer, { algorithm: "least_connections", haproxy: { size: "s-1vcpu-512mb-10gb", nodes: 2 } });
        const implicit = { ...staging, config: { ...staging.config, loadBalancer: { algorithm: "source" } } };
        assert.deepEqual(review(implicit).config.loadBalancer, { algorithm: "source", haproxy: { size: "s-1vcpu-512mb-10gb", nodes: 2 } });
    });

    it("adds the pull request tag once, after the base's tags", () => {
        const base = { ...staging, config: { ...staging.config, tags: ["team:web", "horizon:pr:7"] } };
        assert.deepEqual(review(base).config.tags, ["team:web", "horizon:pr:7"]);
        assert.deepEqual(review({ ...staging, config: { ...staging.config, tags: ["team:web"] } }).config.tags, ["team:web", "horizon:pr:7"]);
    });

    it("keeps secret keys secret", () => {
        const base = { config: { ...staging.config, app: { ...(staging.config.app as object), secretEnv: { API_KEY: "k" } } }, secretKeys: new Set(["app", "gone"]) };
        assert.deepEqual([...review(base).secretKeys], ["app"]);
    });

    it("expands the domain template and rejects a bad one", () => {
        assert.equal(reviewDomain("pr-{pr}.staging.example.com", 12), "pr-12.staging.example.com");
        assert.throws(() => reviewDomain("staging.example.com", 12), /--domain-template: "staging.example.com" has no \{pr\}/);
        assert.throws(() => reviewDomain("PR_{pr}.example.com", 12), /gives "PR_12.example.com", which is not a lower-case domain name/);
    });
});

describe("config maps", () => {
    it("round-trips the Automation API's config map, secrets and other namespaces included", () => {
        const map = {
            "horizon:app": { value: '{"name":"hits","secretEnv":{"K":"v"}}', secret: true },
            "horizon:platform": { value: "droplets", secret: false },
            "horizon:protect": { value: "true", secret: false },
            "digitalocean:token": { value: "t", secret: true },
        };
        const split = fromConfigMap(map);
        assert.deepEqual(split.config, { app: { name: "hits", secretEnv: { K: "v" } }, platform: "droplets", protect: true });
        assert.deepEqual([...split.secretKeys], ["app"]);
        assert.deepEqual(toConfigMap(split, split.other), { ...map, "horizon:protect": { value: "true", secret: false } });
    });
});

describe("refusals", () => {
    const review = { name: "pr-7", tags: { "horizon:review": "true" } };
    const urn = (type: string, name: string) => `urn:pulumi:pr-7::horizon::${type}::${name}`;

    it("lets a review stack without protected resources go", () => {
        assert.equal(destroyRefusal(review, []), undefined);
    });

    it("refuses stacks not named pr-<n>, even when tagged", () => {
        assert.equal(destroyRefusal({ name: "staging", tags: { "horizon:review": "true" } }, []), "stack staging is not a review stack (review stacks are named pr-<number>); add --force to destroy it anyway");
    });

    it("refuses pr-<n> stacks the tool did not tag", () => {
        assert.match(destroyRefusal({ name: "pr-7", tags: {} }, []) ?? "", /^stack pr-7 has no horizon:review=true tag/);
        assert.match(destroyRefusal({ name: "pr-7", tags: { "horizon:review": "false" } }, []) ?? "", /has no horizon:review=true tag/);
    });

    it("refuses stacks holding protected resources and names them", () => {
        const deployment = {
            deployment: {
                resources: [
                    { urn: urn("digitalocean:index/vpc:Vpc", "hits-us-east-vpc"), protect: true },
                    { urn: urn("digitalocean:index/droplet:Droplet", "hits-us-east-droplet-0") },
                    { urn: urn("digitalocean:index/databaseCluster:DatabaseCluster", "hits-us-east-pg"), protect: true },
                    { urn: urn("digitalocean:index/volume:Volume", "hits-us-east-data-volume"), protect: false },
                ],
            },
        };
        const urns = protectedResources(deployment);
        assert.equal(urns.length, 2);
        assert.equal(destroyRefusal(review, urns), "stack pr-7 holds 2 protected resource(s) (hits-us-east-vpc, hits-us-east-pg); unprotect them (pulumi state unprotect) and add --force to destroy it");
        assert.deepEqual(protectedResources({ deployment: {} }), []);
    });
});

describe("expiry selection", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const ttlMs = 72 * 3_600_000;
    const tagged = (name: string, expires?: string, lastUpdate?: string) => ({
        name,
        tags: { "horizon:review": "true", ...(expires !== undefined ? { "horizon:expires": expires } : {}) },
        ...(lastUpdate !== undefined ? { lastUpdate } : {}),
    });

    it("selects expired, closed and (without an expiry tag) stale review stacks, nothing else", () => {
        const stacks = [
            tagged("pr-1", "2026-12-01T11:59:59Z"),
            tagged("pr-2", "2026-12-01T12:00:01Z"),
            tagged("pr-3", "2026-12-09T00:00:00Z"),
            tagged("pr-4", undefined, "2026-11-28T11:00:00Z"),
            tagged("pr-5", undefined, "2026-11-29T13:00:00Z"),
            tagged("pr-6"),
            { name: "pr-8", tags: { "horizon:expires": "2020-01-01T00:00:00Z" } },
            tagged("staging", "2020-01-01T00:00:00Z"),
            tagged("pr-10", "2026-11-01T00:00:00Z"),
        ];
        assert.deepEqual(selectCollectable(stacks, { now, ttlMs, closed: [3, 8, 99] }), [
            { name: "pr-1", pr: 1, reason: "expired at 2026-12-01T11:59:59Z" },
            { name: "pr-3", pr: 3, reason: "pull request #3 is closed" },
            { name: "pr-4", pr: 4, reason: "no horizon:expires tag and last updated 2026-11-28T11:00:00Z, longer ago than the ttl" },
            { name: "pr-10", pr: 10, reason: "expired at 2026-11-01T00:00:00Z" },
        ]);
    });

    it("tags a review stack with its pull request and expiry to the second", () => {
        assert.deepEqual(reviewTags(7, new Date("2026-12-04T12:00:00.123Z")), { "horizon:review": "true", "horizon:pr": "7", "horizon:expires": "2026-12-04T12:00:00Z" });
    });
});

describe("comment", () => {
    it("shows URL, cost per day and expiry", () => {
        const text = reviewComment({ stack: "pr-7", urls: ["https://pr-7.staging.example.com"], monthlyUsd: 33.5, pricesAsOf: "2026-11-23", expires: new Date("2026-12-04T12:00:00Z") });
        assert.equal(
            text,
            [
                "### Review stack `pr-7`",
                "",
                "| | |",
                "|---|---|",
                "| URL | <https://pr-7.staging.example.com> |",
                "| Cost | $1.20 per day (offline plan, list prices of 2026-11-23) |",
                "| Expires | 2026-12-04T12:00:00Z; destroyed then, or when the pull request closes |",
                "",
            ].join("\n"),
        );
        assert.match(destroyedComment("pr-7"), /`pr-7`\n\nDestroyed\./);
    });

    it("charges a day as 24 of DigitalOcean's 672 billed hours a month", () => {
        assert.equal(costPerDay(28), 1);
        assert.equal(costPerDay(6), 0.21);
        assert.equal(costPerDay(0), 0);
    });
});

describe("transient destroy errors", () => {
    it("matches the VPC, certificate, project, volume and rate-limit messages, not others", () => {
        for (const message of [
            'Error deleting VPC: DELETE https://api.digitalocean.com/v2/vpcs/1: 409 (request "x") Can not delete VPC with members',
            "DELETE https://api.digitalocean.com/v2/certificates/1: 403 Make sure the certificate is not in use before deleting it",
            "Error deleting project (1): 412 cannot delete a project with resources",
            "422 Droplet already has a pending event.",
            "GET https://api.digitalocean.com/v2/vpcs: 429 Too Many Requests",
        ]) {
            assert.equal(isTransientDestroyError(message), true, message);
        }
        assert.equal(isTransientDestroyError("error: resource urn:... cannot be deleted because it is protected"), false);
        assert.equal(isTransientDestroyError("401 Unable to authenticate you"), false);
    });
});
