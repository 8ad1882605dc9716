import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root. */
const ROOT = path.join(__dirname, "..", "..");

/**
 * How `npm run plan` starts (package.json: `node <options> tools/plan/main.ts`): its Node
 * options and its script, so a test or benchmark can start a process set up exactly like a plan's.
 */
export function planScript(): { options: string[]; script: string } {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const [command, ...args] = scripts.plan.trim().split(/\s+/);
    if (command !== "node" || args.at(-1) !== "tools/plan/main.ts") {
        throw new Error(`expected the plan script in package.json to be "node <options> tools/plan/main.ts", not "${scripts.plan}"`);
    }
    return { options: args.slice(0, -1), script: path.join(ROOT, "tools", "plan", "main.ts") };
}
