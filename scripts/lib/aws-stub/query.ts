// The AWS Query protocol of the stub (POST, form-encoded `Action=...&Version=...`, XML answers): STS
// GetCallerIdentity, and the IAM reads of a plan (the service-linked role, adopted groups and users).
import { randomUUID } from "crypto";
import { partitionOfRegion } from "../../../modules/core/arns";
import {
  IAM_NAMESPACE,
  IAM_VERSION,
  STS_NAMESPACE,
  STS_VERSION,
  STUB_GROUP_POLICY_NAME,
  STUB_IAM_CREATE_DATE,
  STUB_ROLE,
  STUB_USER_ID,
  StubExistingIam,
  StubIdentity,
  stubCallerArn,
  stubGroupPolicyArn,
  stubIamArn,
  stubIamUniqueId,
  stubRoleArn,
} from "./values";

/** The region and service a SigV4 signature names. */
export interface SigningScope {
  readonly region?: string;
  readonly service?: string;
}

/** What a running stub answers from (per server). */
export interface StubState {
  readonly identity: StubIdentity;
  readonly account: string;
  readonly serviceLinkedRole: boolean;
  readonly iam: IamState;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly expected: boolean;
  /** @default "text/xml" */
  readonly contentType?: string;
  /** The `x-amzn-ErrorType` header of a JSON-protocol error. */
  readonly errorType?: string;
}

/** Escapes text for an XML element. */
export function xml(text: string): string {
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
export interface IamState {
  readonly groups: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, { readonly id: string; readonly loginProfile: boolean }>;
}

export function iamState(existing: StubExistingIam | undefined): IamState {
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

/** An AWS Query request (STS, IAM) of a stub in `state`. */
export function answerQuery(
  method: string,
  params: Record<string, string>,
  scope: SigningScope,
  state: StubState,
): Answer & { service?: string } {
  const { identity, account, serviceLinkedRole, iam } = state;
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
}
