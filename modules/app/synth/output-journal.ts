// What makes a synthesis's last step safe to interrupt. The stacks are moved from the staging
// folder into the output folder file by file (a stack folder also holds what users keep there:
// .terraform/, lock files, plans, so the folder cannot be swapped whole). Before the first move a
// marker is written (atomically) into the output folder, and removed after the manifest, so that:
// - a kill or an error in between leaves the marker: readers (the review, the plans, the stacks
//   list) refuse the folder instead of reading a mix of two synths, and the next synth, which
//   writes every stack again, says that it repaired it;
// - each file is replaced by a rename (atomic): a stack folder always holds a whole cdk.tf.json.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "fs";
import { basename, join } from "path";

/** The marker of a synthesis that has begun moving its stacks into the output folder. */
/** The file a stack is synthesized to: JSON by default, HCL with `cdktf synth --hcl`. */
export const STACK_FILES = { json: "cdk.tf.json", hcl: "cdk.tf" } as const;

export const INCOMPLETE_MARKER = ".synth-incomplete.json";

/** What the marker holds. */
export interface IncompleteOutput {
  readonly pid: number;
  readonly started: string;
  /** How many stacks the interrupted synthesis was moving. */
  readonly stacks: number;
}

/**
 * Writes `file` so that a reader sees the old content or the new, never a part: a temporary file
 * beside it, then a rename over it (atomic on one file system). The temporary file is removed when
 * the write fails (a full disk, a file size limit).
 */
export function writeFileAtomic(file: string, data: string): void {
  const temp = join(file, "..", `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The marker of an interrupted move in `outdir`, if there is one (a torn one counts, with zeros). */
export function incompleteOutput(outdir: string): IncompleteOutput | undefined {
  const file = join(outdir, INCOMPLETE_MARKER);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8"));
    return { pid: Number(parsed.pid) || 0, started: String(parsed.started ?? "?"), stacks: Number(parsed.stacks) || 0 };
  } catch {
    return { pid: 0, started: "?", stacks: 0 };
  }
}

/** Marks `outdir` as being written (before the first stack is moved into it). */
function beginMove(outdir: string, stacks: number): void {
  const marker: IncompleteOutput = { pid: process.pid, started: new Date().toISOString(), stacks };
  writeFileAtomic(join(outdir, INCOMPLETE_MARKER), JSON.stringify(marker) + "\n");
}

/** Removes the mark (after the manifest is written): the output is whole. */
function endMove(outdir: string): void {
  rmSync(join(outdir, INCOMPLETE_MARKER), { force: true });
}

/** An output folder left between two synths. */
export class IncompleteOutputError extends Error {
  /** The error's name, as Node.js prints it. */
  override name = "IncompleteOutputError";
}

/** What the synth that found the mark says once it has written every stack again. */
export function repairedMessage(outdir: string, marker: IncompleteOutput): string {
  return (
    `${outdir} was incomplete: a synth (pid ${marker.pid || "?"}, ${marker.started}) stopped while moving its ` +
    `${marker.stacks || "?"} stacks into it: this synth wrote every stack again`
  );
}

/** The sentence that says why a marked output folder cannot be read, and what to do. */
export function incompleteMessage(outdir: string, marker: IncompleteOutput): string {
  return (
    `${outdir} is incomplete: a synth (pid ${marker.pid || "?"}, ${marker.started}) stopped while moving its ` +
    `${marker.stacks || "?"} stacks into it, so its stacks may be of two synths (${INCOMPLETE_MARKER} is there). ` +
    "Run npm run synth: it writes every stack again"
  );
}

/**
 * Moves the synthesized stacks (`from`: each stack's folder in the staging area) into
 * `<outdir>/stacks/<name>/`, then writes the other files (`files`: name -> content, manifest.json
 * last) atomically, between {@link beginMove} and {@link endMove}. In each stack folder the new
 * files replace the old ones by rename, then the owned files the new synth did not write (the
 * other form, cdk.tf beside cdk.tf.json, a stale .checkov.yaml) are removed; other files stay.
 * On an error the marker stays and the error says how far the move got.
 */
export function publishStacks(
  outdir: string,
  from: ReadonlyMap<string, string>,
  owned: readonly string[],
  files: ReadonlyArray<readonly [string, string]>,
): void {
  const stacksDir = join(outdir, "stacks");
  mkdirSync(stacksDir, { recursive: true });
  // Temporary files of a write that a killed run left (see writeFileAtomic).
  for (const entry of readdirSync(outdir)) if (/^\..+\.\d+\.tmp$/.test(entry)) rmSync(join(outdir, entry), { force: true });
  beginMove(outdir, from.size);
  let moved = 0;
  try {
    for (const [name, source] of from) {
      const target = join(stacksDir, name);
      mkdirSync(target, { recursive: true });
      const written = readdirSync(source);
      for (const file of written) renameSync(join(source, file), join(target, file));
      for (const file of owned) if (!written.includes(file)) rmSync(join(target, file), { force: true });
      moved++;
    }
    for (const [name, content] of files) writeFileAtomic(join(outdir, name), content);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new IncompleteOutputError(
      `${outdir} is incomplete: ${moved} of ${from.size} stacks were moved into it when writing failed (${message}). ` +
        `It is marked (${INCOMPLETE_MARKER}), so the review and the plans refuse it; run npm run synth again once the ` +
        "cause is fixed: it writes every stack again",
    );
  }
  endMove(outdir);
}
