import * as assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { load } from "js-yaml";
import {
    AppCloudInitInput,
    DataCloudInitInput,
    renderAppCloudInit,
    renderDataCloudInit,
    renderHaproxyCloudInit,
} from "../../components/render/cloudInit";
import { renderHealthCommand } from "../../components/render/healthCheck";
import { matchSnapshot } from "../helpers/snapshot";

interface WriteFileEntry {
    path: string;
    owner: string;
    permissions: string;
    content: string;
    defer?: boolean;
}

interface CloudConfig {
    package_update: boolean;
    packages: string[];
    write_files: WriteFileEntry[];
    runcmd: (string | string[])[];
}

const REGISTRY_PASSWORD = "dop_v1_registry-secret";
const DATABASE_PASSWORD = "pg-Secret_42";
const CACHE_PASSWORD = "vk-Secret_77";

// The shape of the stack spec's app.healthCheck, port and healthyThreshold included.
const HEALTH_CHECK = { path: "/healthz", port: 8080, intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 3 };

const MINIMAL_APP: AppCloudInitInput = {
    image: "ghcr.io/acme/hits:1.4.2",
    containerPort: 3000,
    hostPort: 8080,
    env: { PORT: "3000", HORIZON_REPLICA_ID: "0" },
    healthCheck: HEALTH_CHECK,
};

const PRIVATE_APP: AppCloudInitInput = {
    image: "registry.digitalocean.com/acme/hits:1.4.2",
    containerName: "hits",
    containerPort: 3000,
    hostPort: 8080,
    env: {
        PORT: "3000",
        HORIZON_REPLICA_ID: "2",
        DATABASE_URL: `postgresql://hits:${DATABASE_PASSWORD}@private-db.example.internal:25060/hits?sslmode=require`,
        REDIS_URL: `rediss://default:${CACHE_PASSWORD}@private-cache.example.internal:25061`,
        GREETING: "it's \"quoted\" & $NOT_EXPANDED",
    },
    healthCheck: { ...HEALTH_CHECK, path: "/healthz?deep=1&db=yes", startPeriodSeconds: 60 },
    registry: { server: "registry.digitalocean.com", username: "acme-deployer", password: REGISTRY_PASSWORD },
    log: { maxSizeMb: 20, maxFiles: 3 },
    memoryMb: 512,
    cpus: 1.5,
    stopTimeoutSeconds: 45,
};

const POSTGRES = { version: "17", database: "hits", user: "hits", password: DATABASE_PASSWORD };
const VALKEY = { password: CACHE_PASSWORD, evictionPolicy: "allkeys-lru", maxMemoryMb: 256 } as const;
const DATA_BOTH: DataCloudInitInput = { volumeName: "staging-data", postgres: POSTGRES, valkey: VALKEY };

const HAPROXY_CONFIG = "global\n    log stdout format raw local0\n\ndefaults\n    mode http\n";

const DOCUMENTS: { name: string; render: () => string }[] = [
    { name: "app-minimal.yaml", render: () => renderAppCloudInit(MINIMAL_APP) },
    { name: "app-registry-limits.yaml", render: () => renderAppCloudInit(PRIVATE_APP) },
    { name: "data-both.yaml", render: () => renderDataCloudInit(DATA_BOTH) },
    { name: "data-postgres.yaml", render: () => renderDataCloudInit({ volumeName: "staging-pg", postgres: { ...POSTGRES, port: 15432 } }) },
    { name: "data-valkey.yaml", render: () => renderDataCloudInit({ volumeName: "staging-cache", valkey: { password: CACHE_PASSWORD, evictionPolicy: "volatile-ttl" } }) },
    { name: "haproxy.yaml", render: () => renderHaproxyCloudInit({ haproxyConfig: HAPROXY_CONFIG }) },
];

function parse(userData: string): CloudConfig {
    assert.ok(userData.startsWith("#cloud-config\n"), "user data must start with the #cloud-config line");
    return load(userData) as CloudConfig;
}

