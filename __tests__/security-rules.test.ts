// Security rules over the synthesized cdk.tf.json (with CDKTF's "//" metadata, as scanners read
// it) of several configurations. Each rule is a function that lists violations; each is shown
// to pass on our stacks and to fail on a stack that breaks it.
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { AccountConfig, SetupConfigInput, createApp, parseConfig } from "../modules";
import { accountsConfig, fullConfig, minimalConfig, shippedConfig } from "./support/configs";

type Stack = Record<string, any>;
interface Synthesized {
  readonly label: string;
  readonly account: AccountConfig;
  readonly stack: Stack;
}

function synthesizeAll(configs: [string, SetupConfigInput][]): Synthesized[] {
  return configs.flatMap(([label, input]) => {
    const config = parseConfig(input);
    const outdir = mkdtempSync(join(tmpdir(), "security-"));
    createApp(config, { outdir }).synth();
    return config.accounts.map((account) => ({
      label: `${label}/${account.name}`,
      account,
      stack: JSON.parse(readFileSync(join(outdir, "stacks", account.name, "cdk.tf.json"), "utf8")),
    }));
  });
}

const resources = (stack: Stack, type: string): [string, any][] => Object.entries(stack.resource?.[type] ?? {});
const clone = (stack: Stack): Stack => JSON.parse(JSON.stringify(stack));

// --- the rules ------------------------------------------------------------------------------

/** CIS 1.15, Checkov CKV_AWS_40, Trivy AWS-0143: permissions come through groups, never attached to users. */
function policiesAttachedToUsers(stack: Stack): string[] {
  return [
    ...resources(stack, "aws_iam_user_policy").map(([name]) => `aws_iam_user_policy.${name}`),
    ...resources(stack, "aws_iam_user_policy_attachment").map(([name]) => `aws_iam_user_policy_attachment.${name}`),
    ...resources(stack, "aws_iam_policy_attachment")
      .filter(([, r]) => (r.users ?? []).length > 0)
      .map(([name]) => `aws_iam_policy_attachment.${name}`),
  ];
}

/** CIS 1.13: at most one Active access key per user, unless the configuration says a rotation is in progress. */
function usersWithSeveralActiveKeys(stack: Stack, account: AccountConfig): string[] {
  const rotating = new Set(account.adminUsers.filter((u) => u.keyRotationInProgress).map((u) => u.name));
  const users = new Map(resources(stack, "aws_iam_user").map(([name, user]) => [`\${aws_iam_user.${name}.name}`, user.name as string]));
  const active = new Map<string, number>();
  for (const [, key] of resources(stack, "aws_iam_access_key")) {
    if ((key.status ?? "Active") === "Active") active.set(key.user, (active.get(key.user) ?? 0) + 1);
  }
  return [...active].filter(([ref, n]) => n > 1 && !rotating.has(users.get(ref) ?? ref)).map(([ref, n]) => `${users.get(ref) ?? ref}: ${n} Active keys`);
}

/** Trivy AWS-0123: with enforcement on, the admin group denies requests without MFA (aws:MultiFactorAuthPresent). */
function adminGroupWithoutMfaCondition(stack: Stack, account: AccountConfig): string[] {
  if (!account.adminGroup.enforceMfa) return [];
  const documents = stack.data?.aws_iam_policy_document ?? {};
  const enforced = resources(stack, "aws_iam_group_policy").some(([, policy]) => {
    const document = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)?.[1];
    return (documents[document ?? ""]?.statement ?? []).some(
      (s: any) =>
        s.effect === "Deny" &&
        (s.condition ?? []).some((c: any) => c.test === "BoolIfExists" && c.variable === "aws:MultiFactorAuthPresent" && c.values?.[0] === "false"),
    );
  });
  return enforced ? [] : [`group ${account.adminGroup.name}: no Deny with BoolIfExists aws:MultiFactorAuthPresent = false`];
}

/** CIS 1.8/1.9, Checkov CKV_AWS_9 to CKV_AWS_15: a managed password policy is at least as strict as CIS. */
function weakPasswordPolicies(stack: Stack): string[] {
  return resources(stack, "aws_iam_account_password_policy").flatMap(([name, p]) => {
    const problems = [
      p.minimum_password_length >= 14 ? "" : `minimum_password_length ${p.minimum_password_length} < 14 (CKV_AWS_10, CIS 1.8)`,
      p.password_reuse_prevention >= 24 ? "" : `password_reuse_prevention ${p.password_reuse_prevention} < 24 (CKV_AWS_13, CIS 1.9)`,
      p.max_password_age <= 90 ? "" : `max_password_age ${p.max_password_age} > 90 (CKV_AWS_9)`,
      p.require_lowercase_characters ? "" : "lowercase not required (CKV_AWS_11)",
      p.require_numbers ? "" : "numbers not required (CKV_AWS_12)",
      p.require_symbols ? "" : "symbols not required (CKV_AWS_14)",
      p.require_uppercase_characters ? "" : "uppercase not required (CKV_AWS_15)",
    ];
    return problems.filter(Boolean).map((problem) => `aws_iam_account_password_policy.${name}: ${problem}`);
  });
}

