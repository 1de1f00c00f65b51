// Synthesis: one stack at a time (on worker threads at scale) into a staging folder, validated, then
// published into cdktf.out whole (output-journal.ts) under a lock (output-lock.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { dirname, join, resolve } from "path";
import { App, TerraformStack } from "cdktf";
import { CheckBlock } from "../../core/check-block";
import { CHECKOV_CONFIG_FILE, checkovConfig, checkovSkipsOf, withCheckovSkipComments } from "../../core/checkov";
import { SetupConfig, loadConfig } from "../config";
import { RemovedBlocks } from "../../core/removed-block";
import { lockOutput } from "./output-lock";
import { STACK_FILES, incompleteOutput, publishStacks, repairedMessage } from "./output-journal";
import { ItemResults, answerWorkerPart, canRunInWorker, runItems } from "./parallel";
import { availableParallelism } from "os";
import { stackNames, createApp } from "../compose";
import { SynthWarning, withAcknowledgements, StrictError, staleComparisonAcknowledgements, synthWarnings } from "../warnings";
import {
  removedStackWarnings,
  removedStacks,
  neverApplicable,
  configFileWarnings,
  previousStackJson,
  previousSynthSource,
  SYNTH_SOURCE_FILE,
  replacementWarnings,
  usersToRecord,
} from "./compare";
import { resourceUsers } from "../places";
import { forgetBinaryVersions, withBinaryVersionsOnce } from "./binary-versions";
import { EXAMPLE_ACCOUNT_ID } from "../stacks/foundation";
import { withoutTokenStackTraces } from "./stack-traces";

/** Construct validations that failed: every message, one per line. */
export class SynthError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length === 1 ? "1 problem" : `${problems.length} problems`}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SynthError";
  }
}

/**
 * The messages of every failing construct validation. CDKTF's own check that terraform >= 1.5
 * is on PATH (it adds one to every import block) is said in the configuration's terms, once per account.
 */
export function validationErrors(app: App, config: SetupConfig): string[] {
  // One line per distinct message: an account that adopts five things has five import blocks, one missing terraform.
  return unique(
    app.node.findAll().flatMap((construct) =>
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
    ),
  );
}

