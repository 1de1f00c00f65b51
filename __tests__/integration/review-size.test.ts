// npm run review at organization scale: review.md stays complete, and beside it review-comment.md
// (the pull-request comment) stays under GitHub's 65,536 characters and review-summary.md (the
// job summary) under 1 MiB, at 20 stacks and at 5,000.
//
// 20 accounts are synthesized for real and reviewed by the command (in this process, with a base
// folder and two plans). 5,000 accounts would take over a minute to synthesize (about 14 ms a
// stack), so that review's input is built from two synthesized stacks, one as in the base and one
// changed, cloned under 5,000 names (the name and the account id replaced in the JSON and in the
// warnings' paths), then summarized, compared and rendered by the same functions the command uses.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, synthesize } from "../../modules";
import { Io, run } from "../../scripts/review";
import {
  COMMENT_BUDGET,
  COMMENT_LIMIT,
  Json,
  PlanJson,
  ReviewInput,
  ReviewWarning,
  STEP_SUMMARY_BUDGET,
  STEP_SUMMARY_LIMIT,
  SynthOutput,
  accessGraph,
  count,
  diffOutputs,
  loadOutdir,
  renderComment,
  renderMarkdown,
  renderStepSummary,
  stackRows,
  summarizeStack,
  summaryLine,
} from "../../scripts/review-lib";
import { ROOT } from "../support/configs";

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

const BACKEND = {
  type: "s3",
  bucket: "example-org-terraform-state",
  key: "incident-manager/{stack}.tfstate",
  region: "us-east-1",
} as const;

function account(name: string, index: number, users = 3): Record<string, any> {
  const accountId = String(100000000000 + index);
  return {
    name,
    region: "us-east-1",
    accountId,
    assumeRoleArn: `arn:aws:iam::${accountId}:role/incident-manager-apply`,
    adminUsers: Array.from({ length: users }, (_, u) => ({ name: `admin-${u}` })),
  };
}

const nameOf = (i: number) => `account-${String(i).padStart(2, "0")}`;

function configFile(input: SetupConfigInput): string {
  const file = join(tempDir("review-size-config-"), "setup.config.json");
  writeFileSync(file, JSON.stringify(input));
  return file;
}

/** The table's stack names, in order (rows `| \`name\` | ...`). */
function tableNames(comment: string): string[] {
  return comment
    .split("\n")
    .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line))
    .map((line) => /^\| `([a-z0-9-]+)`/.exec(line)![1]);
}

/** The stacks whose details the text holds (`<details><summary><code>name</code>`). */
function detailNames(text: string): string[] {
  return [...text.matchAll(/^<details><summary><code>([a-z0-9-]+)<\/code>/gm)].map((m) => m[1]);
}

/** A plan of the stack's resources, each "no-op" but those given. */
function plan(stack: Json, actions: Record<string, string[]> = {}): PlanJson {
  const addresses = Object.entries(stack.resource as Record<string, object>).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => `${type}.${name}`),
  );
  return {
    format_version: "1.2",
    resource_changes: addresses.map((address) => ({ address, mode: "managed", change: { actions: actions[address] ?? ["no-op"] } })),
  } as PlanJson;
}

