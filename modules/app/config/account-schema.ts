// The configuration of one account (accounts[]): its admin group, users, access keys, password policy
// and tags. Every AWS rule comes from core/aws-rules.ts; every default is the schema's (docs/configuration.md).
import { z } from "zod";
import { DEFAULTS } from "../../core/defaults";
import { CIS_PASSWORD_POLICY } from "../../iam/account-password-policy";
import { partitionOf } from "../../core/arns";
import {
  ACCOUNT_ALIAS_PATTERN,
  ACCOUNT_ALIAS_RULE,
  ACCOUNT_ID,
  IAM_PATH_PATTERN,
  IAM_PATH_RULE,
  KMS_KEY_ID,
  PASSWORD_POLICY_BOUNDS,
  PatternRule,
  ROLE_ARN,
  TAG_RULES,
  iamNamePattern,
  iamNameRule,
} from "../../core/aws-rules";

/** A string that must match an AWS naming rule, with the rule as its message. */
export const ruled = (rule: PatternRule) => z.string().regex(rule.pattern, { error: rule.rule });

/** A region of the AWS SDK's partition data (see arns.ts), with the rule as its message. */
export const region = () =>
  z.string({ error: 'must be a string naming an AWS region, such as "us-east-1"' }).refine((r) => partitionOf(r) !== undefined, {
    error: 'is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK\'s partition data)',
  });

const iamName = (kind: string, max: number) =>
  z
    .string()
    .regex(iamNamePattern(max), { error: iamNameRule(kind, max) })
    .describe(`IAM ${kind} name: 1-${max} of letters, digits and +=,.@_-`);

const iamPath = z
  .string()
  .regex(IAM_PATH_PATTERN, { error: IAM_PATH_RULE })
  .describe('IAM path: "/" or a string that begins and ends with "/"');

const pgpKey = z
  .string()
  .regex(/^(keybase:[A-Za-z0-9_-]{1,64}|[A-Za-z0-9+/=\r\n]{16,})$/, {
    error: 'is not a PGP public key ("keybase:<username>" or a base64-encoded public key without armor)',
  })
  .describe('PGP public key used to encrypt the secret: "keybase:<username>" or a base64-encoded public key (no armor)');

const AccessKeyStatus = z
  .enum(["Active", "Inactive"], { error: 'must be "Active" or "Inactive"' })
  .describe("Status of the key; an Inactive key is kept but cannot sign requests");

/** Schema of an entry of `adminUsers[].accessKeys` (an IAM access key). */
export const AccessKeySchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, {
        error: "is not a valid key id (1-32 of lowercase letters, digits and -, starting with a letter or digit)",
      })
      .optional()
      .describe(
        "Stable id of this key within the user (resource address, key in the admin_users output). " +
          'Default: "1" for the first key, "2" for the second',
      ),
    status: AccessKeyStatus.default(DEFAULTS.accessKeyStatus),
    pgpKey: pgpKey.optional(),
    secretStore: z
      .enum(["secretsmanager"], { error: 'must be "secretsmanager"' })
      .optional()
      .describe("Also store the key pair in AWS Secrets Manager (keys without pgpKey only); the state still holds the secret"),
    kmsKeyId: ruled(KMS_KEY_ID)
      .optional()
      .describe("KMS key that encrypts the stored secret (with secretStore). Default: the account's aws/secretsmanager key"),
  })
  .describe("An IAM access key of the user");

/** Schema of `adminUsers[].console`: console sign-in settings, or `false` for none. */
export const ConsoleSchema = z
  .union(
    [
      z.literal(false),
      z.strictObject({
        passwordResetRequired: z
          .boolean({ error: "must be true or false" })
          .default(DEFAULTS.passwordResetRequired)
          .describe("Whether the user must choose a new password at first sign-in"),
        pgpKey: pgpKey.optional(),
      }),
    ],
    { error: "must be false (no console access) or an object { passwordResetRequired?, pgpKey? }" },
  )
  .describe("Console sign-in (login profile), or false for no console access");

