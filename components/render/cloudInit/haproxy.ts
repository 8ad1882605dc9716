import { shellWords } from "../shell";
import { executableFile, renderCloudConfig } from "./common";

/** An HAProxy droplet of the HAProxy tier. */
export interface HaproxyCloudInitInput {
    /** The whole haproxy.cfg, as `render/haproxy.ts` writes it. */
    readonly haproxyConfig: string;
}

const HAPROXY_CONFIG_FILE = "/etc/haproxy/haproxy.cfg";

const HAPROXY_APPLY_SCRIPT = "/usr/local/bin/horizon-haproxy-apply";

/**
 * Renders the user data of an HAProxy droplet (Ubuntu 24.04): HAProxy from Ubuntu's
 * archive running `haproxyConfig`, applied only after `haproxy -c` accepts it.
 */
export function renderHaproxyCloudInit(input: HaproxyCloudInitInput): string {
    if (input.haproxyConfig.trim() === "") {
        throw new Error("horizon:haproxy.haproxyConfig: the configuration is empty; pass the text render/haproxy.ts produces");
    }
    // HAProxy warns that a file without a final newline may have been truncated.
    const config = input.haproxyConfig.endsWith("\n") ? input.haproxyConfig : `${input.haproxyConfig}\n`;
    const applyScript = [
        "#!/usr/bin/env bash",
        "# Written by cloud-init from horizon: a configuration HAProxy rejects must never replace a running one.",
        "set -euo pipefail",
        "",
        shellWords("haproxy", "-c", "-f", HAPROXY_CONFIG_FILE),
        "systemctl enable haproxy.service",
        "systemctl reload-or-restart haproxy.service",
        "",
    ].join("\n");
    return renderCloudConfig({
        packages: ["haproxy"],
        writeFiles: [
            // Deferred until the package has installed its own haproxy.cfg and created the haproxy group.
            { path: HAPROXY_CONFIG_FILE, owner: "root:haproxy", permissions: "0640", content: config, defer: true },
            executableFile(HAPROXY_APPLY_SCRIPT, applyScript),
        ],
        runcmd: [[HAPROXY_APPLY_SCRIPT]],
    });
}
