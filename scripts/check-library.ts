// `npm run check:library`: the package as another CDKTF app gets it, all in a temporary folder (the
// working tree is only read):
//
// 1. `npm pack` of a copy of the package's sources (its prepack builds lib/ with tsconfig.build.json);
// 2. publint (--strict) and @arethetypeswrong/cli on that tarball: package.json's main, types,
//    exports and files against what the tarball holds, and the types as node10, node16 (from CommonJS
//    and from ES modules) and bundlers resolve them, named exports included;
// 3. one consumer test: a throwaway app with its own cdktf, constructs and @cdktf/provider-aws (this
//    repository's installed copies, linked, so the 390 MB provider is not unpacked again), `npm install
//    <tarball>`, the tsconfig.json and the example of docs/library.md, type-checked by tsc and run
//    (on LIBRARY_NODE, default this Node.js): a stack built from the constructs and an app from a
//    configuration object, both synthesized, their resources counted.
//
// Prints each step and its time; exits 1 on a failure (the folder kept, for a look), 2 on a bad
// command line. KEEP_LIBRARY_CHECK=1 keeps the folder after a success too.
import { spawn } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";

const ROOT = resolve(__dirname, "..");
const PEERS = ["cdktf", "constructs", "@cdktf/provider-aws"];
/** What `npm run build` needs of the working tree (node_modules is linked). */
const SOURCES = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.build.json", "modules"];
const LIBRARY_DOC = join(ROOT, "docs", "library.md");

class CheckError extends Error {
  override name = "CheckError";
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckError(message);
}

/** Runs a command; resolves to stdout when it exits 0, else rejects with the end of its output. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  // None of the npm run variables that describe this package reach the child.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^npm_config_local_prefix$/.test(k)),
  );
  return new Promise((done, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, CHECKPOINT_DISABLE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk), (output += chunk)));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", (error) => reject(new CheckError(`${command} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (code, signal) =>
      code === 0
        ? done(stdout)
        : reject(
            new CheckError(`${command} ${args.join(" ")} exited ${code ?? signal}:\n${output.trim().split("\n").slice(-40).join("\n")}`),
          ),
    );
  });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one step and prints it when done: "ok", its time and what it found. */
async function step<T>(title: string, body: () => Promise<T> | T, detail: (value: T) => string = () => ""): Promise<T> {
  const started = Date.now();
  const value = await body();
  const said = detail(value);
  console.log(`  ok  ${title.padEnd(72)} ${seconds(started).padStart(7)}${said ? `  ${said}` : ""}`);
  return value;
}

/** The first fenced block of `lang` in a Markdown text (docs/library.md's tsconfig.json and example). */
export function codeBlock(markdown: string, lang: "ts" | "json"): string {
  const code = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\``, "m").exec(markdown)?.[1];
  if (!code) throw new CheckError(`docs/library.md: no \`\`\`${lang} block`);
  return code;
}

type TfJson = { resource?: Record<string, Record<string, unknown>>; output?: Record<string, unknown> };

/** A synthesized stack's resources by type, checked against `expected`; returns "<n> resources". */
function expectResources(outdir: string, stack: string, expected: Record<string, number>): string {
  const file = join(outdir, "stacks", stack, "cdk.tf.json");
  check(existsSync(file), `no ${file}`);
  const json = JSON.parse(readFileSync(file, "utf8")) as TfJson;
  const found = Object.fromEntries(Object.entries(json.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName).length]));
  for (const [type, count] of Object.entries(expected)) {
    check((found[type] ?? 0) === count, `${stack}: expected ${count} ${type}, found ${found[type] ?? 0} (${JSON.stringify(found)})`);
  }
  return `${Object.values(found).reduce((a, b) => a + b, 0)} resources`;
}

/** Packs a copy of the package's sources (prepack builds lib/); returns the tarball. */
async function pack(work: string): Promise<{ file: string; files: number; size: number }> {
  const source = join(work, "package");
  mkdirSync(source);
  for (const entry of SOURCES) if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");
  const out = await run("npm", ["pack", "--json", "--pack-destination", work], source);
  const [info] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: unknown[]; size: number }[];
  return { file: join(work, info.filename), files: info.files.length, size: info.size };
}

