// Effective permissions, evaluated by an IAM policy simulator rather than read off our own code:
// the policies are taken from an offline `terraform plan` (the JSON the real hashicorp/aws
// provider renders from data.aws_iam_policy_document and would send to IAM), and evaluated
// beside AWS's managed AdministratorAccess with @cloud-copilot/iam-simulate (AGPL-3.0, a
// devDependency only: it never ships with the app). Each row is principal × request × decision.
import { readFileSync } from "fs";
import { join } from "path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { AdminGroup, AdminUser, IncidentManagerSetupStack, parseConfig } from "../../modules";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { assertPlanned } from "../../scripts/lib/offline-plan";

jest.setTimeout(PLAN_TIMEOUT_MS);

const ACCOUNT = "111122223333";
const IAM = `arn:aws:iam::${ACCOUNT}`;
const ROLE = `${IAM}:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`;

/** AWS managed policy AdministratorAccess, as AWS publishes it (AWS Managed Policy Reference). */
const ADMINISTRATOR_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** Who signs the request, and how. */
interface Principal {
  readonly arn: string;
  readonly userName: string;
  /**
   * aws:MultiFactorAuthPresent: "true"/"false" for a console or STS session, absent for a request
   * signed with a long-term access key ("This key is not present when an API or CLI command is
   * called with long-term credentials, such as access key pairs", IAM User Guide).
   */
  readonly mfa?: "true" | "false";
  /** Which policies apply: the admin group's, or the setup policy alone. */
  readonly policies: "admin" | "setup";
}

const alice = { arn: `${IAM}:user/alice`, userName: "alice" };
const carol = { arn: `${IAM}:user/ops/carol`, userName: "carol" };
const bot = { arn: `${IAM}:user/deploy-bot`, userName: "deploy-bot" };
const operator = { arn: `${IAM}:user/operator`, userName: "operator" };
const P = {
  consoleNoMfa: { ...alice, mfa: "false", policies: "admin" },
  consoleNoMfaWithPath: { ...carol, mfa: "false", policies: "admin" },
  consoleMfa: { ...alice, mfa: "true", policies: "admin" },
  longTermKey: { ...alice, policies: "admin" },
  machineOptedOut: { ...bot, policies: "admin" },
  setupPolicyOnly: { ...operator, policies: "setup" },
} as const satisfies Record<string, Principal>;

type Row = [who: keyof typeof P, action: string, resource: string, expected: Decision, context?: Record<string, string>];