const unique = (lines: string[]): string[] => [...new Set(lines)];

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
   * @default 1 below 200 (`PARALLEL_MIN_STACKS`) stacks, else the cores, at most 4 (`MAX_SYNTH_THREADS`)
   */
  readonly threads?: number;
  /**
   * Called as the stacks are built: how many of them the threads have taken so far, of how many
   * (`npm run synth` shows it on a terminal).
   * @default - no progress is reported
   */
  readonly progress?: (done: number, total: number) => void;
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
  /** Folders of stacks no longer configured that were never applied (the shipped sample's): one line each, removed or why not. */
  readonly removed?: readonly string[];
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
    const { results: outcomes, threads } = synthStacks(config, names, staging, options.strict === true, options.threads, options.progress);
    const errors = outcomes.flatMap((o) => o.errors);
    const warnings = outcomes.flatMap((o) => o.warnings);
    const manifest: { version?: string; hclOutput?: boolean; stacks: Record<string, unknown> } = { stacks: {} };
    // The HCL form writes no JSON: its stacks' JSON is kept for the comparison with the previous synth.
    const hclJson = new Map<string, string>();
    const stackDirs = new Map<string, string>();
    const users: Record<string, Record<string, string>> = {};
    for (const o of outcomes) {
      if (o.manifest === undefined) continue;
      manifest.version = o.manifest.version;
      if (o.manifest.hclOutput !== undefined) manifest.hclOutput = o.manifest.hclOutput;
      Object.assign(manifest.stacks, o.manifest.stacks);
      if (o.hclJson !== undefined) hclJson.set(o.name, o.hclJson);
      stackDirs.set(o.name, o.dir);
      if (o.users !== undefined && Object.keys(o.users).length > 0) users[o.name] = o.users;
    }
    if (errors.length > 0) throw new SynthError(errors);
    const stacksDir = join(outdir, "stacks");
    const source = previousSynthSource(outdir);
    const gone = removedStacks(stacksDir, names);
    const neverApplied = gone.filter((entry) => neverApplicable(join(stacksDir, entry)));
    const checked = [
      ...withAcknowledgements(config, warnings),
      ...removedStackWarnings(gone.filter((entry) => !neverApplied.includes(entry))),
      ...configFileWarnings(outdir, options.configFile, source),
    ];
    const unacknowledged = checked.filter((w) => w.kind === "action");
    if (options.strict && unacknowledged.length > 0) throw new StrictError(unacknowledged);

    const previous = previousStackJson(outdir, names);
    // Exactly one form per stack folder: Terraform reads both cdk.tf and cdk.tf.json, and a form
    // left from an earlier synth (`npm run synth`, then `cdktf synth --hcl`) declares every resource
    // twice ("Duplicate resource" at terraform init). Likewise a stale .checkov.yaml. Folders of
    // stacks no longer configured stay (see removedStackWarnings; those never applied go last, removeNeverApplied): not in the manifest.
    publishStacks(
      outdir,
      new Map(names.map((name) => [name, stackDirs.get(name)!])),
      [STACK_FILES.json, STACK_FILES.hcl, CHECKOV_CONFIG_FILE],
      [
        [SYNTH_SOURCE_FILE, JSON.stringify({ configFile: resolve(options.configFile), users: usersToRecord(users) }) + "\n"],
        ["manifest.json", JSON.stringify(manifest, null, 2)],
      ],
    );
    const compared = replacementWarnings(outdir, names, previous, config, hclJson, { before: source, after: users });
    const replacements = [...compared, ...(previous.size > 0 ? staleComparisonAcknowledgements(config, compared) : [])];
    const repaired = interrupted && repairedMessage(outdir, interrupted);
    const removed = removeNeverApplied(stacksDir, neverApplied);
    return {
      outdir,
      stacks: names,
      warnings: [...checked, ...replacements],
      replacements,
      threads,
      ...(repaired ? { repaired } : {}),
      ...(removed.length > 0 ? { removed } : {}),
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

/**
 * Removes the folders of stacks no longer configured that were never applied (see neverApplicable
 * in compare.ts: the shipped sample before one's own configuration), as the cdktf CLI removes a
 * stack's folder; last, after the comparison with the previous synth, and best-effort: a folder
 * that cannot be removed (a busy or foreign-owned file) is said, not a failure of the synth.
 */
function removeNeverApplied(stacksDir: string, entries: readonly string[]): string[] {
  const said: string[] = [];
  for (const entry of entries) {
    const dir = join(stacksDir, entry);
    const what = `stacks/${entry}: no longer configured, and it pinned only AWS's example account ${EXAMPLE_ACCOUNT_ID} (never applied)`;
    try {
      rmSync(dir, { recursive: true, force: true });
      said.push(`Removed ${what}`);
    } catch (e) {
      said.push(`Could not remove ${what}: ${(e as Error).message}; delete the folder yourself`);
    }
  }
  return said;
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
  /** The user of each of its resources that belongs to one, by address (see places.ts). */
  readonly users?: Record<string, string>;
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
  progress?: SynthesizeOptions["progress"],
): ItemResults<StackOutcome> {
  forgetBinaryVersions();
  const wanted = threads ?? (names.length < PARALLEL_MIN_STACKS ? 1 : Math.min(availableParallelism(), MAX_SYNTH_THREADS));
  const n = canRunInWorker(__filename) ? wanted : 1;
  return runItems(__filename, SYNTH_WORKER_TAG, { config, names, staging, strict }, names.length, n, synthStack, progress);
}

/** One stack built, validated and (unless it has a problem) written into its thread's folder. */
function synthStack(work: StackWork, index: number, thread: number): StackOutcome {
  return withoutTokenStackTraces(() => {
    const name = work.names[index];
    const outdir = join(work.staging, `thread-${thread}`);
    const app = createApp(work.config, { outdir, skipValidation: true }, name);
    const dir = join(outdir, "stacks", name);
    // Validations run here, before anything is written (cdktf would run them while writing).
    const errors = withBinaryVersionsOnce(() => validationErrors(app, work.config));
    const warnings = synthWarnings(app);
    if (errors.length > 0 || (work.strict && warnings.some((w) => w.kind === "action"))) return { name, errors, warnings, dir };
    const stack = app.node.findChild(name) as TerraformStack;
    withoutCrossStackSearch(stack);
    app.synth();
    finishStackFolder(stack, dir, app.hclOutput);
    const hclJson = app.hclOutput ? JSON.stringify(stack.toTerraform()) : undefined;
    forgetTokens();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    const users = resourceUsers(stack);
    return { name, errors, warnings, dir, manifest, users, ...(hclJson !== undefined ? { hclJson } : {}) };
  });
}

/**
 * Before it writes a stack, cdktf resolves every element of it once in a "preparing" pass
 * (TerraformStack.prepareStack, cdktf/lib/terraform-stack.js), whose only purpose is to find
 * references to other stacks of the same App and add their outputs and remote states. The App
 * here holds this one stack, so there are none to find: the pass is skipped, the backend check it
 * starts with kept. A third of cdktf's time per stack (`node --cpu-prof`, 1,000 stacks); the bytes
 * are the same (__tests__/app/many-accounts.test.ts compares them with those of one App of every
 * stack, which prepares each stack as cdktf does).
 */
function withoutCrossStackSearch(stack: TerraformStack): void {
  const stacks = stack.node.root.node.findAll().filter((c) => TerraformStack.isStack(c));
  if (stacks.length !== 1) return;
  stack.prepareStack = () => {
    stack.ensureBackendExists();
  };
}

/**
 * cdktf keeps every token it ever made in one process-wide map (`global.__cdktfTokenMap`,
 * cdktf/lib/tokens/private/token-map.js), and the tokens hold their constructs: every stack's
 * tree would stay in memory until the end. Once a stack is written, none of its tokens is resolved
 * again, so its entries are dropped (the counter that keeps token strings unique goes on). The
 * output is the same bytes (__tests__/app/many-accounts.test.ts compares it with one App of every stack).
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

// A worker thread of the synthesis (parallel.ts) loads this module and takes its share of the stacks here.
answerWorkerPart(SYNTH_WORKER_TAG, synthStack);
