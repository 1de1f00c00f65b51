// The configuration contract (docs/configuration.md, generated from this schema): one schema, used to
// validate setup.config.json and to generate setup.schema.json for editors.
import { z } from "zod";
import { DEFAULTS } from "../../core/defaults";
import { ACKNOWLEDGEABLE, WarningId } from "../../core/warnings";
import {
  DYNAMODB_TABLE,
  S3_BUCKET,
  S3_KEY,
  SESSION_DURATION,
  IDENTITY_STORE_RESERVED_NAMES,
  IDENTITY_STORE_RESERVED_RULE,
  IDENTITY_STORE_TEXT,
  IDENTITY_STORE_USER_NAME,
  PERMISSION_SET_NAME,
  PatternRule,
  sessionDurationAllowed,
} from "../../core/aws-rules";
import { region, stackName, accountId, assumeRoleArn, planRoleArn, ruled, tags, AccountSchema } from "./account-schema";
import { crossChecks, isRecord } from "./cross-checks";

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
    bucket: ruled(S3_BUCKET).describe("S3 bucket that holds the state"),
    key: ruled(S3_KEY).describe(
      'Object key of the state; "{stack}" is replaced by the stack name and "{accountId}" by its accountId, e.g. ' +
        "incident-manager/{accountId}/{stack}.tfstate (each account's roles then reach only their own state)",
    ),
    region: region().describe("Region of the bucket"),
    encrypt: z.boolean({ error: "must be true or false" }).default(true).describe("Server-side encryption of the state"),
    useLockfile: z.boolean({ error: "must be true or false" }).default(true).describe("S3 native state locking (Terraform 1.10 or later)"),
    dynamodbTable: ruled(DYNAMODB_TABLE).optional().describe("DynamoDB table for state locking (the older way; deprecated by Terraform)"),
  })
  .describe("State in S3, one object per stack");

/** Schema of `backend`: local or S3, told apart by `type`. */
export const BackendSchema = z
  .discriminatedUnion("type", [LocalBackendSchema, S3BackendSchema], {
    error: 'must be { "type": "local" } or { "type": "s3", "bucket", "key", "region", ... }',
  })
  .describe("Where Terraform keeps state");

const identityStoreName = (rule: PatternRule) =>
  ruled(rule).refine((name) => !IDENTITY_STORE_RESERVED_NAMES.some((r) => r.toLowerCase() === name.toLowerCase()), {
    error: IDENTITY_STORE_RESERVED_RULE,
  });

/** Schema of an entry of `identityCenter.users` (a person in the identity store). */
export const IdentityCenterUserSchema = z.strictObject({
  userName: identityStoreName(IDENTITY_STORE_USER_NAME).describe("Sign-in name in the identity store (unique, ignoring case)"),
  givenName: ruled(IDENTITY_STORE_TEXT).describe("Given name"),
  familyName: ruled(IDENTITY_STORE_TEXT).describe("Family name"),
  displayName: ruled(IDENTITY_STORE_TEXT).optional().describe('Display name. Default: "<givenName> <familyName>"'),
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
    planRoleArn: planRoleArn(),
    tags: tags(),
    group: z
      .strictObject({
        name: identityStoreName(IDENTITY_STORE_TEXT).default(DEFAULTS.identityCenterGroupName).describe("Display name of the group"),
        existing: z
          .boolean({ error: "must be true or false" })
          .default(DEFAULTS.existing)
          .describe("true: look the group up by name (e.g. one an external identity provider synchronizes) instead of creating it"),
      })
      .prefault({})
      .describe("The group of the administrators in the identity store"),
    users: z
      .array(IdentityCenterUserSchema, { error: "must be a list of users" })
      .default([])
      .describe("Users created in the identity store and added to the group; [] with an existing group"),
    permissionSet: z
      .strictObject({
        name: ruled(PERMISSION_SET_NAME)
          .default(DEFAULTS.permissionSetName)
          .describe("Permission set name; the role name in the AWS CLI profile"),
        sessionDuration: z
          .string()
          .refine(sessionDurationAllowed, { error: SESSION_DURATION.rule })
          .default(DEFAULTS.sessionDuration)
          .describe("Session length, ISO-8601, PT1H to PT12H (ignored with existing: true)"),
        existing: z
          .boolean({ error: "must be true or false" })
          .default(DEFAULTS.existing)
          .describe(
            "true: use the permission set of this name that exists already (AWS's own Identity Center setup creates " +
              "AdministratorAccess) instead of creating one: it is read by name, and its policies stay as they are",
          ),
      })
      .prefault({})
      .describe("The permission set assigned to the group in each account: AdministratorAccess"),
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
          "the reason by npm run review; one that matches no warning is reported as stale (docs/operating.md: Warnings)",
      ),
  })
  // Rules across entries. They run even when single fields are wrong (`when`),
  // so every problem is reported at once; hence they read the input defensively.
  .superRefine(crossChecks, { when: (payload) => isRecord(payload.value) });

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

/** The JSON Schema of the configuration file, for editors (setup.schema.json). */
export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(SetupConfigSchema, { io: "input", unrepresentable: "any" }),
    title: "Incident Manager setup configuration",
  };
}
