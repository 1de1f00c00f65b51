// Rules IAM applies to names and paths: one definition, used by the configuration schema
// (config.ts) and by the constructs that validate their props.
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
