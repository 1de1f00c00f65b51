// Security rules over the synthesized cdk.tf.json (with CDKTF's "//" metadata, as scanners read
// it) of several configurations. Each rule is a function that lists violations; each is shown
// to pass on our stacks and to fail on a stack that breaks it.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse as parseYaml } from "yaml";
import { AccountConfig, SetupConfigInput, parseConfig, synthesize } from "../../modules";
import { CHECKOV_CONFIG_FILE } from "../../modules/core/checkov";
import {
  accountsConfig,
  fullConfig,
  identityCenterConfig,
  identityCenterExistingGroupConfig,
  minimalConfig,
  shippedConfig,
} from "../support/configs";

type Stack = Record<string, any>;
interface Synthesized {
  readonly label: string;
  readonly account: AccountConfig;
  readonly stack: Stack;
}

interface SynthesizedForms extends Synthesized {
  /** The stack folder's .checkov.yaml (JSON form), if any. */
  readonly checkovYaml?: string;
  /** The stack as `cdktf synth --hcl` writes it. */
  readonly hcl: string;
}

/** Synthesizes through synthesize() as npm run synth does, in the JSON and the HCL form (the Identity Center stack apart). */
function synthesizeAll(configs: [string, SetupConfigInput][]): SynthesizedForms[] {
  return synthesizeWithIdentityCenter(configs).accounts;
}

function synthesizeWithIdentityCenter(configs: [string, SetupConfigInput][]): {
  accounts: SynthesizedForms[];
  identityCenter: Omit<SynthesizedForms, "account">[];
} {
  const identityCenter: Omit<SynthesizedForms, "account">[] = [];
  const accounts = synthesizeEach(configs, (label, read, name) =>
    identityCenter.push({
      label: `${label}/${name}`,
      stack: JSON.parse(read("json", "stacks", name, "cdk.tf.json") ?? "{}"),
      checkovYaml: read("json", "stacks", name, CHECKOV_CONFIG_FILE),
      hcl: read("hcl", "stacks", name, "cdk.tf") ?? "",
    }),
  );
  return { accounts, identityCenter };
}

