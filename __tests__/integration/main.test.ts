// The app as its users run it: `npm run synth` (main.ts through tsx), SETUP_CONFIG, exit codes,
// and the bytes it writes.
import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

import { ROOT, minimalConfig, shippedConfig } from "../support/configs";
import { main } from "../../modules/app/main";

/** The command of `npm run synth` (run without npm's own start-up). */
const SYNTH_COMMAND: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.synth;

/** Runs the main job from a project folder, as `npm run synth` does. */
function runMain(projectDir: string, env: Record<string, string> = {}) {
  // npm puts node_modules/.bin on PATH for its scripts.
  const PATH = `${join(projectDir, "node_modules", ".bin")}:${process.env.PATH ?? ""}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", PATH, ...env };
  delete childEnv.CDKTF_OUTDIR;
  const result = spawnSync(SYNTH_COMMAND, { shell: true, cwd: projectDir, env: childEnv, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of the project (sources and config, node_modules linked) in a new temp folder. */
function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "project-copy-"));
  for (const entry of ["main.ts", "modules", "scripts/synth.js", "setup.config.json", "package.json", "tsconfig.json", "cdktf.json"]) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function writeConfig(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "config-")), "setup.config.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const stackFile = (dir: string, stack = "incident-manager") => join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json");

describe("npm run synth on the shipped configuration", () => {
  const first = copyProject();
  const second = copyProject();
  const firstRun = runMain(first);
  const secondRun = runMain(second);

  test("writes cdktf.out/stacks/<name>/cdk.tf.json and exits 0", () => {
    expect(firstRun.stderr).toContain("Synthesized 1 stack(s) into cdktf.out/stacks");
    expect(firstRun.status).toBe(0);
    expect(existsSync(stackFile(first))).toBe(true);
  });

  test("prints the synth warnings about secrets in the state", () => {
    expect(firstRun.stderr).toContain(
      "Warning: [incident-manager/AdminUser-incident-admin/AccessKey-1] adminUsers[0].accessKeys[0] (incident-admin, key 1): the secret access key will be stored in plain text in the Terraform state",
    );
  });

  test("never prints a secret or a path of the machine", () => {
    expect(firstRun.stdout + firstRun.stderr).not.toContain(first);
    expect(readFileSync(stackFile(first), "utf8")).not.toContain(first);
    expect(readFileSync(join(first, "cdktf.out", "manifest.json"), "utf8")).not.toContain(first);
  });

  test("gives the same bytes from a copy of the project in another folder", () => {
    expect(secondRun.status).toBe(0);
    expect(readFileSync(stackFile(second), "utf8")).toBe(readFileSync(stackFile(first), "utf8"));
    expect(readFileSync(join(second, "cdktf.out", "manifest.json"), "utf8")).toBe(
      readFileSync(join(first, "cdktf.out", "manifest.json"), "utf8"),
    );
  });

  test("gives the same bytes when run twice in the same folder", () => {
    const before = readFileSync(stackFile(first), "utf8");
    expect(runMain(first).status).toBe(0);
    expect(readFileSync(stackFile(first), "utf8")).toBe(before);
  });

  test("cdktf synth (what cdktf deploy runs, with this cdktf.json) writes the same stack JSON", () => {
    const dir = copyProject();
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null", CI: "true" };
    delete env.CDKTF_OUTDIR;
    const cli = spawnSync(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth"], { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
    expect(cli.stdout + cli.stderr).toContain("Generated Terraform code for the stacks: incident-manager");
    expect(cli.status).toBe(0);
    expect(readFileSync(stackFile(dir), "utf8")).toBe(readFileSync(stackFile(first), "utf8"));
  }, 120_000);

  test("bundles only when a source is newer than the bundle; the stacks are the same bytes either way", () => {
    const bundle = join(first, "cdktf.out", "app", "main.js");
    const stack = readFileSync(stackFile(first), "utf8");
    const built = statSync(bundle).mtimeMs;
    expect(runMain(first).status).toBe(0);
    expect(statSync(bundle).mtimeMs).toBe(built); // current: not rebuilt
    expect(readFileSync(stackFile(first), "utf8")).toBe(stack);

    const later = new Date(Date.now() + 5_000);
    utimesSync(join(first, "modules", "app", "synth", "synthesize.ts"), later, later);
    expect(runMain(first).status).toBe(0);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(built); // a module changed: rebuilt
    expect(readFileSync(stackFile(first), "utf8")).toBe(stack);
  });

  test("resolves a relative SETUP_CONFIG against the folder npm was run from (INIT_CWD), not the project", () => {
    const config = shippedConfig();
    config.accounts[0].name = "from-init-cwd";
    const file = writeConfig(config);
    const run = runMain(first, { SETUP_CONFIG: "setup.config.json", INIT_CWD: join(file, "..") });
    expect(run.status).toBe(0);
    expect(existsSync(stackFile(first, "from-init-cwd"))).toBe(true);
  });

  test("accepts a configuration saved with a UTF-8 byte order mark", () => {
    const config = shippedConfig();
    config.accounts[0].name = "with-bom";
    const run = runMain(first, { SETUP_CONFIG: writeConfig(`\uFEFF${JSON.stringify(config)}`) });
    expect(run.stderr).not.toContain("Error");
    expect(run.status).toBe(0);
    expect(existsSync(stackFile(first, "with-bom"))).toBe(true);
  });

  test("reads the configuration named by SETUP_CONFIG; a stack no longer configured keeps its folder and is a warning naming retire", () => {
    const own = (name: string) => {
      const config = shippedConfig();
      Object.assign(config.accounts[0], { name, accountId: "123456789012" });
      return writeConfig(config);
    };
    const applied = runMain(first, { SETUP_CONFIG: own("applied") });
    expect(applied.status).toBe(0);
    // The stack before it (with-bom) pinned only the example account, so it was never applied: its folder goes, without a warning.
    expect(existsSync(join(first, "cdktf.out", "stacks", "with-bom"))).toBe(false);
    expect(applied.stderr).not.toContain("[stack-removed]");
    expect(applied.stderr).toContain(
      "Removed stacks/with-bom: no longer configured, and it pinned only AWS's example account 111122223333 (never applied)\n",
    );
    const run = runMain(first, { SETUP_CONFIG: own("renamed") });
    expect(run.status).toBe(0);
    expect(existsSync(stackFile(first, "renamed"))).toBe(true);
    // Not deleted without a word: its resources stay in AWS, and this folder is what a retire or destroy needs.
    expect(existsSync(stackFile(first, "applied"))).toBe(true);
    expect(run.stderr).toContain("Warning: [applied] stack applied was synthesized before and is no longer in the configuration");
    expect(run.stderr).toContain('put the entry back with "retire": true, apply its plan, then delete the entry');
    expect(JSON.parse(readFileSync(join(first, "cdktf.out", "manifest.json"), "utf8")).stacks).not.toHaveProperty("applied");
  });

  test("under the cdktf CLI (CDKTF_OUTDIR), a stack gone from the configuration is printed too: the manifest cannot hold it", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-removed-"));
    const outdir = join(dir, "cdktf.out");
    const lines: string[] = [];
    const two = shippedConfig();
    two.accounts.push({ ...two.accounts[0], name: "old", accountId: "123456789012" });
    const file = join(dir, "setup.config.json");
    writeFileSync(file, JSON.stringify(two));
    expect(main({ SETUP_CONFIG: file, CDKTF_OUTDIR: outdir }, "unused", (l) => lines.push(l))).toBe(0);
    writeFileSync(file, JSON.stringify(shippedConfig()));
    expect(main({ SETUP_CONFIG: file, CDKTF_OUTDIR: outdir }, "unused", (l) => lines.push(l))).toBe(0);
    expect(lines.filter((l) => l.endsWith("[stack-removed]")).map((l) => l.slice(0, 60))).toEqual([
      "Warning: [old] stack old was synthesized before and is no lo",
    ]);
  });
});

describe("npm run synth on bad input: a clear error, a non-zero exit, no stack written", () => {
  const dir = copyProject();

  test("fails if the configuration file is missing", () => {
    const run = runMain(dir, { SETUP_CONFIG: join(dir, "nope.json") });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Error: ${join(dir, "nope.json")}: 1 problem\n  - file not found (set SETUP_CONFIG`);
    expect(existsSync(join(dir, "cdktf.out", "stacks"))).toBe(false);
  });

  test("fails if the JSON is malformed, saying where", () => {
    const run = runMain(dir, { SETUP_CONFIG: writeConfig('{ "accounts": [ }') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      '  - the file is not valid JSON: a value was expected (JSON allows no trailing comma) at line 1, column 17: { "accounts": [ }',
    );
    expect(existsSync(join(dir, "cdktf.out", "stacks"))).toBe(false);
  });

  test("fails listing every problem of an invalid configuration", () => {
    const config = shippedConfig() as any;
    config.accounts[0].region = "us-east";
    config.accounts[0].adminUser = [];
    const run = runMain(dir, { SETUP_CONFIG: writeConfig(config) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("2 problems");
    expect(run.stderr).toContain(
      'accounts[0].region: "us-east" is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK\'s partition data)',
    );
    expect(run.stderr).toContain('accounts[0].adminUser: unknown key "adminUser"');
    expect(existsSync(join(dir, "cdktf.out", "stacks"))).toBe(false);
  });
});

describe("adopt mode needs terraform at synth time (CDKTF checks it for import blocks)", () => {
  const config = shippedConfig();
  config.accounts[0].incidentManager = { serviceLinkedRole: "adopt" };
  config.accounts[0].accountId = "111122223333";

  test("fails with a clear message and writes no stack when terraform is not on PATH", () => {
    const dir = copyProject();
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: join(dir, "no-terraform-here"), SETUP_CONFIG: writeConfig(config) };
    delete env.CDKTF_OUTDIR;
    const run = spawnSync(process.execPath, ["-r", "tsx/cjs", "main.ts"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'accounts[0]: adopting (incidentManager.serviceLinkedRole "adopt", adminGroup.adopt or adminUsers[].adopt) writes Terraform ' +
        "import blocks, and CDKTF checks at synth time that terraform >= 1.5 is on PATH",
    );
    expect(run.stderr).toContain("(install Terraform 1.5 or later, or set TERRAFORM_BINARY_NAME to its path)");
    expect(existsSync(stackFile(dir))).toBe(false);
  });

  test("synthesizes the import block when terraform is on PATH", () => {
    const dir = copyProject();
    const run = runMain(dir, { SETUP_CONFIG: writeConfig(config) });
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(stackFile(dir), "utf8")).import).toHaveLength(1);
  });
});

