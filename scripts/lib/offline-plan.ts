// `terraform plan` of synthesized stacks with the real hashicorp/aws provider, offline: the few
// AWS calls a plan makes go to the stub of scripts/lib/aws-stub.ts. Used by
// scripts/plan-offline.ts (`npm run plan:offline`) and __tests__/integration/terraform-plan.test.ts.
//
// Per plan, a folder of its own with:
// - cdk.tf.json: the stack as synthesized (unchanged);
// - zz_offline_override.tf.json ({@link offlineOverride}): pins hashicorp/aws to the mirrored
//   version, replaces the backend with `local` (terraform.tfstate in the folder; plan never
//   writes it), and points provider "aws" at the stub: example static keys, STS and IAM
//   endpoints (plus SSO Admin and Identity Store for a stack that uses IAM Identity Center,
//   see {@link usesIdentityCenter}), no EC2 metadata. The provider still validates the
//   credentials and reads the account id (STS GetCallerIdentity), so `allowed_account_ids` is
//   checked for real.
//   An `assume_role` block is neutralized with `role_arn = ""` (see {@link offlineOverride});
// - .terraform (a symlink) and .terraform.lock.hcl of ONE `terraform init` per provider set
//   (a {@link TerraformWorkspace}), so a plan costs no init.
// Terraform runs without any TF_* or AWS_* variable of the caller's environment (no profile,
// keys or endpoints leak in), with empty shared config/credentials files.
import { PlanAction, PlanCounts, PlanDocument, countPlannedChanges } from "./plan-json";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { availableParallelism } from "os";
import { join } from "path";
import {
  AwsStubOptions,
  STUB_ACCESS_KEY_ID,
  STUB_ACCOUNT_ID,
  STUB_SECRET_ACCESS_KEY,
  StubIdentity,
  StubRequest,
  startAwsStub,
  StubExistingIam,
} from "./aws-stub";
import {
  AWS_PROVIDER,
  PLAN_TIMEOUT_MS,
  STACK_FILE,
  TerraformDiagnostic,
  TerraformRun,
  TerraformSetup,
  TerraformWorkspace,
  assertSucceeded,
  requiredProviders,
  runTerraformAsync,
} from "./terraform";

/** The override file that makes a stack plannable offline. */
export const OFFLINE_OVERRIDE_FILE = "zz_offline_override.tf.json";
/** The saved plan in a plan folder. */
export const PLAN_FILE = "tfplan";
/** The local backend's state file, relative to the plan folder (never written by a plan). */
export const STATE_FILE = "terraform.tfstate";
/** How Terraform shows a sensitive value; what {@link redactSensitive} puts in its place. */
export const SENSITIVE_PLACEHOLDER = "(sensitive value)";

/**
 * Arguments of the stack's provider "aws" that an offline plan handles; any other (a profile,
 * a credentials file, web identity, ...) would reach for real credentials and is refused.
 */
export const OFFLINE_PROVIDER_ARGUMENTS = [
  "region",
  "allowed_account_ids",
  "forbidden_account_ids",
  "default_tags",
  "ignore_tags",
  "assume_role",
] as const;

/** The provider's `endpoints` arguments (hashicorp/aws 5.100.0) every offline plan sends to the stub. */
export const OFFLINE_ENDPOINTS = ["sts", "iam"] as const;
/** The `endpoints` arguments of IAM Identity Center (SSO Admin, Identity Store) the stub also serves. */
export const IDENTITY_CENTER_ENDPOINTS = ["ssoadmin", "identitystore"] as const;

/** Whether a stack has a resource or data source of SSO Admin or Identity Store (`aws_ssoadmin_*`, `aws_identitystore_*`). */
export function usesIdentityCenter(stack: StackJson): boolean {
  const types = [...Object.keys(stack.resource ?? {}), ...Object.keys(stack.data ?? {})];
  return types.some((type) => /^aws_(ssoadmin|identitystore)_/.test(type));
}

/** What the override of {@link offlineOverride} needs. */
export interface OfflineOverrideOptions {
  /** The stub's endpoint (`http://127.0.0.1:<port>`). */
  readonly endpoint: string;
  /** Whether the stack's provider has an `assume_role` block to neutralize. */
  readonly assumeRole: boolean;
  /**
   * Whether to send the {@link IDENTITY_CENTER_ENDPOINTS} to the stub too (else only the
   * {@link OFFLINE_ENDPOINTS}).
   * @default false
   */
  readonly identityCenter?: boolean;
}

