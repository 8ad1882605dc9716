/**
 * Regenerates `test/helpers/k8s-openapi.json`: the Kubernetes OpenAPI definitions the manifest
 * validator (`test/helpers/k8sSchema.ts`) checks against, pruned to the kinds horizon registers.
 *
 * Inputs, both of one pinned Kubernetes release:
 *   --swagger  the official `api/openapi-spec/swagger.json` of kubernetes/kubernetes at the tag
 *              (for v1.34.0 it is byte for byte the `src/gen/swagger.json.unprocessed` that
 *              kubernetes-client/javascript generated its 1.34 client from);
 *   --api      a checkout of k8s.io/api (github.com/kubernetes/api) at the matching tag (v0.34.0).
 *
 *   npx tsx scripts/k8s-schema.ts --kubernetes v1.34.0 --swagger swagger.json --api ./api
 *
 * What it does to the official definitions, nothing more:
 *   - keeps the definitions reachable from the kinds in ROOTS, and of each only the keys that
 *     validate (descriptions, patch strategies and defaults are dropped);
 *   - adds `enum` lists. The checked-in swagger.json carries none (the API server adds them when
 *     it serves its own OpenAPI, from the `+enum` marker on a Go string type). The same rule is
 *     applied here: every struct field whose Go type is marked `+enum` in k8s.io/api gets the
 *     values of that type's constants.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** The kinds horizon's Kubernetes platform registers, by OpenAPI definition name. */
export const ROOTS = [
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.policy.v1.PodDisruptionBudget",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "io.k8s.api.networking.v1.NetworkPolicy",
] as const;

/** k8s.io/api source files with `+enum` types, and the OpenAPI definition prefix of their structs. */
const GO_SOURCES: readonly { file: string; prefix: string }[] = [
    { file: "core/v1/types.go", prefix: "io.k8s.api.core.v1." },
    { file: "apps/v1/types.go", prefix: "io.k8s.api.apps.v1." },
    { file: "autoscaling/v2/types.go", prefix: "io.k8s.api.autoscaling.v2." },
    { file: "networking/v1/types.go", prefix: "io.k8s.api.networking.v1." },
    { file: "policy/v1/types.go", prefix: "io.k8s.api.policy.v1." },
];

/** Schema keys that take part in validation; the rest of the OpenAPI text is documentation. */
const KEPT_KEYS = new Set([
    "type",
    "format",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "$ref",
    "enum",
    "x-kubernetes-group-version-kind",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
]);

type Schema = { [key: string]: unknown };

function prune(schema: unknown): unknown {
    if (Array.isArray(schema)) {
        return schema.map(prune);
    }
    if (typeof schema !== "object" || schema === null) {
        return schema;
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "properties") {
            out.properties = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, prune(sub)]));
        } else if (key.startsWith("x-kubernetes-") && KEPT_KEYS.has(key)) {
            out[key] = value;
        } else if (KEPT_KEYS.has(key)) {
            out[key] = prune(value);
        }
    }
    return out;
}

function refsOf(schema: unknown, found: Set<string>): void {
    if (Array.isArray(schema)) {
        schema.forEach((s) => refsOf(s, found));
    } else if (typeof schema === "object" && schema !== null) {
        for (const [key, value] of Object.entries(schema)) {
            if (key === "$ref" && typeof value === "string") {
                found.add(value.replace("#/definitions/", ""));
            } else {
                refsOf(value, found);
            }
        }
    }
}

