import { LocalBackend, S3Backend, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BackendConfig } from "../config";
import { warn } from "../../core/warnings";

/** AWS's documentation example account id: no real account has it (the shipped sample pins it). */
export const EXAMPLE_ACCOUNT_ID = "111122223333";

/** Session name the provider uses when it assumes `assumeRoleArn` (visible in CloudTrail). */
export const ASSUME_ROLE_SESSION_NAME = "incident-manager-setup";

/** Where and as whom a stack runs: the part of an account's (or Identity Center's) configuration the provider needs. */
export interface StackTarget {
  /** Region of the AWS provider. */
  readonly region: string;
  /** Becomes allowed_account_ids: the provider refuses credentials of any other account. */
  readonly accountId?: string;
  /** Role the provider assumes (session name {@link ASSUME_ROLE_SESSION_NAME}). */
  readonly assumeRoleArn?: string;
  /** Default tags of every resource. */
  readonly tags: Record<string, string>;
}

/** Name of the Terraform variable that holds the role the provider assumes. */
export const ASSUME_ROLE_VARIABLE = "assume_role_arn";

/**
 * The role the provider assumes, as a Terraform variable whose default is the configured
 * `assumeRoleArn` (the apply role): `cdktf deploy` and a plain `terraform apply` assume it as
 * before, and a CI job that already holds a role (the read-only plan role, or the apply role,
 * through GitHub OIDC) sets `TF_VAR_assume_role_arn=""`, which turns assume_role off: the same
 * synthesized stack is planned with one role and applied with the other.
 */
function assumeRoleVariable(stack: TerraformStack, roleArn: string): string {
  return new TerraformVariable(stack, ASSUME_ROLE_VARIABLE, {
    type: "string",
    default: roleArn,
    description: 'Role the AWS provider assumes; "" uses the credentials Terraform runs with (CI jobs that assumed a role)',
  }).stringValue;
}

/**
 * The provider and backend every stack of the app has: the AWS provider pinned to the account,
 * assuming the role when one is given, with the default tags; the state local or in S3.
 */
export function addProviderAndBackend(stack: TerraformStack, id: string, target: StackTarget, backend: BackendConfig): AwsProvider {
  const provider = new AwsProvider(stack, "aws", {
    region: target.region,
    allowedAccountIds: target.accountId ? [target.accountId] : undefined,
    assumeRole: target.assumeRoleArn
      ? [{ roleArn: assumeRoleVariable(stack, target.assumeRoleArn), sessionName: ASSUME_ROLE_SESSION_NAME }]
      : undefined,
    defaultTags: Object.keys(target.tags).length > 0 ? [{ tags: target.tags }] : undefined,
  });
  if (target.accountId === EXAMPLE_ACCOUNT_ID) {
    warn(
      stack,
      "example-account-id",
      `accountId ${EXAMPLE_ACCOUNT_ID} is AWS's documentation example, which no real account has: the provider's ` +
        "allowed_account_ids refuses every real account's credentials, so this stack cannot be applied anywhere. " +
        "Set accountId to the id of your account (and SETUP_CONFIG to your configuration file).",
    );
  }
  if (backend.type === "local") {
    // Relative to the stack's folder (cdktf.out/stacks/<name>), where cdktf and terraform run:
    // the state lands in the project folder, and the synthesized JSON does not depend on where
    // the project sits (cdktf's default is an absolute path).
    new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
    return provider;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: backend.key
      .split("{stack}")
      .join(id)
      .split("{accountId}")
      .join(target.accountId ?? ""),
    region: backend.region,
    encrypt: backend.encrypt,
    dynamodbTable: backend.dynamodbTable,
  });
  // use_lockfile (Terraform 1.10+) is not in cdktf 0.21's typed S3 backend props.
  if (backend.useLockfile) s3.addOverride("use_lockfile", true);
  return provider;
}
