// The configuration contract (see README "Configuration"): one schema, used to
// validate setup.config.json and to generate setup.schema.json for editors.
import { readFileSync, statSync } from "fs";
import { join, resolve } from "path";
import { ParseError, ParseErrorCode, parse as parseJsonc, printParseErrorCode, visit } from "jsonc-parser";
import { z } from "zod";
import { CIS_PASSWORD_POLICY } from "../../iam/account-password-policy";
import { ACKNOWLEDGEABLE, COMPARISON_IDS, WarningId } from "../../core/warnings";
import { partitionOf, partitionOfArn } from "../../core/arns";
import {
  ACCOUNT_ALIAS_PATTERN,
  ACCOUNT_ALIAS_RULE,
  ACCOUNT_ID,
  DYNAMODB_TABLE,
  IAM_PATH_PATTERN,
  IAM_PATH_RULE,
  KMS_KEY_ID,
  PASSWORD_POLICY_BOUNDS,
  ROLE_ARN,
  S3_BUCKET,
  S3_KEY,
  SECRET_STORE_WITH_PGP_RULE,
  SESSION_DURATION,
  TAG_RULES,
  IDENTITY_STORE_RESERVED_NAMES,
  IDENTITY_STORE_RESERVED_RULE,
  IDENTITY_STORE_TEXT,
  IDENTITY_STORE_USER_NAME,
  PERMISSION_SET_NAME,
  sessionDurationAllowed,
  iamNamePattern,
  iamNameRule,
} from "../../core/aws-rules";

/** A region of the AWS SDK's partition data (see arns.ts), with the rule as its message. */
const region = () =>
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
    status: AccessKeyStatus.default("Active"),
    pgpKey: pgpKey.optional(),
    secretStore: z
      .enum(["secretsmanager"], { error: 'must be "secretsmanager"' })
      .optional()
      .describe("Also store the key pair in AWS Secrets Manager (keys without pgpKey only); the state still holds the secret"),
    kmsKeyId: z
      .string()
      .regex(KMS_KEY_ID.pattern, { error: KMS_KEY_ID.rule })
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
          .default(true)
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
  path: iamPath.default("/"),
  console: ConsoleSchema.default({ passwordResetRequired: true }),
  accessKeys: z
    .array(AccessKeySchema, { error: "must be a list of access keys" })
    // A refinement rather than .max(2), so that problems inside the keys are reported too.
    .refine((keys) => keys.length <= 2, {
      error: "has more than two access keys (IAM allows at most 2 per user)",
      when: (payload) => Array.isArray(payload.value),
    })
    .default([{ status: "Active" }])
    .meta({ maxItems: 2, description: "0, 1 or 2 access keys (two only while rotating); default: one Active key" }),
  requireMfa: z
    .boolean({ error: "must be true or false" })
    .default(true)
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
    .default(false)
    .describe(
      "The IAM user exists already: import it (and its login profile, unless console is false; the password stays as it is) " +
        "instead of creating it. Existing access keys stay outside Terraform (their secret cannot be imported); accessKeys " +
        "makes new ones, so adopt with accessKeys: [] to create none",
    ),
});

/** Schema of `accounts[].adminGroup` (the IAM administrators group). */
export const AdminGroupSchema = z.strictObject({
  name: iamName("group", 128).default("Administrators"),
  path: iamPath.default("/"),
  enforceMfa: z
    .boolean({ error: "must be true or false" })
    .default(true)
    .describe("Deny everything but setting up one's own password and MFA device until the user signs in with MFA"),
  adopt: z
    .boolean({ error: "must be true or false" })
    .default(false)
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

const stackName = () =>
  z.string().regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, {
    error: "is not a valid stack name (1-64 of lowercase letters, digits and hyphens, not starting or ending with a hyphen)",
  });
const accountId = () =>
  z.string({ error: 'must be a string of 12 digits (quote it: "111122223333")' }).regex(ACCOUNT_ID.pattern, { error: ACCOUNT_ID.rule });
const assumeRoleArn = () =>
  z.string().regex(ROLE_ARN.pattern, { error: ROLE_ARN.rule }).optional().describe("Role the provider assumes in the account");
const tags = () =>
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
  planRoleArn: z
    .string()
    .regex(ROLE_ARN.pattern, { error: ROLE_ARN.rule })
    .optional()
    .describe("Read-only role a pull-request plan job assumes (README: Reviewing and applying in CI); assumeRoleArn is the apply role"),
  tags: tags(),
  accountAlias: z
    .string()
    .regex(ACCOUNT_ALIAS_PATTERN, { error: ACCOUNT_ALIAS_RULE })
    .optional()
    .describe("IAM account alias; the sign-in URL uses it"),
  passwordPolicy: PasswordPolicySchema,
  adminGroup: AdminGroupSchema.default({ name: "Administrators", path: "/", enforceMfa: true, adopt: false }),
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
        .default("auto")
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
    .default({ serviceLinkedRole: "auto", setupPolicy: false }),
});

