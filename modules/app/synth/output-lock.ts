// One synthesis at a time per output folder: a lock file beside it (`cdktf.out.lock`, created
// exclusively, holding the pid), so that two runs cannot interleave their stacks. A lock whose
// process is gone (a SIGKILL) is stale: it is replaced, and the staging folders that run left are
// removed. (Synthesis is synchronous: a signal handler would run only after it, so a SIGINT or
// SIGTERM kills it at once, as before, and the next run cleans up after it.)
import { linkSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { basename, dirname, join } from "path";

/** Another run holds the output folder. */
export class OutputBusyError extends Error {
  /** The error's name, as Node.js prints it. */
  override name = "OutputBusyError";
}

/** The lock file of an output folder. */
export function lockFileOf(outdir: string): string {
  return `${outdir}.lock`;
}

/** Whether a process of that pid runs (one of another user's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock of `outdir` (throws {@link OutputBusyError} naming the run that holds it), removes
 * what a killed run left (staging folders beside it), and returns the release function. Taken again
 * by the process that holds it, it is nested: the release of the inner one does nothing.
 */
export function lockOutput(outdir: string): () => void {
  const file = lockFileOf(outdir);
  // The lock appears whole or not at all: written aside, then hard-linked into place (link fails if
  // the lock exists). A lock created empty and filled after would be read, in between, by a run
  // starting at the same moment as torn, judged stale and removed: two runs would then both write.
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }) + "\n");
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
        let holder: { pid?: number; started?: string } = {};
        try {
          holder = JSON.parse(readFileSync(file, "utf8"));
        } catch {
          // a torn lock (it is never written in place): judged by its pid below (none: stale)
        }
        // Held by this process already (the review and the offline plan hold it around their synth): nested.
        if (holder.pid === process.pid) return () => undefined;
        if (typeof holder.pid === "number" && processAlive(holder.pid)) {
          throw new OutputBusyError(
            `${basename(outdir)} is being written by another run (pid ${holder.pid}, since ${holder.started ?? "?"}): ` +
              `wait for it, or stop it; ${basename(file)} is removed when it ends`,
          );
        }
        rmSync(file, { force: true }); // stale: its run was killed
      }
    }
  } finally {
    rmSync(aside, { force: true });
  }
  // Staging folders beside the output are ours alone now: any there was left by a killed run.
  // So are the locks written aside by runs killed before they linked theirs (`<lock>.<pid>.tmp`).
  const prefix = `${basename(outdir)}.staging-`;
  const asideOfRun = new RegExp(`^${basename(file).replace(/[.]/g, "\\.")}\\.(\\d+)\\.tmp$`);
  for (const entry of readdirSync(dirname(outdir))) {
    const pid = asideOfRun.exec(entry)?.[1];
    const leftover = entry.startsWith(prefix) || (pid !== undefined && !processAlive(Number(pid)));
    if (leftover) rmSync(join(dirname(outdir), entry), { recursive: true, force: true });
  }
  return () => rmSync(file, { force: true });
}