function synthesizeEach(
  configs: [string, SetupConfigInput][],
  onIdentityCenter: (label: string, read: (...path: string[]) => string | undefined, name: string) => void,
): SynthesizedForms[] {
  return configs.flatMap(([label, input]) => {
    const config = parseConfig(input);
    const dir = mkdtempSync(join(tmpdir(), "security-"));
    const configFile = join(dir, "setup.config.json");
    writeFileSync(configFile, JSON.stringify(input));
    synthesize({ configFile, outdir: join(dir, "json") });
    const before = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      synthesize({ configFile, outdir: join(dir, "hcl") });
    } finally {
      if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = before;
    }
    const read = (...path: string[]) => (existsSync(join(dir, ...path)) ? readFileSync(join(dir, ...path), "utf8") : undefined);
    if (config.identityCenter) onIdentityCenter(label, read, config.identityCenter.name);
    return config.accounts.map((account) => ({
      label: `${label}/${account.name}`,
      account,
      stack: JSON.parse(read("json", "stacks", account.name, "cdk.tf.json") ?? "{}"),
      checkovYaml: read("json", "stacks", account.name, CHECKOV_CONFIG_FILE),
      hcl: read("hcl", "stacks", account.name, "cdk.tf") ?? "",
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
  return [...active]
    .filter(([ref, n]) => n > 1 && !rotating.has(users.get(ref) ?? ref))
    .map(([ref, n]) => `${users.get(ref) ?? ref}: ${n} Active keys`);
}

/** Trivy AWS-0123: with enforcement on, the admin group denies requests without MFA (aws:MultiFactorAuthPresent). */
function adminGroupWithoutMfaCondition(stack: Stack, account: AccountConfig): string[] {
  // No IAM group without IAM users (an account administered through Identity Center only).
  if (!account.adminGroup.enforceMfa || account.adminUsers.length === 0) return [];
  const documents = stack.data?.aws_iam_policy_document ?? {};
  const enforced = resources(stack, "aws_iam_group_policy").some(([, policy]) => {
    const document = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy.policy)?.[1];
    return (documents[document ?? ""]?.statement ?? []).some(
      (s: any) =>
        s.effect === "Deny" &&
        (s.condition ?? []).some(
          (c: any) => c.test === "BoolIfExists" && c.variable === "aws:MultiFactorAuthPresent" && c.values?.[0] === "false",
        ),
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
  // Outputs are maps: every string anywhere in the value counts.
  const strings = (value: unknown): string[] =>
    typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
  return Object.entries(stack.output ?? {})
    .filter(
      ([, o]: [string, any]) => strings(o.value).some((v) => /\.(secret|password|ses_smtp_password_v4)\}$/.test(v)) && o.sensitive !== true,
    )
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
  return resources(stack, "aws_iam_user")
    .filter(([, u]) => String(u.name).toLowerCase() === "root")
    .map(([name]) => name);
}

// Checkov's own rules for the deviations the guide asks for (bridgecrewio/checkov 3.3.13), applied
// to our JSON as Checkov applies them, so that "skipped" means what Checkov would do:
// - CKV_AWS_273 (resource/aws/IAMUserNotUsedForAccess.py): `return CheckResult.FAILED` for every aws_iam_user;
// - CKV2_AWS_22 (graph_checks/aws/IAMUserHasNoConsoleAccess.yaml): an aws_iam_user that an
//   aws_iam_user_login_profile refers to;
// - CKV_AWS_274 (resource/aws/IAMManagedAdminPolicy.py): policy_arn (aws_ssoadmin_managed_policy_attachment:
//   managed_policy_arn) == "arn:aws:iam::aws:policy/AdministratorAccess", exactly;
// - CKV2_AWS_57 (graph_checks/aws/SecretsAreRotated.yaml): an aws_secretsmanager_secret without an
//   aws_secretsmanager_secret_rotation;
// - CKV_AWS_149 (resource/aws/SecretManagerSecretEncrypted.py): kms_key_id missing, empty or containing "aws/".
const CKV_AWS_274_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
function checkovFindings(stack: Stack): { address: string; id: string }[] {
  const loginUsers = new Set(resources(stack, "aws_iam_user_login_profile").map(([, p]) => p.user));
  const rotated = new Set(resources(stack, "aws_secretsmanager_secret_rotation").map(([, r]) => r.secret_id));
  const found = (type: string, id: string, fails: (name: string, body: any) => boolean) =>
    resources(stack, type)
      .filter(([name, body]) => fails(name, body))
      .map(([name]) => ({ address: `${type}.${name}`, id }));
  return [
    ...found("aws_iam_user", "CKV_AWS_273", () => true),
    ...found("aws_iam_user", "CKV2_AWS_22", (name) => loginUsers.has(`\${aws_iam_user.${name}.name}`)),
    ...found("aws_iam_group_policy_attachment", "CKV_AWS_274", (_, a) => a.policy_arn === CKV_AWS_274_ARN),
    ...found("aws_ssoadmin_managed_policy_attachment", "CKV_AWS_274", (_, a) => a.managed_policy_arn === CKV_AWS_274_ARN),
    ...found("aws_secretsmanager_secret", "CKV2_AWS_57", (name) => !rotated.has(`\${aws_secretsmanager_secret.${name}.id}`)),
    ...found("aws_secretsmanager_secret", "CKV_AWS_149", (_, s) => !s.kms_key_id || String(s.kms_key_id).includes("aws/")),
  ];
}

/** Findings of a JSON stack that the folder's .checkov.yaml (`skip-check`, applied to the whole scan) does not skip. */
function unskippedInJson(stack: Stack, checkovYaml: string | undefined): string[] {
  const skipped = new Set<string>(checkovYaml ? (parseYaml(checkovYaml)["skip-check"] ?? []) : []);
  return checkovFindings(stack)
    .filter((f) => !skipped.has(f.id))
    .map((f) => `${f.address}: ${f.id}`);
}

// checkov/common/comment/enum.py, COMMENT_REGEX; base_parser.py applies a match only when its line
// lies strictly between the first and the last line of the resource block.
const CHECKOV_COMMENT_REGEX = /(checkov:skip=|bridgecrew:skip=|cortex:skip=) *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?/;

/** The `checkov:skip` ids and reasons inside each resource block of HCL, as Checkov collects them. */
function hclSkips(hcl: string): Map<string, { id: string; reason: string }[]> {
  const lines = hcl.split("\n");
  const out = new Map<string, { id: string; reason: string }[]>();
  lines.forEach((line, start) => {
    const header = /^resource "([^"]+)" "([^"]+)" \{$/.exec(line);
    if (!header) return;
    const end = lines.findIndex((l, i) => i > start && l === "}");
    const skips = lines
      .slice(start + 1, end)
      .map((l) => CHECKOV_COMMENT_REGEX.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .flatMap((m) => (m[2] ?? "").split(",").map((id) => ({ id: id.trim(), reason: m[3] ? m[3].slice(1) : "" })));
    out.set(`${header[1]}.${header[2]}`, skips);
  });
  return out;
}

/** Findings of the stack that its HCL does not skip inside the very block, with a reason. */
function unskippedInHcl(stack: Stack, hcl: string): string[] {
  const skips = hclSkips(hcl);
  return checkovFindings(stack)
    .filter((f) => !(skips.get(f.address) ?? []).some((s) => s.id === f.id && s.reason.length > 20))
    .map((f) => `${f.address}: ${f.id}`);
}

// --- the tests -----------------------------------------------------------------------------

const synthesized = synthesizeWithIdentityCenter([
  ["shipped", shippedConfig()],
  ["minimal", minimalConfig()],
  ["full", fullConfig()],
  ["accounts", accountsConfig()],
  ["identity-center", identityCenterConfig()],
  ["identity-center-existing-group", identityCenterExistingGroupConfig()],
]);
const stacks = synthesized.accounts;
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
});

describe.each(stacks.map((s) => [s.label, s] as const))("Checkov skips, where Checkov applies them: %s", (_label, s) => {
  test("cdk.tf.json: every deviation Checkov finds is skipped by the stack folder's .checkov.yaml", () => {
    // An account administered through Identity Center only has no IAM user: nothing to skip (no CKV_AWS_273).
    expect(checkovFindings(s.stack).length > 0).toBe(s.account.adminUsers.length > 0);
    expect(unskippedInJson(s.stack, s.checkovYaml)).toEqual([]);
  });
  test("cdk.tf (--hcl): every deviation is skipped inside its own resource block, with the reason", () => {
    expect(unskippedInHcl(s.stack, s.hcl)).toEqual([]);
  });
  test(".checkov.yaml skips only the checks this stack deviates from", () => {
    const ids = [...new Set(checkovFindings(s.stack).map((f) => f.id))].sort();
    // No deviation, no file.
    expect(s.checkovYaml === undefined ? [] : parseYaml(s.checkovYaml)["skip-check"]).toEqual(ids);
  });
});

/** IAM Identity Center User Guide, "Set session duration": 1 to 12 hours. */
function sessionsLongerThan12Hours(stack: Stack): string[] {
  return resources(stack, "aws_ssoadmin_permission_set")
    .filter(([, p]) => {
      const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(p.session_duration ?? "PT1H");
      return !m || Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) > 720;
    })
    .map(([name, p]) => `aws_ssoadmin_permission_set.${name}: ${p.session_duration}`);
}

describe.each(synthesized.identityCenter.map((s) => [s.label, s] as const))("Identity Center stack: %s", (_label, s) => {
  test("the permission set's session lasts at most 12 hours", () => {
    expect(resources(s.stack, "aws_ssoadmin_permission_set")).toHaveLength(1);
    expect(sessionsLongerThan12Hours(s.stack)).toEqual([]);
  });
  test("Checkov's CKV_AWS_274 fires on the AdministratorAccess attachment and is skipped, in either form, with the reason", () => {
    expect(checkovFindings(s.stack).map((f) => f.id)).toEqual(["CKV_AWS_274"]);
    expect(unskippedInJson(s.stack, s.checkovYaml)).toEqual([]);
    expect(unskippedInHcl(s.stack, s.hcl)).toEqual([]);
    expect(parseYaml(s.checkovYaml ?? "")["skip-check"]).toEqual(["CKV_AWS_274"]);
  });
  test("no IAM user, access key or secret output", () => {
    expect(resources(s.stack, "aws_iam_user")).toEqual([]);
    expect(secretOutputsNotSensitive(s.stack)).toEqual([]);
  });
});

describe("each rule fails when it is broken", () => {
  test("a permission set session longer than 12 hours is found", () => {
    const broken = clone(synthesized.identityCenter[0].stack);
    const [name] = Object.keys(broken.resource.aws_ssoadmin_permission_set);
    broken.resource.aws_ssoadmin_permission_set[name].session_duration = "PT13H";
    expect(sessionsLongerThan12Hours(broken)).toEqual([`aws_ssoadmin_permission_set.${name}: PT13H`]);
  });

  test("a policy attached to a user is found", () => {
    const broken = clone(shipped.stack);
    broken.resource.aws_iam_user_policy_attachment = {
      Direct: { user: "alice", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    };
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
    delete broken.output.admin_user_secrets.sensitive;
    expect(secretOutputsNotSensitive(broken)).toEqual(["admin_user_secrets"]);
    const leaked = clone(shipped.stack);
    leaked.output.admin_users.value["incident-admin"].password = "${aws_iam_user_login_profile.x.password}";
    expect(secretOutputsNotSensitive(leaked)).toEqual(["admin_users"]);
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

  test("a deviation Checkov would report is found when the skip is missing, in either form", () => {
    expect(unskippedInJson(shipped.stack, undefined)).toEqual([
      "aws_iam_user.AdminUser-incident-admin_D23EE31F: CKV_AWS_273",
      "aws_iam_user.AdminUser-incident-admin_D23EE31F: CKV2_AWS_22",
    ]);
    const withoutComments = shipped.hcl
      .split("\n")
      .filter((l) => !l.includes("checkov:skip="))
      .join("\n");
    expect(unskippedInHcl(shipped.stack, withoutComments)).toEqual([
      "aws_iam_user.AdminUser-incident-admin_D23EE31F: CKV_AWS_273",
      "aws_iam_user.AdminUser-incident-admin_D23EE31F: CKV2_AWS_22",
    ]);
    // A skip outside the block (e.g. above it) does not count, as in Checkov.
    const above = shipped.hcl.replace(/(resource "aws_iam_user" [^\n]*\n)((?:  # checkov:skip=[^\n]*\n)+)/, "$2$1");
    expect(unskippedInHcl(shipped.stack, above)).toHaveLength(2);
  });

  test("CKV_AWS_274 cannot fire on the partition-built AdministratorAccess ARN, only on the literal one: no skip is claimed", () => {
    const [[name, attachment]] = resources(shipped.stack, "aws_iam_group_policy_attachment");
    expect(attachment.policy_arn).toBe("arn:${data.aws_partition.Partition.partition}:iam::aws:policy/AdministratorAccess");
    expect(checkovFindings(shipped.stack).filter((f) => f.id === "CKV_AWS_274")).toEqual([]);
    const literal = clone(shipped.stack);
    literal.resource.aws_iam_group_policy_attachment[name].policy_arn = CKV_AWS_274_ARN;
    expect(checkovFindings(literal).filter((f) => f.id === "CKV_AWS_274")).toHaveLength(1);
  });

  test("the JSON keeps no skip in the unread `//.checkov` shape, only the reviewers' record", () => {
    const [[, user]] = resources(shipped.stack, "aws_iam_user");
    expect(user["//"].checkov).toBeUndefined();
    expect(user["//"].deviations).toEqual([
      { checkov: "CKV_AWS_273", reason: expect.stringContaining("IAM Identity Center") },
      { checkov: "CKV2_AWS_22", reason: expect.stringContaining("console") },
    ]);
  });
});
