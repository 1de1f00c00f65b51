// `npm run review [-- --base <git ref> | --base-dir <previous cdktf.out>] [--outdir <dir>]`:
// synthesizes the configuration (SETUP_CONFIG, default setup.config.json) into cdktf.out and
// writes, to stdout and to cdktf.out/review.md, the Markdown a reviewer pastes into a pull
// request: per stack the account, backend, who gets AdministratorAccess, the resources with
// their key settings and the synth warnings; the planned changes when `npm run plan:offline`
// left a plan in cdktf.out/plans; and, given a base, what changed since it. Beside it, the same
// review in bounded form (scripts/review/comment.ts): cdktf.out/review-comment.md for the
// pull-request comment (under GitHub's 65,536 characters at any number of stacks) and
// cdktf.out/review-summary.md for the job summary (review.md itself when it fits in 1 MiB).
//
// Exit codes: 0 review written; 1 the configuration, the base or its synth failed; 2 bad arguments.
import { spawnSync } from "child_process";
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve } from "path";
import { synthesize } from "../modules/app";
import { userCwd } from "../modules/app/config";
import {
  Bounded,
  count,
  COMMENT_FILE,
  PlanJson,
  REVIEW_FILE,
  ReviewDiff,
  ReviewInput,
  STEP_SUMMARY_FILE,
  SynthOutput,
  accessGraph,
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
import { OutdirError } from "./review/files";
import { cleanUpOnSignals, ownedTempDir } from "./lib/temp";
import { OutputBusyError, lockOutput } from "../modules/app/synth/output-lock";
import { warningsByStack } from "./review/read";
import { PROJECT_ROOT, UsageError, parseCommandLine } from "./lib/cli";

/** The project root (the folder of main.ts, setup.config.json and cdktf.out/). */
export { PROJECT_ROOT };

export const USAGE = [
  "usage: npm run review [-- --base <git ref> | --base-dir <dir>] [--outdir <dir>]",
  "",
  "Synthesizes the configuration (SETUP_CONFIG, default setup.config.json) and writes a review of",
  "the stacks as Markdown, for a pull request, to stdout and to <outdir>/review.md.",
  "",
  "  --base <git ref>   also synthesize the project as of that commit (same SETUP_CONFIG when it is",
  "                     set, else that commit's setup.config.json) and report what changed",
  "  --base-dir <dir>   compare with a previous cdktf.out folder instead",
  "  --outdir <dir>     where to synthesize (default: cdktf.out, or CDKTF_OUTDIR)",
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
export class ReviewError extends Error {
  override name = "ReviewError";
}

export interface Args {
  readonly base?: string;
  readonly baseDir?: string;
  readonly outdir?: string;
}

/** `--help` / `-h`, or the parsed arguments. Throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Args | "help" {
  const line = parseCommandLine(argv, ["base", "base-dir", "outdir"], 0);
  if (line === "help") return "help";
  const { base, "base-dir": baseDir, outdir } = line.options;
  if (base !== undefined && baseDir !== undefined) throw new UsageError("give --base or --base-dir, not both");
  if (base?.startsWith("-")) throw new UsageError(`--base ${base}: not a git ref`);
  return {
    ...(base !== undefined ? { base } : {}),
    ...(baseDir !== undefined ? { baseDir } : {}),
    ...(outdir !== undefined ? { outdir } : {}),
  };
}

/** Where the review reads and writes. */
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The Markdown (stdout). */
  out(text: string): void;
  /** Progress and errors (stderr). */
  err(line: string): void;
}

const defaultIo: Io = {
  env: process.env,
  cwd: userCwd(),
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A path as shown: relative to the project when inside it. */
function shown(path: string): string {
  const rel = relative(PROJECT_ROOT, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function git(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync("git", [...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (run.error) throw new ReviewError(`git could not run: ${run.error.message}`);
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

/**
 * The project as of a git ref, synthesized: its tree (git archive) in a temp folder with this
 * project's node_modules linked, `node -r tsx/cjs main.ts` with CDKTF_OUTDIR in that folder and
 * the same SETUP_CONFIG when it is set (else the ref's own setup.config.json). The folder is
 * removed afterwards.
 */
export function synthesizeGitRef(ref: string, env: NodeJS.ProcessEnv, cwd: string): { output: SynthOutput; label: string } {
  const commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit.status !== 0 || !commit.stdout) {
    throw new ReviewError(`--base ${ref}: unknown git ref (no commit of that name in ${PROJECT_ROOT}; try a branch, tag or commit id)`);
  }
  const sha = commit.stdout;
  const short = git(["rev-parse", "--short", sha]).stdout || sha.slice(0, 7);
  const dir = ownedTempDir("review-base-");
  const link = join(dir, "node_modules");
  try {
    const archive = spawnSync("git", ["archive", "--format=tar", sha], { cwd: PROJECT_ROOT, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new ReviewError(`git archive ${short} failed: ${archive.stderr.toString().trim()}`);
    const tar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout, maxBuffer: 1 << 26 });
    if (tar.status !== 0) throw new ReviewError(`extracting ${short} failed: ${tar.error?.message ?? tar.stderr.toString().trim()}`);
    if (!existsSync(join(dir, "main.ts"))) throw new ReviewError(`--base ${ref} (${short}) has no main.ts: it cannot be synthesized`);
    symlinkSync(join(PROJECT_ROOT, "node_modules"), link, "dir");
    const childEnv: NodeJS.ProcessEnv = { ...env, CDKTF_OUTDIR: join(dir, "cdktf.out"), CHECKPOINT_DISABLE: "1" };
    if (env.SETUP_CONFIG) childEnv.SETUP_CONFIG = resolve(cwd, env.SETUP_CONFIG);
    else delete childEnv.SETUP_CONFIG;
    const synth = spawnSync(process.execPath, ["-r", "tsx/cjs", "main.ts"], {
      cwd: dir,
      env: childEnv,
      encoding: "utf8",
      timeout: 180_000,
    });
    if (synth.error) throw new ReviewError(`the synth of --base ${ref} (${short}) could not run: ${synth.error.message}`);
    if (synth.status !== 0) {
      const why = `${synth.stderr}${synth.stdout}`.trim() || `exit ${synth.status ?? synth.signal}`;
      throw new ReviewError(`the synth of --base ${ref} (${short}) failed:\n${why.split(dir).join("<base>")}`);
    }
    return { output: loadOutdir(join(dir, "cdktf.out")), label: `git \`${ref}\` (commit ${short})` };
  } finally {
    if (existsSync(link) || isSymlink(link)) unlinkSync(link);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function loadBaseDir(dir: string, cwd: string): { output: SynthOutput; label: string } {
  const path = resolve(cwd, dir);
  if (!existsSync(join(path, "stacks"))) {
    throw new ReviewError(`--base-dir ${dir}: no stacks/ folder there (expected a cdktf.out folder of an earlier synth)`);
  }
  return { output: loadOutdir(path), label: `\`${shown(path)}\`` };
}

/** The review: returns the exit code. */
export function run(argv: readonly string[], io: Io = defaultIo): number {
  let args: Args;
  try {
    const parsed = parseArgs(argv);
    if (parsed === "help") {
      io.out(`${USAGE}\n`);
      return 0;
    }
    args = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`review: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  const configFile = io.env.SETUP_CONFIG ? resolve(io.cwd, io.env.SETUP_CONFIG) : join(PROJECT_ROOT, "setup.config.json");
  const outdir = resolve(io.cwd, args.outdir ?? io.env.CDKTF_OUTDIR ?? join(PROJECT_ROOT, "cdktf.out"));
  // The output folder is the review's from its synth to its review.md: another synth, review or
  // offline plan on it stops, naming this run.
  let release = () => undefined as void;
  try {
    mkdirSync(dirname(outdir), { recursive: true });
    release = lockOutput(outdir);
    // The base first: --base-dir may name the folder the synth below overwrites.
    const base =
      args.baseDir !== undefined
        ? loadBaseDir(args.baseDir, io.cwd)
        : args.base !== undefined
          ? synthesizeGitRef(args.base, io.env, io.cwd)
          : undefined;

    let synth: ReturnType<typeof synthesize>;
    try {
      synth = synthesize({ configFile, outdir });
    } catch (e) {
      throw new ReviewError(e instanceof Error ? e.message : String(e));
    }
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
    const summaries = names.map((name) => summarizeStack(head.stacks[name], byStack.get(name) ?? [], plans[name], name));
    const diff: ReviewDiff | undefined = base ? diffOutputs(base.output, head) : undefined;
    const access = {
      head: accessGraph(head.stacks),
      ...(base ? { base: accessGraph(base.output.stacks) } : {}),
      planned: plannedAccessLosses(plans),
    };
    // Warnings of no stack: a stack no longer configured, a stale acknowledgement, another configuration file.
    const configured = new Set(names);
    const otherWarnings = head.warnings.filter((w) => !configured.has(w.path.split("/")[0]));
    const input: ReviewInput = { summaries, diff, access, otherWarnings, baseLabel: base?.label, configLabel: shown(configFile) };
    const markdown = renderMarkdown(input);
    mkdirSync(outdir, { recursive: true });
    const file = join(outdir, REVIEW_FILE);
    writeFileSync(file, markdown);
    io.out(markdown);
    io.err(`review: wrote ${shown(file)}`);
    writeBounded(input, markdown, outdir, io);
    return 0;
  } catch (e) {
    if (!(e instanceof ReviewError || e instanceof OutdirError || e instanceof OutputBusyError)) throw e;
    io.err(`review: ${e.message}`);
    return 1;
  } finally {
    release();
  }
}

/**
 * The two bounded forms of the review beside review.md: review-comment.md (the pull-request
 * comment, under GitHub's 65,536 characters) and review-summary.md (the job summary, under 1 MiB).
 */
export function writeBounded(input: ReviewInput, markdown: string, outdir: string, io: Pick<Io, "env" | "err">): void {
  const runUrl = runUrlOf(io.env);
  const summary = renderStepSummary(input, markdown, { runUrl });
  const comment = renderComment(input, { runUrl, summaryComplete: summary.complete });
  const said = (b: Bounded, unit: string, n: number) =>
    `${count(n)} ${unit}` +
    (b.detailsLeftOut > 0 ? `; the details of ${b.detailsShown} of ${b.stacks} stacks` : "") +
    (b.rowsListed < b.stacks ? `; ${b.rowsListed} of ${b.stacks} stacks in the table` : "");
  const commentFile = join(outdir, COMMENT_FILE);
  writeFileSync(commentFile, comment.markdown);
  io.err(`review: wrote ${shown(commentFile)} (${said(comment, "characters", comment.markdown.length)})`);
  const summaryFile = join(outdir, STEP_SUMMARY_FILE);
  writeFileSync(summaryFile, summary.markdown);
  const whole = summary.complete ? "; the whole review" : "";
  io.err(`review: wrote ${shown(summaryFile)} (${said(summary, "bytes", Buffer.byteLength(summary.markdown))}${whole})`);
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
  process.exitCode = run(npmConfigArgs(process.argv.slice(2), process.env));
}
