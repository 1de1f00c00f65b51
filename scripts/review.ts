// `npm run review`: the review of the synthesized stacks a reviewer pastes into a pull request (USAGE
// says what it holds and writes); with --json, one JSON object for a pipeline (review/json.ts). The
// parts live in scripts/review/. Exit codes: 0 written; 1 the configuration, the base or its synth failed; 2 usage.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve } from "path";
import { synthesize } from "../modules/app";
import { OutputBusyError, lockOutput } from "../modules/app/synth/output-lock";
import { CommandError, CommandIo, UsageError, configFileOf, main, parseCommandLine, processIo, progress, runCommand } from "./lib/cli";
import { SYNTH_FAILURES } from "./lib/failures";
import { outcomeOf, runProcess } from "./lib/proc";
import { cleanUpOnSignals, ownedTempDir } from "./lib/temp";
import {
  Bounded,
  COMMENT_FILE,
  PlanJson,
  REVIEW_FILE,
  ReviewDiff,
  ReviewInput,
  STEP_SUMMARY_FILE,
  SynthOutput,
  accessGraph,
  count,
  diffOutputs,
  loadOutdir,
  loadPlan,
  plannedAccessLosses,
  renderComment,
  renderMarkdown,
  renderStepSummary,
  runUrlOf,
  summarizeStack,
} from "./review-lib";
import { reviewJson } from "./review/json";
import { warningsByStack } from "./review/read";