/**
 * The override file's content. Terraform merges a provider block of an override file into the
 * original argument by argument, and a nested block type is replaced only by blocks of the same
 * type: `assume_role = []` (no block) leaves the original in place, so it is replaced with one
 * whose `role_arn` is empty, which provider 5.x treats as "assume no role" (with a warning
 * "Missing required argument ... role_arn", see {@link isOfflineOverrideWarning}).
 */
export function offlineOverride(options: OfflineOverrideOptions): string {
  const aws: Record<string, unknown> = {
    access_key: STUB_ACCESS_KEY_ID,
    secret_key: STUB_SECRET_ACCESS_KEY,
    // The provider validates the credentials and requests the account id (both through STS
    // GetCallerIdentity, from the stub): skipping them would leave `allowed_account_ids`
    // without an account id to check ("AWS account ID not allowed: ").
    skip_credentials_validation: false,
    skip_requesting_account_id: false,
    skip_metadata_api_check: true,
    skip_region_validation: true,
    endpoints: [
      Object.fromEntries(
        [...OFFLINE_ENDPOINTS, ...(options.identityCenter ? IDENTITY_CENTER_ENDPOINTS : [])].map((service) => [service, options.endpoint]),
      ),
    ],
  };
  if (options.assumeRole) aws.assume_role = [{ role_arn: "" }];
  const override = {
    terraform: {
      required_providers: { aws: AWS_PROVIDER },
      backend: { local: { path: STATE_FILE } },
    },
    provider: { aws: [aws] },
  };
  return JSON.stringify(override, null, 2) + "\n";
}

/**
 * The environment of an offline plan: `base` (a {@link TerraformWorkspace}'s: no TF_* of the
 * caller, TF_CLI_CONFIG_FILE set) without any AWS_* variable, plus AWS_EC2_METADATA_DISABLED and
 * shared config/credentials files in `awsDir` (empty), so no profile of the user applies.
 */
export function offlineEnv(base: NodeJS.ProcessEnv, awsDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.toUpperCase().startsWith("AWS_")) env[key] = value;
  }
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(awsDir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(awsDir, "credentials"),
  };
}

/** The stack's single default provider "aws" block, checked to be plannable offline. */
export function offlineProvider(stack: StackJson): Record<string, unknown> {
  const blocks = stack.provider?.aws;
  const list = Array.isArray(blocks) ? blocks : blocks ? [blocks] : [];
  if (list.length !== 1 || list[0].alias !== undefined) {
    throw new Error(`cannot plan offline: expected one provider "aws" block without alias, found ${list.length}`);
  }
  const refused = Object.keys(list[0]).filter((key) => !(OFFLINE_PROVIDER_ARGUMENTS as readonly string[]).includes(key));
  if (refused.length > 0) {
    throw new Error(
      `cannot plan offline: provider "aws" sets ${refused.join(", ")} (offline plans support ${OFFLINE_PROVIDER_ARGUMENTS.join(", ")})`,
    );
  }
  return list[0];
}

/**
 * The account the stub should be: the stack's only `allowed_account_ids` entry when it has
 * exactly one (so the real check passes for any configured account), else {@link STUB_ACCOUNT_ID}.
 */
export function stubAccountFor(stack: StackJson): string {
  const allowed = offlineProvider(stack).allowed_account_ids;
  return Array.isArray(allowed) && allowed.length === 1 && typeof allowed[0] === "string" ? allowed[0] : STUB_ACCOUNT_ID;
}

/** The parts of a stack's JSON read here. */
export interface StackJson {
  readonly provider?: { aws?: Record<string, unknown> | Array<Record<string, unknown>> };
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  /** Import blocks: a literal `id`, or an expression of `each.value` with `for_each` (Terraform 1.7). */
  readonly import?: ReadonlyArray<{ id: string; to: string; for_each?: string }>;
  /** Removed blocks (Terraform 1.7): `lifecycle.destroy: false` forgets the resource instead of destroying it. */
  readonly removed?: ReadonlyArray<{ from: string; lifecycle?: { destroy?: boolean } }>;
  readonly output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  readonly check?: Record<string, { assert: ReadonlyArray<{ condition: string; error_message: string }> }>;
}

/**
 * The IAM groups and users a stack adopts (its import blocks with literal ids: `aws_iam_group` by
 * name, `aws_iam_user` by name, `aws_iam_user_login_profile` by its user's name): what the stub's
 * account must hold for the imports to find them. `npm run plan:offline` assumes they exist.
 */
