// The provider, not our beliefs, decides what is replaced and what changes in place: offline
// `terraform plan`s (real hashicorp/aws provider, AWS stubbed) from a prior state holding the
// access keys of the previous configuration, for each step of the key rotation (docs/operating.md) and for
// a changed pgpKey. The review must then call the pgpKey change a replacement, from the plan and
// from the synthesized JSON alone.
import { SetupConfigInput } from "../../modules";
import { PGP_KEY, synthAccount } from "../support/configs";
import { PLAN_TIMEOUT_MS } from "../../scripts/lib/terraform";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import { StackPlan, assertPlanned } from "../../scripts/lib/offline-plan";
import { diffStacks, summarizeStack } from "../../scripts/review-lib";
import { FORCES_REPLACEMENT } from "../../modules/app/synth/replacements";

jest.setTimeout(PLAN_TIMEOUT_MS);

type Keys = NonNullable<NonNullable<SetupConfigInput["accounts"][number]["adminUsers"]>[number]["accessKeys"]>;

const OTHER_PGP_KEY = PGP_KEY.replace(/A{16}$/, "B".repeat(16));
const KEY_1 = "aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579";
const KEY_2 = "aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82";

function stack(accessKeys: Keys, keyRotationInProgress = false): string {
  return synthAccount({
    accounts: [{ name: "prod", region: "us-east-1", adminUsers: [{ name: "alice", console: false, keyRotationInProgress, accessKeys }] }],
  });
}

/**
 * A Terraform state holding the access keys of a synthesized stack as AWS would have created
 * them (documented example key ids), and nothing else: the plan creates the rest.
 */
function stateOfKeys(stackJson: string, terraformVersion: string): string {
  const keys = Object.entries(JSON.parse(stackJson).resource.aws_iam_access_key ?? {}) as [string, Record<string, unknown>][];
  return JSON.stringify({
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000001",
    outputs: {},
    resources: keys.map(([name, body], i) => ({
      mode: "managed",
      type: "aws_iam_access_key",
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [
        {
          schema_version: 0,
          attributes: {
            id: `AKIAIOSFODNN${i + 1}EXAMPLE`.slice(0, 20),
            user: "alice",
            status: body.status ?? "Active",
            pgp_key: body.pgp_key ?? null,
            create_date: "2024-01-15T00:00:00Z",
            encrypted_secret: body.pgp_key ? "d2NCVTEyMw==" : null,
            encrypted_ses_smtp_password_v4: null,
            key_fingerprint: body.pgp_key ? "0000000000000000000000000000000000000000" : null,
            secret: null,
            ses_smtp_password_v4: null,
          },
          // As Terraform records the provider's sensitive attributes (else the plan updates their marks).
          sensitive_attributes: ["secret", "ses_smtp_password_v4"].map((a) => [{ type: "get_attr", value: a }]),
        },
      ],
    })),
  });
}

const STEPS = {
  start: stack([{ id: "1" }]),
  added: stack([{ id: "1" }, { id: "2" }], true),
  deactivated: stack([{ id: "1", status: "Inactive" }, { id: "2" }]),
  deleted: stack([{ id: "2" }]),
  pgpBefore: stack([{ id: "1", pgpKey: PGP_KEY }]),
  pgpAfter: stack([{ id: "1", pgpKey: OTHER_PGP_KEY }]),
};

/** [plan name, state from, config to] */
const TRANSITIONS = [
  ["1. add the second key", "start", "added"],
  ["3. deactivate the old key", "added", "deactivated"],
  ["4. delete the old key", "deactivated", "deleted"],
  ["change the pgpKey of a key", "pgpBefore", "pgpAfter"],
] as const;

describeWithTerraform("terraform plan from a prior state (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "plan-from-state");
  const plans = new Map<string, StackPlan>();
  const actionsOf = (name: string, address: string) =>
    assertPlanned(plans.get(name)!).resource_changes?.find((rc) => rc.address === address)?.change.actions;

  beforeAll(async () => {
    const results = await offline.planner.planAll(
      TRANSITIONS.map(([name, from, to]) => ({
        name,
        json: STEPS[to],
        priorState: stateOfKeys(STEPS[from], setup.terraformVersion),
        refresh: false,
      })),
    );
    for (const plan of results) plans.set(plan.stack, plan);
  }, 6 * PLAN_TIMEOUT_MS);

  test("1. adding the second key creates it and leaves the first untouched", () => {
    expect(actionsOf("1. add the second key", KEY_1)).toEqual(["no-op"]);
    expect(actionsOf("1. add the second key", KEY_2)).toEqual(["create"]);
  });

  test("3. deactivating the old key updates its status in place (same key id), the new key is untouched", () => {
    expect(actionsOf("3. deactivate the old key", KEY_1)).toEqual(["update"]);
    expect(actionsOf("3. deactivate the old key", KEY_2)).toEqual(["no-op"]);
    expect(FORCES_REPLACEMENT.aws_iam_access_key).not.toContain("status");
  });

  test("4. deleting the old key destroys only it; the key that stays is never replaced", () => {
    expect(actionsOf("4. delete the old key", KEY_1)).toEqual(["delete"]);
    expect(actionsOf("4. delete the old key", KEY_2)).toEqual(["no-op"]);
  });

  test("a changed pgpKey replaces the key: the provider forces it on pgp_key, as our table says", () => {
    const plan = assertPlanned(plans.get("change the pgpKey of a key")!);
    const key = plan.resource_changes?.find((rc) => rc.address === KEY_1);

    expect(key?.change.actions).toEqual(["delete", "create"]);
    expect((key?.change as { replace_paths?: unknown }).replace_paths).toEqual([["pgp_key"]]);
    expect(FORCES_REPLACEMENT.aws_iam_access_key).toContain("pgp_key");
  });

  test("npm run review names the pgpKey change a replacement: from the plan, and from the JSON alone", () => {
    const plan = assertPlanned(plans.get("change the pgpKey of a key")!);
    const summary = summarizeStack(JSON.parse(STEPS.pgpAfter), [], plan, "prod");
    const row = summary.resources.find((r) => r.address === KEY_1);

    expect(row?.planned).toBe("replace (forced by pgp_key)");
    expect(diffStacks(JSON.parse(STEPS.pgpBefore), JSON.parse(STEPS.pgpAfter))[0]).toBe(
      `! ${KEY_1}: replaced, not changed in place: pgp_key forces replacement (a new access key id and secret; the old key is deleted and stops working)`,
    );
  });
});
