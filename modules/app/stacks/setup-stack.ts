import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformResource, TerraformStack } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AccessKey } from "../../iam/access-key";
import { warn } from "../../core/warnings";
import { CheckBlock } from "../../core/check-block";
import { AccountAlias } from "../../iam/account-alias";
import { AccountPasswordPolicy, CIS_PASSWORD_POLICY } from "../../iam/account-password-policy";
import { AdminGroup } from "../../iam/admin-group";
import { AdminUser } from "../../iam/admin-user";
import { partitionOfRegion } from "../../core/arns";
import { AccountConfig, AdminUserConfig, BackendConfig, accessKeyId } from "../config";
import { IncidentManagerServiceLinkedRole, incidentManagerRoleArn } from "../../incident-manager/service-linked-role";
import { IncidentManagerSetupPolicy } from "../../incident-manager/setup-policy";
import { RemovedBlocks } from "../../core/removed-block";
import { addProviderAndBackend } from "./foundation";
import { placeIn } from "../places";

export { ASSUME_ROLE_SESSION_NAME } from "./foundation";

/** Name of the output with the admin users (no plain-text secret). */
export const USERS_OUTPUT = "admin_users";
/** Name of the sensitive output with the plain-text secrets. */
export const SECRETS_OUTPUT = "admin_user_secrets";

/** An access key in the {@link USERS_OUTPUT} output. */
export interface AccessKeyOutput {
  /** The access key id. */
  id: string;
  /** Active or Inactive. */
  status: string;
  /** The secret access key encrypted with the key's PGP key (pgpKey only). */
  encrypted_secret?: string;
  /** Fingerprint of that PGP key (pgpKey only). */
  key_fingerprint?: string;
  /** ARN of the Secrets Manager secret holding the key pair (secretStore only). */
  secret_arn?: string;
}

/** A user in the {@link USERS_OUTPUT} output. */
export interface AdminUserOutput {
  /** ARN of the user. */
  arn: string;
  /** Whether the user signs in to the console. */
  console: boolean;
  /** The initial password encrypted with console.pgpKey (console.pgpKey only). */
  encrypted_password?: string;
  /** Fingerprint of that PGP key (console.pgpKey only). */
  password_key_fingerprint?: string;
  /** By key id (accessKeys[].id). */
  access_keys: Record<string, AccessKeyOutput>;
}

/** A user in the {@link SECRETS_OUTPUT} output: only the secrets kept in plain text. */
export interface AdminUserSecrets {
  /** The initial console password, without console.pgpKey. */
  password?: string;
  /** Secret access key by key id. */
  access_keys: Record<string, string>;
}

/** Name of the output that says who else administers the account (`existingAdministrators`). */
export const EXISTING_ADMINISTRATORS_OUTPUT = "existing_administrators";

/** Name of the Terraform check that warns when the deploying identity is the root user. */
export const ROOT_CHECK_NAME = "deploying_identity_is_not_root";

/** Properties of an {@link IncidentManagerSetupStack}. */
export interface IncidentManagerSetupStackProps {
  /** The validated configuration of one account (an entry of `accounts[]`). */
  readonly account: AccountConfig;
  /**
   * Where the stack keeps its state.
   * @default - local: terraform.<stack>.tfstate in the project folder
   */
  readonly backend?: BackendConfig;
}

/**
 * Everything the guide "Setting up for Incident Manager" asks for, in one AWS account:
 * the administrators group, its users with console sign-in and access keys, the account's
 * sign-in settings, and the Incident Manager service-linked role. One stack (one Terraform
 * state) per account.
 */
export class IncidentManagerSetupStack extends TerraformStack {
  /** The administrators group (none in an account administered through Identity Center only: `adminUsers: []`). */
  public readonly adminGroup?: AdminGroup;
  /** The admin users, in configuration order. */
  public readonly adminUsers: AdminUser[] = [];
  /** The access keys, in configuration order. */
  public readonly accessKeys: AccessKey[] = [];
  /** The Incident Manager service-linked role. */
  public readonly serviceLinkedRole: IncidentManagerServiceLinkedRole;
  /** The account password policy, when the configuration manages it. */
  public readonly passwordPolicy?: AccountPasswordPolicy;
  /** The value of the {@link USERS_OUTPUT} output, by user name. */
  private readonly usersOutput: Record<string, AdminUserOutput> = {};
  /** The value of the {@link SECRETS_OUTPUT} output, by user name. */
  private readonly secretsOutput: Record<string, AdminUserSecrets> = {};
  /** The check block that warns when Terraform runs as the root user. */
  public readonly rootCheck: CheckBlock;

  private readonly partition: DataAwsPartition;
  private readonly account: AccountConfig;