export function adoptedIam(stack: StackJson): StubExistingIam {
  const imports = (stack.import ?? []).filter((i) => i.for_each === undefined);
  const ids = (type: string) => imports.filter((i) => i.to.startsWith(`${type}.`)).map((i) => i.id);
  const profiles = new Set(ids("aws_iam_user_login_profile"));
  const groups = ids("aws_iam_group");
  const users = ids("aws_iam_user").map((name) => ({ name, loginProfile: profiles.has(name) }));
  return { ...(groups.length > 0 ? { groups } : {}), ...(users.length > 0 ? { users } : {}) };
}

// ----- terraform show -json -----

/** A resource instance change of `terraform show -json` (the fields used here). */
export interface ResourceChange {
  readonly address: string;
  /** Where a moved block brought the resource from. */
  readonly previous_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: {
    /** One action, or two for a replacement (see {@link PlanAction}). */
    readonly actions: readonly PlanAction[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly importing?: { readonly id?: string };
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

/** Values of a module in `planned_values` / `prior_state.values`. */
export interface ModuleValues {
  readonly resources?: ReadonlyArray<{
    readonly address: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    readonly values: Record<string, unknown>;
    readonly sensitive_values?: unknown;
  }>;
  readonly child_modules?: readonly ModuleValues[];
}

/** An output value in `planned_values` / `prior_state.values`. */
export interface OutputValue {
  readonly sensitive: boolean;
  readonly value?: unknown;
  readonly type?: unknown;
}

/** A check result of `terraform show -json`. */
export interface CheckResult {
  readonly address: { readonly kind: string; readonly name?: string; readonly to_display: string };
  readonly status: "pass" | "fail" | "error" | "unknown";
  readonly instances?: ReadonlyArray<{
    readonly status: string;
    readonly problems?: ReadonlyArray<{ readonly message: string }>;
  }>;
}

/** The output of `terraform show -json <plan>` (the fields used here). */
export interface PlanJson extends PlanDocument {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly errored?: boolean;
  readonly applyable?: boolean;
  readonly complete?: boolean;
  readonly planned_values?: { readonly outputs?: Record<string, OutputValue>; readonly root_module?: ModuleValues };
  readonly prior_state?: {
    readonly values?: { readonly outputs?: Record<string, OutputValue>; readonly root_module?: ModuleValues };
  };
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Record<string, ResourceChange["change"]>;
  readonly checks?: readonly CheckResult[];
}

/** The managed resources of a plan by what will happen to them. */
export interface PlanChanges {
  readonly create: string[];
  readonly update: string[];
  readonly replace: string[];
  readonly delete: string[];
  /**
   * Forgotten: removed from the state and left in AWS (a `removed` block with
   * `lifecycle { destroy = false }`; `terraform show -json` action "forget", `plan -json` "remove").
   * Not a delete: never in "N to destroy" (see {@link PlanCounts.forget}). A create-then-forget
   * (["create", "forget"]) is in both `create` and `forget`.
   */
  readonly forget: string[];
  readonly noop: string[];
  /** Imported (whatever the action: no-op or update). */
  readonly import: string[];
}

/** Sorts the managed resource changes of a plan. */
export function planChanges(plan: PlanJson): PlanChanges {
  const changes: PlanChanges = { create: [], update: [], replace: [], delete: [], forget: [], noop: [], import: [] };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed") continue;
    const actions = rc.change.actions.join(",");
    if (actions === "create") changes.create.push(rc.address);
    else if (actions === "update") changes.update.push(rc.address);
    else if (actions === "delete") changes.delete.push(rc.address);
    else if (actions === "forget") changes.forget.push(rc.address);
    else if (actions === "create,forget" || actions === "forget,create") {
      // Terraform's CreateThenForget: a new object, the old one dropped from the state and left in AWS.
      changes.create.push(rc.address);
      changes.forget.push(rc.address);
    } else if (actions === "no-op") changes.noop.push(rc.address);
    else if (actions === "delete,create" || actions === "create,delete") changes.replace.push(rc.address);
    else throw new Error(`unexpected actions [${actions}] for ${rc.address}`);
    if (rc.change.importing) changes.import.push(rc.address);
  }
  return changes;
}

/** The failed checks of a plan: check name and message per problem. */
export function failedChecks(plan: PlanJson): Array<{ check: string; message: string }> {
  return (plan.checks ?? [])
    .filter((c) => c.status === "fail")
    .flatMap((c) =>
      (c.instances ?? []).flatMap((i) =>
        (i.problems ?? []).map((p) => ({ check: c.address.name ?? c.address.to_display, message: p.message })),
      ),
    );
}

/** The resources of `prior_state` (data sources read during the plan included). */
export function priorStateResources(plan: PlanJson): NonNullable<ModuleValues["resources"]>[number][] {
  const walk = (module: ModuleValues | undefined): NonNullable<ModuleValues["resources"]>[number][] =>
    module ? [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(walk)] : [];
  return walk(plan.prior_state?.values?.root_module);
}

/** Provider arguments whose constants {@link redactSensitive} removes from `configuration`. */
export const PROVIDER_SECRET_ARGUMENTS = ["secret_key", "token"] as const;

/**
 * Replaces every value a sensitivity mask covers with {@link SENSITIVE_PLACEHOLDER}
 * (`terraform show -json` prints known sensitive values in plain text; at plan time this app's
 * are unknown, so normally nothing is replaced), and the constants of the provider's
 * {@link PROVIDER_SECRET_ARGUMENTS} in `configuration` (the schema does not mark them sensitive;
 * offline, that is the override's example secret key). Returns the redacted copy and the JSON
 * paths of what was replaced.
 */
export function redactSensitive(plan: PlanJson): { plan: PlanJson; redacted: string[] } {
  const copy = JSON.parse(JSON.stringify(plan)) as Record<string, any>;
  const redacted: string[] = [];
  const redact = (container: any, key: string | number, mask: unknown, path: string): void => {
    const value = container?.[key];
    if (value === undefined || value === null || mask === undefined || mask === false) return;
    if (mask === true) {
      container[key] = SENSITIVE_PLACEHOLDER;
      redacted.push(path);
    } else if (typeof mask === "object" && typeof value === "object") {
      for (const k of Object.keys(mask as object)) {
        redact(value, Array.isArray(value) ? Number(k) : k, (mask as any)[k], `${path}.${k}`);
      }
    }
  };
  const change = (c: any, path: string) => {
    if (!c) return;
    redact(c, "before", c.before_sensitive, `${path}.before`);
    redact(c, "after", c.after_sensitive, `${path}.after`);
  };
  const moduleValues = (m: any, path: string) => {
    if (!m) return;
    (m.resources ?? []).forEach((r: any, i: number) => redact(r, "values", r.sensitive_values, `${path}.resources[${i}].values`));
    (m.child_modules ?? []).forEach((c: any, i: number) => moduleValues(c, `${path}.child_modules[${i}]`));
  };
  const outputs = (o: any, path: string) => {
    for (const [name, output] of Object.entries<any>(o ?? {})) {
      if (output.sensitive) redact(output, "value", true, `${path}.${name}.value`);
    }
  };
  (copy.resource_changes ?? []).forEach((rc: any, i: number) => change(rc.change, `resource_changes[${i}].change`));
  (copy.resource_drift ?? []).forEach((rc: any, i: number) => change(rc.change, `resource_drift[${i}].change`));
  for (const [name, c] of Object.entries<any>(copy.output_changes ?? {})) change(c, `output_changes.${name}`);
  moduleValues(copy.planned_values?.root_module, "planned_values.root_module");
  outputs(copy.planned_values?.outputs, "planned_values.outputs");
  moduleValues(copy.prior_state?.values?.root_module, "prior_state.values.root_module");
  outputs(copy.prior_state?.values?.outputs, "prior_state.values.outputs");
  for (const [name, provider] of Object.entries<any>(copy.configuration?.provider_config ?? {})) {
    for (const argument of PROVIDER_SECRET_ARGUMENTS) {
      const path = `configuration.provider_config.${name}.expressions.${argument}`;
      if (provider?.expressions?.[argument]) redact(provider.expressions[argument], "constant_value", true, `${path}.constant_value`);
    }
  }
  return { plan: copy as PlanJson, redacted };
}

// ----- terraform plan -json -----

/**
 * A diagnostic of a `-json` command: `terraform validate -json`'s diagnostics and the
 * `diagnostic` messages of `terraform plan -json` have the same shape (Terraform's
 * "machine-readable UI" docs). For a failed check block, `snippet.values` holds the values
 * of the references in the condition.
 */
export type PlanDiagnostic = TerraformDiagnostic;

/** A `planned_change` message of `terraform plan -json`. */
export interface PlannedChange {
  readonly address: string;
  /**
   * "create", "update", "replace", "delete", "move", "import", "noop", ..., and "remove" for a
   * forgotten resource (`removed` block with destroy = false; action "forget" in `terraform show -json`).
   */
  readonly action: string;
  /** For a move: the address the resource moves from. */
  readonly previousAddress?: string;
  /** For an import: the import id. */
  readonly importId?: string;
}

/** What `terraform plan -json` reported. */
export interface PlanMessages {
  readonly diagnostics: PlanDiagnostic[];
  /** The `change_summary` message (`Plan: 1 to add, ...` / `No changes. ...`), if any. */
  readonly summary?: string;
  readonly changes: PlannedChange[];
  /** The `outputs` message: each output's planned action and whether it is sensitive. */
  readonly outputs: Record<string, { readonly sensitive: boolean; readonly action: string }>;
}

interface UiMessage {
  readonly type?: string;
  readonly "@message"?: string;
  readonly diagnostic?: PlanDiagnostic;
  readonly change?: { resource: { addr: string }; previous_resource?: { addr: string }; action: string; importing?: { id: string } };
  readonly outputs?: PlanMessages["outputs"];
}

/**
 * The messages of `terraform plan -json`: one JSON object per line on stdout, typed
 * (`diagnostic`, `planned_change`, `change_summary`, `outputs`, ...; Terraform's
 * "Machine-Readable UI" documentation). Lines that are not JSON (none are expected) are ignored.
 */
export function readPlanMessages(stdout: string): PlanMessages {
  const diagnostics: PlanDiagnostic[] = [];
  const changes: PlannedChange[] = [];
  let summary: string | undefined;
  let outputs: PlanMessages["outputs"] = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line) as UiMessage;
    if (message.type === "diagnostic" && message.diagnostic) diagnostics.push(message.diagnostic);
    if (message.type === "change_summary") summary = message["@message"];
    if (message.type === "outputs" && message.outputs) outputs = message.outputs;
    if (message.type === "planned_change" && message.change) {
      const { resource, previous_resource: previous, action, importing } = message.change;
      changes.push({
        address: resource.addr,
        action,
        ...(previous ? { previousAddress: previous.addr } : {}),
        ...(importing ? { importId: importing.id } : {}),
      });
    }
  }
  return { diagnostics, changes, outputs, ...(summary ? { summary } : {}) };
}

