// A stand-in for the few AWS read APIs that `terraform plan` of a stack calls, so the real
// hashicorp/aws provider can plan offline (see scripts/lib/offline-plan.ts).
//
// It listens on 127.0.0.1 at a random port, for the services pointed at it through the
// provider's `endpoints`, and speaks two protocols:
// - AWS Query (POST, form-encoded `Action=...&Version=...`, XML answers), for STS and IAM:
//   - STS GetCallerIdentity: an IAM user of account 111122223333 (or of the account chosen per
//     server), or the account's root user (chosen per server);
//   - IAM GetRole of AWSServiceRoleForIncidentManager: the service-linked role Incident Manager
//     creates (read by the import of an adopted role and by the data source of a referenced one);
//     ListRoles (data "aws_iam_roles", by PathPrefix) lists it. Unless the server is chosen to be
//     an account without it (`serviceLinkedRole: false`: ListRoles lists no role, GetRole of it
//     answers NoSuchEntity);
//   - IAM GetGroup, ListAttachedGroupPolicies (AdministratorAccess attached), GetUser,
//     ListUserTags, ListGroupsForUser and GetLoginProfile of the groups and users the server is
//     chosen to have (`existingIam`; none by default), read by the import of adopted ones; for
//     any other name NoSuchEntity (HTTP 404), as IAM answers, an expected answer.
// - AWS JSON 1.1 (POST /, header `X-Amz-Target: <prefix>.<Operation>`, JSON body and answers),
//   for IAM Identity Center:
//   - SSO Admin (target prefix SWBExternalService, signing name `sso`) ListInstances: 1 instance
//     by default, owned by the stub's account; 0 or more per server (`ssoInstances`);
//   - Identity Store (target prefix AWSIdentityStore, signing name `identitystore`) GetGroupId
//     and DescribeGroup, GetUserId and DescribeUser, in the stub's identity stores: one group
//     ({@link STUB_GROUP_ID}) answers to every display name and one user
//     ({@link STUB_IDENTITY_STORE_USER_ID}) to every user name, unless the server is chosen to
//     know none (`groups` / `users`: "none"; then GetGroupId / GetUserId answer
//     ResourceNotFoundException as Identity Store does). DescribeGroup / DescribeUser name the
//     group / user after the last display name / user name looked up.
// Every request is recorded with its service (the SigV4 signing name), action and signing region.
// Anything else (another action, another role, group or identity store, a request signed for
// another service, a malformed request) is answered with an AWS-style error (HTTP 400, code
// UnexpectedCall; GetRole of a role other than the stub's: 404 NoSuchEntity as IAM answers; Identity Store:
// ResourceNotFoundException) and recorded in `unexpected`, so a test can assert that a plan made
// no call it did not expect. JSON errors are `{"__type": code, "message": ...}` with the code also
// in the `x-amzn-ErrorType` header (the AWS SDK for Go v2 reads the header first, then `__type`).
// Only AWS's documented example values, or values shaped like them, are used. ARNs are in the
// partition of the request's signing region (us-gov-* -> aws-us-gov, cn-* -> aws-cn).
import { partitionOfRegion } from "../../modules/core/arns";
import { randomUUID } from "crypto";
import { IncomingMessage, Server, ServerResponse, createServer } from "http";
import { AddressInfo } from "net";

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
const STS_VERSION = "2011-06-15";
const IAM_VERSION = "2010-05-08";

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
export interface StubRequest {
  readonly method: string;
  readonly url: string;
  /**
   * `sts`, `iam` (by the Query Version), `sso`, `identitystore` (by the X-Amz-Target prefix), or
   * what the signature names (undefined when unsigned and neither is known).
   */
  readonly service?: string;
  /** The signing region of the SigV4 Authorization header. */
  readonly region?: string;
  /** The Query `Action`, or the operation of a JSON request's X-Amz-Target (`ListInstances`). */
  readonly action?: string;
  /** The form parameters (Action and Version included); for a JSON request, its URL's query parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The JSON body of a JSON-protocol request (its action is the operation of X-Amz-Target). */
  readonly body?: unknown;
  /** The HTTP status it was answered with. */
  readonly status: number;
  /** Whether the stub expected the call (false: answered with an error). */
  readonly expected: boolean;
}