/** Schema of an entry of `acknowledge`: a decided warning, why, and where. */
export const AcknowledgementSchema = z
  .strictObject(
    {
      id: z
        .enum(ACKNOWLEDGEABLE as [WarningId, ...WarningId[]], {
          error: `is not a warning id that can be acknowledged (ids: ${ACKNOWLEDGEABLE.join(", ")})`,
        })
        .describe("The warning's id, as synth prints it in brackets"),
      reason: z
        .string({ error: "must be a string: why the team accepts this warning" })
        .trim()
        .min(10, { error: "must say why the team accepts this warning (at least 10 characters)" })
        .max(500, { error: "must be at most 500 characters" })
        .describe("Why the team accepts the warning (the review lists it)"),
      account: z
        .string({ error: "must be the name of a stack (an accounts[] name or identityCenter.name)" })
        .optional()
        .describe("Only the warnings of this stack (an accounts[] name or identityCenter.name). Default: every stack"),
      user: z
        .string({ error: "must be a user name" })
        .optional()
        .describe("Only the warnings of this user (adminUsers[].name or identityCenter.users[].userName). Default: every user"),
    },
    {
      error:
        'must be an object { "id", "reason", "account"?, "user"? }: each acknowledgement says why (cdk-nag asks the same ' +
        'of a suppression), e.g. { "id": "<the id>", "reason": "<why the team accepts it, 10 characters or more>" }',
    },
  )
  .describe("A warning the team has decided on");

/** Schema of `backend` when the state is local (`{ "type": "local" }`). */
export const LocalBackendSchema = z
  .strictObject({ type: z.literal("local") })
  .describe("State in terraform.<stack>.tfstate in the project folder");

/** Schema of `backend` when the state is in S3 (`{ "type": "s3", ... }`). */
export const S3BackendSchema = z
  .strictObject({
    type: z.literal("s3"),
    bucket: z.string().regex(S3_BUCKET.pattern, { error: S3_BUCKET.rule }).describe("S3 bucket that holds the state"),
    key: z
      .string()
      .regex(S3_KEY.pattern, { error: S3_KEY.rule })
      .describe(
        'Object key of the state; "{stack}" is replaced by the stack name and "{accountId}" by its accountId, e.g. ' +
          "incident-manager/{accountId}/{stack}.tfstate (each account's roles then reach only their own state)",
      ),
    region: region().describe("Region of the bucket"),
    encrypt: z.boolean({ error: "must be true or false" }).default(true).describe("Server-side encryption of the state"),
    useLockfile: z.boolean({ error: "must be true or false" }).default(true).describe("S3 native state locking (Terraform 1.10 or later)"),
    dynamodbTable: z
      .string()
      .regex(DYNAMODB_TABLE.pattern, { error: DYNAMODB_TABLE.rule })
      .optional()
      .describe("DynamoDB table for state locking (the older way; deprecated by Terraform)"),
  })
  .describe("State in S3, one object per stack");

/** Schema of `backend`: local or S3, told apart by `type`. */
export const BackendSchema = z
  .discriminatedUnion("type", [LocalBackendSchema, S3BackendSchema], {
    error: 'must be { "type": "local" } or { "type": "s3", "bucket", "key", "region", ... }',
  })
  .describe("Where Terraform keeps state");

const identityStoreName = (rule: { pattern: RegExp; rule: string }) =>
  z
    .string()
    .regex(rule.pattern, { error: rule.rule })
    .refine((name) => !IDENTITY_STORE_RESERVED_NAMES.some((r) => r.toLowerCase() === name.toLowerCase()), {
      error: IDENTITY_STORE_RESERVED_RULE,
    });

/** Schema of an entry of `identityCenter.users` (a person in the identity store). */
export const IdentityCenterUserSchema = z.strictObject({
  userName: identityStoreName(IDENTITY_STORE_USER_NAME).describe("Sign-in name in the identity store (unique, ignoring case)"),
  givenName: z.string().regex(IDENTITY_STORE_TEXT.pattern, { error: IDENTITY_STORE_TEXT.rule }).describe("Given name"),
  familyName: z.string().regex(IDENTITY_STORE_TEXT.pattern, { error: IDENTITY_STORE_TEXT.rule }).describe("Family name"),
  displayName: z
    .string()
    .regex(IDENTITY_STORE_TEXT.pattern, { error: IDENTITY_STORE_TEXT.rule })
    .optional()
    .describe('Display name. Default: "<givenName> <familyName>"'),
  email: z
    .email({ error: "is not an email address" })
    .max(1024, { error: "is not a valid email address (at most 1024 characters)" })
    .describe("Primary work email: Identity Center sends the invitation and password resets there"),
});

/** Schema of `identityCenter` (administrators in IAM Identity Center, a stack of its own). */
export const IdentityCenterSchema = z
  .strictObject({
    name: stackName().default("identity-center").describe("Stack name, unique among all stacks"),
    region: region().describe("Region of the IAM Identity Center instance"),
    accountId: accountId().describe("The management account, or the delegated administrator account of Identity Center"),
    assumeRoleArn: assumeRoleArn(),
    planRoleArn: z
      .string()
      .regex(ROLE_ARN.pattern, { error: ROLE_ARN.rule })
      .optional()
      .describe("Read-only role a pull-request plan job assumes (README: Reviewing and applying in CI); assumeRoleArn is the apply role"),
    tags: tags(),
    group: z
      .strictObject({
        name: identityStoreName(IDENTITY_STORE_TEXT).default("IncidentManagerAdministrators").describe("Display name of the group"),
        existing: z
          .boolean({ error: "must be true or false" })
          .default(false)
          .describe("true: look the group up by name (e.g. one an external identity provider synchronizes) instead of creating it"),
      })
      .default({ name: "IncidentManagerAdministrators", existing: false }),
    users: z
      .array(IdentityCenterUserSchema, { error: "must be a list of users" })
      .default([])
      .describe("Users created in the identity store and added to the group; [] with an existing group"),
    permissionSet: z
      .strictObject({
        name: z
          .string()
          .regex(PERMISSION_SET_NAME.pattern, { error: PERMISSION_SET_NAME.rule })
          .default("AdministratorAccess")
          .describe("Permission set name; the role name in the AWS CLI profile"),
        sessionDuration: z
          .string()
          .refine(sessionDurationAllowed, { error: SESSION_DURATION.rule })
          .default("PT1H")
          .describe("Session length, ISO-8601, PT1H to PT12H (ignored with existing: true)"),
        existing: z
          .boolean({ error: "must be true or false" })
          .default(false)
          .describe(
            "true: use the permission set of this name that exists already (AWS's own Identity Center setup creates " +
              "AdministratorAccess) instead of creating one: it is read by name, and its policies stay as they are",
          ),
      })
      .default({ name: "AdministratorAccess", sessionDuration: "PT1H", existing: false }),
    accessPortalUrl: z
      .url({ protocol: /^https$/, error: "is not an https URL" })
      .optional()
      .describe(
        "The AWS access portal URL, when it has a custom subdomain (Settings in the Identity Center console). " +
          "Default: https://<identity store id>.awsapps.com/start (commercial partition; required elsewhere)",
      ),
    assignTo: z
      .array(z.string(), { error: "must be a list of accounts[] names" })
      .min(1, { error: "must name at least one account (leave it out to assign to every account)" })
      .optional()
      .describe("Names of accounts[] entries the group gets the permission set in. Default: every account (retired ones excepted)"),
    retire: z
      .boolean({ error: "must be true or false" })
      .default(false)
      .describe(
        "Take Identity Center out: its stack then destroys the users, group, permission set and assignments it made " +
          "(an existing group or permission set is only read, and stays). Apply it, then delete identityCenter",
      ),
  })
  .describe("Administrators in IAM Identity Center (the guide's recommended way): a stack of its own for the management account");

