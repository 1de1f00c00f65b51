// What the engine checks do to the machine: install pinned packages into a folder of their own
// (never into the project's node_modules), bundle main.ts as `npm run synth` does (optionally with
// cdktf aliased to cdktn), synthesize the checked configurations with a bundle on a given Node.js,
// and compare two sides. Used by check-cdktn.ts, check-node.ts and node22.ts.
import { spawn } from "child_process";
import { BuildOptions, buildSync } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";
import { IDENTITY_CENTER_CONFIG_FILE, SHIPPED_CONFIG_FILE, accountsConfig, fullConfig, organizationConfig } from "../lib/reference-configs";
import { Difference, NODE_WARNINGS, SynthRun, describe, diffRuns, registryUnreachable, skipped, withoutExplainedLines } from "./compare";

// scripts/synth.js is plain JavaScript (nothing compiles it): its build options, typed here.
const SYNTH_BUILD_OPTIONS = (require("../synth.js") as { BUILD_OPTIONS: BuildOptions }).BUILD_OPTIONS;

export const ROOT = resolve(__dirname, "..", "..");
/** The cdktn check's folder (git-ignored): `engine/` holds cdktn and its bundle, `cdktf/` and `node/` the cdktf bundles. */
export const WORK = join(ROOT, ".cdktn");
/** CDK Terrain, exactly: the versions docs/maintaining.md "Moving to CDK Terrain" names. constructs: cdktn's peer range is >=10.6.0 <10.8.0. */
export const CDKTN_PACKAGES: Readonly<Record<string, string>> = { cdktn: "0.24.0", "@cdktn/provider-aws": "25.7.0", constructs: "10.6.0" };
/** The one change at build time: every import of these packages (and of their files) goes to the cdktn ones. */
export const CDKTN_ALIAS: Readonly<Record<string, string>> = { cdktf: "cdktn", "@cdktf/provider-aws": "@cdktn/provider-aws" };
/** Node.js 22 from the npm registry (the `node-<os>-<cpu>` package that the `node` package installs), into .node22/. */
export const NODE22_VERSION = "22.23.3";
export const NODE22_DIR = join(ROOT, ".node22");

/** A step that failed: what, and the output that says why. */
export class CheckError extends Error {
  override name = "CheckError";
}

/** npm could not reach the registry: the check is skipped (and fails under CI=true). */
export class RegistryUnreachable extends Error {
  override name = "RegistryUnreachable";
}