/** A running stub. */
export interface AwsStub {
  /** `http://127.0.0.1:<port>`: the endpoint for every service it serves. */
  readonly endpoint: string;
  readonly port: number;
  /** Who GetCallerIdentity says the caller is. */
  readonly identity: StubIdentity;
  /** The account of the caller, of the role and of the IAM Identity Center instances. */
  readonly account: string;
  /** How many IAM Identity Center instances ListInstances lists. */
  readonly ssoInstances: number;
  /** Whether the account has the service-linked role {@link STUB_ROLE}. */
  readonly serviceLinkedRole: boolean;
  /** Every request, in order. */
  readonly requests: readonly StubRequest[];
  /** The requests answered with an error because nothing expects them. */
  readonly unexpected: readonly StubRequest[];
  /** `sts:GetCallerIdentity`-style names of the requests, in order. */
  calls(): string[];
  /** Forgets the recorded requests. */
  reset(): void;
  /** Stops the server (open connections are closed). */
  close(): Promise<void>;
}

/** Options of {@link startAwsStub}. */
export interface AwsStubOptions {
  /** @default "user" */
  readonly identity?: StubIdentity;
  /** The account id of the caller and of the role (12 digits). @default STUB_ACCOUNT_ID */
  readonly account?: string;
  /**
   * How many IAM Identity Center instances SSO Admin ListInstances lists (0: Identity Center is
   * not enabled; 2: an organization instance and an account instance, say). At most 9.
   * @default 1
   */
  readonly ssoInstances?: number;
  /** Whether Identity Store knows a group for every display name, or none. @default "any" */
  readonly groups?: "any" | "none";
  /** Whether Identity Store knows a user for every user name, or none. @default "any" */
  readonly users?: "any" | "none";
  /**
   * Whether the account has the service-linked role {@link STUB_ROLE}: IAM ListRoles lists it
   * (when its PathPrefix, if any, is a prefix of the role's path) and GetRole reads it. When
   * false, ListRoles lists no role and GetRole of it answers NoSuchEntity (HTTP 404).
   * @default true
   */
  readonly serviceLinkedRole?: boolean;
  /**
   * The IAM groups and users the account has: GetGroup, ListAttachedGroupPolicies, GetUser,
   * ListUserTags, ListGroupsForUser, GetLoginProfile answer for them, NoSuchEntity for others.
   * @default - none exist
   */
  readonly existingIam?: StubExistingIam;
  /** Called with one line per request (e.g. console.error), for discovering what a plan calls. */
  readonly log?: (line: string) => void;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly expected: boolean;
  /** @default "text/xml" */
  readonly contentType?: string;
  /** The `x-amzn-ErrorType` header of a JSON-protocol error. */
  readonly errorType?: string;
}

/** Escapes text for an XML element. */
function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** `<ActionResponse xmlns=...><ActionResult>result</ActionResult><ResponseMetadata>...` */
function success(namespace: string, action: string, result: string): Answer {
  const body =
    `<${action}Response xmlns="${namespace}">\n` +
    `  <${action}Result>\n${result}\n  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, body, expected: true };
}

/** An AWS Query error response. */
function failure(namespace: string, status: number, code: string, message: string, expected = false): Answer {
  const body =
    `<ErrorResponse xmlns="${namespace}">\n` +
    `  <Error>\n    <Type>Sender</Type>\n    <Code>${xml(code)}</Code>\n    <Message>${xml(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${randomUUID()}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return { status, body, expected };
}

/** IAM encodes policy documents in its Query responses the way JavaScript's encodeURIComponent does. */
export function iamEncodedPolicy(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document));
}

function getCallerIdentity(identity: StubIdentity, partition: string, account: string): Answer {
  const userId = identity === "root" ? account : STUB_USER_ID;
  return success(
    STS_NAMESPACE,
    "GetCallerIdentity",
    `    <Arn>${stubCallerArn(identity, partition, account)}</Arn>\n` +
      `    <UserId>${userId}</UserId>\n` +
      `    <Account>${account}</Account>`,
  );
}

/** IAM's NoSuchEntity (HTTP 404). */
function noSuchEntity(message: string, expected: boolean): Answer {
  return failure(IAM_NAMESPACE, 404, "NoSuchEntity", message, expected);
}

