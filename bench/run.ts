// `npm run bench`: how long the README's main job takes, next to what it cannot beat (loading
// its modules), what it replaces (the stock CDKTF template: `cdktf synth` with `ts-node`), the
// cdktf CLI on this project, generated configurations of growing size, and `npm test`.
//
// Every figure is the median (with min and max) of N runs of the command as a child process,
// wall time taken with process.hrtime.bigint() around spawnSync; the commands are interleaved
// round-robin (one run of each per iteration) so that noise on the machine hits them alike.
// Peak RSS is GNU time's %M (the largest single process of the tree, in KB), the highest of
// the runs. Markdown goes to stdout, progress to stderr. See bench/README.md.
//
// Nothing in the repository is written (tsc --noEmit and npm test update the git-ignored
// tsconfig.tsbuildinfo, as they always do): the synth jobs run in temp copies of the project
// with node_modules symlinked, or with CDKTF_OUTDIR in a temp folder; the temp folder is
// removed at the end. ts-node (for the peer) is installed once into <tmpdir>/bench-tools
// (BENCH_TOOLS overrides it) and kept there for the next run.
import { EXIT, PROJECT_ROOT, UsageError, parseCommandLine } from "../scripts/lib/cli";
import { SpawnSyncReturns, spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { builtinModules } from "module";
import { cpus, loadavg, tmpdir, totalmem } from "os";
import { join, sep } from "path";

const ROOT = PROJECT_ROOT;
const GNU_TIME = "/usr/bin/time";
const MB = 1024; // %M is in KB

// ---------------------------------------------------------------------------------- options

interface Options {
  runs: number;
  slowRuns: number;
  testRuns: number;
  warmup: number;
  skipTests: boolean;
  quick: boolean;
}

const USAGE = `Usage: npm run bench -- [options]
  --runs N        runs per command (default 5)
  --slow-runs N   runs of the slow commands: the peer, cdktf synth, 100x10 (default min(runs, 3))
  --test-runs N   runs of npm test and tsc --noEmit (default 3)
  --warmup N      unmeasured passes over every command first (default 1; npm test has none)
  --skip-tests    leave out npm test vs tsc --noEmit (npm test takes 40 s or more)
  --quick         smoke run: runs 1, no warm-up, --skip-tests
  --help          this text`;

function parseOptions(argv: string[]): Options | "help" {
  const line = parseCommandLine(argv, ["runs", "slow-runs", "test-runs", "warmup"], 0, ["skip-tests", "quick"]);
  if (line === "help") return "help";
  const count = (flag: string, value: string | undefined, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} needs an integer >= ${min}, got ${value}`);
    return n;
  };
  const given: Partial<Options> = {
    runs: count("runs", line.options.runs, 1),
    slowRuns: count("slow-runs", line.options["slow-runs"], 1),
    testRuns: count("test-runs", line.options["test-runs"], 1),
    warmup: count("warmup", line.options.warmup, 0),
    ...(line.flags.has("skip-tests") ? { skipTests: true } : {}),
    ...(line.flags.has("quick") ? { quick: true } : {}),
  };
  const quick = given.quick ?? false;
  const runs = given.runs ?? (quick ? 1 : 5);
  return {
    runs,
    slowRuns: given.slowRuns ?? Math.min(runs, 3),
    testRuns: given.testRuns ?? (quick ? 1 : 3),
    warmup: given.warmup ?? (quick ? 0 : 1),
    skipTests: given.skipTests ?? quick,
    quick,
  };
}

// ---------------------------------------------------------------------------------- jobs

interface Job {
  readonly key: string;
  readonly label: string;
  /** The command as shown in the table (Markdown). */
  readonly shown: string;
  readonly cmd: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly runs: number;
  readonly warmup: boolean;
  /** Before every run, outside the timing (e.g. empty the output folder). */
  readonly before?: () => void;
  /** After every run, outside the timing: throws when the run did not do its job. */
  readonly check?: () => void;
}

interface Result {
  readonly times: number[]; // seconds
  readonly rssKb: number[];
  failure?: string;
}

const results = new Map<string, Result>();
let timeAvailable = false;

function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function describeExit(r: SpawnSyncReturns<string>): string {
  if (r.error) return r.error.message;
  return r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
}

/** Runs a job once; returns false (and records why) when it failed. */
function runOnce(job: Job, rssFile: string, measured: boolean): boolean {
  const result = results.get(job.key)!;
  if (result.failure) return false;
  job.before?.();
  rmSync(rssFile, { force: true });
  const [cmd, args] = timeAvailable ? [GNU_TIME, ["-f", "%M", "-o", rssFile, job.cmd, ...job.args]] : [job.cmd, job.args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: job.cwd,
    env: job.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error || r.status !== 0) {
    result.failure = `${describeExit(r)}\n${tail(`${r.stdout ?? ""}\n${r.stderr ?? ""}`)}`;
    return false;
  }
  try {
    job.check?.();
  } catch (error) {
    result.failure = error instanceof Error ? error.message : String(error);
    return false;
  }
  if (measured) {
    result.times.push(seconds);
    if (timeAvailable) {
      const kb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
      if (Number.isFinite(kb)) result.rssKb.push(kb);
    }
  }
  process.stderr.write(`  ${measured ? "" : "(warm-up) "}${job.label}: ${seconds.toFixed(3)} s\n`);
  return true;
}

/** Warm-up passes, then N iterations, each running every job (that still has runs left) once, in order. */
function runInterleaved(jobs: Job[], warmup: number, rssFile: string): void {
  for (const job of jobs) results.set(job.key, { times: [], rssKb: [] });
  for (let w = 0; w < warmup; w++) {
    process.stderr.write(`warm-up ${w + 1}/${warmup}\n`);
    for (const job of jobs) if (job.warmup) runOnce(job, rssFile, false);
  }
  const iterations = Math.max(...jobs.map((j) => j.runs));
  for (let i = 0; i < iterations; i++) {
    process.stderr.write(`iteration ${i + 1}/${iterations}\n`);
    for (const job of jobs) if (i < job.runs) runOnce(job, rssFile, true);
  }
}

// ---------------------------------------------------------------------------------- helpers

/** The environment of a user at a shell: no npm script variables, no synth settings of ours. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("npm_") || k === "INIT_CWD" || k.startsWith("CDKTF_") || k === "SETUP_CONFIG") continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The main job's command (package.json) and the app cdktf runs (cdktf.json). */
const SYNTH_SCRIPT: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.synth;
const CDKTF_APP: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;

/** What `cdktf` CLI users are told to set (README, .ci/run): no telemetry, no CLI config, no prompts. */
const CLI_ENV = { CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null", CI: "true" };

/** The files a synth needs, copied (never state files or cdktf.out); node_modules symlinked. */
function copyProject(dest: string, cdktfApp?: string): string {
  mkdirSync(dest, { recursive: true });
  const entries = [
    "main.ts",
    "modules",
    "scripts/synth.js",
    "package.json",
    "tsconfig.json",
    "cdktf.json",
    "setup.config.json",
    "setup.schema.json",
  ];
  for (const entry of entries) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dest, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dest, "node_modules"), "dir");
  if (cdktfApp) {
    const cdktf = JSON.parse(readFileSync(join(dest, "cdktf.json"), "utf8"));
    writeFileSync(join(dest, "cdktf.json"), `${JSON.stringify({ ...cdktf, app: cdktfApp }, null, 2)}\n`);
  }
  return dest;
}

/** Stacks and resources (not data sources) in `<outdir>/stacks/<name>/cdk.tf.json`. */
function countResources(outdir: string): { stacks: number; resources: number } {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) return { stacks: 0, resources: 0 };
  let stacks = 0;
  let resources = 0;
  for (const name of readdirSync(stacksDir)) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    stacks++;
    const json = JSON.parse(readFileSync(file, "utf8")) as { resource?: Record<string, Record<string, unknown>> };
    for (const byName of Object.values(json.resource ?? {})) resources += Object.keys(byName).length;
  }
  return { stacks, resources };
}

function expectStacks(outdir: string, stacks: number): () => void {
  return () => {
    const found = countResources(outdir).stacks;
    if (found !== stacks) throw new Error(`expected ${stacks} stack(s) in ${outdir}/stacks, found ${found}`);
  };
}

/** Non-relative, non-builtin modules the app loads at run time (type-only imports left out). */
function appModules(): string[] {
  const files = [
    join(ROOT, "main.ts"),
    ...readdirSync(join(ROOT, "modules"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(ROOT, "modules", f)),
  ];
  const found = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+["']([^"']+)["']/gm,
    /^\s*import\s+["']([^"']+)["']/gm,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const file of files) {
    const source = readFileSync(file, "utf8");
    for (const pattern of patterns) {
      for (const match of source.matchAll(pattern)) {
        const spec = match[1];
        if (spec.startsWith(".") || spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0])) continue;
        found.add(spec);
      }
    }
  }
  // The brief's floor: cdktf, the provider's deep modules the app imports, zod, jsonc-parser.
  for (const always of ["cdktf", "zod", "jsonc-parser"]) found.add(always);
  const rank = (m: string): number => (m === "cdktf" ? 0 : m === "constructs" ? 1 : m.startsWith("@cdktf/provider-aws/lib/") ? 2 : 3);
  return [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function scaleConfig(accounts: number, users: number): object {
  return {
    accounts: Array.from({ length: accounts }, (_, i) => ({
      name: `account-${i + 1}`,
      region: "us-east-1",
      accountId: String(100000000000 + i + 1),
      // no accessKeys: the default, one Active key per user
      adminUsers: Array.from({ length: users }, (_, j) => ({ name: `admin-${j + 1}` })),
    })),
  };
}

/** ts-node for the peer: <tmpdir>/bench-tools (or BENCH_TOOLS), installed there when missing. */
function ensureTsNode(): { bin?: string; note: string } {
  const tools = process.env.BENCH_TOOLS ?? join(tmpdir(), "bench-tools");
  const bin = join(tools, "node_modules", ".bin", "ts-node");
  if (!existsSync(bin)) {
    process.stderr.write(`installing ts-node@10 and typescript@5.9 into ${tools} (kept for later runs)\n`);
    const r = spawnSync(
      "npm",
      ["install", "--prefix", tools, "--no-audit", "--no-fund", "--loglevel=error", "ts-node@10", "typescript@5.9"],
      {
        cwd: tmpdir(),
        env: cleanEnv(),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    if (r.status !== 0 || !existsSync(bin))
      return { note: `ts-node could not be installed into ${tools}: ${describeExit(r)}\n${tail(r.stderr ?? "")}` };
  }
  const version = (pkg: string, from: string): string => {
    try {
      return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), "utf8")).version;
    } catch {
      return "?";
    }
  };
  // ts-node compiles with the project's typescript (it resolves it from the project first).
  return {
    bin,
    note: `ts-node ${version("ts-node", tools)} from ${tools}, compiling with the project's typescript ${version("typescript", ROOT)}`,
  };
}

