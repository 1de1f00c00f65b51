// What makes a synthesized stack plannable offline: the override file (zz_offline_override.tf.json:
// the mirrored provider, a local backend, provider "aws" pointed at the AWS stub with example
// keys), the environment without the caller's AWS_* variables, and what the stub's account must
// hold (the account the stack allows, the IAM groups and users it adopts).
import { join } from "path";
import { STUB_ACCESS_KEY_ID, STUB_ACCOUNT_ID, STUB_SECRET_ACCESS_KEY, StubExistingIam } from "./aws-stub";
import { PlanDiagnostic } from "./plan-json";
import { AWS_PROVIDER } from "./terraform";

/** The override file that makes a stack plannable offline. */
export const OFFLINE_OVERRIDE_FILE = "zz_offline_override.tf.json";
/** The saved plan in a plan folder. */
export const PLAN_FILE = "tfplan";
/** The local backend's state file, relative to the plan folder (never written by a plan). */
export const STATE_FILE = "terraform.tfstate";

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

/** Whether a diagnostic is the known one the offline override itself causes. */
export function isOfflineOverrideWarning(d: PlanDiagnostic): boolean {
  return d.severity === "warning" && d.range?.filename === OFFLINE_OVERRIDE_FILE && /role_arn/.test(d.detail ?? "");
}