/** Whether a diagnostic is the known one the offline override itself causes. */
export function isOfflineOverrideWarning(d: PlanDiagnostic): boolean {
  return d.severity === "warning" && d.range?.filename === OFFLINE_OVERRIDE_FILE && /role_arn/.test(d.detail ?? "");
}

// ----- the planner -----

/** A stack to plan: its name and its cdk.tf.json (file or text). */
export type OfflineStack = { readonly name: string } & ({ readonly file: string } | { readonly json: string });

/** Options of one offline plan. */
export interface OfflinePlanOptions {
  /** Who the stub says the caller is. @default "user" */
  readonly identity?: StubIdentity;
  /** The stub's account. @default {@link stubAccountFor} the stack */
  readonly account?: string;
  /** How many IAM Identity Center instances the stub lists (see {@link AwsStubOptions}). @default 1 */
  readonly ssoInstances?: number;
  /** Whether the stub's Identity Store knows a group for every display name, or none. @default "any" */
  readonly groups?: AwsStubOptions["groups"];
  /** Whether the stub's Identity Store knows a user for every user name, or none. @default "any" */
  readonly users?: AwsStubOptions["users"];
  /** Whether the stub's account has the Incident Manager service-linked role (see {@link AwsStubOptions}). @default true */
  readonly serviceLinkedRole?: boolean;
  /** The IAM groups and users the stub's account has (see {@link AwsStubOptions}). @default - none */
  readonly existingIam?: AwsStubOptions["existingIam"];
  /** Gets one line per AWS request (discovery, debugging). */
  readonly log?: (line: string) => void;
  /** Terraform variables of the plan (`-var name=value`), e.g. `assume_role_arn: ""` as a CI job sets it. @default none */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * Leave the stack's `assume_role` as it is (the provider then assumes the role through the stub's
   * STS, which answers no AssumeRole: the request is recorded, and the plan fails) instead of
   * neutralizing it. With `variables: { assume_role_arn: "" }` it shows what a CI job's plan does.
   * @default false
   */
  readonly keepAssumeRole?: boolean;
  /**
   * A Terraform state (JSON) the plan starts from, e.g. to show what a moved block does.
   * @default - an empty state
   */
  readonly priorState?: string;
  /**
   * Whether to read the saved plan back as JSON (`terraform show -json`: the provider starts again
   * for its schema, about 3 s of CPU). Off where only the summary, the messages or the plan file
   * itself are used. @default true
   */
  readonly showJson?: boolean;
  /**
   * Whether the plan refreshes existing resources (reads them from AWS: the stub serves only
   * the few reads listed in aws-stub.ts, so a prior state usually goes with refresh: false).
   * @default true
   */
  readonly refresh?: boolean;
}

