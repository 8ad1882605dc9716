import type { ConfigMap } from "@pulumi/pulumi/automation";
import { CONFIG_NAMESPACE } from "../../components/config";
import type { StackConfig } from "./overrides";

const PREFIX = `${CONFIG_NAMESPACE}:`;

/** A base stack's configuration as the Automation API returns it, split for `reviewConfig`. */
export interface SplitConfig extends StackConfig {
    /** Keys outside `horizon:` (provider settings and the like), copied unchanged. */
    readonly other: ConfigMap;
}

/** Pulumi hands structured values over as JSON text, the way the program decodes them. */
function decode(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** `getAllConfig()` output (full keys, JSON text, secret flags) in the stack file's shape. */
export function fromConfigMap(map: ConfigMap): SplitConfig {
    const config: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const other: ConfigMap = {};
    for (const [fullKey, value] of Object.entries(map)) {
        if (!fullKey.startsWith(PREFIX)) {
            other[fullKey] = value;
            continue;
        }
        const key = fullKey.slice(PREFIX.length);
        config[key] = decode(value.value);
        if (value.secret === true) {
            secretKeys.add(key);
        }
    }
    return { config, secretKeys, other };
}

/** The `setAllConfig()` input for a configuration: secret keys stay secret (`--secret`). */
export function toConfigMap(stack: StackConfig, other: ConfigMap = {}): ConfigMap {
    const map: ConfigMap = { ...other };
    for (const [key, value] of Object.entries(stack.config)) {
        map[`${PREFIX}${key}`] = {
            value: typeof value === "string" ? value : JSON.stringify(value),
            secret: stack.secretKeys.has(key),
        };
    }
    return map;
}
