// `npm run check:library` (or `node -r tsx/cjs scripts/check-library.ts`): the package as another
// CDKTF app gets it. Everything happens in a temporary folder (the working tree is only read):
//
// 1. `npm pack` of a copy of the package's sources (its prepack runs `npm run build`: tsc with
//    tsconfig.build.json, modules/ into lib/); the tarball holds lib/ (JavaScript and declarations),
//    package.json and the README, and its dependencies are exactly the packages lib/ requires;
// 2. meanwhile, a throwaway consumer app with its own package.json and its own cdktf, constructs and
//    @cdktf/provider-aws: this repository's installed copies, linked (`file:` folders, which npm
//    symlinks), so the 390 MB provider is neither downloaded nor unpacked again;
// 3. `npm install <tarball>` there, as the README says: npm takes the peers from the consumer and
//    installs only the package's own dependencies, from the npm cache (`--prefer-offline`: the
//    registry only for what the cache lacks; right after `npm ci` the cache has them all);
// 4. tsc in the consumer (strict, `module: node16`, so through package.json `exports`): the README's
//    "Use as a library" example against the shipped .d.ts, and the .d.ts themselves, checked as
//    sources against the consumer's packages (skipLibCheck spares cdktf's and zod's, 10 s);
// 5. on LIBRARY_NODE (default: this Node.js), one consumer process: a stack composed of the
//    constructs in the consumer's own TerraformStack and an app from a configuration object
//    (`createApp(parseConfig({...}))`), both synthesized; one copy of each peer, `instanceof` across
//    the boundary; an ES module importing the package by name; the compiled README example, run.
//
// Prints each step and its time; exits 1 on a failure (keeping the folder, for a look) and 2 on a
// bad command line. KEEP_LIBRARY_CHECK=1 keeps the folder after a success too.
import { spawn } from "child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";

const ROOT = resolve(__dirname, "..");
const PEERS = ["cdktf", "constructs", "@cdktf/provider-aws"] as const;
/** What `npm run build` needs of the working tree (node_modules is linked). */
const SOURCES = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.build.json", "modules"];

/** A step that failed: what, and the output that says why. */
class CheckError extends Error {
  override name = "CheckError";
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The environment of child processes: none of the npm run variables that describe this package. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^npm_config_local_prefix$/.test(k)),
  );
  return { ...env, CHECKPOINT_DISABLE: "1" };
}

/** Runs a command; rejects with the end of its output unless it exits 0. Resolves to stdout. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => reject(new CheckError(`${command} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolvePromise(stdout);
      const tail = output.trim().split("\n").slice(-40).join("\n");
      reject(new CheckError(`${command} ${args.join(" ")} (in ${cwd}) exited ${code ?? signal}:\n${tail}`));
    });
  });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one step and prints it when done: "ok", its time and what it found. */
async function step<T>(title: string, body: () => Promise<T> | T, detail: (value: T) => string = () => ""): Promise<T> {
  const started = Date.now();
  const value = await body();
  const said = detail(value);
  console.log(`  ok  ${title.padEnd(64)} ${seconds(started).padStart(7)}${said ? `  ${said}` : ""}`);
  return value;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckError(message);
}

/** The package names a built file requires (not relative, not node: builtins). */
function requiredPackages(js: string): string[] {
  const names = new Set<string>();
  for (const [, spec] of js.matchAll(/\brequire\("([^"]+)"\)/g)) {
    if (spec.startsWith(".") || spec.startsWith("node:") || BUILTINS.has(spec)) continue;
    const parts = spec.split("/");
    names.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
  }
  return [...names];
}
const BUILTINS = new Set(require("module").builtinModules as string[]);

/** The first ```ts block of the README's "Use as a library" section. */
export function readmeExample(readme: string): string {
  const section = /^## Use as a library\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  const code = section && /^```ts\n([\s\S]*?)^```/m.exec(section)?.[1];
  if (!code) throw new CheckError('README.md: no ```ts block in the section "## Use as a library"');
  return code;
}

/**
 * The consumer's program (CommonJS, as `cdktf init` makes them): builds and synthesizes both stacks,
 * checks what only the inside sees (one copy of each peer, instanceof across the boundary), imports
 * esm.mjs, runs the compiled README example, and prints a JSON summary on its last line.
 */