/** Every Go type marked `+enum` in the sources, with the values of its constants. */
function enumTypes(sources: string[]): Map<string, string[]> {
    const marked = new Set<string>();
    const aliases = new Map<string, string>();
    for (const source of sources) {
        for (const m of source.matchAll(/\+enum\s*\n(?:\s*\/\/.*\n)*type (\w+) string/g)) {
            marked.add(m[1]);
        }
        for (const m of source.matchAll(/^type (\w+) = (\w+)$/gm)) {
            aliases.set(m[1], m[2]);
        }
    }
    const values = new Map<string, string[]>([...marked].map((t) => [t, []]));
    for (const source of sources) {
        for (const m of source.matchAll(/^\s*\w+\s+(\w+)\s*=\s*"([^"]*)"/gm)) {
            const type = aliases.get(m[1]) ?? m[1];
            const list = values.get(type);
            if (list !== undefined && !list.includes(m[2])) {
                list.push(m[2]);
            }
        }
    }
    for (const [alias, target] of aliases) {
        if (values.has(target)) {
            values.set(alias, values.get(target) ?? []);
        }
    }
    return values;
}

/** [definition, json field, enum type, is a list] for every struct field whose type is an enum. */
function enumFields(source: string, prefix: string, enums: Map<string, string[]>): [string, string, string, boolean][] {
    const fields: [string, string, string, boolean][] = [];
    for (const struct of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
        for (const f of struct[2].matchAll(/^\s*\w+\s+(\[\])?\*?(?:\w+\.)?(\w+)\s+`json:"(\w+)/gm)) {
            if (enums.has(f[2])) {
                fields.push([prefix + struct[1], f[3], f[2], f[1] !== undefined]);
            }
        }
    }
    return fields;
}

function main(): void {
    const args = new Map<string, string>();
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        args.set(argv[i].replace(/^--/, ""), argv[i + 1]);
    }
    const kubernetes = args.get("kubernetes");
    const swaggerPath = args.get("swagger");
    const apiDir = args.get("api");
    if (kubernetes === undefined || swaggerPath === undefined || apiDir === undefined) {
        throw new Error("usage: tsx scripts/k8s-schema.ts --kubernetes v1.34.0 --swagger <swagger.json> --api <k8s.io/api checkout>");
    }
    const swaggerText = readFileSync(swaggerPath, "utf8");
    const all = (JSON.parse(swaggerText) as { definitions: Record<string, Schema> }).definitions;

    const kept = new Set<string>();
    const queue: string[] = [...ROOTS];
    while (queue.length > 0) {
        const name = queue.pop() as string;
        if (kept.has(name)) {
            continue;
        }
        if (all[name] === undefined) {
            throw new Error(`${name} is not defined in ${swaggerPath}`);
        }
        kept.add(name);
        const refs = new Set<string>();
        refsOf(all[name], refs);
        queue.push(...refs);
    }
    const definitions: Record<string, Schema> = {};
    for (const name of [...kept].sort()) {
        definitions[name] = prune(all[name]) as Schema;
    }

    const sources = GO_SOURCES.map(({ file }) => readFileSync(path.join(apiDir, file), "utf8"));
    const enums = enumTypes(sources);
    const added: string[] = [];
    GO_SOURCES.forEach(({ prefix }, i) => {
        for (const [definition, field, type, isList] of enumFields(sources[i], prefix, enums)) {
            const property = (definitions[definition]?.properties as Record<string, Schema> | undefined)?.[field];
            if (property === undefined) {
                continue;
            }
            const values = [...(enums.get(type) ?? [])].sort();
            if (isList) {
                property.items = { ...(property.items as Schema), enum: values };
            } else {
                property.enum = values;
            }
            added.push(`${definition}.${field}`);
        }
    });

    const out = {
        source: {
            kubernetes,
            swagger: "kubernetes/kubernetes api/openapi-spec/swagger.json",
            swaggerSha256: createHash("sha256").update(swaggerText).digest("hex"),
            enums: `+enum types of k8s.io/api ${kubernetes.replace(/^v1\./, "v0.")}`,
            regenerate: "npx tsx scripts/k8s-schema.ts --kubernetes <tag> --swagger <swagger.json> --api <k8s.io/api checkout>",
        },
        roots: ROOTS,
        definitions,
    };
    const target = path.join(__dirname, "..", "test", "helpers", "k8s-openapi.json");
    writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`${target}: ${kept.size} definitions, enum lists on ${added.length} fields`);
}

if (require.main === module) {
    main();
}
