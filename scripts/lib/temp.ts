// Temporary folders of the commands (the review's copy of a git ref, the offline plans' folders),
// named with the pid of the run that made them: a run that was killed (SIGKILL, or a signal during a
// synchronous step, when no handler can run) leaves its folder, and the next run of the same
// command removes every folder whose run is gone.
import { mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { processAlive } from "../../modules/app/synth/output-lock";

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

/** The folders of {@link ownedTempDir} of this process (removed by {@link removeOwnedTempDirs}). */
const owned = new Set<string>();

/** A new folder `<tmpdir>/<prefix><pid>-XXXXXX`, after removing those of runs that are gone. */
export function ownedTempDir(prefix: string, dir = tmpdir()): string {
  sweepStaleTempDirs(prefix, dir);
  const made = mkdtempSync(join(dir, `${prefix}${process.pid}-`));
  owned.add(made);
  return made;
}

/** Removes every folder of {@link ownedTempDir} this process made (on a signal; the owner removes its own otherwise). */
export function removeOwnedTempDirs(): void {
  for (const dir of owned) rmSync(dir, { recursive: true, force: true });
  owned.clear();
}

/**
 * For a command's entry: on SIGINT or SIGTERM, runs `cleanup` (stop child processes, release locks...;
 * it returns what it did), removes this process's temporary folders, says so and exits 130 or 143.
 * A synchronous step (a git archive, a synth) finishes first: the handler runs once it returns.
 * Returns what unregisters the handler.
 */
export function cleanUpOnSignals(command: string, cleanup: () => string = () => "stopped, temporary folders removed"): () => void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const handler = (signal: NodeJS.Signals) => {
    const done = cleanup();
    removeOwnedTempDirs();
    process.stderr.write(`${command}: ${signal}: ${done}\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  for (const signal of signals) process.once(signal, handler);
  return () => signals.forEach((signal) => process.off(signal, handler));
}
