// `npm run check:cdktn`: this app synthesized by CDKTF (the default install) and by CDK Terrain
// (cdktn), compared. The default `npm ci` stays cdktf-only:
//
// 1. cdktn, @cdktn/provider-aws and a constructs that cdktn accepts (CDKTN_PACKAGES, exact versions)
//    go into .cdktn/engine/node_modules (`npm install --prefix`, git-ignored), once;
// 2. main.ts is bundled twice with the options of `npm run synth`: as is, into .cdktn/cdktf/main.js,
//    and with esbuild's `alias` cdktf -> cdktn (CDKTN_ALIAS), into .cdktn/engine/main.js. Packages
//    stay external and resolve from the bundle's folder upwards, so the cdktn bundle finds cdktn
//    first in .cdktn/engine/node_modules and zod in the project's: one copy of each (`instanceof`
//    holds), which each run proves by the package folders it loaded;
// 3. every checked configuration is synthesized by both bundles (on CDKTN_NODE, default this Node.js);
// 4. every output file (JSON as parsed values), stdout, stderr and the exit code are compared: equal
//    but for ENGINE_DIFFERENCES (scripts/engines/compare.ts), each printed with its reason.
//
// Exit 0 when equal but for those; 1 on any other difference or failure (outputs kept); registry
// unreachable and cdktn not installed yet: "skipped" and 0, but 1 under CI=true.
import { readFileSync, realpathSync } from "fs";
import { join, relative } from "path";
import { Difference, ENGINE_DIFFERENCES, Engine, explain } from "./compare";
import { CDKTN_ALIAS, CDKTN_PACKAGES, ROOT, WORK, bundle, compareSides, installPinned, run, runCheck, step } from "./run";

const CHECK = "cdktn check";
const ENGINE_DIR = join(WORK, "engine");

/** What an engine is, read from the installed packages in `nodeModules`. */
function engineIn(nodeModules: string, name: "cdktf" | "cdktn"): Engine {
  const read = (pkg: string) => JSON.parse(readFileSync(join(nodeModules, pkg, "package.json"), "utf8"));
  const provider = read(`@${name}/provider-aws`);
  // The provider packages record the Terraform provider they were generated for under "cdktf" (both of them).
  const aws = provider.cdktf.provider.version as string;
  return {
    name,
    version: read(name).version,
    provider: { name: `@${name}/provider-aws`, version: provider.version, aws },
    constructs: read("constructs").version,
  };
}

const short = (e: Engine) =>
  `${e.name} ${e.version}, ${e.provider.name} ${e.provider.version} (hashicorp/aws ${e.provider.aws}), constructs ${e.constructs}`;

async function main(): Promise<number> {
  const started = Date.now();
  const node = process.env.CDKTN_NODE || process.execPath;
  console.log(
    `${CHECK}: the same app synthesized by cdktf and by cdktn, on Node.js ${(await run(node, ["--version"])).stdout.trim()} (${node})`,
  );
  const pinned = Object.entries(CDKTN_PACKAGES).map(([n, v]) => `${n}@${v}`);
  await step(
    `install cdktn into ${relative(ROOT, ENGINE_DIR)}/`,
    () => installPinned(ENGINE_DIR, CDKTN_PACKAGES, "CDK Terrain (cdktn)"),
    (s) => (s === "current" ? "already there: no registry needed" : pinned.join(" ")),
  );
  const dirs = { a: join(realpathSync(ROOT), "node_modules"), b: join(realpathSync(ENGINE_DIR), "node_modules") };
  const engines = { a: engineIn(dirs.a, "cdktf"), b: engineIn(dirs.b, "cdktn") };
  console.log(`      a: ${short(engines.a)}\n      b: ${short(engines.b)}`);
  const bundles = { a: join(WORK, "cdktf", "main.js"), b: join(ENGINE_DIR, "main.js") };
  await step("bundle main.ts twice (esbuild; the second aliased to cdktn)", () => {
    bundle(bundles.a);
    bundle(bundles.b, { ...CDKTN_ALIAS });
  });

  /** The explained differences met, once each with its values, and in how many files. */
  const seen = new Map<string, { text: string; files: number }>();
  const judge = (differences: Difference[]) => {
    const explained = new Set<string>();
    const unexplained = differences.filter((d) => {
      const rule = explain(d, ENGINE_DIFFERENCES, engines);
      if (!rule) return true;
      explained.add(rule.id);
      const text = `${rule.id.padEnd(23)} ${rule.path.join(".") || "(whitespace)"} ${JSON.stringify(d.a)} -> ${JSON.stringify(d.b)}\n      ${rule.why}`;
      seen.set(text, { text, files: (seen.get(text)?.files ?? 0) + 1 });
      return false;
    });
    return { unexplained, explained: [...explained] };
  };
  const loads = (dir: string, names: string[]) => names.map((p) => join(dir, p));
  const notes = () => [
    "\n  explained differences (cdktf -> cdktn), in how many files:",
    ...[...seen.values()].map(({ text, files }) => `    ${text.replace("\n", ` (${files})\n`)}`),
    "  one copy of each package: each side loaded only its own cdktf or cdktn, provider and constructs",
  ];
  return compareSides(
    CHECK,
    { label: "cdktf", node, bundle: bundles.a, loads: loads(dirs.a, ["@cdktf/provider-aws", "cdktf", "constructs"]) },
    { label: "cdktn", node, bundle: bundles.b, loads: loads(dirs.b, ["@cdktn/provider-aws", "cdktn", "constructs"]) },
    judge,
    started,
    notes,
  );
}

if (require.main === module) runCheck(CHECK, main);
