// The configuration API without the zod schemas: what the package root re-exports, so no public
// declaration drags zod's types into a user's type-check.
export { ConfigError, type ConfigProblem, formatPath, formatProblem, REDACTED } from "./errors";
export { configWarnings, crossFieldProblems } from "./rules";
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
} from "./load";
