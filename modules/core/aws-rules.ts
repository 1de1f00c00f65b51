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

/** A pattern and the rule it checks, as an error message states it. */
export interface PatternRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/** An AWS account id. */
export const ACCOUNT_ID: PatternRule = { pattern: /^\d{12}$/, rule: "is not an AWS account id (12 digits)" };

/** An IAM role ARN in any partition (role names: IAM API Reference, CreateRole). */
export const ROLE_ARN: PatternRule = {
  pattern: /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\x21-\x7e]*\/)?[A-Za-z0-9+=,.@_-]{1,64}$/,
  rule: "is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)",
};

/** What the provider's kms_key_id accepts: a key id, key ARN, alias name or alias ARN (KMS Developer Guide, "Key identifiers"). */
export const KMS_KEY_ID: PatternRule = {
  pattern: new RegExp(
    "^(" +
      [
        "arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/[A-Za-z0-9/_-]+",
        "alias/[A-Za-z0-9/_-]+",
        "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
      ].join("|") +
      ")$",
  ),
  rule: "is not a KMS key id, key ARN, alias name (alias/...) or alias ARN",
};

/** S3 bucket names (S3 User Guide, "General purpose bucket naming rules"). */
export const S3_BUCKET: PatternRule = {
  pattern: /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  rule: "is not a valid S3 bucket name (3-63 of lowercase letters, digits, dots and hyphens)",
};

/** S3 object keys: 1-1024 characters (the state key must not start with a space). */
export const S3_KEY: PatternRule = { pattern: /^[^\s].{0,1023}$/, rule: "is not a valid S3 object key (1-1024 characters)" };

/** DynamoDB table names (DynamoDB Developer Guide, "Naming rules"). */
export const DYNAMODB_TABLE: PatternRule = {
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  rule: "is not a valid DynamoDB table name (3-255 of letters, digits and _.-)",
};

/**
 * IAM's tag rules (IAM User Guide, "Tagging IAM resources", Tag naming rules): keys 1-128 and
 * values 0-256 Unicode characters of letters, digits, spaces and _ . : / = + - @; keys must not
 * start with "aws:"; at most 50 tags per resource.
 */
export const TAG_RULES = {
  chars: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  charsText: "letters, digits, spaces and _ . : / = + - @",
  keyMax: 128,
  valueMax: 256,
  maxTags: 50,
  reservedPrefix: "aws:",
} as const;

// ---------------------------------------------------------------------------------------------
// IAM Identity Center. The patterns and lengths are the service models' (AWS SDK, botocore
// data/identitystore/2020-06-15 and data/sso-admin/2020-07-20 service-2.json; checked against
// them by __tests__/integration/aws-rules.test.ts when botocore is installed).

/** Identity store user names (CreateUser UserName): 1-128 letters, marks, symbols, digits, punctuation. */
export const IDENTITY_STORE_USER_NAME: PatternRule = {
  pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u,
  rule: "is not a valid Identity Center user name (1-128 letters, digits, symbols and punctuation, no spaces)",
};

/** Identity store display names and name parts (DisplayName, GivenName, FamilyName): 1-1024 characters, spaces allowed. */
export const IDENTITY_STORE_TEXT: PatternRule = {
  pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u00a0\u3000]{1,1024}$/u,
  rule: "is not a valid Identity Center name (1-1024 letters, digits, symbols, punctuation and spaces)",
};

/**
 * "Administrator and AWSAdministrators are reserved names and can't be used for users or
 * groups" (Identity Store API Reference, CreateUser UserName and CreateGroup DisplayName).
 * Compared ignoring case here, to be safe.
 */
export const IDENTITY_STORE_RESERVED_NAMES = ["Administrator", "AWSAdministrators"] as const;

/** Permission set names (CreatePermissionSet Name): 1-32 of letters, digits and +=,.@_-. */
export const PERMISSION_SET_NAME: PatternRule = {
  pattern: /^[\w+=,.@-]{1,32}$/,
  rule: "is not a valid permission set name (1-32 of letters, digits and +=,.@_-)",
};

/**
 * A permission set's session duration: ISO-8601 hours and minutes, 1 to 12 hours ("The length
 * of time that the application user sessions are valid for in the ISO-8601 standard"; the IAM
 * Identity Center User Guide, "Set session duration": 1 hour minimum, 12 hours maximum).
 */
export const SESSION_DURATION = {
  pattern: /^PT(?:(\d{1,2})H)?(?:(\d{1,3})M)?$/,
  minMinutes: 60,
  maxMinutes: 720,
  rule: 'is not a session duration of 1 to 12 hours in ISO-8601 ("PT1H" to "PT12H", or with minutes, e.g. "PT1H30M")',
} as const;

/** The minutes of an ISO-8601 session duration, or undefined when it is not `PT<h>H<m>M`. */
export function sessionDurationMinutes(value: string): number | undefined {
  const match = SESSION_DURATION.pattern.exec(value);
  if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** Throws when a literal identity store user or group name breaks the store's rule. */
export function validateIdentityStoreName(field: string, value: string, kind: "user" | "group"): void {
  if (Token.isUnresolved(value)) return;
  const rule = kind === "user" ? IDENTITY_STORE_USER_NAME : IDENTITY_STORE_TEXT;
  if (!rule.pattern.test(value)) throw new Error(`${field}: ${JSON.stringify(value)} ${rule.rule}`);
  if (IDENTITY_STORE_RESERVED_NAMES.some((r) => r.toLowerCase() === value.toLowerCase())) {
    throw new Error(`${field}: ${JSON.stringify(value)} ${IDENTITY_STORE_RESERVED_RULE}`);
  }
}

export const IDENTITY_STORE_RESERVED_RULE = `is reserved by IAM Identity Center (${IDENTITY_STORE_RESERVED_NAMES.join(", ")})`;

/** Throws when a literal permission set name or session duration breaks Identity Center's rule. */
export function validatePermissionSet(name: string, sessionDuration: string): void {
  if (!Token.isUnresolved(name) && !PERMISSION_SET_NAME.pattern.test(name)) {
    throw new Error(`name: ${JSON.stringify(name)} ${PERMISSION_SET_NAME.rule}`);
  }
  if (!Token.isUnresolved(sessionDuration) && !sessionDurationAllowed(sessionDuration)) {
    throw new Error(`sessionDuration: ${JSON.stringify(sessionDuration)} ${SESSION_DURATION.rule}`);
  }
}

/** Whether an ISO-8601 session duration is within 1 to 12 hours. */
export function sessionDurationAllowed(value: string): boolean {
  const minutes = sessionDurationMinutes(value);
  return minutes !== undefined && minutes >= SESSION_DURATION.minMinutes && minutes <= SESSION_DURATION.maxMinutes;
}
