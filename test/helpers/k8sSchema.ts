import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { RecordedResource } from "../../tools/mockRuntime";

/**
 * Validates Kubernetes manifests against the OpenAPI schema of one pinned Kubernetes release
 * (`KUBERNETES_VERSION`), as a cluster's API server would before admitting them. There is no
 * cluster here; this is the check that stands in for one.
 *
 * The definitions in `k8s-openapi.json` are the official ones, pruned to the kinds horizon
 * registers (regenerate with `scripts/k8s-schema.ts`). They are read the way the API server
 * decodes and validates an object, as far as OpenAPI expresses it:
 * - a field the schema does not define is an error (the API server's strict field validation,
 *   `kubectl --validate=strict`, kubeconform `-strict`), except under `FieldsV1` and other
 *   free-form objects;
 * - required fields, types, enum values (from the `+enum` Go types) and int32 ranges;
 * - int-or-string fields take an int32 or a string, nothing else (1.5, true or {} fail to decode);
 * - quantities take a number or a string in Kubernetes quantity syntax;
 * - `format: byte` (Secret `data`, ConfigMap `binaryData`) must be base64;
 * - `null` means "not set", as the API server's JSON decoder reads it.
 * Rules that only live in Go validation code (name syntax, label value length, port ranges,
 * cross-field rules such as minAvailable vs maxUnavailable) are not checked.
 */

type Schema = { [key: string]: unknown };

interface CheckedInSchema {
    readonly source: { readonly kubernetes: string };
    readonly roots: readonly string[];
    readonly definitions: Record<string, Schema>;
}

const openapi = JSON.parse(readFileSync(path.join(__dirname, "k8s-openapi.json"), "utf8")) as CheckedInSchema;

/** The Kubernetes release whose OpenAPI schema is checked in. */
export const KUBERNETES_VERSION: string = openapi.source.kubernetes;

/** A Kubernetes object as it would be sent to the API server. */
export interface K8sManifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
}

/** Kubernetes quantity syntax (k8s.io/apimachinery resource.ParseQuantity), as controller-gen emits it for CRDs. */
const QUANTITY = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const DEFINITION_OVERRIDES: Record<string, Schema> = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: ["integer", "string"], format: "int32" },
    "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: ["string", "number"], pattern: QUANTITY },
};

