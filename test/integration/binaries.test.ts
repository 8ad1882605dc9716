import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requireBinary } from "../helpers/processes";

describe("server binaries for the integration suite", () => {
    it("a missing one fails the suite, naming the Debian package to install", () => {
        const { PATH } = process.env;
        process.env.PATH = "/nonexistent";
        try {
            assert.throws(() => requireBinary("haproxy", ["/opt/none/haproxy"], "haproxy"), {
                message: "haproxy not found (looked in /opt/none/haproxy and PATH): install the Debian package haproxy (apt-get install haproxy)",
            });
        } finally {
            process.env.PATH = PATH;
        }
    });

    it("one that is not where expected is found on PATH", () => {
        assert.match(requireBinary("sh", ["/opt/none/sh"], "dash"), /^\/.*\/sh$/);
    });
});