/**
 * Schema of the whole configuration file (`setup.config.json`): validates, reports every problem
 * and fills in the defaults. {@link parseConfig} applies it with the rules across entries.
 */
export const SetupConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of the JSON Schema, for editors"),
    backend: BackendSchema.default({ type: "local" }),
    accounts: z.array(AccountSchema, { error: "must be a list of accounts" }).min(1, { error: "must list at least one account" }),
    identityCenter: IdentityCenterSchema.optional(),
    acknowledge: z
      .array(AcknowledgementSchema, { error: "must be a list of acknowledgements { id, reason, account?, user? }" })
      .default([])
      .describe(
        "Warnings the team has decided on, each with its reason and optionally its place: no longer printed, listed with " +
          "the reason by npm run review; one that matches no warning is reported as stale (README: Warnings)",
      ),
  })
  // Rules across entries. They run even when single fields are wrong (`when`),
  // so every problem is reported at once; hence they read the input defensively.
  .superRefine(crossChecks, { when: (payload) => isRecord(payload.value) });

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function records(value: unknown): [Record<string, unknown>, number][] {
  return Array.isArray(value) ? value.flatMap((v, i) => (isRecord(v) ? [[v, i] as [Record<string, unknown>, number]] : [])) : [];
}

function crossChecks(config: Record<string, unknown>, ctx: z.core.$RefinementCtx<unknown>) {
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  const backend = isRecord(config.backend) ? config.backend : {};
  if (backend.type === "s3" && typeof backend.key === "string" && !backend.key.includes("{stack}") && records(config.accounts).length > 1) {
    issue(
      ["backend", "key"],
      backend.key,
      'must contain "{stack}" when there is more than one account (each stack needs its own ' +
        'state), e.g. "incident-manager/{stack}.tfstate"',
    );
  }
  const identityCenter = isRecord(config.identityCenter) ? config.identityCenter : undefined;
  const assigned = identityCenter ? identityCenterChecks(identityCenter, records(config.accounts), issue) : new Set<unknown>();
  const stacks = new Map<string, number>();
  for (const [account, a] of records(config.accounts)) {
    if (typeof account.name === "string") {
      const first = stacks.get(account.name);
      if (first !== undefined) {
        issue(["accounts", a, "name"], account.name, `is already the name of accounts[${first}] (stack names must be unique)`);
      } else stacks.set(account.name, a);
    }

    const { accountId, assumeRoleArn } = account;
    // Every ARN of the account must be in the partition of its region: a role or key of another
    // partition cannot be used there (cn-north-1 is aws-cn, an arn:aws: role is not).
    const accountPartition = typeof account.region === "string" ? partitionOf(account.region) : undefined;
    const inPartition = (path: PropertyKey[], arn: unknown) => {
      if (accountPartition === undefined || typeof arn !== "string" || !arn.startsWith("arn:")) return;
      const arnPartition = partitionOfArn(arn);
      if (arnPartition !== accountPartition) {
        issue(path, arn, `is in partition ${arnPartition}, but region ${account.region as string} is in partition ${accountPartition}`);
      }
    };
    inPartition(["accounts", a, "assumeRoleArn"], assumeRoleArn);
    inPartition(["accounts", a, "planRoleArn"], account.planRoleArn);
    if (typeof accountId === "string" && typeof account.planRoleArn === "string" && ROLE_ARN.pattern.test(account.planRoleArn)) {
      const roleAccount = account.planRoleArn.split(":")[4];
      if (roleAccount !== accountId) {
        issue(["accounts", a, "planRoleArn"], account.planRoleArn, `is a role in account ${roleAccount}, not in accountId ${accountId}`);
      }
    }
    if (backend.type === "s3" && typeof backend.key === "string" && backend.key.includes("{accountId}") && accountId === undefined) {
      issue(["accounts", a, "accountId"], undefined, '(required: backend.key contains "{accountId}", the account of this stack\'s state)');
    }
    if (
      typeof accountId === "string" &&
      ACCOUNT_ID.pattern.test(accountId) &&
      typeof assumeRoleArn === "string" &&
      ROLE_ARN.pattern.test(assumeRoleArn)
    ) {
      const roleAccount = assumeRoleArn.split(":")[4];
      if (roleAccount !== accountId) {
        issue(["accounts", a, "assumeRoleArn"], assumeRoleArn, `is a role in account ${roleAccount}, not in accountId ${accountId}`);
      }
    }
    if (
      Array.isArray(account.adminUsers) &&
      account.adminUsers.length === 0 &&
      !assigned.has(account.name) &&
      account.existingAdministrators === undefined &&
      account.retire !== true
    ) {
      issue(
        ["accounts", a, "adminUsers"],
        account.adminUsers,
        "is empty, and identityCenter does not assign this account: nobody could administer it " +
          "(list an admin user, add the account to identityCenter.assignTo, or, when its administrators exist already, " +
          "say who they are in existingAdministrators)",
      );
    }
    if (assigned.has(account.name) && accountId === undefined) {
      issue(
        ["accounts", a, "accountId"],
        undefined,
        "(required: identityCenter assigns the permission set in this account, and an assignment targets the account id)",
      );
    }
    const icPartition = typeof identityCenter?.region === "string" ? partitionOf(identityCenter.region) : undefined;
    if (assigned.has(account.name) && icPartition && accountPartition && icPartition !== accountPartition) {
      issue(
        ["accounts", a, "region"],
        account.region,
        `is in partition ${accountPartition}, but identityCenter.region ${String(identityCenter?.region)} is in partition ${icPartition} ` +
          "(Identity Center assigns only accounts of its own partition)",
      );
    }

    const incidentManager = isRecord(account.incidentManager) ? account.incidentManager : {};
    if (incidentManager.serviceLinkedRole === "adopt" && accountId === undefined) {
      issue(
        ["accounts", a, "accountId"],
        undefined,
        '(required when incidentManager.serviceLinkedRole is "adopt": the import id is the role\'s ARN in that account, ' +
          "and the provider then refuses credentials of any other account through allowed_account_ids)",
      );
    }

    const users = new Map<string, number>();
    const userList = records(account.adminUsers);
    for (const [user, u] of userList) {
      if (typeof user.name !== "string") continue;
      const name = user.name;
      const same = users.get(name.toLowerCase());
      if (same !== undefined) {
        issue(
          ["accounts", a, "adminUsers", u, "name"],
          name,
          `is the same IAM user as adminUsers[${same}].name ` +
            `${JSON.stringify((account.adminUsers as { name: string }[])[same].name)} (IAM user names are case-insensitive)`,
        );
      }
      users.set(name.toLowerCase(), u);

      if (user.requireMfa === false && user.console !== false) {
        issue(
          ["accounts", a, "adminUsers", u, "requireMfa"],
          false,
          "is only allowed for a user without console access (console: false): an administrator who signs in to the console must use MFA",
        );
      }

      const keys = records(user.accessKeys);
      const active = keys.filter(([key]) => key.status === undefined || key.status === "Active");
      if (active.length > 1 && user.keyRotationInProgress !== true) {
        issue(
          ["accounts", a, "adminUsers", u, "accessKeys"],
          user.accessKeys,
          "has two Active keys: at most one may be Active outside a rotation (CIS 1.13); set " +
            "keyRotationInProgress: true while clients switch, or make the old key Inactive",
        );
      }
      const keyIds = new Map<string, number>();
      for (const [key, k] of keys) {
        inPartition(["accounts", a, "adminUsers", u, "accessKeys", k, "kmsKeyId"], key.kmsKeyId);
        if (key.secretStore !== undefined && key.pgpKey !== undefined) {
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k, "secretStore"],
            key.secretStore,
            `${SECRET_STORE_WITH_PGP_RULE}; use one of them`,
          );
        }
        if (key.kmsKeyId !== undefined && key.secretStore === undefined) {
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k, "kmsKeyId"],
            key.kmsKeyId,
            'is only used with secretStore: "secretsmanager"',
          );
        }
        const id = accessKeyId(key as { id?: string }, k);
        const dup = keyIds.get(id);
        if (dup !== undefined) {
          const given = typeof key.id === "string" ? "" : ` (the default for key ${k + 1})`;
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k],
            key,
            `has the id "${id}"${given}, which accessKeys[${dup}] already has (key ids must be unique per user; set "id" on both keys)`,
          );
        } else keyIds.set(id, k);
      }
    }
    const adopted = userList.filter(([user]) => user.adopt === true).map(([, u]) => ["adminUsers", u, "adopt"]);
    if (isRecord(account.adminGroup) && account.adminGroup.adopt === true) adopted.unshift(["adminGroup", "adopt"]);
    for (const path of accountId === undefined ? adopted : []) {
      issue(
        ["accounts", a, ...path],
        true,
        "needs accountId on the account: an import takes over whatever has this name in the account the credentials reach, " +
          "and accountId (allowed_account_ids) makes sure that is this account",
      );
    }
  }
  acknowledgementChecks(config, identityCenter, issue);
}

