// The AWS stub's IAM reads beyond GetRole: ListRoles (data "aws_iam_roles", the service-linked role
// mode that imports the role when the account has it), and GetGroup, ListAttachedGroupPolicies,
// GetUser, ListUserTags, ListGroupsForUser, GetLoginProfile (imports of an adopted group, its
// AdministratorAccess attachment, users and their login profiles); and one offline plan pair with
// the real provider: the role imported or created, adopted IAM entities imported, and a `removed`
// block's resource forgotten (action "forget", never counted as a destroy).
import { useAwsStubs } from "../support/aws-stubs";
import {
  AwsStub,
  AwsStubOptions,
  IAM_NAMESPACE,
  STUB_ACCOUNT_ID,
  STUB_IAM_CREATE_DATE,
  STUB_ROLE,
  startAwsStub,
  stubGroupPolicyArn,
  stubIamArn,
  stubIamUniqueId,
  stubRoleArn,
} from "../../scripts/lib/aws-stub";
import { countPlannedChanges, plannedChangesText } from "../../scripts/lib/plan-json";
import { PlanJson, StackPlan, assertPlanned, callNames, planChanges } from "../../scripts/lib/offline-plan";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";

jest.setTimeout(PLAN_TIMEOUT_MS);

// ----- the stub on its own -----

