// The output lock in this process: it appears whole (linked into place from a file written aside), and
// what a killed run left beside it (its staging folders, a lock it wrote aside) goes at the next lock.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { lockFileOf, lockOutput, processAlive } from "../../modules/app/synth/output-lock";

/** A pid no process has here. */
function deadPid(): number {
  let pid = 4_000_000;
  while (processAlive(pid)) pid--;
  return pid;
}

describe("the output lock", () => {
  test("holds this run's pid from the moment it exists, and leaves nothing beside the output once released", () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const outdir = join(dir, "cdktf.out");
    const release = lockOutput(outdir);
    expect(JSON.parse(readFileSync(lockFileOf(outdir), "utf8")).pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual(["cdktf.out.lock"]);
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("removes a lock a killed run wrote aside and a killed run's staging folder; keeps a live run's aside file", () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const outdir = join(dir, "cdktf.out");
    const dead = `cdktf.out.lock.${deadPid()}.tmp`;
    const live = `cdktf.out.lock.${process.ppid}.tmp`;
    writeFileSync(join(dir, dead), "{}\n");
    writeFileSync(join(dir, live), "{}\n");
    mkdirSync(join(dir, "cdktf.out.staging-abc123"));
    const release = lockOutput(outdir);
    expect(readdirSync(dir).sort()).toEqual(["cdktf.out.lock", live].sort());
    release();
    expect(existsSync(join(dir, live))).toBe(true);
  });
});