/** The outcome of one offline plan. */
export interface StackPlan {
  readonly stack: string;
  /** The plan folder (removed by {@link OfflinePlanner.dispose}). */
  readonly dir: string;
  readonly identity: StubIdentity;
  readonly account: string;
  /** `terraform plan`. */
  readonly run: TerraformRun;
  /** Whether terraform plan exited 0. */
  readonly ok: boolean;
  /** terraform plan's change summary: `Plan: ...` / `No changes. ...` (its `change_summary` message). */
  readonly summary?: string;
  /** Terraform's counts, from the plan's JSON (the same numbers as {@link summary}). */
  readonly counts?: PlanCounts;
  /** The warnings and errors terraform plan reported (its `diagnostic` messages). */
  readonly diagnostics: readonly PlanDiagnostic[];
  /** Its `planned_change` messages. */
  readonly changes: readonly PlannedChange[];
  /** Its `outputs` message. */
  readonly outputs: PlanMessages["outputs"];
  /** `terraform show -json` of the saved plan (when the plan succeeded), as Terraform wrote it. */
  readonly json?: PlanJson;
  /** Every AWS request of the plan, in order. */
  readonly requests: readonly StubRequest[];
  /** The requests the stub did not expect (answered with an error). */
  readonly unexpectedRequests: readonly StubRequest[];
}

