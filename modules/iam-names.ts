// Rules IAM applies to names and paths, shared by the constructs that validate their props.
import { Token } from "cdktf";

const NAME_CHARS = "letters, digits and +=,.@_-";

/**
 * Throws when a literal IAM name breaks IAM's rule (1-max of letters, digits and +=,.@_-).
 * Unresolved tokens are left to Terraform.
 */
export function validateIamName(field: string, value: string, kind: string, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!new RegExp(`^[A-Za-z0-9+=,.@_-]{1,${max}}$`).test(value)) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a valid IAM ${kind} name (1-${max} of ${NAME_CHARS})`);
  }
}

/** Throws when a literal IAM path is neither "/" nor "/.../" of printable ASCII (at most 512). */
export function validateIamPath(field: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (!/^(\/|\/[\x21-\x7e]{1,510}\/)$/.test(value)) {
    throw new Error(
      `${field}: ${JSON.stringify(value)} is not a valid IAM path ("/" or "/" + printable ASCII + "/", at most 512 characters)`,
    );
  }
}