/** The table. A row named in FINDINGS failed on the policy before issue 8 (see the last test). */
const TABLE: Row[] = [
  // First console sign-in without MFA: change the required password, create and enable a device.
  ["consoleNoMfa", "iam:ChangePassword", `${IAM}:user/alice`, "Allowed"],
  ["consoleNoMfa", "iam:GetAccountPasswordPolicy", "*", "Allowed"],
  ["consoleNoMfa", "iam:CreateVirtualMFADevice", `${IAM}:mfa/alice`, "Allowed"],
  ["consoleNoMfa", "iam:EnableMFADevice", `${IAM}:user/alice`, "Allowed"],
  ["consoleNoMfa", "iam:ListMFADevices", `${IAM}:user/alice`, "Allowed"],
  ["consoleNoMfa", "iam:DeactivateMFADevice", `${IAM}:user/alice`, "ExplicitlyDenied"],
  // Account-wide, as in AWS's example policy (docs/configuration-guide.md says so): any device name, and the list.
  ["consoleNoMfa", "iam:CreateVirtualMFADevice", `${IAM}:mfa/bob`, "Allowed"],
  ["consoleNoMfa", "iam:ListVirtualMFADevices", "*", "Allowed"],
  ["consoleNoMfa", "iam:GetUser", `${IAM}:user/alice`, "Allowed"],
  // ... and nothing else, nothing on other users.
  ["consoleNoMfa", "iam:EnableMFADevice", `${IAM}:user/bob`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:ResyncMFADevice", `${IAM}:user/bob`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:GetUser", `${IAM}:user/bob`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:ListMFADevices", `${IAM}:user/bob`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:ChangePassword", `${IAM}:user/bob`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:CreateAccessKey", `${IAM}:user/alice`, "ExplicitlyDenied"],
  ["consoleNoMfa", "iam:CreateUser", `${IAM}:user/mallory`, "ExplicitlyDenied"],
  ["consoleNoMfa", "s3:ListAllMyBuckets", "*", "ExplicitlyDenied"],
  // A user with an IAM path is "self" too.
  ["consoleNoMfaWithPath", "iam:ChangePassword", `${IAM}:user/ops/carol`, "Allowed"],
  ["consoleNoMfaWithPath", "iam:EnableMFADevice", `${IAM}:user/ops/carol`, "Allowed"],
  ["consoleNoMfaWithPath", "iam:EnableMFADevice", `${IAM}:user/alice`, "ExplicitlyDenied"],
  // With MFA: an administrator.
  ["consoleMfa", "s3:ListAllMyBuckets", "*", "Allowed"],
  ["consoleMfa", "iam:CreateAccessKey", `${IAM}:user/alice`, "Allowed"],
  ["consoleMfa", "iam:EnableMFADevice", `${IAM}:user/bob`, "Allowed"],
  // A long-term key without MFA (e.g. leaked): only GetSessionToken, no enrolling of a device.
  ["longTermKey", "sts:GetSessionToken", "*", "Allowed"],
  ["longTermKey", "iam:CreateVirtualMFADevice", `${IAM}:mfa/attacker`, "ExplicitlyDenied"],
  ["longTermKey", "iam:EnableMFADevice", `${IAM}:user/alice`, "ExplicitlyDenied"],
  ["longTermKey", "iam:ChangePassword", `${IAM}:user/alice`, "ExplicitlyDenied"],
  ["longTermKey", "s3:ListAllMyBuckets", "*", "ExplicitlyDenied"],
  ["longTermKey", "iam:CreateAccessKey", `${IAM}:user/alice`, "ExplicitlyDenied"],
  // (A session from GetSessionToken WITHOUT a code is not a row: its policy context equals a first
  // console session's, but STS itself refuses it every IAM call ("You cannot call any IAM API
  // operations unless MFA authentication information is included in the request", STS API
  // Reference, GetSessionToken), which a policy simulator does not model.)
  // A programmatic user that opted out (requireMfa: false, no console): its key works directly.
  ["machineOptedOut", "s3:ListAllMyBuckets", "*", "Allowed"],
  ["machineOptedOut", "iam:CreateUser", `${IAM}:user/new`, "Allowed"],
  // The setup policy: creating Incident Manager's role, nothing else.
  ["setupPolicyOnly", "iam:CreateServiceLinkedRole", ROLE, "Allowed", { "iam:AWSServiceName": "ssm-incidents.amazonaws.com" }],
  [
    "setupPolicyOnly",
    "iam:CreateServiceLinkedRole",
    `${IAM}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`,
    "ImplicitlyDenied",
    { "iam:AWSServiceName": "elasticbeanstalk.amazonaws.com" },
  ],
  ["setupPolicyOnly", "iam:CreateServiceLinkedRole", ROLE, "ImplicitlyDenied", { "iam:AWSServiceName": "elasticbeanstalk.amazonaws.com" }],
  ["setupPolicyOnly", "iam:DeleteServiceLinkedRole", ROLE, "ImplicitlyDenied"],
  ["setupPolicyOnly", "iam:AttachRolePolicy", ROLE, "ImplicitlyDenied"],
  ["setupPolicyOnly", "iam:CreateRole", `${IAM}:role/anything`, "ImplicitlyDenied"],
  ["setupPolicyOnly", "ssm-incidents:CreateReplicationSet", "*", "ImplicitlyDenied"],
];

/** The rows that the review found allowed on the policy before issue 8 (A.5). */
const FINDINGS: Row[] = TABLE.filter(
  ([who, action, resource, expected]) =>
    expected === "ExplicitlyDenied" &&
    ((who === "consoleNoMfa" && resource === `${IAM}:user/bob`) ||
      (who === "consoleNoMfaWithPath" && resource === `${IAM}:user/alice`) ||
      (who === "longTermKey" && ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ChangePassword"].includes(action))),
);

async function decide(policies: Record<string, unknown>, [who, action, resource, , extra]: Row): Promise<Decision> {
  const principal: Principal = P[who];
  const identityPolicies =
    principal.policies === "setup"
      ? [{ name: "setup", policy: policies.setup }]
      : [
          { name: "AdministratorAccess", policy: ADMINISTRATOR_ACCESS },
          { name: "ManageOwnCredentialsRequireMFA", policy: policies.mfa },
        ];
  const result = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action,
        resource: { resource, accountId: ACCOUNT },
        // The simulator does not derive the principal's keys from its ARN: pass them as IAM would.
        contextVariables: {
          "aws:username": principal.userName,
          "aws:PrincipalArn": principal.arn,
          "aws:PrincipalAccount": ACCOUNT,
          ...(principal.mfa ? { "aws:MultiFactorAuthPresent": principal.mfa } : {}),
          ...extra,
        },
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") throw new Error(`simulation of ${who} ${action} ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/**
 * A stack built with the constructs alone (the library path): an AdminGroup exempting `exempt`,
 * the programmatic deploy-bot, and what `addUsers` adds.
 */
function libraryStack(addUsers: (group: AdminGroup) => void, exempt = ["deploy-bot"]): string {
  const stack = new TerraformStack(Testing.app(), "library");
  new AwsProvider(stack, "aws", { region: "us-east-1", allowedAccountIds: [ACCOUNT] });
  const group = new AdminGroup(stack, "AdminGroup", { partition: new DataAwsPartition(stack, "Partition"), mfaNotRequiredFor: exempt });
  new AdminUser(stack, "AdminUser-deploy-bot", { userName: "deploy-bot", group, console: false, requireMfa: false });
  addUsers(group);
  return Testing.synth(stack);
}

const rowName = ([who, action, resource, expected, context]: Row) =>
  `${who}: ${action} on ${resource}${context ? ` with ${JSON.stringify(context)}` : ""} -> ${expected}`;

describeWithTerraform("effective permissions (IAM policy simulator over the policies of an offline plan)", (setup) => {
  const offline = useOfflinePlanner(setup, "permissions");
  const policies: Record<string, unknown> = {};

  beforeAll(async () => {
    const account = parseConfig({
      accounts: [
        {
          name: "permissions",
          region: "us-east-1",
          accountId: ACCOUNT,
          adminUsers: [
            { name: "alice" },
            { name: "carol", path: "/ops/", accessKeys: [] },
            { name: "deploy-bot", console: false, requireMfa: false },
          ],
          incidentManager: { setupPolicy: true },
        },
      ],
    }).accounts[0];
    const json = Testing.synth(new IncidentManagerSetupStack(Testing.app(), account.name, { account }));
    const [app, library] = await offline.planner.planAll([
      { name: "permissions", json },
      { name: "library", json: libraryStack((group) => new AdminUser(group.node.scope!, "AdminUser-alice", { userName: "alice", group })) },
    ]);
    const plan = assertPlanned(app);
    const [libraryMfa] = (assertPlanned(library).resource_changes ?? [])
      .filter((rc) => rc.type === "aws_iam_group_policy")
      .map((rc) => (rc.change.after as { policy?: string }).policy);
    policies.libraryMfa = JSON.parse(String(libraryMfa));
    // What IAM would receive: the planned policy arguments (rendered by the provider at plan time).
    const planned = (type: string) =>
      (plan.resource_changes ?? []).filter((rc) => rc.type === type).map((rc) => (rc.change.after as { policy?: string }).policy);
    const [mfa] = planned("aws_iam_group_policy");
    const [setupPolicy] = planned("aws_iam_policy");
    if (typeof mfa !== "string" || typeof setupPolicy !== "string") throw new Error("the plan does not know the policies");
    policies.mfa = JSON.parse(mfa);
    policies.setup = JSON.parse(setupPolicy);
  }, 2 * PLAN_TIMEOUT_MS);

  test("the provider rendered the policy variable ${aws:username} from the &{aws:username} escape", () => {
    expect(JSON.stringify(policies.mfa)).toContain("user/${aws:username}");
    expect(JSON.stringify(policies.mfa)).not.toContain("&{");
  });

  test.each(TABLE.map((row) => [rowName(row), row] as const))("%s", async (_name, row) => {
    expect(await decide(policies, row)).toBe(row[3]);
  });

  test("library path: the constructs used directly make the same safe policy; a console user cannot be exempted", async () => {
    // AdminGroup exempting the programmatic deploy-bot, and alice, a console user, built with the constructs alone.
    const row = (who: keyof typeof P): Row => [who, "iam:CreateUser", `${IAM}:user/new`, "ExplicitlyDenied"];
    expect(await decide({ ...policies, mfa: policies.libraryMfa }, row("consoleNoMfa"))).toBe("ExplicitlyDenied");
    expect(await decide({ ...policies, mfa: policies.libraryMfa }, row("longTermKey"))).toBe("ExplicitlyDenied");
    expect(await decide({ ...policies, mfa: policies.libraryMfa }, row("machineOptedOut"))).toBe("Allowed");
    // What the refused configuration (alice in mfaNotRequiredFor) would make: the same policy with alice exempted,
    // which lets her create users without MFA. The constructs refuse to build it.
    const exemptingAlice = JSON.parse(
      JSON.stringify(policies.libraryMfa).replace(
        /"aws:username":(?:"deploy-bot"|\["deploy-bot"\])/g,
        '"aws:username":["alice","deploy-bot"]',
      ),
    );
    expect(JSON.stringify(exemptingAlice)).toContain('"aws:username":["alice","deploy-bot"]');
    expect(await decide({ ...policies, mfa: exemptingAlice }, row("consoleNoMfa"))).toBe("Allowed");
    expect(() =>
      libraryStack((group) => new AdminUser(group.node.scope!, "AdminUser-alice", { userName: "alice", group }), ["alice", "deploy-bot"]),
    ).toThrow(/^mfaNotRequiredFor: the group exempts "alice" from MFA, but that user signs in to the console/);
  });

  test("the table finds each permission defect of the policy before issue 8", async () => {
    const before = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "policies", "mfa-policy-before-issue-8.json"), "utf8"));
    const decisions = await Promise.all(FINDINGS.map(async (row) => [rowName(row), await decide({ ...policies, mfa: before }, row)]));
    expect(FINDINGS).toHaveLength(9);
    expect(decisions.filter(([, d]) => d === "ExplicitlyDenied")).toEqual([]);
  });
});
