// What the engine checks do to the machine: install pinned packages into a folder of their own
// (never into the project's node_modules), bundle main.ts as `npm run synth` does (optionally with
// cdktf aliased to cdktn), run a bundle on a given Node.js binary for one configuration, and read
// what it wrote. Used by check-cdktn.ts, check-node.ts and node22.ts.
import { spawn } from "child_process";
import { BuildOptions, buildSync } from "esbuild";

// scripts/synth.js is plain JavaScript (nothing compiles it): its build options, typed here.
const SYNTH_BUILD_OPTIONS = (require("../synth.js") as { BUILD_OPTIONS: BuildOptions }).BUILD_OPTIONS;
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { join, relative, resolve } from "path";
import { Engine, SynthRun, registryUnreachable } from "./compare";

export const ROOT = resolve(__dirname, "..", "..");
/** The cdktn check's folder (git-ignored): `engine/` holds cdktn and its bundle, `cdktf/` and `node/` the cdktf bundles. */
export const WORK = join(ROOT, ".cdktn");
/** CDK Terrain, exactly: the versions README "Moving to CDK Terrain" names. constructs: cdktn's peer range is >=10.6.0 <10.8.0. */
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
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const drop = /^npm_(package|lifecycle)_|^npm_config_local_prefix$|^(CDKTF_OUTDIR|SETUP_CONFIG|SYNTH_STRICT|SYNTH_REBUILD)$/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !drop.test(k)));
  return { ...env, CHECKPOINT_DISABLE: "1", ...extra };
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects on an exit code (the caller decides). */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv()): Promise<Ran> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) => reject(new CheckError(`${command} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (status, signal) => resolvePromise({ status: status ?? (signal ? 128 : null), stdout, stderr }));
  });
}

const tail = (text: string, lines = 25) => text.trim().split("\n").slice(-lines).join("\n");

export const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one step and prints it when done: "ok", its time and what it found. */
export async function step<T>(title: string, body: () => Promise<T> | T, detail: (value: T) => string = () => ""): Promise<T> {
  const started = Date.now();
  const value = await body();
  const said = detail(value);
  console.log(`  ok  ${title.padEnd(60)} ${seconds(started).padStart(7)}${said ? `  ${said}` : ""}`);
  return value;
}

/** npm's line that names the request that failed, as ": <line>", or "". */
function requestLine(npmOutput: string): string {
  const line = npmOutput.split("\n").find((l) => /request to \S+ failed/.test(l));
  return line ? `: ${line.replace(/^npm (error|ERR!) /, "").trim()}` : "";
}

/** The version of an installed package, or undefined. */
function installedVersion(nodeModules: string, name: string): string | undefined {
  const file = join(nodeModules, name, "package.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")).version as string) : undefined;
}

/**
 * Installs exactly `packages` into `prefix`/node_modules (`npm install --prefix`, a package.json of
 * its own, no scripts, no lock file) unless they are there already: "current" needs no registry.
 * Throws RegistryUnreachable when npm cannot reach the registry, CheckError on any other failure.
 */
export async function installPinned(
  prefix: string,
  packages: Readonly<Record<string, string>>,
  purpose: string,
): Promise<"current" | "installed"> {
  const nodeModules = join(prefix, "node_modules");
  const missing = () => Object.entries(packages).filter(([name, version]) => installedVersion(nodeModules, name) !== version);
  if (missing().length === 0) return "current";
  // A quick look first: with npm's own retries, an unreachable registry costs `npm install` minutes.
  const ping = await run("npm", ["ping", "--fetch-retries=0", "--fetch-timeout=20000", "--loglevel=error"], ROOT);
  const down = ping.status === 0 ? undefined : registryUnreachable(`${ping.stdout}\n${ping.stderr}`);
  if (down) throw new RegistryUnreachable(`npm could not reach the registry (${down}) to install ${purpose}${requestLine(ping.stderr)}`);
  mkdirSync(prefix, { recursive: true });
  const manifest = { private: true, description: `${purpose} (written by scripts/engines; git-ignored)`, dependencies: packages };
  writeFileSync(join(prefix, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // engine-strict off: @cdktn/provider-aws declares Node >= 22.11, and the check runs on Node 20 too.
  const args = ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"];
  const ran = await run("npm", [...args, "--engine-strict=false", "--prefer-offline", "--loglevel=error"], ROOT);
  if (ran.status !== 0) {
    const output = `${ran.stdout}\n${ran.stderr}`;
    const code = registryUnreachable(output);
    if (code) throw new RegistryUnreachable(`npm could not reach the registry (${code}) to install ${purpose}${requestLine(output)}`);
    throw new CheckError(`npm install --prefix ${relative(ROOT, prefix)} failed (exit ${ran.status}):\n${tail(output)}`);
  }
  const still = missing();
  if (still.length)
    throw new CheckError(`after npm install, ${relative(ROOT, prefix)} lacks ${still.map(([n, v]) => `${n}@${v}`).join(", ")}`);
  return "installed";
}

/** What an engine is, read from the installed packages in `nodeModules`. */
export function engineIn(nodeModules: string, name: "cdktf" | "cdktn"): Engine {
  const read = (pkg: string) => JSON.parse(readFileSync(join(nodeModules, pkg, "package.json"), "utf8"));
  const provider = read(`@${name}/provider-aws`);
  return {
    name,
    version: read(name).version,
    // The provider packages record the Terraform provider they were generated for under "cdktf" (both of them).
    provider: { name: `@${name}/provider-aws`, version: provider.version, aws: provider.cdktf.provider.version },
    constructs: read("constructs").version,
  };
}

/**
 * Bundles main.ts with the options of scripts/synth.js (its BUILD_OPTIONS) (packages stay external, resolved at run time
 * from the bundle's folder upwards), optionally with import paths aliased (`cdktf` -> `cdktn`, also
 * for deep imports such as `@cdktf/provider-aws/lib/iam-user`).
 */
export function bundle(outfile: string, alias?: Record<string, string>): void {
  buildSync({ ...SYNTH_BUILD_OPTIONS, outfile, ...(alias ? { alias } : {}) });
}

/** Every file under `dir`, keyed by its path relative to `dir` ("/"-separated). */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full).split("\\").join("/"), readFileSync(full, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
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

/** Runs a bundle as `node <bundle>` would, and on exit writes the files it loaded to ENGINE_LOADED_FILE. */
const WRAPPER = `
const { writeFileSync } = require("fs");
process.on("exit", () => writeFileSync(process.env.ENGINE_LOADED_FILE, JSON.stringify(Object.keys(require.cache))));
require(process.argv[1]);
`;

/**
 * Synthesizes `configFile` with `bundlePath` on the Node.js binary `node`, in `cwd` (so the output
 * lands in `cwd`/cdktf.out and the report says "cdktf.out" whatever the folder): the files written,
 * stdout, stderr, the exit code, and the package folders of `engineNames` that the process loaded.
 */
export async function synth(
  node: string,
  bundlePath: string,
  configFile: string,
  cwd: string,
  engineNames: readonly string[],
): Promise<SynthRun & { loaded: string[] }> {
  mkdirSync(cwd, { recursive: true });
  const loadedFile = join(cwd, "loaded.json");
  const ran = await run(node, ["-e", WRAPPER, bundlePath], cwd, childEnv({ SETUP_CONFIG: configFile, ENGINE_LOADED_FILE: loadedFile }));
  const loaded = existsSync(loadedFile) ? packageRoots(JSON.parse(readFileSync(loadedFile, "utf8")), engineNames) : [];
  return { files: readTree(join(cwd, "cdktf.out")), stdout: ran.stdout, stderr: ran.stderr, status: ran.status, loaded };
}

/** Runs `fn` on every item, `limit` at a time, keeping the order of the results. */
export async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The npm package that holds the Node.js binary for this machine, as the `node` package's installer names it. */
export function nodeBinaryPackage(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "win" : platform;
  return platform === "darwin" && arch === "arm64" ? `node-bin-${os}-${arch}` : `node-${os}-${arch}`;
}

/**
 * Node.js 22 (NODE22_VERSION) in .node22/, installed from the npm registry when missing; returns
 * the binary's path. The `node` package does the same in a preinstall script (`npm install
 * node-<os>-<cpu>@<version>`); installing that package directly needs no script.
 */
export async function ensureNode22(): Promise<{ bin: string; state: "current" | "installed" }> {
  const pkg = nodeBinaryPackage();
  const state = await installPinned(NODE22_DIR, { [pkg]: NODE22_VERSION }, `Node.js ${NODE22_VERSION}`);
  const dir = join(NODE22_DIR, "node_modules", pkg, "bin");
  const bin = [join(dir, "node"), join(dir, "node.exe")].find((file) => existsSync(file));
  if (!bin) throw new CheckError(`${pkg}@${NODE22_VERSION} has no bin/node in ${relative(ROOT, dir)}`);
  const ran = await run(bin, ["--version"], ROOT);
  if (ran.stdout.trim() !== `v${NODE22_VERSION}`) throw new CheckError(`${bin} --version printed ${JSON.stringify(ran.stdout.trim())}`);
  return { bin, state };
}