describe("every rejected input class writes no stack", () => {
  const account = minimalConfig().accounts[0];
  const user = account.adminUsers[0];
  const icUser = { userName: "alice", givenName: "Alice", familyName: "Doe", email: "alice@example.com" };
  /** One account assigned through Identity Center (no IAM users), with a change to identityCenter. */
  const ic = (change: Record<string, unknown>) => ({
    accounts: [{ ...account, accountId: "444455556666", adminUsers: [] }],
    identityCenter: { region: "us-east-1", accountId: "111122223333", users: [icUser], ...change },
  });
  const cases: [string, unknown][] = [
    ["malformed JSON", '{"accounts": [}'],
    ["unknown key", { accounts: [{ ...account, adminUser: [] }] }],
    ["bad user name", { accounts: [{ ...account, adminUsers: [{ name: "bad name!" }] }] }],
    ["bad group name", { accounts: [{ ...account, adminGroup: { name: "Admins!" } }] }],
    ["bad path", { accounts: [{ ...account, adminGroup: { path: "ops" } }] }],
    [
      "three access keys",
      { accounts: [{ ...account, adminUsers: [{ ...user, accessKeys: [{ status: "Inactive" }, { status: "Inactive" }, {}] }] }] },
    ],
    ["users differing in case", { accounts: [{ ...account, adminUsers: [{ name: "alice" }, { name: "ALICE" }] }] }],
    ["duplicate stack names", { accounts: [account, account] }],
    ["malformed stack name", { accounts: [{ ...account, name: "Prod" }] }],
    ["account id not 12 digits", { accounts: [{ ...account, accountId: "1234" }] }],
    ["assume-role ARN not a role", { accounts: [{ ...account, assumeRoleArn: "arn:aws:iam::111122223333:user/x" }] }],
    ["bad region", { accounts: [{ ...account, region: "useast1" }] }],
    ["bad key status", { accounts: [{ ...account, adminUsers: [{ ...user, accessKeys: [{ status: "On" }] }] }] }],
    ["empty file", ""],
    [
      "a key written twice",
      '{"accounts": [{"name": "prod", "region": "us-east-1", "region": "eu-west-1", "adminUsers": [{"name": "alice"}]}]}',
    ],
    ["adopt without accountId", { accounts: [{ ...account, incidentManager: { serviceLinkedRole: "adopt" } }] }],
    ["wrong type inside passwordPolicy", { accounts: [{ ...account, passwordPolicy: { requireSymbols: "yes" } }] }],
    ["emoji tag value", { accounts: [{ ...account, tags: { team: "\u{1F680}" } }] }],
    ["region no AWS SDK lists", { accounts: [{ ...account, region: "us-east-9" }] }],
    [
      "ARN of another partition",
      { accounts: [{ ...account, region: "cn-north-1", assumeRoleArn: "arn:aws:iam::111122223333:role/Admin" }] },
    ],
    ["account nobody could administer (no IAM users, no Identity Center)", { accounts: [{ ...account, adminUsers: [] }] }],
    ["Identity Center: unknown account in assignTo", ic({ assignTo: [account.name, "nope"] })],
    ["Identity Center: session longer than 12 hours", ic({ permissionSet: { sessionDuration: "PT13H" } })],
    ["Identity Center: session not ISO-8601", ic({ permissionSet: { sessionDuration: "4h" } })],
    ["Identity Center: email the identity store would reject", ic({ users: [{ ...icUser, email: "alice" }] })],
    ["Identity Center: user name with a space", ic({ users: [{ ...icUser, userName: "alice smith" }] })],
    ["Identity Center: reserved user name", ic({ users: [{ ...icUser, userName: "Administrator" }] })],
    ["Identity Center: users differing in case", ic({ users: [icUser, { ...icUser, userName: "ALICE" }] })],
    ["Identity Center: created group without users", ic({ users: [] })],
    ["Identity Center: assigned account without accountId", { ...ic({}), accounts: [{ ...account, adminUsers: [] }] }],
    ["Identity Center: missing region", ic({ region: undefined })],
  ];

  test.each(cases)("fails on %s: exit code 1, the problem on stderr, no stack", (_name, content) => {
    const outdir = join(mkdtempSync(join(tmpdir(), "out-")), "cdktf.out");
    const configFile = writeConfig(content);
    const lines: string[] = [];
    expect(main({ SETUP_CONFIG: configFile, CDKTF_OUTDIR: outdir }, "unused.json", (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^Error: ${configFile}: 1 problem\n  - `))]);
    expect(existsSync(join(outdir, "stacks"))).toBe(false);
  });

  test("fails on a missing file: exit code 1, the problem on stderr, no stack", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "out-")), "cdktf.out");
    const lines: string[] = [];
    expect(main({ CDKTF_OUTDIR: outdir }, join(outdir, "missing.json"), (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual([expect.stringContaining("missing.json: 1 problem\n  - file not found")]);
    expect(existsSync(join(outdir, "stacks"))).toBe(false);
  });
});
