import type {
    Policies,
    PolicyPackArgs,
    PolicyResource as CrossGuardResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import { isProduction, type PolicyResource, type Rule, RULES, runRule, SECRET, UNKNOWN } from "./rules";
import { waivedRules, type Waivers } from "./waivers";

/** The pack's name, as `pulumi preview` prints it and Pulumi Cloud lists it. */
export const PACK_NAME = "horizon";

/**
 * The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`).
 * @pulumi/policy 1.21 hands policies no stack name (its `configureStack` keeps only the stack's
 * tags), but every resource's URN carries it.
 */
export function stackOfUrn(urn: string): string {
    const match = /^urn:pulumi:(.*?)::/.exec(urn);
    if (match === null) {
        throw new Error(`not a Pulumi URN: ${urn}`);
    }
    return match[1];
}

/** The plain object behind @pulumi/policy's property proxies (internal key, stable since 1.0). */
function unproxied(props: Record<string, unknown>): Record<string, unknown> {
    const target = (props as Record<string, unknown>)["__getSpecialProxyTarget"];
    return (typeof target === "object" && target !== null ? target : props) as Record<string, unknown>;
}

function fromResourceArgs(args: ResourceValidationArgs): PolicyResource {
    return { type: args.type, name: args.name, inputs: unproxied(args.props), protect: args.opts.protect, refs: {} };
}

function fromStackResource(r: CrossGuardResource): PolicyResource {
    const refs = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([key, deps]) => [key, deps.map((d) => d.name)]));
    return { type: r.type, name: r.name, inputs: unproxied(r.props), protect: r.opts.protect, refs };
}

function policyFor(rule: Rule, waivers: Waivers): Policies[number] {
    const common = {
        name: rule.id,
        description: rule.description,
        enforcementLevel: rule.level,
        remediationSteps: rule.fix,
    };
    const report = (reportViolation: ReportViolation, message: string, urn?: string) => reportViolation(`${message}. Fix: ${rule.fix}`, urn);
    if (rule.scope === "resource") {
        return {
            ...common,
            validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
                if ((rule.types !== undefined && !rule.types.includes(args.type)) || waivedRules(waivers, stackOfUrn(args.urn)).has(rule.id)) {
                    return;
                }
                for (const message of rule.check(fromResourceArgs(args))) {
                    report(reportViolation, message);
                }
            },
        };
    }
    return {
        ...common,
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            if (args.resources.length === 0) {
                return;
            }
            const stack = stackOfUrn(args.resources[0].urn);
            if (waivedRules(waivers, stack).has(rule.id)) {
                return;
            }
            const resources = args.resources.map(fromStackResource);
            const urns = new Map(resources.map((r, i) => [r, args.resources[i].urn]));
            for (const finding of runRule(rule, resources, { stack, production: isProduction(stack, resources) })) {
                report(reportViolation, finding.message, urns.get(finding.resource));
            }
        },
    };
}

/** The pack's arguments: one CrossGuard policy per rule, named by the rule's id. */
export function policyPackArgs(waivers: Waivers): PolicyPackArgs {
    return {
        description: "horizon: secure, recoverable defaults for every stack (firewalls, VPCs, TLS, protected data, no plain-text credentials).",
        policies: RULES.map((rule) => policyFor(rule, waivers)),
    };
}

// ---- secrets and unknowns, as the rules expect them ----

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sentinels = require("@pulumi/policy/proxy") as Record<string, unknown>;
/** The engine's stand-ins for values a preview cannot know (`unknownStringValue` and its kin). */
const UNKNOWN_SENTINELS = new Set(Object.entries(sentinels).filter(([key, value]) => /^unknown.*Value$/.test(key) && typeof value === "string").map(([, value]) => value));

/** Replaces each secret with `SECRET` and each unknown with `UNKNOWN`, as the offline plan shows them. */
export function redact(value: unknown): unknown {
    if (typeof value === "string") {
        return UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
    }
    if (Array.isArray(value)) {
        return value.map(redact);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[rpc.specialSigKey] === rpc.specialSecretSig) {
            return SECRET;
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redact(v)]));
    }
    return value;
}

interface ProtoStruct {
    toJavaScript(): Record<string, unknown>;
}
type Deserialize = (props: ProtoStruct, proxySecrets: boolean) => Record<string, unknown>;

let redacting = false;

/**
 * The engine sends a policy pack every secret still marked secret, but @pulumi/policy 1.21
 * unwraps the marks before a policy runs (server.js calls `deserializeProperties(props, false)`
 * for validation), so a policy cannot tell a secret from plain text, and an unknown value
 * throws on access. This hook runs before that step and puts `SECRET` and `UNKNOWN` in their
 * place, so the rules see exactly what the offline plan shows: a secret input passes the
 * plain-text credential rule, and a value the cloud will compute counts as set.
 * The remediation path (`proxySecrets` true) is left as it is.
 */
export function redactSecretsBeforePolicies(): void {
    if (redacting) {
        return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const deserialize = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialize };
    const original = deserialize.deserializeProperties;
    deserialize.deserializeProperties = (props, proxySecrets) =>
        proxySecrets ? original(props, proxySecrets) : original({ toJavaScript: () => redact(props.toJavaScript()) as Record<string, unknown> }, false);
    redacting = true;
}
