// Composition of the app: one stack per account, synthesis, and what the user is told.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { App, AppConfig, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { CheckBlock } from "./check-block";
import { CHECKOV_CONFIG_FILE, checkovConfig, checkovSkipsOf, withCheckovSkipComments } from "./checkov";
import { SetupConfig, accessKeyId, assignedAccounts, configFileFromEnv, loadConfig } from "./config";
import { IdentityCenterStack } from "./identity-center-stack";
import { IncidentManagerSetupStack } from "./incident-manager-setup-stack";
import { REPLACEMENT_CONSEQUENCE, ignoredChanges, replacementCauses } from "./replacements";
import { ACKNOWLEDGED_METADATA, NOTE_METADATA, WarningId, warningIdOf, withId } from "./warnings";

/** Context that keeps stack traces (absolute paths) out of the synthesized metadata. */
export const DETERMINISTIC_CONTEXT = { "@cdktf/disable_stack_trace_in_metadata": true };

/** The names of the stacks a configuration makes, in order: the accounts, then Identity Center. */
export function stackNames(config: SetupConfig): string[] {
  return [...config.accounts.map((a) => a.name), ...(config.identityCenter ? [config.identityCenter.name] : [])];
}

/**
 * Builds the app: one {@link IncidentManagerSetupStack} per `accounts[]` entry, in order, then
 * the {@link IdentityCenterStack} when the configuration has `identityCenter`. With `only`, just
 * that stack (synthesize builds one stack at a time, so memory does not grow with the accounts).
 */
export function createApp(config: SetupConfig, options: AppConfig = {}, only?: string): App {
  const app = new App({ ...options, context: { ...DETERMINISTIC_CONTEXT, ...options.context } });
  for (const account of config.accounts) {
    if (only === undefined || only === account.name) {
      new IncidentManagerSetupStack(app, account.name, { account, backend: config.backend });
    }
  }
  if (config.identityCenter && (only === undefined || only === config.identityCenter.name)) {
    // The schema requires an accountId of every assigned account.
    const accounts = assignedAccounts(config).map((a) => ({ name: a.name, accountId: a.accountId ?? "" }));
    new IdentityCenterStack(app, config.identityCenter.name, { identityCenter: config.identityCenter, accounts, backend: config.backend });
  }
  labelWarnings(app, config);
  return app;
}

/**
 * Where a construct's settings come from in the configuration, as the user wrote them:
 * `adminGroup`, `adminUsers[1] (bob)`, `adminUsers[1].accessKeys[0] (bob, key 1)`; undefined for others.
 */
export function configLocation(config: SetupConfig, path: string): string | undefined {
  const [stack, first, second] = path.split("/");
  const ic = config.identityCenter;
  if (ic && stack === ic.name && first) {
    if (first === "PermissionSet") return "identityCenter.permissionSet";
    if (first === "Group") return "identityCenter.group";
    const u = ic.users.findIndex((user) => `User-${user.userName}` === first);
    if (u >= 0) return `identityCenter.users[${u}] (${ic.users[u].userName})`;
    if (first.startsWith("Assignment-")) return `identityCenter.assignTo (${first.slice("Assignment-".length)})`;
    return undefined;
  }
  const account = config.accounts.find((a) => a.name === stack);
  if (!account || !first) return undefined;
  if (first === "AdminGroup") return "adminGroup";
  if (!first.startsWith("AdminUser-")) return undefined;
  const u = account.adminUsers.findIndex((user) => `AdminUser-${user.name}` === first);
  if (u < 0) return undefined;
  const user = account.adminUsers[u];
  if (!second?.startsWith("AccessKey-")) return `adminUsers[${u}] (${user.name})`;
  const k = user.accessKeys.findIndex((key, i) => `AccessKey-${accessKeyId(key, i)}` === second);
  return k < 0
    ? `adminUsers[${u}] (${user.name})`
    : `adminUsers[${u}].accessKeys[${k}] (${user.name}, key ${accessKeyId(user.accessKeys[k], k)})`;
}

const RECORDED_TYPES = new Set(["@cdktf/warn", NOTE_METADATA, ACKNOWLEDGED_METADATA]);

/**
 * The constructs word their warnings in their own terms; for the user of the app, each gets the
 * place in the configuration it comes from (so cdktf's CLI, the manifest and the review read alike).
 * A warning the configuration acknowledges becomes metadata of our own: no longer a CDKTF warning
 * (neither printed nor in the manifest), still in {@link synthWarnings} for the review.
 */
