// `npm run check:cdktn`: this app synthesized by CDKTF (the default install) and by CDK Terrain
// (cdktn), compared stack by stack. The default `npm ci` stays cdktf-only:
//
// 1. cdktn, @cdktn/provider-aws and a constructs that cdktn accepts (CDKTN_PACKAGES, exact versions)
//    go into .cdktn/engine/node_modules (`npm install --prefix`, git-ignored), once;
// 2. main.ts is bundled twice with the options of `npm run synth` (scripts/synth.js): as is, into
//    .cdktn/cdktf/main.js, and with esbuild's `alias` cdktf -> cdktn and @cdktf/provider-aws ->
//    @cdktn/provider-aws, into .cdktn/engine/main.js. Packages stay external and resolve from the
//    bundle's folder upwards: the cdktn bundle finds cdktn, its provider and its constructs in
//    .cdktn/engine/node_modules first, then zod and the rest in the project's node_modules. One copy
//    of each, so `instanceof` holds (an npm alias `"cdktf": "npm:cdktn@…"` would pull a second copy
//    through peer dependencies); each run reports the package folders it loaded, and the check
//    fails unless they are exactly the engine's own;
// 3. each configuration of scripts/engines/configs.ts is synthesized by both bundles (on CDKTN_NODE,
//    default this Node.js), two processes at a time, each in a folder of its own;
// 4. every file of both cdktf.out folders, stdout, stderr and the exit code are compared: equal but
//    for ENGINE_DIFFERENCES (scripts/engines/compare.ts), each with its reason.
//
// Exit 0 when equal but for the explained differences; 1 on any other difference or failure (the
// temporary folder is kept for a look); when the registry is unreachable and cdktn is not installed
// yet: "skipped" and 0, but 1 under CI=true. Prints each step and its time.
import { mkdtempSync, realpathSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import {
  Difference,
  NODE_WARNINGS,
  withoutExplainedLines,
  ENGINE_DIFFERENCES,
  Engine,
  describe,
  diffRuns,
  explain,
  skipped,
} from "./compare";
import { checkedConfigs } from "./configs";
import {
  CDKTN_ALIAS,
  CDKTN_PACKAGES,
  CheckError,
  ROOT,
  RegistryUnreachable,
  WORK,
  bundle,
  engineIn,
  inParallel,
  installPinned,
  run,
  seconds,
  step,
  synth,
} from "./run";

const CHECK = "cdktn check";
const ENGINE_DIR = join(WORK, "engine");
const ENGINE_PACKAGES = ["cdktf", "cdktn", "constructs", "@cdktf/provider-aws", "@cdktn/provider-aws"];

const short = (e: Engine) =>
  `${e.name} ${e.version}, ${e.provider.name} ${e.provider.version} (hashicorp/aws ${e.provider.aws}), constructs ${e.constructs}`;

async function main(): Promise<number> {
  const started = Date.now();
  const node = process.env.CDKTN_NODE || process.execPath;
  const nodeVersion = (await run(node, ["--version"], ROOT)).stdout.trim();
  console.log(`${CHECK}: the same app synthesized by cdktf and by cdktn, on Node.js ${nodeVersion} (${node})`);

  try {
    await step(
      `install cdktn into ${relative(ROOT, ENGINE_DIR)}/`,
      () => installPinned(ENGINE_DIR, CDKTN_PACKAGES, "CDK Terrain (cdktn)"),
      (s) =>
        s === "current"
          ? "already there: no registry needed"
          : Object.entries(CDKTN_PACKAGES)
              .map(([n, v]) => `${n}@${v}`)
              .join(" "),
    );
  } catch (error) {
    if (!(error instanceof RegistryUnreachable)) throw error;
    const { exitCode, message } = skipped(CHECK, error.message, process.env);
    console.log(message);
    return exitCode;
  }
  const a = engineIn(join(realpathSync(ROOT), "node_modules"), "cdktf");
  const b = engineIn(join(realpathSync(ENGINE_DIR), "node_modules"), "cdktn");
  console.log(`      a: ${short(a)}\n      b: ${short(b)}`);
  const providerEngines = require(join(ENGINE_DIR, "node_modules", "@cdktn/provider-aws", "package.json")).engines?.node;
  if (providerEngines)
    console.log(`      (${b.provider.name} declares Node.js ${providerEngines}; the cdktn CLI needs Node.js 22.19 or later)`);

  const bundles = { a: join(WORK, "cdktf", "main.js"), b: join(ENGINE_DIR, "main.js") };
  await step("bundle main.ts twice (esbuild; the second aliased to cdktn)", () => {
    bundle(bundles.a);
    bundle(bundles.b, { ...CDKTN_ALIAS });
  });

  const tmp = mkdtempSync(join(tmpdir(), "cdktn-check-"));
  const configs = checkedConfigs(tmp);
  const jobs = configs.flatMap((config) => (["a", "b"] as const).map((side) => ({ config, side })));
  const runs = await step(`synthesize ${configs.length} configurations with both (${jobs.length} processes)`, () =>
    inParallel(jobs, 2, ({ config, side }) => synth(node, bundles[side], config.file, join(tmp, side, config.name), ENGINE_PACKAGES)),
  );

  const expectedLoaded = {
    a: ["@cdktf/provider-aws", "cdktf", "constructs"].map((p) => join(realpathSync(ROOT), "node_modules", p)),
    b: ["@cdktn/provider-aws", "cdktn", "constructs"].map((p) => join(realpathSync(ENGINE_DIR), "node_modules", p)),
  };
  const problems: string[] = [];
  const unexplained: Difference[] = [];
  /** The explained stderr lines each side printed, by id: in how many runs. */
  const printed = { a: new Map<string, number>(), b: new Map<string, number>() };
  const seen = new Map<string, { id: string; path: string; a: unknown; b: unknown; why: string; stacks: number }>();
  console.log(`\n  ${"configuration".padEnd(16)} ${"stacks".padStart(6)}  result`);
  for (const [i, config] of configs.entries()) {
    const [ra, rb] = [runs[2 * i], runs[2 * i + 1]];
    const stacks = [...ra.files.keys()].filter((f) => /^stacks\/[^/]+\/cdk\.tf\.json$/.test(f)).length;
    for (const [side, r] of [["a", ra] as const, ["b", rb] as const]) {
      const engine = side === "a" ? a : b;
      if (r.status !== 0)
        problems.push(`${config.name}: ${engine.name} exited ${r.status}:\n${r.stderr.trim().split("\n").slice(-15).join("\n")}`);
      if (r.loaded.join("\n") !== expectedLoaded[side].join("\n")) {
        problems.push(
          `${config.name}: the ${engine.name} run loaded ${JSON.stringify(r.loaded)}, not exactly ${JSON.stringify(expectedLoaded[side])}`,
        );
      }
    }
    if (stacks === 0) problems.push(`${config.name}: cdktf wrote no stack: nothing to compare`);
    const [sa, sb] = [withoutExplainedLines(ra, NODE_WARNINGS), withoutExplainedLines(rb, NODE_WARNINGS)];
    for (const id of sa.found) printed.a.set(id, (printed.a.get(id) ?? 0) + 1);
    for (const id of sb.found) printed.b.set(id, (printed.b.get(id) ?? 0) + 1);
    const differences = diffRuns(sa.run, sb.run);
    const ids = new Set<string>();
    for (const difference of differences) {
      const rule = explain(difference, ENGINE_DIFFERENCES, { a, b });
      if (!rule) {
        unexplained.push({ ...difference, file: `${config.name}: ${difference.file}` });
        continue;
      }
      ids.add(rule.id);
      const key = `${rule.id}\0${JSON.stringify(difference.a)}\0${JSON.stringify(difference.b)}`;
      const entry = seen.get(key) ?? { id: rule.id, path: rule.path.join("."), a: difference.a, b: difference.b, why: rule.why, stacks: 0 };
      entry.stacks++;
      seen.set(key, entry);
    }
    const own = unexplained.filter((d) => d.file.startsWith(`${config.name}: `)).length;
    const result = own ? `${own} UNEXPLAINED difference(s)` : `equal but for ${[...ids].join(", ") || "nothing"}`;
    console.log(`  ${config.name.padEnd(16)} ${String(stacks).padStart(6)}  ${result}`);
  }

  console.log(`\n  explained differences (${a.name} -> ${b.name}), in how many files:`);
  for (const e of seen.values()) {
    console.log(
      `    ${e.id.padEnd(23)} ${e.path || "(whitespace)"} ${JSON.stringify(e.a)} -> ${JSON.stringify(e.b)} (${e.stacks})\n      ${e.why}`,
    );
  }
  for (const [side, engine] of [["a", a] as const, ["b", b] as const]) {
    for (const [id, n] of printed[side]) {
      console.log(`    ${id.padEnd(23)} stderr of the ${engine.name} runs (${n}): ${NODE_WARNINGS.find((w) => w.id === id)?.why}`);
    }
  }
  console.log(`  one copy of each package: ${a.name} runs loaded only ${expectedLoaded.a.map((p) => relative(ROOT, p)).join(", ")};`);
  console.log(`    ${b.name} runs only ${expectedLoaded.b.map((p) => relative(ROOT, p)).join(", ")}`);

  if (problems.length || unexplained.length) {
    for (const p of problems) console.log(`\n  FAILED: ${p}`);
    if (unexplained.length) console.log(`\n  UNEXPLAINED differences (${unexplained.length}; first 40):`);
    for (const d of unexplained.slice(0, 40)) console.log(`    ${describe(d)}`);
    console.log(`\n${CHECK}: FAILED in ${seconds(started)}; both outputs kept in ${tmp}`);
    return 1;
  }
  rmSync(tmp, { recursive: true, force: true });
  const explainedCount = seen.size + printed.a.size + printed.b.size;
  console.log(
    `\n${CHECK}: ok, ${configs.length} configurations equal but for the ${explainedCount} explained differences, in ${seconds(started)}`,
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`${CHECK}: FAILED: ${error instanceof CheckError ? error.message : (error?.stack ?? error)}`);
      process.exitCode = 1;
    },
  );
}