/** `acknowledge[].account` names a stack, and `user` a user of that stack (of any stack without `account`). */
function acknowledgementChecks(config: Record<string, unknown>, ic: Record<string, unknown> | undefined, issue: Issue): void {
  const usersOf = new Map<unknown, Set<string>>();
  for (const [account] of records(config.accounts)) {
    usersOf.set(account.name, new Set(records(account.adminUsers).map(([u]) => String(u.name).toLowerCase())));
  }
  if (ic) usersOf.set(ic.name ?? "identity-center", new Set(records(ic.users).map(([u]) => String(u.userName).toLowerCase())));
  for (const [ack, i] of records(config.acknowledge)) {
    if (typeof ack.account === "string" && !usersOf.has(ack.account)) {
      const known = [...usersOf.keys()].map((n) => JSON.stringify(n)).join(", ");
      issue(["acknowledge", i, "account"], ack.account, `is not the name of a stack (stacks: ${known})`);
      continue;
    }
    // A deletion or replacement may be of a user who is no longer configured (taken out, renamed).
    if (typeof ack.user !== "string" || COMPARISON_IDS.includes(ack.id as WarningId)) continue;
    const scope = typeof ack.account === "string" ? [usersOf.get(ack.account)] : [...usersOf.values()];
    if (!scope.some((users) => users?.has(String(ack.user).toLowerCase()))) {
      const where = typeof ack.account === "string" ? `stack ${JSON.stringify(ack.account)}` : "any stack";
      issue(["acknowledge", i, "user"], ack.user, `is not a user of ${where} (adminUsers[].name or identityCenter.users[].userName)`);
    }
  }
}

