import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { IamUserLoginProfile } from "@cdktf/provider-aws/lib/iam-user-login-profile";
import { IncidentManagerSetupStack, SetupConfigInput, createApp, parseConfig } from "../../modules";
import { IamAccountAlias } from "@cdktf/provider-aws/lib/iam-account-alias";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { PGP_KEY, accountsConfig, fullConfig, minimalConfig, shippedConfig, synthAccount, synthJson } from "../support/configs";
import { synthWarnings } from "../../modules/app/warnings";

/** Every resource address of a synthesized stack, sorted. */
function addresses(synth: Record<string, any>): string[] {
  return Object.entries(synth.resource as Record<string, object>)
    .flatMap(([type, resources]) => Object.keys(resources).map((name) => `${type}.${name}`))
    .sort();
}

function warningsOf(input: SetupConfigInput): string[] {
  const app = createApp(parseConfig(input), { outdir: Testing.app().outdir });
  return synthWarnings(app).map((w) => `[${w.path}] ${w.message}`);
}

describe("the shipped configuration, end to end", () => {
  const synth = synthAccount(shippedConfig());

  test("creates the group Administrators with AdministratorAccess from the account's partition", () => {
    expect(synth).toHaveResourceWithProperties(IamGroup, { name: "Administrators", path: "/" });
    expect(synth).toHaveResourceWithProperties(IamGroupPolicyAttachment, {
      policy_arn: "arn:${data.aws_partition.Partition.partition}:iam::aws:policy/AdministratorAccess",
    });
    expect(synth).toHaveDataSource(DataAwsPartition);
  });

  test("creates the admin user in the group, with console sign-in and one active access key", () => {
    expect(synth).toHaveResourceWithProperties(IamUser, { name: "incident-admin", path: "/" });
    expect(synth).toHaveResourceWithProperties(IamUserGroupMembership, {
      user: "${aws_iam_user.AdminUser-incident-admin_D23EE31F.name}",
      groups: ["${aws_iam_group.AdminGroup_CD52047A.name}"],
    });
    expect(synth).toHaveResourceWithProperties(IamUserLoginProfile, { password_reset_required: true });
    expect(synth).toHaveResourceWithProperties(IamAccessKey, {
      user: "${aws_iam_user.AdminUser-incident-admin_D23EE31F.name}",
      status: "Active",
    });
  });

  test("creates the Incident Manager service-linked role, protected from destroy", () => {
    expect(synth).toHaveResourceWithProperties(IamServiceLinkedRole, {
      aws_service_name: "ssm-incidents.amazonaws.com",
      lifecycle: { prevent_destroy: true, ignore_changes: ["description", "tags", "tags_all"] },
    });
  });

  test("reads the account id for the sign-in URL, per partition", () => {
    expect(synth).toHaveDataSource(DataAwsCallerIdentity);
    expect(JSON.parse(synth).output.signin_url.value).toBe(
      'https://${data.aws_caller_identity.CallerIdentity.account_id}.${lookup({"aws-cn" = "signin.amazonaws.cn", "aws-us-gov" = "signin.amazonaws-us-gov.com"}, data.aws_partition.Partition.partition, "signin.aws.amazon.com")}/console',
    );
  });

  test("configures the provider with the region and AWS's example account only (the sample cannot reach a real account)", () => {
    expect(JSON.parse(synth).provider.aws).toEqual([{ region: "us-east-1", allowed_account_ids: ["111122223333"] }]);
  });

  test("keeps state in the project folder through a path relative to the stack folder", () => {
    expect(JSON.parse(synth).terraform.backend).toEqual({
      local: { path: "../../../terraform.incident-manager.tfstate" },
    });
  });

  test("pins the resource addresses (renaming a construct must be a reviewed change with a moved block)", () => {
    expect(addresses(JSON.parse(synth))).toEqual([
      "aws_iam_access_key.AdminUser-incident-admin_AccessKey-1_34369652",
      "aws_iam_group.AdminGroup_CD52047A",
      "aws_iam_group_policy.AdminGroup_EnforceMfa_B77715BF",
      "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0",
      "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3",
      "aws_iam_user.AdminUser-incident-admin_D23EE31F",
      "aws_iam_user_group_membership.AdminUser-incident-admin_GroupMembership_39361C81",
      "aws_iam_user_login_profile.AdminUser-incident-admin_LoginProfile_387F4A5B",
    ]);
  });

  test("outputs the group, the sign-in URL, the role, a map of the users and a sensitive map of their secrets", () => {
    const outputs = JSON.parse(synth).output as Record<string, { sensitive?: boolean; value: unknown }>;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.sensitive === true]))).toEqual({
      admin_group_arn: false,
      admin_group_name: false,
      admin_user_secrets: true,
      admin_users: false,
      incident_manager_role_arn: false,
      signin_url: false,
    });
    expect(outputs.admin_users.value).toEqual({
      "incident-admin": {
        arn: "${aws_iam_user.AdminUser-incident-admin_D23EE31F.arn}",
        console: true,
        access_keys: { "1": { id: "${aws_iam_access_key.AdminUser-incident-admin_AccessKey-1_34369652.id}", status: "Active" } },
      },
    });
    expect(outputs.admin_user_secrets.value).toEqual({
      "incident-admin": {
        password: "${aws_iam_user_login_profile.AdminUser-incident-admin_LoginProfile_387F4A5B.password}",
        access_keys: { "1": "${aws_iam_access_key.AdminUser-incident-admin_AccessKey-1_34369652.secret}" },
      },
    });
  });

  test("warns that the password and the secret will be in the state, and how to avoid it", () => {
    expect(warningsOf(shippedConfig()).filter((w) => w.includes("plain text"))).toEqual([
      expect.stringMatching(
        /^\[incident-manager\/AdminUser-incident-admin\] adminUsers\[0\] \(incident-admin\): the initial console password will be stored in plain text in the Terraform state .* Set console\.pgpKey/,
      ),
      expect.stringMatching(
        /^\[incident-manager\/AdminUser-incident-admin\/AccessKey-1\] adminUsers\[0\]\.accessKeys\[0\] \(incident-admin, key 1\): the secret access key will be stored in plain text in the Terraform state .* Set pgpKey on the key/,
      ),
    ]);
  });
});

