import { Construct } from "constructs";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { Token } from "cdktf";
import { PASSWORD_POLICY_BOUNDS } from "../core/aws-rules";

/** The settings of an account password policy. */
export interface PasswordPolicySettings {
  /** Minimum length, 6-128. */
  readonly minimumLength: number;
  /** Whether a password needs a lowercase letter. */
  readonly requireLowercase: boolean;
  /** Whether a password needs an uppercase letter. */
  readonly requireUppercase: boolean;
  /** Whether a password needs a digit. */
  readonly requireNumbers: boolean;
  /** Whether a password needs a symbol. */
  readonly requireSymbols: boolean;
  /** How many previous passwords cannot be reused, 1-24. */
  readonly passwordReusePrevention: number;
  /** Days a password is valid, 1-1095. */
  readonly maxPasswordAge: number;
  /** Whether users may change their own password. */
  readonly allowUsersToChangePassword: boolean;
  /** Whether an expired password can only be reset by an administrator. */
  readonly hardExpiry: boolean;
}

/** CIS AWS Foundations 1.8/1.9 (and Checkov CKV_AWS_9 to CKV_AWS_15) values. */
export const CIS_PASSWORD_POLICY: PasswordPolicySettings = {
  minimumLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  passwordReusePrevention: 24,
  maxPasswordAge: 90,
  allowUsersToChangePassword: true,
  hardExpiry: false,
};

/** Properties of an {@link AccountPasswordPolicy}. */
export interface AccountPasswordPolicyProps {
  /**
   * The settings.
   * @default CIS_PASSWORD_POLICY
   */
  readonly settings?: PasswordPolicySettings;
}

/** The account's IAM password policy (one per account: it replaces any policy set before). */
export class AccountPasswordPolicy extends Construct {
  /** The policy resource. */
  public readonly resource: IamAccountPasswordPolicy;
  /** The settings applied. */
  public readonly settings: PasswordPolicySettings;

  constructor(scope: Construct, id: string, props: AccountPasswordPolicyProps = {}) {
    super(scope, id);
    const s = props.settings ?? CIS_PASSWORD_POLICY;
    for (const [field, { min, max }] of Object.entries(PASSWORD_POLICY_BOUNDS)) {
      const value = s[field as keyof typeof PASSWORD_POLICY_BOUNDS];
      if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
        throw new Error(`settings.${field}: ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
      }
    }
    this.settings = s;
    this.resource = new IamAccountPasswordPolicy(this, "Resource", {
      minimumPasswordLength: s.minimumLength,
      requireLowercaseCharacters: s.requireLowercase,
      requireUppercaseCharacters: s.requireUppercase,
      requireNumbers: s.requireNumbers,
      requireSymbols: s.requireSymbols,
      passwordReusePrevention: s.passwordReusePrevention,
      maxPasswordAge: s.maxPasswordAge,
      allowUsersToChangePassword: s.allowUsersToChangePassword,
      hardExpiry: s.hardExpiry,
    });
  }
}
