import { Construct } from "constructs";
import { Annotations, Fn, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AccessKey } from "./access-key";
import { AdminGroup } from "./admin-group";
import { AdminUser } from "./admin-user";
import { AccountConfig, accessKeyId, outputPrefix } from "./config";
import { IncidentManagerServiceLinkedRole } from "./incident-manager-service-linked-role";

/** Session name the provider uses when it assumes `assumeRoleArn` (visible in CloudTrail). */
export const ASSUME_ROLE_SESSION_NAME = "incident-manager-setup";

/** Properties of an {@link IncidentManagerSetupStack}. */
export interface IncidentManagerSetupStackProps {
  /** The validated configuration of one account (an entry of `accounts[]`). */
  readonly account: AccountConfig;
}

/**
 * Everything the guide "Setting up for Incident Manager" asks for, in one AWS account:
 * the administrators group, its users with console sign-in and access keys, and the
 * Incident Manager service-linked role. One stack (one Terraform state) per account.
 */
export class IncidentManagerSetupStack extends TerraformStack {
  /** The administrators group. */
  public readonly adminGroup: AdminGroup;
  /** The admin users, in configuration order. */
  public readonly adminUsers: AdminUser[] = [];
  /** The access keys, in configuration order. */
  public readonly accessKeys: AccessKey[] = [];
  /** The Incident Manager service-linked role. */
  public readonly serviceLinkedRole: IncidentManagerServiceLinkedRole;

  constructor(scope: Construct, id: string, props: IncidentManagerSetupStackProps) {
    super(scope, id);
    const { account } = props;

    new AwsProvider(this, "aws", {
      region: account.region,
      allowedAccountIds: account.accountId ? [account.accountId] : undefined,
      assumeRole: account.assumeRoleArn
        ? [{ roleArn: account.assumeRoleArn, sessionName: ASSUME_ROLE_SESSION_NAME }]
        : undefined,
      defaultTags: Object.keys(account.tags).length > 0 ? [{ tags: account.tags }] : undefined,
    });
    // Relative to the stack's folder (cdktf.out/stacks/<name>), where cdktf and terraform run:
    // the state lands in the project folder, and the synthesized JSON does not depend on where
    // the project sits (cdktf's default is an absolute path).
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });

    const partition = new DataAwsPartition(this, "Partition");
    const caller = new DataAwsCallerIdentity(this, "CallerIdentity");

    this.adminGroup = new AdminGroup(this, "AdminGroup", {
      partition,
      groupName: account.adminGroup.name,
      path: account.adminGroup.path,
    });
    output(this, "admin_group_name", this.adminGroup.groupName, "Name of the administrators group");
    output(this, "admin_group_arn", this.adminGroup.groupArn, "ARN of the administrators group");

    const signinHost = Fn.lookup(
      { "aws-cn": "signin.amazonaws.cn", "aws-us-gov": "signin.amazonaws-us-gov.com" },
      partition.partition,
      "signin.aws.amazon.com",
    );
    output(this, "signin_url", `https://${caller.accountId}.${signinHost}/console`, "Console sign-in URL for the IAM users of this account");

    account.adminUsers.forEach((userConfig, u) => {
      const user = new AdminUser(this, `AdminUser-${userConfig.name}`, {
        userName: userConfig.name,
        path: userConfig.path,
        group: this.adminGroup,
        console: userConfig.console,
      });
      this.adminUsers.push(user);
      const prefix = outputPrefix(userConfig.name);
      const field = `adminUsers[${u}]`;
      output(this, `${prefix}_arn`, user.userArn, `ARN of IAM user ${userConfig.name}`);

      if (user.loginProfile) {
        if (user.passwordPgpProtected) {
          output(this, `${prefix}_encrypted_password`, user.loginProfile.encryptedPassword, `Initial console password of ${userConfig.name}, encrypted with its PGP key (base64)`);
          output(this, `${prefix}_password_key_fingerprint`, user.loginProfile.keyFingerprint, `Fingerprint of the PGP key that encrypted the password of ${userConfig.name}`);
        } else {
          output(this, `${prefix}_password`, user.loginProfile.password, `Initial console password of ${userConfig.name}`, true);
          Annotations.of(user).addWarning(
            `${field} (${userConfig.name}): the initial console password will be stored in plain text in the Terraform state ` +
              `(output ${prefix}_password is sensitive, but anyone who can read the state can read it). ` +
              `Set console.pgpKey to keep only an encrypted password in the state.`,
          );
        }
      }

      userConfig.accessKeys.forEach((keyConfig, k) => {
        const keyId = accessKeyId(keyConfig, k);
        const key = new AccessKey(user, `AccessKey-${keyId}`, {
          user,
          status: keyConfig.status,
          pgpKey: keyConfig.pgpKey,
        });
        this.accessKeys.push(key);
        const keyPrefix = `${prefix}_access_key_${keyId.replace(/-/g, "_")}`;
        output(this, `${keyPrefix}_id`, key.accessKeyId, `Access key id ${keyId} of ${userConfig.name}`);
        if (key.pgpProtected) {
          output(this, `${keyPrefix}_encrypted_secret`, key.encryptedSecretAccessKey, `Secret access key ${keyId} of ${userConfig.name}, encrypted with its PGP key (base64)`);
          output(this, `${keyPrefix}_key_fingerprint`, key.keyFingerprint, `Fingerprint of the PGP key that encrypted secret access key ${keyId} of ${userConfig.name}`);
        } else {
          output(this, `${keyPrefix}_secret`, key.secretAccessKey, `Secret access key ${keyId} of ${userConfig.name}`, true);
          Annotations.of(key).addWarning(
            `${field}.accessKeys[${k}] (${userConfig.name}, key ${keyId}): the secret access key will be stored in plain text in the Terraform state ` +
              `(output ${keyPrefix}_secret is sensitive, but anyone who can read the state can read it). ` +
              `Set pgpKey on the key to keep only an encrypted secret in the state.`,
          );
        }
      });
    });

    this.serviceLinkedRole = new IncidentManagerServiceLinkedRole(this, "IncidentManagerServiceLinkedRole");
    output(this, "incident_manager_role_arn", this.serviceLinkedRole.roleArn, "ARN of AWSServiceRoleForIncidentManager");
  }
}

function output(scope: Construct, name: string, value: string, description: string, sensitive = false): void {
  new TerraformOutput(scope, name, { value, description, sensitive: sensitive || undefined });
}
