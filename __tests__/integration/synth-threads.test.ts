// Synthesis on several threads (modules/app/synth/parallel.ts): the bundle `npm run synth` runs, as a
// process (jest loads TypeScript only in its own module registry, so in-process synthesis stays on
// one thread). The output must be the same bytes whatever the number of threads, and a problem
// found by a worker must stop the synthesis as one found by the main thread does.
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";

import { ROOT } from "../support/configs";
import { main } from "../../modules/app/main";

const SYNTH = join(ROOT, "scripts", "synth.js");

/** `accounts` accounts of 3 admin users each. */
function configOf(accounts: number, mutate: (config: any) => void = () => undefined): string {
  const config = {
    accounts: Array.from({ length: accounts }, (_, i) => ({
      name: `account-${i + 1}`,
      region: i % 2 === 0 ? "us-east-1" : "eu-west-1",
      accountId: String(200000000000 + i),
      adminUsers: [{ name: "alice" }, { name: "bob", accessKeys: [] }, { name: "carol", console: false }],
    })),
  };
  mutate(config);
  const file = join(mkdtempSync(join(tmpdir(), "threads-config-")), "setup.config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** `node scripts/synth.js` (npm run synth without npm) from a new folder: the output is its cdktf.out. */
function synth(configFile: string, threads: string | undefined, extraEnv: NodeJS.ProcessEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "threads-out-"));
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", SETUP_CONFIG: configFile, ...extraEnv };
  delete env.CDKTF_OUTDIR;
  if (threads === undefined) delete env.SYNTH_THREADS;
  else env.SYNTH_THREADS = threads;
  const run = spawnSync(process.execPath, [SYNTH], { cwd, env, encoding: "utf8", timeout: 120_000 });
  return { outdir: join(cwd, "cdktf.out"), status: run.status, stderr: run.stderr };
}

/** Every file under `dir` with its bytes, by relative path. */
function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return found;
}

describe("synthesis on several threads", () => {
  // Enough stacks that the workers, which start half a second late, take some.
  const config = configOf(120);
  const one = synth(config, "1");
  const three = synth(config, "3");

  test("one thread and three write the same files, byte for byte, and say the same", () => {
    expect(one.status).toBe(0);
    expect(three.status).toBe(0);
    const a = files(one.outdir);
    const b = files(three.outdir);
    expect([...a.keys()].filter((f) => f.endsWith("cdk.tf.json"))).toHaveLength(120);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [file, bytes] of a) expect({ file, bytes: b.get(file) }).toEqual({ file, bytes });
    expect(three.stderr).toMatch(/^Synthesized 120 stack\(s\) on [23] threads into /m);
    expect(one.stderr).toMatch(/^Synthesized 120 stack\(s\) into /m);
    const said = (run: typeof one) => run.stderr.replace(/ on \d threads/, "");
    expect(said(three)).toBe(said(one));
  });

  test("nothing of the threads is left: no staging folder beside the output", () => {
    for (const { outdir } of [one, three]) expect(readdirSync(join(outdir, ".."))).toEqual(["cdktf.out"]);
  });

  test("a problem in a stack a worker writes: the same error, exit 1, nothing written", () => {
    // The last account adopts its role: CDKTF's construct validation wants terraform, which is not
    // where TERRAFORM_BINARY_NAME says (a validation of the built stack, not of the configuration).
    const bad = configOf(60, (c) => (c.accounts[59].incidentManager = { serviceLinkedRole: "adopt" }));
    const noTerraform = { TERRAFORM_BINARY_NAME: join(tmpdir(), "no-terraform-here", "terraform") };
    const single = synth(bad, "1", noTerraform);
    const threaded = synth(bad, "4", noTerraform);
    expect(threaded.status).toBe(1);
    expect(single.status).toBe(1);
    expect(threaded.stderr).toBe(single.stderr);
    expect(threaded.stderr).toContain("accounts[59]: adopting (incidentManager.serviceLinkedRole");
    expect(existsSync(threaded.outdir) && readdirSync(threaded.outdir).includes("stacks")).toBe(false);
  });

  test("terraform's version is asked once per thread, not once per import block (cdktf checks it for each)", () => {
    // A terraform that counts its runs: cdktf runs `$TERRAFORM_BINARY_NAME version` in a shell.
    const dir = mkdtempSync(join(tmpdir(), "counting-terraform-"));
    const log = join(dir, "runs.log");
    const fake = join(dir, "terraform");
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> '${log}'\necho 'Terraform v1.11.4'\n`, { mode: 0o755 });
    const adopting = configOf(5, (c) => {
      for (const account of c.accounts) {
        account.incidentManager = { serviceLinkedRole: "adopt" };
        account.adminGroup = { adopt: true };
        account.adminUsers = [{ name: "alice", adopt: true, accessKeys: [] }];
      }
    });
    const run = synth(adopting, "1", { TERRAFORM_BINARY_NAME: fake });
    expect(run.status).toBe(0);
    // role, group, its attachment, the user, its login profile: five import blocks in each of five stacks
    const imports = [1, 2, 3, 4, 5].map(
      (i) => JSON.parse(readFileSync(join(run.outdir, "stacks", `account-${i}`, "cdk.tf.json"), "utf8")).import.length,
    );
    expect(imports).toEqual([5, 5, 5, 5, 5]);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toEqual(["version"]);
  });

  test("a missing terraform is one problem per adopting account, not one per import block", () => {
    const adopting = configOf(2, (c) => {
      for (const account of c.accounts) {
        account.adminGroup = { adopt: true };
        account.adminUsers = [{ name: "alice", adopt: true, accessKeys: [] }];
      }
    });
    const run = synth(adopting, "1", { TERRAFORM_BINARY_NAME: join(tmpdir(), "no-terraform-here", "terraform") });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("2 problems");
    for (const i of [0, 1]) expect(run.stderr.split(`accounts[${i}]: adopting`)).toHaveLength(2);
  });

  test.each(["0", "-1", "1.5", "many", "65"])("SYNTH_THREADS=%s: a usage error naming the variable and the rule, exit 2", (value) => {
    const lines: string[] = [];
    expect(main({ SYNTH_THREADS: value }, join(ROOT, "setup.config.json"), (l) => lines.push(l))).toBe(2);
    expect(lines.join("\n")).toContain(`SYNTH_THREADS="${value}" must be a whole number from 1 to 64`);
  });
});
