// The values of the AWS stub (scripts/lib/aws-stub/): AWS's documented example values, or values
// shaped like them, and the ARNs built from them.

/** The example account of the stub (AWS's documented example account id). */
export const STUB_ACCOUNT_ID = "111122223333";
/** AWS's documented example access key id; the stub accepts any signature. */
export const STUB_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
/** AWS's documented example secret access key. */
export const STUB_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** Name of the IAM user the stub's "user" identity is. */
export const STUB_USER_NAME = "incident-admin";
/** UserId of the stub's "user" identity. */
export const STUB_USER_ID = "AIDAIOSFODNN7EXAMPLE";

/** The service-linked role the stub knows. */
export const STUB_ROLE = {
  name: "AWSServiceRoleForIncidentManager",
  path: "/aws-service-role/ssm-incidents.amazonaws.com/",
  roleId: "AROAIOSFODNN7EXAMPLE",
  createDate: "2024-01-15T10:00:00Z",
  maxSessionDuration: 3600,
  assumeRolePolicyDocument: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ssm-incidents.amazonaws.com" }, Action: "sts:AssumeRole" }],
  },
} as const;

/** The created date of the stub's IAM groups and users (and of their login profiles). */
export const STUB_IAM_CREATE_DATE = "2024-01-15T10:00:00Z";

/** The AWS managed policy every group of {@link AwsStubOptions.existingIam} has attached. */
export const STUB_GROUP_POLICY_NAME = "AdministratorAccess";

/** The ARN of {@link STUB_GROUP_POLICY_NAME} (an AWS managed policy: account `aws`). */
export function stubGroupPolicyArn(partition = "aws"): string {
  return `arn:${partition}:iam::aws:policy/${STUB_GROUP_POLICY_NAME}`;
}

/**
 * The unique id of the `index`th (0, 1, ...) group or user of {@link AwsStubOptions.existingIam},
 * shaped like IAM's documented examples (AGPACKCEVSQ6C2EXAMPLE, AIDACKCEVSQ6C2EXAMPLE): the
 * first is the example itself, the next ones differ in the digit.
 */
export function stubIamUniqueId(kind: "group" | "user", index = 0): string {
  const digits = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  if (!Number.isInteger(index) || index < 0 || index >= digits.length) {
    throw new Error(`AWS stub: no IAM ${kind} number ${index} (0 to ${digits.length - 1})`);
  }
  return `${kind === "group" ? "AGPA" : "AIDA"}CKCEVSQ6C${digits[index]}EXAMPLE`;
}

/** The ARN of an IAM group or user (path "/") of the stub's account. */
export function stubIamArn(kind: "group" | "user", name: string, partition = "aws", account: string = STUB_ACCOUNT_ID): string {
  return `arn:${partition}:iam::${account}:${kind}/${name}`;
}

/** The IAM groups and users an account of the stub has (for imports of adopted ones). */
export interface StubExistingIam {
  /** Names of the groups (path "/", no members, {@link STUB_GROUP_POLICY_NAME} attached). @default none */
  readonly groups?: readonly string[];
  /** The users (path "/", no tags, in no group), with or without a console password. @default none */
  readonly users?: ReadonlyArray<{ readonly name: string; readonly loginProfile?: boolean }>;
}

/** The created date of the stub's IAM Identity Center instances. */
export const STUB_SSO_INSTANCE_CREATED = "2024-01-15T10:00:00Z";

/** The ARN of the stub's IAM Identity Center instance number `index` (1, 2, ...). */
export function stubSsoInstanceArn(index = 1, partition = "aws"): string {
  return `arn:${partition}:sso:::instance/ssoins-${instanceDigits(index).repeat(16)}`;
}

/** The id of the identity store of the stub's instance number `index` (1, 2, ...). */
export function stubIdentityStoreId(index = 1): string {
  return `d-${instanceDigits(index).repeat(10)}`;
}

function instanceDigits(index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > 9) throw new Error(`AWS stub: no IAM Identity Center instance ${index} (1 to 9)`);
  return String(index);
}

/** The ARN of the stub's (first) IAM Identity Center instance, in partition aws. */
export const STUB_SSO_INSTANCE_ARN = stubSsoInstanceArn(1);
/** The identity store of the stub's (first) IAM Identity Center instance. */
export const STUB_IDENTITY_STORE_ID = stubIdentityStoreId(1);
/** The GroupId of the stub's Identity Store group (shaped like Identity Store's ResourceId: a UUID). */
export const STUB_GROUP_ID = "a1b2c3d4-5678-90ab-cdef-111111111111";
/** The display name of the stub's group until a GetGroupId names it. */
export const STUB_GROUP_DISPLAY_NAME = "Administrators";
/** The UserId of the stub's Identity Store user. */
export const STUB_IDENTITY_STORE_USER_ID = "a1b2c3d4-5678-90ab-cdef-222222222222";
/** The stub's Identity Store user (its UserName until a GetUserId names it). */
export const STUB_IDENTITY_STORE_USER = {
  userName: "jdoe",
  displayName: "John Doe",
  givenName: "John",
  familyName: "Doe",
  email: "jdoe@example.com",
} as const;

/** X-Amz-Target prefixes of the JSON 1.1 services the stub serves, and their SigV4 signing names. */
export const JSON_TARGET_SERVICES = { SWBExternalService: "sso", AWSIdentityStore: "identitystore" } as const;
/** The Content-Type of the AWS JSON 1.1 protocol. */
export const AMZ_JSON_1_1 = "application/x-amz-json-1.1";

export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
export const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
export const STS_VERSION = "2011-06-15";
export const IAM_VERSION = "2010-05-08";

/** Who GetCallerIdentity says the caller is. */
export type StubIdentity = "user" | "root";

/** The ARN of the caller. */
export function stubCallerArn(identity: StubIdentity, partition = "aws", account: string = STUB_ACCOUNT_ID): string {
  return identity === "root" ? `arn:${partition}:iam::${account}:root` : `arn:${partition}:iam::${account}:user/${STUB_USER_NAME}`;
}

/** The ARN of {@link STUB_ROLE}. */
export function stubRoleArn(partition = "aws", account: string = STUB_ACCOUNT_ID): string {
  return `arn:${partition}:iam::${account}:role${STUB_ROLE.path}${STUB_ROLE.name}`;
}

/** One request the stub received. */
