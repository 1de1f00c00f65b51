// Faults while `npm run synth` writes cdktf.out (the bundle, as a process): a kill in the middle of
// the move into the output folder, a file size limit that fails the manifest, a read-only stack
// folder, two runs at once. After each, cdktf.out holds the old output whole, the new one whole, or
// is marked incomplete (.synth-incomplete.json): the review refuses it, and the next synth
// repairs it, saying so. Never a silent mix.
import { ChildProcess, spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { INCOMPLETE_MARKER } from "../../modules/app/synth/output-journal";
import { ROOT } from "../support/configs";

jest.setTimeout(180_000);

const SYNTH = join(ROOT, "scripts", "synth.js");
const STACKS = 60;

/** `STACKS` accounts whose every stack carries `version` (a tag), so old and new differ in each file. */
function configFile(dir: string, version: string): string {
  const file = join(dir, `config-${version}.json`);
  const accounts = Array.from({ length: STACKS }, (_, i) => ({
    name: `account-${i + 1}`,
    region: "us-east-1",
    accountId: String(300000000000 + i),
    tags: { version },
    adminUsers: [{ name: "alice" }, { name: "bob", accessKeys: [] }],
  }));
  writeFileSync(file, JSON.stringify({ accounts }));
  return file;
}

function env(config: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", SETUP_CONFIG: config, SYNTH_THREADS: "1" };
  delete e.CDKTF_OUTDIR;
  return e;
}

function synth(cwd: string, config: string, shellPrefix = "") {
  const run = shellPrefix
    ? spawnSync("bash", ["-c", `${shellPrefix}; exec "$0" "$1"`, process.execPath, SYNTH], { cwd, env: env(config), encoding: "utf8" })
    : spawnSync(process.execPath, [SYNTH], { cwd, env: env(config), encoding: "utf8", timeout: 120_000 });
  return { status: run.status, signal: run.signal, stderr: run.stderr };
}

/** The version each stack's cdk.tf.json carries, and the manifest's stacks. */
function versions(cwd: string): { stacks: string[]; manifest: string[] | "invalid" | "missing" } {
  const dir = join(cwd, "cdktf.out", "stacks");
  const stacks = readdirSync(dir).map((name) => {
    const file = join(dir, name, "cdk.tf.json");
    if (!existsSync(file)) return "no cdk.tf.json";
    return JSON.parse(readFileSync(file, "utf8")).provider.aws[0].default_tags[0].tags.version as string;
  });
  const manifestFile = join(cwd, "cdktf.out", "manifest.json");
  if (!existsSync(manifestFile)) return { stacks, manifest: "missing" };
  try {
    return { stacks, manifest: Object.keys(JSON.parse(readFileSync(manifestFile, "utf8")).stacks) };
  } catch {
    return { stacks, manifest: "invalid" };
  }
}

/** npm run review --base-dir on the output folder, in this process's terms: its exit code and stderr. */
function review(cwd: string, config: string) {
  const base = join(cwd, "cdktf.out");
  const run = spawnSync(
    process.execPath,
    ["-r", "tsx/cjs", join(ROOT, "scripts", "review.ts"), "--base-dir", base, "--outdir", join(cwd, "head")],
    {
      cwd: ROOT,
      env: env(config),
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { status: run.status, stderr: run.stderr };
}

const unique = (values: string[]) => [...new Set(values)];

describe("faults while the synth writes cdktf.out", () => {
  const work = mkdtempSync(join(tmpdir(), "output-faults-"));
  const oldConfig = configFile(work, "old");
  const newConfig = configFile(work, "new");
  /** A project folder whose cdktf.out holds the old output, whole. */
  const withOldOutput = (name: string) => {
    const cwd = join(work, name);
    mkdirSync(cwd);
    expect(synth(cwd, oldConfig).status).toBe(0);
    expect(unique(versions(cwd).stacks)).toEqual(["old"]);
    return cwd;
  };

  test("a SIGKILL once the move has begun: the folder is marked, the review refuses it, the next synth repairs it and says so", async () => {
    const cwd = withOldOutput("kill");
    const marker = join(cwd, "cdktf.out", INCOMPLETE_MARKER);
    const child: ChildProcess = spawn(process.execPath, [SYNTH], { cwd, env: env(newConfig), stdio: "ignore" });
    const exited = new Promise<void>((done) => child.on("exit", () => done()));
    // Poll for the marker (written just before the first stack is moved) and kill at once.
    await new Promise<void>((done) => {
      const poll = () => {
        if (existsSync(marker) || child.exitCode !== null) {
          child.kill("SIGKILL");
          done();
        } else setImmediate(poll);
      };
      poll();
    });
    await exited;
    const after = versions(cwd);
    if (existsSync(marker)) {
      const refused = review(cwd, newConfig);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/cdktf\.out is incomplete: a synth \(pid \d+, [^)]+\) stopped while moving its 60 stacks/);
      expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } else {
      // The kill came after the move: the new output, whole.
      expect({ stacks: unique(after.stacks), manifest: after.manifest.length }).toEqual({ stacks: ["new"], manifest: STACKS });
    }
    const next = synth(cwd, newConfig);
    expect(next.status).toBe(0);
    if (existsSync(join(cwd, "cdktf.out.lock"))) throw new Error("the lock of the killed run was not removed");
    expect(existsSync(marker)).toBe(false);
    expect(unique(versions(cwd).stacks)).toEqual(["new"]);
    expect(versions(cwd).manifest).toHaveLength(STACKS);
  });

  test("a SIGKILL while the stacks are built: the old output, whole, unmarked", async () => {
    const cwd = withOldOutput("kill-early");
    const child = spawn(process.execPath, [SYNTH], { cwd, env: env(newConfig), stdio: "ignore" });
    const exited = new Promise<void>((done) => child.on("exit", () => done()));
    // The staging folder appears when the build begins; the move comes seconds later.
    await new Promise<void>((done) => {
      const poll = () => {
        if (readdirSync(cwd).some((e) => e.startsWith("cdktf.out.staging-")) || child.exitCode !== null) {
          setTimeout(() => {
            child.kill("SIGKILL");
            done();
          }, 200);
        } else setImmediate(poll);
      };
      poll();
    });
    await exited;
    expect(existsSync(join(cwd, "cdktf.out", INCOMPLETE_MARKER))).toBe(false);
    expect(versions(cwd)).toEqual({ stacks: Array(STACKS).fill("old"), manifest: expect.any(Array) });
    expect(versions(cwd).manifest).toHaveLength(STACKS);
  });

  test("a bundle build cut short (a file size limit) fails, and leaves the bundle whole for the next synth", () => {
    const bundle = join(ROOT, "cdktf.out", "app", "main.js");
    const cwd = mkdtempSync(join(work, "bundle-"));
    expect(synth(cwd, oldConfig).status).toBe(0);
    const before = readFileSync(bundle, "utf8");
    const cut = synth(cwd, oldConfig, "ulimit -f 1; export SYNTH_REBUILD=1");
    expect(cut.status).not.toBe(0);
    expect(readFileSync(bundle, "utf8")).toBe(before);
    expect(readdirSync(dirname(bundle)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(synth(cwd, newConfig).status).toBe(0);
  });

  test("a file size limit that fails the manifest: exit 1 saying how far it got, the old manifest intact, marked; repaired next", () => {
    const cwd = withOldOutput("fsize");
    const oldManifest = readFileSync(join(cwd, "cdktf.out", "manifest.json"), "utf8");
    // A limit between the largest stack file and the manifest: every stack moves, the manifest cannot be written.
    const stacksDir = join(cwd, "cdktf.out", "stacks");
    const largest = Math.max(
      ...readdirSync(stacksDir).flatMap((n) => readdirSync(join(stacksDir, n)).map((f) => statSync(join(stacksDir, n, f)).size)),
    );
    expect(largest * 4).toBeLessThan(oldManifest.length);
    const limited = synth(cwd, newConfig, `ulimit -f ${Math.ceil((largest * 2) / 1024)}`);
    expect(limited.status).toBe(1);
    expect(limited.stderr).toMatch(/cdktf\.out is incomplete: 60 of 60 stacks were moved into it when writing failed \(EFBIG/);
    expect(readFileSync(join(cwd, "cdktf.out", "manifest.json"), "utf8")).toBe(oldManifest);
    expect(readdirSync(join(cwd, "cdktf.out")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(join(cwd, "cdktf.out", INCOMPLETE_MARKER))).toBe(true);
    const refused = review(cwd, newConfig);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("is incomplete");
    const next = synth(cwd, newConfig);
    expect(next.status).toBe(0);
    expect(next.stderr).toMatch(
      /^Repaired: .*cdktf\.out was incomplete: a synth \(pid \d+, [^)]+\) stopped while moving its 60 stacks into it: this synth wrote every stack again$/m,
    );
    expect(unique(versions(cwd).stacks)).toEqual(["new"]);
    expect(versions(cwd).manifest).toHaveLength(STACKS);
  });

  test("a read-only stack folder (a bind mount): exit 1 saying how far the move got (EXDEV: a rename into another mount), marked, refused; repaired once writable", () => {
    const cwd = withOldOutput("read-only");
    const folder = join(cwd, "cdktf.out", "stacks", `account-${STACKS / 2}`);
    const mount = (args: string[]) => {
      const run = spawnSync("mount", args, { encoding: "utf8" });
      if (run.status !== 0) throw new Error(`mount ${args.join(" ")} failed (this test needs root, as CI has): ${run.stderr}`);
    };
    mount(["--bind", folder, folder]);
    try {
      mount(["-o", "remount,ro,bind", folder]);
      const failed = synth(cwd, newConfig);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/cdktf\.out is incomplete: \d+ of 60 stacks were moved into it when writing failed \((EROFS|EXDEV)/);
      expect(existsSync(join(cwd, "cdktf.out", INCOMPLETE_MARKER))).toBe(true);
      expect(review(cwd, newConfig).status).toBe(1);
    } finally {
      spawnSync("umount", [folder]);
    }
    const next = synth(cwd, newConfig);
    expect(next.status).toBe(0);
    expect(next.stderr).toMatch(/^Repaired: /m);
    expect(unique(versions(cwd).stacks)).toEqual(["new"]);
  });

  test("two synths at once into the same folder: one writes, the other stops naming it; the output is one synth's, whole", async () => {
    const cwd = withOldOutput("two");
    const start = (config: string) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [SYNTH], { cwd, env: env(config) });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        child.on("exit", (code) => done({ code, stderr }));
      });
    const [a, b] = await Promise.all([start(newConfig), start(oldConfig)]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toMatch(/cdktf\.out is being written by another run \(pid \d+, since /);
    const after = versions(cwd);
    expect(unique(after.stacks)).toEqual([a.code === 0 ? "new" : "old"]);
    expect(after.manifest).toHaveLength(STACKS);
    expect(readdirSync(cwd).filter((e) => e.startsWith("cdktf.out."))).toEqual([]);
  });
});