describe("20 accounts, synthesized and reviewed by the command (a base, some stacks changed, two plans)", () => {
  const RUN_URL = "https://github.com/my-org/incident-manager-setup/actions/runs/42";
  const env = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "my-org/incident-manager-setup", GITHUB_RUN_ID: "42" };
  const work = tempDir("review-size-20-");
  const baseDir = join(work, "base");
  const outdir = join(work, "cdktf.out");
  // The base: account-00 .. account-19. The head: account-04 gets tags, account-13 loses a user,
  // account-07 is gone (removed from the configuration), account-20 is new; account-02's plan
  // changes a key (a change the configuration does not show: drift), account-00's plan changes nothing.
  const baseAccounts = Array.from({ length: 20 }, (_, i) => account(nameOf(i), i));
  const headAccounts = [...baseAccounts.filter((a) => a.name !== "account-07"), account("account-20", 20)].map((a) => {
    const copy = JSON.parse(JSON.stringify(a));
    if (copy.name === "account-04") {
      copy.tags = { team: "ops" };
      copy.assumeRoleArn = "arn:aws:iam::100000000004:role/incident-manager-apply-v2";
    }
    if (copy.name === "account-13") copy.adminUsers.pop();
    return copy;
  });
  synthesize({ configFile: configFile({ backend: BACKEND, accounts: baseAccounts } as SetupConfigInput), outdir: baseDir });
  const baseStacks = loadOutdir(baseDir).stacks;
  const KEY = Object.keys((baseStacks["account-02"].resource as Record<string, Json>).aws_iam_access_key)[0];
  mkdirSync(join(outdir, "plans"), { recursive: true });
  writeFileSync(
    join(outdir, "plans", "account-02.plan.json"),
    JSON.stringify(plan(baseStacks["account-02"], { [`aws_iam_access_key.${KEY}`]: ["update"] })),
  );
  writeFileSync(join(outdir, "plans", "account-00.plan.json"), JSON.stringify(plan(baseStacks["account-00"])));

  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    root: ROOT,
    env: { ...env, SETUP_CONFIG: configFile({ backend: BACKEND, accounts: headAccounts } as SetupConfigInput) },
    cwd: ROOT,
    out: (t) => out.push(t),
    err: (l) => err.push(l),
  };
  const status = run(["--base-dir", baseDir, "--outdir", outdir], io);
  const review = readFileSync(join(outdir, "review.md"), "utf8");
  const comment = readFileSync(join(outdir, "review-comment.md"), "utf8");
  const summary = readFileSync(join(outdir, "review-summary.md"), "utf8");
  const headNames = headAccounts.map((a) => a.name as string);
  const CHANGED = ["account-02", "account-04", "account-07", "account-13", "account-20"];

  test("the command writes review.md, review-comment.md and review-summary.md, and says how big they are", () => {
    expect(status).toBe(0);
    expect(out.join("")).toBe(review);
    expect(err).toContain(`review: wrote ${join(outdir, "review.md")}`);
    expect(err.find((l) => l.includes("review-comment.md"))).toMatch(/^review: wrote .*review-comment\.md \([\d,]+ characters/);
    expect(err.find((l) => l.includes("review-summary.md"))).toMatch(/\([\d,]+ bytes; the whole review\)$/);
  });

  test("the comment is under GitHub's 65,536 characters, and starts with the summary line of review.md", () => {
    expect(comment.length).toBeLessThan(COMMENT_LIMIT);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    const line = review.split("\n")[2];
    expect(line).toMatch(/^\*\*20 stacks, /);
    expect(comment.split("\n")[0]).toBe(`${line} · changed: 5 of 21 stacks`);
  });

  test("the table lists every stack once, the changed ones first (since the base, or by their plan)", () => {
    const names = tableNames(comment);
    expect([...names].sort()).toEqual([...headNames, "account-07"].sort());
    expect(names.slice(0, CHANGED.length)).toEqual(CHANGED);
    const row = (name: string) => comment.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row("account-02")).toBe("| `account-02` | no | 1 to change | 7 |");
    expect(row("account-04")).toBe("| `account-04` | **changed** | no plan | 7 |");
    expect(row("account-07")).toBe("| `account-07` | **removed** | — | 0 |");
    expect(row("account-20")).toBe("| `account-20` | **added** | no plan | 7 |");
    expect(row("account-00")).toBe("| `account-00` | no | no changes | 7 |");
  });

  test("details collapsed, in the table's order, as many as fit; then where the rest is", () => {
    const details = detailNames(comment);
    expect(details.length).toBeGreaterThan(0);
    expect(details).toEqual(tableNames(comment).slice(0, details.length));
    expect(comment).toContain("**Since the base**: 0 added, 4 removed, 0 changed, 2 output changes");
    expect(comment).toContain("- **loses** `account-13`: IAM group `Administrators` (`admin-2`)");
    const left = 21 - details.length;
    expect(comment).toContain(
      `> **Left out** to keep this comment under GitHub's limit of 65,536 characters: the details of ${left} stacks ` +
        `(those of the first ${details.length} in the table's order are above). ` +
        `The complete review is in the job summary of [the workflow run](${RUN_URL}), and in its artifact \`review\` (\`review.md\`).`,
    );
  });

  test("review.md still has everything, and is the job summary as it is (it fits in 1 MiB)", () => {
    for (const name of headNames) expect(review).toContain(`### \`${name}\` (us-east-1, account 1000000000${name.slice(-2)})`);
    expect(review.includes("- **`account-07` removed** (16 resources)")).toBe(true);
    expect(review).toContain("```mermaid");
    // The provider's role is a Terraform variable: shown as its default, and a change of it is a change.
    expect(review).toContain(
      "- Account: `100000000003` (allowed_account_ids) · assumes `arn:aws:iam::100000000003:role/incident-manager-apply` " +
        '(the default of var.assume_role_arn; a CI job that assumed its role sets it to "")',
    );
    expect(review).toContain(
      '~ variable.assume_role_arn: default "arn:aws:iam::100000000004:role/incident-manager-apply" -> ' +
        '"arn:aws:iam::100000000004:role/incident-manager-apply-v2"',
    );
    expect(review.length).toBeGreaterThan(comment.length);
    expect(summary).toBe(review);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(STEP_SUMMARY_BUDGET);
  });
});

