// `npm run bench`: how long the README's main job takes, next to what it cannot beat (loading its
// modules), what it replaces (the stock CDKTF template: `cdktf synth` with ts-node), the cdktf CLI on
// this project, generated configurations of growing size, and `npm test`; a Markdown table on stdout
// with the targets, the one docs/benchmarks.md quotes. hyperfine times the commands (bench/measure.ts);
// the synth jobs run in temp copies of the project, removed at the end. See bench/README.md.
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { loadavg, tmpdir } from "os";
import { join, sep } from "path";
import { EXIT, PROJECT_ROOT as ROOT, UsageError } from "../scripts/lib/cli";
import * as m from "./measure";

/** The main job's command (package.json) and the app cdktf runs (cdktf.json). */
const SYNTH_SCRIPT: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.synth;
const CDKTF_APP: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;
const SCALES = [
  { key: "scale-1x1", accounts: 1, users: 1 },
  { key: "scale-10x10", accounts: 10, users: 10 },
  { key: "scale-100x10", accounts: 100, users: 10 },
  { key: "scale-1000x10", accounts: 1000, users: 10 },
];

/** The jobs of rows 1-10: floor, main job, npm's start-up, main job without npm, peer, cdktf CLI, scale. */
function synthJobs(o: m.Options, tmp: string, tsNode: { bin?: string }): m.Job[] {
  const floor = m.appModules();
  const mainDir = m.copyProject(join(tmp, "main"));
  // npm's own start-up, to tell it apart from the app's: a script that starts node and does nothing.
  const pkg = JSON.parse(readFileSync(join(mainDir, "package.json"), "utf8"));
  writeFileSync(join(mainDir, "package.json"), JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, "bench-noop": "node -e 0" } }, null, 2));
  const peerDir = m.copyProject(join(tmp, "peer"), `${tsNode.bin} main.ts`);
  const cliDir = m.copyProject(join(tmp, "cli"));
  const count = (JSON.parse(readFileSync(join(ROOT, "setup.config.json"), "utf8")) as { accounts: unknown[] }).accounts.length;
  // The stacks go before each run; the bundle (cdktf.out/app) stays, as between two synths of an unchanged app.
  const prepare = "rm -rf cdktf.out/stacks cdktf.out/manifest.json";
  const synthIn = (cwd: string) => ({ cwd, prepare, stacks: { outdir: join(cwd, "cdktf.out"), count } });
  const base = { env: m.cleanEnv(), runs: o.runs, warmup: o.warmup };
  const cdktf = {
    command: `${join(ROOT, "node_modules", ".bin", "cdktf")} synth`,
    env: m.cleanEnv(m.CLI_ENV),
    runs: o.slowRuns,
    warmup: o.warmup,
  };
  const providers = floor.filter((x) => x.startsWith("@cdktf/provider-aws/lib/")).length;
  const jobs: m.Job[] = [
    {
      ...base,
      key: "floor",
      label: `floor: load cdktf, ${providers} provider modules, zod, jsonc-parser`,
      shown: `\`node -e 'require("cdktf"); …'\` (${floor.length} modules, listed below)`,
      command: `node -e '${floor.map((x) => `require("${x}")`).join("; ")}'`,
      cwd: mainDir,
    },
    { ...base, ...synthIn(mainDir), key: "main", label: "main job: shipped config", shown: "`npm run synth`", command: "npm run synth" },
    {
      ...base,
      key: "npm",
      label: "npm's own start-up (a script that runs `node -e 0`)",
      shown: "`npm run bench-noop`",
      command: "npm run bench-noop",
      cwd: mainDir,
    },
    {
      ...base,
      ...synthIn(mainDir),
      key: "synthjs",
      label: "main job without npm",
      shown: "`node scripts/synth.js`",
      command: "node scripts/synth.js",
    },
    ...(tsNode.bin
      ? [{ ...cdktf, ...synthIn(peerDir), key: "peer", label: "peer: stock CDKTF template", shown: "`cdktf synth`, app `ts-node main.ts`" }]
      : []),
    {
      ...cdktf,
      ...synthIn(cliDir),
      key: "cli",
      label: "cdktf CLI on this project",
      shown: `\`cdktf synth\`, app \`${CDKTF_APP}\` (cdktf.json)`,
    },
  ];
  for (const s of SCALES) {
    const config = join(tmp, `${s.key}.json`);
    writeFileSync(config, `${JSON.stringify(m.scaleConfig(s.accounts, s.users), null, 2)}\n`);
    const outdir = join(tmp, `${s.key}.out`);
    const huge = s.accounts >= 1000;
    jobs.push({
      key: s.key,
      label: `scale: ${s.accounts} account${s.accounts > 1 ? "s" : ""} × ${s.users} user${s.users > 1 ? "s" : ""}`,
      shown: "the synth script without npm's start-up (`node scripts/synth.js`), SETUP_CONFIG and CDKTF_OUTDIR in the temp folder",
      command: SYNTH_SCRIPT,
      cwd: mainDir,
      env: m.cleanEnv({ SETUP_CONFIG: config, CDKTF_OUTDIR: outdir }),
      runs: huge ? 1 : s.accounts * s.users >= 1000 ? o.slowRuns : o.runs,
      warmup: huge ? 0 : o.warmup,
      prepare: `rm -rf ${outdir}`,
      stacks: { outdir, count: s.accounts },
    });
  }
  return jobs;
}

