// `npm run review` as a process (node -r tsx/cjs scripts/review.ts, with git for --base), and the
// review of real offline plans (terraform and the provider as the oracle, AWS stubbed).
import { spawn, spawnSync } from "child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { synthesize } from "../../modules";
import { PlanJson, planProblem, plannedAccessLosses } from "../../scripts/review-lib";
import { assertPlanned } from "../../scripts/lib/offline-plan";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { ROOT, shippedConfig } from "../support/configs";
import { KEY, ROLE, SOURCE_PLAN, STACK, addresses, configFile, edit, fakePlan, review, row, synth, tempDir } from "../support/review";

describe("command line, end to end", () => {
  test("--base-dir end to end (node -r tsx/cjs scripts/review.ts): the changes, the plan, review.md", () => {
    const work = tempDir("review-e2e-");
    const baseDir = join(work, "base");
    synthesize({ configFile: configFile(shippedConfig()), outdir: baseDir });
    const outdir = join(work, "out");
    mkdirSync(join(outdir, "plans"), { recursive: true });
    const stack = JSON.parse(readFileSync(join(baseDir, "stacks", STACK, "cdk.tf.json"), "utf8"));
    writeFileSync(
      join(outdir, "plans", `${STACK}.plan.json`),
      JSON.stringify(fakePlan(addresses(stack, "resource").map((a): [string, string[]] => [a, a === KEY ? ["update"] : ["no-op"]]))),
    );
    const head = configFile(edit((c) => (c.accounts[0].adminUsers[0].accessKeys[0].status = "Inactive")));
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/review.ts", "--base-dir", baseDir, "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, SETUP_CONFIG: head, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.stderr).toContain(`review: wrote ${join(outdir, "review.md")}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(outdir, "review.md"), "utf8"));
    expect(result.stdout).toContain(`**1 stack, 8 resources, 4 warnings** · ${SOURCE_PLAN} · vs base: 0 added, 0 removed, 1 changed`);
    expect(result.stdout).toContain(`## Changes since \`${baseDir}\``);
    expect(result.stdout).toContain(
      [
        "```diff",
        `~ ${KEY}: status "Active" -> "Inactive"`,
        '~ output admin_users: user "incident-admin": access key "1": status "Active" -> "Inactive"',
        "```",
      ].join("\n"),
    );
    expect(result.stdout).toContain(`- Planned changes: 0 to import, 0 to add, 1 to change, 0 to destroy · ${SOURCE_PLAN}`);
    expect(row(result.stdout, KEY)).toContain("| update | key `1` of `incident-admin` · status Inactive ·");
  });

  test("--base HEAD end to end: the same configuration file on both sides", () => {
    const outdir = join(tempDir("review-head-"), "cdktf.out");
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/review.ts", "--base", "HEAD", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, SETUP_CONFIG: configFile(shippedConfig()), CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(result.stderr).toContain(`review: wrote ${join(outdir, "review.md")}`);
    expect(result.status).toBe(0);
    const short = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    expect(result.stdout).toContain(`## Changes since git \`HEAD\` (commit ${short})`);
    // The app's code in the working tree may differ from HEAD's while someone works on it; the
    // stacks are then allowed to differ. With the same code, nothing may change.
    const sameCode = spawnSync("git", ["diff", "--quiet", "HEAD", "--", "main.ts", "modules"], { cwd: ROOT }).status === 0;
    if (sameCode) {
      expect(result.stdout).toContain("· vs base: no changes");
      expect(result.stdout).toContain("No changes: the synthesized stacks are the same");
    }
  });
});

