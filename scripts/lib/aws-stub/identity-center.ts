// The AWS JSON 1.1 protocol of the stub (POST /, header `X-Amz-Target: <prefix>.<Operation>`, JSON
// body and answers), for IAM Identity Center: SSO Admin ListInstances, Identity Store lookups.
import { randomUUID } from "crypto";
import { partitionOfRegion } from "../../../modules/core/arns";
import { Answer, SigningScope } from "./query";
import {
  AMZ_JSON_1_1,
  JSON_TARGET_SERVICES,
  STUB_GROUP_ID,
  STUB_IDENTITY_STORE_USER,
  STUB_IDENTITY_STORE_USER_ID,
  STUB_SSO_INSTANCE_CREATED,
  stubIdentityStoreId,
  stubSsoInstanceArn,
} from "./values";

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
export interface IdentityStoreState {
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

/** A JSON 1.1 request (`target`: its X-Amz-Target) of a stub with `ssoInstances` instances. */
export function answerJson(
  method: string,
  url: URL,
  target: string,
  text: string,
  scope: SigningScope,
  state: { readonly account: string; readonly ssoInstances: number; readonly identityStore: IdentityStoreState },
): Answer & { service?: string; action?: string; requestBody?: unknown } {
  const { account, ssoInstances, identityStore } = state;
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
}