/** Rows 11-13, in the repository itself: tsc --noEmit, npm test, npm run test:unit. */
const testJobs = (o: m.Options): m.Job[] =>
  [
    {
      key: "tsc",
      label: "type-check",
      shown: "`tsc --noEmit`",
      command: `${join(ROOT, "node_modules", ".bin", "tsc")} --noEmit`,
      warmup: o.warmup,
    },
    { key: "test", label: "the README's test command", shown: "`npm test`", command: "npm test", warmup: 0 },
    {
      key: "unit",
      label: "the inner loop: jest without real clients",
      shown: "`npm run test:unit`",
      command: "npm run test:unit",
      warmup: 0,
    },
  ].map((j) => ({ ...j, cwd: ROOT, env: m.cleanEnv(), runs: o.testRuns }));

/** Wall time per test file of one `jest --json` run, slowest first; "clients": the integration project (__tests__/integration/). */
function suiteTimes(tmp: string): { file: string; seconds: number; clients: boolean }[] {
  const out = join(tmp, "jest.json");
  spawnSync(join(ROOT, "node_modules", ".bin", "jest"), ["--json", `--outputFile=${out}`], {
    cwd: ROOT,
    env: m.cleanEnv(),
    stdio: "ignore",
  });
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

interface Row {
  job: m.Job;
  figure?: string;
  target?: string;
  verdict?: string;
}

const secs = (s?: number) => (s === undefined ? "—" : `${s.toFixed(3)} s`);
const x = (n: number) => `${n.toFixed(2)}×`;
const mark = (ok: boolean) => (ok ? "**PASS**" : "**MISS**");
const cell = (text: string) => text.replace(/\|/g, "\\|");
const med = (key: string) => (m.results.get(key)?.failure ? undefined : m.results.get(key)?.median);
const peak = (key: string) => m.results.get(key)?.rssMb;

/** The figures and targets beside the times: ratios to the floor and the main job, resources per second, the scale and test targets. */
function figures(rows: Row[], tmp: string): void {
  const row = (key: string) => rows.find((r) => r.job.key === key) ?? { job: { key } as m.Job };
  const target = (key: string, text: string, ok: (string | boolean | undefined)[] | undefined) =>
    Object.assign(row(key), {
      target: text,
      verdict: ok ? ok.map((v) => (v === undefined ? "n/a" : typeof v === "string" ? v : mark(v))).join(" / ") : "n/a",
    });
  const [floor, main, synthjs, npm, peer, cli] = ["floor", "main", "synthjs", "npm", "peer", "cli"].map(med);
  if (main !== undefined && floor !== undefined) row("main").figure = `${x(main / floor)} floor`;
  target("main", "≤ 1.5× floor", main !== undefined && floor !== undefined ? [main / floor <= 1.5] : undefined);
  if (synthjs !== undefined && floor !== undefined) row("synthjs").figure = `${x(synthjs / floor)} floor`;
  if (npm !== undefined && main !== undefined) row("npm").figure = `${Math.round((npm / main) * 100)}% of the main job`;
  if (peer !== undefined && main !== undefined) row("peer").figure = `main job is ${x(peer / main)} faster`;
  target("peer", "main job ≥ 5× faster", peer !== undefined && main !== undefined ? [peer / main >= 5] : undefined);
  if (cli !== undefined && main !== undefined) row("cli").figure = `${x(cli / main)} main job`;
  for (const s of SCALES) {
    const n = m.countResources(join(tmp, `${s.key}.out`)).resources;
    const t = med(s.key);
    if (t !== undefined) row(s.key).figure = `${n} resources, ${Math.round(n / t)} resources/s`;
  }
  const [small, big, huge] = ["scale-1x1", "scale-100x10", "scale-1000x10"].map(med);
  const underMemory = (key: string) => (peak(key) === undefined ? undefined : peak(key)! <= 400);
  if (big !== undefined && main !== undefined) {
    row("scale-100x10").figure += `; ${x(big / main)} main job${small !== undefined ? ` (${x(big / small)} the 1×1 row)` : ""}`;
  }
  target(
    "scale-100x10",
    "≤ 10× main job; ≤ 400 MB",
    big !== undefined && main !== undefined ? [big / main <= 10, underMemory("scale-100x10")] : undefined,
  );
  if (huge !== undefined && big !== undefined) {
    const rss =
      peak("scale-1000x10") !== undefined && peak("scale-100x10") !== undefined
        ? `, ${x(peak("scale-1000x10")! / peak("scale-100x10")!)} its peak RSS`
        : "";
    row("scale-1000x10").figure += `; ${x(huge / big)} the 100×10 row${rss}`;
  }
  target("scale-1000x10", "≤ 10 s; ≤ 400 MB", huge !== undefined ? [huge <= 10, underMemory("scale-1000x10")] : undefined);
  if (rows.some((r) => r.job.key === "test")) {
    const [tsc, test, unit] = ["tsc", "test", "unit"].map(med);
    if (test !== undefined && tsc !== undefined) row("test").figure = `${x(test / tsc)} tsc --noEmit`;
    target("test", "≤ 60 s (idle machine)", test !== undefined ? [test <= 60] : undefined);
    target("unit", "≤ 8 s", unit !== undefined ? [unit <= 8] : undefined);
  }
}

function table(rows: Row[], gnuTime: boolean): string {
  const lines = [
    "| # | job | command | runs | median | min | max | peak RSS | figure | target | |",
    "|--:|-----|---------|-----:|-------:|----:|----:|---------:|--------|--------|---|",
  ];
  rows.forEach(({ job, figure, target, verdict }, i) => {
    const r = m.results.get(job.key);
    const failed = r?.failure !== undefined;
    const rss = !gnuTime ? "n/a (GNU time not found)" : r?.rssMb === undefined ? "—" : `${r.rssMb.toFixed(0)} MB`;
    const stat = (v?: number) => (failed ? "—" : secs(v));
    const cells = [
      i + 1,
      cell(job.label),
      cell(job.shown),
      failed ? "FAILED" : (r?.times.length ?? 0),
      stat(r?.median),
      stat(r?.min),
      stat(r?.max),
      failed ? "—" : rss,
    ];
    lines.push(`| ${[...cells, cell(figure ?? ""), cell(target ?? ""), verdict ?? ""].join(" | ")} |`);
  });
  return lines.join("\n");
}

/** Whether the two folders' synthesized stacks are byte-identical. */
function same(a: string, b: string): string {
  const stacks = (dir: string) => join(dir, "cdktf.out", "stacks");
  try {
    const names = readdirSync(stacks(a)).sort();
    if (names.join() !== readdirSync(stacks(b)).sort().join()) return "no (different stacks)";
    const text = (dir: string, n: string) => readFileSync(join(stacks(dir), n, "cdk.tf.json"), "utf8");
    return names.every((n) => text(a, n) === text(b, n)) ? "yes" : "no";
  } catch {
    return "n/a";
  }
}

function benchmark(o: m.Options, tmp: string): number {
  m.ensureHyperfine();
  const gnuTime = m.detectGnuTime();
  const loadStart = loadavg()[0];
  const tsNode = m.ensureTsNode();
  const jobs = synthJobs(o, tmp, tsNode);
  const tests = o.skipTests ? [] : testJobs(o);
  for (const job of [...jobs, ...tests]) m.measure(job, tmp);
  if (!tsNode.bin) m.results.set("peer", { times: [], failure: tsNode.note });
  const suites = tests.length > 0 ? suiteTimes(tmp) : [];

  const rows: Row[] = [...jobs, ...tests].map((job) => ({ job }));
  if (!tsNode.bin)
    rows.splice(4, 0, {
      job: { key: "peer", label: "peer: stock CDKTF template", shown: "`cdktf synth`, app `ts-node main.ts`" } as m.Job,
    });
  figures(rows, tmp);
  const slowNote = o.slowRuns !== o.runs ? ` (${o.slowRuns} for the peer, cdktf synth and 100×10)` : "";
  const testNote =
    tests.length > 0
      ? `; npm test, test:unit and tsc --noEmit ${o.testRuns} runs each, after the rest`
      : "; npm test left out (--skip-tests)";
  const floor = m.appModules();
  const lines = [
    `## Synth benchmark${o.quick ? " (--quick: one run each, a smoke test, not a measurement)" : ""}`,
    "",
    `Machine: ${m.machine()}. Load average (1 min): ${loadStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end.`,
    "",
    `Wall time of each command, timed by hyperfine: median, min and max of ${o.runs} run(s)${slowNote}${testNote}; ` +
      `${o.warmup} unmeasured warm-up run(s) of each command first (none for npm test). ` +
      `Peak RSS: ${gnuTime ? "GNU time %M (the largest single process of the command's tree), the highest of the runs" : "n/a (no GNU time at /usr/bin/time)"}.`,
    "",
    table(rows, gnuTime),
    "",
    `- Floor modules (from the imports of main.ts and modules/): ${floor.map((f) => `\`${f}\``).join(", ")}.`,
    "- The synth jobs run in temp copies of the project (node_modules symlinked), never touching the repository's cdktf.out; the scale configs " +
      "(account-<i>, us-east-1, accountId 100000000000+i, users admin-<j> with the default one access key) are generated into the temp folder. " +
      `cdktf synth runs with ${Object.entries(m.CLI_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}.`,
    `- Peer: ${tsNode.note}. Same cdk.tf.json as the main job: ${same(join(tmp, "main"), join(tmp, "peer"))}; the cdktf CLI's: ${same(join(tmp, "main"), join(tmp, "cli"))}.`,
    ...(tests.length > 0
      ? ["- npm test and tsc --noEmit run in the repository (tsc is incremental: both update the git-ignored tsconfig.tsbuildinfo)."]
      : []),
    ...(suites.length > 0
      ? [
          "",
          "Where npm test's time goes (one more `jest --json` run; wall time per test file):",
          "",
          "| test file | s | real clients |",
          "|---|---:|---|",
        ]
      : []),
    ...suites.map((t) => `| \`${t.file}\` | ${t.seconds.toFixed(1)} | ${t.clients ? "yes" : ""} |`),
  ];
  const failures = [...m.results.entries()].filter(([, r]) => r.failure !== undefined);
  for (const [key, r] of failures) lines.push("", `**${key} failed:**`, "", "```text", r.failure ?? "", "```");
  process.stdout.write(`${lines.join("\n")}\n`);
  return failures.length > 0 ? EXIT.failed : EXIT.ok;
}

function main(): void {
  let options: m.Options | "help";
  try {
    options = m.parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${m.USAGE}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  if (options === "help") return void process.stdout.write(`${m.USAGE}\n`);
  const tmp = mkdtempSync(join(tmpdir(), "incident-manager-bench."));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (cleanup(), process.kill(process.pid, signal)));
  try {
    process.exitCode = benchmark(options, tmp);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  } finally {
    cleanup();
  }
}

main();