function getRole(params: Record<string, string>, partition: string, account: string, serviceLinkedRole: boolean): Answer {
  if (params.RoleName !== STUB_ROLE.name || !serviceLinkedRole) {
    // The stub's role in an account chosen not to have it: an expected answer; another role: not.
    return noSuchEntity(`The role with name ${params.RoleName ?? "(none)"} cannot be found.`, params.RoleName === STUB_ROLE.name);
  }
  return success(
    IAM_NAMESPACE,
    "GetRole",
    [
      "    <Role>",
      `      <Path>${STUB_ROLE.path}</Path>`,
      `      <AssumeRolePolicyDocument>${iamEncodedPolicy(STUB_ROLE.assumeRolePolicyDocument)}</AssumeRolePolicyDocument>`,
      `      <MaxSessionDuration>${STUB_ROLE.maxSessionDuration}</MaxSessionDuration>`,
      `      <RoleId>${STUB_ROLE.roleId}</RoleId>`,
      "      <RoleLastUsed/>",
      `      <RoleName>${STUB_ROLE.name}</RoleName>`,
      `      <Arn>${stubRoleArn(partition, account)}</Arn>`,
      `      <CreateDate>${STUB_ROLE.createDate}</CreateDate>`,
      "    </Role>",
    ].join("\n"),
  );
}

/** `<Name/>` for an empty list, else `<Name>` with one `<member>` per entry (IAM's Query lists). */
function members(name: string, entries: readonly string[], indent: string): string {
  if (entries.length === 0) return `${indent}<${name}/>`;
  return [`${indent}<${name}>`, ...entries.map((e) => `${indent}  <member>\n${e}\n${indent}  </member>`), `${indent}</${name}>`].join("\n");
}

/**
 * IAM ListRoles: {@link STUB_ROLE} when the account has it and the PathPrefix (if any) is a
 * prefix of its path; never truncated (a Marker, which only a truncated answer hands out, is
 * unexpected). The members have no RoleLastUsed and no Tags, as IAM's ListRoles documents.
 */
function listRoles(params: Record<string, string>, partition: string, account: string, serviceLinkedRole: boolean): Answer {
  if (params.Marker !== undefined) {
    return failure(IAM_NAMESPACE, 400, "UnexpectedCall", "The AWS stub never truncates ListRoles: no Marker is expected.");
  }
  const prefix = params.PathPrefix ?? "/";
  const listed = serviceLinkedRole && STUB_ROLE.path.startsWith(prefix);
  const role = [
    `        <Path>${STUB_ROLE.path}</Path>`,
    `        <RoleName>${STUB_ROLE.name}</RoleName>`,
    `        <RoleId>${STUB_ROLE.roleId}</RoleId>`,
    `        <Arn>${stubRoleArn(partition, account)}</Arn>`,
    `        <CreateDate>${STUB_ROLE.createDate}</CreateDate>`,
    `        <AssumeRolePolicyDocument>${iamEncodedPolicy(STUB_ROLE.assumeRolePolicyDocument)}</AssumeRolePolicyDocument>`,
    `        <MaxSessionDuration>${STUB_ROLE.maxSessionDuration}</MaxSessionDuration>`,
  ].join("\n");
  return success(IAM_NAMESPACE, "ListRoles", `${members("Roles", listed ? [role] : [], "    ")}\n    <IsTruncated>false</IsTruncated>`);
}

/** The IAM groups and users of a server, with their unique ids. */
interface IamState {
  readonly groups: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, { readonly id: string; readonly loginProfile: boolean }>;
}

function iamState(existing: StubExistingIam | undefined): IamState {
  const groups = new Map<string, string>();
  const users = new Map<string, { id: string; loginProfile: boolean }>();
  (existing?.groups ?? []).forEach((name, i) => {
    if (groups.has(name)) throw new Error(`AWS stub: existingIam.groups names ${JSON.stringify(name)} twice`);
    groups.set(name, stubIamUniqueId("group", i));
  });
  (existing?.users ?? []).forEach((user, i) => {
    if (users.has(user.name)) throw new Error(`AWS stub: existingIam.users names ${JSON.stringify(user.name)} twice`);
    users.set(user.name, { id: stubIamUniqueId("user", i), loginProfile: user.loginProfile ?? false });
  });
  return { groups, users };
}

