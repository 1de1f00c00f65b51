// Composition of the app: one stack per account, synthesis, and what the user is told.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { App, AppConfig, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { CheckBlock } from "./check-block";
import { CHECKOV_CONFIG_FILE, checkovConfig, checkovSkipsOf, withCheckovSkipComments } from "./checkov";
import { SetupConfig, accessKeyId, assignedAccounts, configFileFromEnv, loadConfig } from "./config";
import { IdentityCenterStack } from "./identity-center-stack";
import { IncidentManagerSetupStack } from "./incident-manager-setup-stack";
import { REPLACEMENT_CONSEQUENCE, ignoredChanges, replacementCauses } from "./replacements";

/** Context that keeps stack traces (absolute paths) out of the synthesized metadata. */
export const DETERMINISTIC_CONTEXT = { "@cdktf/disable_stack_trace_in_metadata": true };

/**
 * Builds the app: one {@link IncidentManagerSetupStack} per `accounts[]` entry, in order, then
 * the {@link IdentityCenterStack} when the configuration has `identityCenter`.
 */
export function createApp(config: SetupConfig, options: AppConfig = {}): App {
  const app = new App({ ...options, context: { ...DETERMINISTIC_CONTEXT, ...options.context } });
  for (const account of config.accounts) {
    new IncidentManagerSetupStack(app, account.name, { account, backend: config.backend });
  }
  if (config.identityCenter) {
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

/**
 * The constructs word their warnings in their own terms; for the user of the app, each gets the
 * place in the configuration it comes from (so cdktf's CLI, the manifest and the review read alike).
 */
function labelWarnings(app: App, config: SetupConfig): void {
  for (const construct of app.node.findAll()) {
    const where = configLocation(config, construct.node.path);
    if (!where) continue;
    for (const entry of construct.node.metadata) {
      if (entry.type === "@cdktf/warn") (entry as { data: unknown }).data = `${where}: ${String(entry.data)}`;
    }
  }
}

/** The file a stack is synthesized to: JSON by default, HCL with `cdktf synth --hcl`. */
export const STACK_FILES = { json: "cdk.tf.json", hcl: "cdk.tf" } as const;

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

/** A warning recorded on a construct (CDKTF Annotations). */
export interface SynthWarning {
  readonly path: string;
  readonly message: string;
}

/** The warnings recorded on the constructs under a scope, in tree order. */
export function synthWarnings(scope: IConstruct): SynthWarning[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => ({ path: c.node.path, message: String(m.data) })));
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** The configuration file. */
  readonly configFile: string;
  /** Output folder; cdktf's CLI passes it as CDKTF_OUTDIR. @default "cdktf.out" */
  readonly outdir?: string;
}

/**
 * Loads and validates the configuration, builds every stack, and only then writes
 * `<outdir>/stacks/<name>/cdk.tf.json`; folders of stacks no longer configured are removed.
 * Throws (having written no stack) on a bad configuration.
 */
