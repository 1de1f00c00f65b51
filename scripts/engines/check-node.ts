// `npm run check:node22 [-- --node <binary>]`: the main job on this Node.js and on Node.js 22, byte
// for byte. main.ts is bundled with the options of `npm run synth` (scripts/synth.js) into
// .cdktn/node/main.js (packages external: the project's node_modules), and each configuration of
// scripts/engines/configs.ts is synthesized by that one bundle on both Node.js binaries, each run in
// a folder of its own. Every file of both cdktf.out folders, stdout, stderr and the exit code must
// be identical: nothing is explained away.
//
// Node.js 22 is --node <binary>, or NODE22_VERSION installed from the npm registry into .node22/
// (`npm run --silent node22`). Exit 0 when identical, 1 otherwise (both outputs kept); when the
// registry is unreachable and .node22/ is empty: "skipped" and 0, but 1 under CI=true.
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Difference, NODE_WARNINGS, withoutExplainedLines, describe, diffRuns, skipped } from "./compare";
import { checkedConfigs } from "./configs";
import { CheckError, ROOT, RegistryUnreachable, WORK, bundle, ensureNode22, inParallel, run, seconds, step, synth } from "./run";

const CHECK = "Node.js 22 check";
const pad = (n: number, width: number) => String(n).padStart(width);

/** The binary named by --node, if any; throws on anything else on the command line. */
export function nodeOption(argv: readonly string[]): string | undefined {
  if (argv.length === 0) return undefined;
  if (argv.length === 2 && argv[0] === "--node" && argv[1]) return argv[1];
  const given = /^--node=(.+)$/.exec(argv[0] ?? "");
  if (argv.length === 1 && given) return given[1];
  throw new CheckError(`usage: npm run check:node22 [-- --node <node binary>] (got ${JSON.stringify(argv)})`);
}

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  let other = nodeOption(argv);
  if (!other) {
    try {
      other = (await step("Node.js 22 in .node22/", ensureNode22, (n) => (n.state === "current" ? "already there" : "installed"))).bin;
    } catch (error) {
      if (!(error instanceof RegistryUnreachable)) throw error;
      const { exitCode, message } = skipped(CHECK, error.message, process.env);
      console.log(message);
      return exitCode;
    }
  }
  const nodes = { a: process.execPath, b: other };
  const versions = { a: process.version, b: (await run(other, ["--version"], ROOT)).stdout.trim() };
  console.log(`${CHECK}: the synth on Node.js ${versions.a} (${nodes.a}) and ${versions.b} (${nodes.b}), byte for byte`);
  if (!/^v22\./.test(versions.b)) throw new CheckError(`${other} is Node.js ${versions.b || "(no version)"}, not 22`);

  const bundlePath = join(WORK, "node", "main.js");
  await step("bundle main.ts (esbuild, as npm run synth)", () => bundle(bundlePath));
  const tmp = mkdtempSync(join(tmpdir(), "node22-check-"));
  const configs = checkedConfigs(tmp);
  const jobs = configs.flatMap((config) => (["a", "b"] as const).map((side) => ({ config, side })));
  const runs = await step(`synthesize ${configs.length} configurations on both (${jobs.length} processes)`, () =>
    inParallel(jobs, 2, ({ config, side }) => synth(nodes[side], bundlePath, config.file, join(tmp, side, config.name), [])),
  );

  const problems: string[] = [];
  const differences: Difference[] = [];
  /** The explained stderr lines each side printed, by id: in how many runs. */
  const printed = { a: new Map<string, number>(), b: new Map<string, number>() };
  console.log(`\n  ${"configuration".padEnd(16)} ${"stacks".padStart(6)} ${"files".padStart(6)} ${"bytes".padStart(9)}  result`);
  for (const [i, config] of configs.entries()) {
    const [ra, rb] = [runs[2 * i], runs[2 * i + 1]];
    for (const [side, r] of [["a", ra] as const, ["b", rb] as const]) {
      if (r.status !== 0)
        problems.push(
          `${config.name}: Node.js ${versions[side]} exited ${r.status}:\n${r.stderr.trim().split("\n").slice(-15).join("\n")}`,
        );
    }
    const stacks = [...ra.files.keys()].filter((f) => /^stacks\/[^/]+\/cdk\.tf(\.json)?$/.test(f)).length;
    if (stacks === 0) problems.push(`${config.name}: no stack written: nothing to compare`);
    const [sa, sb] = [withoutExplainedLines(ra, NODE_WARNINGS), withoutExplainedLines(rb, NODE_WARNINGS)];
    for (const id of sa.found) printed.a.set(id, (printed.a.get(id) ?? 0) + 1);
    for (const id of sb.found) printed.b.set(id, (printed.b.get(id) ?? 0) + 1);
    const own = diffRuns(sa.run, sb.run).map((d) => ({ ...d, file: `${config.name}: ${d.file}` }));
    differences.push(...own);
    const bytes = [...ra.files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const result = own.length
      ? `${own.length} DIFFERENCE(S)`
      : sa.found.length + sb.found.length
        ? `identical but for ${[...new Set([...sa.found, ...sb.found])].join(", ")} on stderr`
        : "identical: files, stdout, stderr, exit code";
    console.log(`  ${config.name.padEnd(16)} ${pad(stacks, 6)} ${pad(ra.files.size, 6)} ${pad(bytes, 9)}  ${result}`);
  }
  for (const side of ["a", "b"] as const) {
    for (const [id, n] of printed[side]) {
      console.log(`\n  explained: ${id}, on stderr of the Node.js ${versions[side]} runs (${n}) only, not in any file:`);
      console.log(`    ${NODE_WARNINGS.find((w) => w.id === id)?.why}`);
    }
  }
  if (problems.length || differences.length) {
    for (const p of problems) console.log(`\n  FAILED: ${p}`);
    if (differences.length) console.log(`\n  differences (${differences.length}; first 40):`);
    for (const d of differences.slice(0, 40)) console.log(`    ${describe(d)}`);
    console.log(`\n${CHECK}: FAILED in ${seconds(started)}; both outputs kept in ${tmp}`);
    return 1;
  }
  rmSync(tmp, { recursive: true, force: true });
  const same = `${versions.a} and ${versions.b}`;
  console.log(`\n${CHECK}: ok, ${configs.length} configurations, every file byte for byte the same on ${same}, in ${seconds(started)}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`${CHECK}: FAILED: ${error instanceof CheckError ? error.message : (error?.stack ?? error)}`);
      process.exitCode = 1;
    },
  );
}
