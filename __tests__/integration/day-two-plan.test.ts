// Issue 15 with the real terraform and provider as the oracle (offline plans, AWS stubbed; the
// mirror's hashicorp/aws 5.100.0, the app pins 6.25.0): from a prior state that holds what an
// earlier apply made, what Terraform does when a person is taken out, when an account is retired,
// when things that exist are adopted, when the role may or may not exist, and when a permission
// set is renamed. The synthesized side of the same features is day-two.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, synthesize } from "../../modules";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { STUB_ACCOUNT_ID, STUB_SSO_INSTANCE_ARN } from "../../scripts/lib/aws-stub";
import { OfflinePlanOptions, StackPlan, assertPlanned } from "../../scripts/lib/offline-plan";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { identityCenterConfig } from "../support/configs";
import { FORCES_REPLACEMENT } from "../../modules/app/synth/replacements";

jest.setTimeout(PLAN_TIMEOUT_MS);

type Json = Record<string, any>;

/** The stacks' JSON (by name) of a configuration, as npm run synth writes them. */
function synthStacks(config: SetupConfigInput): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "day-two-plan-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const { stacks } = synthesize({ configFile: join(dir, "config.json"), outdir: join(dir, "out") });
  return Object.fromEntries(stacks.map((name) => [name, readFileSync(join(dir, "out", "stacks", name, "cdk.tf.json"), "utf8")]));
}

/** The managed resources of a stack's JSON: [type, name, body]. */
function resourcesOf(stackJson: string): [string, string, Json][] {
  const stack = JSON.parse(stackJson) as Json;
  return Object.entries((stack.resource ?? {}) as Json).flatMap(([type, byName]) =>
    Object.entries(byName as Json).map(([name, body]) => [type, name, body as Json] as [string, string, Json]),
  );
}

/**
 * A Terraform state holding the given resources as an earlier apply left them: an id and the
 * attributes given (the provider's schema fills the rest with null; plans run with refresh: false).
 */
function stateOf(terraformVersion: string, resources: [string, string, Json][]): string {
  return JSON.stringify({
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000015",
    outputs: {},
    resources: resources.map(([type, name, attributes]) => ({
      mode: "managed",
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: { id: `${type}-${name}`.slice(0, 64), ...attributes }, sensitive_attributes: [] }],
    })),
  });
}

const ACCOUNT = { name: "prod", region: "us-east-1", accountId: STUB_ACCOUNT_ID };
const ROLE_ARN = `arn:aws:iam::${STUB_ACCOUNT_ID}:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`;

const LIVE = synthStacks({ accounts: [{ ...ACCOUNT, adminUsers: [{ name: "alice" }, { name: "bob", accessKeys: [] }] }] }).prod;
const WITHOUT_BOB = synthStacks({ accounts: [{ ...ACCOUNT, adminUsers: [{ name: "alice" }] }] }).prod;
const RETIRED = synthStacks({
  accounts: [{ ...ACCOUNT, retire: true, adminUsers: [{ name: "alice" }, { name: "bob", accessKeys: [] }] }],
}).prod;
const ADOPTING = synthStacks({
  accounts: [{ ...ACCOUNT, adminGroup: { adopt: true }, adminUsers: [{ name: "alice", adopt: true, accessKeys: [] }] }],
}).prod;
const IC_BEFORE = synthStacks(identityCenterConfig())["identity-center"];
const IC_RENAMED = synthStacks({
  ...identityCenterConfig(),
  identityCenter: { ...identityCenterConfig().identityCenter!, permissionSet: { name: "IncidentAdmins", sessionDuration: "PT4H" } },
})["identity-center"];

const userAddress = (stackJson: string, name: string) =>
  resourcesOf(stackJson)
    .filter(([type, , body]) => type === "aws_iam_user" && body.name === name)
    .map(([type, n]) => `${type}.${n}`)[0];

