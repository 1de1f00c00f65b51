import { Construct } from "constructs";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { Fn, Token } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SECRET_STORE_WITH_PGP_RULE } from "../core/aws-rules";
import { warn } from "../core/warnings";
import { skipCheckov } from "../core/checkov";
import type { IAdminUser } from "./admin-user";
import { DEFAULTS } from "../core/defaults";

/** Status of an access key. */
export type AccessKeyStatus = "Active" | "Inactive";

/** Properties of an {@link AccessKey}. */
export interface AccessKeyProps {
  /** The user the key belongs to: an `AdminUser`, or any {@link IAdminUser}. */
  readonly user: IAdminUser;
  /**
   * Whether the key can sign requests.
   * @default "Active"
   */
  readonly status?: AccessKeyStatus;
  /**
   * PGP public key ("keybase:<username>" or base64, no armor) that encrypts the secret access key.
   * With it, Terraform only ever holds the encrypted secret.
   * @default - the secret is stored in plain text in the Terraform state
   */
  readonly pgpKey?: string;
  /**
   * Also store the key pair in AWS Secrets Manager, where a person retrieves it with their own
   * AWS permissions. Not with `pgpKey`. The Terraform state still holds the secret.
   * @default - not stored in Secrets Manager
   */
  readonly secretStore?: AccessKeySecretStore;
}

/** Where {@link AccessKey} stores the key pair in AWS Secrets Manager. */
export interface AccessKeySecretStore {
  /** Prefix of the secret's name; AWS appends a unique suffix. */
  readonly namePrefix: string;
  /**
   * KMS key (id, ARN or alias) that encrypts the secret.
   * @default - the account's AWS managed key aws/secretsmanager
   */
  readonly kmsKeyId?: string;
}

/** The users already warned that they have keys beside a console password: once per user, on the user. */
const USERS_WARNED_OF_CONSOLE_KEYS = new WeakSet<IAdminUser>();

/** An IAM access key (access key id and secret access key) of an admin user. */
export class AccessKey extends Construct {
  /** The IAM access key. */
  public readonly key: IamAccessKey;
  /** The access key id, e.g. AKIAIOSFODNN7EXAMPLE. */
  public readonly accessKeyId: string;
  /** The secret access key; empty when a PGP key is set. Sensitive. */
  public readonly secretAccessKey: string;
  /** The secret access key encrypted with the PGP key; empty without one. */
  public readonly encryptedSecretAccessKey: string;
  /** Fingerprint of the PGP key that encrypted the secret; empty without one. */
  public readonly keyFingerprint: string;
  /** Whether the secret is encrypted with a PGP key. */
  public readonly pgpProtected: boolean;
  /** The Secrets Manager secret holding the key pair; undefined without a secret store. */
  public readonly secret?: SecretsmanagerSecret;

  constructor(scope: Construct, id: string, props: AccessKeyProps) {
    super(scope, id);
    const status = props.status ?? DEFAULTS.accessKeyStatus;
    if (!Token.isUnresolved(status) && status !== "Active" && status !== "Inactive") {
      throw new Error(`status: ${JSON.stringify(status)} must be "Active" or "Inactive"`);
    }
    this.key = new IamAccessKey(this, "Resource", {
      user: props.user.userName,
      status,
      pgpKey: props.pgpKey,
    });
    this.pgpProtected = props.pgpKey !== undefined;
    const user = props.user;
    if (user.consoleAccess && !USERS_WARNED_OF_CONSOLE_KEYS.has(user)) {
      USERS_WARNED_OF_CONSOLE_KEYS.add(user);
      warn(
        user,
        "keys-with-console",
        "CIS 1.11: access keys together with a console password. The guide creates both for the administrator; " +
          "give keys only to users who need programmatic access (accessKeys: []).",
      );
    }
    if (status === "Active" && user.mfaRequired) {
      warn(
        this,
        "key-needs-mfa-session",
        "this key works only through temporary credentials from `aws sts get-session-token --serial-number <MFA device ARN> " +
          "--token-code <code>`: the group's MFA policy denies every other request made without MFA.",
      );
    }
    if (!this.pgpProtected) {
      warn(
        this,
        "plaintext-secret-in-state",
        props.secretStore
          ? "the key pair goes to Secrets Manager, and the secret access key is still stored in plain text in the Terraform state. " +
              "Only pgpKey keeps it out of the state."
          : "the secret access key will be stored in plain text in the Terraform state (a sensitive output hides it, but anyone " +
              "who can read the state can read it). Set pgpKey on the key to keep only an encrypted secret in the state.",
      );
    }
    this.accessKeyId = this.key.id;
    this.secretAccessKey = this.key.secret;
    this.encryptedSecretAccessKey = this.key.encryptedSecret;
    this.keyFingerprint = this.key.keyFingerprint;

    if (props.secretStore) {
      if (this.pgpProtected) {
        throw new Error(`secretStore: ${SECRET_STORE_WITH_PGP_RULE}`);
      }
      this.secret = new SecretsmanagerSecret(this, "Secret", {
        namePrefix: props.secretStore.namePrefix,
        description: "IAM access key pair (AccessKeyId, SecretAccessKey) created by incident-manager-setup",
        kmsKeyId: props.secretStore.kmsKeyId,
      });
      skipCheckov(this.secret, {
        id: "CKV2_AWS_57",
        comment:
          "An IAM access key is rotated by replacing the key (docs/operating.md: Rotating access keys), not by a Secrets Manager rotation function.",
      });
      if (!props.secretStore.kmsKeyId) {
        skipCheckov(this.secret, {
          id: "CKV_AWS_149",
          comment: "No kmsKeyId configured: encrypted with the AWS managed key aws/secretsmanager.",
        });
      }
      new SecretsmanagerSecretVersion(this, "SecretVersion", {
        secretId: this.secret.id,
        secretString: Fn.jsonencode({ AccessKeyId: this.key.id, SecretAccessKey: this.key.secret }),
      });
    }
  }
}