describeWithTerraform("the review of real offline plans (terraform and the provider as the oracle, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "review-plans");
  const account = { name: "prod", region: "us-east-1", accountId: "123456789012" };
  const users = [{ name: "alice" }, { name: "bob", accessKeys: [] }];
  const live = synth({ accounts: [{ ...account, adminUsers: users }] });
  const retired = synth({ accounts: [{ ...account, retire: true, adminUsers: users }] });
  /** What an apply of the live stack by an earlier version left: every resource, the users without force_destroy. */
  const priorState = (version: string) =>
    JSON.stringify({
      version: 4,
      terraform_version: version,
      serial: 1,
      lineage: "00000000-0000-4000-8000-0000000000aa",
      outputs: {},
      resources: Object.entries(live.stacks.prod.resource as Record<string, Record<string, any>>).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, body]) => ({
          mode: "managed",
          type,
          name,
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            {
              schema_version: 0,
              attributes: {
                id: `${type}-${name}`.slice(0, 64),
                ...(type === "aws_iam_user" ? { name: body.name, path: "/", force_destroy: false } : {}),
                ...(type === "aws_iam_service_linked_role" ? { aws_service_name: "ssm-incidents.amazonaws.com" } : {}),
              },
              sensitive_attributes: [],
            },
          ],
        })),
      ),
    });
  const plans = new Map<string, PlanJson>();

  beforeAll(async () => {
    const v = setup.terraformVersion;
    const runs = [
      { name: "retired, empty state", json: JSON.stringify(retired.stacks.prod) },
      { name: "retired", json: JSON.stringify(retired.stacks.prod), priorState: priorState(v), refresh: false },
      { name: "live, users of an earlier version", json: JSON.stringify(live.stacks.prod), priorState: priorState(v), refresh: false },
    ];
    for (const plan of await offline.planner.planAll(runs)) plans.set(plan.stack, assertPlanned(plan));
  }, 4 * PLAN_TIMEOUT_MS);

  test("a retired stack with nothing in its state: Terraform writes no resource_changes, the review 0 changes", () => {
    const plan = plans.get("retired, empty state")!;
    expect(plan.resource_changes).toBeUndefined();
    expect(planProblem(plan)).toBeUndefined();
    const markdown = review(retired, { plans: { prod: plan } });
    expect(markdown).toContain(`- Planned changes: 0 to import, 0 to add, 0 to change, 0 to destroy · ${SOURCE_PLAN}`);
    expect(row(markdown, ROLE)).toContain("| not in the state (nothing to forget) |");
  });

  test("a retired stack: the role forgotten (not destroyed), users without force_destroy flagged, their access lost", () => {
    const plan = plans.get("retired")!;
    const markdown = review(retired, { plans: { prod: plan } });
    expect(row(markdown, ROLE)).toMatch(/^\| `[^`]+` \| forget \(stays in AWS\) \| /);
    // Ten: both users, their login profiles and memberships, alice's key, the group, its policy and attachment.
    expect(markdown).toMatch(/- Planned changes: 0 to import, 0 to add, 0 to change, 10 to destroy(, 1 to forget)? · /);
    for (const [name, address] of [
      ["alice", "aws_iam_user.AdminUser-alice_2BAECF2A"],
      ["bob", "aws_iam_user.AdminUser-bob_E3C55712"],
    ]) {
      expect(markdown).toContain(
        `- Note: **\`${address}\`** (\`${name}\`) is deleted with force_destroy false in its state: the delete will fail`,
      );
      expect(plannedAccessLosses({ prod: plan })).toContain(
        `- **loses** \`prod\`: IAM user \`${name}\` (the plan destroys \`${address}\`)`,
      );
    }
  });

  test("users deployed before force_destroy: the in-place update is named, with the apply it needs first", () => {
    const markdown = review(live, { plans: { prod: plans.get("live, users of an earlier version")! } });
    expect(markdown).toContain(
      "- Note: force_destroy set on 2 users (`alice`, `bob`): apply this once before removing any of them " +
        "(the provider reads force_destroy from the state when it deletes)",
    );
    expect(plannedAccessLosses({ prod: plans.get("live, users of an earlier version")! })).toEqual([]);
  });
});

describe("npm run review stopped by a signal", () => {
  test("SIGTERM while it synthesizes --base HEAD: exit 143, its copy of HEAD removed", async () => {
    const outdir = join(tempDir("review-signal-"), "cdktf.out");
    const child = spawn(process.execPath, ["-r", "tsx/cjs", "scripts/review.ts", "--base", "HEAD", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, SETUP_CONFIG: configFile(shippedConfig()), CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const copy = `review-base-${child.pid}-`;
    for (let i = 0; i < 600 && !readdirSync(tmpdir()).some((e) => e.startsWith(copy)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmpdir()).some((e) => e.startsWith(copy))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(stderr).toContain("review: SIGTERM: stopped, temporary folders removed");
    expect(readdirSync(tmpdir()).filter((e) => e.startsWith(copy))).toEqual([]);
  }, 120_000);
});