function machine(): string {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown CPU";
  const tf = spawnSync("terraform", ["version"], {
    env: cleanEnv({ TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" }),
    encoding: "utf8",
  });
  const terraform = tf.status === 0 ? tf.stdout.split("\n")[0].trim() : "terraform not found";
  const memory = (totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cpus().length} cores, ${memory} GiB memory; node ${process.version}; ${terraform}`;
}

// ---------------------------------------------------------------------------------- figures

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function med(key: string): number | undefined {
  const r = results.get(key);
  return r && !r.failure && r.times.length > 0 ? median(r.times) : undefined;
}

function peakMb(key: string): number | undefined {
  const r = results.get(key);
  return r && r.rssKb.length > 0 ? Math.max(...r.rssKb) / MB : undefined;
}

const secs = (s: number): string => `${s.toFixed(3)} s`;
const x = (n: number): string => `${n.toFixed(2)}×`;
const mark = (ok: boolean): string => (ok ? "**PASS**" : "**MISS**");
const cell = (text: string): string => text.replace(/\|/g, "\\|");

interface Row {
  readonly job: Job;
  figure?: string;
  target?: string;
  verdict?: string;
}

function table(rows: Row[]): string {
  const out = [
    "| # | job | command | runs | median | min | max | peak RSS | figure | target | |",
    "|--:|-----|---------|-----:|-------:|----:|----:|---------:|--------|--------|---|",
  ];
  rows.forEach((row, i) => {
    const r = results.get(row.job.key);
    const failed = r?.failure !== undefined;
    const times = r?.times ?? [];
    const rss = peakMb(row.job.key);
    const rssText = !timeAvailable ? "n/a (GNU time not found)" : rss === undefined ? "—" : `${rss.toFixed(0)} MB`;
    const stat = (f: (t: number[]) => number): string => (times.length && !failed ? secs(f(times)) : "—");
    out.push(
      `| ${i + 1} | ${cell(row.job.label)} | ${cell(row.job.shown)} | ${failed ? "FAILED" : `${times.length}`} | ${stat(median)} | ` +
        `${stat((t) => Math.min(...t))} | ${stat((t) => Math.max(...t))} | ${failed ? "—" : rssText} | ` +
        `${cell(row.figure ?? "")} | ${cell(row.target ?? "")} | ${row.verdict ?? ""} |`,
    );
  });
  return out.join("\n");
}

// ---------------------------------------------------------------------------------- main

function benchmark(options: Options, tmp: string): number {
  timeAvailable = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" }).status === 0;
  const rssFile = join(tmp, "rss.txt");
  const loadStart = loadavg()[0];

  // 1. floor
  const floorModules = appModules();
  const floorCode = floorModules.map((m) => `require(${JSON.stringify(m)})`).join("; ");
  const providerCount = floorModules.filter((m) => m.startsWith("@cdktf/provider-aws/lib/")).length;

  // 2. main job, 3. peer, 4. cdktf synth with the project's cdktf.json: each in its own copy.
  const mainDir = copyProject(join(tmp, "main"));
  // npm's own start-up, to tell it apart from the app's: a script that starts node and does nothing.
  const mainPackage = JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8"));
  mainPackage.scripts["bench-noop"] = "node -e 0";
  writeFileSync(join(mainDir, "package.json"), JSON.stringify(mainPackage, null, 2));
  const tsNode = ensureTsNode();
  const peerDir = copyProject(join(tmp, "peer"), tsNode.bin ? `${tsNode.bin} main.ts` : "false");
  const cliDir = copyProject(join(tmp, "cli"));
  const cdktfBin = join(ROOT, "node_modules", ".bin", "cdktf");
  const shipped = JSON.parse(readFileSync(join(ROOT, "setup.config.json"), "utf8")) as { accounts: unknown[] };
  const shippedStacks = shipped.accounts.length;
  // The stacks go before each run; the bundle (cdktf.out/app) stays, as between two synths of an unchanged app.
  const emptyOut = (dir: string) => () => {
    rmSync(join(dir, "cdktf.out", "stacks"), { recursive: true, force: true });
    rmSync(join(dir, "cdktf.out", "manifest.json"), { force: true });
  };

  // 5. scale
  const scales = [
    { key: "scale-1x1", accounts: 1, users: 1 },
    { key: "scale-10x10", accounts: 10, users: 10 },
    { key: "scale-100x10", accounts: 100, users: 10 },
    { key: "scale-1000x10", accounts: 1000, users: 10 },
  ];
  const scaleJobs: Job[] = scales.map((s) => {
    const config = join(tmp, `${s.key}.json`);
    writeFileSync(config, `${JSON.stringify(scaleConfig(s.accounts, s.users), null, 2)}\n`);
    const outdir = join(tmp, `${s.key}.out`);
    const slow = s.accounts * s.users >= 1000;
    const huge = s.accounts >= 1000;
    return {
      key: s.key,
      label: `scale: ${s.accounts} account${s.accounts > 1 ? "s" : ""} × ${s.users} user${s.users > 1 ? "s" : ""}`,
      shown: "the synth script without npm's start-up (`node scripts/synth.js`), " + "SETUP_CONFIG and CDKTF_OUTDIR in the temp folder",
      cmd: "sh",
      args: ["-c", SYNTH_SCRIPT],
      cwd: mainDir,
      env: cleanEnv({
        SETUP_CONFIG: config,
        CDKTF_OUTDIR: outdir,
        PATH: `${join(mainDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
      }),
      runs: huge ? 1 : slow ? options.slowRuns : options.runs,
      warmup: !huge,
      before: () => rmSync(outdir, { recursive: true, force: true }),
      check: expectStacks(outdir, s.accounts),
    };
  });

  const jobs: Job[] = [
    {
      key: "floor",
      label: `floor: load cdktf, ${providerCount} provider modules, zod, jsonc-parser`,
      shown: `\`node -e 'require("cdktf"); …'\` (${floorModules.length} modules, listed below)`,
      cmd: "node",
      args: ["-e", floorCode],
      cwd: mainDir,
      env: cleanEnv(),
      runs: options.runs,
      warmup: true,
    },
    {
      key: "main",
      label: "main job: shipped config",
      shown: "`npm run synth`",
      cmd: "npm",
      args: ["run", "synth"],
      cwd: mainDir,
      env: cleanEnv(),
      runs: options.runs,
      warmup: true,
      before: emptyOut(mainDir),
      check: expectStacks(join(mainDir, "cdktf.out"), shippedStacks),
    },
    {
      key: "npm",
      label: "npm's own start-up (a script that runs `node -e 0`)",
      shown: "`npm run bench-noop`",
      cmd: "npm",
      args: ["run", "bench-noop"],
      cwd: mainDir,
      env: cleanEnv(),
      runs: options.runs,
      warmup: true,
    },
    {
      key: "synthjs",
      label: "main job without npm",
      shown: "`node scripts/synth.js`",
      cmd: "node",
      args: ["scripts/synth.js"],
      cwd: mainDir,
      env: cleanEnv(),
      runs: options.runs,
      warmup: true,
      before: emptyOut(mainDir),
      check: expectStacks(join(mainDir, "cdktf.out"), shippedStacks),
    },
    {
      key: "peer",
      label: "peer: stock CDKTF template",
      shown: "`cdktf synth`, app `ts-node main.ts`",
      cmd: cdktfBin,
      args: ["synth"],
      cwd: peerDir,
      env: cleanEnv(CLI_ENV),
      runs: options.slowRuns,
      warmup: true,
      before: emptyOut(peerDir),
      check: expectStacks(join(peerDir, "cdktf.out"), shippedStacks),
    },
    {
      key: "cli",
      label: "cdktf CLI on this project",
      shown: `\`cdktf synth\`, app \`${CDKTF_APP}\` (cdktf.json)`,
      cmd: cdktfBin,
      args: ["synth"],
      cwd: cliDir,
      env: cleanEnv(CLI_ENV),
      runs: options.slowRuns,
      warmup: true,
      before: emptyOut(cliDir),
      check: expectStacks(join(cliDir, "cdktf.out"), shippedStacks),
    },
    ...scaleJobs,
  ];
  // Without ts-node the peer is not run; its row says why.
  runInterleaved(tsNode.bin ? jobs : jobs.filter((j) => j.key !== "peer"), options.warmup, rssFile);
  if (!tsNode.bin) results.set("peer", { times: [], rssKb: [], failure: tsNode.note });

  // 6. npm test vs tsc --noEmit, in the repository itself
  const testJobs: Job[] = options.skipTests
    ? []
    : [
        {
          key: "tsc",
          label: "type-check",
          shown: "`tsc --noEmit`",
          cmd: join(ROOT, "node_modules", ".bin", "tsc"),
          args: ["--noEmit"],
          cwd: ROOT,
          env: cleanEnv(),
          runs: options.testRuns,
          warmup: true,
        },
        {
          key: "test",
          label: "the README's test command",
          shown: "`npm test`",
          cmd: "npm",
          args: ["test"],
          cwd: ROOT,
          env: cleanEnv(),
          runs: options.testRuns,
          warmup: false,
        },
        {
          key: "unit",
          label: "the inner loop: jest without real clients",
          shown: "`npm run test:unit`",
          cmd: "npm",
          args: ["run", "test:unit"],
          cwd: ROOT,
          env: cleanEnv(),
          runs: options.testRuns,
          warmup: false,
        },
      ];
  if (testJobs.length > 0) runInterleaved(testJobs, options.warmup, rssFile);
  const suites = testJobs.length > 0 ? suiteTimes(tmp) : [];

  // ------------------------------------------------------------------ the table
  const rows: Row[] = jobs.map((job) => ({ job }));
  const row = (key: string): Row => rows.find((r) => r.job.key === key)!;
  const floor = med("floor");
  const main = med("main");

  if (main !== undefined && floor !== undefined) {
    const ratio = main / floor;
    Object.assign(row("main"), { figure: `${x(ratio)} floor`, target: "≤ 1.5× floor", verdict: mark(ratio <= 1.5) });
  } else Object.assign(row("main"), { target: "≤ 1.5× floor", verdict: "n/a" });
  const npmOnly = med("npm");
  const synthJs = med("synthjs");
  if (synthJs !== undefined && floor !== undefined) row("synthjs").figure = `${x(synthJs / floor)} floor`;
  if (npmOnly !== undefined && main !== undefined) {
    row("npm").figure = `${Math.round((npmOnly / main) * 100)}% of the main job`;
  }

  const peer = med("peer");
  if (peer !== undefined && main !== undefined) {
    const speedup = peer / main;
    const figure = `main job is ${x(speedup)} faster`;
    Object.assign(row("peer"), { figure, target: "main job ≥ 5× faster", verdict: mark(speedup >= 5) });
  } else Object.assign(row("peer"), { target: "main job ≥ 5× faster", verdict: "n/a" });

  const cli = med("cli");
  if (cli !== undefined && main !== undefined) row("cli").figure = `${x(cli / main)} main job`;

  const resourcesOf = new Map<string, number>();
  for (const s of scales) {
    const n = countResources(join(tmp, `${s.key}.out`)).resources;
    resourcesOf.set(s.key, n);
    const t = med(s.key);
    if (t !== undefined) row(s.key).figure = `${n} resources, ${Math.round(n / t)} resources/s`;
  }
  const big = med("scale-100x10");
  const bigRss = peakMb("scale-100x10");
  const small = med("scale-1x1");
  if (big !== undefined && main !== undefined) {
    const ratio = big / main;
    const okTime = ratio <= 10;
    const okRss = bigRss === undefined ? undefined : bigRss <= 400;
    const r = row("scale-100x10");
    r.figure = `${r.figure}; ${x(ratio)} main job${small !== undefined ? ` (${x(big / small)} the 1×1 row)` : ""}`;
    r.target = "≤ 10× main job; ≤ 400 MB";
    r.verdict = `${mark(okTime)} / ${okRss === undefined ? "n/a" : mark(okRss)}`;
  } else Object.assign(row("scale-100x10"), { target: "≤ 10× main job; ≤ 400 MB", verdict: "n/a" });
  const huge = med("scale-1000x10");
  const hugeRss = peakMb("scale-1000x10");
  if (huge !== undefined && big !== undefined) {
    const r = row("scale-1000x10");
    const okTime = huge <= 10;
    const okRss = hugeRss === undefined ? undefined : hugeRss <= 400;
    r.figure = `${r.figure}; ${x(huge / big)} the 100×10 row${hugeRss !== undefined && bigRss !== undefined ? `, ${x(hugeRss / bigRss)} its peak RSS` : ""}`;
    r.target = "≤ 10 s; ≤ 400 MB";
    r.verdict = `${mark(okTime)} / ${okRss === undefined ? "n/a" : mark(okRss)}`;
  } else Object.assign(row("scale-1000x10"), { target: "≤ 10 s; ≤ 400 MB", verdict: "n/a" });

  for (const job of testJobs) rows.push({ job });
  if (testJobs.length > 0) {
    const tsc = med("tsc");
    const test = med("test");
    const unit = med("unit");
    const r = row("test");
    r.target = "≤ 60 s (idle machine)";
    r.figure = test !== undefined && tsc !== undefined ? `${x(test / tsc)} tsc --noEmit` : undefined;
    r.verdict = test !== undefined ? mark(test <= 60) : "n/a";
    const u = row("unit");
    u.target = "≤ 8 s";
    u.verdict = unit !== undefined ? mark(unit <= 8) : "n/a";
  }

  // ------------------------------------------------------------------ print
  const same = (a: string, b: string): string => {
    const f = (dir: string) => join(dir, "cdktf.out", "stacks");
    try {
      const names = readdirSync(f(a)).sort();
      if (names.join() !== readdirSync(f(b)).sort().join()) return "no (different stacks)";
      return names.every((n) => readFileSync(join(f(a), n, "cdk.tf.json"), "utf8") === readFileSync(join(f(b), n, "cdk.tf.json"), "utf8"))
        ? "yes"
        : "no";
    } catch {
      return "n/a";
    }
  };
  const slowNote = options.slowRuns !== options.runs ? ` (${options.slowRuns} for the peer, cdktf synth and 100×10)` : "";
  const testNote =
    testJobs.length > 0
      ? `; npm test and tsc --noEmit ${options.testRuns} runs each, interleaved, after the rest`
      : "; npm test left out (--skip-tests)";
  const lines = [
    `## Synth benchmark${options.quick ? " (--quick: one run each, a smoke test, not a measurement)" : ""}`,
    "",
    `Machine: ${machine()}. Load average (1 min): ${loadStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end.`,
    "",
    `Wall time of each command as a child process: median, min and max of ${options.runs} run(s)${slowNote}${testNote}; ` +
      `commands interleaved round-robin, after ${options.warmup} unmeasured warm-up pass(es). ` +
      `Peak RSS: GNU time %M (the largest single process of the command's tree), the highest of the runs.`,
    "",
    table(rows),
    "",
    `- Floor modules (from the imports of main.ts and modules/*.ts): ${floorModules.map((m) => `\`${m}\``).join(", ")}.`,
    `- Jobs 1-7 run in temp copies of the project (node_modules symlinked), never touching the repository's cdktf.out; the scale configs ` +
      "(account-<i>, us-east-1, accountId 100000000000+i, users admin-<j> with the default one access key) " +
      "are generated into the temp folder. " +
      `cdktf synth runs with ${Object.entries(CLI_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}.`,
    `- Peer: ${tsNode.note}. Same cdk.tf.json as the main job: ${same(mainDir, peerDir)}; job 4: ${same(mainDir, cliDir)}.`,
    ...(testJobs.length > 0
      ? ["- npm test and tsc --noEmit run in the repository (tsc is incremental: both update the git-ignored tsconfig.tsbuildinfo)."]
      : []),
    ...(suites.length > 0
      ? [
          "",
          "Where npm test's time goes (one more `jest --json` run; wall time per test file, two files at a time):",
          "",
          "| test file | s | real clients |",
          "|---|---:|---|",
          ...suites.map((t) => `| \`${t.file}\` | ${t.seconds.toFixed(1)} | ${t.clients ? "yes" : ""} |`),
        ]
      : []),
  ];
  const failures = [...results.entries()].filter(([, r]) => r.failure !== undefined);
  for (const [key, r] of failures) lines.push("", `**${key} failed:**`, "", "```text", r.failure ?? "", "```");
  process.stdout.write(`${lines.join("\n")}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** Wall time per test file of one `jest --json` run, slowest first; "clients": the integration project (__tests__/integration/). */
function suiteTimes(tmp: string): { file: string; seconds: number; clients: boolean }[] {
  const out = join(tmp, "jest.json");
  spawnSync(join(ROOT, "node_modules", ".bin", "jest"), ["--json", `--outputFile=${out}`], { cwd: ROOT, env: cleanEnv(), stdio: "ignore" });
  if (!existsSync(out)) return [];
  const report = JSON.parse(readFileSync(out, "utf8")) as { testResults: { name: string; startTime: number; endTime: number }[] };
  return report.testResults
    .map((r) => ({
      file: r.name.slice(ROOT.length + 1),
      seconds: (r.endTime - r.startTime) / 1000,
      clients: r.name.includes(`${sep}__tests__${sep}integration${sep}`),
    }))
    .sort((a, b) => b.seconds - a.seconds);
}

function run(): void {
  let options: Options;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === "help") {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), "incident-manager-bench."));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    process.exitCode = benchmark(options, tmp);
  } finally {
    cleanup();
  }
}

run();