type Issue = (path: PropertyKey[], input: unknown, message: string) => void;

/** The rules of `identityCenter` across entries; returns the names of the accounts it assigns. */
function identityCenterChecks(ic: Record<string, unknown>, accounts: [Record<string, unknown>, number][], issue: Issue): Set<unknown> {
  const names = new Map(accounts.map(([account, a]) => [account.name, a]));
  const name = ic.name ?? "identity-center";
  if (names.has(name)) {
    issue(["identityCenter", "name"], name, `is already the name of accounts[${names.get(name)}] (stack names must be unique)`);
  }
  const { accountId, assumeRoleArn } = ic;
  if (typeof accountId === "string" && typeof assumeRoleArn === "string" && ROLE_ARN.pattern.test(assumeRoleArn)) {
    const roleAccount = assumeRoleArn.split(":")[4];
    if (roleAccount !== accountId) {
      issue(["identityCenter", "assumeRoleArn"], assumeRoleArn, `is a role in account ${roleAccount}, not in accountId ${accountId}`);
    }
  }
  const { planRoleArn } = ic;
  if (typeof accountId === "string" && typeof planRoleArn === "string" && ROLE_ARN.pattern.test(planRoleArn)) {
    const roleAccount = planRoleArn.split(":")[4];
    if (roleAccount !== accountId) {
      issue(["identityCenter", "planRoleArn"], planRoleArn, `is a role in account ${roleAccount}, not in accountId ${accountId}`);
    }
  }
  const partition = typeof ic.region === "string" ? partitionOf(ic.region) : undefined;
  if (partition && typeof assumeRoleArn === "string" && assumeRoleArn.startsWith("arn:") && partitionOfArn(assumeRoleArn) !== partition) {
    issue(
      ["identityCenter", "assumeRoleArn"],
      assumeRoleArn,
      `is in partition ${partitionOfArn(assumeRoleArn)}, but region ${ic.region as string} is in partition ${partition}`,
    );
  }

  if (partition !== undefined && partition !== "aws" && ic.accessPortalUrl === undefined) {
    issue(
      ["identityCenter", "accessPortalUrl"],
      undefined,
      `(required in partition ${partition}: the default https://<identity store id>.awsapps.com/start is the commercial ` +
        "partition's form; copy the URL from the Identity Center console, Settings)",
    );
  }

  const users = new Map<string, number>();
  for (const [user, u] of records(ic.users)) {
    if (typeof user.userName !== "string") continue;
    const same = users.get(user.userName.toLowerCase());
    if (same !== undefined) {
      issue(
        ["identityCenter", "users", u, "userName"],
        user.userName,
        `is the same user as users[${same}].userName (Identity Center user names are unique ignoring case)`,
      );
    } else users.set(user.userName.toLowerCase(), u);
  }
  const group = isRecord(ic.group) ? ic.group : {};
  if (group.existing !== true && Array.isArray(ic.users) && ic.users.length === 0) {
    issue(
      ["identityCenter", "users"],
      ic.users,
      "must list at least one user when the group is created (group.existing: false): an empty group gives nobody access",
    );
  }

  const retired = new Set(accounts.filter(([account]) => account.retire === true).map(([account]) => account.name));
  // A retired Identity Center assigns nothing: an account that had only its administrators needs others.
  if (ic.retire === true) return new Set();
  if (ic.assignTo === undefined) return new Set([...names.keys()].filter((n) => !retired.has(n)));
  const assigned = new Set<unknown>();
  (Array.isArray(ic.assignTo) ? ic.assignTo : []).forEach((target: unknown, t: number) => {
    if (typeof target !== "string") return;
    if (!names.has(target)) {
      const known = [...names.keys()].map((n) => JSON.stringify(n)).join(", ");
      issue(["identityCenter", "assignTo", t], target, `is not the name of an entry of accounts[] (names: ${known})`);
    } else if (assigned.has(target)) {
      issue(["identityCenter", "assignTo", t], target, "is listed twice");
    } else if (retired.has(target)) {
      issue(["identityCenter", "assignTo", t], target, "is retired (retire: true): take it out of assignTo, which removes its assignment");
    }
    assigned.add(target);
  });
  return assigned;
}

/** The configuration as written in the file (defaults optional). */
export type SetupConfigInput = z.input<typeof SetupConfigSchema>;
/** The validated configuration, every default filled in. */
export type SetupConfig = z.output<typeof SetupConfigSchema>;
/** One validated `accounts[]` entry. */
export type AccountConfig = SetupConfig["accounts"][number];
/** One validated `adminUsers[]` entry of an account. */
export type AdminUserConfig = AccountConfig["adminUsers"][number];
/** One validated `accessKeys[]` entry of an admin user. */
export type AccessKeyConfig = AdminUserConfig["accessKeys"][number];
/** The validated `backend`: where every stack keeps its state. */
export type BackendConfig = SetupConfig["backend"];
/** The validated `identityCenter` section. */
export type IdentityCenterConfig = NonNullable<SetupConfig["identityCenter"]>;
/** One validated `identityCenter.users[]` entry. */
export type IdentityCenterUserConfig = IdentityCenterConfig["users"][number];

