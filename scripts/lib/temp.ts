// Temporary folders of the commands (the review's copy of a git ref, the offline plans' folders),
// named with the pid of the run that made them: a run that was killed (SIGKILL, or a signal during a
// synchronous step, when no handler can run) leaves its folder, and the next run of the same
// command removes every folder whose run is gone.
import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { processAlive } from "../../modules/output-lock";

/** The folders `<tmpdir>/<prefix><pid>-*` of runs that are gone: removed; returns their names. */
export function sweepStaleTempDirs(prefix: string, dir = tmpdir()): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir)) {
    const match = entry.startsWith(prefix) ? /^(\d+)-/.exec(entry.slice(prefix.length)) : null;
    if (!match || processAlive(Number(match[1]))) continue;
    rmSync(join(dir, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/** A new folder `<tmpdir>/<prefix><pid>-XXXXXX`, after removing those of runs that are gone. */
export function ownedTempDir(prefix: string, dir = tmpdir()): string {
  sweepStaleTempDirs(prefix, dir);
  return mkdtempSync(join(dir, `${prefix}${process.pid}-`));
}