describe("the provider of each account", () => {
  const synth = synthAccount(fullConfig());

  test("takes the region, allowed account, assumed role and default tags from the account", () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      region: "eu-west-1",
      allowed_account_ids: ["111122223333"],
      assume_role: [{ role_arn: "${var.assume_role_arn}", session_name: "incident-manager-setup" }],
      default_tags: [{ tags: { team: "ops", "cost-center": "1234" } }],
    });
  });

  test('assumes the apply role through a variable whose default is assumeRoleArn: a CI job sets it to "" to use its own role', () => {
    expect(JSON.parse(synth).variable.assume_role_arn).toEqual({
      type: "string",
      default: "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
      description: 'Role the AWS provider assumes; "" uses the credentials Terraform runs with (CI jobs that assumed a role)',
    });
  });
});

describe("a configuration using every field", () => {
  const json = synthJson(fullConfig());
  const synth = JSON.stringify(json);

  test("uses the configured group name and path, and user paths", () => {
    expect(synth).toHaveResourceWithProperties(IamGroup, { name: "IncidentAdmins", path: "/ops/" });
    expect(synth).toHaveResourceWithProperties(IamUser, { name: "alice", path: "/ops/" });
    expect(synth).toHaveResourceWithProperties(IamUser, { name: "bob.smith@example.com", path: "/" });
  });

  test("encrypts passwords and secrets with the PGP keys given", () => {
    expect(synth).toHaveResourceWithProperties(IamUserLoginProfile, { pgp_key: "keybase:alice" });
    expect(synth).toHaveResourceWithProperties(IamAccessKey, { pgp_key: PGP_KEY, status: "Inactive" });
    expect(synth).toHaveResourceWithProperties(IamAccessKey, { pgp_key: PGP_KEY, status: "Active" });
  });

  test("creates no login profile and no key for a user without console and keys", () => {
    const profiles = Object.values(json.resource.aws_iam_user_login_profile) as { user: string }[];
    expect(profiles.map((p) => p.user)).toEqual([
      "${aws_iam_user.AdminUser-alice_2BAECF2A.name}",
      "${aws_iam_user.AdminUser-carol_B3E8CD52.name}",
    ]);
    expect(json.output.admin_users.value["bob.smith@example.com"]).toEqual({
      arn: "${aws_iam_user.AdminUser-bobsmithexamplecom_800BAC3B.arn}",
      console: false,
      access_keys: {},
    });
  });

  test("the users map: only the encrypted value and the key fingerprint for PGP-protected secrets", () => {
    expect(json.output.admin_users.value.alice).toEqual({
      arn: "${aws_iam_user.AdminUser-alice_2BAECF2A.arn}",
      console: true,
      encrypted_password: "${aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C.encrypted_password}",
      password_key_fingerprint: "${aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C.key_fingerprint}",
      access_keys: {
        "1": {
          id: "${aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579.id}",
          status: "Inactive",
          encrypted_secret: "${aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579.encrypted_secret}",
          key_fingerprint: "${aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579.key_fingerprint}",
        },
        "2": {
          id: "${aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82.id}",
          status: "Active",
          encrypted_secret: "${aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82.encrypted_secret}",
          key_fingerprint: "${aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82.key_fingerprint}",
        },
      },
    });
    expect(Object.keys(json.output.admin_users.value)).toEqual(["alice", "bob.smith@example.com", "carol"]);
  });

  test("the secrets map is sensitive and holds only the plain-text secrets (carol's)", () => {
    expect(json.output.admin_user_secrets.sensitive).toBe(true);
    expect(json.output.admin_user_secrets.value).toEqual({
      carol: {
        password: "${aws_iam_user_login_profile.AdminUser-carol_LoginProfile_B9A472FD.password}",
        access_keys: { "1": "${aws_iam_access_key.AdminUser-carol_AccessKey-1_E9D4251E.secret}" },
      },
    });
  });

  test("warns only about the secrets that are not PGP-protected", () => {
    expect(warningsOf(fullConfig()).filter((w) => w.includes("plain text"))).toEqual([
      expect.stringContaining("[ops-prod/AdminUser-carol] adminUsers[2] (carol): the initial console password"),
      expect.stringContaining("[ops-prod/AdminUser-carol/AccessKey-1] adminUsers[2].accessKeys[0] (carol, key 1): the secret access key"),
    ]);
  });

  test("pins the resource addresses of users and their keys", () => {
    expect(addresses(json)).toEqual([
      "aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579",
      "aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82",
      "aws_iam_access_key.AdminUser-carol_AccessKey-1_E9D4251E",
      "aws_iam_group.AdminGroup_CD52047A",
      "aws_iam_group_policy.AdminGroup_EnforceMfa_B77715BF",
      "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0",
      "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3",
      "aws_iam_user.AdminUser-alice_2BAECF2A",
      "aws_iam_user.AdminUser-bobsmithexamplecom_800BAC3B",
      "aws_iam_user.AdminUser-carol_B3E8CD52",
      "aws_iam_user_group_membership.AdminUser-alice_GroupMembership_01F6312D",
      "aws_iam_user_group_membership.AdminUser-bobsmithexamplecom_GroupMembership_26B6B371",
      "aws_iam_user_group_membership.AdminUser-carol_GroupMembership_B8F76A16",
      "aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C",
      "aws_iam_user_login_profile.AdminUser-carol_LoginProfile_B9A472FD",
    ]);
  });
});