/** `sts:GetCallerIdentity`-style names of requests. */
export function callNames(requests: readonly StubRequest[]): string[] {
  return requests.map((r) => `${r.service ?? "?"}:${r.action ?? "?"}`);
}

/** Throws with Terraform's output unless the plan succeeded without unexpected AWS calls. */
export function assertPlanned(plan: StackPlan): PlanJson {
  const problems: string[] = [];
  if (!plan.ok) problems.push(`terraform plan exited ${plan.run.status}`);
  if (plan.unexpectedRequests.length > 0) {
    problems.push(`unexpected AWS calls: ${callNames(plan.unexpectedRequests).join(", ")}`);
  }
  if (!plan.json && plan.ok) problems.push("no plan JSON (planned with showJson: false)");
  if (problems.length > 0 || !plan.json) {
    throw new Error(
      `offline plan of stack "${plan.stack}": ${problems.join("; ")}` +
        `\n--- stderr ---\n${plan.run.stderr}\n--- stdout ---\n${plan.run.stdout}`,
    );
  }
  return plan.json;
}

/**
 * Plans stacks offline under `root` (created; removed by {@link dispose}): one `terraform init`
 * per provider set, then a folder and a stub per plan.
 */
export class OfflinePlanner {
  private readonly workspaces = new Map<string, TerraformWorkspace>();
  private readonly awsDir: string;
  private plans = 0;

  constructor(
    readonly setup: TerraformSetup,
    readonly root: string,
  ) {
    this.awsDir = join(root, "aws");
    mkdirSync(this.awsDir, { recursive: true });
    writeFileSync(join(this.awsDir, "config"), "");
    writeFileSync(join(this.awsDir, "credentials"), "");
  }

  /** How many times `terraform init` ran. */
  get inits(): number {
    return this.workspaces.size;
  }

  /** The initialized workspace for the stack's provider set (runs init the first time). */
  private workspaceFor(json: string, assumeRole: boolean): TerraformWorkspace {
    const key = requiredProviders(json).join(",");
    let workspace = this.workspaces.get(key);
    if (!workspace) {
      workspace = new TerraformWorkspace(this.setup, join(this.root, `init-${this.workspaces.size + 1}`));
      // The endpoint does not matter to init (it configures no provider).
      writeFileSync(join(workspace.workDir, OFFLINE_OVERRIDE_FILE), offlineOverride({ endpoint: "http://127.0.0.1:9", assumeRole }));
      workspace.init({ json }, { backend: true });
      this.workspaces.set(key, workspace);
    }
    return workspace;
  }

