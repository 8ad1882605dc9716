import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import * as yaml from "js-yaml";
import { renderAppCloudInit, renderDataCloudInit } from "../../components/render/cloudInit";
import { metadataGuardScript } from "../../components/render/cloudInit/common";

/**
 * The metadata guard runs for real with iptables, in a network namespace of its own so the
 * host's rules are never touched.
 */
const NAMESPACE = `horizon-guard-${process.pid}`;
const canRun = process.getuid?.() === 0 && spawnSync("ip", ["netns", "list"]).status === 0 && spawnSync("iptables", ["--version"]).status === 0;

function inNamespace(command: string, ...args: string[]): string {
    return execFileSync("ip", ["netns", "exec", NAMESPACE, command, ...args], { encoding: "utf8" });
}

describe("the metadata guard", { skip: canRun ? false : "needs root, ip netns and iptables" }, () => {
    before(() => {
        execFileSync("ip", ["netns", "add", NAMESPACE]);
        // Docker creates DOCKER-USER when it starts; the guard runs after it.
        inNamespace("iptables", "-N", "DOCKER-USER");
    });
    after(() => {
        spawnSync("ip", ["netns", "delete", NAMESPACE]);
    });

    it("rejects forwarded traffic to the metadata address, once however often it runs", () => {
        for (let run = 0; run < 3; run++) {
            inNamespace("bash", "-c", metadataGuardScript());
        }
        const rules = inNamespace("iptables", "-S", "DOCKER-USER").trim().split("\n");
        assert.deepEqual(rules, ["-N DOCKER-USER", "-A DOCKER-USER -d 169.254.169.254/32 -j REJECT --reject-with icmp-port-unreachable"]);
    });
});

describe("droplets that run containers", () => {
    const units = (userData: string) => {
        const config = yaml.load(userData) as { write_files: { path: string; content: string }[] };
        return Object.fromEntries(config.write_files.filter((f) => f.path.endsWith(".service")).map((f) => [f.path.split("/").pop(), f.content]));
    };
    const health = { path: "/health", intervalSeconds: 10, timeoutSeconds: 5, unhealthyThreshold: 3 };

    it("start the app only after the guard, which runs after Docker", () => {
        const files = units(renderAppCloudInit({ image: "ghcr.io/acme/hits:1", containerPort: 8080, hostPort: 8080, env: {}, healthCheck: health }));
        assert.match(files["horizon-metadata-guard.service"], /^After=docker\.service$/m);
        assert.match(files["horizon-app.service"], /^Requires=docker\.service horizon-metadata-guard\.service$/m);
    });

    it("start Postgres and Valkey on the data droplet only after the guard", () => {
        const files = units(
            renderDataCloudInit({
                volumeName: "data",
                postgres: { version: "16", database: "app", user: "app", password: "pw" },
                valkey: { password: "pw", evictionPolicy: "allkeys-lru" },
            }),
        );
        for (const unit of ["horizon-postgres.service", "horizon-valkey.service"]) {
            assert.match(files[unit], /^Requires=docker\.service horizon-volume\.service horizon-metadata-guard\.service$/m, unit);
        }
    });
});
