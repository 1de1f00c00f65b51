// `npm run check:node22 [-- --node <binary>]`: the main job on this Node.js and on Node.js 22, byte
// for byte. main.ts is bundled as `npm run synth` does into .cdktn/node/main.js, and every checked
// configuration is synthesized by that one bundle on both binaries. Every output file, stdout,
// stderr (but for NODE_WARNINGS) and the exit code must be identical: nothing else is explained away.
//
// Node.js 22 is --node <binary>, or NODE22_VERSION installed from the npm registry into .node22/
// (`npm run --silent node22`). Exit 0 when identical, 1 otherwise (both outputs kept), 2 on a bad
// command line; registry unreachable and .node22/ empty: "skipped" and 0, but 1 under CI=true.
import { join } from "path";
import { parseCommandLine } from "../lib/cli";
import { Difference } from "./compare";
import { CheckError, WORK, bundle, compareSides, ensureNode22, run, runCheck, step } from "./run";

const CHECK = "Node.js 22 check";
const USAGE = "usage: npm run check:node22 [-- --node <node binary>]";

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const line = parseCommandLine(argv, ["node"], 0);
  if (line === "help") return (console.log(USAGE), 0);
  const other =
    line.options.node ??
    (await step("Node.js 22 in .node22/", ensureNode22, (n) => (n.state === "current" ? "already there" : "installed"))).bin;
  const version = (await run(other, ["--version"])).stdout.trim();
  console.log(`${CHECK}: the synth on Node.js ${process.version} (${process.execPath}) and ${version} (${other}), byte for byte`);
  if (!/^v22\./.test(version)) throw new CheckError(`${other} is Node.js ${version || "(no version)"}, not 22`);
  const bundlePath = join(WORK, "node", "main.js");
  await step("bundle main.ts (esbuild, as npm run synth)", () => bundle(bundlePath));
  const identical = (differences: Difference[]) => ({ unexplained: differences, explained: [] });
  const side = (label: string, node: string) => ({ label: `Node.js ${label}`, node, bundle: bundlePath, loads: [] });
  return compareSides(CHECK, side(process.version, process.execPath), side(version, other), identical, started);
}

if (require.main === module) {
  runCheck(CHECK, () =>
    main(process.argv.slice(2)).catch((error) => {
      if (error?.name !== "UsageError") throw error;
      console.error(`${CHECK}: ${error.message}\n${USAGE}`);
      return 2;
    }),
  );
}