/** Makes every object schema that lists its properties closed, recursively. */
function strict(schema: unknown): unknown {
    if (Array.isArray(schema)) {
        return schema.map(strict);
    }
    if (typeof schema !== "object" || schema === null) {
        return schema;
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
        out[key] = key.startsWith("x-kubernetes-") ? value : strict(value);
    }
    if (out.properties !== undefined && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

/** `apps/v1/Deployment` -> its definition name, for every kind the checked-in schema covers. */
const ROOT_BY_KIND = new Map<string, string>(
    openapi.roots.flatMap((root) =>
        (openapi.definitions[root]["x-kubernetes-group-version-kind"] as { group: string; version: string; kind: string }[]).map(
            ({ group, version, kind }) => [`${group === "" ? version : `${group}/${version}`}/${kind}`, root] as const,
        ),
    ),
);

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function newAjv(): Ajv {
    const definitions: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(openapi.definitions)) {
        definitions[name] = DEFINITION_OVERRIDES[name] ?? strict(schema);
    }
    const instance = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    instance.addVocabulary([
        "x-kubernetes-group-version-kind",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-int-or-string",
        "x-kubernetes-embedded-resource",
    ]);
    instance.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    instance.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
    instance.addFormat("double", { type: "number", validate: (n: number) => Number.isFinite(n) });
    instance.addFormat("byte", { type: "string", validate: (s: string) => BASE64.test(s) });
    instance.addFormat("date-time", { type: "string", validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    instance.addSchema({ $id: "k8s", definitions });
    return instance;
}

/** The validator of one `apiVersion/kind`, compiled on first use; undefined for a kind the schema lacks. */
function validatorFor(apiVersionKind: string): ValidateFunction | undefined {
    const root = ROOT_BY_KIND.get(apiVersionKind);
    if (root === undefined) {
        return undefined;
    }
    let validate = compiled.get(root);
    if (validate === undefined) {
        ajv ??= newAjv();
        validate = ajv.compile({ $ref: `k8s#/definitions/${root}` });
        compiled.set(root, validate);
    }
    return validate;
}

/** The API version/kind pairs the checked-in schema covers, e.g. `apps/v1/Deployment`. */
export function knownKinds(): string[] {
    return [...ROOT_BY_KIND.keys()];
}

/** `/spec/ports/0/targetPort` -> `spec.ports[0].targetPort`; keys that are not identifiers are quoted. */
function jsonPath(pointer: string, extra?: string): string {
    const segments = pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (extra !== undefined) {
        segments.push(extra);
    }
    let out = "";
    for (const segment of segments) {
        if (/^\d+$/.test(segment)) {
            out += `[${segment}]`;
        } else if (/^[A-Za-z_$][\w$]*$/.test(segment)) {
            out += out === "" ? segment : `.${segment}`;
        } else {
            out += `[${JSON.stringify(segment)}]`;
        }
    }
    return out === "" ? "(root)" : out;
}

function describe(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "an array";
    }
    return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

function message(error: ErrorObject, value: unknown): [string, string] {
    const path = jsonPath(error.instancePath);
    switch (error.keyword) {
        case "required":
            return [jsonPath(error.instancePath, String(error.params.missingProperty)), "required field is missing"];
        case "additionalProperties":
            return [
                jsonPath(error.instancePath, String(error.params.additionalProperty)),
                `unknown field: the Kubernetes ${KUBERNETES_VERSION} schema does not define it here`,
            ];
        case "type":
            return [path, `must be ${String(error.params.type).replace(",", " or ")}, got ${describe(value)}`];
        case "enum":
            return [path, `${JSON.stringify(value)} is not one of ${(error.params.allowedValues as string[]).map((v) => JSON.stringify(v)).join(", ")}`];
        case "format":
            return [path, `${JSON.stringify(value)} is not a valid ${String(error.params.format)}${error.params.format === "byte" ? " (base64)" : ""} value`];
        case "pattern":
            return [path, `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 250m, 1.5, 512Mi, 2Gi)`];
        default:
            return [path, error.message ?? error.keyword];
    }
}

function valueAt(root: unknown, pointer: string): unknown {
    let value = root;
    for (const segment of pointer === "" ? [] : pointer.slice(1).split("/")) {
        value = (value as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return value;
}

/** Drops `null` and `undefined` members: the API server decodes a null field as unset. */
function withoutNulls(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutNulls);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== null && v !== undefined)
                .map(([k, v]) => [k, withoutNulls(v)]),
        );
    }
    return value;
}

/**
 * Validates one manifest. Returns one line per problem, `<kind>/<name>: <json path>: <message>`,
 * or an empty list when the API server's schema admits it.
 */
export function validateManifest(manifest: unknown): string[] {
    const object = withoutNulls(manifest) as Partial<K8sManifest> | undefined;
    if (typeof object !== "object" || Array.isArray(object)) {
        return [`(unknown)/(unnamed): (root): a manifest must be an object, got ${describe(manifest)}`];
    }
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    const name = typeof metadata.name === "string" ? metadata.name : typeof metadata.generateName === "string" ? `${metadata.generateName}*` : "(unnamed)";
    const kind = typeof object.kind === "string" ? object.kind : "(no kind)";
    const prefix = `${kind}/${name}`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        return [`${prefix}: ${typeof object.apiVersion !== "string" ? "apiVersion" : "kind"}: required field is missing`];
    }
    const validate = validatorFor(`${object.apiVersion}/${object.kind}`);
    if (validate === undefined) {
        return [`${prefix}: apiVersion: no schema for ${object.apiVersion} ${object.kind} in Kubernetes ${KUBERNETES_VERSION}; known: ${knownKinds().join(", ")}`];
    }
    if (validate(object)) {
        return [];
    }
    const errors = validate.errors ?? [];
    // 1.5 for an int-or-string fails both its type and its int32 format; the type says it all.
    const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
    const lines = errors
        .filter((e) => !(e.keyword === "format" && wrongType.has(e.instancePath)))
        .map((error) => {
            const [path, text] = message(error, valueAt(object, error.instancePath));
            return `${prefix}: ${path}: ${text}`;
        });
    return [...new Set(lines)];
}

