// One synthesis at a time per output folder, and nothing left behind (issue 18): a second run stops
// naming the first; a lock and staging folders left by a killed run are recognised and removed; a
// SIGTERM in the middle of a synthesis leaves neither a staging folder nor a lock.
import { ChildProcess, spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { synthesize } from "../../modules";
import { ROOT, shippedConfig } from "../support/configs";
import { OutputBusyError, lockFileOf } from "../../modules/app/synth/output-lock";

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "output-lock-"));
  const configFile = join(dir, "setup.config.json");
  writeFileSync(configFile, JSON.stringify(shippedConfig()));
  return { dir, configFile, outdir: join(dir, "cdktf.out") };
}

describe("one synthesis at a time per output folder", () => {
  let sleeper: ChildProcess | undefined;
  afterEach(() => sleeper?.kill("SIGKILL"));

  test("fails if another live run holds the folder, naming its pid, and writes nothing", () => {
    const { configFile, outdir } = setup();
    sleeper = spawn("sleep", ["30"]);
    writeFileSync(lockFileOf(outdir), JSON.stringify({ pid: sleeper.pid, started: "2026-12-06T10:00:00.000Z" }));
    expect(() => synthesize({ configFile, outdir })).toThrow(
      new OutputBusyError(
        `cdktf.out is being written by another run (pid ${sleeper.pid}, since 2026-12-06T10:00:00.000Z): wait for it, or stop it; ` +
          "cdktf.out.lock is removed when it ends",
      ),
    );
    expect(existsSync(join(outdir, "stacks"))).toBe(false);
  });

  test("a lock and staging folders left by a killed run are removed, and the synthesis goes on", () => {
    const { dir, configFile, outdir } = setup();
    const gone = spawnSync("true").pid;
    writeFileSync(lockFileOf(outdir), JSON.stringify({ pid: gone, started: "2026-12-06T10:00:00.000Z" }));
    mkdirSync(join(dir, "cdktf.out.staging-AbC123", "stacks"), { recursive: true });
    const { stacks } = synthesize({ configFile, outdir });
    expect(stacks).toEqual(["incident-manager"]);
    expect(readdirSync(dir).sort()).toEqual(["cdktf.out", "setup.config.json"]);
  });
});

test("a run killed in the middle of a synthesis leaves the old output whole; the next run removes its staging folder and lock", async () => {
  const { dir, configFile, outdir } = setup();
  synthesize({ configFile, outdir });
  const many = { accounts: Array.from({ length: 300 }, (_, i) => ({ ...shippedConfig().accounts[0], name: `account-${i}` })) };
  writeFileSync(configFile, JSON.stringify(many));
  const child = spawn(
    process.execPath,
    ["-r", "tsx/cjs", "-e", `require("./modules").synthesize(${JSON.stringify({ configFile, outdir })})`],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
  // As soon as its staging folder exists, the run is writing.
  while (!readdirSync(dir).some((e) => e.startsWith("cdktf.out.staging-"))) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGTERM");
  expect(await exited).toBe("SIGTERM");
  expect(readdirSync(join(outdir, "stacks"))).toEqual(["incident-manager"]);
  expect(
    readdirSync(dir)
      .filter((e) => e !== "cdktf.out" && e !== "setup.config.json")
      .map((e) => e.replace(/-\w+$/, "-*")),
  ).toEqual(["cdktf.out.lock", "cdktf.out.staging-*"]);
  writeFileSync(configFile, JSON.stringify(shippedConfig()));
  synthesize({ configFile, outdir });
  expect(readdirSync(dir).sort()).toEqual(["cdktf.out", "setup.config.json"]);
}, 60_000);
