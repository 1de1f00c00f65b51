// The only part that reads files: a cdktf.out folder and its offline plans. Part of npm run review;
// scripts/review-lib.ts re-exports the public API.
import { arr, isObject, obj, sorted } from "./helpers";
import { Json, PlanJson, ReviewWarning, SynthOutput } from "./types";
import { existsSync, readFileSync, readdirSync } from "fs";
import { join } from "path";
import { incompleteMessage, incompleteOutput } from "../../modules/app/synth/output-journal";
import { CommandError } from "../lib/cli";
import { whereJsonBreaks } from "../lib/terraform-output";

// ---------------------------------------------------------------------------------------------
// Files

/** A cdktf.out folder that cannot be read (the message is for the user). */
export class OutdirError extends CommandError {
  override name = "OutdirError";
}

/** A JSON file of a cdktf.out folder; a broken one is described by where it breaks, never quoted. */
function readJson(file: string): Json {
  const text = readFileSync(file, "utf8");
  try {
    return obj(JSON.parse(text));
  } catch {
    throw new OutdirError(`${file} is not valid JSON (${whereJsonBreaks(text)}): run npm run synth to write it again`);
  }
}

/** Reads a cdktf.out folder: `stacks/<name>/cdk.tf.json` and the warnings of manifest.json. */
export function loadOutdir(outdir: string): SynthOutput {
  const marker = incompleteOutput(outdir);
  if (marker) throw new OutdirError(incompleteMessage(outdir, marker));
  const stacksDir = join(outdir, "stacks");
  const stacks: Record<string, Json> = {};
  for (const name of existsSync(stacksDir) ? sorted(readdirSync(stacksDir)) : []) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (existsSync(file)) stacks[name] = readJson(file);
  }
  const manifestFile = join(outdir, "manifest.json");
  const manifest = existsSync(manifestFile) ? readJson(manifestFile) : {};
  const warnings: ReviewWarning[] = [];
  for (const entry of Object.values(obj(manifest.stacks))) {
    for (const a of arr(obj(entry).annotations).map(obj)) {
      if (a.level === "@cdktf/warn") warnings.push({ path: String(a.constructPath), message: String(a.message) });
    }
  }
  return { stacks, warnings };
}

/**
 * Whether a document is a `terraform show -json` plan the review can read: resource_changes is a
 * list, or absent in a plan of nothing to change (Terraform leaves it out when no managed resource
 * is in the configuration or the state: a stack of data sources only, a retired stack with an
 * empty state), which then says so with its format_version. Returns what is wrong, or undefined.
 */
export function planProblem(plan: unknown): string | undefined {
  if (!isObject(plan)) return "not a JSON object";
  if (plan.resource_changes === undefined) {
    return typeof plan.format_version === "string" ? undefined : "neither resource_changes nor format_version";
  }
  return Array.isArray(plan.resource_changes) ? undefined : "resource_changes is not a list";
}

/** The offline plan of a stack, `<outdir>/plans/<stack>.plan.json`, if there is one. Throws on bad JSON. */
export function loadPlan(outdir: string, stack: string): PlanJson | undefined {
  const file = join(outdir, "plans", `${stack}.plan.json`);
  if (!existsSync(file)) return undefined;
  const plan = JSON.parse(readFileSync(file, "utf8")) as unknown;
  const problem = planProblem(plan);
  if (problem !== undefined) throw new Error(`${file} is not a terraform show -json plan (${problem})`);
  return plan as PlanJson;
}