  /**
   * `terraform plan` of a stack against a fresh stub, then `terraform show -json` of the plan.
   * Resolves also when the plan fails (see {@link StackPlan.ok}, {@link assertPlanned}); rejects
   * when terraform cannot run, times out, or the stack cannot be planned offline.
   */
  async plan(stack: OfflineStack, options: OfflinePlanOptions = {}): Promise<StackPlan> {
    const json = "file" in stack ? readFileSync(stack.file, "utf8") : stack.json;
    const parsed = JSON.parse(json) as StackJson;
    const assumeRole = offlineProvider(parsed).assume_role !== undefined && !options.keepAssumeRole;
    const identityCenter = usesIdentityCenter(parsed);
    const account = options.account ?? stubAccountFor(parsed);
    const identity = options.identity ?? "user";
    const workspace = this.workspaceFor(json, assumeRole);

    const dir = join(this.root, "plans", `${++this.plans}-${stack.name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, STACK_FILE), json);
    if (options.priorState !== undefined) writeFileSync(join(dir, STATE_FILE), options.priorState);
    symlinkSync(join(workspace.workDir, ".terraform"), join(dir, ".terraform"), "dir");
    copyFileSync(join(workspace.workDir, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));

    const stub = await startAwsStub({
      identity,
      account,
      ssoInstances: options.ssoInstances,
      groups: options.groups,
      users: options.users,
      serviceLinkedRole: options.serviceLinkedRole,
      existingIam: options.existingIam,
      log: options.log,
    });
    try {
      writeFileSync(join(dir, OFFLINE_OVERRIDE_FILE), offlineOverride({ endpoint: stub.endpoint, assumeRole, identityCenter }));
      const run = await runTerraformAsync(
        [
          "plan",
          "-json",
          "-input=false",
          "-lock=false",
          ...(options.refresh === false ? ["-refresh=false"] : []),
          ...Object.entries(options.variables ?? {}).map(([name, value]) => `-var=${name}=${value}`),
          `-out=${PLAN_FILE}`,
        ],
        { cwd: dir, env: offlineEnv(workspace.env, this.awsDir), timeoutMs: PLAN_TIMEOUT_MS },
      );
      const ok = run.status === 0 && existsSync(join(dir, PLAN_FILE));
      let planJson: PlanJson | undefined;
      if (ok && options.showJson !== false) {
        const show = assertSucceeded(
          await runTerraformAsync(["show", "-json", "-no-color", PLAN_FILE], {
            cwd: dir,
            env: offlineEnv(workspace.env, this.awsDir),
            timeoutMs: PLAN_TIMEOUT_MS,
          }),
        );
        planJson = JSON.parse(show.stdout) as PlanJson;
      }
      const { diagnostics, summary, changes, outputs } = readPlanMessages(run.stdout);
      return {
        stack: stack.name,
        dir,
        identity,
        account,
        run,
        ok,
        ...(summary ? { summary } : {}),
        ...(planJson ? { counts: countPlannedChanges(planJson) } : {}),
        diagnostics,
        changes,
        outputs,
        ...(planJson ? { json: planJson } : {}),
        requests: [...stub.requests],
        unexpectedRequests: [...stub.unexpected],
      };
    } finally {
      await stub.close();
    }
  }

  /**
   * Plans several stacks, `concurrency` at a time (default: the CPUs, at most 4; a plan is
   * mostly the provider's CPU time). A stack's own options (identity, account, ...) win over
   * `options`. Results in the order of `stacks`.
   */
  async planAll(
    stacks: ReadonlyArray<OfflineStack & OfflinePlanOptions>,
    options: OfflinePlanOptions & { concurrency?: number; onPlanned?: (plan: StackPlan) => void } = {},
  ): Promise<StackPlan[]> {
    const concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
    const results: StackPlan[] = new Array(stacks.length);
    let next = 0;
    const worker = async () => {
      while (next < stacks.length) {
        const index = next++;
        results[index] = await this.plan(stacks[index], { ...options, ...stacks[index] });
        options.onPlanned?.(results[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, stacks.length) }, worker));
    return results;
  }

  /** Removes every folder (the provider symlinks, not the mirror). */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
