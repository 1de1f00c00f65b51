// docs/ci-roles.md, "The CI roles: a read-only plan role and an apply role": the policies are taken from
// that page as a user copies them, and evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate), not
// read off our own beliefs; the plan/apply role switch of the synthesized provider is planned by the
// real terraform and provider (offline, AWS stubbed: which role STS is asked for).
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { synthesize } from "../../modules";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { StackPlan, callNames } from "../../scripts/lib/offline-plan";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { ROOT } from "../support/configs";
import { ASSUME_ROLE_VARIABLE } from "../../modules/app/stacks/foundation";

jest.setTimeout(PLAN_TIMEOUT_MS);

type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** The JSON block under `<!-- policy: name -->` in docs/ci-roles.md. */
function rolesPagePolicy(name: string): unknown {
  const page = readFileSync(join(ROOT, "docs", "ci-roles.md"), "utf8");
  const block = new RegExp(`<!-- policy: ${name} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(page);
  if (!block) throw new Error(`docs/ci-roles.md has no policy block "${name}"`);
  return JSON.parse(block[1]);
}

const ORG = "o-a1b2c3d4e5";
const BUCKET = "arn:aws:s3:::example-org-terraform-state";
const STATE_ACCOUNT = "999988887777";
const DEV = "444455556666";
const PROD = "111122223333";
const state = (account: string) => `${BUCKET}/incident-manager/${account}/dev.tfstate`;

interface Who {
  readonly account: string;
  readonly role: "incident-manager-plan" | "incident-manager-apply";
  /** The Identity Center stack's apply role: the second apply policy too. */
  readonly identityCenter?: boolean;
}
const devPlan: Who = { account: DEV, role: "incident-manager-plan" };
const devApply: Who = { account: DEV, role: "incident-manager-apply" };
const managementApply: Who = { account: "111111111111", role: "incident-manager-apply", identityCenter: true };

async function decide(who: Who, action: string, resource: string, resourceAccount: string, extra: Record<string, string> = {}) {
  const roleArn = `arn:aws:iam::${who.account}:role/${who.role}`;
  const permissions = rolesPagePolicy(who.role === "incident-manager-plan" ? "plan-permissions" : "apply-permissions");
  const s3 = resource.startsWith("arn:aws:s3:::");
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${who.account}:assumed-role/${who.role}/GitHubActions`,
        action,
        resource: { resource, accountId: resourceAccount },
        contextVariables: {
          "aws:PrincipalAccount": who.account,
          "aws:PrincipalArn": roleArn,
          "aws:PrincipalOrgID": ORG,
          ...extra,
        },
      },
      identityPolicies: [
        { name: who.role, policy: permissions },
        ...(who.identityCenter ? [{ name: "identity-center", policy: rolesPagePolicy("apply-permissions-identity-center") }] : []),
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(s3 ? { resourcePolicy: rolesPagePolicy("state-bucket") } : {}),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") throw new Error(`simulation of ${who.role} ${action} ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

type Row = [
  name: string,
  who: Who,
  action: string,
  resource: string,
  resourceAccount: string,
  expected: Decision,
  extra?: Record<string, string>,
];
const TABLE: Row[] = [
  ["dev's plan role reads dev's state", devPlan, "s3:GetObject", state(DEV), STATE_ACCOUNT, "Allowed"],
  ["dev's plan role is denied prod's state", devPlan, "s3:GetObject", state(PROD), STATE_ACCOUNT, "ImplicitlyDenied"],
  [
    "dev's plan role lists its own prefix",
    devPlan,
    "s3:ListBucket",
    BUCKET,
    STATE_ACCOUNT,
    "Allowed",
    { "s3:prefix": `incident-manager/${DEV}/` },
  ],
  [
    "dev's plan role cannot list prod's prefix",
    devPlan,
    "s3:ListBucket",
    BUCKET,
    STATE_ACCOUNT,
    "ImplicitlyDenied",
    { "s3:prefix": `incident-manager/${PROD}/` },
  ],
  ["dev's plan role writes no state (not even a lock)", devPlan, "s3:PutObject", `${state(DEV)}.tflock`, STATE_ACCOUNT, "ImplicitlyDenied"],
  ["the plan role reads IAM, as a plan does", devPlan, "iam:GetUser", `arn:aws:iam::${DEV}:user/alice`, DEV, "Allowed"],
  ["the plan role is denied iam:CreateUser", devPlan, "iam:CreateUser", `arn:aws:iam::${DEV}:user/mallory`, DEV, "ImplicitlyDenied"],
  [
    "the plan role is denied iam:AttachGroupPolicy",
    devPlan,
    "iam:AttachGroupPolicy",
    `arn:aws:iam::${DEV}:group/Administrators`,
    DEV,
    "ImplicitlyDenied",
  ],
  [
    "the plan role is denied sts:AssumeRole",
    devPlan,
    "sts:AssumeRole",
    `arn:aws:iam::${DEV}:role/incident-manager-apply`,
    DEV,
    "ImplicitlyDenied",
  ],
  [
    "the plan role reads no secret",
    devPlan,
    "secretsmanager:GetSecretValue",
    `arn:aws:secretsmanager:us-east-1:${DEV}:secret:x`,
    DEV,
    "ImplicitlyDenied",
  ],
  ["the apply role creates users", devApply, "iam:CreateUser", `arn:aws:iam::${DEV}:user/alice`, DEV, "Allowed"],
  ["the apply role writes its own state", devApply, "s3:PutObject", state(DEV), STATE_ACCOUNT, "Allowed"],
  ["the apply role writes its own lock", devApply, "s3:PutObject", `${state(DEV)}.tflock`, STATE_ACCOUNT, "Allowed"],
  ["the apply role is denied prod's state", devApply, "s3:GetObject", state(PROD), STATE_ACCOUNT, "ImplicitlyDenied"],
  ["the apply role cannot write prod's state", devApply, "s3:PutObject", state(PROD), STATE_ACCOUNT, "ImplicitlyDenied"],
  [
    "the apply role creates Incident Manager's role",
    devApply,
    "iam:CreateServiceLinkedRole",
    `arn:aws:iam::${DEV}:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`,
    DEV,
    "Allowed",
    { "iam:AWSServiceName": "ssm-incidents.amazonaws.com" },
  ],
  [
    "the apply role tags Incident Manager's role (accounts with tags)",
    devApply,
    "iam:TagRole",
    `arn:aws:iam::${DEV}:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`,
    DEV,
    "Allowed",
  ],
  [
    "the apply role tags no other role",
    devApply,
    "iam:TagRole",
    `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole`,
    DEV,
    "ImplicitlyDenied",
  ],
  [
    "the apply role stores a key copy in Secrets Manager (secretStore)",
    devApply,
    "secretsmanager:CreateSecret",
    `arn:aws:secretsmanager:us-east-1:${DEV}:secret:incident-manager-setup/alice/access-key-1-AbCdEf`,
    DEV,
    "Allowed",
  ],
  [
    "the apply role reads no other secret",
    devApply,
    "secretsmanager:GetSecretValue",
    `arn:aws:secretsmanager:us-east-1:${DEV}:secret:prod/db-AbCdEf`,
    DEV,
    "ImplicitlyDenied",
  ],
  [
    "an account's apply role makes no Identity Center assignment",
    devApply,
    "sso:CreateAccountAssignment",
    "arn:aws:sso:::instance/ssoins-1111111111111111",
    DEV,
    "ImplicitlyDenied",
  ],
  [
    "the Identity Center stack's apply role assigns the permission set",
    managementApply,
    "sso:CreateAccountAssignment",
    "arn:aws:sso:::instance/ssoins-1111111111111111",
    "111111111111",
    "Allowed",
  ],
  [
    "the Identity Center stack's apply role creates users in the identity store",
    managementApply,
    "identitystore:CreateUser",
    "arn:aws:identitystore::111111111111:identitystore/d-1111111111",
    "111111111111",
    "Allowed",
  ],
  [
    "the apply role creates no other service-linked role",
    devApply,
    "iam:CreateServiceLinkedRole",
    `arn:aws:iam::${DEV}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`,
    DEV,
    "ImplicitlyDenied",
    { "iam:AWSServiceName": "elasticbeanstalk.amazonaws.com" },
  ],
];

describe("docs/ci-roles.md's CI policies, evaluated by an IAM policy simulator", () => {
  test.each(TABLE.map((row) => [row[0], row] as const))("%s", async (_name, [, who, action, resource, account, expected, extra]) => {
    expect(await decide(who, action, resource, account, extra)).toBe(expected);
  });

  test("the trust policies: pull requests and the default branch get the plan role, only the apply environment gets the apply role", () => {
    const sub = (name: string) =>
      (rolesPagePolicy(name) as { Statement: { Condition: { StringEquals: Record<string, string> } }[] }).Statement.map(
        (s) => s.Condition.StringEquals["token.actions.githubusercontent.com:sub"],
      );
    // The apply workflow's plan jobs run on the default branch without an environment: they plan read-only too.
    expect(sub("plan-trust")).toEqual([
      "repo:my-org/incident-manager-setup:pull_request",
      "repo:my-org/incident-manager-setup:ref:refs/heads/main",
    ]);
    expect(sub("apply-trust")).toEqual(["repo:my-org/incident-manager-setup:environment:incident-manager-apply"]);
  });
});

const APPLY_ROLE = `arn:aws:iam::${DEV}:role/incident-manager-apply`;

describeWithTerraform("the plan/apply role switch, planned by the real provider (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "ci-roles");
  let asCi: StackPlan;
  let asLaptop: StackPlan;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ci-roles-"));
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        accounts: [
          {
            name: "dev",
            region: "us-east-1",
            accountId: DEV,
            assumeRoleArn: APPLY_ROLE,
            planRoleArn: `arn:aws:iam::${DEV}:role/incident-manager-plan`,
            adminUsers: [{ name: "alice", accessKeys: [] }],
          },
        ],
      }),
    );
    synthesize({ configFile: join(dir, "config.json"), outdir: join(dir, "out") });
    const json = readFileSync(join(dir, "out", "stacks", "dev", "cdk.tf.json"), "utf8");
    [asCi, asLaptop] = await offline.planner.planAll([
      { name: "as a CI job", json, keepAssumeRole: true, variables: { [ASSUME_ROLE_VARIABLE]: "" } },
      { name: "as a laptop", json, keepAssumeRole: true },
    ]);
  }, 2 * PLAN_TIMEOUT_MS);

  test('with TF_VAR_assume_role_arn="" (a CI job that assumed its role) the provider assumes nothing and plans', () => {
    expect(asCi.ok).toBe(true);
    expect(callNames(asCi.requests)).not.toContain("sts:AssumeRole");
    expect(asCi.unexpectedRequests).toEqual([]);
  });

  test("without it (cdktf deploy, terraform apply from a laptop) the provider asks STS for the apply role", () => {
    const assume = asLaptop.requests.filter((r) => r.action === "AssumeRole");
    expect(assume.map((r) => r.params.RoleArn)).toContain(APPLY_ROLE);
  });
});