/** Every output that carries a plain-text secret (a key's secret, a password) is sensitive. */
function secretOutputsNotSensitive(stack: Stack): string[] {
  return Object.entries(stack.output ?? {})
    .filter(([, o]: [string, any]) => /\.(secret|password|ses_smtp_password_v4)\}$/.test(o.value) && o.sensitive !== true)
    .map(([name]) => name);
}

/** A managed Incident Manager service-linked role is protected with prevent_destroy. */
function unprotectedServiceLinkedRoles(stack: Stack): string[] {
  return resources(stack, "aws_iam_service_linked_role")
    .filter(([, role]) => role.lifecycle?.prevent_destroy !== true)
    .map(([name]) => `aws_iam_service_linked_role.${name}`);
}

/** CIS 1.4, Checkov CKV_AWS_348: no IAM user (and so no access key) named root. */
function usersNamedRoot(stack: Stack): string[] {
  return resources(stack, "aws_iam_user").filter(([, u]) => String(u.name).toLowerCase() === "root").map(([name]) => name);
}

/** The deviations the guide asks for carry a Checkov skip with a reason, in the form Checkov reads. */
function deviationsWithoutCheckovSkip(stack: Stack): string[] {
  const skipped = (resource: any, id: string) =>
    (resource["//"]?.checkov?.skip ?? []).some((s: any) => s.id === id && typeof s.comment === "string" && s.comment.length > 20);
  const loginUsers = new Set(resources(stack, "aws_iam_user_login_profile").map(([, p]) => p.user));
  return [
    ...resources(stack, "aws_iam_group_policy_attachment")
      .filter(([, a]) => /policy\/AdministratorAccess$/.test(a.policy_arn) && !skipped(a, "CKV_AWS_274"))
      .map(([name]) => `${name}: CKV_AWS_274`),
    ...resources(stack, "aws_iam_user")
      .filter(([, u]) => !skipped(u, "CKV_AWS_273"))
      .map(([name]) => `${name}: CKV_AWS_273`),
    ...resources(stack, "aws_iam_user")
      .filter(([name, u]) => loginUsers.has(`\${aws_iam_user.${name}.name}`) && !skipped(u, "CKV2_AWS_22"))
      .map(([name]) => `${name}: CKV2_AWS_22`),
  ];
}

// --- the tests -----------------------------------------------------------------------------

const stacks = synthesizeAll([
  ["shipped", shippedConfig()],
  ["minimal", minimalConfig()],
  ["full", fullConfig()],
  ["accounts", accountsConfig()],
]);
const shipped = stacks[0];
const rotating = stacks.find((s) => s.label === "accounts/adopt-tagged")!;

describe.each(stacks.map((s) => [s.label, s] as const))("security rules: %s", (_label, { stack, account }) => {
  test("CIS 1.15 / CKV_AWS_40 / Trivy AWS-0143: no policy is attached to a user", () => {
    expect(policiesAttachedToUsers(stack)).toEqual([]);
  });
  test("CIS 1.13: at most one Active key per user outside a rotation", () => {
    expect(usersWithSeveralActiveKeys(stack, account)).toEqual([]);
  });
  test("Trivy AWS-0123: the admin group requires aws:MultiFactorAuthPresent when enforcement is on", () => {
    expect(adminGroupWithoutMfaCondition(stack, account)).toEqual([]);
  });
  test("CIS 1.8/1.9, CKV_AWS_9-15: a managed password policy is at least as strict as CIS", () => {
    expect(weakPasswordPolicies(stack)).toEqual([]);
  });
  test("every output holding a secret is sensitive", () => {
    expect(secretOutputsNotSensitive(stack)).toEqual([]);
  });
  test("the service-linked role has prevent_destroy", () => {
    expect(unprotectedServiceLinkedRoles(stack)).toEqual([]);
  });
  test("CIS 1.4 / CKV_AWS_348: no access keys for root", () => {
    expect(usersNamedRoot(stack)).toEqual([]);
  });
  test("CIS 1.16 / CKV_AWS_274, CKV_AWS_273, CKV2_AWS_22: deviations carry a Checkov skip with its reason", () => {
    expect(deviationsWithoutCheckovSkip(stack)).toEqual([]);
  });
});