/** Prior state of the live account stack: every resource of it, the users with the force_destroy given. */
function liveState(version: string, forceDestroy: boolean): string {
  return stateOf(
    version,
    resourcesOf(LIVE).map(([type, name, body]) => {
      if (type === "aws_iam_user")
        return [
          type,
          name,
          { name: body.name, path: "/", force_destroy: forceDestroy, arn: `arn:aws:iam::${STUB_ACCOUNT_ID}:user/${body.name}` },
        ];
      if (type === "aws_iam_service_linked_role")
        return [type, name, { aws_service_name: "ssm-incidents.amazonaws.com", arn: ROLE_ARN, name: "AWSServiceRoleForIncidentManager" }];
      return [type, name, {}];
    }),
  );
}

/** Prior state of the Identity Center stack: the permission set, its attachment and the assignments. */
function identityCenterState(version: string): string {
  const psArn = `${STUB_SSO_INSTANCE_ARN.replace(":instance/", ":permissionSet/")}/ps-1111111111111111`;
  const kept = resourcesOf(IC_BEFORE).filter(([type]) => /^aws_ssoadmin_/.test(type));
  return stateOf(
    version,
    kept.map(([type, name, body]) => {
      if (type === "aws_ssoadmin_permission_set")
        return [type, name, { name: body.name, arn: psArn, instance_arn: STUB_SSO_INSTANCE_ARN, session_duration: "PT4H" }];
      if (type === "aws_ssoadmin_managed_policy_attachment")
        return [
          type,
          name,
          { instance_arn: STUB_SSO_INSTANCE_ARN, permission_set_arn: psArn, managed_policy_arn: body.managed_policy_arn },
        ];
      return [
        type,
        name,
        {
          instance_arn: STUB_SSO_INSTANCE_ARN,
          permission_set_arn: psArn,
          principal_type: "GROUP",
          principal_id: "a1b2c3d4-5678-90ab-cdef-111111111111",
          target_type: "AWS_ACCOUNT",
          target_id: body.target_id,
        },
      ];
    }),
  );
}

