// The commands' temporary folders (scripts/lib/temp.ts): named with their run's pid, and removed by
// the next run once that run is gone.
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "fs";
import { spawnSync } from "child_process";
import { tmpdir } from "os";
import { join } from "path";
import { ownedTempDir, sweepStaleTempDirs } from "../../scripts/lib/temp";

describe("temporary folders of the commands", () => {
  const dir = mkdtempSync(join(tmpdir(), "temp-dirs-"));
  const gone = spawnSync("true").pid!; // a pid whose process has exited

  test("a folder of a run that is gone is removed; one of a live run, and other names, stay", () => {
    for (const name of [`review-base-${gone}-abc`, `review-base-${process.pid}-def`, "review-base-x", `plan-offline-${gone}-ghi`]) {
      mkdirSync(join(dir, name));
    }
    expect(sweepStaleTempDirs("review-base-", dir)).toEqual([`review-base-${gone}-abc`]);
    expect(readdirSync(dir).sort()).toEqual([`plan-offline-${gone}-ghi`, `review-base-${process.pid}-def`, "review-base-x"]);
  });

  test("a new folder carries this run's pid, and sweeps first", () => {
    const made = ownedTempDir("plan-offline-", dir);
    expect(made.startsWith(join(dir, `plan-offline-${process.pid}-`))).toBe(true);
    expect(existsSync(made)).toBe(true);
    expect(existsSync(join(dir, `plan-offline-${gone}-ghi`))).toBe(false);
  });
});