/** Resource tokens of @pulumi/kubernetes that are not one Kubernetes object (component resources, Helm releases). */
const NOT_MANIFESTS = /^kubernetes:(yaml|helm\.sh|kustomize)\//;

/** The name @pulumi/kubernetes gives an object without `metadata.name`: `<logical name>-<8 hex>`. */
export function autoName(logicalName: string): string {
    return `${logicalName}-${createHash("sha256").update(logicalName).digest("hex").slice(0, 8)}`;
}

/**
 * The Kubernetes objects among resources recorded under Pulumi mocks (`tools/mockRuntime.ts`),
 * as the Kubernetes provider would send them to the API server:
 * - `apiVersion`/`kind` come from the inputs, or from the type token when absent
 *   (`kubernetes:apps/v1:Deployment` -> `apps/v1` `Deployment`, `kubernetes:core/v1:Service` -> `v1`);
 * - secrets are plain (`rawInputs`), and inputs the program left undefined are absent;
 * - without `metadata.name` (or `generateName`) the provider autonames the object at `pulumi up`,
 *   `<logical name>-<random 8 hex>` with the annotation `pulumi.com/autonamed: "true"`
 *   (pulumi-kubernetes `metadata.AssignNameIfAutonamable`); under mocks the provider never runs,
 *   so the same shape is filled in here, with a suffix derived from the name so runs repeat;
 * - `*Patch` resources (server-side apply patches of objects owned elsewhere) are partial by
 *   design and would fail the full schema's required fields: they are refused, not skipped.
 */
export function manifestsFromRecorded(resources: readonly RecordedResource[]): K8sManifest[] {
    const manifests: K8sManifest[] = [];
    for (const resource of resources) {
        if (!resource.type.startsWith("kubernetes:") || NOT_MANIFESTS.test(resource.type)) {
            continue;
        }
        const token = /^kubernetes:([\w.-]+)\/(\w+):(\w+)$/.exec(resource.type);
        if (token === null) {
            throw new Error(`${resource.type} ${resource.name}: not a kubernetes:<group>/<version>:<Kind> token`);
        }
        const [, group, version, tokenKind] = token;
        if (tokenKind.endsWith("Patch")) {
            throw new Error(
                `${resource.type} ${resource.name}: a server-side apply patch is a partial object and cannot be checked against the full schema; register the whole object instead`,
            );
        }
        const inputs = withoutNulls(JSON.parse(JSON.stringify(resource.rawInputs))) as Record<string, unknown>;
        const metadata = { ...((inputs.metadata as Record<string, unknown> | undefined) ?? {}) };
        if (metadata.name === undefined && metadata.generateName === undefined) {
            metadata.name = autoName(resource.name);
            metadata.annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), "pulumi.com/autonamed": "true" };
        }
        manifests.push({
            ...inputs,
            apiVersion: typeof inputs.apiVersion === "string" ? inputs.apiVersion : group === "core" ? version : `${group}/${version}`,
            kind: typeof inputs.kind === "string" ? inputs.kind : tokenKind,
            metadata,
        });
    }
    return manifests;
}

/** Validates every Kubernetes object among recorded resources; an empty list means all pass. */
export function validateRecorded(resources: readonly RecordedResource[]): string[] {
    return manifestsFromRecorded(resources).flatMap(validateManifest);
}
