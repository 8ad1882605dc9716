import * as fs from "node:fs";
import * as path from "node:path";
import { listStackFiles } from "../components/config";

/** The repository's stack directory (Pulumi.yaml sets `stackConfigDir: stacks`). */
export const STACKS_DIR = path.join(__dirname, "..", "stacks");

/** The stack files to work on: one named stack, or every stack in `stacks/`. */
export function selectStackFiles(stack: string | undefined, dir: string = STACKS_DIR): string[] {
    const all = listStackFiles(dir);
    if (stack === undefined) {
        return all;
    }
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const names = all.map((f) => path.basename(f).replace(/^Pulumi\.|\.ya?ml$/g, ""));
        throw new UsageError(
            `no stack "${stack}": ${path.relative(process.cwd(), file)} does not exist (stacks: ${names.join(", ")})`,
        );
    }
    return [file];
}

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Runs a command-line entry point: known errors print their message only, exit codes stay honest. */
export function runCli(main: () => Promise<number> | number): void {
    Promise.resolve()
        .then(main)
        .then(
            (code) => {
                process.exitCode = code;
            },
            (err: unknown) => {
                if (err instanceof UsageError) {
                    console.error(`error: ${err.message}`);
                    process.exitCode = 2;
                } else if (err instanceof Error && err.name === "ConfigError") {
                    console.error(err.message);
                    process.exitCode = 1;
                } else {
                    console.error(err);
                    process.exitCode = 1;
                }
            },
        );
}
