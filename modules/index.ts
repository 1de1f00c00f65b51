// The library's public API, chosen: the constructs with their props and interfaces, the two stacks,
// and the app's entry points with the types they take and give. Everything else in modules/ is
// internal and may change in any release; docs/api/ holds the API report CI checks (npm run api).

// IAM: the guide's administrators group and users
export { AccessKey, AccessKeyProps, AccessKeySecretStore, AccessKeyStatus } from "./iam/access-key";
export { AccountAlias, AccountAliasProps } from "./iam/account-alias";
export {
  AccountPasswordPolicy,
  AccountPasswordPolicyProps,
  CIS_PASSWORD_POLICY,
  PasswordPolicySettings,
} from "./iam/account-password-policy";
export { AdminGroup, AdminGroupProps, IAdminGroup } from "./iam/admin-group";
export { AdminUser, AdminUserProps, ConsoleAccess, IAdminUser } from "./iam/admin-user";

// IAM Identity Center: the guide's recommended administrators
export { AccountAssignment, AccountAssignmentProps } from "./identity-center/account-assignment";
export { IIdentityCenterGroup, IdentityCenterGroup, IdentityCenterGroupProps } from "./identity-center/group";
export { IdentityCenterInstance } from "./identity-center/instance";
export { AdministratorPermissionSet, AdministratorPermissionSetProps } from "./identity-center/permission-set";
export { IdentityCenterUser, IdentityCenterUserProps } from "./identity-center/user";

// Incident Manager
export {
  IncidentManagerServiceLinkedRole,
  IncidentManagerServiceLinkedRoleProps,
  ServiceLinkedRoleMode,
  incidentManagerRoleArn,
} from "./incident-manager/service-linked-role";
export { IncidentManagerSetupPolicy, IncidentManagerSetupPolicyProps } from "./incident-manager/setup-policy";
export { CheckBlock, CheckBlockProps } from "./core/check-block";
export { WARNINGS, WarningId } from "./core/warnings";

// The stacks, and what their outputs hold
export { AssignedAccount, IdentityCenterStack, IdentityCenterStackProps } from "./app/stacks/identity-center-stack";
export {
  AccessKeyOutput,
  AdminUserOutput,
  AdminUserSecrets,
  IncidentManagerSetupStack,
  IncidentManagerSetupStackProps,
  SECRETS_OUTPUT,
  USERS_OUTPUT,
} from "./app/stacks/setup-stack";

// The app: configuration (its types derive from the zod schema SetupConfigSchema), composition, synthesis
export {
  AccessKeyConfig,
  AccountConfig,
  AdminUserConfig,
  BackendConfig,
  ConfigError,
  IdentityCenterConfig,
  IdentityCenterUserConfig,
  SetupConfig,
  SetupConfigInput,
  SetupConfigSchema,
  configJsonSchema,
  loadConfig,
  parseConfig,
} from "./app/config";
export { createApp, stackNames } from "./app/compose";
export { StrictError, SynthWarning } from "./app/warnings";
export { SynthError, SynthResult, SynthesizeOptions, synthesize } from "./app/synth/synthesize";
