export * from "./schema";
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
