// Many accounts: one stack, state, provider and set of outputs per account, and addresses pinned.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig, stackNames, synthesize } from "../../modules";
import { identityCenterConfig, organizationConfig } from "../support/configs";
import { ACKNOWLEDGEABLE } from "../../modules/core/warnings";

function synthAll(input: SetupConfigInput): Record<string, Record<string, any>> {
  const config = parseConfig(input);
  const outdir = mkdtempSync(join(tmpdir(), "many-"));
  createApp(config, { outdir }).synth();
  return Object.fromEntries(
    config.accounts.map((a) => [a.name, JSON.parse(readFileSync(join(outdir, "stacks", a.name, "cdk.tf.json"), "utf8"))]),
  );
}

function addresses(stack: Record<string, any>): string[] {
  return Object.entries(stack.resource as Record<string, object>)
    .flatMap(([type, resources]) => Object.keys(resources).map((name) => `${type}.${name}`))
    .sort();
}

describe("an Organization of three accounts with state in S3", () => {
  const stacks = synthAll(organizationConfig());

  test("synthesizes one stack per account", () => {
    expect(Object.keys(stacks)).toEqual(["security", "workloads-prod", "workloads-dev"]);
  });

  test("gives every stack its own state key in the bucket, encrypted and locked", () => {
    expect(Object.values(stacks).map((s) => s.terraform.backend)).toEqual(
      ["security", "workloads-prod", "workloads-dev"].map((name) => ({
        s3: {
          bucket: "example-org-terraform-state",
          key: `incident-manager/${name}.tfstate`,
          region: "us-east-1",
          encrypt: true,
          use_lockfile: true,
          dynamodb_table: "terraform-locks",
        },
      })),
    );
  });

  test("gives every stack a provider that assumes the account's own role and refuses any other account", () => {
    expect(Object.values(stacks).map((s) => s.provider.aws[0])).toEqual([
      expect.objectContaining({
        region: "us-east-1",
        allowed_account_ids: ["111122223333"],
        assume_role: [{ role_arn: "${var.assume_role_arn}", session_name: "incident-manager-setup" }],
      }),
      expect.objectContaining({
        region: "eu-west-1",
        allowed_account_ids: ["444455556666"],
        assume_role: [{ role_arn: "${var.assume_role_arn}", session_name: "incident-manager-setup" }],
      }),
      expect.objectContaining({
        region: "eu-west-1",
        allowed_account_ids: ["777788889999"],
        assume_role: [{ role_arn: "${var.assume_role_arn}", session_name: "incident-manager-setup" }],
      }),
    ]);
    expect(Object.values(stacks).map((s) => s.variable.assume_role_arn.default)).toEqual([
      "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
      "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole",
      "arn:aws:iam::777788889999:role/OrganizationAccountAccessRole",
    ]);
    expect(stacks["workloads-dev"].provider.aws[0].default_tags).toEqual([
      { tags: { "managed-by": "incident-manager-setup", account: "workloads-dev" } },
    ]);
  });

  test("gives every stack its own outputs", () => {
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(stack.output).sort()).toEqual([
        "admin_group_arn",
        "admin_group_name",
        "admin_user_secrets",
        "admin_users",
        "incident_manager_role_arn",
        "signin_url",
      ]);
      expect(Object.keys(stack.output.admin_users.value).sort()).toEqual(["incident-admin", "oncall-lead"]);
    }
  });

  test("pins the resource addresses of every stack (the same in every account)", () => {
    const pinned = [
      "aws_iam_access_key.AdminUser-oncall-lead_AccessKey-1_545A7CAC",
      "aws_iam_group.AdminGroup_CD52047A",
      "aws_iam_group_policy.AdminGroup_EnforceMfa_B77715BF",
      "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0",
      "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3",
      "aws_iam_user.AdminUser-incident-admin_D23EE31F",
      "aws_iam_user.AdminUser-oncall-lead_8A34C690",
      "aws_iam_user_group_membership.AdminUser-incident-admin_GroupMembership_39361C81",
      "aws_iam_user_group_membership.AdminUser-oncall-lead_GroupMembership_5C5B3311",
      "aws_iam_user_login_profile.AdminUser-incident-admin_LoginProfile_387F4A5B",
    ];
    for (const stack of Object.values(stacks)) expect(addresses(stack)).toEqual(pinned);
  });
});