/** The accounts `identityCenter` assigns the permission set in (assignTo, else every account), in configuration order. */
export function assignedAccounts(config: SetupConfig): AccountConfig[] {
  const ic = config.identityCenter;
  if (!ic || ic.retire) return [];
  return config.accounts.filter((a) => !a.retire && (ic.assignTo === undefined || ic.assignTo.includes(a.name)));
}

/** Stable id of an access key within its user: the configured id, else its position (1 or 2). */
export function accessKeyId(key: { id?: string }, index: number): string {
  return key.id ?? String(index + 1);
}

/** A configuration that cannot be used: every problem found, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `${source}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Renders a JSON path such as accounts[0].adminUsers[1].name. */
/** A key as a message shows it: at most 80 characters, as values (a fuzzer's 50,000-character key is not echoed whole). */
function shortKey(key: PropertyKey): string {
  const text = String(key);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(shortKey(part))) out += out ? `.${shortKey(part)}` : shortKey(part);
    else out += `[${JSON.stringify(shortKey(part))}]`;
  }
  return out || "(root)";
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type Def = Record<string, unknown>;
const defOf = (s: z.core.$ZodType) => s._zod.def as unknown as Def;

/** The value at a path of the configuration (undefined when there is none). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

/** Without default, optional and pipe; of a union, the object option whose literal keys (such as the backend's "type") match `value`. */
function unwrap(s: z.core.$ZodType, value: unknown): z.core.$ZodType {
  const matches = (option: z.core.$ZodType) =>
    Object.entries(defOf(option).shape as Record<string, z.core.$ZodType>).every(([key, field]) => {
      const def = defOf(field);
      return def.type !== "literal" || (def.values as unknown[]).includes((value as Def | undefined)?.[key]);
    });
  const def = defOf(s);
  if (def.type === "default" || def.type === "optional") return unwrap(def.innerType as z.core.$ZodType, value);
  if (def.type === "pipe") return unwrap(def.in as z.core.$ZodType, value);
  if (def.type === "union") {
    const objects = (def.options as z.core.$ZodType[]).filter((o) => defOf(o).type === "object");
    const object = objects.find(matches) ?? objects[0];
    return object ? unwrap(object, value) : s;
  }
  return s;
}

/** The schema of the value at a path of the configuration, as its parent declares it (undefined when none does). */
function schemaAt(path: readonly PropertyKey[], root: unknown): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = SetupConfigSchema;
  for (const [i, part] of path.entries()) {
    if (!schema) return undefined;
    const def = defOf(unwrap(schema, valueAt(root, path.slice(0, i))));
    if (def.type === "object") schema = (def.shape as Record<string, z.core.$ZodType>)[String(part)];
    else if (def.type === "array") schema = def.element as z.core.$ZodType;
    else if (def.type === "record") schema = def.valueType as z.core.$ZodType;
    else return undefined;
  }
  return schema;
}

/** The keys an object schema accepts at a path of the configuration. */
function allowedKeys(path: readonly PropertyKey[], root: unknown): string[] {
  const schema = schemaAt(path, root);
  const def = schema && defOf(unwrap(schema, valueAt(root, path)));
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** What to do instead of writing null at a path: JSON null is not "unset" in the configuration. */
function nullHint(path: readonly PropertyKey[], root: unknown): string {
  if (path.length === 0) return ' (the configuration is a JSON object such as { "accounts": [ ... ] })';
  const parent = schemaAt(path.slice(0, -1), root);
  const kind = parent && defOf(unwrap(parent, valueAt(root, path.slice(0, -1)))).type;
  if (kind === "array") return " (remove the null from the list)";
  if (kind === "record") return " (remove the key, or give it a value)";
  if (kind !== "object") return "";
  const presence = (s: z.core.$ZodType | undefined): string => {
    const def = s && defOf(s);
    return def?.type === "pipe" ? presence(def.in as z.core.$ZodType) : String(def?.type);
  };
  const field = presence(schemaAt(path, root));
  if (field === "default") return " (leave the key out for the default)";
  if (field === "optional") return " (leave the key out to leave it unset)";
  return " (the key is required)";
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The type expected, in JSON's terms. */
function jsonType(expected: string): string {
  return expected === "record" ? "object" : expected === "array" ? "list" : expected;
}

/**
 * One issue of the schema as lines of the ConfigError, in the user's terms: path, value, rule.
 * `numbers` holds the source text of numbers JSON.parse made infinite, by path.
 */
function describeIssue(issue: z.core.$ZodIssue, root: unknown, numbers: ReadonlyMap<string, string> = new Map()): string[] {
  const where = jsonPath(issue.path);
  const value = valueAt(root, issue.path);
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [`${where}: ${numbers.get(where) ?? String(value)} is too large a number (JSON numbers here must be finite)`];
  }
  if (value === null && (issue.code === "invalid_type" || issue.code === "invalid_union")) {
    const rule =
      issue.code === "invalid_type" && issue.message.startsWith("Invalid input")
        ? `must be ${article(jsonType(issue.expected))}`
        : issue.message;
    return [`${where}: null ${rule}${nullHint(issue.path, root)}`];
  }
  switch (issue.code) {
    case "invalid_union": {
      // A value of the right shape (an object for `false | {...}`) that is wrong inside: report
      // the fields of the option it was meant for, not the whole union.
      const inner = issue.errors.find(
        (option) =>
          option.length > 0 && !option.some((i) => (i.code === "invalid_type" || i.code === "invalid_value") && i.path.length === 0),
      );
      if (inner) {
        return inner.flatMap((i) => describeIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue, root, numbers));
      }
      return [`${where}: ${show(value)} ${issue.message}`];
    }
    case "unrecognized_keys": {
      const allowed = allowedKeys(issue.path, root);
      return issue.keys.map(
        (key) => `${jsonPath([...issue.path, key])}: unknown key ${JSON.stringify(shortKey(key))} (allowed here: ${allowed.join(", ")})`,
      );
    }
    case "invalid_key": {
      const key = issue.path[issue.path.length - 1];
      const rule = issue.issues.map((i) => i.message).join("; ");
      return [`${jsonPath(issue.path.slice(0, -1))}: key ${JSON.stringify(shortKey(key))} ${rule}`];
    }
    case "invalid_type":
      if (value === undefined) return [`${where}: missing (required: ${issue.expected})`];
      return [
        `${where}: ${show(value)} ${issue.message.startsWith("Invalid input") ? `must be ${article(issue.expected)}` : issue.message}`,
      ];
    default:
      return [`${where}: ${show(value)} ${issue.message}`];
  }
}

