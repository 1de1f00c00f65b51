// One synthesis at a time per output folder: a lock file beside it (`cdktf.out.lock`, created
// exclusively, holding the pid), so that two runs cannot interleave their stacks. A lock whose
// process is gone (a SIGKILL) is stale: it is replaced, and the staging folders that run left are
// removed. (Synthesis is synchronous: a signal handler would run only after it, so a SIGINT or
// SIGTERM kills it at once, as before, and the next run cleans up after it.)
import { closeSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from "fs";
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
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }) + "\n");
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      let holder: { pid?: number; started?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        // a lock being written, or a torn one: judged by its pid below (none: stale)
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
  // Staging folders beside the output are ours alone now: any there was left by a killed run.
  const prefix = `${basename(outdir)}.staging-`;
  for (const entry of readdirSync(dirname(outdir))) {
    if (entry.startsWith(prefix)) rmSync(join(dirname(outdir), entry), { recursive: true, force: true });
  }
  return () => rmSync(file, { force: true });
}
