// A stand-in for the few AWS read APIs that `terraform plan` of a stack calls, so the real
// hashicorp/aws provider can plan offline (see scripts/lib/offline-plan.ts).
//
// It serves the AWS Query protocol (POST, form-encoded `Action=...&Version=...`) on 127.0.0.1
// at a random port, for STS and IAM pointed at it through the provider's `endpoints`:
// - STS GetCallerIdentity: an IAM user of account 111122223333 (or of the account chosen per
//   server), or the account's root user (chosen per server);
// - IAM GetRole of AWSServiceRoleForIncidentManager: the service-linked role Incident Manager
//   creates (read by the import of an adopted role and by the data source of a referenced one).
// Every request is recorded. Anything else (another action, another role, a malformed request)
// is answered with an AWS-style error (HTTP 400, code UnexpectedCall; GetRole of another role:
// 404 NoSuchEntity as IAM answers) and recorded in `unexpected`, so a test can assert that a
// plan made no call it did not expect. Only AWS's documented example values are used. ARNs are
// in the partition of the request's signing region (us-gov-* -> aws-us-gov, cn-* -> aws-cn).
import { partitionOfRegion } from "../../modules/arns";
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
  /** `sts`, `iam`, or what the signature names (undefined when unsigned and without a known Version). */
  readonly service?: string;
  /** The signing region of the SigV4 Authorization header. */
  readonly region?: string;
  readonly action?: string;
  /** The form parameters (Action and Version included). */
  readonly params: Readonly<Record<string, string>>;
  /** The HTTP status it was answered with. */
  readonly status: number;
  /** Whether the stub expected the call (false: answered with an error). */
  readonly expected: boolean;
}

/** A running stub. */
export interface AwsStub {
  /** `http://127.0.0.1:<port>`: the endpoint for STS and IAM. */
  readonly endpoint: string;
  readonly port: number;
  /** Who GetCallerIdentity says the caller is. */
  readonly identity: StubIdentity;
  /** The account of the caller and of the role. */
  readonly account: string;
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
  /** Called with one line per request (e.g. console.error), for discovering what a plan calls. */
  readonly log?: (line: string) => void;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly expected: boolean;
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

function getRole(params: Record<string, string>, partition: string, account: string): Answer {
  if (params.RoleName !== STUB_ROLE.name) {
    return failure(IAM_NAMESPACE, 404, "NoSuchEntity", `The role with name ${params.RoleName ?? "(none)"} cannot be found.`);
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
    if (service === "iam" && action === "GetRole") return { service, ...getRole(params, partition, account) };
    return {
      service,
      ...failure(namespace, 400, "UnexpectedCall", `The AWS stub does not serve ${describe}: no test expects it.`),
    };
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readBody(request)
      .then((body) => {
        const params: Record<string, string> = {};
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        for (const [key, value] of url.searchParams) params[key] = value;
        for (const [key, value] of new URLSearchParams(body)) params[key] = value;
        const scope = signingScope(request.headers.authorization);
        const method = request.method ?? "?";
        const result = answer(method, params, scope);
        const record: StubRequest = {
          method,
          url: request.url ?? "/",
          service: result.service,
          region: scope.region,
          action: params.Action,
          params,
          status: result.status,
          expected: result.expected,
        };
        requests.push(record);
        options.log?.(
          `aws-stub: ${record.service ?? "?"}:${record.action ?? "?"} region=${record.region ?? "?"} -> ${record.status}` +
            `${record.expected ? "" : " UNEXPECTED"} ${JSON.stringify(params)}`,
        );
        response.writeHead(result.status, {
          "Content-Type": "text/xml",
          "Content-Length": Buffer.byteLength(result.body),
          "x-amzn-RequestId": randomUUID(),
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
