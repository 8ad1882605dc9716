import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseStackSpec, readStackFile, REDACTED } from "../components/config";
import { UsageError, runCli, selectStackFiles } from "./cli";

/**
 * `npm run validate [-- --stack <name>]`: checks stack files against the schema and the
 * cross-key rules without the Pulumi CLI. Exit 0 when every stack is valid, 1 otherwise.
 */
function main(): number {
    let values: { stack?: string; dir?: string };
    try {
        ({ values } = parseArgs({ options: { stack: { type: "string" }, dir: { type: "string" } } }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const files = selectStackFiles(values.stack, values.dir);
    let failed = 0;
    for (const file of files) {
        try {
            const stackFile = readStackFile(file);
            const { warnings } = parseStackSpec(stackFile.config, stackFile);
            console.log(`ok    ${stackFile.stack} (${path.relative(process.cwd(), file)})`);
            for (const warning of warnings) {
                console.log(`      warning: ${warning}`);
            }
        } catch (err) {
            if (!(err instanceof ConfigError)) {
                throw err;
            }
            // Encrypted values need the stack's secrets provider; offline they are only placeholders.
            if (err.problems.every((p) => p.got === REDACTED)) {
                console.log(`ok    ${err.stackName} (${path.relative(process.cwd(), file)}; encrypted values not checked offline)`);
                continue;
            }
            failed++;
            console.error(`FAIL  ${err.message}`);
        }
    }
    console.log(`${files.length - failed} of ${files.length} stack files valid`);
    return failed === 0 ? 0 : 1;
}

runCli(main);
