// How `npm run bench` (bench/run.ts) measures. hyperfine times every command (warm-up runs, N runs, a --prepare command before each run, median,
// min and max). This file keeps what hyperfine does not do: the jobs' setup (temp copies of the
// project, generated configurations, ts-node for the peer), the peak memory of each run (GNU time's
// %M around the command: the largest single process of its tree), the check that each synth wrote
// its stacks. Progress (hyperfine's own output) goes to stderr.
import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "fs";
import { builtinModules } from "module";
import { cpus, tmpdir, totalmem } from "os";
import { join } from "path";
import { PROJECT_ROOT as ROOT, UsageError, parseCommandLine } from "../scripts/lib/cli";

const GNU_TIME = "/usr/bin/time";
export const USAGE = `Usage: npm run bench -- [options]
  --runs N        runs per command (default 5)
  --slow-runs N   runs of the slow commands: the peer, cdktf synth, 100x10 (default min(runs, 3))
  --test-runs N   runs of npm test, npm run test:unit and tsc --noEmit (default 3)
  --warmup N      unmeasured runs of each command first (default 1; npm test has none)
  --skip-tests    leave out npm test, test:unit and tsc --noEmit (npm test takes minutes)
  --quick         smoke run: runs 1, no warm-up, --skip-tests
  --help          this text
Needs hyperfine (installed with apt-get when missing and run as root).`;

export type Options = { runs: number; slowRuns: number; testRuns: number; warmup: number; skipTests: boolean; quick: boolean };

