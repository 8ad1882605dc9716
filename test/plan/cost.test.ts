import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_PRICES, estimateCost, type PriceTable } from "../../tools/plan/cost";
import { regionalUnit, resource } from "./fixtures/inventory";

const DROPLET = "digitalocean:index/droplet:Droplet";
const LB = "digitalocean:index/loadBalancer:LoadBalancer";
const DB = "digitalocean:index/databaseCluster:DatabaseCluster";

describe("estimateCost", () => {
    it("prices a production unit: replicas, HAProxy tier, load balancer, Postgres with a standby and Valkey", () => {
        const report = estimateCost(regionalUnit({ replicas: 3, haproxy: { size: "s-1vcpu-1gb", nodes: 2 } }));
        // 3 x $12 replicas + 2 x $6 HAProxy + $12 LB (1 node) + 2 x $30.45 Postgres + $15 Valkey
        assert.equal(report.monthlyUsd, 135.9);
        assert.equal(report.currency, "USD");
        assert.equal(report.pricesAsOf, DEFAULT_PRICES.asOf);
        assert.deepEqual(report.unpriced, []);
        assert.deepEqual(
            report.lines.map((l) => [l.name, l.item, l.monthlyUsd]),
            [
                ["hits-us-east-pg-cluster", "pg db-s-1vcpu-2gb x2", 60.9],
                ["hits-us-east-cache-cluster", "valkey db-s-1vcpu-1gb x1", 15],
                ["hits-us-east-fleet-droplet-0", "s-1vcpu-2gb", 12],
                ["hits-us-east-fleet-droplet-1", "s-1vcpu-2gb", 12],
                ["hits-us-east-fleet-droplet-2", "s-1vcpu-2gb", 12],
                ["hits-us-east-haproxy-node-0", "s-1vcpu-1gb", 6],
                ["hits-us-east-haproxy-node-1", "s-1vcpu-1gb", 6],
                ["hits-us-east-lb-balancer", "regional x1", 12],
            ],
        );
    });

    it("prices container mode: the data droplet and its volume per GiB, nothing for the managed database", () => {
        const report = estimateCost(regionalUnit({ replicas: 2, database: "container", cache: "none", volumeSizeGb: 50 }));
        // 2 x $12 replicas + $12 data droplet + 50 GiB x $0.10 + $12 LB
        assert.equal(report.monthlyUsd, 53);
        assert.deepEqual(
            report.lines.filter((l) => l.type === "digitalocean:index/volume:Volume").map((l) => [l.item, l.monthlyUsd]),
            [["50 GiB", 5]],
        );
    });

    it("bills every database node, standbys included", () => {
        const report = estimateCost([
            resource(DB, "pg", { engine: "pg", size: "db-s-1vcpu-2gb", nodeCount: 3, region: "nyc3" }),
            resource(DB, "cache", { engine: "valkey", size: "db-s-1vcpu-2gb", nodeCount: 2, region: "nyc3" }),
            resource(DB, "single", { engine: "pg", size: "db-s-1vcpu-1gb", region: "nyc3" }),
        ]);
        assert.deepEqual(
            report.lines.map((l) => [l.item, l.monthlyUsd]),
            [
                ["pg db-s-1vcpu-2gb x3", 91.35],
                ["valkey db-s-1vcpu-2gb x2", 60],
                ["pg db-s-1vcpu-1gb x1", 15.15],
            ],
        );
        assert.equal(report.monthlyUsd, 166.5);
    });

    it("adds whole cents, so the total carries no floating-point noise", () => {
        const volume = (name: string, size: number) => resource("digitalocean:index/volume:Volume", name, { region: "nyc3", size });
        // Summed as floats, 2.30 + 2.30 + 2.30 + 0.70 comes to 7.599999999999999.
        const report = estimateCost([volume("a", 23), volume("b", 23), volume("c", 23), volume("d", 7)]);
        assert.equal(report.monthlyUsd, 7.6);
    });

    it("prices load balancers by size unit, network load balancers per node and the global load balancer flat", () => {
        const report = estimateCost([
            resource(LB, "default", { region: "nyc3" }),
            resource(LB, "scaled", { region: "nyc3", sizeUnit: 3 }),
            resource(LB, "network", { region: "nyc3", type: "REGIONAL_NETWORK", sizeUnit: 2 }),
            resource(LB, "global", { type: "GLOBAL" }),
        ]);
        assert.deepEqual(
            report.lines.map((l) => [l.name, l.item, l.monthlyUsd]),
            [
                ["default", "regional x1", 12],
                ["scaled", "regional x3", 36],
                ["network", "regional network x2", 30],
                ["global", "global", 15],
            ],
        );
        assert.equal(report.monthlyUsd, 93);
    });

    it("prices Kubernetes node pools as droplets and the HA control plane on top", () => {
        const report = estimateCost([
            resource("digitalocean:index/kubernetesCluster:KubernetesCluster", "doks", { region: "nyc3", ha: true, nodePool: { name: "default", size: "s-2vcpu-4gb", nodeCount: 3 } }),
            resource("digitalocean:index/kubernetesNodePool:KubernetesNodePool", "doks-big", { size: "s-4vcpu-8gb", nodeCount: 2 }),
            resource("digitalocean:index/kubernetesNodePool:KubernetesNodePool", "doks-auto", { size: "s-1vcpu-2gb", autoScale: true, minNodes: 2, maxNodes: 5 }),
        ]);
        assert.deepEqual(
            report.lines.map((l) => [l.name, l.item, l.monthlyUsd]),
            [
                ["doks", "s-2vcpu-4gb x3", 72],
                ["doks", "HA control plane", 40],
                ["doks-big", "s-4vcpu-8gb x2", 96],
                ["doks-auto", "s-1vcpu-2gb x2 (autoscaling minimum, up to 5, $60.00 at 5)", 24],
            ],
        );
        assert.equal(report.monthlyUsd, 232);
    });

    it("lists resources it cannot price instead of guessing, and leaves them out of the total", () => {
        const report = estimateCost([
            resource(DROPLET, "odd", { region: "nyc3", size: "s-3vcpu-9gb" }),
            resource(DROPLET, "pending", { region: "nyc3", size: undefined }),
            resource(DB, "mysql", { engine: "mysql", size: "db-s-1vcpu-1gb", nodeCount: 1 }),
            resource(DB, "huge", { engine: "pg", size: "db-s-32vcpu-128gb", nodeCount: 1 }),
            resource(LB, "placeholder", { region: "nyc3", sizeUnit: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }),
            resource(DROPLET, "known", { region: "nyc3", size: "s-1vcpu-1gb" }),
        ]);
        assert.deepEqual(report.unpriced, [
            'odd: droplet size "s-3vcpu-9gb" is not in the price table',
            "pending: droplet size is not known at plan time",
            'mysql: database engine "mysql" is not in the price table',
            'huge: pg size "db-s-32vcpu-128gb" is not in the price table',
            "placeholder: load balancer sizeUnit is not known at plan time",
        ]);
        assert.deepEqual(report.lines.map((l) => l.name), ["known"]);
        assert.equal(report.monthlyUsd, 6);
    });

    it("does not price or warn about resources that cost nothing", () => {
        const free = regionalUnit().filter((r) => ![DROPLET, LB, DB].includes(r.type));
        const report = estimateCost(free);
        assert.deepEqual(report.lines, []);
        assert.deepEqual(report.unpriced, []);
        assert.equal(report.monthlyUsd, 0);
    });

    it("uses the price table it is given", () => {
        const prices: PriceTable = { ...DEFAULT_PRICES, asOf: "2030-01-01", droplets: { ...DEFAULT_PRICES.droplets, monthlyUsd: { "s-1vcpu-1gb": 7.5 } } };
        const report = estimateCost([resource(DROPLET, "a", { size: "s-1vcpu-1gb" }), resource(DROPLET, "b", { size: "s-1vcpu-2gb" })], prices);
        assert.equal(report.pricesAsOf, "2030-01-01");
        assert.equal(report.monthlyUsd, 7.5);
        assert.deepEqual(report.unpriced, ['b: droplet size "s-1vcpu-2gb" is not in the price table']);
    });
});