/** Validates a parsed configuration; throws a ConfigError listing every problem (after `problems` found before). */
export function parseConfig(data: unknown, source = "configuration", problems: string[] = []): SetupConfig {
  return validate(data, source, problems, new Map());
}

/** {@link parseConfig}, with the source text of the numbers JSON.parse made infinite (by JSON path). */
function validate(data: unknown, source: string, problems: string[], numbers: ReadonlyMap<string, string>): SetupConfig {
  const result = SetupConfigSchema.safeParse(data);
  const all = [...problems, ...(result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, data, numbers)))];
  if (all.length > 0 || !result.success) throw new ConfigError(source, all);
  return result.data;
}

/**
 * The folder the user ran the command from. npm runs scripts in the project folder and records
 * the caller's folder in INIT_CWD, so relative paths a user gives (SETUP_CONFIG, --out, ...) are
 * resolved against it, as a shell user expects.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** The configuration file: SETUP_CONFIG (relative to {@link userCwd}), else `defaultFile`. */
export function configFileFromEnv(env: NodeJS.ProcessEnv, defaultFile: string): string {
  return env.SETUP_CONFIG ? resolve(userCwd(env), env.SETUP_CONFIG) : defaultFile;
}

/** Reads, parses and validates the configuration file. */
export function loadConfig(file: string): SetupConfig {
  let bytes: Buffer;
  try {
    // A device or a pipe (SETUP_CONFIG=/dev/zero) would be read without end; a huge file is no configuration.
    const stat = statSync(file);
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(file, [`is ${stat.size} bytes: a configuration is at most ${MAX_CONFIG_BYTES} bytes (10 MiB)`]);
    }
    if (!stat.isFile() && !stat.isDirectory()) {
      throw new ConfigError(file, ["is not a regular file (a device, a pipe or a socket): set SETUP_CONFIG to the JSON file"]);
    }
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === "ENOENT"
        ? `file not found (set SETUP_CONFIG to the path of your configuration, or create ${file})`
        : code === "EISDIR"
          ? `is a directory, not a configuration file (set SETUP_CONFIG to the JSON file, e.g. ${join(file, "setup.config.json")})`
          : `cannot be read: ${(e as Error).message}`,
    ]);
  }
  let text = decodeUtf8(file, bytes);
  // Editors on Windows may save UTF-8 with a byte order mark; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") {
    throw new ConfigError(file, ['is empty (expected a JSON object such as { "accounts": [ ... ] }; see README "Configuration")']);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const yaml = yamlKey(text);
    if (yaml) {
      const target = file.replace(/\.(ya?ml|json)$/i, "") + ".json";
      const out = target === file ? file.replace(/\.json$/i, "") + ".converted.json" : target;
      throw new ConfigError(file, [
        `is YAML, not JSON (found ${yaml}); this app reads JSON only: convert it with ` +
          `\`npx yaml --json --single --indent 2 < ${file} > ${out}\` and set SETUP_CONFIG to ${out}, or keep the configuration in JSON`,
      ]);
    }
    throw new ConfigError(file, [`is not valid JSON: ${jsonErrorLocation(text, (e as Error).message)}`]);
  }
  const deep = nestingBeyond(text, MAX_CONFIG_DEPTH);
  if (deep !== undefined) {
    throw new ConfigError(file, [
      `nests objects and lists deeper than ${MAX_CONFIG_DEPTH} levels (from line ${deep}); a configuration nests at most a few`,
    ]);
  }
  // Keys written twice are reported with every other problem of the file (all at once).
  return validate(data, file, duplicateKeys(text), numberLiterals(text));
}

/** The largest configuration file read (10 MiB: a configuration of thousands of accounts is a few MB). */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;
/** The deepest nesting of objects and lists a configuration may have (its own is about 6). */
export const MAX_CONFIG_DEPTH = 64;

/** The line where the nesting of `{` and `[` (outside strings) first goes beyond `limit`, if it does. */
function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    else if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (++depth > limit) return line;
    } else if (c === "}" || c === "]") depth--;
  }
  return undefined;
}

