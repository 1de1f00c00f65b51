// Composition of the app: one stack per account, synthesis, and what the user is told.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { basename, dirname, join, relative, resolve } from "path";
import { App, AppConfig, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { CheckBlock } from "../core/check-block";
import { CHECKOV_CONFIG_FILE, checkovConfig, checkovSkipsOf, withCheckovSkipComments } from "../core/checkov";
import { SetupConfig, accessKeyId, assignedAccounts, configFileFromEnv, loadConfig } from "./config/schema";
import { IdentityCenterStack } from "./stacks/identity-center-stack";
import { IncidentManagerSetupStack } from "./stacks/setup-stack";
import { DELETION_CONSEQUENCE, REPLACEMENT_CONSEQUENCE, ignoredChanges, replacementCauses } from "./synth/replacements";
import { ACKNOWLEDGEABLE, ACKNOWLEDGED_METADATA, COMPARISON_IDS, NOTE_METADATA, WarningId, warningIdOf, withId } from "../core/warnings";
import { RetiredStack } from "./stacks/retired-stack";
import { RemovedBlocks } from "../core/removed-block";
import { lockOutput } from "./synth/output-lock";
import { incompleteOutput, publishStacks, repairedMessage } from "./synth/output-journal";
import { ItemResults, answerWorkerPart, canRunInWorker, runItems } from "./synth/parallel";
import { availableParallelism } from "os";

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
  config.accounts.forEach((account, a) => {
    if (only !== undefined && only !== account.name) return;
    if (!account.retire) {
      new IncidentManagerSetupStack(app, account.name, { account, backend: config.backend });
      return;
    }
    // What the live stack would be, built aside: the addresses to forget are its own.
    const live = new IncidentManagerSetupStack(new App({ context: DETERMINISTIC_CONTEXT, skipValidation: true }), account.name, {
      account,
      backend: config.backend,
    });
    new RetiredStack(app, account.name, {
      target: account,
      backend: config.backend,
      forget: live.keepOnRetire(),
      entry: `accounts[${a}] (${account.name})`,
    });
  });
  const ic = config.identityCenter;
  if (ic?.retire && (only === undefined || only === ic.name)) {
    // Nothing to forget: what the stack only reads (an existing group or permission set) is no resource.
    new RetiredStack(app, ic.name, { target: ic, backend: config.backend, forget: [], entry: `identityCenter (${ic.name})` });
  } else if (config.identityCenter && (only === undefined || only === config.identityCenter.name)) {
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
  for (const construct of app.node.findAll()) {
    const where = configLocation(config, construct.node.path);
    for (const entry of construct.node.metadata) {
      if (!RECORDED_TYPES.has(entry.type)) continue;
      const mutable = entry as { type: string; data: unknown };
      if (where) mutable.data = `${where}: ${String(entry.data)}`;
      const id = warningIdOf(String(entry.data));
      if (entry.type === "@cdktf/warn" && acknowledgementOf(config, construct.node.path, id) !== undefined) {
        mutable.type = ACKNOWLEDGED_METADATA;
      }
    }
  }
}

/** The user a construct path belongs to: `prod/AdminUser-alice/...` is alice, `identity-center/User-bob` bob. */
function userOfPath(config: SetupConfig, path: string): string | undefined {
  const [stack, first] = path.split("/");
  const prefix = config.identityCenter && stack === config.identityCenter.name ? "User-" : "AdminUser-";
  return first?.startsWith(prefix) ? first.slice(prefix.length) : undefined;
}

/**
 * The index in `acknowledge` of the first entry that acknowledges a warning of `id` recorded at
 * `path`: same id, and the entry's account (a stack name) and user, where given, are the
 * warning's. Undefined when none does.
 */
export function acknowledgementOf(config: SetupConfig, path: string, id: WarningId | undefined): number | undefined {
  if (id === undefined) return undefined;
  const stack = path.split("/")[0];
  const user = userOfPath(config, path)?.toLowerCase();
  const index = config.acknowledge.findIndex(
    (ack) =>
      ack.id === id && (ack.account === undefined || ack.account === stack) && (ack.user === undefined || ack.user.toLowerCase() === user),
  );
  return index < 0 ? undefined : index;
}

/**
 * Acknowledgements of a comparison with the previous synth (`deletion`, `replacement`,
 * `ignored-change`) that no such warning of this synth matched: one decides one change, and left
 * in place it would hide the next one. Only when there was a previous synth to compare with.
 */
function staleComparisonAcknowledgements(config: SetupConfig, compared: readonly SynthWarning[]): SynthWarning[] {
  return config.acknowledge.flatMap((ack, i) => {
    if (!COMPARISON_IDS.includes(ack.id)) return [];
    if (compared.some((w) => w.kind === "acknowledged" && acknowledgementOf(config, w.path, w.id) === i)) return [];
    return [staleWarning(ack, i, "matches no change since the last synth: it decided an earlier change")];
  });
}

/** The warning of an acknowledgement that matches nothing. */
function staleWarning(ack: SetupConfig["acknowledge"][number], i: number, why: string): SynthWarning {
  const scope = [ack.account && `account ${JSON.stringify(ack.account)}`, ack.user && `user ${JSON.stringify(ack.user)}`].filter(Boolean);
  return {
    path: `acknowledge[${i}]`,
    message: withId(
      "stale-acknowledgement",
      `acknowledge[${i}]: ${JSON.stringify(ack.id)}${scope.length > 0 ? ` for ${scope.join(", ")}` : ""} ${why}: remove the ` +
        "entry (or fix its id, account or user), so that it cannot hide a new warning",
    ),
    id: "stale-acknowledgement",
    kind: "action",
  };
}

/** Each warning with the reason of the acknowledgement that matched it; then one warning per acknowledgement that matched none. */
function withAcknowledgements(config: SetupConfig, warnings: readonly SynthWarning[]): SynthWarning[] {
  const used = new Set<number>();
  const out = warnings.map((w) => {
    const index = w.kind === "note" ? undefined : acknowledgementOf(config, w.path, w.id);
    if (index === undefined) return w;
    used.add(index);
    return { ...w, kind: "acknowledged" as const, reason: config.acknowledge[index].reason };
  });
  config.acknowledge.forEach((ack, i) => {
    // One that compares with the previous synth is checked after the comparison (staleComparisonAcknowledgements).
    if (used.has(i) || COMPARISON_IDS.includes(ack.id)) return;
    out.push(staleWarning(ack, i, "matches no warning of this configuration any more"));
  });
  return out;
}

/** The file a stack is synthesized to: JSON by default, HCL with `cdktf synth --hcl`. */
export const STACK_FILES = { json: "cdk.tf.json", hcl: "cdk.tf" } as const;

/** `--strict`: warnings the configuration does not acknowledge. */
export class StrictError extends Error {
  constructor(readonly warnings: readonly SynthWarning[]) {
    const ids = [...new Set(warnings.map((w) => w.id).filter((id) => id !== undefined && ACKNOWLEDGEABLE.includes(id)))];
    const example = ids.map((id) => ({ id, reason: "<why the team accepts it>" }));
    super(
      `--strict: ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`} not acknowledged, nothing written\n` +
        warnings.map((w) => `  - [${w.path}] ${w.message}`).join("\n") +
        (example.length > 0
          ? `\nAct on them, or acknowledge the decided ones in the configuration, each with its reason (and "account" or "user" ` +
            `to narrow it): "acknowledge": ${JSON.stringify(example)}`
          : "\nAct on them: these cannot be acknowledged"),
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
          `accounts[${account}]: adopting (incidentManager.serviceLinkedRole "adopt", adminGroup.adopt or adminUsers[].adopt) ` +
          `writes Terraform import blocks, and CDKTF checks at ` +
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
  /** Why the team accepts it (the matching `acknowledge` entry's reason; acknowledged ones only). */
  readonly reason?: string;
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
  /**
   * How many threads synthesize the stacks (SYNTH_THREADS for `npm run synth`); the output is the
   * same bytes with any number.
   * @default 1 below {@link PARALLEL_MIN_STACKS} stacks, else the cores, at most {@link MAX_SYNTH_THREADS}
   */
  readonly threads?: number;
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
  /** How many threads wrote stacks (see {@link SynthesizeOptions.threads}). */
  readonly threads: number;
  /** Set when the output folder was left incomplete by an interrupted synth, which this one repaired: what happened. */
  readonly repaired?: string;
}

/**
 * Loads and validates the configuration, then builds and synthesizes one stack at a time (so
 * memory does not grow with the number of accounts) into a staging folder beside the output.
 * Only when every stack succeeded does it move the stacks' files into `<outdir>/stacks/<name>/`
 * (other files there, such as `.terraform/`, stay) and write `manifest.json`, with the folder
 * marked as incomplete meanwhile (see output-journal.ts). Throws, having written nothing, on a bad
 * configuration, a failed construct validation, or (`strict`) an unacknowledged warning.
 */
export function synthesize(options: SynthesizeOptions): SynthResult {
  const config = loadConfig(options.configFile);
  const outdir = resolve(options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  if (existsSync(outdir) && !statSync(outdir).isDirectory()) {
    throw new Error(
      `${outdir} is a file, not a folder: it is where the synth writes (CDKTF_OUTDIR); move the file away or name another folder`,
    );
  }
  mkdirSync(dirname(outdir), { recursive: true });
  const release = lockOutput(outdir);
  const interrupted = incompleteOutput(outdir);
  const staging = mkdtempSync(`${outdir}.staging-`);
  try {
    const names = stackNames(config);
    const { results: outcomes, threads } = synthStacks(config, names, staging, options.strict === true, options.threads);
    const errors = outcomes.flatMap((o) => o.errors);
    const warnings = outcomes.flatMap((o) => o.warnings);
    const manifest: { version?: string; hclOutput?: boolean; stacks: Record<string, unknown> } = { stacks: {} };
    // The HCL form writes no JSON: its stacks' JSON is kept for the comparison with the previous synth.
    const hclJson = new Map<string, string>();
    const stackDirs = new Map<string, string>();
    for (const o of outcomes) {
      if (o.manifest === undefined) continue;
      manifest.version = o.manifest.version;
      if (o.manifest.hclOutput !== undefined) manifest.hclOutput = o.manifest.hclOutput;
      Object.assign(manifest.stacks, o.manifest.stacks);
      if (o.hclJson !== undefined) hclJson.set(o.name, o.hclJson);
      stackDirs.set(o.name, o.dir);
    }
    if (errors.length > 0) throw new SynthError(errors);
    const stacksDir = join(outdir, "stacks");
    const checked = [
      ...withAcknowledgements(config, warnings),
      ...removedStackWarnings(stacksDir, names),
      ...configFileWarnings(outdir, options.configFile),
    ];
    const unacknowledged = checked.filter((w) => w.kind === "action");
    if (options.strict && unacknowledged.length > 0) throw new StrictError(unacknowledged);

    const previous = previousStackJson(outdir, names);
    // Exactly one form per stack folder: Terraform reads both cdk.tf and cdk.tf.json, and a form
    // left from an earlier synth (`npm run synth`, then `cdktf synth --hcl`) declares every resource
    // twice ("Duplicate resource" at terraform init). Likewise a stale .checkov.yaml. Folders of
    // stacks no longer configured stay (see removedStackWarnings): they are not in the manifest.
    publishStacks(
      outdir,
      new Map(names.map((name) => [name, stackDirs.get(name)!])),
      [STACK_FILES.json, STACK_FILES.hcl, CHECKOV_CONFIG_FILE],
      [
        [SYNTH_SOURCE_FILE, JSON.stringify({ configFile: resolve(options.configFile) }, null, 2) + "\n"],
        ["manifest.json", JSON.stringify(manifest, null, 2)],
      ],
    );
    const compared = replacementWarnings(outdir, names, previous, config, hclJson);
    const replacements = [...compared, ...(previous.size > 0 ? staleComparisonAcknowledgements(config, compared) : [])];
    const repaired = interrupted && repairedMessage(outdir, interrupted);
    return { outdir, stacks: names, warnings: [...checked, ...replacements], replacements, threads, ...(repaired ? { repaired } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

/** What synthesizing one stack gave: its problems and warnings, and (when written) where and its manifest entry. */
interface StackOutcome {
  readonly name: string;
  readonly errors: string[];
  readonly warnings: SynthWarning[];
  /** The stack's folder in the staging area (when written). */
  readonly dir: string;
  /** The manifest cdktf wrote for it (when written). */
  readonly manifest?: { version?: string; hclOutput?: boolean; stacks: Record<string, unknown> };
  /** Its JSON, when the output is HCL (for the comparison with the previous synth). */
  readonly hclJson?: string;
}

/** What every thread of a synthesis gets: the stacks to write, and where (a folder per thread: cdktf writes a manifest.json per app). */
interface StackWork {
  readonly config: SetupConfig;
  readonly names: readonly string[];
  readonly staging: string;
  readonly strict: boolean;
}

/**
 * Below this many stacks one thread is faster (a worker loads cdktf and the provider's classes
 * again, about half a second); from here on the stacks are spread over worker threads.
 */
export const PARALLEL_MIN_STACKS = 200;
/** The most threads a synthesis uses (this one included). */
export const MAX_SYNTH_THREADS = 4;
const SYNTH_WORKER_TAG = "incident-manager-setup:synth-stacks";

/**
 * Synthesizes the stacks into `staging` on up to `threads` threads (default: one below
 * {@link PARALLEL_MIN_STACKS} stacks, else the cores, at most {@link MAX_SYNTH_THREADS}), each
 * taking the next stack when done with one. Stacks are independent and each thread has its own
 * cdktf token map, so the output is the same bytes however many threads write it (a test compares).
 */
function synthStacks(
  config: SetupConfig,
  names: readonly string[],
  staging: string,
  strict: boolean,
  threads?: number,
): ItemResults<StackOutcome> {
  const wanted = threads ?? (names.length < PARALLEL_MIN_STACKS ? 1 : Math.min(availableParallelism(), MAX_SYNTH_THREADS));
  const n = canRunInWorker(__filename) ? wanted : 1;
  return runItems(__filename, SYNTH_WORKER_TAG, { config, names, staging, strict }, names.length, n, synthStack);
}

/**
 * Runs `work` while V8 skips formatting the stack traces cdktf captures for every token it makes
 * (`captureStackTrace` in cdktf/lib/tokens/private/stack-trace.js: `Error.captureStackTrace` on a
 * plain object, every frame, only ever read in the message of a token that fails to resolve). The
 * formatting was a fifth of a synthesis's time (`node --cpu-prof`, 200 stacks: 0.9 of 4.6 s).
 * Errors (instances of Error) keep V8's own format; the synthesized bytes are the same.
 */
function withoutTokenStackTraces<R>(work: () => R): R {
  const before = Error.prepareStackTrace;
  Error.prepareStackTrace = (target: unknown, frames: NodeJS.CallSite[]) => {
    if (!(target instanceof Error)) return "";
    if (before) return before(target, frames);
    return [String(target), ...frames.map((frame) => `    at ${frame}`)].join("\n");
  };
  try {
    return work();
  } finally {
    Error.prepareStackTrace = before;
  }
}

/** One stack built, validated and (unless it has a problem) written into its thread's folder. */
function synthStack(work: StackWork, index: number, thread: number): StackOutcome {
  return withoutTokenStackTraces(() => {
    const name = work.names[index];
    const outdir = join(work.staging, `thread-${thread}`);
    const app = createApp(work.config, { outdir, skipValidation: true }, name);
    const dir = join(outdir, "stacks", name);
    // Validations run here, before anything is written (cdktf would run them while writing).
    const errors = validationErrors(app, work.config);
    const warnings = synthWarnings(app);
    if (errors.length > 0 || (work.strict && warnings.some((w) => w.kind === "action"))) return { name, errors, warnings, dir };
    app.synth();
    const stack = app.node.findChild(name) as TerraformStack;
    finishStackFolder(stack, dir, app.hclOutput);
    const hclJson = app.hclOutput ? JSON.stringify(stack.toTerraform()) : undefined;
    forgetTokens();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    return { name, errors, warnings, dir, manifest, ...(hclJson !== undefined ? { hclJson } : {}) };
  });
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
    const hclText = withRequiredVersion(readFileSync(hclFile, "utf8"), stack);
    writeFileSync(hclFile, withCheckovSkipComments(hclText, skips) + CheckBlock.hclOf(stack) + RemovedBlocks.hclOf(stack));
  } else {
    const config = checkovConfig(skips);
    if (config) writeFileSync(join(dir, CHECKOV_CONFIG_FILE), config);
  }
}

/** The file in the output folder that records which configuration file the last synth read. */
export const SYNTH_SOURCE_FILE = "synth-source.json";

/**
 * A stack folder of an earlier synth whose stack the configuration no longer has: what it made
 * stays in AWS, unmanaged, and nothing would plan it again. The folder is kept (not in the
 * manifest) and the warning repeats until the stack is retired or the folder deleted.
 */
function removedStackWarnings(stacksDir: string, names: readonly string[]): SynthWarning[] {
  let entries: string[];
  try {
    entries = readdirSync(stacksDir).sort();
  } catch {
    return [];
  }
  return entries
    .filter((entry) => !names.includes(entry) && Object.values(STACK_FILES).some((file) => existsSync(join(stacksDir, entry, file))))
    .map((entry) => ({
      path: entry,
      id: "stack-removed" as const,
      kind: "action" as const,
      message: withId(
        "stack-removed",
        `stack ${entry} was synthesized before and is no longer in the configuration: the users, keys and group (or the ` +
          "Identity Center users, permission set and assignments) it made, if it was ever applied, STAY in AWS, unmanaged, " +
          `and no plan covers them. To take it out, put the entry back with "retire": true, apply its plan, then delete ` +
          `the entry. npm run synth keeps its folder ${join("stacks", entry)} for that (the cdktf CLI deletes it); delete ` +
          "the folder once the stack is retired or destroyed, or at once if it was never applied.",
      ),
    }));
}

/** A synth into a folder that the last synth filled from another configuration file (a missing SETUP_CONFIG, say). */
function configFileWarnings(outdir: string, configFile: string): SynthWarning[] {
  let previous: string;
  try {
    previous = String((JSON.parse(readFileSync(join(outdir, SYNTH_SOURCE_FILE), "utf8")) as { configFile?: unknown }).configFile);
  } catch {
    return [];
  }
  if (previous === resolve(configFile)) return [];
  return [
    {
      path: basename(outdir),
      id: "config-file-changed",
      kind: "action",
      message: withId(
        "config-file-changed",
        `${basename(outdir)} was last synthesized from ${previous}; this synth reads ${resolve(configFile)} and replaces the ` +
          "stacks they share. If that is not what you meant, set SETUP_CONFIG to your configuration and synthesize again " +
          `before you plan. A deliberate switch: synthesize once without --strict, or delete ${basename(outdir)}.`,
      ),
    },
  ];
}

/**
 * CDKTF 0.21's HCL renderer writes the stack override `terraform.required_version` (the auto role
 * mode and removed blocks need Terraform 1.7) as a list entry, `0 = "required_version"`, inside the
 * terraform block, which Terraform refuses: the attribute is written here instead.
 */
function withRequiredVersion(hcl: string, stack: TerraformStack): string {
  const required = (stack.toTerraform() as { terraform?: { required_version?: string } }).terraform?.required_version;
  const cleaned = hcl.replace(/^[ \t]*\d+ = "required_version"\n/m, "");
  if (required === undefined) return cleaned;
  return cleaned.replace(/^terraform \{\n/m, `terraform {\n  required_version = ${JSON.stringify(required)}\n`);
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
  config: SetupConfig,
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
    // The construct path CDKTF records on each resource (`prod/AdminUser-bob/Resource`): an
    // acknowledgement scoped to a user matches the changes of that user's resources.
    const pathOf = (body: Record<string, unknown>) =>
      String((body["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? name);
    const warn = (id: "replacement" | "ignored-change" | "deletion", message: string, body: Record<string, unknown>) => {
      const path = pathOf(body);
      const ack = acknowledgementOf(config, path, id);
      const decided = ack === undefined ? {} : { reason: config.acknowledge[ack].reason };
      warnings.push({
        path,
        message: withId(id, message),
        id,
        kind: ack === undefined ? "action" : "acknowledged",
        ...decided,
      });
    };
    for (const [type, consequence] of Object.entries(DELETION_CONSEQUENCE)) {
      for (const [gone, body] of Object.entries(old.resource?.[type] ?? {}).filter(([n]) => !current.resource?.[type]?.[n])) {
        warn(
          "deletion",
          `${type}.${gone} is no longer in the stack, so Terraform DELETES it: ${consequence}. Check the plan before you apply.`,
          body,
        );
      }
    }
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
            body,
          );
        }
        const ignored = ignoredChanges(was, body);
        if (ignored.length > 0) {
          warn(
            "ignored-change",
            `${type}.${name}: ${ignored.join(", ")} changed since the last synth, but lifecycle.ignore_changes keeps an existing ` +
              `resource as it is, so this has no effect on it. To apply it, replace the resource once: ` +
              `terraform apply -replace=${type}.${name}${consequence ? ` (${consequence})` : ""}.`,
            body,
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

/** From this many warnings on, those of one id are printed as one line (thousands of accounts print thousands). */
export const MANY_WARNINGS = 50;

/**
 * The lines that print warnings: one per warning, or, once there are {@link MANY_WARNINGS}, one
 * per id with more than three: the first in full, then the count and the next places (`npm run
 * review` lists every one). Warnings without an id are printed each.
 */
export function warningLines(warnings: readonly SynthWarning[]): string[] {
  const full = (w: SynthWarning) => `Warning: [${w.path}] ${w.message}`;
  if (warnings.length < MANY_WARNINGS) return warnings.map(full);
  const byId = new Map<string, SynthWarning[]>();
  warnings.forEach((w, i) => {
    const key = w.id ?? `#${i}`;
    byId.set(key, [...(byId.get(key) ?? []), w]);
  });
  return [...byId].flatMap(([id, group]) => {
    if (group.length <= 3) return group.map(full);
    const next = group.slice(1, 4).map((w) => w.path);
    const rest = group.length - 1 - next.length;
    return [
      `${full(group[0])}\n  ... and ${group.length - 1} more [${id}] warnings, at ${next.join(", ")}` +
        `${rest > 0 ? ` and ${rest} other places` : ""} (npm run review lists every one)`,
    ];
  });
}

/** What `npm run synth -- --help` prints. */
export const SYNTH_USAGE = [
  "usage: npm run synth [-- --strict]",
  "  Synthesizes the configuration into cdktf.out/stacks/<stack>/cdk.tf.json, one stack per accounts[] entry",
  "  (and one for identityCenter), and prints the warnings that need action.",
  "  --strict        fail, writing nothing, on a warning the configuration does not acknowledge (also SYNTH_STRICT=1)",
  "  --help, -h      this text",
  "environment: SETUP_CONFIG (the configuration file; default setup.config.json), CDKTF_OUTDIR (default cdktf.out),",
  `  SYNTH_THREADS (threads that synthesize; default 1 below ${PARALLEL_MIN_STACKS} stacks, else the cores, at most ${MAX_SYNTH_THREADS})`,
  "exit codes: 0 done, 1 bad input or (--strict) an unacknowledged warning, nothing written; 2 usage",
].join("\n");

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
  if (argv.includes("--help") || argv.includes("-h")) {
    report(SYNTH_USAGE);
    return 0;
  }
  const unknown = argv.find((a) => a !== "--strict");
  if (unknown !== undefined) {
    report(`Error: unknown argument ${JSON.stringify(unknown)}\n${SYNTH_USAGE}`);
    return 2;
  }
  const threads = env.SYNTH_THREADS === undefined || env.SYNTH_THREADS === "" ? undefined : Number(env.SYNTH_THREADS);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    report(
      `Error: SYNTH_THREADS=${JSON.stringify(env.SYNTH_THREADS)} must be a whole number from 1 to 64 (threads that synthesize)\n${SYNTH_USAGE}`,
    );
    return 2;
  }
  const configFile = configFileFromEnv(env, defaultConfigFile);
  const strict = strictRequested(argv, env);
  try {
    const {
      stacks,
      outdir,
      warnings,
      replacements,
      threads: used,
      repaired,
    } = synthesize({ configFile, outdir: env.CDKTF_OUTDIR || undefined, strict, threads });
    // Under the cdktf CLI (which sets CDKTF_OUTDIR) the CLI prints the construct warnings itself
    // (from the manifest); the comparison with the previous synth is not in the manifest.
    // Warnings of no construct (a stack gone from the configuration, another configuration file, a
    // stale acknowledgement) are not in the manifest either.
    if (repaired) report(`Repaired: ${repaired}`);
    const unrecorded = warnings.filter((w) => !stacks.includes(w.path.split("/")[0]));
    const shown = (env.CDKTF_OUTDIR ? [...unrecorded, ...replacements] : warnings).filter((w) => w.kind === "action");
    for (const line of warningLines(shown)) report(line);
    if (!env.CDKTF_OUTDIR) {
      const on = used > 1 ? ` on ${used} threads` : "";
      report(`Synthesized ${stacks.length} stack(s)${on} into ${relative(process.cwd(), outdir) || "."}/stacks`);
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

// In a worker thread of synthStacks (this file is its script): synthesize the worker's share.
answerWorkerPart(SYNTH_WORKER_TAG, synthStack);
