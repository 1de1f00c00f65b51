// What the review's tests share (__tests__/scripts/review.test.ts and integration/review-e2e.test.ts): real
// synthesized stacks in temp folders, the review rendered as the command renders it, and readers of
// its Markdown.
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig, synthesize } from "../../modules";
import { PlanJson, SynthOutput, diffOutputs, loadOutdir, renderMarkdown, summarizeStack } from "../../scripts/review-lib";
import { Io, run } from "../../scripts/review";
import { ROOT, shippedConfig } from "./configs";
import { synthWarnings } from "../../modules/app/warnings";

export const STACK = "incident-manager";
export const KEY = "aws_iam_access_key.AdminUser-incident-admin_AccessKey-1_34369652";
export const ROLE = "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3";
/** The lookup of serviceLinkedRole "auto" (the sample's): its ARNs are the for_each of the role's import. */
export const ROLES_LOOKUP = "data.aws_iam_roles.IncidentManagerServiceLinkedRole_Existing_C55F772A";
export const SOURCE_SYNTH = "source: synthesized cdk.tf.json (no plan available; run npm run plan:offline)";
export const SOURCE_PLAN = "source: terraform plan (offline)";

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Synthesizes a configuration as the app does, into a temp folder: the stacks' JSON and the warnings. */
export function synth(input: SetupConfigInput): SynthOutput & { outdir: string } {
  const outdir = tempDir("review-synth-");
  // skipValidation: adopt mode's import block makes CDKTF look for terraform on PATH.
  const app = createApp(parseConfig(input), { outdir, skipValidation: true });
  app.synth();
  return { outdir, stacks: loadOutdir(outdir).stacks, warnings: synthWarnings(app) };
}

/** The review as the command runs it, in this process (the Markdown on stdout, progress on stderr). */
export function runInProcess(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env, root: ROOT, cwd: ROOT, out: (t) => out.push(t), err: (l) => err.push(l) };
  return { status: run(argv, io), stdout: out.join(""), stderr: err.join("\n") };
}

/** A configuration written to a file of its own. */
export function configFile(input: SetupConfigInput): string {
  const file = join(tempDir("review-config-"), "setup.config.json");
  writeFileSync(file, JSON.stringify(input, null, 2));
  return file;
}

/** Synthesizes as `npm run synth` does (synthesize(): acknowledged warnings carry their reasons). */
export function synthFile(input: SetupConfigInput, outdir = tempDir("review-synthesize-")): SynthOutput & { outdir: string } {
  const result = synthesize({ configFile: configFile(input), outdir });
  const all = loadOutdir(outdir).stacks;
  return { outdir, stacks: Object.fromEntries(result.stacks.map((n) => [n, all[n]])), warnings: result.warnings };
}

export function review(head: SynthOutput, options: { base?: SynthOutput; plans?: Record<string, PlanJson> } = {}): string {
  const summaries = Object.keys(head.stacks).map((name) => summarizeStack(head.stacks[name], head.warnings, options.plans?.[name], name));
  return renderMarkdown({ summaries, diff: options.base ? diffOutputs(options.base, head) : undefined, baseLabel: "the base" });
}

/** Every `type.name` (and `data.type.name`) of a stack. */
export function addresses(stack: Record<string, any>, kind: "resource" | "data"): string[] {
  return Object.entries(stack[kind] ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `${kind === "data" ? "data." : ""}${type}.${name}`),
  );
}

/** The table row of an address. */
export function row(markdown: string, address: string): string {
  const rows = markdown.split("\n").filter((line) => line.startsWith(`| \`${address}\` |`));
  expect(rows).toHaveLength(1);
  return rows[0];
}

export function edit(mutate: (config: any) => void, input: SetupConfigInput = shippedConfig()): SetupConfigInput {
  const copy = JSON.parse(JSON.stringify(input));
  mutate(copy);
  return copy;
}

/** A `terraform show -json` document with only what the review reads. */
export function fakePlan(changes: [string, string[], object?][]): PlanJson {
  return {
    resource_changes: changes.map(([address, actions, importing]) => ({
      address,
      mode: address.startsWith("data.") ? "data" : "managed",
      change: { actions, ...(importing ? { importing } : {}) },
    })),
  };
}
