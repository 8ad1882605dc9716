/**
 * horizon: typed Pulumi components that scale a stateless web app horizontally.
 *
 * The root holds what every platform shares: `WebService`, the stack configuration, the
 * core spec types and the renderers. Each platform's components live under its own subpath
 * (`horizon/digitalocean`), so a program loads only the provider SDKs it uses.
 */
// From the modules themselves, not config/index.ts: the zod schemas stay internal, so no
// public declaration drags zod's types into a user's type-check.
export { ConfigError, type ConfigProblem, formatPath, formatProblem, REDACTED } from "./config/errors";
export { configWarnings, crossFieldProblems } from "./config/rules";
export {
    CONFIG_NAMESPACE,
    listStackFiles,
    loadStackSpec,
    parseStackSpec,
    readPulumiConfig,
    readStackFile,
    type ParsedStack,
    type ParseOptions,
    type StackFile,
} from "./config/load";
export * from "./core";
export * from "./render";
export { type Transform, transformChild } from "./transform";
export { WebService, type RegionalUnit, type WebServiceOptions, type WebServiceTransforms } from "./webService";