/** Runs the whole check; throws a CheckError on the first failure. */
export async function checkLibrary(node: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "library-check-"));
  const started = Date.now();
  let ok = false;
  try {
    console.log(`library check in ${work} (consumer on ${node})`);
    const name = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).name as string;
    const bin = (tool: string) => join(ROOT, "node_modules", ".bin", tool);
    const tarball = await step(
      "npm pack (its prepack builds lib/ with tsconfig.build.json)",
      () => pack(work),
      (t) => `${relative(work, t.file)}: ${t.files} files, ${(t.size / 1024).toFixed(0)} kB`,
    );
    await step("publint --strict: main, types, exports and files against the tarball", () =>
      run(bin("publint"), ["run", tarball.file, "--strict"], work),
    );
    await step("attw: the types under node10, node16 (CJS and ESM) and bundlers", () =>
      run(bin("attw"), [tarball.file, "--format", "ascii"], work),
    );

    // The consumer's own peers: this repository's installed copies, as `file:` links (npm symlinks
    // folders). The tarball comes in a second install, as a user adds a package to an existing app
    // (links and the tarball in one first install trip npm 11: "Cannot read properties of null (reading 'matches')").
    const consumer = join(work, "consumer");
    mkdirSync(consumer);
    const link = (peer: string) => `file:${realpathSync(join(ROOT, "node_modules", peer))}`;
    const manifest = { name: "library-check-consumer", private: true, dependencies: Object.fromEntries(PEERS.map((p) => [p, link(p)])) };
    writeFileSync(
      join(consumer, "package.json"),
      `${JSON.stringify({ ...manifest, devDependencies: { "@types/node": link("@types/node") } }, null, 2)}\n`,
    );
    const npmInstall = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
    await step("npm install <tarball> into a consumer app with its own peers", async () => {
      await run("npm", npmInstall, consumer);
      await run("npm", [...npmInstall, tarball.file], consumer);
      // No tool checks that a consumer gets one copy of each peer: the package must not bring its own.
      for (const peer of PEERS)
        check(!existsSync(join(consumer, "node_modules", name, "node_modules", peer)), `npm installed a second ${peer} under ${name}`);
    });

    const doc = readFileSync(LIBRARY_DOC, "utf8");
    writeFileSync(join(consumer, "tsconfig.json"), codeBlock(doc, "json"));
    writeFileSync(join(consumer, "main.ts"), codeBlock(doc, "ts"));
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    await step("tsc: docs/library.md's example with its tsconfig.json (strict, node16)", () =>
      run(node, [tsc, "-p", "tsconfig.json"], consumer),
    );
    const version = await step(
      "node dist/main.js: the example synthesizes",
      () => run(node, ["-p", "require('./dist/main.js'), process.version"], consumer),
      (v) => `Node.js ${v.trim()}`,
    );
    check(version, "no output");
    await step(
      "  a stack of AdminGroup, AdminUser, AccessKey and the role",
      () =>
        expectResources(join(consumer, "cdktf.out"), "incident-manager", {
          aws_iam_group: 1,
          aws_iam_group_policy_attachment: 1,
          aws_iam_user: 1,
          aws_iam_user_group_membership: 1,
          aws_iam_user_login_profile: 1,
          aws_iam_access_key: 1,
          aws_iam_service_linked_role: 1,
        }),
      (s) => s,
    );
    await step(
      "  createApp(parseConfig({...})): stacks prod and dev",
      () => {
        const out = join(consumer, "cdktf.out.config");
        const prod = expectResources(out, "prod", {
          aws_iam_group: 1,
          aws_iam_user: 1,
          aws_iam_access_key: 1,
          aws_iam_service_linked_role: 1,
        });
        const dev = expectResources(out, "dev", { aws_iam_user: 1, aws_iam_user_login_profile: 0, aws_iam_service_linked_role: 1 });
        return `prod ${prod}, dev ${dev}`;
      },
      (s) => s,
    );
    ok = true;
    console.log(`library check passed in ${seconds(started)}`);
  } finally {
    if (ok && process.env.KEEP_LIBRARY_CHECK !== "1") rmSync(work, { recursive: true, force: true });
    else (ok ? console.log : console.error)(`kept ${work}`);
  }
}

if (require.main === module) {
  if (process.argv.length > 2) {
    console.error(
      "usage: npm run check:library   (LIBRARY_NODE=<node binary> runs the consumer on it; KEEP_LIBRARY_CHECK=1 keeps its folder)",
    );
    process.exit(2);
  }
  const given = process.env.LIBRARY_NODE;
  // A path (e.g. .node22/bin/node) is taken from the working folder; a bare name from PATH.
  const node = given ? (given.includes("/") ? resolve(given) : given) : process.execPath;
  checkLibrary(node).catch((error: unknown) => {
    console.error(`library check FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