// ---------------------------------------------------------------------------------------------
// 5,000 stacks: clones of synthesized stacks

const TEMPLATE = "stack-template";
const TEMPLATE_ID = "100000000000";

/** The template's JSON and warnings, as another stack: its name and account id replaced. */
function clone(template: { json: string; warnings: readonly ReviewWarning[] }, name: string, index: number) {
  const id = String(200000000000 + index);
  const json = JSON.parse(template.json.split(TEMPLATE).join(name).split(TEMPLATE_ID).join(id)) as Json;
  const warnings = template.warnings.map((w) => ({
    ...w,
    path: `${name}${w.path.slice(TEMPLATE.length)}`,
    message: w.message.split(TEMPLATE).join(name),
  }));
  return { json, warnings };
}

function template(users: number, mutate?: (a: Record<string, any>) => void) {
  const a = account(TEMPLATE, 0, users);
  mutate?.(a);
  const out = tempDir("review-size-template-");
  const result = synthesize({ configFile: configFile({ backend: BACKEND, accounts: [a] } as SetupConfigInput), outdir: out });
  return { json: JSON.stringify(loadOutdir(out).stacks[TEMPLATE]), warnings: result.warnings.filter((w) => w.path.startsWith(TEMPLATE)) };
}

/** What run() builds: the summaries, the comparison with the base, the access of both. */
function reviewInput(base: SynthOutput, head: SynthOutput, plans: Record<string, PlanJson> = {}): ReviewInput {
  const byStack = new Map<string, ReviewWarning[]>();
  for (const w of head.warnings) {
    const stack = w.path.split("/")[0];
    byStack.set(stack, [...(byStack.get(stack) ?? []), w]);
  }
  const names = Object.keys(head.stacks);
  return {
    summaries: names.map((n) => summarizeStack(head.stacks[n], byStack.get(n) ?? [], plans[n], n)),
    diff: diffOutputs(base, head),
    access: { head: accessGraph(head.stacks), base: accessGraph(base.stacks), planned: [] },
    baseLabel: "git `main`",
    configLabel: "setup.config.json",
  };
}

