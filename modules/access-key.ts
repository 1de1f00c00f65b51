import { Construct } from "constructs";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { Token } from "cdktf";
import { AdminUser } from "./admin-user";

/** Status of an access key. */
export type AccessKeyStatus = "Active" | "Inactive";

/** Properties of an {@link AccessKey}. */
export interface AccessKeyProps {
  /** The user the key belongs to. */
  readonly user: AdminUser;
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
}

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

  constructor(scope: Construct, id: string, props: AccessKeyProps) {
    super(scope, id);
    const status = props.status ?? "Active";
    if (!Token.isUnresolved(status) && status !== "Active" && status !== "Inactive") {
      throw new Error(`accessKeys.status: ${JSON.stringify(status)} must be "Active" or "Inactive"`);
    }
    this.key = new IamAccessKey(this, "Resource", {
      user: props.user.userName,
      status,
      pgpKey: props.pgpKey,
    });
    this.pgpProtected = props.pgpKey !== undefined;
    this.accessKeyId = this.key.id;
    this.secretAccessKey = this.key.secret;
    this.encryptedSecretAccessKey = this.key.encryptedSecret;
    this.keyFingerprint = this.key.keyFingerprint;
  }
}