function file(config: CloudConfig, filePath: string): WriteFileEntry {
    const entry = config.write_files.find((candidate) => candidate.path === filePath);
    assert.ok(entry, `no write_files entry for ${filePath}; have ${config.write_files.map((candidate) => candidate.path).join(", ")}`);
    return entry;
}

function shellcheck(script: string, shell: "bash" | "sh", label: string): void {
    const result = spawnSync("shellcheck", ["--shell", shell, "-"], { input: script, encoding: "utf8" });
    if (result.error) {
        assert.fail(`shellcheck could not run (${result.error.message}); install it: apt-get install shellcheck`);
    }
    assert.equal(result.status, 0, `shellcheck reports problems in ${label}:\n${result.stdout}${result.stderr}`);
}

/** Work on a copy of a rendered script with droplet paths swapped for test ones, failing if a path is gone. */
function rewrite(script: string, replacements: [string, string][]): string {
    return replacements.reduce((text, [from, to]) => {
        assert.ok(text.includes(from), `expected the script to contain ${JSON.stringify(from)}`);
        return text.split(from).join(to);
    }, script);
}

function tempDir(t: { after: (fn: () => void) => void }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "horizon-cloud-init-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

function writeExecutable(filePath: string, content: string): void {
    fs.writeFileSync(filePath, content, { mode: 0o755 });
}

describe("cloud-init user data", () => {
    for (const document of DOCUMENTS) {
        it(`${document.name} matches its snapshot`, () => {
            matchSnapshot(`cloudInit/${document.name}`, document.render());
        });
    }

    it("starts with #cloud-config and parses as YAML that updates apt and writes files", () => {
        for (const document of DOCUMENTS) {
            const config = parse(document.render());
            assert.equal(config.package_update, true, document.name);
            assert.ok(config.packages.length > 0, document.name);
            assert.ok(config.write_files.length > 0, document.name);
        }
    });

    it("embeds only scripts that shellcheck passes", () => {
        let checked = 0;
        for (const document of DOCUMENTS) {
            const config = parse(document.render());
            for (const entry of config.write_files.filter((candidate) => candidate.content.startsWith("#!"))) {
                shellcheck(entry.content, "bash", `${document.name}: ${entry.path}`);
                checked++;
            }
            for (const command of config.runcmd.filter((entry): entry is string => typeof entry === "string")) {
                shellcheck(command, "bash", `${document.name}: runcmd ${command}`);
                checked++;
            }
        }
        assert.equal(checked, 15, "every container, volume, metadata guard and haproxy script is checked");
    });
});

describe("renderAppCloudInit", () => {
    it("writes the env file root-only, one verbatim KEY=value line per variable in key order", () => {
        const envFile = file(parse(renderAppCloudInit(PRIVATE_APP)), "/etc/horizon/app.env");
        assert.equal(envFile.permissions, "0600");
        assert.equal(envFile.owner, "root:root");
        assert.equal(
            envFile.content,
            [
                `DATABASE_URL=postgresql://hits:${DATABASE_PASSWORD}@private-db.example.internal:25060/hits?sslmode=require`,
                "GREETING=it's \"quoted\" & $NOT_EXPANDED",
                "HORIZON_REPLICA_ID=2",
                "PORT=3000",
                `REDIS_URL=rediss://default:${CACHE_PASSWORD}@private-cache.example.internal:25061`,
                "",
            ].join("\n"),
        );
    });

    it("keeps every credential out of scripts, units and runcmd", () => {
        const config = parse(renderAppCloudInit(PRIVATE_APP));
        assert.equal(file(config, "/etc/horizon/registry-password").content, REGISTRY_PASSWORD);
        assert.equal(file(config, "/etc/horizon/registry-password").permissions, "0600");
        const credentialFiles = ["/etc/horizon/app.env", "/etc/horizon/registry-password"];
        const nonCredentialTexts = [
            ...config.write_files.filter((entry) => !credentialFiles.includes(entry.path)).map((entry) => entry.content),
            JSON.stringify(config.runcmd),
        ];
        for (const text of nonCredentialTexts) {
            for (const secret of [REGISTRY_PASSWORD, DATABASE_PASSWORD, CACHE_PASSWORD]) {
                assert.ok(!text.includes(secret), `a non-credential file carries ${secret}:\n${text}`);
            }
        }
    });

    it("hands the registry password to docker login on stdin, never in its arguments", async (t) => {
        const dir = tempDir(t);
        const script = file(parse(renderAppCloudInit(PRIVATE_APP)), "/usr/local/bin/horizon-app").content;
        fs.writeFileSync(path.join(dir, "registry-password"), REGISTRY_PASSWORD);
        writeExecutable(
            path.join(dir, "docker"),
            `#!/bin/sh\nprintf '%s\\n' "$*" >>"${dir}/argv"\nif [ "$1" = login ]; then cat >"${dir}/stdin"; fi\n`,
        );
        const testScript = rewrite(script, [["/etc/horizon/registry-password", path.join(dir, "registry-password")]]);
        await promisify(execFile)("bash", ["-c", testScript], { env: { PATH: `${dir}:/usr/bin:/bin` } });

        assert.equal(fs.readFileSync(path.join(dir, "stdin"), "utf8"), REGISTRY_PASSWORD);
        const argv = fs.readFileSync(path.join(dir, "argv"), "utf8");
        assert.ok(!argv.includes(REGISTRY_PASSWORD), argv);
        assert.match(argv, /^login --username acme-deployer --password-stdin registry\.digitalocean\.com$/m);
    });

    it("starts the image already on the droplet when the pull fails, and stops when there is none", async (t) => {
        const dir = tempDir(t);
        const script = file(parse(renderAppCloudInit(MINIMAL_APP)), "/usr/local/bin/horizon-app").content;
        writeExecutable(
            path.join(dir, "docker"),
            [
                "#!/bin/sh",
                `printf '%s\\n' "$1" >>"${dir}/calls"`,
                'case "$1" in pull) exit 1 ;; image) exit "$HAVE_IMAGE" ;; esac',
                "",
            ].join("\n"),
        );
        const run = (haveImage: string) =>
            spawnSync("bash", ["-c", script], { env: { PATH: `${dir}:/usr/bin:/bin`, HAVE_IMAGE: haveImage }, encoding: "utf8" });

        assert.equal(run("0").status, 0);
        assert.equal(fs.readFileSync(path.join(dir, "calls"), "utf8"), "pull\nimage\nrm\nrun\n");
        fs.rmSync(path.join(dir, "calls"));
        assert.notEqual(run("1").status, 0);
        assert.equal(fs.readFileSync(path.join(dir, "calls"), "utf8"), "pull\nimage\n");
    });

    it("runs the container from the spec: restart policy, env file, port, health check, log rotation, limits", () => {
        const script = file(parse(renderAppCloudInit(PRIVATE_APP)), "/usr/local/bin/horizon-app").content;
        const runOptions = script.slice(script.indexOf("docker run")).split(" \\\n").map((line) => line.trim());
        for (const option of [
            "--restart unless-stopped",
            "--init",
            "--env-file /etc/horizon/app.env",
            "--publish 8080:3000",
            "--health-interval 10s",
            "--health-timeout 5s",
            "--health-retries 3",
            "--health-start-period 60s",
            "--log-driver json-file",
            "--log-opt max-size=20m",
            "--log-opt max-file=3",
            "--memory 512m",
            "--cpus 1.5",
            "--stop-timeout 45",
        ]) {
            assert.ok(runOptions.includes(option), `docker run lacks ${option}:\n${script}`);
        }
        assert.ok(script.includes("name=hits\n"));
    });

    it("defaults the container name, log rotation, start period and stop timeout", () => {
        const config = parse(renderAppCloudInit(MINIMAL_APP));
        const script = file(config, "/usr/local/bin/horizon-app").content;
        for (const expected of ["name=app\n", "--log-opt max-size=10m", "--log-opt max-file=5", "--health-start-period 30s", "--stop-timeout 30"]) {
            assert.ok(script.includes(expected), `script lacks ${expected}:\n${script}`);
        }
        assert.ok(!script.includes("docker login"));
        assert.ok(!script.includes("--memory") && !script.includes("--cpus"));
        assert.ok(file(config, "/etc/systemd/system/horizon-app.service").content.includes("ExecStop=/usr/bin/docker stop app\n"));
    });

    it("installs docker.io and (re)starts the container at every boot through a unit after docker.service", () => {
        const config = parse(renderAppCloudInit(MINIMAL_APP));
        assert.deepEqual(config.packages, ["docker.io"]);
        assert.deepEqual(config.runcmd, [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "horizon-app.service"],
        ]);
        const unit = file(config, "/etc/systemd/system/horizon-app.service").content;
        for (const line of ["Requires=docker.service horizon-metadata-guard.service", "Type=oneshot", "RemainAfterExit=yes", "ExecStart=/usr/local/bin/horizon-app", "WantedBy=multi-user.target"]) {
            assert.ok(unit.split("\n").includes(line), `unit lacks ${line}:\n${unit}`);
        }
        assert.match(unit, /^After=.*\bdocker\.service\b/m);
    });

    it("rejects an env key Docker or a shell could not use, naming it", () => {
        assert.throws(() => renderAppCloudInit({ ...MINIMAL_APP, env: { "FEATURE-FLAG": "on" } }), {
            message:
                'horizon:app.env: "FEATURE-FLAG" is not a valid environment variable name; use letters, digits and "_", not starting with a digit (^[A-Za-z_][A-Za-z0-9_]*$)',
        });
    });

    it("rejects an env value with a line break, naming its key without echoing the value", () => {
        assert.throws(() => renderAppCloudInit({ ...MINIMAL_APP, env: { TLS_KEY: "-----BEGIN KEY-----\nsecret" } }), {
            message:
                "horizon:app.env.TLS_KEY: the value contains a line break, which a Docker env file cannot hold; put it on one line (base64-encode it if it must carry line breaks)",
        });
    });
});