export const USAGE = [
  "usage: npm run review [-- --base <git ref> | --base-dir <dir>] [--outdir <dir>] [--json]",
  "",
  "Synthesizes the configuration (SETUP_CONFIG, default setup.config.json) and writes a review of",
  "the stacks as Markdown, for a pull request, to stdout and to <outdir>/review.md.",
  "",
  "  --base <git ref>   also synthesize the project as of that commit (same SETUP_CONFIG when it is",
  "                     set, else that commit's setup.config.json) and report what changed",
  "  --base-dir <dir>   compare with a previous cdktf.out folder instead",
  "  --outdir <dir>     where to synthesize (default: cdktf.out, or CDKTF_OUTDIR)",
  "  --json             print one JSON object on stdout instead of the Markdown: counts, warnings",
  "                     with their ids, acknowledgements, and per stack its plan and its changes",
  "",
  "Also writes <outdir>/review-comment.md, the review for a pull-request comment (under GitHub's",
  "65,536 characters: a table of every stack, the changed ones first, and as many stacks' details",
  "as fit), and <outdir>/review-summary.md, for the job summary (review.md when it fits in 1 MiB).",
  "In GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID) they link to the run.",
  "",
  "When cdktf.out/plans/<stack>.plan.json exists (npm run plan:offline), the planned changes are",
  "taken from it; otherwise the review is made from the synthesized cdk.tf.json alone.",
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class ReviewError extends CommandError {
  override name = "ReviewError";
}

export interface Args {
  readonly base?: string;
  readonly baseDir?: string;
  readonly outdir?: string;
  /** Print the JSON summary on stdout instead of the Markdown. */
  readonly json?: boolean;
}

/** `--help` / `-h`, or the parsed arguments. Throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Args | "help" {
  const line = parseCommandLine(argv, ["base", "base-dir", "outdir"], 0, ["json"]);
  if (line === "help") return "help";
  const { base, "base-dir": baseDir, outdir } = line.options;
  if (base !== undefined && baseDir !== undefined) throw new UsageError("give --base or --base-dir, not both");
  if (base?.startsWith("-")) throw new UsageError(`--base ${base}: not a git ref`);
  return {
    ...(base !== undefined ? { base } : {}),
    ...(baseDir !== undefined ? { baseDir } : {}),
    ...(outdir !== undefined ? { outdir } : {}),
    ...(line.flags.has("json") ? { json: true } : {}),
  };
}

/** Where the review reads and writes: the Markdown (or --json) on stdout, notes on stderr. */
export type Io = CommandIo;

/** A path as shown: relative to the project when inside it. */
function shown(path: string, root: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function git(args: readonly string[], root: string): { status: number | null; stdout: string; stderr: string } {
  const run = runProcess("git", args, { cwd: root });
  if (run.error) throw new ReviewError(`git could not run: ${run.error.message}`);
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

/**
 * The project as of a git ref, synthesized: its tree (git archive) in a temp folder with this
 * project's node_modules linked, `node -r tsx/cjs main.ts` with CDKTF_OUTDIR in that folder and
 * the same SETUP_CONFIG when it is set (else the ref's own setup.config.json). The folder is
 * removed afterwards.
 */
export function synthesizeGitRef(ref: string, env: NodeJS.ProcessEnv, cwd: string, root: string): { output: SynthOutput; label: string } {
  const commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], root);
  if (commit.status !== 0 || !commit.stdout) {
    throw new ReviewError(`--base ${ref}: unknown git ref (no commit of that name in ${root}; try a branch, tag or commit id)`);
  }
  const sha = commit.stdout;
  const short = git(["rev-parse", "--short", sha], root).stdout || sha.slice(0, 7);
  const dir = ownedTempDir("review-base-");
  try {
    const tar = join(dir, "base.tar");
    const archive = git(["archive", "--format=tar", `--output=${tar}`, sha], root);
    if (archive.status !== 0) throw new ReviewError(`git archive ${short} failed: ${archive.stderr}`);
    const tree = join(dir, "tree");
    mkdirSync(tree);
    const extract = runProcess("tar", ["-x", "-f", tar, "-C", tree]);
    if (extract.status !== 0) throw new ReviewError(`extracting ${short} failed: ${extract.error?.message ?? extract.stderr.trim()}`);
    if (!existsSync(join(tree, "main.ts"))) throw new ReviewError(`--base ${ref} (${short}) has no main.ts: it cannot be synthesized`);
    symlinkSync(join(root, "node_modules"), join(tree, "node_modules"), "dir");
    const childEnv: NodeJS.ProcessEnv = { ...env, CDKTF_OUTDIR: join(tree, "cdktf.out"), CHECKPOINT_DISABLE: "1" };
    if (env.SETUP_CONFIG) childEnv.SETUP_CONFIG = resolve(cwd, env.SETUP_CONFIG);
    else delete childEnv.SETUP_CONFIG;
    const synth = runProcess(process.execPath, ["-r", "tsx/cjs", "main.ts"], { cwd: tree, env: childEnv, timeoutMs: 180_000 });
    if (synth.error) throw new ReviewError(`the synth of --base ${ref} (${short}) could not run: ${outcomeOf(synth, 180_000)}`);
    if (synth.status !== 0) {
      const why = `${synth.stderr}${synth.stdout}`.trim() || outcomeOf(synth);
      throw new ReviewError(`the synth of --base ${ref} (${short}) failed:\n${why.split(tree).join("<base>")}`);
    }
    return { output: loadOutdir(join(tree, "cdktf.out")), label: `git \`${ref}\` (commit ${short})` };
  } finally {
    // The link first: removing the folder must never reach into node_modules.
    rmSync(join(dir, "tree", "node_modules"), { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadBaseDir(dir: string, cwd: string, root: string): { output: SynthOutput; label: string } {
  const path = resolve(cwd, dir);
  if (!existsSync(join(path, "stacks"))) {
    throw new ReviewError(`--base-dir ${dir}: no stacks/ folder there (expected a cdktf.out folder of an earlier synth)`);
  }
  return { output: loadOutdir(path), label: `\`${shown(path, root)}\`` };
}

const SPEC = { name: "review", usage: USAGE, parse: parseArgs, failures: [...SYNTH_FAILURES, OutputBusyError] };

/** The review: returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: Io = processIo()): number {
  return runCommand(SPEC, argv, io, (args) => {
    const cwd = io.cwd ?? io.root;
    const configFile = configFileOf(io);
    const outdir = resolve(cwd, args.outdir ?? io.env.CDKTF_OUTDIR ?? join(io.root, "cdktf.out"));
    // The output folder is the review's from its synth to its review.md: another synth, review or
    // offline plan on it stops, naming this run.
    mkdirSync(dirname(outdir), { recursive: true });
    const release = lockOutput(outdir);
    try {
      return review(args, io, configFile, outdir);
    } finally {
      release();
    }
  });
}

function review(args: Args, io: Io, configFile: string, outdir: string): number {
  const cwd = io.cwd ?? io.root;
  // The base first: --base-dir may name the folder the synth below overwrites.
  const base =
    args.baseDir !== undefined
      ? loadBaseDir(args.baseDir, cwd, io.root)
      : args.base !== undefined
        ? synthesizeGitRef(args.base, io.env, cwd, io.root)
        : undefined;
  const synth = synthesize({ configFile, outdir });
  const names = synth.stacks;
  const all = loadOutdir(outdir).stacks;
  const head: SynthOutput = { stacks: Object.fromEntries(names.map((n) => [n, all[n]])), warnings: synth.warnings };

  const plans: Record<string, PlanJson | undefined> = {};
  for (const name of names) {
    try {
      plans[name] = loadPlan(outdir, name);
    } catch (e) {
      io.err(`review: ignoring the plan of ${name}: ${(e as Error).message}`);
    }
  }
  // The warnings by stack once, not a pass over all of them per stack (thousands of stacks).
  const byStack = warningsByStack(head.warnings);
  const step = progress("review", io, "stack", names.length);
  const summaries = names.map((name) => {
    step(name);
    return summarizeStack(head.stacks[name], byStack.get(name) ?? [], plans[name], name);
  });
  const diff: ReviewDiff | undefined = base ? diffOutputs(base.output, head) : undefined;
  const access = {
    head: accessGraph(head.stacks),
    ...(base ? { base: accessGraph(base.output.stacks) } : {}),
    planned: plannedAccessLosses(plans),
  };
  // Warnings of no stack: a stack no longer configured, a stale acknowledgement, another configuration file.
  const configured = new Set(names);
  const otherWarnings = head.warnings.filter((w) => !configured.has(w.path.split("/")[0]));
  const input: ReviewInput = { summaries, diff, access, otherWarnings, baseLabel: base?.label, configLabel: shown(configFile, io.root) };
  const markdown = renderMarkdown(input);
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, REVIEW_FILE);
  writeFileSync(file, markdown);
  if (!args.json) io.out(markdown);
  io.err(`review: wrote ${shown(file, io.root)}`);
  writeBounded(input, markdown, outdir, io);
  if (args.json) {
    const files = { review: REVIEW_FILE, comment: COMMENT_FILE, summary: STEP_SUMMARY_FILE };
    const paths = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, shown(join(outdir, f), io.root)])) as typeof files;
    io.out(`${JSON.stringify(reviewJson(input, paths))}\n`);
  }
  return 0;
}

/**
 * The two bounded forms of the review beside review.md: review-comment.md (the pull-request
 * comment, under GitHub's 65,536 characters) and review-summary.md (the job summary, under 1 MiB).
 */
export function writeBounded(input: ReviewInput, markdown: string, outdir: string, io: Pick<Io, "env" | "err" | "root">): void {
  const runUrl = runUrlOf(io.env);
  const summary = renderStepSummary(input, markdown, { runUrl });
  const comment = renderComment(input, { runUrl, summaryComplete: summary.complete });
  const said = (b: Bounded, unit: string, n: number) =>
    `${count(n)} ${unit}` +
    (b.detailsLeftOut > 0 ? `; the details of ${b.detailsShown} of ${b.stacks} stacks` : "") +
    (b.rowsListed < b.stacks ? `; ${b.rowsListed} of ${b.stacks} stacks in the table` : "");
  const commentFile = join(outdir, COMMENT_FILE);
  writeFileSync(commentFile, comment.markdown);
  io.err(`review: wrote ${shown(commentFile, io.root)} (${said(comment, "characters", comment.markdown.length)})`);
  const summaryFile = join(outdir, STEP_SUMMARY_FILE);
  writeFileSync(summaryFile, summary.markdown);
  const whole = summary.complete ? "; the whole review" : "";
  io.err(`review: wrote ${shown(summaryFile, io.root)} (${said(summary, "bytes", Buffer.byteLength(summary.markdown))}${whole})`);
}

/**
 * `npm run review --base HEAD~1` (without `--`) makes npm take `--base` as its own config
 * (npm_config_base=true) and pass only `HEAD~1`: give the flag back to the command line.
 */
export function npmConfigArgs(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const [value, ...rest] = argv;
  if (value === undefined || value.startsWith("-")) return argv;
  if (env.npm_config_base === "true") return ["--base", value, ...rest];
  if (env.npm_config_base_dir === "true") return ["--base-dir", value, ...rest];
  return argv;
}

if (require.main === module) {
  cleanUpOnSignals("review");
  main((argv, io) => run(npmConfigArgs([...argv], io.env), io));
}