  constructor(scope: Construct, id: string, props: IncidentManagerSetupStackProps) {
    super(scope, id);
    const { account } = props;
    this.account = account;

    addProviderAndBackend(this, id, account, props.backend ?? { type: "local" });

    this.partition = new DataAwsPartition(this, "Partition");
    const caller = new DataAwsCallerIdentity(this, "CallerIdentity");
    this.rootCheck = this.rootCheckOf(caller);

    if (account.adminUsers.length > 0) {
      this.adminGroup = placeIn(
        new AdminGroup(this, "AdminGroup", {
          partition: this.partition,
          groupName: account.adminGroup.name,
          path: account.adminGroup.path,
          enforceMfa: account.adminGroup.enforceMfa,
          mfaNotRequiredFor: account.adminUsers.filter((user) => !user.requireMfa).map((user) => user.name),
          adoptInPartition: account.adminGroup.adopt ? partitionOfRegion(account.region) : undefined,
        }),
        { where: "adminGroup" },
      );
      output(this, "admin_group_name", this.adminGroup.groupName, "Name of the administrators group");
      output(this, "admin_group_arn", this.adminGroup.groupArn, "ARN of the administrators group");
    }

    this.addSignIn(caller);
    this.passwordPolicy = this.passwordPolicyOf();
    const group = this.adminGroup;
    if (group) {
      account.adminUsers.forEach((userConfig, u) => this.addUser(userConfig, u, group));
      new TerraformOutput(this, USERS_OUTPUT, {
        value: this.usersOutput,
        description:
          "The admin users by name: ARN, console sign-in, access keys (id, status, encrypted secret or secret ARN); no plain-text secret",
      });
      new TerraformOutput(this, SECRETS_OUTPUT, {
        value: this.secretsOutput,
        sensitive: true,
        description: "Plain-text secrets by user name: initial console password and secret access keys without a PGP key",
      });
    }

    const mode = account.incidentManager.serviceLinkedRole;
    this.serviceLinkedRole = new IncidentManagerServiceLinkedRole(this, "IncidentManagerServiceLinkedRole", {
      mode,
      // A literal ARN (an import block's id must be known; Terraform 1.5 takes only literals), in
      // the account that allowed_account_ids pins: a wrong profile cannot import another account's role.
      importArn: account.accountId ? incidentManagerRoleArn(partitionOfRegion(account.region), account.accountId) : undefined,
    });
    output(this, "incident_manager_role_arn", this.serviceLinkedRole.roleArn, "ARN of AWSServiceRoleForIncidentManager");

    if (account.existingAdministrators !== undefined) {
      output(
        this,
        EXISTING_ADMINISTRATORS_OUTPUT,
        account.existingAdministrators,
        "Administrators managed outside this app (as configured)",
      );
    }

    if (account.incidentManager.setupPolicy) {
      const policy = new IncidentManagerSetupPolicy(this, "IncidentManagerSetupPolicy", {
        partition: this.partition.partition,
      });
      output(
        this,
        "incident_manager_setup_policy_arn",
        policy.policyArn,
        "ARN of the policy that allows only creating AWSServiceRoleForIncidentManager",
      );
    }
  }

  /**
   * What a retired stack (`RetiredStack`) must forget rather than destroy: the managed
   * service-linked role (deleting it cuts Incident Manager off) and everything adopted, which
   * existed before this app (an adopted group with its AdministratorAccess attachment, adopted
   * users with their login profiles, and their memberships of an adopted group). Addresses, in tree order.
   */
  public keepOnRetire(): string[] {
    const kept: TerraformResource[] = [];
    if (this.serviceLinkedRole.role) kept.push(this.serviceLinkedRole.role);
    if (this.adminGroup?.adopted) kept.push(this.adminGroup.group, this.adminGroup.administratorAccess);
    for (const user of this.adminUsers.filter((u) => u.adopted)) {
      kept.push(user.user, ...(user.loginProfile ? [user.loginProfile] : []));
      // A group the app made is deleted, and IAM's DeleteGroup refuses a group with members
      // ("DeleteConflict"): the membership goes first (it depends on the group). In an adopted
      // group, which stays, the adopted user stays a member.
      if (this.adminGroup?.adopted) kept.push(user.groupMembership);
    }
    return kept.map(RemovedBlocks.addressOf);
  }

  /**
   * The guide: keep the root user for the few tasks that need it. A plan or apply run as root
   * (fine for the very first bootstrap of a new account) warns to use the new admin user from now on.
   */
  private rootCheckOf(caller: DataAwsCallerIdentity): CheckBlock {
    return new CheckBlock(this, "RootCheck", {
      name: ROOT_CHECK_NAME,
      condition: `!endswith(data.aws_caller_identity.${caller.friendlyUniqueId}.arn, ":root")`,
      errorMessage:
        "Terraform runs as the account's root user. That is fine for the first bootstrap of a new account only: " +
        (this.account.adminUsers.length > 0
          ? "from now on sign in as one of the admin users created here (see the signin_url output) "
          : "from now on sign in through the AWS access portal (IAM Identity Center, the identity-center stack's access_portal_url) ") +
        "and keep the root user for the tasks that require it.",
    });
  }

