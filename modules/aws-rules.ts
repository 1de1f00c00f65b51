// AWS naming and bounds rules: one definition, used by the configuration schema (config.ts) and
// by the constructs that validate their props (errors name the prop; the app's configuration
// errors name the JSON path).
import { Token } from "cdktf";

const NAME_CHARS = "letters, digits and +=,.@_-";

/** IAM's rule for user (max 64) and group (max 128) names. */
export function iamNamePattern(max: number): RegExp {
  return new RegExp(`^[A-Za-z0-9+=,.@_-]{1,${max}}$`);
}

/** The rule, as an error message states it. */
export function iamNameRule(kind: string, max: number): string {
  return `is not a valid IAM ${kind} name (1-${max} of ${NAME_CHARS})`;
}

/** IAM's rule for paths: "/" or "/" + printable ASCII + "/", at most 512 characters. */
export const IAM_PATH_PATTERN = /^(\/|\/[\x21-\x7e]{1,510}\/)$/;
export const IAM_PATH_RULE = 'is not a valid IAM path ("/" or "/" + printable ASCII + "/", at most 512 characters)';

/** Throws when a literal IAM name breaks IAM's rule. Unresolved tokens are left to Terraform. */
export function validateIamName(field: string, value: string, kind: string, max: number): void {
  if (!Token.isUnresolved(value) && !iamNamePattern(max).test(value)) {
    throw new Error(`${field}: ${JSON.stringify(value)} ${iamNameRule(kind, max)}`);
  }
}

/** Throws when a literal IAM path breaks IAM's rule. Unresolved tokens are left to Terraform. */
export function validateIamPath(field: string, value: string): void {
  if (!Token.isUnresolved(value) && !IAM_PATH_PATTERN.test(value)) {
    throw new Error(`${field}: ${JSON.stringify(value)} ${IAM_PATH_RULE}`);
  }
}

/**
 * IAM's rule for account aliases (IAM API Reference, CreateAccountAlias): 3-63 of lowercase
 * letters, digits and single hyphens inside; not 12 digits (it would read as an account id).
 */
export const ACCOUNT_ALIAS_PATTERN = /^(?!\d{12}$)[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;
export const ACCOUNT_ALIAS_RULE =
  "is not a valid account alias (3-63 of lowercase letters, digits and single hyphens inside, not 12 digits)";

/** IAM's bounds of the account password policy (IAM API Reference, UpdateAccountPasswordPolicy). */
export const PASSWORD_POLICY_BOUNDS = {
  minimumLength: { min: 6, max: 128, what: "AWS allows 6-128 characters" },
  passwordReusePrevention: { min: 1, max: 24, what: "AWS remembers 1-24 passwords" },
  maxPasswordAge: { min: 1, max: 1095, what: "days; AWS allows 1-1095" },
} as const;

/** A copy in Secrets Manager of a PGP-encrypted secret would hold only the encrypted secret. */
export const SECRET_STORE_WITH_PGP_RULE = "cannot be combined with pgpKey (Secrets Manager would get the encrypted secret)";
