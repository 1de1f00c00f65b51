// Runs the real Terraform CLI against synthesized stacks, offline, with the hashicorp/aws
// provider taken from a local filesystem mirror.
//
// - The mirror is the folder that CONTAINS `registry.terraform.io` (the "unpacked" layout
//   `registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/terraform-provider-aws_*`, or the
//   packed `registry.terraform.io/hashicorp/aws/terraform-provider-aws_<version>_<os>_<arch>.zip`).
//   It comes from TF_PROVIDER_MIRROR, else /opt/tf-plugins when that holds the provider.
// - `terraform init` installs from an unpacked mirror by symlinking the provider folder into
//   `.terraform/providers`, so the (~675 MB) binary is never copied. TF_PLUGIN_CACHE_DIR is
//   deliberately NOT used: it would make Terraform copy the binary into the cache first.
// - Every `TF_*` variable of the caller's environment is dropped (a stray TF_CLI_CONFIG_FILE,
//   TF_DATA_DIR, TF_WORKSPACE or TF_PLUGIN_CACHE_DIR would change what is tested).
//
// When terraform or the mirror is missing, __tests__/support/terraform-gate.ts registers a
// skipped test that says why (and warns), or a failing one when REQUIRE_TERRAFORM=1 (CI).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { outcomeOf, runProcess, runProcessAsync } from "./proc";

/** The provider the stacks are checked against (the only one in the mirror). */
export const AWS_PROVIDER = { source: "hashicorp/aws", version: "5.100.0" } as const;
/** The provider's address in the registry / the mirror. */
export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";
/** Where the mirror is looked for when TF_PROVIDER_MIRROR is not set. */
export const DEFAULT_PROVIDER_MIRROR = "/opt/tf-plugins";

export const INIT_TIMEOUT_MS = 120_000;
export const VALIDATE_TIMEOUT_MS = 120_000;
export const PLAN_TIMEOUT_MS = 180_000;

/** The name of the file with the stack's JSON in a workspace (as cdktf writes it). */
export const STACK_FILE = "cdk.tf.json";
/** The override file that pins the provider to the mirrored version. */
export const OVERRIDE_FILE = "aws_override.tf.json";

export const TERRAFORM_NOT_FOUND = "terraform not found on PATH";
export const MIRROR_NOT_FOUND = `no hashicorp/aws ${AWS_PROVIDER.version} mirror (set TF_PROVIDER_MIRROR)`;

/** What running Terraform needs: a working CLI and the provider mirror. */
export interface TerraformSetup {
  /** `terraform_version` of `terraform version -json`. */
  readonly terraformVersion: string;
  /** Absolute path of the folder that contains `registry.terraform.io`. */
  readonly mirror: string;
}

/** Why Terraform cannot run here. */
export interface TerraformUnavailable {
  /** Short reason, e.g. {@link TERRAFORM_NOT_FOUND}. */
  readonly reason: string;
  /** Where it looked / what failed. */
  readonly detail: string;
}

/** Whether a missing terraform or mirror must fail the tests (CI sets REQUIRE_TERRAFORM=1). */
export function terraformRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return ["1", "true", "yes"].includes((env.REQUIRE_TERRAFORM ?? "").trim().toLowerCase());
}

/** Terraform's name for this platform (`linux_amd64`, `darwin_arm64`, ...). */
export function terraformPlatform(): string {
  const os: Record<string, string> = { win32: "windows" };
  const arch: Record<string, string> = { x64: "amd64", ia32: "386" };
  return `${os[process.platform] ?? process.platform}_${arch[process.arch] ?? process.arch}`;
}

/**
 * The environment Terraform runs with: the caller's without any `TF_*` variable, plus
 * CHECKPOINT_DISABLE (no update check: offline), TF_IN_AUTOMATION and `extra`.
 */
export function terraformEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("TF_")) env[key] = value;
  }
  return { ...env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...extra };
}