describe("5,000 accounts (clones of synthesized stacks): the comment still fits", () => {
  const N = 5000;
  const name = (i: number) => `account-${String(i).padStart(4, "0")}`;
  // Every 500th stack changes (10), account-5000 is new, account-4999 is gone.
  const CHANGED = new Set(Array.from({ length: N / 500 }, (_, k) => name(k * 500 + 7)));
  const expectedChanged = [...CHANGED, name(N - 1), name(N)].sort();
  let input: ReviewInput;
  let full: string;
  let comment: ReturnType<typeof renderComment>;
  let summary: ReturnType<typeof renderStepSummary>;

  beforeAll(() => {
    const same = template(3);
    const changed = template(3, (a) => a.adminUsers.pop());
    const base: { stacks: Record<string, Json>; warnings: ReviewWarning[] } = { stacks: {}, warnings: [] };
    const head: { stacks: Record<string, Json>; warnings: ReviewWarning[] } = { stacks: {}, warnings: [] };
    for (let i = 0; i <= N; i++) {
      const n = name(i);
      if (i < N) {
        const b = clone(same, n, i);
        base.stacks[n] = b.json;
        base.warnings.push(...b.warnings);
      }
      if (i !== N - 1) {
        const h = clone(CHANGED.has(n) ? changed : same, n, i);
        head.stacks[n] = h.json;
        head.warnings.push(...h.warnings);
      }
    }
    input = reviewInput(base, head);
    full = renderMarkdown(input);
    comment = renderComment(input);
    summary = renderStepSummary(input, full);
  }, 120_000);

  test("the comment: under 65,536 characters, the summary line first, the changed stacks listed, the others counted", () => {
    expect(input.summaries).toHaveLength(N);
    expect(comment.markdown.length).toBeLessThan(COMMENT_LIMIT);
    expect(comment.markdown.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(comment.markdown.split("\n")[0]).toBe(`${summaryLine(input)} · changed: 12 of 5,001 stacks`);
    expect(comment.markdown.startsWith("**5000 stacks, ")).toBe(true);
    // The table of 5,001 rows would not fit: the changed stacks, then a count of the others.
    expect(tableNames(comment.markdown)).toEqual(expectedChanged);
    expect(comment.markdown).toContain("… and 4,989 unchanged stacks: not listed, the table of every stack would not fit.");
    expect(comment.rowsListed).toBe(12);
  });

  test("the details of the changed stacks come first; the note says how many are left out, and where they are", () => {
    const details = detailNames(comment.markdown);
    expect(details.length).toBeGreaterThan(0);
    expect(details).toEqual(
      stackRows(input)
        .slice(0, details.length)
        .map((r) => r.stack),
    );
    expect(details.slice(0, 3)).toEqual(expectedChanged.slice(0, 3));
    expect(comment.detailsLeftOut).toBe(5001 - details.length);
    expect(comment.markdown).toContain(
      `> **Left out** to keep this comment under GitHub's limit of 65,536 characters: the details of ${count(5001 - details.length)} stacks`,
    );
    expect(comment.markdown).toContain("The complete review is the artifact `review` (`review.md`) of the workflow run.");
  });

  test("the job summary: review.md does not fit in 1 MiB, so the same bounded form, every stack in its table", () => {
    expect(Buffer.byteLength(full)).toBeGreaterThan(STEP_SUMMARY_LIMIT);
    expect(summary.complete).toBe(false);
    expect(Buffer.byteLength(summary.markdown)).toBeLessThanOrEqual(STEP_SUMMARY_BUDGET);
    expect(summary.markdown.split("\n")[0]).toBe(comment.markdown.split("\n")[0]);
    const names = tableNames(summary.markdown);
    expect(names).toHaveLength(5001);
    expect(names.slice(0, 12)).toEqual(expectedChanged);
    expect(detailNames(summary.markdown).length).toBeGreaterThan(detailNames(comment.markdown).length);
    expect(summary.markdown).toContain("**Left out** to keep this job summary under GitHub's limit of 1 MiB: the details of ");
    expect(summary.markdown).toContain("The complete review is the artifact `review` (`review.md`) of the workflow run.");
  });

  test("review.md has everything: every stack, every change", () => {
    const lines = new Set(full.split("\n"));
    const headings = [...lines].filter((l) => l.startsWith("### `") && l.includes(" (us-east-1, account "));
    expect(headings).toHaveLength(N);
    for (let i = 0; i <= N; i++) {
      if (i !== N - 1) expect(lines.has(`### \`${name(i)}\` (us-east-1, account ${200000000000 + i})`)).toBe(true);
    }
    expect(full.includes(`- **\`${name(N - 1)}\` removed** (16 resources)`)).toBe(true);
    expect(lines.has(`- **\`${name(N)}\` added** (16 resources; see below)`)).toBe(true);
    for (const n of CHANGED) expect(lines.has(`### \`${n}\`: 0 added, 4 removed, 0 changed, 2 output changes`)).toBe(true);
  });

  test("every stack changed (an upgrade that touches them all): the changed stacks that fit, and a count of the rest", () => {
    const all: ReviewInput = {
      ...input,
      diff: {
        stacks: input.summaries.map((s) => ({
          stack: s.stack,
          change: "changed" as const,
          lines: ['~ provider.aws: version "6.0" -> "6.1"'],
          resourceCount: s.resourceCount,
          warningsAdded: [],
          warningsRemoved: [],
        })),
      },
    };
    const c = renderComment(all);
    expect(c.markdown.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    const names = tableNames(c.markdown);
    expect(names.length).toBeGreaterThan(100);
    expect(names).toEqual(
      stackRows(all)
        .slice(0, names.length)
        .map((r) => r.stack),
    );
    expect(c.markdown).toContain(`… and ${count(5000 - names.length)} more changed stacks (see the full review): not listed`);
    expect(c.markdown).toContain("> **Left out** to keep this comment under GitHub's limit of 65,536 characters: the details of ");
  });

  test("without a base or a plan: nothing is called changed, and the stacks not listed are counted as not compared", () => {
    const plain: ReviewInput = { summaries: input.summaries };
    const c = renderComment(plain);
    expect(c.markdown.length).toBeLessThanOrEqual(COMMENT_BUDGET);
    expect(c.markdown.split("\n")[0]).toBe(summaryLine(plain));
    expect(tableNames(c.markdown)).toEqual([]);
    expect(c.markdown).toContain("… and 5,000 stacks without a base or a plan to compare with: not listed");
    expect(detailNames(c.markdown)[0]).toBe(name(0));
  });

  test("the same text whatever the order of the stacks", () => {
    const reversed = { ...input, summaries: [...input.summaries].reverse() };
    expect(renderComment(reversed).markdown).toBe(comment.markdown);
  });
});