/**
 * IAM GetGroup, ListAttachedGroupPolicies, GetUser, ListUserTags, ListGroupsForUser,
 * GetLoginProfile (undefined: another action). Unknown names: NoSuchEntity, as IAM answers (an
 * expected answer: the account was chosen not to have them); no name at all: unexpected.
 */
function iamEntityAnswer(
  action: string,
  params: Record<string, string>,
  state: IamState,
  partition: string,
  account: string,
): Answer | undefined {
  const pathPrefixOk = params.PathPrefix === undefined || "/".startsWith(params.PathPrefix);
  if (action === "GetGroup" || action === "ListAttachedGroupPolicies") {
    const name = params.GroupName;
    if (name === undefined) return failure(IAM_NAMESPACE, 400, "ValidationError", `${action}: GroupName is required.`);
    const id = state.groups.get(name);
    if (id === undefined) return noSuchEntity(`The group with name ${name} cannot be found.`, true);
    if (params.Marker !== undefined) {
      return failure(IAM_NAMESPACE, 400, "UnexpectedCall", `The AWS stub never truncates ${action}: no Marker is expected.`);
    }
    if (action === "GetGroup") {
      const group = [
        "    <Group>",
        "      <Path>/</Path>",
        `      <GroupName>${xml(name)}</GroupName>`,
        `      <GroupId>${id}</GroupId>`,
        `      <Arn>${xml(stubIamArn("group", name, partition, account))}</Arn>`,
        `      <CreateDate>${STUB_IAM_CREATE_DATE}</CreateDate>`,
        "    </Group>",
      ].join("\n");
      return success(IAM_NAMESPACE, action, `${group}\n${members("Users", [], "    ")}\n    <IsTruncated>false</IsTruncated>`);
    }
    const policy = [
      `        <PolicyName>${STUB_GROUP_POLICY_NAME}</PolicyName>`,
      `        <PolicyArn>${stubGroupPolicyArn(partition)}</PolicyArn>`,
    ].join("\n");
    return success(
      IAM_NAMESPACE,
      action,
      `${members("AttachedPolicies", pathPrefixOk ? [policy] : [], "    ")}\n    <IsTruncated>false</IsTruncated>`,
    );
  }
  if (!["GetUser", "ListUserTags", "ListGroupsForUser", "GetLoginProfile"].includes(action)) return undefined;
  const name = params.UserName;
  // GetUser without UserName reads the caller: the provider names the user it reads.
  if (name === undefined) return failure(IAM_NAMESPACE, 400, "UnexpectedCall", `The AWS stub serves ${action} only with a UserName.`);
  const user = state.users.get(name);
  if (user === undefined) return noSuchEntity(`The user with name ${name} cannot be found.`, true);
  if (params.Marker !== undefined) {
    return failure(IAM_NAMESPACE, 400, "UnexpectedCall", `The AWS stub never truncates ${action}: no Marker is expected.`);
  }
  switch (action) {
    case "GetUser":
      return success(
        IAM_NAMESPACE,
        action,
        [
          "    <User>",
          `      <UserId>${user.id}</UserId>`,
          "      <Path>/</Path>",
          `      <UserName>${xml(name)}</UserName>`,
          `      <Arn>${xml(stubIamArn("user", name, partition, account))}</Arn>`,
          `      <CreateDate>${STUB_IAM_CREATE_DATE}</CreateDate>`,
          "    </User>",
        ].join("\n"),
      );
    case "ListUserTags":
      return success(IAM_NAMESPACE, action, `${members("Tags", [], "    ")}\n    <IsTruncated>false</IsTruncated>`);
    case "ListGroupsForUser":
      return success(IAM_NAMESPACE, action, `${members("Groups", [], "    ")}\n    <IsTruncated>false</IsTruncated>`);
    default:
      // IAM's message for a user without a console password.
      if (!user.loginProfile) return noSuchEntity(`Login Profile for User ${name} cannot be found.`, true);
      return success(
        IAM_NAMESPACE,
        action,
        [
          "    <LoginProfile>",
          `      <UserName>${xml(name)}</UserName>`,
          `      <CreateDate>${STUB_IAM_CREATE_DATE}</CreateDate>`,
          "      <PasswordResetRequired>false</PasswordResetRequired>",
          "    </LoginProfile>",
        ].join("\n"),
      );
  }
}