export function parseOptions(argv: string[]): Options | "help" {
  const line = parseCommandLine(argv, ["runs", "slow-runs", "test-runs", "warmup"], 0, ["skip-tests", "quick"]);
  if (line === "help") return "help";
  const count = (flag: "runs" | "slow-runs" | "test-runs" | "warmup", min: number, otherwise: number): number => {
    const value = line.options[flag];
    if (value === undefined) return otherwise;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} needs an integer >= ${min}, got ${value}`);
    return n;
  };
  const quick = line.flags.has("quick");
  const runs = count("runs", 1, quick ? 1 : 5);
  return {
    runs,
    slowRuns: count("slow-runs", 1, Math.min(runs, 3)),
    testRuns: count("test-runs", 1, quick ? 1 : 3),
    warmup: count("warmup", 0, quick ? 0 : 1),
    skipTests: quick || line.flags.has("skip-tests"),
    quick,
  };
}

/** hyperfine on PATH; installed with apt-get (Debian's package) when missing and this is root, else how to get it. */
export function ensureHyperfine(): void {
  const present = () => spawnSync("hyperfine", ["--version"], { encoding: "utf8" }).status === 0;
  if (present()) return;
  if (process.getuid?.() === 0 && spawnSync("apt-get", ["--version"]).status === 0) {
    process.stderr.write("hyperfine not found: apt-get install -y hyperfine\n");
    const install = () => spawnSync("apt-get", ["install", "-y", "-q", "hyperfine"], { stdio: ["ignore", 2, 2] }).status === 0;
    if (install() || (spawnSync("apt-get", ["update", "-q"], { stdio: ["ignore", 2, 2] }).status === 0 && install())) return;
  }
  if (!present())
    throw new Error(
      "hyperfine is not installed: `sudo apt-get install hyperfine` (Debian, Ubuntu), `brew install hyperfine`, or `cargo install hyperfine`",
    );
}

export interface Job {
  key: string;
  label: string;
  /** The command as shown in the table (Markdown). */
  shown: string;
  /** A shell command line, run in `cwd`. */
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  runs: number;
  warmup: number;
  /** A shell command before every run, outside the timing (hyperfine --prepare). */
  prepare?: string;
  /** After the runs: the stacks the last run must have written. */
  stacks?: { outdir: string; count: number };
}

export interface Result {
  times: number[];
  median?: number;
  min?: number;
  max?: number;
  rssMb?: number;
  failure?: string;
}

export const results = new Map<string, Result>();
let gnuTime = false;

/** Whether GNU time works here (peak RSS); without it the table says "n/a". */
export function detectGnuTime(): boolean {
  gnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-f", "%M", "true"]).status === 0;
  return gnuTime;
}

/** Times one job with hyperfine; peak RSS from GNU time around each run (warm-up runs included). */
export function measure(job: Job, tmp: string): void {
  const [json, rss] = [join(tmp, `${job.key}.hyperfine.json`), join(tmp, `${job.key}.rss`)];
  const timed = gnuTime ? `${GNU_TIME} -f %M -a -o ${rss} ${job.command}` : job.command;
  const args = ["--style", "basic", "--runs", String(job.runs), "--warmup", String(job.warmup), "--export-json", json];
  if (job.prepare) args.push("--prepare", job.prepare);
  process.stderr.write(`\n${job.label}\n`);
  const ran = spawnSync("hyperfine", [...args, "--command-name", job.label, timed], {
    cwd: job.cwd,
    env: job.env,
    stdio: ["ignore", 2, 2],
  });
  const result: Result = { times: [] };
  results.set(job.key, result);
  if (ran.status !== 0) {
    // hyperfine does not keep the output of a failed command: one more run says why.
    const again = spawnSync("sh", ["-c", job.command], { cwd: job.cwd, env: job.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const output = `${again.stdout ?? ""}\n${again.stderr ?? ""}`.trimEnd().split("\n").slice(-15).join("\n");
    result.failure = `hyperfine exited ${ran.status ?? ran.signal}; the command alone exited ${again.status ?? again.signal}:\n${output}`;
    return;
  }
  const [r] = (JSON.parse(readFileSync(json, "utf8")) as { results: Result[] }).results;
  Object.assign(result, { times: r.times, median: r.median, min: r.min, max: r.max });
  if (gnuTime && existsSync(rss)) {
    const kb = readFileSync(rss, "utf8")
      .split("\n")
      .map(Number)
      .filter((n) => n > 0);
    if (kb.length) result.rssMb = Math.max(...kb) / 1024;
  }
  const found = job.stacks ? countResources(job.stacks.outdir).stacks : undefined;
  if (job.stacks && found !== job.stacks.count)
    result.failure = `expected ${job.stacks.count} stack(s) in ${job.stacks.outdir}/stacks, found ${found}`;
}

/** The environment of a user at a shell: no npm script variables, no synth settings of ours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const drop = (k: string) => k.startsWith("npm_") || k === "INIT_CWD" || k.startsWith("CDKTF_") || k === "SETUP_CONFIG";
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop(k))), ...extra };
}

/** What `cdktf` CLI users are told to set (README, .ci/run): no telemetry, no CLI config, no prompts. */
export const CLI_ENV = { CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null", CI: "true" };

/** The files a synth needs, copied into `dest` (never state files or cdktf.out); node_modules symlinked. */
export function copyProject(dest: string, cdktfApp?: string): string {
  mkdirSync(join(dest, "scripts"), { recursive: true });
  for (const entry of [
    "main.ts",
    "modules",
    "scripts/synth.js",
    "package.json",
    "tsconfig.json",
    "cdktf.json",
    "setup.config.json",
    "setup.schema.json",
  ]) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dest, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dest, "node_modules"), "dir");
  const cdktf = JSON.parse(readFileSync(join(dest, "cdktf.json"), "utf8"));
  if (cdktfApp) writeFileSync(join(dest, "cdktf.json"), `${JSON.stringify({ ...cdktf, app: cdktfApp }, null, 2)}\n`);
  return dest;
}

/** Stacks and resources (not data sources) in `<outdir>/stacks/<name>/cdk.tf.json`. */
export function countResources(outdir: string): { stacks: number; resources: number } {
  const dir = join(outdir, "stacks");
  const files = existsSync(dir)
    ? readdirSync(dir)
        .map((n) => join(dir, n, "cdk.tf.json"))
        .filter(existsSync)
    : [];
  const resources = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as { resource?: Record<string, object> });
  return {
    stacks: files.length,
    resources: resources.reduce(
      (sum, s) => sum + Object.values(s.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0),
      0,
    ),
  };
}

/** Non-relative, non-builtin modules main.ts and modules/ load at run time (type-only imports left out), and zod and jsonc-parser. */
export function appModules(): string[] {
  const files = ["main.ts", ...readdirSync(join(ROOT, "modules"), { recursive: true, encoding: "utf8" }).map((f) => join("modules", f))];
  const found = new Set(["cdktf", "zod", "jsonc-parser"]);
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+["']([^"']+)["']/gm,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const file of files.filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(ROOT, file), "utf8");
    for (const spec of patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]))) {
      if (!spec.startsWith(".") && !spec.startsWith("node:") && !builtinModules.includes(spec.split("/")[0])) found.add(spec);
    }
  }
  const rank = (m: string) => (m === "cdktf" ? 0 : m === "constructs" ? 1 : m.startsWith("@cdktf/provider-aws/lib/") ? 2 : 3);
  return [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** `accounts` accounts of `users` admin users each (the default one access key per user). */
export const scaleConfig = (accounts: number, users: number) => ({
  accounts: Array.from({ length: accounts }, (_, i) => ({
    name: `account-${i + 1}`,
    region: "us-east-1",
    accountId: String(100000000000 + i + 1),
    adminUsers: Array.from({ length: users }, (_, j) => ({ name: `admin-${j + 1}` })),
  })),
});

/** ts-node for the peer: <tmpdir>/bench-tools (or BENCH_TOOLS), installed there when missing and kept. */
export function ensureTsNode(): { bin?: string; note: string } {
  const tools = process.env.BENCH_TOOLS ?? join(tmpdir(), "bench-tools");
  const bin = join(tools, "node_modules", ".bin", "ts-node");
  if (!existsSync(bin)) {
    process.stderr.write(`installing ts-node@10 and typescript@5.9 into ${tools} (kept for later runs)\n`);
    const args = ["install", "--prefix", tools, "--no-audit", "--no-fund", "--loglevel=error", "ts-node@10", "typescript@5.9"];
    const r = spawnSync("npm", args, { cwd: tmpdir(), env: cleanEnv(), encoding: "utf8" });
    if (r.status !== 0 || !existsSync(bin)) return { note: `ts-node could not be installed into ${tools}: exit ${r.status}\n${r.stderr}` };
  }
  const version = (pkg: string, from: string) =>
    JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), "utf8")).version;
  // ts-node compiles with the project's typescript (it resolves it from the project first).
  return {
    bin,
    note: `ts-node ${version("ts-node", tools)} from ${tools}, compiling with the project's typescript ${version("typescript", ROOT)}`,
  };
}

export function machine(): string {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown CPU";
  const tf = spawnSync("terraform", ["version"], { env: cleanEnv(CLI_ENV), encoding: "utf8" });
  const terraform = tf.status === 0 ? tf.stdout.split("\n")[0].trim() : "terraform not found";
  const hyperfine = spawnSync("hyperfine", ["--version"], { encoding: "utf8" }).stdout.trim();
  return `${model}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory; node ${process.version}; ${terraform}; ${hyperfine}`;
}
