// `npm run synth` (and cdktf's "app", through it): bundles main.ts with esbuild only when the bundle
// is older than one of its sources, then runs the bundle in this same process. Plain JavaScript, so
// that nothing compiles this file: one node start-up per synth, and no esbuild start-up when the
// bundle is current. The bundle's bytes, and so the synthesized stacks, are the same either way.
"use strict";
const { existsSync, readdirSync, renameSync, rmSync, statSync } = require("fs");
const { dirname, join, resolve } = require("path");

const ROOT = resolve(__dirname, "..");
const BUNDLE = join(ROOT, "cdktf.out", "app", "main.js");
/** What the bundle is built from: main.ts, modules/, and the settings of the build (this file, package.json). */
const SOURCES = [join(ROOT, "main.ts"), join(ROOT, "package.json"), __filename, join(ROOT, "modules")];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

function bundleIsCurrent() {
  if (!existsSync(BUNDLE)) return false;
  const built = statSync(BUNDLE).mtimeMs;
  return SOURCES.every((source) => newestMtime(source) < built);
}

/** How main.ts is bundled (also by scripts/engines, with cdktf aliased to cdktn). */
const BUILD_OPTIONS = {
  entryPoints: [join(ROOT, "main.ts")],
  bundle: true,
  platform: "node",
  packages: "external",
  target: "node20",
  logLevel: "warning",
};
module.exports = { BUILD_OPTIONS };

function synth() {
  // cdktf 0.21 calls util.isArray, which Node.js 22 reports on every run as deprecated (DEP0044):
  // nothing a user of this app can act on, so that one warning is not printed (all others are).
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const code = typeof rest[0] === "object" && rest[0] !== null ? rest[0].code : rest[1];
    if (code === "DEP0044") return;
    return emitWarning.call(process, warning, ...rest);
  };
  const out = dirname(dirname(BUNDLE));
  if (existsSync(out) && !statSync(out).isDirectory()) {
    console.error(`Error: ${out} is a file, not a folder: the synth writes its bundle and the stacks there; move the file away`);
    process.exitCode = 1;
    return;
  }
  if (process.env.SYNTH_REBUILD === "1" || !bundleIsCurrent()) buildBundle();
  require(BUNDLE);
}

/**
 * Bundles into a file of this process, then renames it over the bundle: a build that fails (a full
 * disk, a file size limit, a kill) leaves the previous bundle whole, never a cut one that looks current.
 */
function buildBundle() {
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  try {
    require("esbuild").buildSync({ ...BUILD_OPTIONS, outfile: temporary });
    renameSync(temporary, BUNDLE);
  } finally {
    rmSync(temporary, { force: true });
  }
}

if (require.main === module) synth();