/** The version of the terraform on PATH, or why there is none usable. */
export function findTerraform(): { version: string } | TerraformUnavailable {
  const run = runProcess("terraform", ["version", "-json"], { env: terraformEnv(), timeoutMs: 30_000 });
  if (run.error?.code === "ENOENT") return { reason: TERRAFORM_NOT_FOUND, detail: `PATH=${process.env.PATH ?? ""}` };
  if (run.error) return { reason: "terraform on PATH does not run", detail: `terraform version: ${run.error.message}` };
  try {
    const version = JSON.parse(run.stdout).terraform_version;
    if (run.status === 0 && typeof version === "string") return { version };
  } catch {
    // reported below
  }
  return {
    reason: "terraform on PATH does not run",
    detail: `terraform version -json exited ${run.status}: ${run.stderr || run.stdout}`.trim(),
  };
}

/**
 * The provider mirror: TF_PROVIDER_MIRROR if set, else {@link DEFAULT_PROVIDER_MIRROR};
 * it must hold hashicorp/aws {@link AWS_PROVIDER}.version for this platform.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): { mirror: string } | TerraformUnavailable {
  const configured = env.TF_PROVIDER_MIRROR?.trim();
  const mirror = resolve(configured || DEFAULT_PROVIDER_MIRROR);
  const platform = terraformPlatform();
  const providerDir = join(mirror, AWS_PROVIDER_ADDRESS);
  const unpacked = join(providerDir, AWS_PROVIDER.version, platform);
  const packed = join(providerDir, `terraform-provider-aws_${AWS_PROVIDER.version}_${platform}.zip`);
  if (existsSync(unpacked) || existsSync(packed)) return { mirror };
  const source = configured ? "TF_PROVIDER_MIRROR" : "default location, TF_PROVIDER_MIRROR not set";
  return { reason: MIRROR_NOT_FOUND, detail: `neither ${unpacked} nor ${packed} exists (${source})` };
}

/** terraform and the mirror, or every reason why not. */
export function detectTerraform(env: NodeJS.ProcessEnv = process.env): TerraformSetup | TerraformUnavailable[] {
  const terraform = findTerraform();
  const mirror = findProviderMirror(env);
  const missing = [terraform, mirror].filter((r): r is TerraformUnavailable => "reason" in r);
  if ("version" in terraform && "mirror" in mirror && missing.length === 0) {
    return { terraformVersion: terraform.version, mirror: mirror.mirror };
  }
  return missing;
}