export function synthesize(options: SynthesizeOptions): { app: App; warnings: SynthWarning[]; replacements: SynthWarning[] } {
  const config = loadConfig(options.configFile);
  // Validations run here, for every stack, before anything is written (cdktf would run them
  // stack by stack while writing, and leave the stacks before a failing one behind).
  const app = createApp(config, { outdir: options.outdir, skipValidation: true });
  const errors = validationErrors(app, config);
  if (errors.length > 0) throw new SynthError(errors);
  const previous = previousStackJson(app);
  app.synth();
  for (const stack of app.node.children) {
    if (!(stack instanceof TerraformStack)) continue;
    const dir = join(app.outdir, "stacks", stack.node.id);
    const skips = checkovSkipsOf(stack);
    const checkovConfigFile = join(dir, CHECKOV_CONFIG_FILE);
    if (app.hclOutput) {
      const hclFile = join(dir, STACK_FILES.hcl);
      writeFileSync(hclFile, withCheckovSkipComments(readFileSync(hclFile, "utf8"), skips) + CheckBlock.hclOf(stack));
      rmSync(checkovConfigFile, { force: true }); // the skips are in the blocks, per resource
    } else {
      const config = checkovConfig(skips);
      if (config) writeFileSync(checkovConfigFile, config);
      else rmSync(checkovConfigFile, { force: true });
    }
    // Exactly one form per stack folder: Terraform reads both cdk.tf and cdk.tf.json, and a
    // form left from an earlier synth (`npm run synth`, then `cdktf synth --hcl`) declares every
    // resource twice ("Duplicate resource" at terraform init).
    rmSync(join(dir, app.hclOutput ? STACK_FILES.json : STACK_FILES.hcl), { force: true });
  }
  const stacksDir = join(app.outdir, "stacks");
  const current = new Set(app.node.children.map((stack) => stack.node.id));
  if (existsSync(stacksDir)) {
    for (const entry of readdirSync(stacksDir)) {
      if (!current.has(entry)) rmSync(join(stacksDir, entry), { recursive: true, force: true });
    }
  }
  const replacements = replacementWarnings(app, previous);
  return { app, warnings: [...synthWarnings(app), ...replacements], replacements };
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** The text of each stack's JSON left by the previous synth in the output folder (read before synth). */
function previousStackJson(app: App): Map<string, string> {
  const previous = new Map<string, string>();
  for (const stack of app.node.children) {
    try {
      previous.set(stack.node.id, readFileSync(join(app.outdir, "stacks", stack.node.id, STACK_FILES.json), "utf8"));
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
function replacementWarnings(app: App, previous: ReadonlyMap<string, string>): SynthWarning[] {
  const warnings: SynthWarning[] = [];
  for (const stack of app.node.children) {
    const before = previous.get(stack.node.id);
    if (before === undefined || !(stack instanceof TerraformStack)) continue;
    const file = join(app.outdir, "stacks", stack.node.id, STACK_FILES.json);
    const after = app.hclOutput ? undefined : readFileSync(file, "utf8");
    if (after === before) continue;
    const old = JSON.parse(before) as StackJson;
    const current = (after !== undefined ? JSON.parse(after) : stack.toTerraform()) as StackJson;
    const warn = (message: string) => warnings.push({ path: stack.node.path, message });
    for (const [type, byName] of Object.entries(current.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const was = old.resource?.[type]?.[name];
        if (!was) continue;
        const consequence = REPLACEMENT_CONSEQUENCE[type];
        const causes = replacementCauses(type, was, body);
        if (causes.length > 0) {
          warn(
            `${type}.${name}: ${causes.join(", ")} changed since the last synth, which makes Terraform REPLACE it` +
              `${consequence ? `: ${consequence}` : ""}. Check the plan before you apply.`,
          );
        }
        const ignored = ignoredChanges(was, body);
        if (ignored.length > 0) {
          warn(
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

/**
 * What main.ts does, as a function: synthesizes the configuration named by SETUP_CONFIG
 * (default `defaultConfigFile`) into CDKTF_OUTDIR (default cdktf.out), reports warnings and
 * errors through `report`, and returns the process exit code (0, or 1 having written no stack).
 */
export function main(env: NodeJS.ProcessEnv, defaultConfigFile: string, report: (line: string) => void): number {
  const configFile = configFileFromEnv(env, defaultConfigFile);
  try {
    const { app, warnings, replacements } = synthesize({ configFile, outdir: env.CDKTF_OUTDIR || undefined });
    // Under the cdktf CLI (which sets CDKTF_OUTDIR) the CLI prints the construct warnings itself
    // (from the manifest); the comparison with the previous synth is not in the manifest.
    for (const w of env.CDKTF_OUTDIR ? replacements : warnings) report(`Warning: [${w.path}] ${w.message}`);
    if (!env.CDKTF_OUTDIR) report(`Synthesized ${app.node.children.length} stack(s) into ${app.outdir}/stacks`);
    return 0;
  } catch (error) {
    report(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