describeWithTerraform("day two, planned by the real provider from a prior state (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "day-two-plan");
  const plans = new Map<string, StackPlan>();
  const v = setup.terraformVersion;
  const changesOf = (plan: string) => assertPlanned(plans.get(plan)!).resource_changes ?? [];
  const actionOf = (plan: string, address: string) => changesOf(plan).find((rc) => rc.address === address)?.change;

  beforeAll(async () => {
    const runs: (OfflinePlanOptions & { name: string; json: string })[] = [
      { name: "auto, the account has no role", json: WITHOUT_BOB, serviceLinkedRole: false },
      { name: "offboard bob (force_destroy in the state)", json: WITHOUT_BOB, priorState: liveState(v, true), refresh: false },
      { name: "users of an earlier version get force_destroy", json: LIVE, priorState: liveState(v, false), refresh: false },
      { name: "retire", json: RETIRED, priorState: liveState(v, true), refresh: false },
      {
        name: "adopt",
        json: ADOPTING,
        existingIam: { groups: ["Administrators"], users: [{ name: "alice", loginProfile: true }] },
      },
      { name: "rename the permission set", json: IC_RENAMED, priorState: identityCenterState(v), refresh: false },
    ];
    for (const plan of await offline.planner.planAll(runs)) plans.set(plan.stack, plan);
  }, 10 * PLAN_TIMEOUT_MS);

  test("auto: the account has the role, so the plan imports it and adds no role", () => {
    const role = changesOf("adopt").find((rc) => rc.type === "aws_iam_service_linked_role");
    expect(role?.change.importing).toEqual({ id: ROLE_ARN });
    expect(role?.change.actions).toEqual(["no-op"]);
  });

  test("auto: the account has no role, so the plan creates it", () => {
    const role = changesOf("auto, the account has no role").find((rc) => rc.type === "aws_iam_service_linked_role");
    expect(role?.change.importing ?? null).toBeNull();
    expect(role?.change.actions).toEqual(["create"]);
  });

  test("offboarding: a user removed from the configuration is deleted, force_destroy true in the state", () => {
    const bob = actionOf("offboard bob (force_destroy in the state)", userAddress(LIVE, "bob"));
    expect(bob?.actions).toEqual(["delete"]);
    expect((bob?.before as Json).force_destroy).toBe(true);
    // alice stays (her attributes this minimal state leaves out are filled in place).
    expect(actionOf("offboard bob (force_destroy in the state)", userAddress(LIVE, "alice"))?.actions).not.toContain("delete");
  });

  test("users deployed before force_destroy get it in place: one apply before anyone can be removed", () => {
    for (const name of ["alice", "bob"]) {
      const change = actionOf("users of an earlier version get force_destroy", userAddress(LIVE, name));
      expect([name, change?.actions, (change?.before as Json).force_destroy, (change?.after as Json).force_destroy]).toEqual([
        name,
        ["update"],
        false,
        true,
      ]);
    }
  });

  test("retire: every resource the app made is destroyed, the service-linked role is forgotten, nothing is added", () => {
    const byAction = (action: string) =>
      changesOf("retire")
        .filter((rc) => rc.change.actions.join() === action)
        .map((rc) => rc.type)
        .sort();
    expect(byAction("forget")).toEqual(["aws_iam_service_linked_role"]);
    const made = resourcesOf(LIVE)
      .map(([type]) => type)
      .filter((type) => type !== "aws_iam_service_linked_role")
      .sort();
    expect(byAction("delete")).toEqual(made);
    expect(plans.get("retire")!.counts).toEqual({ import: 0, add: 0, change: 0, destroy: made.length, forget: 1 });
  });

  test("adopt: the existing group, its attachment, the user and its login profile are imported, not added", () => {
    const imported = changesOf("adopt")
      .filter((rc) => rc.change.importing)
      .map((rc) => rc.type)
      .sort();
    expect(imported).toEqual([
      "aws_iam_group",
      "aws_iam_group_policy_attachment",
      "aws_iam_service_linked_role",
      "aws_iam_user",
      "aws_iam_user_login_profile",
    ]);
    const added = changesOf("adopt")
      .filter((rc) => rc.change.actions.includes("create"))
      .map((rc) => rc.type)
      .sort();
    // What the app adds to what it adopts: the MFA policy and the membership (AddUserToGroup is idempotent).
    expect(added).toEqual(["aws_iam_group_policy", "aws_iam_user_group_membership"]);
  });

  test("a renamed permission set: the provider replaces it and every assignment, as the replacement table says", () => {
    const replaced = changesOf("rename the permission set").filter((rc) => rc.change.actions.join() === "delete,create");
    expect(replaced.map((rc) => rc.type).sort()).toEqual([
      "aws_ssoadmin_account_assignment",
      "aws_ssoadmin_account_assignment",
      "aws_ssoadmin_managed_policy_attachment",
      "aws_ssoadmin_permission_set",
    ]);
    for (const rc of replaced) {
      const paths = ((rc.change as Json).replace_paths as string[][]).map((p) => p[0]);
      expect([rc.type, paths.every((p) => FORCES_REPLACEMENT[rc.type].includes(p))]).toEqual([rc.type, true]);
    }
    const ps = replaced.find((rc) => rc.type === "aws_ssoadmin_permission_set");
    expect((ps?.change as Json).replace_paths).toEqual([["name"]]);
  });

  test("the policy attachment depends on every assignment in the configuration Terraform read", () => {
    const config = assertPlanned(plans.get("rename the permission set")!) as Json;
    const resources = config.configuration.root_module.resources as Json[];
    const attachment = resources.find((r) => r.type === "aws_ssoadmin_managed_policy_attachment");
    const assignments = resources.filter((r) => r.type === "aws_ssoadmin_account_assignment").map((r) => r.address);
    expect(assignments).toHaveLength(2);
    expect([...attachment?.depends_on].sort()).toEqual([...assignments].sort());
  });
});