/** Schema of an entry of `accounts[].adminUsers` (an IAM admin user). */
export const AdminUserSchema = z.strictObject({
  name: iamName("user", 64).refine((name) => name.toLowerCase() !== "root", {
    error: "is reserved: the root user is not an IAM user, and it must never get access keys (CIS 1.4, Checkov CKV_AWS_348)",
  }),
  path: iamPath.default(DEFAULTS.iamPath),
  // prefault: the object's own field defaults fill it (no second copy of them here)
  console: ConsoleSchema.prefault({}),
  accessKeys: z
    .array(AccessKeySchema, { error: "must be a list of access keys" })
    // A refinement rather than .max(2), so that problems inside the keys are reported too.
    .refine((keys) => keys.length <= 2, {
      error: "has more than two access keys (IAM allows at most 2 per user)",
      when: (payload) => Array.isArray(payload.value),
    })
    .prefault([{}])
    .meta({ maxItems: 2, description: "0, 1 or 2 access keys (two only while rotating); default: one Active key" }),
  requireMfa: z
    .boolean({ error: "must be true or false" })
    .default(DEFAULTS.requireMfa)
    .describe(
      "Whether the group's MFA policy applies to this user. false only for users without console access (console: false) " +
        "whose access keys must work without `aws sts get-session-token` and an MFA code",
    ),
  keyRotationInProgress: z
    .boolean({ error: "must be true or false" })
    .default(false)
    .describe("Allows two Active keys while clients switch to the new key (CIS 1.13: at most one Active key otherwise)"),
  adopt: z
    .boolean({ error: "must be true or false" })
    .default(DEFAULTS.adopt)
    .describe(
      "The IAM user exists already: import it (and its login profile, unless console is false; the password stays as it is) " +
        "instead of creating it. Existing access keys stay outside Terraform (their secret cannot be imported); accessKeys " +
        "makes new ones, so adopt with accessKeys: [] to create none",
    ),
});

/** Schema of `accounts[].adminGroup` (the IAM administrators group). */
export const AdminGroupSchema = z.strictObject({
  name: iamName("group", 128).default(DEFAULTS.adminGroupName),
  path: iamPath.default(DEFAULTS.iamPath),
  enforceMfa: z
    .boolean({ error: "must be true or false" })
    .default(DEFAULTS.enforceMfa)
    .describe("Deny everything but setting up one's own password and MFA device until the user signs in with MFA"),
  adopt: z
    .boolean({ error: "must be true or false" })
    .default(DEFAULTS.adopt)
    .describe("The group exists already with AdministratorAccess attached: import both instead of creating them"),
});

