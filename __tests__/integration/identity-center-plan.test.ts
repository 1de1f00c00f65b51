// The Identity Center example (examples/identity-center.config.json) planned offline with the real
// terraform and hashicorp/aws provider, against the loopback AWS stub (scripts/lib/aws-stub.ts):
// exact counts per stack, the reads the Identity Center stack makes, and the plan stopping with
// the instance postcondition's message when the account has no Identity Center instance (or two).
import { readFileSync } from "fs";
import { join } from "path";
import { createApp, parseConfig } from "../../modules";
import { StackPlan, assertPlanned, callNames } from "../../scripts/lib/offline-plan";
import { PLAN_TIMEOUT_MS, STACK_FILE } from "../../scripts/lib/terraform";
import { identityCenterConfig, identityCenterExistingGroupConfig } from "../support/configs";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { NO_INSTANCE_MESSAGE } from "../../modules/identity-center/instance";

jest.setTimeout(PLAN_TIMEOUT_MS * 4);

/** Terraform's summaries: the example's three stacks and the existing-group variant's Identity Center stack. */
const EXPECTED = {
  "example/identity-center": "Plan: 9 to add, 0 to change, 0 to destroy.",
  // The accounts use the auto role mode, and the stub's accounts have the role: imported, not added.
  "example/incident-manager-prod": "Plan: 1 to import, 7 to add, 0 to change, 0 to destroy.",
  "example/incident-manager-dev": "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.",
  "existing/identity-center": "Plan: 4 to add, 0 to change, 0 to destroy.",
} as const;

describeWithTerraform("Identity Center stacks, planned offline", (setup) => {
  const offline = useOfflinePlanner(setup, "identity-center-plan");
  const plans = new Map<string, StackPlan>();
  const file = (config: string, stack: string) => join(offline.scratch, config, "stacks", stack, STACK_FILE);
  const planOf = (key: string) => {
    const plan = plans.get(key);
    if (!plan) throw new Error(`no plan ${key}`);
    return plan;
  };

  beforeAll(async () => {
    createApp(parseConfig(identityCenterConfig()), { outdir: join(offline.scratch, "example"), skipValidation: true }).synth();
    createApp(parseConfig(identityCenterExistingGroupConfig()), {
      outdir: join(offline.scratch, "existing"),
      skipValidation: true,
    }).synth();
    const stacks = [
      ...Object.keys(EXPECTED).map((key) => ({ key, name: key, file: file(...(key.split("/") as [string, string])) })),
      { key: "no-instance", name: "no-instance", file: file("example", "identity-center"), ssoInstances: 0 },
      { key: "two-instances", name: "two-instances", file: file("example", "identity-center"), ssoInstances: 2 },
      { key: "unknown-group", name: "unknown-group", file: file("existing", "identity-center"), groups: "none" as const },
    ];
    const results = await offline.planner.planAll(stacks);
    stacks.forEach((s, i) => plans.set(s.key, results[i]));
  }, PLAN_TIMEOUT_MS * 4);

  test.each(Object.entries(EXPECTED))("%s: plans exactly what the configuration asks for", (key, summary) => {
    const plan = planOf(key);
    const json = assertPlanned(plan);
    const stack = JSON.parse(readFileSync(file(...(key.split("/") as [string, string])), "utf8"));
    const resources = Object.entries<Record<string, unknown>>(stack.resource ?? {}).flatMap(([t, byName]) =>
      Object.keys(byName).map((n) => `${t}.${n}`),
    );
    const imported = (stack.import ?? []).length;
    expect(plan.summary).toBe(summary);
    expect(plan.counts).toEqual({ import: imported, add: resources.length - imported, change: 0, destroy: 0 });
    expect(plan.changes.filter((c) => c.action !== "create" && c.action !== "import")).toEqual([]);
    expect(plan.unexpectedRequests).toEqual([]);
    expect(json.errored).toBe(false);
  });

  test("the Identity Center stack reads the instance (and the group only when it is looked up)", () => {
    expect(callNames(planOf("example/identity-center").requests)).toEqual(["sts:GetCallerIdentity", "sso:ListInstances"]);
    expect(callNames(planOf("existing/identity-center").requests)).toEqual([
      "sts:GetCallerIdentity",
      "sso:ListInstances",
      "identitystore:GetGroupId",
      "identitystore:DescribeGroup",
    ]);
    const lookup = planOf("existing/identity-center").requests.find((r) => r.action === "GetGroupId");
    expect(lookup?.body).toMatchObject({
      AlternateIdentifier: { UniqueAttribute: { AttributePath: "DisplayName", AttributeValue: "aws-incident-admins" } },
    });
  });

  test("the portal URL and the assignments are planned from the instance the stub lists", () => {
    const json = assertPlanned(planOf("example/identity-center"));
    expect(json.planned_values?.outputs?.access_portal_url?.value).toBe("https://d-1111111111.awsapps.com/start");
    const assignments = (json.resource_changes ?? []).filter((c) => c.type === "aws_ssoadmin_account_assignment");
    expect(assignments.map((c) => (c.change.after as any).target_id).sort()).toEqual(["111122223333", "444455556666"]);
    expect(assignments.every((c) => (c.change.after as any).instance_arn === "arn:aws:sso:::instance/ssoins-1111111111111111")).toBe(true);
  });

  test.each([["no-instance"], ["two-instances"]])("%s: the plan fails with the postcondition's message", (key) => {
    const plan = planOf(key);
    expect(plan.ok).toBe(false);
    const errors = plan.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.summary, d.detail])).toEqual([["Resource postcondition failed", NO_INSTANCE_MESSAGE]]);
    expect(callNames(plan.requests)).toEqual(["sts:GetCallerIdentity", "sso:ListInstances"]);
  });

  test("an existing group the identity store does not have: the lookup fails, naming it", () => {
    const plan = planOf("unknown-group");
    expect(plan.ok).toBe(false);
    expect(plan.diagnostics.filter((d) => d.severity === "error").map((d) => d.summary)).toEqual([
      expect.stringContaining('ResourceNotFoundException: No group with DisplayName "aws-incident-admins"'),
    ]);
  });
});