// ----- AWS JSON 1.1 -----

/** A JSON-protocol answer. */
function jsonSuccess(result: unknown): Answer {
  return { status: 200, body: JSON.stringify(result), expected: true, contentType: AMZ_JSON_1_1 };
}

/** A JSON-protocol error: `{"__type": code, "message": ...}` plus the code in `x-amzn-ErrorType`. */
function jsonFailure(status: number, code: string, message: string, expected = false, extra: Record<string, unknown> = {}): Answer {
  return {
    status,
    body: JSON.stringify({ __type: code, message, ...extra }),
    expected,
    contentType: AMZ_JSON_1_1,
    errorType: code,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What the Identity Store JSON handlers read and remember (per server). */
interface IdentityStoreState {
  readonly storeIds: readonly string[];
  readonly groups: "any" | "none";
  readonly users: "any" | "none";
  groupName: string;
  userName: string;
}

/** Identity Store's ResourceNotFoundException (HTTP 400: the model gives it no other status). */
function notFound(resourceType: string, resourceId: string | undefined, message: string, expected: boolean): Answer {
  return jsonFailure(400, "ResourceNotFoundException", message, expected, {
    ResourceType: resourceType,
    ...(resourceId ? { ResourceId: resourceId } : {}),
    RequestId: randomUUID(),
  });
}

/**
 * The lookup of GetGroupId / GetUserId: `AlternateIdentifier` is a union of `UniqueAttribute`
 * (AttributePath, AttributeValue: a JSON document) and `ExternalId` (Issuer, Id).
 */
function alternateIdentifier(body: Record<string, unknown>): { path: string; value: string } | undefined {
  const alternate = body.AlternateIdentifier;
  if (!isRecord(alternate)) return undefined;
  const unique = alternate.UniqueAttribute;
  if (isRecord(unique) && typeof unique.AttributePath === "string" && unique.AttributeValue !== undefined) {
    const value = unique.AttributeValue;
    return { path: unique.AttributePath, value: typeof value === "string" ? value : JSON.stringify(value) };
  }
  const external = alternate.ExternalId;
  if (isRecord(external) && typeof external.Issuer === "string" && typeof external.Id === "string") {
    return { path: `ExternalId(${external.Issuer})`, value: external.Id };
  }
  return undefined;
}

/** Identity Store GetGroupId, DescribeGroup, GetUserId, DescribeUser (undefined: another action). */
function identityStoreAnswer(action: string, body: Record<string, unknown>, state: IdentityStoreState): Answer | undefined {
  if (!["GetGroupId", "DescribeGroup", "GetUserId", "DescribeUser"].includes(action)) return undefined;
  const kind = action === "GetGroupId" || action === "DescribeGroup" ? "group" : "user";
  const storeId = body.IdentityStoreId;
  if (typeof storeId !== "string" || !state.storeIds.includes(storeId)) {
    return notFound("IDENTITY_STORE", undefined, `The AWS stub has no identity store ${JSON.stringify(storeId ?? null)}.`, false);
  }
  const none = (kind === "group" ? state.groups : state.users) === "none";
  if (action === "GetGroupId" || action === "GetUserId") {
    const lookup = alternateIdentifier(body);
    if (!lookup) {
      return jsonFailure(400, "ValidationException", `The AWS stub cannot read the AlternateIdentifier of ${action}.`);
    }
    if (none) {
      // Expected: the server was chosen to know no groups (users), as a store without them.
      return notFound(
        kind === "group" ? "GROUP" : "USER",
        undefined,
        `No ${kind} with ${lookup.path} ${JSON.stringify(lookup.value)} in identity store ${storeId} (the AWS stub knows no ${kind}s).`,
        true,
      );
    }
    if (kind === "group") {
      if (/^displayname$/i.test(lookup.path)) state.groupName = lookup.value;
      return jsonSuccess({ GroupId: STUB_GROUP_ID, IdentityStoreId: storeId });
    }
    if (/^username$/i.test(lookup.path)) state.userName = lookup.value;
    return jsonSuccess({ UserId: STUB_IDENTITY_STORE_USER_ID, IdentityStoreId: storeId });
  }
  if (action === "DescribeGroup") {
    if (none || body.GroupId !== STUB_GROUP_ID) {
      return notFound("GROUP", typeof body.GroupId === "string" ? body.GroupId : undefined, "The AWS stub knows no such group.", false);
    }
    return jsonSuccess({ GroupId: STUB_GROUP_ID, DisplayName: state.groupName, ExternalIds: [], IdentityStoreId: storeId });
  }
  if (none || body.UserId !== STUB_IDENTITY_STORE_USER_ID) {
    return notFound("USER", typeof body.UserId === "string" ? body.UserId : undefined, "The AWS stub knows no such user.", false);
  }
  const user = STUB_IDENTITY_STORE_USER;
  return jsonSuccess({
    UserName: state.userName,
    UserId: STUB_IDENTITY_STORE_USER_ID,
    ExternalIds: [],
    Name: { Formatted: user.displayName, FamilyName: user.familyName, GivenName: user.givenName },
    DisplayName: user.displayName,
    Emails: [{ Value: user.email, Type: "work", Primary: true }],
    IdentityStoreId: storeId,
  });
}

/** SSO Admin ListInstances: the instances of {@link stubSsoInstanceArn}, owned by `account`. */
function listInstances(count: number, partition: string, account: string): Answer {
  const created = Date.parse(STUB_SSO_INSTANCE_CREATED) / 1000;
  return jsonSuccess({
    Instances: Array.from({ length: count }, (_, i) => ({
      InstanceArn: stubSsoInstanceArn(i + 1, partition),
      IdentityStoreId: stubIdentityStoreId(i + 1),
      OwnerAccountId: account,
      Status: "ACTIVE",
      // JSON 1.1 timestamps are epoch seconds.
      CreatedDate: created,
    })),
  });
}

/** `Credential=AKID/20240101/us-east-1/iam/aws4_request` of a SigV4 Authorization header. */
function signingScope(authorization: string | undefined): { region?: string; service?: string } {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? "");
  return match ? { region: match[1], service: match[2] } : {};
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Starts a stub on 127.0.0.1 at a random port. Close it with {@link AwsStub.close}. */
export async function startAwsStub(options: AwsStubOptions = {}): Promise<AwsStub> {
  const identity = options.identity ?? "user";
  const account = options.account ?? STUB_ACCOUNT_ID;
  if (!/^\d{12}$/.test(account)) throw new Error(`AWS stub: account ${JSON.stringify(account)} is not a 12-digit account id`);
  const ssoInstances = options.ssoInstances ?? 1;
  if (!Number.isInteger(ssoInstances) || ssoInstances < 0 || ssoInstances > 9) {
    throw new Error(`AWS stub: ssoInstances ${ssoInstances} is not a whole number from 0 to 9`);
  }
  const identityStore: IdentityStoreState = {
    storeIds: Array.from({ length: ssoInstances }, (_, i) => stubIdentityStoreId(i + 1)),
    groups: options.groups ?? "any",
    users: options.users ?? "any",
    groupName: STUB_GROUP_DISPLAY_NAME,
    userName: STUB_IDENTITY_STORE_USER.userName,
  };
  const serviceLinkedRole = options.serviceLinkedRole ?? true;
  const iam = iamState(options.existingIam);
  const requests: StubRequest[] = [];

  const answer = (
    method: string,
    params: Record<string, string>,
    scope: { region?: string; service?: string },
  ): Answer & { service?: string } => {
    const action = params.Action;
    const service = params.Version === STS_VERSION ? "sts" : params.Version === IAM_VERSION ? "iam" : scope.service;
    const namespace = service === "iam" ? IAM_NAMESPACE : STS_NAMESPACE;
    const partition = partitionOfRegion(scope.region ?? "");
    const describe = `${service ?? "?"}:${action ?? "?"} (${method})`;
    if (method !== "POST" || !action) {
      return { service, ...failure(namespace, 400, "UnexpectedCall", `The AWS stub does not serve ${describe}.`) };
    }
    if (service === "sts" && action === "GetCallerIdentity") {
      return { service, ...getCallerIdentity(identity, partition, account) };
    }
    if (service === "iam" && action === "GetRole") return { service, ...getRole(params, partition, account, serviceLinkedRole) };
    if (service === "iam" && action === "ListRoles") return { service, ...listRoles(params, partition, account, serviceLinkedRole) };
    const entity = service === "iam" ? iamEntityAnswer(action, params, iam, partition, account) : undefined;
    if (entity) return { service, ...entity };
    return {
      service,
      ...failure(namespace, 400, "UnexpectedCall", `The AWS stub does not serve ${describe}: no test expects it.`),
    };
  };

  /** A JSON 1.1 request: `target` is its X-Amz-Target. */
  const answerJson = (
    method: string,
    url: URL,
    target: string,
    text: string,
    scope: { region?: string; service?: string },
  ): Answer & { service?: string; action?: string; requestBody?: unknown } => {
    const dot = target.lastIndexOf(".");
    const prefix = dot > 0 ? target.slice(0, dot) : target;
    const action = dot > 0 ? target.slice(dot + 1) : undefined;
    const service: string | undefined = JSON_TARGET_SERVICES[prefix as keyof typeof JSON_TARGET_SERVICES] ?? scope.service;
    const partition = partitionOfRegion(scope.region ?? "");
    const describe = `${service ?? "?"}:${action ?? "?"} (${method} ${target})`;
    let body: unknown;
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      return { service, action, ...jsonFailure(400, "SerializationException", `The AWS stub cannot parse the JSON body of ${describe}.`) };
    }
    const base = { service, action, requestBody: body };
    if (method !== "POST" || url.pathname !== "/" || !action || !isRecord(body)) {
      return { ...base, ...jsonFailure(400, "UnexpectedCall", `The AWS stub does not serve ${describe}.`) };
    }
    if (scope.service !== undefined && scope.service !== service) {
      return {
        ...base,
        ...jsonFailure(400, "UnexpectedCall", `The AWS stub does not serve ${describe} signed for service ${scope.service}.`),
      };
    }
    if (service === "sso" && action === "ListInstances") return { ...base, ...listInstances(ssoInstances, partition, account) };
    const identity = service === "identitystore" ? identityStoreAnswer(action, body, identityStore) : undefined;
    if (identity) return { ...base, ...identity };
    return { ...base, ...jsonFailure(400, "UnexpectedCall", `The AWS stub does not serve ${describe}: no test expects it.`) };
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readBody(request)
      .then((body) => {
        const params: Record<string, string> = {};
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        for (const [key, value] of url.searchParams) params[key] = value;
        const scope = signingScope(request.headers.authorization);
        const method = request.method ?? "?";
        const target = request.headers["x-amz-target"];
        let result: Answer & { service?: string; action?: string; requestBody?: unknown };
        if (typeof target === "string") {
          result = answerJson(method, url, target, body, scope);
        } else {
          for (const [key, value] of new URLSearchParams(body)) params[key] = value;
          result = { ...answer(method, params, scope), action: params.Action };
        }
        const record: StubRequest = {
          method,
          url: request.url ?? "/",
          service: result.service,
          region: scope.region,
          action: result.action,
          params,
          ...(result.requestBody !== undefined ? { body: result.requestBody } : {}),
          status: result.status,
          expected: result.expected,
        };
        requests.push(record);
        options.log?.(
          `aws-stub: ${record.service ?? "?"}:${record.action ?? "?"} region=${record.region ?? "?"} -> ${record.status}` +
            `${record.expected ? "" : " UNEXPECTED"} ${JSON.stringify(record.body ?? params)}`,
        );
        response.writeHead(result.status, {
          "Content-Type": result.contentType ?? "text/xml",
          "Content-Length": Buffer.byteLength(result.body),
          "x-amzn-RequestId": randomUUID(),
          ...(result.errorType ? { "x-amzn-ErrorType": result.errorType } : {}),
        });
        response.end(result.body);
      })
      .catch((error: unknown) => {
        response.writeHead(500, { "Content-Type": "text/plain" });
        response.end(String(error));
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    identity,
    account,
    ssoInstances,
    serviceLinkedRole,
    requests,
    get unexpected() {
      return requests.filter((r) => !r.expected);
    },
    calls: () => requests.map((r) => `${r.service ?? "?"}:${r.action ?? "?"}`),
    reset: () => {
      requests.length = 0;
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