const int = (min: number, max: number, what: string) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be from ${min} to ${max} (${what})` })
    .max(max, { error: `must be from ${min} to ${max} (${what})` })
    // A refinement rather than .int(): inside the union, .int() would hide the field's message.
    .refine(Number.isInteger, { error: `must be a whole number from ${min} to ${max}` })
    .meta({ type: "integer" });
const bounded = (field: keyof typeof PASSWORD_POLICY_BOUNDS) => {
  const { min, max, what } = PASSWORD_POLICY_BOUNDS[field];
  return int(min, max, what);
};
const flag = () => z.boolean({ error: "must be true or false" });

/** Schema of `accounts[].passwordPolicy`: `false`, `true` (the CIS values) or settings overriding some of them. */
export const PasswordPolicySchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        minimumLength: bounded("minimumLength").default(CIS_PASSWORD_POLICY.minimumLength),
        requireLowercase: flag().default(CIS_PASSWORD_POLICY.requireLowercase),
        requireUppercase: flag().default(CIS_PASSWORD_POLICY.requireUppercase),
        requireNumbers: flag().default(CIS_PASSWORD_POLICY.requireNumbers),
        requireSymbols: flag().default(CIS_PASSWORD_POLICY.requireSymbols),
        passwordReusePrevention: bounded("passwordReusePrevention").default(CIS_PASSWORD_POLICY.passwordReusePrevention),
        maxPasswordAge: bounded("maxPasswordAge").default(CIS_PASSWORD_POLICY.maxPasswordAge),
        allowUsersToChangePassword: flag().default(CIS_PASSWORD_POLICY.allowUsersToChangePassword),
        hardExpiry: flag().default(CIS_PASSWORD_POLICY.hardExpiry),
      }),
    ],
    {
      error:
        "must be true (the CIS values), false (not managed) or an object of minimumLength, " +
        "requireLowercase, requireUppercase, requireNumbers, " +
        "requireSymbols, passwordReusePrevention, maxPasswordAge, allowUsersToChangePassword, hardExpiry",
    },
  )
  .default(false)
  .describe("The account's IAM password policy: true = CIS values, an object overrides them, false = left as it is");

// Tags: length and characters are separate rules, each with its own message.
const { chars: TAG_CHARS, charsText: TAG_CHARS_RULE } = TAG_RULES;
const unicodeLength = (text: string) => [...text].length;
const { keyMax, valueMax, reservedPrefix } = TAG_RULES;
const tagKeySchema = z
  .string()
  .refine((k) => unicodeLength(k) >= 1 && unicodeLength(k) <= keyMax, { error: `is not a valid tag key (1-${keyMax} characters)` })
  .refine((k) => TAG_CHARS.test(k), { error: `is not a valid tag key (only ${TAG_CHARS_RULE})` })
  .refine((k) => !k.toLowerCase().startsWith(reservedPrefix), {
    error: `is not a valid tag key (must not start with "${reservedPrefix}", reserved by AWS)`,
  })
  .meta({ minLength: 1, maxLength: keyMax, pattern: `^(?![aA][wW][sS]:)${TAG_CHARS.source.slice(1)}` });
const tagValueSchema = z
  .string({ error: "must be a string" })
  .refine((v) => unicodeLength(v) <= valueMax, { error: `is not a valid tag value (at most ${valueMax} characters)` })
  .refine((v) => TAG_CHARS.test(v), { error: `is not a valid tag value (only ${TAG_CHARS_RULE})` })
  .meta({ maxLength: valueMax, pattern: TAG_CHARS.source });

export const stackName = () =>
  z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, {
    error: "is not a valid stack name (1-64 of lowercase letters, digits and hyphens, not starting or ending with a hyphen)",
  });
export const accountId = () =>
  z.string({ error: 'must be a string of 12 digits (quote it: "111122223333")' }).regex(ACCOUNT_ID.pattern, { error: ACCOUNT_ID.rule });
export const assumeRoleArn = () => ruled(ROLE_ARN).optional().describe("Role the provider assumes in the account");
export const planRoleArn = () =>
  ruled(ROLE_ARN).optional().describe("Read-only role a pull-request plan job assumes (docs/ci.md); assumeRoleArn is the apply role");
export const tags = () =>
  z
    .record(tagKeySchema, tagValueSchema)
    .refine((t) => Object.keys(t).length <= TAG_RULES.maxTags, { error: `has more than ${TAG_RULES.maxTags} tags` })
    .default({})
    .describe("Default tags applied to every resource");

/** Schema of an entry of `accounts` (one AWS account, one stack). */
export const AccountSchema = z.strictObject({
  name: stackName().describe("Stack name, unique: lowercase letters, digits and hyphens"),
  region: region().describe("AWS region of the provider, e.g. us-east-1"),
  accountId: accountId().optional().describe("Expected account id; becomes allowed_account_ids on the provider"),
  assumeRoleArn: assumeRoleArn(),
  planRoleArn: planRoleArn(),
  tags: tags(),
  accountAlias: z
    .string()
    .regex(ACCOUNT_ALIAS_PATTERN, { error: ACCOUNT_ALIAS_RULE })
    .optional()
    .describe("IAM account alias; the sign-in URL uses it"),
  passwordPolicy: PasswordPolicySchema,
  adminGroup: AdminGroupSchema.prefault({}).describe("The IAM administrators group of the guide, with AdministratorAccess"),
  adminUsers: z
    .array(AdminUserSchema, { error: "must be a list of admin users" })
    .describe(
      "IAM admin users; [] only in an account that identityCenter assigns to or with existingAdministrators " +
        "(then no IAM group or user is made)",
    ),
  existingAdministrators: z
    .string({ error: "must be a string saying who administers the account and how" })
    .min(1, { error: 'must not be empty: say who administers the account and how (e.g. "Okta SAML role OrgAdmin")' })
    .max(200, { error: "must be at most 200 characters" })
    .optional()
    .describe(
      'The account\'s administrators exist already and are managed outside this app (e.g. "Okta SAML role OrgAdmin"): ' +
        "adminUsers may then be []; the review says so",
    ),
  retire: z
    .boolean({ error: "must be true or false" })
    .default(false)
    .describe(
      "Take the account out: its stack then destroys what the app made (users with their keys and login profiles, group, " +
        "policies) and forgets (does not delete) the service-linked role and anything adopted. Apply it, then delete the entry",
    ),
  incidentManager: z
    .strictObject({
      serviceLinkedRole: z
        .enum(["auto", "create", "adopt", "reference"], { error: 'must be "auto", "create", "adopt" or "reference"' })
        .default(DEFAULTS.serviceLinkedRole)
        .describe(
          "auto: imports AWSServiceRoleForIncidentManager when the account has it, else creates it (Terraform 1.7+); " +
            "create: creates it (the apply fails if the account has it); adopt: imports the existing role; " +
            "reference: only reads it. All but reference manage it from then on",
        ),
      setupPolicy: z
        .boolean({ error: "must be true or false" })
        .default(false)
        .describe("Create a customer managed policy that allows only iam:CreateServiceLinkedRole for Incident Manager"),
    })
    .prefault({})
    .describe("The Incident Manager service-linked role, and an optional policy that allows only creating it"),
});

/** Stable id of an access key within its user: the configured id, else its position (1 or 2). */
export function accessKeyId(key: { id?: string }, index: number): string {
  return key.id ?? String(index + 1);
}