describe("scale", () => {
  test("20 accounts of 5 admin users each synthesize, every user and key in its own account", () => {
    const accounts = Array.from({ length: 20 }, (_, a) => ({
      name: `account-${a}`,
      region: "us-east-1",
      accountId: String(100000000000 + a),
      adminUsers: Array.from({ length: 5 }, (_, u) => ({ name: `admin-${u}` })),
    }));
    const stacks = synthAll({ accounts });
    expect(Object.keys(stacks)).toHaveLength(20);
    for (const stack of Object.values(stacks)) {
      expect(Object.keys(stack.resource.aws_iam_user)).toHaveLength(5);
      expect(Object.keys(stack.resource.aws_iam_access_key)).toHaveLength(5);
    }
    expect(stacks["account-19"].provider.aws[0].allowed_account_ids).toEqual(["100000000019"]);
  });
});

describe("synthesize: one stack at a time, through a staging folder", () => {
  const write = (input: SetupConfigInput) => {
    const dir = mkdtempSync(join(tmpdir(), "stream-"));
    const file = join(dir, "setup.config.json");
    writeFileSync(file, JSON.stringify(input));
    return { dir, file };
  };

  test("writes the same bytes as one App of every stack (the Identity Center stack included)", () => {
    for (const input of [organizationConfig(), identityCenterConfig()]) {
      const { dir, file } = write(input);
      const config = parseConfig(input);
      createApp(config, { outdir: join(dir, "one-app") }).synth();
      const result = synthesize({ configFile: file, outdir: join(dir, "streamed") });
      expect(result.stacks).toEqual(stackNames(config));
      for (const name of result.stacks) {
        const read = (out: string) => readFileSync(join(dir, out, "stacks", name, "cdk.tf.json"), "utf8");
        expect([name, read("streamed")]).toEqual([name, read("one-app")]);
      }
      const manifest = JSON.parse(readFileSync(join(dir, "streamed", "manifest.json"), "utf8"));
      expect(Object.keys(manifest.stacks)).toEqual(result.stacks);
    }
  });

  test("a failing stack leaves the previous output as it was (earlier stacks included), and no staging folder", () => {
    const { dir, file } = write(organizationConfig());
    const outdir = join(dir, "cdktf.out");
    synthesize({ configFile: file, outdir });
    const before = readFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "utf8");
    // The first stack changes; the last one fails (--strict: a warning no one acknowledged).
    const broken = organizationConfig() as any;
    broken.accounts[0].tags = { changed: "yes" };
    broken.accounts[2].adminGroup = { enforceMfa: false };
    broken.acknowledge = ACKNOWLEDGEABLE.filter((id) => id !== "mfa-not-enforced").map((id) => ({ id, reason: "decided for this test" }));
    writeFileSync(file, JSON.stringify(broken));
    expect(() => synthesize({ configFile: file, outdir, strict: true })).toThrow(
      /\[workloads-dev\/AdminGroup\] adminGroup: enforceMfa: false/,
    );
    expect(readFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "utf8")).toBe(before);
    expect(readdirSync(dir).filter((e) => e.includes(".staging-"))).toEqual([]);
  });

  test("keeps other files of a stack folder (terraform's .terraform/), and the folder of a stack no longer configured, with a warning", () => {
    const { dir, file } = write(organizationConfig());
    const outdir = join(dir, "cdktf.out");
    synthesize({ configFile: file, outdir });
    mkdirSync(join(outdir, "stacks", "security", ".terraform"));
    const fewer = organizationConfig() as any;
    fewer.accounts = fewer.accounts.slice(0, 2);
    writeFileSync(file, JSON.stringify(fewer));
    const { warnings } = synthesize({ configFile: file, outdir });
    expect(existsSync(join(outdir, "stacks", "security", ".terraform"))).toBe(true);
    // Its resources stay in AWS: the folder stays for a retire or a destroy, and synth says so.
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["security", "workloads-dev", "workloads-prod"]);
    expect(warnings.filter((w) => w.id === "stack-removed").map((w) => w.path)).toEqual(["workloads-dev"]);
    expect(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks).not.toHaveProperty("workloads-dev");
  });
});
