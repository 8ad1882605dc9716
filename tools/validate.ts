import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, formatPath, parseStackSpec, readStackFile, REDACTED } from "../components/config";
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
    let unchecked = 0;
    for (const file of files) {
        const where = path.relative(process.cwd(), file);
        try {
            const stackFile = readStackFile(file);
            const { warnings } = parseStackSpec(stackFile.config, stackFile);
            console.log(`ok    ${stackFile.stack} (${where})`);
            for (const warning of warnings) {
                console.log(`      warning: ${warning}`);
            }
        } catch (err) {
            if (!(err instanceof ConfigError)) {
                throw err;
            }
            // Encrypted values need the stack's secrets provider; offline they are only placeholders.
            const hidden = err.problems.filter((p) => p.got === REDACTED).map((p) => formatPath(p.path));
            const check = `run \`pulumi preview -s ${err.stackName}\` to check ${hidden.length === 1 ? "it" : "them"}`;
            if (hidden.length > 0 && hidden.length === err.problems.length) {
                unchecked++;
                console.log(`unchecked ${err.stackName} (${where}): encrypted, so not checked offline: ${hidden.join(", ")}; ${check}`);
                continue;
            }
            failed++;
            console.error(`FAIL  ${err.message}`);
            if (hidden.length > 0) {
                console.error(`      ${hidden.length} of these problems are on encrypted values, which only the Pulumi CLI can read (${hidden.join(", ")}); ${check}`);
            }
        }
    }
    const valid = files.length - failed - unchecked;
    console.log(`${valid} of ${files.length} stack files valid${unchecked > 0 ? `, ${unchecked} with encrypted values not checked offline` : ""}`);
    return failed === 0 ? 0 : 1;
}

runCli(main);