/** A CLI configuration that installs hashicorp/aws from `mirror` only, never from the network. */
export function cliConfig(mirror: string): string {
  return [
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    "  }",
    "  direct {",
    `    exclude = ["registry.terraform.io/*/*"]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** The override file's content: pins `terraform.required_providers.aws` to {@link AWS_PROVIDER}. */
export function awsOverride(): string {
  return JSON.stringify({ terraform: { required_providers: { aws: AWS_PROVIDER } } }, null, 2) + "\n";
}

/** The outcome of one terraform command. */
export interface TerraformRun {
  readonly args: readonly string[];
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs terraform synchronously. Throws when it cannot start, exceeds `timeoutMs` or is killed;
 * a non-zero exit is returned (see {@link assertSucceeded}).
 */
export function runTerraform(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): TerraformRun {
  const run = runProcess("terraform", args, options);
  if (run.status === null) {
    throw new Error(
      `terraform ${args.join(" ")} (in ${options.cwd}) ${outcomeOf(run, options.timeoutMs)}` +
        `\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`,
    );
  }
  return { args, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs terraform without blocking the event loop (needed when this process also serves what
 * Terraform calls, e.g. the AWS stub), in a process group with its provider (see stopProcesses
 * of ./proc). Rejects when it cannot start, times out or is killed; a non-zero exit is resolved.
 */
export async function runTerraformAsync(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<TerraformRun> {
  const { status, stdout, stderr } = await runProcessAsync("terraform", args, options);
  return { args, status, stdout, stderr };
}

/** Throws, with Terraform's output, unless the command exited 0. */
export function assertSucceeded(run: TerraformRun): TerraformRun {
  if (run.status !== 0) {
    throw new Error(
      `terraform ${run.args.join(" ")} exited ${run.status}` + `\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`,
    );
  }
  return run;
}

/** A diagnostic of `terraform validate -json` (and of other `-json` commands). */
export interface TerraformDiagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { filename: string; start: { line: number; column: number } };
  /** The source around the range; for a failed check, `values` are the references' values. */
  readonly snippet?: { context?: string | null; code?: string; values?: ReadonlyArray<{ traversal: string; statement: string }> };
}

/** The output of `terraform validate -json`. */
export interface ValidateResult {
  readonly valid: boolean;
  readonly error_count: number;
  readonly warning_count: number;
  readonly diagnostics: readonly TerraformDiagnostic[];
}

/** The error diagnostics. */
export function errorDiagnostics(result: ValidateResult): TerraformDiagnostic[] {
  return result.diagnostics.filter((d) => d.severity === "error");
}

/** One line per diagnostic: `error: <summary>: <detail> [file:line:col, context]`. */
export function formatDiagnostics(diagnostics: readonly TerraformDiagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = [
      d.range ? `${d.range.filename}:${d.range.start.line}:${d.range.start.column}` : undefined,
      d.snippet?.context ?? undefined,
      d.address,
    ].filter(Boolean);
    const detail = d.detail ? `: ${d.detail.replace(/\s*\n\s*/g, " ")}` : "";
    return `${d.severity}: ${d.summary}${detail}${where.length ? ` [${where.join(", ")}]` : ""}`;
  });
}

/**
 * A folder to run Terraform in: `terraform init` once, then any number of stacks checked in
 * turn by replacing {@link STACK_FILE} (valid as long as every stack needs the same providers,
 * so the lock file written by init still matches; {@link useStack} checks that).
 *
 * Layout: `<root>/terraform.rc` (CLI config) and `<root>/work/` (cdk.tf.json, the override,
 * .terraform/, .terraform.lock.hcl).
 */
export class TerraformWorkspace {
  readonly workDir: string;
  readonly cliConfigFile: string;
  readonly env: NodeJS.ProcessEnv;
  private providers: string[] | undefined;

  constructor(
    readonly setup: TerraformSetup,
    readonly root: string,
  ) {
    this.workDir = join(root, "work");
    this.cliConfigFile = join(root, "terraform.rc");
    mkdirSync(this.workDir, { recursive: true });
    writeFileSync(this.cliConfigFile, cliConfig(setup.mirror));
    writeFileSync(join(this.workDir, OVERRIDE_FILE), awsOverride());
    this.env = terraformEnv({ TF_CLI_CONFIG_FILE: this.cliConfigFile });
  }

  /** Runs terraform in the work folder. */
  run(args: readonly string[], timeoutMs: number): TerraformRun {
    return runTerraform(args, { cwd: this.workDir, env: this.env, timeoutMs });
  }

  /** Puts a stack (its cdk.tf.json file, or its JSON text) in the work folder. */
  useStack(stack: { file: string } | { json: string }): void {
    const target = join(this.workDir, STACK_FILE);
    if ("file" in stack) copyFileSync(stack.file, target);
    else writeFileSync(target, stack.json);
    const providers = requiredProviders(readFileSync(target, "utf8"));
    if (this.providers && providers.join() !== this.providers.join()) {
      throw new Error(
        `this stack requires the providers [${providers}] but the workspace was initialized for ` +
          `[${this.providers}]; use a workspace of its own`,
      );
    }
  }

  /**
   * `terraform init` with `stack` in place (default: without the backend, enough for validate).
   * Throws with Terraform's output when it fails.
   */
  init(stack: { file: string } | { json: string }, options: { backend?: boolean } = {}): TerraformRun {
    this.useStack(stack);
    const args = ["init", "-input=false", "-no-color"];
    if (!options.backend) args.push("-backend=false");
    const run = assertSucceeded(this.run(args, INIT_TIMEOUT_MS));
    this.providers = requiredProviders(readFileSync(join(this.workDir, STACK_FILE), "utf8"));
    return run;
  }

  /** `terraform validate -json` of `stack` (the workspace must have been initialized). */
  validate(stack: { file: string } | { json: string }): ValidateResult {
    if (!this.providers) throw new Error("TerraformWorkspace.validate before init");
    this.useStack(stack);
    const run = this.run(["validate", "-json", "-no-color"], VALIDATE_TIMEOUT_MS);
    let result: ValidateResult;
    try {
      result = JSON.parse(run.stdout);
    } catch {
      throw new Error(
        `terraform validate -json exited ${run.status} without JSON output` +
          `\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`,
      );
    }
    if (typeof result.valid !== "boolean" || !Array.isArray(result.diagnostics)) {
      throw new Error(`unexpected output of terraform validate -json:\n${run.stdout}`);
    }
    return result;
  }

  /**
   * `terraform validate -json` of several stacks in one run (one provider start instead of one per
   * stack): each stack becomes a child module (`stacks/<n>/cdk.tf.json`) of a root that calls them
   * all. A child module cannot hold an `import` block or a backend, and takes the provider version
   * from the root, so those are left out of the copies (the offline plan covers the import blocks).
   * Returns each stack's diagnostics (by the file they point at) and those of no stack.
   */
  validateTogether(stacks: ReadonlyArray<{ name: string; json: string }>): {
    result: ValidateResult;
    byStack: Map<string, TerraformDiagnostic[]>;
    unplaced: TerraformDiagnostic[];
  } {
    const modulesDir = join(this.workDir, "stacks");
    rmSync(modulesDir, { recursive: true, force: true });
    const modules: Record<string, { source: string }> = {};
    let providers: Record<string, { source?: string }> = {};
    stacks.forEach((stack, i) => {
      const json = JSON.parse(stack.json) as Record<string, any>;
      delete json.import;
      delete json.terraform?.backend;
      for (const p of Object.values<Record<string, unknown>>(json.terraform?.required_providers ?? {})) delete p.version;
      providers = { ...providers, ...(json.terraform?.required_providers ?? {}) };
      mkdirSync(join(modulesDir, String(i)), { recursive: true });
      writeFileSync(join(modulesDir, String(i), STACK_FILE), JSON.stringify(json));
      modules[`stack_${i}`] = { source: `./stacks/${i}` };
    });
    const root = JSON.stringify({ terraform: { required_providers: providers }, module: modules });
    writeFileSync(join(this.workDir, STACK_FILE), root);
    assertSucceeded(this.run(["init", "-input=false", "-no-color", "-backend=false"], INIT_TIMEOUT_MS));
    this.providers = requiredProviders(root);
    const run = this.run(["validate", "-json", "-no-color"], VALIDATE_TIMEOUT_MS);
    const result = JSON.parse(run.stdout) as ValidateResult;
    const byStack = new Map<string, TerraformDiagnostic[]>(stacks.map((s) => [s.name, []]));
    const unplaced: TerraformDiagnostic[] = [];
    for (const d of result.diagnostics) {
      const index = /^stacks\/(\d+)\//.exec(d.range?.filename ?? "")?.[1];
      const stack = index !== undefined ? stacks[Number(index)] : undefined;
      if (stack) byStack.get(stack.name)?.push(d);
      else unplaced.push(d);
    }
    return { result, byStack, unplaced };
  }

  /** Removes the workspace (the provider symlink, not the mirror). */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The local names in `terraform.required_providers` of a stack's JSON, sorted. */
export function requiredProviders(stackJson: string): string[] {
  const parsed = JSON.parse(stackJson) as { terraform?: { required_providers?: Record<string, unknown> } };
  return Object.keys(parsed.terraform?.required_providers ?? {}).sort();
}