describe("one stack per account", () => {
  test("creates a stack named after each account, in order", () => {
    const account = minimalConfig().accounts[0];
    const config = parseConfig({ accounts: [account, { ...account, name: "staging", region: "eu-west-1" }] });
    const app = createApp(config, { outdir: Testing.app().outdir });
    const stacks = app.node.children.filter((c): c is IncidentManagerSetupStack => c instanceof IncidentManagerSetupStack);
    expect(stacks.map((s) => s.node.id)).toEqual(["prod", "staging"]);
    expect(JSON.parse(Testing.synth(stacks[1])).terraform.backend.local.path).toBe("../../../terraform.staging.tfstate");
  });
});

describe("real accounts: the accounts configuration", () => {
  const [known, any, reference] = [0, 1, 2].map((i) => synthJson(accountsConfig(), i));
  const ROLE = "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3";

  test("adopt with accountId imports the role by its literal ARN, in the region's partition", () => {
    expect(known.import).toEqual([
      { id: "arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager", to: ROLE },
    ]);
  });

  test("adopt imports the role by a literal ARN in the region's partition and the pinned account (GovCloud)", () => {
    expect(any.import).toEqual([
      {
        id: "arn:aws-us-gov:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager",
        to: ROLE,
      },
    ]);
    expect(any.provider.aws[0].allowed_account_ids).toEqual(["111122223333"]);
  });

  test("reference creates and imports no role, and outputs the ARN it reads", () => {
    expect(reference.resource.aws_iam_service_linked_role).toBeUndefined();
    expect(reference.import).toBeUndefined();
    expect(reference.output.incident_manager_role_arn.value).toBe("${data.aws_iam_role.IncidentManagerServiceLinkedRole_84057CB3.arn}");
  });

  test("the sign-in URL uses the account alias when one is set", () => {
    expect(JSON.stringify(known)).toHaveResourceWithProperties(IamAccountAlias, { account_alias: "example-ops" });
    expect(known.output.signin_url.value).toMatch(
      /^https:\/\/\$\{aws_iam_account_alias\.AccountAlias_[0-9A-F]{8}\.account_alias\}\.\$\{lookup\(/,
    );
    expect(any.output.signin_url.value).toMatch(/^https:\/\/\$\{data\.aws_caller_identity\.CallerIdentity\.account_id\}\./);
  });

  test("the password policy is created only when configured", () => {
    expect(JSON.stringify(known)).toHaveResourceWithProperties(IamAccountPasswordPolicy, { minimum_password_length: 14 });
    expect(JSON.stringify(any)).toHaveResourceWithProperties(IamAccountPasswordPolicy, {
      minimum_password_length: 32,
      max_password_age: 30,
      hard_expiry: true,
    });
    expect(reference.resource.aws_iam_account_password_policy).toBeUndefined();
  });

  test("the setup policy is created and its ARN output when asked for", () => {
    expect(known.output.incident_manager_setup_policy_arn.value).toMatch(
      /^\$\{aws_iam_policy\.IncidentManagerSetupPolicy_[0-9A-F]{8}\.arn\}$/,
    );
    expect(any.output.incident_manager_setup_policy_arn).toBeUndefined();
  });

  test("keys in Secrets Manager output the secret's ARN, never the secret", () => {
    expect(any.output.admin_users.value.bob.access_keys["1"]).toEqual({
      id: "${aws_iam_access_key.AdminUser-bob_AccessKey-1_3D83658A.id}",
      status: "Active",
      secret_arn: "${aws_secretsmanager_secret.AdminUser-bob_AccessKey-1_Secret_01B32895.arn}",
    });
    expect(any.output.admin_user_secrets.value).toEqual({});
  });

  test("every stack warns at plan time when Terraform runs as the root user", () => {
    for (const stack of [known, any, reference]) {
      expect(stack.check.deploying_identity_is_not_root.assert).toEqual([
        {
          condition: '${!endswith(data.aws_caller_identity.CallerIdentity.arn, ":root")}',
          error_message: expect.stringContaining("Terraform runs as the account's root user"),
        },
      ]);
    }
  });

  test("warns that keys need MFA session tokens when MFA is enforced, and that nobody needs MFA when it is off", () => {
    const warnings = warningsOf(accountsConfig());
    expect(warnings.filter((w) => w.includes("get-session-token"))).toEqual([
      expect.stringMatching(
        /^\[adopt-tagged\/AdminUser-alice\/AccessKey-1\] adminUsers\[0\]\.accessKeys\[0\] \(alice, key 1\): this key works only through temporary credentials/,
      ),
      expect.stringMatching(
        /^\[adopt-tagged\/AdminUser-alice\/AccessKey-2\] adminUsers\[0\]\.accessKeys\[1\] \(alice, key 2\): this key works only through temporary credentials/,
      ),
      expect.stringMatching(
        /^\[reference-role\/AdminUser-carol\/AccessKey-1\] adminUsers\[0\]\.accessKeys\[0\] \(carol, key 1\): this key works only through temporary credentials/,
      ),
    ]);
    expect(warnings.filter((w) => w.startsWith("[adopt-govcloud") && w.includes("enforceMfa"))).toEqual([
      "[adopt-govcloud/AdminGroup] adminGroup: enforceMfa: false: no member of Administrators needs MFA. Every administrator's password or access key alone is full access to the account (CIS 1.10). Keep it on and exempt only programmatic users (requireMfa: false). [mfa-not-enforced]",
    ]);
  });

  test("warns naming each user that opted out of MFA, and not of session tokens for that user", () => {
    const warnings = warningsOf({
      accounts: [
        {
          name: "machines",
          region: "us-east-1",
          adminUsers: [{ name: "alice" }, { name: "deploy-bot", console: false, requireMfa: false }],
        },
      ],
    });
    expect(warnings).toContainEqual(
      "[machines/AdminUser-deploy-bot] adminUsers[1] (deploy-bot): requireMfa: false: the group's MFA policy does not apply to this user, so its access keys alone are full administrator access. Keep them encrypted (pgpKey), rotate them, and prefer a role for machines. [mfa-exempt-user]",
    );
    expect(warnings).toContainEqual(
      expect.stringContaining("adminUsers[0].accessKeys[0] (alice, key 1): this key works only through temporary credentials"),
    );
    expect(warnings.filter((w) => w.includes("temporary credentials") && w.includes("deploy-bot"))).toEqual([]);
  });

  test("warns that a key in Secrets Manager is still in the state", () => {
    expect(warningsOf(accountsConfig())).toContainEqual(
      expect.stringContaining(
        "the key pair goes to Secrets Manager, and the secret access key is still stored in plain text in the Terraform state",
      ),
    );
  });
});