/** An IAM Query request as the AWS SDK for Go v2 sends it, signed for `region`. */
async function iam(stub: AwsStub, params: Record<string, string>, region = "us-east-1"): Promise<{ status: number; body: string }> {
  const response = await fetch(stub.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
      Authorization:
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240115/${region}/iam/aws4_request, ` +
        "SignedHeaders=host;x-amz-date, Signature=0000",
    },
    body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** The text of `<tag>` in `xml` (first occurrence). */
function element(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

/** The `<member>` elements of the list `<name>` (an empty list: `<name/>`). */
function listMembers(xml: string, name: string): string[] {
  if (new RegExp(`<${name}/>`).test(xml)) return [];
  const list = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
  if (list === undefined) throw new Error(`no list <${name}> in\n${xml}`);
  return [...list.matchAll(/<member>([\s\S]*?)<\/member>/g)].map((m) => m[1]);
}

/** The Query envelope of a successful IAM answer: `<ActionResponse>`, `<ActionResult>`, a RequestId. */
function expectSuccess(answer: { status: number; body: string }, action: string): void {
  expect(answer.status).toBe(200);
  expect(answer.body).toContain(`<${action}Response xmlns="${IAM_NAMESPACE}">`);
  expect(answer.body).toMatch(
    new RegExp(`<${action}Result>[\\s\\S]*</${action}Result>\\s*<ResponseMetadata>\\s*<RequestId>[0-9a-f-]{36}</RequestId>`),
  );
}

const SERVICE_PATH = STUB_ROLE.path; // /aws-service-role/ssm-incidents.amazonaws.com/

describe("AWS stub (IAM: ListRoles, groups, users, login profiles)", () => {
  const start = useAwsStubs();

  test("ListRoles lists the service-linked role for no PathPrefix, '/', or a prefix of its path; nothing under another path", async () => {
    const stub = await start();

    const answers = await Promise.all(
      [
        {} as Record<string, string>,
        { PathPrefix: "/" },
        { PathPrefix: "/aws-service-role/" },
        { PathPrefix: SERVICE_PATH },
        { PathPrefix: "/application_abc/" },
      ].map((p) => iam(stub, { Action: "ListRoles", ...p })),
    );

    for (const answer of answers) expectSuccess(answer, "ListRoles");
    expect(answers.map((a) => listMembers(a.body, "Roles").length)).toEqual([1, 1, 1, 1, 0]);
    expect(answers.map((a) => element(a.body, "IsTruncated"))).toEqual(["false", "false", "false", "false", "false"]);
    const [role] = listMembers(answers[3].body, "Roles");
    expect(element(role, "RoleName")).toBe(STUB_ROLE.name);
    expect(element(role, "Path")).toBe(SERVICE_PATH);
    expect(element(role, "RoleId")).toBe(STUB_ROLE.roleId);
    expect(element(role, "Arn")).toBe(stubRoleArn());
    expect(element(role, "CreateDate")).toBe(STUB_ROLE.createDate);
    expect(element(role, "MaxSessionDuration")).toBe("3600");
    expect(JSON.parse(decodeURIComponent(element(role, "AssumeRolePolicyDocument") ?? ""))).toEqual(STUB_ROLE.assumeRolePolicyDocument);
    expect(stub.serviceLinkedRole).toBe(true);
    expect(stub.unexpected).toEqual([]);
  });

  test("ListRoles and GetRole: ARNs in the partition of the signing region, of the chosen account", async () => {
    const stub = await start({ account: "444455556666" });

    const list = await iam(stub, { Action: "ListRoles", PathPrefix: SERVICE_PATH }, "us-gov-west-1");
    const get = await iam(stub, { Action: "GetRole", RoleName: STUB_ROLE.name }, "cn-north-1");

    expect(element(list.body, "Arn")).toBe(
      "arn:aws-us-gov:iam::444455556666:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager",
    );
    expect(element(get.body, "Arn")).toBe(stubRoleArn("aws-cn", "444455556666"));
  });

  test("serviceLinkedRole: false: ListRoles lists no role, GetRole of it answers NoSuchEntity (404, an expected answer)", async () => {
    const stub = await start({ serviceLinkedRole: false });

    const list = await iam(stub, { Action: "ListRoles", PathPrefix: SERVICE_PATH });
    const get = await iam(stub, { Action: "GetRole", RoleName: STUB_ROLE.name });
    const other = await iam(stub, { Action: "GetRole", RoleName: "SomeOtherRole" });

    expectSuccess(list, "ListRoles");
    expect(listMembers(list.body, "Roles")).toEqual([]);
    expect(list.body).toContain("<Roles/>");
    expect(element(list.body, "IsTruncated")).toBe("false");
    expect([get.status, element(get.body, "Code"), element(get.body, "Message")]).toEqual([
      404,
      "NoSuchEntity",
      `The role with name ${STUB_ROLE.name} cannot be found.`,
    ]);
    expect(get.body).toContain(`<ErrorResponse xmlns="${IAM_NAMESPACE}">`);
    // Another role is still a call nothing expects.
    expect([other.status, element(other.body, "Code")]).toEqual([404, "NoSuchEntity"]);
    expect(stub.serviceLinkedRole).toBe(false);
    expect(callNames(stub.unexpected)).toEqual(["iam:GetRole"]);
    expect(stub.unexpected[0].params.RoleName).toBe("SomeOtherRole");
  });

  test("ListRoles is never truncated: a Marker is an unexpected call", async () => {
    const stub = await start();

    const next = await iam(stub, { Action: "ListRoles", PathPrefix: SERVICE_PATH, Marker: "AQ==" });

    expect([next.status, element(next.body, "Code")]).toEqual([400, "UnexpectedCall"]);
    expect(callNames(stub.unexpected)).toEqual(["iam:ListRoles"]);
  });

  const EXISTING: AwsStubOptions["existingIam"] = {
    groups: ["Admins", "Ops"],
    users: [{ name: "alice", loginProfile: true }, { name: "bob" }],
  };

  test("GetGroup of an existing group: path /, example unique ids, no members", async () => {
    const stub = await start({ existingIam: EXISTING });

    const admins = await iam(stub, { Action: "GetGroup", GroupName: "Admins" });
    const ops = await iam(stub, { Action: "GetGroup", GroupName: "Ops" }, "us-gov-west-1");

    expectSuccess(admins, "GetGroup");
    expect(element(admins.body, "GroupName")).toBe("Admins");
    expect(element(admins.body, "Path")).toBe("/");
    expect(element(admins.body, "GroupId")).toBe("AGPACKCEVSQ6C2EXAMPLE");
    expect(element(admins.body, "Arn")).toBe(`arn:aws:iam::${STUB_ACCOUNT_ID}:group/Admins`);
    expect(element(admins.body, "CreateDate")).toBe(STUB_IAM_CREATE_DATE);
    expect(listMembers(admins.body, "Users")).toEqual([]);
    expect(element(admins.body, "IsTruncated")).toBe("false");
    expect(element(ops.body, "GroupId")).toBe(stubIamUniqueId("group", 1));
    expect(element(ops.body, "Arn")).toBe(stubIamArn("group", "Ops", "aws-us-gov"));
    expect(stub.unexpected).toEqual([]);
  });

  test("ListAttachedGroupPolicies: AdministratorAccess (in the request's partition); none under another PathPrefix", async () => {
    const stub = await start({ existingIam: EXISTING });

    const attached = await iam(stub, { Action: "ListAttachedGroupPolicies", GroupName: "Admins" });
    const govCloud = await iam(stub, { Action: "ListAttachedGroupPolicies", GroupName: "Admins" }, "us-gov-west-1");
    const otherPath = await iam(stub, { Action: "ListAttachedGroupPolicies", GroupName: "Admins", PathPrefix: "/job-function/" });

    expectSuccess(attached, "ListAttachedGroupPolicies");
    const [policy] = listMembers(attached.body, "AttachedPolicies");
    expect([element(policy, "PolicyName"), element(policy, "PolicyArn")]).toEqual([
      "AdministratorAccess",
      "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    expect(element(attached.body, "IsTruncated")).toBe("false");
    expect(element(govCloud.body, "PolicyArn")).toBe(stubGroupPolicyArn("aws-us-gov"));
    expect(listMembers(otherPath.body, "AttachedPolicies")).toEqual([]);
    expect(stub.unexpected).toEqual([]);
  });

  test("GetUser, ListUserTags, ListGroupsForUser of an existing user", async () => {
    const stub = await start({ existingIam: EXISTING });

    const alice = await iam(stub, { Action: "GetUser", UserName: "alice" });
    const bob = await iam(stub, { Action: "GetUser", UserName: "bob" });
    const tags = await iam(stub, { Action: "ListUserTags", UserName: "alice" });
    const groups = await iam(stub, { Action: "ListGroupsForUser", UserName: "alice" });

    expectSuccess(alice, "GetUser");
    expect(element(alice.body, "UserName")).toBe("alice");
    expect(element(alice.body, "UserId")).toBe("AIDACKCEVSQ6C2EXAMPLE");
    expect(element(alice.body, "Path")).toBe("/");
    expect(element(alice.body, "Arn")).toBe(`arn:aws:iam::${STUB_ACCOUNT_ID}:user/alice`);
    expect(element(alice.body, "CreateDate")).toBe(STUB_IAM_CREATE_DATE);
    expect(element(bob.body, "UserId")).toBe(stubIamUniqueId("user", 1));
    expectSuccess(tags, "ListUserTags");
    expect(listMembers(tags.body, "Tags")).toEqual([]);
    expectSuccess(groups, "ListGroupsForUser");
    expect(listMembers(groups.body, "Groups")).toEqual([]);
    expect(stub.unexpected).toEqual([]);
  });

  test("GetLoginProfile: the profile of a user with a console password, NoSuchEntity for one without", async () => {
    const stub = await start({ existingIam: EXISTING });

    const alice = await iam(stub, { Action: "GetLoginProfile", UserName: "alice" });
    const bob = await iam(stub, { Action: "GetLoginProfile", UserName: "bob" });

    expectSuccess(alice, "GetLoginProfile");
    expect(element(alice.body, "UserName")).toBe("alice");
    expect(element(alice.body, "CreateDate")).toBe(STUB_IAM_CREATE_DATE);
    expect(element(alice.body, "PasswordResetRequired")).toBe("false");
    expect([bob.status, element(bob.body, "Code"), element(bob.body, "Message")]).toEqual([
      404,
      "NoSuchEntity",
      "Login Profile for User bob cannot be found.",
    ]);
    expect(stub.unexpected).toEqual([]);
  });

  test("by default no group or user exists: NoSuchEntity (404) for every name, an expected answer; a request without a name is not", async () => {
    const stub = await start();

    const answers = await Promise.all([
      iam(stub, { Action: "GetGroup", GroupName: "Admins" }),
      iam(stub, { Action: "ListAttachedGroupPolicies", GroupName: "Admins" }),
      iam(stub, { Action: "GetUser", UserName: "alice" }),
      iam(stub, { Action: "ListUserTags", UserName: "alice" }),
      iam(stub, { Action: "ListGroupsForUser", UserName: "alice" }),
      iam(stub, { Action: "GetLoginProfile", UserName: "alice" }),
    ]);
    const callerUser = await iam(stub, { Action: "GetUser" });

    expect(answers.map((a) => [a.status, element(a.body, "Code")])).toEqual(Array(6).fill([404, "NoSuchEntity"]));
    expect(element(answers[0].body, "Message")).toBe("The group with name Admins cannot be found.");
    expect(element(answers[2].body, "Message")).toBe("The user with name alice cannot be found.");
    expect([callerUser.status, element(callerUser.body, "Code")]).toEqual([400, "UnexpectedCall"]);
    expect(callNames(stub.unexpected)).toEqual(["iam:GetUser"]);
  });

  test("existingIam must not name a group or user twice", async () => {
    await expect(startAwsStub({ existingIam: { groups: ["Admins", "Admins"] } })).rejects.toThrow(/names "Admins" twice/);
    await expect(startAwsStub({ existingIam: { users: [{ name: "alice" }, { name: "alice" }] } })).rejects.toThrow(/names "alice" twice/);
  });
});

describe("plan counts: a forgotten resource is not a destroy", () => {
  const plan = (actions: string[][]) =>
    ({
      resource_changes: actions.map((a, i) => ({ address: `aws_iam_group.g${i}`, mode: "managed", change: { actions: a } })),
    }) as unknown as PlanJson;

  test("countPlannedChanges counts forget apart, and only when there is one", () => {
    expect(countPlannedChanges(plan([["forget"], ["delete"], ["create"]]))).toEqual({
      import: 0,
      add: 1,
      change: 0,
      destroy: 1,
      forget: 1,
    });
    expect(countPlannedChanges(plan([["delete"]]))).toEqual({ import: 0, add: 0, change: 0, destroy: 1 });
    expect(plannedChangesText(countPlannedChanges(plan([["forget"], ["forget"]])))).toBe(
      "0 to import, 0 to add, 0 to change, 0 to destroy, 2 to forget",
    );
  });

  test("planChanges sorts forget into its own list", () => {
    const changes = planChanges(plan([["forget"], ["delete"], ["no-op"]]));

    expect([changes.forget, changes.delete, changes.noop]).toEqual([["aws_iam_group.g0"], ["aws_iam_group.g1"], ["aws_iam_group.g2"]]);
    // Create-then-forget: a new object, the old one left in AWS; still no delete.
    const createThenForget = planChanges(plan([["create", "forget"]]));
    expect([createThenForget.create, createThenForget.forget, createThenForget.replace, createThenForget.delete]).toEqual([
      ["aws_iam_group.g0"],
      ["aws_iam_group.g0"],
      [],
      [],
    ]);
    expect(countPlannedChanges(plan([["create", "forget"]]))).toEqual({ import: 0, add: 1, change: 0, destroy: 0, forget: 1 });
  });
});

// ----- terraform plan -----

const ROLE = "aws_iam_service_linked_role.IncidentManagerRole";
const GROUP = "aws_iam_group.Admins";
const ATTACHMENT = "aws_iam_group_policy_attachment.AdminsAdministratorAccess";
const USER = "aws_iam_user.Alice";
const LOGIN_PROFILE = "aws_iam_user_login_profile.Alice";
const FORGOTTEN = "aws_iam_group.Retired";
const ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";

/**
 * A hand-written stack: the service-linked role imported when data "aws_iam_roles" lists it (import
 * with for_each), else created; with `adopt`, an existing group, its AdministratorAccess attachment,
 * a user and its login profile imported too; with `forget`, a removed block (destroy = false).
 */
function iamStack(options: { adopt?: boolean; forget?: boolean }): string {
  const adopted = {
    aws_iam_group: { Admins: { name: "Admins" } },
    aws_iam_group_policy_attachment: { AdminsAdministratorAccess: { group: "Admins", policy_arn: ADMINISTRATOR_ACCESS } },
    aws_iam_user: { Alice: { name: "alice" } },
    // The provider cannot read these back (IAM never returns a password): as its docs advise for an import.
    aws_iam_user_login_profile: {
      Alice: { user: "alice", lifecycle: { ignore_changes: ["password_length", "password_reset_required", "pgp_key"] } },
    },
  };
  return JSON.stringify({
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } }, required_version: ">= 1.7.0" },
    provider: { aws: [{ region: "us-east-1" }] },
    data: { aws_iam_roles: { Existing: { path_prefix: SERVICE_PATH } } },
    resource: {
      aws_iam_service_linked_role: {
        IncidentManagerRole: {
          aws_service_name: "ssm-incidents.amazonaws.com",
          lifecycle: { ignore_changes: ["description", "tags", "tags_all"] },
        },
      },
      ...(options.adopt ? adopted : {}),
    },
    import: [
      { for_each: "${data.aws_iam_roles.Existing.arns}", to: ROLE, id: "${each.value}" },
      ...(options.adopt
        ? [
            { to: GROUP, id: "Admins" },
            { to: ATTACHMENT, id: `Admins/${ADMINISTRATOR_ACCESS}` },
            { to: USER, id: "alice" },
            { to: LOGIN_PROFILE, id: "alice" },
          ]
        : []),
    ],
    ...(options.forget ? { removed: [{ from: FORGOTTEN, lifecycle: { destroy: false } }] } : {}),
  });
}

/** A state holding only the group the removed block forgets, as the provider records a group. */
function stateWithRetiredGroup(terraformVersion: string): string {
  return JSON.stringify({
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000003",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type: "aws_iam_group",
        name: "Retired",
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [
          {
            schema_version: 0,
            attributes: {
              id: "Retired",
              name: "Retired",
              path: "/",
              arn: stubIamArn("group", "Retired"),
              unique_id: stubIamUniqueId("group", 5),
            },
            sensitive_attributes: [],
          },
        ],
      },
    ],
  });
}

describeWithTerraform("terraform plan of IAM imports and a removed block (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "aws-stub-iam");
  let withRole: StackPlan;
  let withoutRole: StackPlan;

  beforeAll(async () => {
    [withRole, withoutRole] = await offline.planner.planAll([
      {
        name: "role-exists-adopt",
        json: iamStack({ adopt: true }),
        serviceLinkedRole: true,
        existingIam: { groups: ["Admins"], users: [{ name: "alice", loginProfile: true }] },
      },
      {
        name: "no-role-forget",
        json: iamStack({ forget: true }),
        serviceLinkedRole: false,
        priorState: stateWithRetiredGroup(setup.terraformVersion),
      },
    ]);
  }, 4 * PLAN_TIMEOUT_MS);

  test("imports the listed role and the adopted IAM entities, creates it when unlisted, forgets the removed block's resource", () => {
    // The account has the role: ListRoles lists it, the import's for_each has its ARN, GetRole reads it.
    const imported = assertPlanned(withRole);
    const all = [ROLE, GROUP, ATTACHMENT, USER, LOGIN_PROFILE].sort();
    const sorted = planChanges(imported);
    expect({ ...sorted, noop: [...sorted.noop].sort(), import: [...sorted.import].sort() }).toEqual({
      create: [],
      update: [],
      replace: [],
      delete: [],
      forget: [],
      noop: all,
      import: all,
    });
    expect(withRole.changes.find((c) => c.address === ROLE)).toEqual({
      address: ROLE,
      action: "import",
      importId: stubRoleArn(),
    });
    expect(withRole.counts).toEqual({ import: 5, add: 0, change: 0, destroy: 0 });
    expect(withRole.summary).toBe("Plan: 5 to import, 0 to add, 0 to change, 0 to destroy.");
    // One read per import (the provider validates its credentials with GetCallerIdentity first).
    expect(callNames(withRole.requests).sort()).toEqual(
      [
        "iam:GetGroup",
        "iam:GetLoginProfile",
        "iam:GetRole",
        "iam:GetUser",
        "iam:ListAttachedGroupPolicies",
        "iam:ListRoles",
        "sts:GetCallerIdentity",
      ].sort(),
    );
    expect(withRole.requests.find((r) => r.action === "ListRoles")?.params.PathPrefix).toBe(SERVICE_PATH);
    expect(withRole.requests.find((r) => r.action === "ListAttachedGroupPolicies")?.params.GroupName).toBe("Admins");

    // No role: ListRoles lists none, nothing to import, the role is created; the retired group is
    // forgotten (left in AWS, not read, not destroyed), which Terraform 1.11's summary does not count.
    const created = assertPlanned(withoutRole);
    const changes = planChanges(created);
    expect([changes.create, changes.import, changes.forget, changes.delete]).toEqual([[ROLE], [], [FORGOTTEN], []]);
    expect(created.resource_changes?.find((rc) => rc.address === FORGOTTEN)?.change.actions).toEqual(["forget"]);
    expect(withoutRole.changes.find((c) => c.address === FORGOTTEN)?.action).toBe("remove");
    expect(withoutRole.counts).toEqual({ import: 0, add: 1, change: 0, destroy: 0, forget: 1 });
    expect(withoutRole.summary).toBe("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(callNames(withoutRole.requests)).toEqual(["sts:GetCallerIdentity", "iam:ListRoles"]);
    expect(withoutRole.unexpectedRequests).toEqual([]);
  });
});