describe("each rule fails when it is broken", () => {
  test("a policy attached to a user is found", () => {
    const broken = clone(shipped.stack);
    broken.resource.aws_iam_user_policy_attachment = { Direct: { user: "alice", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" } };
    expect(policiesAttachedToUsers(broken)).toEqual(["aws_iam_user_policy_attachment.Direct"]);
  });

  test("two Active keys without a rotation are found", () => {
    const broken = clone(shipped.stack);
    const [[, key]] = resources(broken, "aws_iam_access_key");
    broken.resource.aws_iam_access_key.Second = { ...key };
    expect(usersWithSeveralActiveKeys(broken, shipped.account)).toEqual(["incident-admin: 2 Active keys"]);
    expect(usersWithSeveralActiveKeys(rotating.stack, rotating.account)).toEqual([]);
  });

  test("an admin group without the MFA condition is found", () => {
    const broken = clone(shipped.stack);
    for (const document of Object.values<any>(broken.data.aws_iam_policy_document)) {
      document.statement = document.statement.filter((s: any) => s.effect !== "Deny");
    }
    expect(adminGroupWithoutMfaCondition(broken, shipped.account)).toEqual([
      "group Administrators: no Deny with BoolIfExists aws:MultiFactorAuthPresent = false",
    ]);
  });

  test("a weak password policy is found", () => {
    const config = accountsConfig();
    config.accounts[0].passwordPolicy = { minimumLength: 8, passwordReusePrevention: 5, maxPasswordAge: 365, requireSymbols: false };
    const [weak] = synthesizeAll([["weak", { accounts: [config.accounts[0]] }]]);
    expect(weakPasswordPolicies(weak.stack).map((p) => p.replace(/^[^:]+: /, ""))).toEqual([
      "minimum_password_length 8 < 14 (CKV_AWS_10, CIS 1.8)",
      "password_reuse_prevention 5 < 24 (CKV_AWS_13, CIS 1.9)",
      "max_password_age 365 > 90 (CKV_AWS_9)",
      "symbols not required (CKV_AWS_14)",
    ]);
  });

  test("a secret output that is not sensitive is found", () => {
    const broken = clone(shipped.stack);
    delete broken.output["user_incident-admin_access_key_1_secret"].sensitive;
    expect(secretOutputsNotSensitive(broken)).toEqual(["user_incident-admin_access_key_1_secret"]);
  });

  test("a service-linked role without prevent_destroy is found", () => {
    const broken = clone(shipped.stack);
    for (const role of Object.values<any>(broken.resource.aws_iam_service_linked_role)) delete role.lifecycle;
    expect(unprotectedServiceLinkedRoles(broken)).toEqual(["aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3"]);
  });

  test("a user named root is found (and the configuration refuses one)", () => {
    const broken = clone(shipped.stack);
    for (const user of Object.values<any>(broken.resource.aws_iam_user)) user.name = "root";
    expect(usersNamedRoot(broken)).toHaveLength(1);
    expect(() => parseConfig({ accounts: [{ name: "a", region: "us-east-1", adminUsers: [{ name: "Root" }] }] })).toThrow("is reserved");
  });

  test("a deviation without its Checkov skip is found", () => {
    const broken = clone(shipped.stack);
    for (const user of Object.values<any>(broken.resource.aws_iam_user)) delete user["//"].checkov;
    for (const a of Object.values<any>(broken.resource.aws_iam_group_policy_attachment)) delete a["//"].checkov;
    expect(deviationsWithoutCheckovSkip(broken)).toEqual([
      "AdminGroup_AdministratorAccess_3E3326B0: CKV_AWS_274",
      "AdminUser-incident-admin_D23EE31F: CKV_AWS_273",
      "AdminUser-incident-admin_D23EE31F: CKV2_AWS_22",
    ]);
  });

  test("the Checkov skips sit beside CDKTF's metadata, in the form Checkov reads", () => {
    const [[, attachment]] = resources(shipped.stack, "aws_iam_group_policy_attachment");
    expect(attachment["//"]).toEqual({
      checkov: { skip: [{ id: "CKV_AWS_274", comment: expect.stringContaining("AdministratorAccess") }] },
      metadata: { path: "incident-manager/AdminGroup/AdministratorAccess", uniqueId: "AdminGroup_AdministratorAccess_3E3326B0" },
    });
  });
});