/** The environment of child processes: none of npm run's package variables, nor the app's own settings. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const drop = /^npm_(package|lifecycle)_|^npm_config_local_prefix$|^(CDKTF_OUTDIR|SETUP_CONFIG|SYNTH_STRICT|SYNTH_REBUILD)$/;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop.test(k))), CHECKPOINT_DISABLE: "1", ...extra };
}

/** Runs a command to its end; never rejects on an exit code (the caller decides). */
export function run(command: string, args: string[], cwd = ROOT, extraEnv: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "" };
    child.stdout.on("data", (chunk: Buffer) => (out.stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out.stderr += chunk.toString()));
    child.on("error", (error) => reject(new CheckError(`${command} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (status, signal) => done({ status: status ?? (signal ? 128 : null), ...out }));
  });
}

export const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one step and prints it when done: "ok", its time and what it found. */
export async function step<T>(title: string, body: () => Promise<T> | T, detail: (value: T) => string = () => ""): Promise<T> {
  const started = Date.now();
  const value = await body();
  const said = detail(value);
  console.log(`  ok  ${title.padEnd(60)} ${seconds(started).padStart(7)}${said ? `  ${said}` : ""}`);
  return value;
}

/** The version of an installed package, or undefined. */
const installedVersion = (nodeModules: string, name: string): string | undefined => {
  const file = join(nodeModules, name, "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")).version as string) : undefined;
};

/**
 * Installs exactly `packages` into `prefix`/node_modules (`npm install --prefix`, a package.json of
 * its own, no scripts, no lock file) unless they are there already: "current" needs no registry.
 * Throws RegistryUnreachable when npm cannot reach the registry, CheckError on any other failure.
 */
export async function installPinned(prefix: string, packages: Readonly<Record<string, string>>, purpose: string) {
  const nodeModules = join(prefix, "node_modules");
  const missing = () => Object.entries(packages).filter(([name, version]) => installedVersion(nodeModules, name) !== version);
  if (missing().length === 0) return "current";
  const unreachable = (output: string) => {
    const code = registryUnreachable(output);
    const request = output.split("\n").find((l) => /request to \S+ failed/.test(l));
    const said = request ? `: ${request.replace(/^npm (error|ERR!) /, "").trim()}` : "";
    return code && new RegistryUnreachable(`npm could not reach the registry (${code}) to install ${purpose}${said}`);
  };
  // A quick look first: with npm's own retries, an unreachable registry costs `npm install` minutes.
  const ping = await run("npm", ["ping", "--fetch-retries=0", "--fetch-timeout=20000", "--loglevel=error"]);
  const down = ping.status === 0 ? undefined : unreachable(`${ping.stdout}\n${ping.stderr}`);
  if (down) throw down;
  mkdirSync(prefix, { recursive: true });
  const manifest = { private: true, description: `${purpose} (written by scripts/engines; git-ignored)`, dependencies: packages };
  writeFileSync(join(prefix, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // engine-strict off: @cdktn/provider-aws declares Node >= 22.11, and the check runs on Node 20 too.
  const args = ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"];
  const ran = await run("npm", [...args, "--engine-strict=false", "--prefer-offline", "--loglevel=error"]);
  if (ran.status !== 0) {
    const output = `${ran.stdout}\n${ran.stderr}`;
    throw (
      unreachable(output) || new CheckError(`npm install --prefix ${relative(ROOT, prefix)} failed (exit ${ran.status}):\n${output.trim()}`)
    );
  }
  const still = missing();
  if (still.length)
    throw new CheckError(`after npm install, ${relative(ROOT, prefix)} lacks ${still.map(([n, v]) => `${n}@${v}`).join(", ")}`);
  return "installed";
}

/** Bundles main.ts with the options of scripts/synth.js (packages external), optionally with import paths aliased. */
export function bundle(outfile: string, alias?: Record<string, string>): void {
  buildSync({ ...SYNTH_BUILD_OPTIONS, outfile, ...(alias ? { alias } : {}) });
}

/** Every file under `dir`, keyed by its path relative to `dir` ("/"-separated). */
function readTree(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(
    files.map((e) => [relative(dir, join(e.parentPath, e.name)).split("\\").join("/"), readFileSync(join(e.parentPath, e.name), "utf8")]),
  );
}

/** The folder of each of `names` that a process loaded, from the files it loaded (require.cache). */
export function packageRoots(loaded: readonly string[], names: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const file of loaded) {
    const at = file.lastIndexOf("/node_modules/");
    if (at === -1) continue;
    const rest = file.slice(at + "/node_modules/".length).split("/");
    const name = rest[0].startsWith("@") ? rest.slice(0, 2).join("/") : rest[0];
    if (names.includes(name)) roots.add(file.slice(0, at + "/node_modules/".length) + name);
  }
  return [...roots].sort();
}

/** Runs a bundle as `node <bundle>` would, and on exit writes the files it loaded to ENGINE_LOADED_FILE (no tool reports that). */
const WRAPPER = `process.on("exit", () => require("fs").writeFileSync(process.env.ENGINE_LOADED_FILE, JSON.stringify(Object.keys(require.cache))));
require(process.argv[1]);`;

/** One synth of `configFile` by `bundlePath` on `node`, in `cwd` (its cdktf.out): the run and the package folders of `engineNames` it loaded. */
async function synth(node: string, bundlePath: string, configFile: string, cwd: string, engineNames: readonly string[]) {
  mkdirSync(cwd, { recursive: true });
  const loadedFile = join(cwd, "loaded.json");
  const ran = await run(node, ["-e", WRAPPER, bundlePath], cwd, { SETUP_CONFIG: configFile, ENGINE_LOADED_FILE: loadedFile });
  const loaded = existsSync(loadedFile) ? packageRoots(JSON.parse(readFileSync(loadedFile, "utf8")), engineNames) : [];
  return { files: readTree(join(cwd, "cdktf.out")), stdout: ran.stdout, stderr: ran.stderr, status: ran.status, loaded };
}

/** The configurations both checks synthesize: the shipped one, the Identity Center example, and the tests' full, Organization and accounts ones. */
function checkedConfigs(dir: string): { name: string; file: string }[] {
  const written = (name: string, config: unknown) => {
    const file = join(dir, `${name}.config.json`);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    return { name, file };
  };
  return [
    { name: "shipped", file: SHIPPED_CONFIG_FILE },
    { name: "identity-center", file: IDENTITY_CENTER_CONFIG_FILE },
    written("full", fullConfig()),
    written("organization", organizationConfig()),
    written("accounts", accountsConfig()),
  ];
}

/** One side of a comparison: a bundle on a Node.js binary, the engine packages it must load (exactly these folders). */
export interface Side {
  label: string;
  node: string;
  bundle: string;
  loads: string[];
}

/** A configuration's two runs compared: the differences left once `explain` took its own, and the ids it explained. */
export type Judge = (differences: Difference[]) => { unexplained: Difference[]; explained: string[] };

/**
 * Synthesizes every checked configuration on both sides (the two at once), compares the runs (stderr
 * without NODE_WARNINGS) and prints a table; returns the exit code (outputs kept on a failure).
 */
export async function compareSides(
  check: string,
  a: Side,
  b: Side,
  judge: Judge,
  started: number,
  notes: () => string[] = () => [],
): Promise<number> {
  const tmp = mkdtempSync(join(tmpdir(), `${check.replace(/\W+/g, "-")}-`));
  const configs = checkedConfigs(tmp);
  const names = [...new Set([...a.loads, ...b.loads].map((p) => p.slice(p.lastIndexOf("node_modules/") + 13)))];
  const runs = await step(`synthesize ${configs.length} configurations on both sides (${2 * configs.length} processes)`, async () => {
    const out = [];
    for (const c of configs)
      out.push(await Promise.all([a, b].map((s, i) => synth(s.node, s.bundle, c.file, join(tmp, "ab"[i], c.name), names))));
    return out;
  });
  const problems: string[] = [];
  const unexplained: Difference[] = [];
  const warned = new Map<string, Set<string>>();
  console.log(`\n  ${"configuration".padEnd(16)} ${"stacks".padStart(6)} ${"files".padStart(6)}  result`);
  for (const [i, config] of configs.entries()) {
    const cleaned = runs[i].map((r, s) => {
      const side = [a, b][s];
      if (r.status !== 0)
        problems.push(`${config.name}: ${side.label} exited ${r.status}:\n${r.stderr.trim().split("\n").slice(-15).join("\n")}`);
      if (r.loaded.join("\n") !== [...side.loads].sort().join("\n"))
        problems.push(
          `${config.name}: the ${side.label} run loaded ${JSON.stringify(r.loaded)}, not exactly ${JSON.stringify(side.loads)}`,
        );
      const { run: kept, found } = withoutExplainedLines(r as SynthRun, NODE_WARNINGS);
      for (const id of found) warned.set(id, (warned.get(id) ?? new Set()).add(side.label));
      return kept;
    });
    const stacks = [...cleaned[0].files.keys()].filter((f) => /^stacks\/[^/]+\/cdk\.tf\.json$/.test(f)).length;
    if (stacks === 0) problems.push(`${config.name}: no stack written: nothing to compare`);
    const verdict = judge(diffRuns(cleaned[0], cleaned[1]));
    unexplained.push(...verdict.unexplained.map((d) => ({ ...d, file: `${config.name}: ${d.file}` })));
    const result = verdict.unexplained.length
      ? `${verdict.unexplained.length} UNEXPLAINED difference(s)`
      : verdict.explained.length
        ? `equal but for ${verdict.explained.join(", ")}`
        : "identical: files, stdout, stderr, exit code";
    console.log(`  ${config.name.padEnd(16)} ${String(stacks).padStart(6)} ${String(cleaned[0].files.size).padStart(6)}  ${result}`);
  }
  for (const [id, labels] of warned)
    console.log(`\n  explained on stderr of ${[...labels].join(" and ")} only: ${id}: ${NODE_WARNINGS.find((w) => w.id === id)?.why}`);
  for (const note of notes()) console.log(note);
  if (problems.length || unexplained.length) {
    for (const p of problems) console.log(`\n  FAILED: ${p}`);
    if (unexplained.length) console.log(`\n  UNEXPLAINED differences (${unexplained.length}; first 40):`);
    for (const d of unexplained.slice(0, 40)) console.log(`    ${describe(d)}`);
    console.log(`\n${check}: FAILED in ${seconds(started)}; both outputs kept in ${tmp}`);
    return 1;
  }
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\n${check}: ok, ${configs.length} configurations compared, in ${seconds(started)}`);
  return 0;
}

/** Runs a check's main: a skip (registry unreachable) says so and exits 0, but 1 under CI=true; any other error exits 1. */
export function runCheck(check: string, main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      if (error instanceof RegistryUnreachable) {
        const { exitCode, message } = skipped(check, error.message, process.env);
        console.log(message);
        process.exitCode = exitCode;
        return;
      }
      console.error(`${check}: FAILED: ${error instanceof CheckError ? error.message : (error?.stack ?? error)}`);
      process.exitCode = 1;
    },
  );
}

/** The npm package that holds the Node.js binary for this machine, as the `node` package's installer names it. */
export function nodeBinaryPackage(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "win" : platform;
  return platform === "darwin" && arch === "arm64" ? `node-bin-${os}-${arch}` : `node-${os}-${arch}`;
}

/** Node.js 22 (NODE22_VERSION) in .node22/, installed from the npm registry when missing (the `node` package's preinstall does the same). */
export async function ensureNode22(): Promise<{ bin: string; state: "current" | "installed" }> {
  const pkg = nodeBinaryPackage();
  const state = await installPinned(NODE22_DIR, { [pkg]: NODE22_VERSION }, `Node.js ${NODE22_VERSION}`);
  const dir = join(NODE22_DIR, "node_modules", pkg, "bin");
  const bin = [join(dir, "node"), join(dir, "node.exe")].find((file) => existsSync(file));
  if (!bin) throw new CheckError(`${pkg}@${NODE22_VERSION} has no bin/node in ${relative(ROOT, dir)}`);
  const version = (await run(bin, ["--version"])).stdout.trim();
  if (version !== `v${NODE22_VERSION}`) throw new CheckError(`${bin} --version printed ${JSON.stringify(version)}`);
  return { bin, state };
}