const CONSUMER_JS = String.raw`"use strict";
// A CDKTF app of someone else's, using the package by name.
const assert = require("assert");
const { realpathSync } = require("fs");
const { dirname, join } = require("path");
const { App, TerraformStack, TerraformResource } = require("cdktf");
const { Construct } = require("constructs");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { DataAwsPartition } = require("@cdktf/provider-aws/lib/data-aws-partition");
const lib = require("incident-manager-setup");
const { AccessKey, AdminGroup, AdminUser, IncidentManagerServiceLinkedRole, IncidentManagerSetupStack } = lib;

// One copy of each peer: the package resolves the very files the consumer does.
const libDir = dirname(require.resolve("incident-manager-setup"));
for (const peer of ["cdktf", "constructs", "@cdktf/provider-aws/lib/provider"]) {
  const ours = realpathSync(require.resolve(peer));
  const theirs = realpathSync(require.resolve(peer, { paths: [libDir] }));
  assert.strictEqual(theirs, ours, peer + ": the package resolves another copy");
}

// 1. The consumer's own stack, composed of the package's constructs.
class ConsumerStack extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    const partition = new DataAwsPartition(this, "Partition");
    this.group = new AdminGroup(this, "AdminGroup", { partition, groupName: "IncidentAdmins" });
    this.user = new AdminUser(this, "Alice", { userName: "alice", group: this.group, console: { pgpKey: "keybase:alice" } });
    this.key = new AccessKey(this.user, "Key", { user: this.user, pgpKey: "keybase:alice" });
    this.role = new IncidentManagerServiceLinkedRole(this, "IncidentManagerRole");
  }
}
const app = new App({ outdir: join(__dirname, "out-constructs") });
const stack = new ConsumerStack(app, "consumer");
assert.ok(stack.group instanceof Construct, "AdminGroup is not a Construct of the consumer's constructs");
assert.strictEqual(TerraformStack.of(stack.user), stack, "TerraformStack.of(a construct of the package) is not the consumer's stack");
assert.ok(stack.group.group instanceof TerraformResource, "the package's IamGroup is not a TerraformResource of the consumer's cdktf");
// checkovSkipsOf tests instanceof TerraformResource (the package's cdktf) on the provider's resources.
const skips = lib.checkovSkipsOf(stack).map((r) => r.address);
assert.ok(skips.some((a) => a.startsWith("aws_iam_user.")), "checkovSkipsOf found no skip on the user: " + skips);
app.synth();

// 2. An app from a configuration object.
const config = lib.parseConfig({
  accounts: [
    {
      name: "prod",
      region: "eu-west-1",
      accountId: "111122223333",
      passwordPolicy: true,
      adminUsers: [{ name: "alice", console: { pgpKey: "keybase:alice" }, accessKeys: [{ pgpKey: "keybase:alice" }] }],
    },
    { name: "dev", region: "us-east-1", adminUsers: [{ name: "bob", console: false }] },
  ],
});
const configApp = lib.createApp(config, { outdir: join(__dirname, "out-config") });
assert.ok(configApp instanceof App, "createApp's App is not the consumer's App");
const stacks = configApp.node.children;
assert.ok(
  stacks.length === 2 && stacks.every((s) => s instanceof TerraformStack && s instanceof IncidentManagerSetupStack),
  "createApp did not make two IncidentManagerSetupStacks",
);
configApp.synth();

(async () => {
  // 3. An ES module importing the package by name (Node reads the named exports of the CommonJS build).
  await import("./esm.mjs");
  // 4. The README example, compiled by tsc: it synthesizes into cdktf.out.
  require("./dist/readme-example.js");
  const summary = { node: process.version, stacks: stacks.map((s) => s.node.id), warnings: lib.synthWarnings(configApp).length };
  console.log(JSON.stringify(summary));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** An ES module importing the package by name. */
const CONSUMER_MJS = `import { AdminGroup, createApp, parseConfig } from "incident-manager-setup";
import { Construct } from "constructs";
import { App } from "cdktf";
if (!(AdminGroup.prototype instanceof Construct)) throw new Error("ESM: AdminGroup is not a Construct");
const config = parseConfig({ accounts: [{ name: "esm", region: "eu-west-1", adminUsers: [{ name: "alice" }] }] });
const app = createApp(config, { outdir: "out-esm" });
if (!(app instanceof App)) throw new Error("ESM: createApp's App is not the consumer's App");
app.synth();
`;

/**
 * The consumer's tsconfig: strict, resolution through package.json "exports" (node16). The README
 * example, and the shipped .d.ts copied to dts/*.ts: checked as sources, against the consumer's
 * packages, while skipLibCheck spares the declarations of cdktf, zod and @types/node.
 */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    types: ["node"],
    skipLibCheck: true,
    outDir: "dist",
  },
  include: ["readme-example.ts", "dts/*.ts"],
};

type TfJson = { resource?: Record<string, Record<string, unknown>>; output?: Record<string, unknown> };

/** A synthesized stack, parsed. */
function stackJson(outdir: string, stack: string): TfJson {
  const file = join(outdir, "stacks", stack, "cdk.tf.json");
  check(existsSync(file), `no ${file}`);
  return JSON.parse(readFileSync(file, "utf8")) as TfJson;
}

/** Checks the resource counts by type; returns "<n> resources". */
function expectResources(where: string, json: TfJson, expected: Record<string, number>): string {
  const found = Object.fromEntries(Object.entries(json.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName).length]));
  for (const [type, count] of Object.entries(expected)) {
    check((found[type] ?? 0) === count, `${where}: expected ${count} ${type}, found ${found[type] ?? 0} (${JSON.stringify(found)})`);
  }
  return `${Object.values(found).reduce((a, b) => a + b, 0)} resources`;
}

/** Packs a copy of the package's sources (prepack builds lib/); returns the tarball and its file list. */
async function pack(work: string): Promise<{ file: string; files: string[]; size: number; lib: string }> {
  const source = join(work, "package");
  mkdirSync(source);
  for (const entry of SOURCES) if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");
  const out = await run("npm", ["pack", "--json", "--pack-destination", work], source);
  const [info] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: { path: string }[]; size: number }[];
  return { file: join(work, info.filename), files: info.files.map((f) => f.path), size: info.size, lib: join(source, "lib") };
}

/** The checks of the tarball's contents and of package.json's dependencies; returns the dependencies. */
function checkTarball(pkg: PackageJson, tarball: { files: string[]; lib: string }): string[] {
  const stray = tarball.files.filter((f) => !/^lib\/.+\.(js|d\.ts)$/.test(f) && !/^(package\.json|README\.md|LICENSE)$/.test(f));
  check(stray.length === 0, `the tarball holds files other than lib/: ${stray.join(", ")}`);
  for (const f of ["lib/index.js", "lib/index.d.ts"]) check(tarball.files.includes(f), `the tarball lacks ${f}`);
  const required = new Set(
    readdirSync(tarball.lib)
      .filter((f) => f.endsWith(".js"))
      .flatMap((f) => requiredPackages(readFileSync(join(tarball.lib, f), "utf8"))),
  );
  const deps = Object.keys(pkg.dependencies ?? {});
  const peers = Object.keys(pkg.peerDependencies ?? {});
  for (const peer of PEERS) check(peers.includes(peer) && !deps.includes(peer), `${peer} must be a peer dependency, not a dependency`);
  const missing = [...required].filter((name) => !deps.includes(name) && !peers.includes(name));
  check(missing.length === 0, `lib/ requires ${missing.join(", ")}, which package.json does not list in dependencies`);
  const unused = deps.filter((name) => !required.has(name));
  check(unused.length === 0, `dependencies that lib/ never requires (every consumer would install them): ${unused.join(", ")}`);
  return deps;
}

/** Runs the whole check; throws a CheckError (or a spawn error) on the first failure. */
export async function checkLibrary(node: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "library-check-"));
  const started = Date.now();
  let ok = false;
  try {
    console.log(`library check in ${work} (consumer on ${node})`);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;
    const consumer = join(work, "consumer");
    mkdirSync(consumer);
    // The consumer's own peers: this repository's installed copies, as `file:` links (npm symlinks
    // folders). The tarball comes in a second install, as a user adds a package to an existing app
    // (links and the tarball in one first install trip npm 11: "Cannot read properties of null (reading 'matches')").
    const link = (name: string) => `file:${realpathSync(join(ROOT, "node_modules", name))}`;
    const consumerPackage = {
      name: "library-check-consumer",
      version: "1.0.0",
      private: true,
      description: "A throwaway CDKTF app that installs the package from its tarball",
      dependencies: Object.fromEntries(PEERS.map((peer) => [peer, link(peer)])),
      devDependencies: { "@types/node": link("@types/node") },
    };
    writeFileSync(join(consumer, "package.json"), `${JSON.stringify(consumerPackage, null, 2)}\n`);
    const npmInstall = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

    const [tarball] = await Promise.all([
      step(
        "npm pack (its prepack builds lib/ with tsconfig.build.json)",
        () => pack(work),
        (t) => `${relative(work, t.file)}: ${t.files.length} files, ${(t.size / 1024).toFixed(0)} kB`,
      ),
      step("consumer app with its cdktf, constructs, provider (this repo's)", () => run("npm", npmInstall, consumer)),
    ]);
    await step(
      "tarball: lib/ only; dependencies = the packages lib/ requires",
      () => checkTarball(pkg, tarball),
      (deps) => deps.join(", "),
    );
    await step(
      "npm install <tarball> (its dependencies from the npm cache)",
      async () => {
        await run("npm", [...npmInstall, tarball.file], consumer);
        const installed = join(consumer, "node_modules", pkg.name);
        check(existsSync(join(installed, "lib", "index.js")), `${installed}: no lib/index.js`);
        for (const peer of PEERS) {
          check(!existsSync(join(installed, "node_modules", peer)), `npm installed a second ${peer} under the package`);
          check(statSync(join(consumer, "node_modules", peer)).isDirectory(), `the consumer has no ${peer}`);
        }
        const lock = JSON.parse(readFileSync(join(consumer, "node_modules", ".package-lock.json"), "utf8")) as { packages: object };
        return Object.keys(lock.packages).length;
      },
      (n) => `${n} packages in node_modules, 3 of them the linked peers`,
    );

    writeFileSync(join(consumer, "readme-example.ts"), readmeExample(readFileSync(join(ROOT, "README.md"), "utf8")));
    const dts = join(consumer, "dts");
    mkdirSync(dts);
    const shipped = join(consumer, "node_modules", pkg.name, "lib");
    const declarations = readdirSync(shipped).filter((f) => f.endsWith(".d.ts"));
    for (const f of declarations) cpSync(join(shipped, f), join(dts, f.replace(/\.d\.ts$/, ".ts")));
    writeFileSync(join(consumer, "tsconfig.json"), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    await step(
      "tsc: the README example and the shipped .d.ts (strict, node16)",
      () => run(node, [tsc, "-p", "tsconfig.json"], consumer),
      () => `${declarations.length} declaration files`,
    );

    writeFileSync(join(consumer, "consumer.js"), CONSUMER_JS);
    writeFileSync(join(consumer, "esm.mjs"), CONSUMER_MJS);
    const summary = await step(
      "consumer.js: a stack of constructs, an app from a config, ESM, README",
      async () => {
        const out = (await run(node, ["consumer.js"], consumer)).trim().split("\n");
        return JSON.parse(out[out.length - 1]) as { node: string; stacks: string[]; warnings: number };
      },
      (s) => `node ${s.node}: one copy of each peer, instanceof across the boundary`,
    );
    await step(
      "  the consumer's stack: AdminGroup, AdminUser, AccessKey, the role",
      () =>
        expectResources("consumer stack", stackJson(join(consumer, "out-constructs"), "consumer"), {
          aws_iam_group: 1,
          aws_iam_group_policy_attachment: 1,
          aws_iam_group_policy: 1,
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
        check(summary.stacks.join(",") === "prod,dev", `createApp made the stacks ${summary.stacks.join(",")}`);
        const out = join(consumer, "out-config");
        const prodJson = stackJson(out, "prod");
        const prod = expectResources("prod", prodJson, {
          aws_iam_group: 1,
          aws_iam_user: 1,
          aws_iam_user_login_profile: 1,
          aws_iam_access_key: 1,
          aws_iam_account_password_policy: 1,
          aws_iam_service_linked_role: 1,
        });
        const outputs = Object.keys(prodJson.output ?? {});
        check(outputs.includes("admin_users") && outputs.includes("incident_manager_role_arn"), `prod: outputs ${outputs.join(", ")}`);
        const dev = expectResources("dev", stackJson(out, "dev"), {
          aws_iam_user: 1,
          aws_iam_user_login_profile: 0,
          aws_iam_service_linked_role: 1,
        });
        return `prod ${prod}, dev ${dev}, ${summary.warnings} warnings recorded`;
      },
      (s) => s,
    );
    await step(
      "  the ES module's app, and the README example's",
      () => {
        const esm = expectResources("esm.mjs", stackJson(join(consumer, "out-esm"), "esm"), { aws_iam_user: 1 });
        const readme = expectResources("README example", stackJson(join(consumer, "cdktf.out"), "incident-manager"), {
          aws_iam_group: 1,
          aws_iam_user: 1,
          aws_iam_service_linked_role: 1,
        });
        return `esm ${esm}, README ${readme}`;
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
