// Ctrl-C (SIGINT) or SIGTERM during `npm run plan:offline`: terraform and the provider it started
// (about 400 MB each) stop with the command, and its plan folder is removed.
import { spawn } from "child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../support/configs";
import { describeWithTerraform } from "../support/terraform-gate";

/** The command lines of the processes whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.slice(0, 200)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describeWithTerraform("npm run plan:offline, stopped by a signal", () => {
  let cleanup = () => undefined as void;
  afterEach(() => cleanup());
  test.each(["SIGINT", "SIGTERM"] as const)(
    "%s while the provider runs: no terraform or provider left, no plan folder, exit 130/143",
    async (signal) => {
      // The command as its entry runs it (with its signal handlers), on a project folder of its own.
      const project = mkdtempSync(join(tmpdir(), "plan-signals-"));
      cpSync(join(ROOT, "setup.config.json"), join(project, "setup.config.json"));
      const script =
        `require(${JSON.stringify(join(ROOT, "scripts", "plan-offline.ts"))})` +
        `.run([], { ...require(${JSON.stringify(join(ROOT, "scripts", "lib", "cli.ts"))}).processIo(), root: ${JSON.stringify(project)} }, true)` +
        ".then((code) => { process.exitCode = code; })";
      const child = spawn(process.execPath, ["-r", "tsx/cjs", "-e", script], {
        detached: true, // a group of its own: the test's cleanup can stop all of it
        cwd: ROOT,
        env: { ...process.env, CHECKPOINT_DISABLE: "1", SETUP_CONFIG: join(project, "setup.config.json") },
        stdio: ["ignore", "ignore", "pipe"],
      });
      cleanup = () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone already
        }
      };
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
      const folder = `plan-offline-${child.pid}-`;
      // Wait until a provider of this run's plan folder runs (its binary is under that folder).
      for (let i = 0; i < 600 && processesMentioning(`${folder}`).filter((p) => p.includes("terraform-provider-aws")).length === 0; i++) {
        await sleep(100);
      }
      expect(processesMentioning(folder).some((p) => p.includes("terraform-provider-aws"))).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(signal === "SIGINT" ? 130 : 143);
      await sleep(500);
      expect(processesMentioning(folder)).toEqual([]);
      expect(readdirSync(tmpdir()).filter((e) => e.startsWith(folder))).toEqual([]);
      expect(stderr).toMatch(
        new RegExp(`plan:offline: ${signal}: stopped \\d+ terraform run\\(s\\) and their providers, removed the plan folders`),
      );
      expect(existsSync(join(project, "cdktf.out.lock"))).toBe(false);
    },
  );
});