/**
 * The text of a UTF-8 file. Anything else (UTF-16 as Windows tools save it, Latin-1 or
 * Windows-1252 from older editors) is a ConfigError saying where, never showing the content.
 */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  const notUtf8 = (why: string) => new ConfigError(file, [`is not UTF-8 text (${why})`]);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw notUtf8(
      `it starts with the UTF-16 byte order mark ${bytes[0] === 0xff ? "FF FE" : "FE FF"}, as Windows PowerShell's > and Out-File write; ` +
        "save it as UTF-8, e.g. with Out-File -Encoding utf8 or your editor's encoding setting",
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    const where = at < 0 ? "it has bytes that are not UTF-8" : `byte 0x${hex(bytes[at])} at ${lineAndColumn(bytes, at)} is not UTF-8`;
    throw notUtf8(`${where}, as in Latin-1 or Windows-1252 text; save it as UTF-8`);
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    throw notUtf8(
      `it has a NUL byte at ${lineAndColumn(bytes, Buffer.byteLength(text.slice(0, nul)))}, as UTF-16 text has; save it as UTF-8`,
    );
  }
  return text;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

/** "line L, column C" of a byte offset (the column counts characters, as editors do). */
function lineAndColumn(bytes: Uint8Array, offset: number): string {
  const before = Buffer.from(bytes.subarray(0, offset)).toString("utf8").split("\n");
  return `line ${before.length}, column ${[...before[before.length - 1]].length + 1}`;
}

/** The offset of the first byte that starts no valid UTF-8 sequence, or -1. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const size =
      lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0) return i;
    // The second byte's range excludes overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    const [low, high] =
      lead === 0xe0
        ? [0xa0, 0xbf]
        : lead === 0xed
          ? [0x80, 0x9f]
          : lead === 0xf0
            ? [0x90, 0xbf]
            : lead === 0xf4
              ? [0x80, 0x8f]
              : [0x80, 0xbf];
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += size;
  }
  return -1;
}

/**
 * What makes a text that is not JSON look like YAML: its first line that is not blank or a
 * comment is a YAML document marker (---) or a `key:` mapping entry. Only the key is shown.
 */
function yamlKey(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (index < 0) return undefined;
  const line = lines[index];
  if (line.startsWith("---")) return `the YAML document marker --- at line ${index + 1}`;
  const key = /^([A-Za-z_$][\w$-]*)\s*:/.exec(line)?.[1];
  return key === undefined
    ? undefined
    : `the YAML key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key)} at line ${index + 1}`;
}

/**
 * The source text of the numbers JSON.parse cannot hold (1e400 becomes Infinity), by JSON path:
 * the schema's message then shows what the file says.
 */
function numberLiterals(text: string): Map<string, string> {
  const literals = new Map<string, string>();
  visit(text, {
    onLiteralValue: (value, offset, length, _line, _column, pathSupplier) => {
      if (typeof value === "number" && !Number.isFinite(value)) {
        const literal = text.slice(offset, offset + length);
        literals.set(jsonPath(pathSupplier()), literal.length > 40 ? `${literal.slice(0, 37)}...` : literal);
      }
    },
  });
  return literals;
}

/**
 * Keys that appear twice in the same object. JSON.parse keeps the last one silently, so a
 * setting written twice ("console": false, then "console": {...}) would hide the first.
 */
function duplicateKeys(text: string): string[] {
  const problems: string[] = [];
  const objects: Map<string, { line: number; column: number }>[] = [];
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Map());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (property, _offset, _length, startLine, startCharacter, pathSupplier) => {
      const seen = objects[objects.length - 1];
      const here = { line: startLine + 1, column: startCharacter + 1 };
      const first = seen.get(property);
      if (first) {
        problems.push(
          `${jsonPath([...pathSupplier(), property])}: duplicate key ${JSON.stringify(shortKey(property))} ` +
            `at line ${here.line}, column ${here.column} ` +
            `(first at line ${first.line}, column ${first.column}); JSON keeps only the last one, so remove one of them`,
        );
      } else seen.set(property, here);
    },
  });
  return problems;
}

const JSON_PROBLEMS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "unexpected character",
  [ParseErrorCode.InvalidNumberFormat]: "malformed number",
  [ParseErrorCode.PropertyNameExpected]: "a property name in double quotes was expected (JSON allows no trailing comma)",
  [ParseErrorCode.ValueExpected]: "a value was expected (JSON allows no trailing comma)",
  [ParseErrorCode.ColonExpected]: "':' was expected",
  [ParseErrorCode.CommaExpected]: "',' was expected",
  [ParseErrorCode.CloseBraceExpected]: "'}' was expected",
  [ParseErrorCode.CloseBracketExpected]: "']' was expected",
  [ParseErrorCode.EndOfFileExpected]: "nothing may follow the top-level value",
  [ParseErrorCode.InvalidCommentToken]: "comments are not allowed in JSON",
  [ParseErrorCode.UnexpectedEndOfComment]: "comments are not allowed in JSON",
  [ParseErrorCode.UnexpectedEndOfString]: "unterminated string",
  [ParseErrorCode.InvalidEscapeCharacter]: "invalid escape in a string",
  [ParseErrorCode.InvalidCharacter]: "invalid character in a string",
};

/** Where and why JSON.parse failed: line, column and the line itself (JSON.parse does not always say). */
function jsonErrorLocation(text: string, fallback: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return fallback;
  const lines = text.slice(0, first.offset).split("\n");
  const line = lines.length;
  const column = lines[lines.length - 1].length + 1;
  const source = (text.split("\n")[line - 1] ?? "").trimEnd();
  return `${JSON_PROBLEMS[first.error] ?? printParseErrorCode(first.error)} at line ${line}, column ${column}: ${source.slice(0, 120)}`;
}

/** The JSON Schema of the configuration file, for editors (setup.schema.json). */
export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(SetupConfigSchema, { io: "input", unrepresentable: "any" }),
    title: "Incident Manager setup configuration",
  };
}