describe("renderHealthCommand", () => {
    let server: http.Server;
    let port: number;

    before(async () => {
        server = http.createServer((request, response) => {
            response.writeHead(request.url === "/healthz" ? 204 : 503).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
    });

    after(() => server.close());

    async function probe(tools: string[], probePath: string, t: { after: (fn: () => void) => void }): Promise<number> {
        const bin = tempDir(t);
        for (const tool of tools) {
            fs.symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
        }
        const command = renderHealthCommand(port, { path: probePath, timeoutSeconds: 3 });
        const child = spawn("/bin/sh", ["-c", command], { env: { PATH: bin }, stdio: "ignore" });
        return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    }

    for (const tool of ["curl", "wget", "node"]) {
        it(`probes with ${tool} when the image has only ${tool}: 0 when healthy, 1 when not`, async (t) => {
            assert.equal(await probe([tool], "/healthz", t), 0);
            assert.equal(await probe([tool], "/broken", t), 1);
        });
    }

    it("reports unhealthy when the image has none of curl, wget and node", async (t) => {
        assert.equal(await probe([], "/healthz", t), 1);
    });

    it("is a POSIX sh command that shellcheck passes", () => {
        shellcheck(renderHealthCommand(3000, { path: "/healthz?deep=1&db=yes", timeoutSeconds: 5 }), "sh", "the health command");
    });
});

describe("renderDataCloudInit", () => {
    it("keeps the Postgres and Valkey passwords in root-only files and out of scripts, units and runcmd", () => {
        const config = parse(renderDataCloudInit(DATA_BOTH));
        const postgresEnv = file(config, "/etc/horizon/postgres.env");
        const valkeyConfig = file(config, "/etc/horizon/valkey.conf");
        assert.equal(postgresEnv.permissions, "0600");
        assert.equal(valkeyConfig.permissions, "0600");
        assert.equal(postgresEnv.content, `POSTGRES_DB=hits\nPOSTGRES_PASSWORD=${DATABASE_PASSWORD}\nPOSTGRES_USER=hits\n`);
        assert.ok(valkeyConfig.content.includes(`requirepass "${CACHE_PASSWORD}"\n`));
        for (const entry of config.write_files.filter((candidate) => candidate !== postgresEnv && candidate !== valkeyConfig)) {
            assert.ok(!entry.content.includes(DATABASE_PASSWORD) && !entry.content.includes(CACHE_PASSWORD), entry.path);
        }
        assert.ok(!JSON.stringify(config.runcmd).includes(DATABASE_PASSWORD));
    });

    it("writes a Valkey config the server loads, with a password of quotes, backslashes and spaces", async (t) => {
        // Valkey forked Redis 7.2 and kept its config parser; Debian's redis-server stands in for it.
        const dir = tempDir(t);
        const password = `p@ss "w0rd" \\ #1 'x'`;
        const config = parse(renderDataCloudInit({ volumeName: "data", valkey: { ...VALKEY, password } }));
        // The server changes into `dir` while it reads the file, before command-line options apply.
        fs.writeFileSync(path.join(dir, "valkey.conf"), rewrite(file(config, "/etc/horizon/valkey.conf").content, [["dir /data\n", `dir ${dir}\n`]]));
        const socket = path.join(dir, "valkey.sock");
        const server = spawn(
            "redis-server",
            [path.join(dir, "valkey.conf"), "--port", "0", "--unixsocket", socket, "--daemonize", "no"],
            { stdio: "ignore" },
        );
        // SIGTERM makes the server save first, which fails once the temp dir is gone, and it then refuses to exit.
        t.after(() => server.kill("SIGKILL"));
        await new Promise<void>((resolve, reject) => {
            server.on("error", (error) => reject(new Error(`redis-server could not run (${error.message}); install it: apt-get install redis-server`)));
            server.on("exit", (code) => reject(new Error(`redis-server rejected the rendered config (exit ${code})`)));
            const poll = setInterval(() => fs.existsSync(socket) && (clearInterval(poll), resolve()), 50);
        });
        const cli = (auth: string, ...command: string[]) =>
            spawnSync("redis-cli", ["-s", socket, ...command], { env: { PATH: "/usr/bin:/bin", REDISCLI_AUTH: auth }, encoding: "utf8" }).stdout.trim();

        assert.equal(cli(password, "PING"), "PONG");
        assert.notEqual(cli("wrong", "PING"), "PONG");
        assert.equal(cli(password, "CONFIG", "GET", "maxmemory-policy"), "maxmemory-policy\nallkeys-lru");
        assert.equal(cli(password, "CONFIG", "GET", "maxmemory"), "maxmemory\n268435456");
        assert.equal(cli(password, "CONFIG", "GET", "appendonly"), "appendonly\nyes");
    });

    it("formats a blank volume once, never again, and mounts it through fstab with nofail", (t) => {
        const dir = tempDir(t);
        const image = path.join(dir, "volume.img");
        const fstab = path.join(dir, "fstab");
        fs.writeFileSync(fstab, "");
        fs.writeFileSync(image, "");
        fs.truncateSync(image, 16 * 1024 * 1024);
        const script = rewrite(file(parse(renderDataCloudInit(DATA_BOTH)), "/usr/local/bin/horizon-volume").content, [
            ["/dev/disk/by-id/scsi-0DO_Volume_staging-data", image],
            // A disk image stands in for the block device.
            ['-b "$device"', '-f "$device"'],
            ["/etc/fstab", fstab],
            ['mountpoint -q "$mount_point" || mount "$mount_point"', "true"],
            ["/mnt/staging-data", path.join(dir, "mnt")],
        ]);
        const uuid = () => spawnSync("blkid", ["--probe", "--match-tag", "UUID", "--output", "value", image], { encoding: "utf8" }).stdout.trim();

        assert.equal(spawnSync("bash", ["-c", script], { encoding: "utf8" }).status, 0);
        const formatted = uuid();
        assert.notEqual(formatted, "", "the blank volume was formatted");
        assert.equal(spawnSync("bash", ["-c", script], { encoding: "utf8" }).status, 0);
        assert.equal(uuid(), formatted, "a second boot must not reformat the volume");
        assert.equal(fs.readFileSync(fstab, "utf8"), `${image} ${path.join(dir, "mnt")} ext4 defaults,nofail,discard 0 2\n`);
    });

    it("starts each container under its own unit, after the volume unit", () => {
        const config = parse(renderDataCloudInit(DATA_BOTH));
        assert.deepEqual(config.runcmd, [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "--now", "horizon-postgres.service", "horizon-valkey.service"],
        ]);
        for (const unit of ["horizon-postgres", "horizon-valkey"]) {
            const content = file(config, `/etc/systemd/system/${unit}.service`).content;
            assert.match(content, /^Requires=docker\.service horizon-volume\.service horizon-metadata-guard\.service$/m, unit);
            assert.match(content, /^After=.*\bhorizon-volume\.service\b/m, unit);
        }
    });

    it("rejects a data droplet with no service", () => {
        assert.throws(() => renderDataCloudInit({ volumeName: "staging-data" }), {
            message: "horizon:data: neither postgres nor valkey is set, so the data droplet would run nothing; set postgres, valkey or both",
        });
    });

    it("rejects DigitalOcean's spelling of an eviction policy", () => {
        const valkey = { ...VALKEY, evictionPolicy: "allkeys_lru" } as unknown as DataCloudInitInput["valkey"];
        assert.throws(() => renderDataCloudInit({ volumeName: "staging-data", valkey }), {
            message:
                'horizon:data.valkey.evictionPolicy: "allkeys_lru" is not one of noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl; use Valkey\'s spelling, with "-"',
        });
    });
});

describe("renderHaproxyCloudInit", () => {
    it("writes haproxy.cfg after the package installs it, with the final newline HAProxy expects", () => {
        const config = parse(renderHaproxyCloudInit({ haproxyConfig: HAPROXY_CONFIG.trimEnd() }));
        assert.deepEqual(config.packages, ["haproxy"]);
        const haproxyCfg = file(config, "/etc/haproxy/haproxy.cfg");
        assert.equal(haproxyCfg.defer, true);
        assert.equal(haproxyCfg.content, HAPROXY_CONFIG);
    });

    for (const accepted of [true, false]) {
        it(`${accepted ? "enables and reloads HAProxy once haproxy -c accepts" : "leaves HAProxy alone when haproxy -c rejects"} the config`, (t) => {
            const dir = tempDir(t);
            const config = parse(renderHaproxyCloudInit({ haproxyConfig: HAPROXY_CONFIG }));
            assert.deepEqual(config.runcmd, [["/usr/local/bin/horizon-haproxy-apply"]]);
            writeExecutable(path.join(dir, "haproxy"), `#!/bin/sh\nexit ${accepted ? 0 : 1}\n`);
            writeExecutable(path.join(dir, "systemctl"), `#!/bin/sh\nprintf '%s\\n' "$*" >>"${dir}/calls"\n`);
            const result = spawnSync("bash", ["-c", file(config, "/usr/local/bin/horizon-haproxy-apply").content], {
                env: { PATH: `${dir}:/usr/bin:/bin` },
            });
            const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "";
            if (accepted) {
                assert.equal(result.status, 0);
                assert.equal(calls, "enable haproxy.service\nreload-or-restart haproxy.service\n");
            } else {
                assert.notEqual(result.status, 0);
                assert.equal(calls, "");
            }
        });
    }
});
