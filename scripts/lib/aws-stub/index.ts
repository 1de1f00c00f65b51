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
// The parts: values.ts (the example values and ARNs), query.ts (STS, IAM), identity-center.ts (SSO
// Admin, Identity Store); this file is the server.
import { randomUUID } from "crypto";
import { IncomingMessage, Server, ServerResponse, createServer } from "http";
import { AddressInfo } from "net";
import { IdentityStoreState, answerJson } from "./identity-center";
import { Answer, answerQuery, iamState } from "./query";
import {
  STUB_ACCOUNT_ID,
  STUB_GROUP_DISPLAY_NAME,
  STUB_IDENTITY_STORE_USER,
  StubExistingIam,
  StubIdentity,
  stubIdentityStoreId,
} from "./values";

export * from "./values";
export { iamEncodedPolicy } from "./query";
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

/** `sts:GetCallerIdentity`-style names of requests. */
export function callNames(requests: readonly StubRequest[]): string[] {
  return requests.map((r) => `${r.service ?? "?"}:${r.action ?? "?"}`);
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
          result = answerJson(method, url, target, body, scope, { account, ssoInstances, identityStore });
        } else {
          for (const [key, value] of new URLSearchParams(body)) params[key] = value;
          result = { ...answerQuery(method, params, scope, { identity, account, serviceLinkedRole, iam }), action: params.Action };
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
    calls: () => callNames(requests),
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
