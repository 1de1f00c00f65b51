// The defaults of the settings that the configuration and the constructs share, each once: the schema's
// `.default(...)` and the constructs' `props.x ?? ...` read them here, docs/configuration.md is generated
// from the schema, and the constructs' `@default` docs say the same (a test compares them).
export const DEFAULTS = {
  /** An access key can sign requests. */
  accessKeyStatus: "Active",
  /** IAM path of the group and the users. */
  iamPath: "/",
  /** The guide's group name. */
  adminGroupName: "Administrators",
  /** The group's policy denies everything but MFA setup to a member without MFA. */
  enforceMfa: true,
  /** The group's MFA policy applies to a user. */
  requireMfa: true,
  /** A console user chooses a new password at first sign-in. */
  passwordResetRequired: true,
  /** Users and groups are created, not adopted (imported). */
  adopt: false,
  /** The service-linked role is imported where the account has it, else created. */
  serviceLinkedRole: "auto",
  /** The Identity Center group of the administrators. */
  identityCenterGroupName: "IncidentManagerAdministrators",
  /** The Identity Center permission set: the guide's AdministratorAccess. */
  permissionSetName: "AdministratorAccess",
  /** How long an Identity Center session lasts (ISO-8601). */
  sessionDuration: "PT1H",
  /** The Identity Center group or permission set is created, not an existing one read. */
  existing: false,
} as const;