function labelWarnings(app: App, config: SetupConfig): void {
  const acknowledged = new Set<string>(config.acknowledge);
  for (const construct of app.node.findAll()) {
    const where = configLocation(config, construct.node.path);
    for (const entry of construct.node.metadata) {
      if (!RECORDED_TYPES.has(entry.type)) continue;
      const mutable = entry as { type: string; data: unknown };
      if (where) mutable.data = `${where}: ${String(entry.data)}`;
      const id = warningIdOf(String(entry.data));
      if (entry.type === "@cdktf/warn" && id !== undefined && acknowledged.has(id)) mutable.type = ACKNOWLEDGED_METADATA;
    }
  }
}

/** The file a stack is synthesized to: JSON by default, HCL with `cdktf synth --hcl`. */
export const STACK_FILES = { json: "cdk.tf.json", hcl: "cdk.tf" } as const;

/** `--strict`: warnings the configuration does not acknowledge. */
export class StrictError extends Error {
  constructor(readonly warnings: readonly SynthWarning[]) {
    const ids = [...new Set(warnings.map((w) => w.id).filter((id) => id !== undefined))];
    super(
      `--strict: ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`} not acknowledged, nothing written\n` +
        warnings.map((w) => `  - [${w.path}] ${w.message}`).join("\n") +
        `\nAct on them, or acknowledge the decided ones in the configuration: "acknowledge": ${JSON.stringify(ids)}`,
    );
    this.name = "StrictError";
  }
}

/** Construct validations that failed: every message, one per line. */
export class SynthError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length === 1 ? "1 problem" : `${problems.length} problems`}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SynthError";
  }
}

/**
 * The messages of every failing construct validation. CDKTF's own check that terraform >= 1.5
 * is on PATH (it adds one to every import block) is said in the configuration's terms.
 */
export function validationErrors(app: App, config: SetupConfig): string[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.validate().map((message) => {
      const account = config.accounts.findIndex((a) => construct.node.path.startsWith(`${a.name}/`));
      if (/version of terraform|terraform version/i.test(message) && account >= 0) {
        return (
          `accounts[${account}].incidentManager.serviceLinkedRole: "adopt" writes a Terraform import block, and CDKTF checks at ` +
          `synth time that terraform >= 1.5 is on PATH: ${message.split("\n")[0]} ` +
          `(install Terraform 1.5 or later, or set TERRAFORM_BINARY_NAME to its path)`
        );
      }
      return `[${construct.node.path}] ${message}`;
    }),
  );
}

/**
 * A warning recorded on a construct. `kind`: "action" (printed; `--strict` fails on it),
 * "acknowledged" (the configuration's `acknowledge` lists its id), "note" (a deviation the guide
 * asks for: review and README only).
 */
export interface SynthWarning {
  /** Path of the construct (or stack) the warning is recorded on. */
  readonly path: string;
  /** The message, the configuration place first where there is one, the id in brackets last. */
  readonly message: string;
  /** The warning's id, as `acknowledge` lists it. */
  readonly id?: WarningId;
  /** What the user is to do with it (see above). */
  readonly kind: "action" | "acknowledged" | "note";
}

const KIND_OF_TYPE: Record<string, SynthWarning["kind"]> = {
  "@cdktf/warn": "action",
  [ACKNOWLEDGED_METADATA]: "acknowledged",
  [NOTE_METADATA]: "note",
};

/** The warnings, acknowledged warnings and notes recorded on the constructs under a scope, in tree order. */
export function synthWarnings(scope: IConstruct): SynthWarning[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => KIND_OF_TYPE[m.type] !== undefined)
      .map((m) => {
        const message = String(m.data);
        const id = warningIdOf(message);
        return { path: c.node.path, message, ...(id ? { id } : {}), kind: KIND_OF_TYPE[m.type] };
      }),
  );
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /**
   * Fail, having written nothing, when a construct records a warning the configuration does not
   * acknowledge (`npm run synth -- --strict`, or SYNTH_STRICT=1).
   * @default false
   */
  readonly strict?: boolean;
  /** The configuration file. */
  readonly configFile: string;
  /** Output folder; cdktf's CLI passes it as CDKTF_OUTDIR. @default "cdktf.out" */
  readonly outdir?: string;
}

/** What {@link synthesize} did. */
export interface SynthResult {
  /** The output folder. */
  readonly outdir: string;
  /** The stacks written, in configuration order. */
  readonly stacks: readonly string[];
  /** Every warning, acknowledged warning and note, the comparison with the previous synth included. */
  readonly warnings: SynthWarning[];
  /** The warnings of the comparison with the previous synth alone. */
  readonly replacements: SynthWarning[];
}

/**
 * Loads and validates the configuration, then builds and synthesizes one stack at a time (so
 * memory does not grow with the number of accounts) into a staging folder beside the output.
 * Only when every stack succeeded does it move the stacks' files into `<outdir>/stacks/<name>/`
 * (other files there, such as `.terraform/`, stay), remove folders of stacks no longer configured
 * and write `manifest.json`. Throws, having written nothing, on a bad configuration, a failed
 * construct validation, or (`strict`) an unacknowledged warning.
 */
export function synthesize(options: SynthesizeOptions): SynthResult {
  const config = loadConfig(options.configFile);
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  mkdirSync(dirname(outdir), { recursive: true });
  const staging = mkdtempSync(`${outdir}.staging-`);
  try {
    const names = stackNames(config);
    const errors: string[] = [];
    const warnings: SynthWarning[] = [];
    const manifest: { version?: string; hclOutput?: boolean; stacks: Record<string, unknown> } = { stacks: {} };
    // The HCL form writes no JSON: its stacks' JSON is kept for the comparison with the previous synth.
    const hclJson = new Map<string, string>();
    for (const name of names) {
      const app = createApp(config, { outdir: staging, skipValidation: true }, name);
      // Validations run here, before anything is written (cdktf would run them while writing).
      errors.push(...validationErrors(app, config));
      warnings.push(...synthWarnings(app));
      if (errors.length > 0 || (options.strict && warnings.some((w) => w.kind === "action"))) continue;
      app.synth();
      const stack = app.node.findChild(name) as TerraformStack;
      finishStackFolder(stack, join(staging, "stacks", name), app.hclOutput);
      if (app.hclOutput) hclJson.set(name, JSON.stringify(stack.toTerraform()));
      forgetTokens();
      const written = JSON.parse(readFileSync(join(staging, "manifest.json"), "utf8"));
      manifest.version = written.version;
      if (written.hclOutput !== undefined) manifest.hclOutput = written.hclOutput;
      Object.assign(manifest.stacks, written.stacks);
    }
    if (errors.length > 0) throw new SynthError(errors);
    const unacknowledged = warnings.filter((w) => w.kind === "action");
    if (options.strict && unacknowledged.length > 0) throw new StrictError(unacknowledged);

    const previous = previousStackJson(outdir, names);
    const stacksDir = join(outdir, "stacks");
    mkdirSync(stacksDir, { recursive: true });
    for (const name of names) {
      const target = join(stacksDir, name);
      mkdirSync(target, { recursive: true });
      // Exactly one form per stack folder: Terraform reads both cdk.tf and cdk.tf.json, and a
      // form left from an earlier synth (`npm run synth`, then `cdktf synth --hcl`) declares every
      // resource twice ("Duplicate resource" at terraform init). Likewise a stale .checkov.yaml.
      for (const file of [STACK_FILES.json, STACK_FILES.hcl, CHECKOV_CONFIG_FILE]) rmSync(join(target, file), { force: true });
      for (const file of readdirSync(join(staging, "stacks", name))) renameSync(join(staging, "stacks", name, file), join(target, file));
    }
    for (const entry of readdirSync(stacksDir)) {
      if (!names.includes(entry)) rmSync(join(stacksDir, entry), { recursive: true, force: true });
    }
    writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2));
    const replacements = replacementWarnings(outdir, names, previous, new Set(config.acknowledge), hclJson);
    return { outdir, stacks: names, warnings: [...warnings, ...replacements], replacements };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * cdktf keeps every token it ever made in one process-wide map (`global.__cdktfTokenMap`,
 * cdktf/lib/tokens/private/token-map.js), and the tokens hold their constructs: every stack's
 * tree would stay in memory until the end. Once a stack is written, none of its tokens is resolved
 * again, so its entries are dropped (the counter that keeps token strings unique goes on). The
 * output is the same bytes (__tests__/many-accounts.test.ts compares it with one App of every stack).
 */
function forgetTokens(): void {
  const map = (globalThis as { __cdktfTokenMap?: { stringTokenMap?: Map<unknown, unknown>; numberTokenMap?: Map<unknown, unknown> } })
    .__cdktfTokenMap;
  map?.stringTokenMap?.clear();
  map?.numberTokenMap?.clear();
}

/** The Checkov skips of a synthesized stack, where Checkov reads them: `.checkov.yaml` (JSON) or comments (HCL). */
function finishStackFolder(stack: TerraformStack, dir: string, hcl: boolean): void {
  const skips = checkovSkipsOf(stack);
  if (hcl) {
    const hclFile = join(dir, STACK_FILES.hcl);
    writeFileSync(hclFile, withCheckovSkipComments(readFileSync(hclFile, "utf8"), skips) + CheckBlock.hclOf(stack));
  } else {
    const config = checkovConfig(skips);
    if (config) writeFileSync(join(dir, CHECKOV_CONFIG_FILE), config);
  }
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** The text of each stack's JSON left by the previous synth in the output folder (read before it is replaced). */
function previousStackJson(outdir: string, names: readonly string[]): Map<string, string> {
  const previous = new Map<string, string>();
  for (const name of names) {
    try {
      previous.set(name, readFileSync(join(outdir, "stacks", name, STACK_FILES.json), "utf8"));
    } catch {
      // no previous JSON synth of this stack: nothing to compare with
    }
  }
  return previous;
}

/**
 * The resources the new synth makes Terraform replace (or changes it ignores), compared with the
 * previous synth in the same folder: synth knows no deployed state. Run after synth, from the JSON
 * just written (an unchanged stack costs one string comparison); the arguments that force
 * replacement are the provider's (see replacements.ts). Not in the manifest: they compare two
 * synths, not the stack.
 */
function replacementWarnings(
  outdir: string,
  names: readonly string[],
  previous: ReadonlyMap<string, string>,
  acknowledged: ReadonlySet<string>,
  hclJson: ReadonlyMap<string, string>,
): SynthWarning[] {
  const warnings: SynthWarning[] = [];
  for (const name of names) {
    const before = previous.get(name);
    if (before === undefined) continue;
    const after = hclJson.get(name) ?? readFileSync(join(outdir, "stacks", name, STACK_FILES.json), "utf8");
    if (after === before) continue;
    const old = JSON.parse(before) as StackJson;
    const current = JSON.parse(after) as StackJson;
    const stack = { node: { path: name } };
    const warn = (id: "replacement" | "ignored-change", message: string) =>
      warnings.push({ path: stack.node.path, message: withId(id, message), id, kind: acknowledged.has(id) ? "acknowledged" : "action" });
    for (const [type, byName] of Object.entries(current.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const was = old.resource?.[type]?.[name];
        if (!was) continue;
        const consequence = REPLACEMENT_CONSEQUENCE[type];
        const causes = replacementCauses(type, was, body);
        if (causes.length > 0) {
          warn(
            "replacement",
            `${type}.${name}: ${causes.join(", ")} changed since the last synth, which makes Terraform REPLACE it` +
              `${consequence ? `: ${consequence}` : ""}. Check the plan before you apply.`,
          );
        }
        const ignored = ignoredChanges(was, body);
        if (ignored.length > 0) {
          warn(
            "ignored-change",
            `${type}.${name}: ${ignored.join(", ")} changed since the last synth, but lifecycle.ignore_changes keeps an existing ` +
              `resource as it is, so this has no effect on it. To apply it, replace the resource once: ` +
              `terraform apply -replace=${type}.${name}${consequence ? ` (${consequence})` : ""}.`,
          );
        }
      }
    }
  }
  return warnings;
}

/** Whether `--strict` (or SYNTH_STRICT=1/true) asks synthesis to fail on an unacknowledged warning. */
export function strictRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes("--strict") || env.SYNTH_STRICT === "1" || env.SYNTH_STRICT === "true";
}

/**
 * What main.ts does, as a function: synthesizes the configuration named by SETUP_CONFIG
 * (default `defaultConfigFile`) into CDKTF_OUTDIR (default cdktf.out), reports the warnings that
 * need action and errors through `report`, and returns the process exit code: 0; 1 having written
 * no stack (bad input; with `--strict`, an unacknowledged warning); 2 for an unknown argument.
 */
export function main(
  env: NodeJS.ProcessEnv,
  defaultConfigFile: string,
  report: (line: string) => void,
  argv: readonly string[] = [],
): number {
  const unknown = argv.find((a) => a !== "--strict");
  if (unknown !== undefined) {
    report(`Error: unknown argument ${JSON.stringify(unknown)} (usage: npm run synth [-- --strict])`);
    return 2;
  }
  const configFile = configFileFromEnv(env, defaultConfigFile);
  const strict = strictRequested(argv, env);
  try {
    const { stacks, outdir, warnings, replacements } = synthesize({ configFile, outdir: env.CDKTF_OUTDIR || undefined, strict });
    // Under the cdktf CLI (which sets CDKTF_OUTDIR) the CLI prints the construct warnings itself
    // (from the manifest); the comparison with the previous synth is not in the manifest.
    const shown = (env.CDKTF_OUTDIR ? replacements : warnings).filter((w) => w.kind === "action");
    for (const w of shown) report(`Warning: [${w.path}] ${w.message}`);
    if (!env.CDKTF_OUTDIR) {
      report(`Synthesized ${stacks.length} stack(s) into ${relative(process.cwd(), outdir) || "."}/stacks`);
      const notes = warnings.filter((w) => w.kind === "note").length;
      const acknowledged = warnings.filter((w) => w.kind === "acknowledged").length;
      if (notes + acknowledged > 0) {
        report(
          `Not printed: ${notes} note(s) on deviations the guide asks for, ${acknowledged} acknowledged warning(s) ` +
            '(npm run review lists them; README "Warnings")',
        );
      }
    }
    if (strict && shown.length > 0) {
      report(
        `Error: --strict: ${shown.length} warning(s) above not acknowledged (the stacks were written: these compare with the last synth)`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    report(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