describe("prices.json", () => {
    const sections = {
        droplets: DEFAULT_PRICES.droplets,
        loadBalancers: DEFAULT_PRICES.loadBalancers,
        postgres: DEFAULT_PRICES.databases.postgres,
        valkey: DEFAULT_PRICES.databases.valkey,
        volumes: DEFAULT_PRICES.volumes,
        kubernetes: DEFAULT_PRICES.kubernetes,
    };

    it("dates every section and cites a DigitalOcean pricing page", () => {
        assert.match(DEFAULT_PRICES.asOf, /^\d{4}-\d{2}-\d{2}$/);
        for (const [name, section] of Object.entries(sections)) {
            assert.match(section.asOf, /^\d{4}-\d{2}-\d{2}$/, name);
            assert.match(section.source, /^https:\/\/(www|docs)\.digitalocean\.com\/.*pricing/, name);
        }
    });

    it("covers the sizes the stack files and defaults use", () => {
        const droplets = ["s-1vcpu-512mb-10gb", "s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb", "s-8vcpu-16gb", "c-2", "c-4", "g-2vcpu-8gb", "m-2vcpu-16gb"];
        for (const size of droplets) {
            assert.ok(DEFAULT_PRICES.droplets.monthlyUsd[size] > 0, size);
        }
        for (const size of ["db-s-1vcpu-1gb", "db-s-1vcpu-2gb", "db-s-2vcpu-4gb"]) {
            assert.ok(DEFAULT_PRICES.databases.postgres.perNodeMonthlyUsd[size] > 0, `postgres ${size}`);
            assert.ok(DEFAULT_PRICES.databases.valkey.perNodeMonthlyUsd[size] > 0, `valkey ${size}`);
        }
    });
});