  /** Account alias and the sign-in URL. */
  private addSignIn(caller: DataAwsCallerIdentity): void {
    const { account } = this;
    const alias = account.accountAlias
      ? new AccountAlias(this, "AccountAlias", { alias: account.accountAlias }).accountAlias
      : caller.accountId;
    const signinHost = Fn.lookup(
      { "aws-cn": "signin.amazonaws.cn", "aws-us-gov": "signin.amazonaws-us-gov.com" },
      this.partition.partition,
      "signin.aws.amazon.com",
    );
    if (account.adminUsers.length > 0) {
      output(this, "signin_url", `https://${alias}.${signinHost}/console`, "Console sign-in URL for the IAM users of this account");
    }
  }

  /** The account password policy, when the configuration manages it (else a warning if anyone signs in). */
  private passwordPolicyOf(): AccountPasswordPolicy | undefined {
    const { account } = this;
    if (account.passwordPolicy !== false) {
      return new AccountPasswordPolicy(this, "PasswordPolicy", {
        settings: account.passwordPolicy === true ? CIS_PASSWORD_POLICY : account.passwordPolicy,
      });
    }
    if (account.adminUsers.some((user) => user.console !== false)) {
      warn(
        this,
        "password-policy-unmanaged",
        "passwordPolicy is not managed: console passwords follow whatever password policy the account has " +
          "(CIS 1.8/1.9, Checkov CKV_AWS_9-15). Set passwordPolicy: true for the CIS values.",
      );
    }
    return undefined;
  }

  private addUser(userConfig: AdminUserConfig, u: number, group: AdminGroup): void {
    const where = `adminUsers[${u}]`;
    const user = new AdminUser(this, `AdminUser-${userConfig.name}`, {
      userName: userConfig.name,
      path: userConfig.path,
      group,
      console: userConfig.console,
      passwordPolicy: this.passwordPolicy,
      requireMfa: userConfig.requireMfa,
      adopt: userConfig.adopt,
    });
    placeIn(user, { where: `${where} (${userConfig.name})`, user: userConfig.name });
    this.adminUsers.push(user);
    const entry: AdminUserOutput = { arn: user.userArn, console: user.loginProfile !== undefined, access_keys: {} };
    const secrets: AdminUserSecrets = { access_keys: {} };
    this.usersOutput[userConfig.name] = entry;

    if (user.loginProfile) {
      if (user.passwordPgpProtected) {
        entry.encrypted_password = user.loginProfile.encryptedPassword;
        entry.password_key_fingerprint = user.loginProfile.keyFingerprint;
      } else {
        secrets.password = user.loginProfile.password;
      }
    }

    userConfig.accessKeys.forEach((keyConfig, k) => {
      const keyId = accessKeyId(keyConfig, k);
      const key = new AccessKey(user, `AccessKey-${keyId}`, {
        user,
        status: keyConfig.status,
        pgpKey: keyConfig.pgpKey,
        secretStore: keyConfig.secretStore
          ? {
              namePrefix: `incident-manager-setup/${userConfig.name.replace(/,/g, "_")}/access-key-${keyId}-`,
              kmsKeyId: keyConfig.kmsKeyId,
            }
          : undefined,
      });
      placeIn(key, { where: `${where}.accessKeys[${k}] (${userConfig.name}, key ${keyId})`, user: userConfig.name });
      this.accessKeys.push(key);
      const keyEntry: AccessKeyOutput = { id: key.accessKeyId, status: keyConfig.status };
      entry.access_keys[keyId] = keyEntry;
      if (key.pgpProtected) {
        keyEntry.encrypted_secret = key.encryptedSecretAccessKey;
        keyEntry.key_fingerprint = key.keyFingerprint;
      } else if (key.secret) {
        keyEntry.secret_arn = key.secret.arn;
      } else {
        secrets.access_keys[keyId] = key.secretAccessKey;
      }
    });
    if (secrets.password !== undefined || Object.keys(secrets.access_keys).length > 0) this.secretsOutput[userConfig.name] = secrets;

    if (userConfig.keyRotationInProgress) {
      warn(
        user,
        "key-rotation-in-progress",
        "key rotation in progress (keyRotationInProgress: true). When clients use the new key, " +
          "make the old key Inactive, then remove it and keyRotationInProgress (docs/operating.md: Rotating access keys).",
      );
    }
  }
}

function output(scope: Construct, name: string, value: string, description: string, sensitive = false): void {
  new TerraformOutput(scope, name, { value, description, sensitive: sensitive || undefined });
}
