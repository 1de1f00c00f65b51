import { Testing } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { Construct } from "constructs";
import { AdminGroup, AdminGroupProps, AdminUser } from "../../modules";

function synthGroup(props: Partial<AdminGroupProps> = {}): string {
  return Testing.synthScope((scope: Construct) => {
    const partition = new DataAwsPartition(scope, "Partition");
    new AdminGroup(scope, "AdminGroup", { partition, ...props });
  });
}

describe("AdminGroup", () => {
  test("creates the group Administrators at path / by default", () => {
    expect(synthGroup()).toHaveResourceWithProperties(IamGroup, { name: "Administrators", path: "/" });
  });

  test("uses the configured name and path", () => {
    expect(synthGroup({ groupName: "IncidentAdmins", path: "/ops/" })).toHaveResourceWithProperties(IamGroup, {
      name: "IncidentAdmins",
      path: "/ops/",
    });
  });

  test("attaches AdministratorAccess with an ARN built from the partition (GovCloud and China work)", () => {
    expect(synthGroup()).toHaveResourceWithProperties(IamGroupPolicyAttachment, {
      policy_arn: "arn:${data.aws_partition.Partition.partition}:iam::aws:policy/AdministratorAccess",
      group: "${aws_iam_group.AdminGroup_CD52047A.name}",
    });
  });

  test("fails if the group name breaks IAM's rule", () => {
    expect(() => synthGroup({ groupName: "Admins!" })).toThrow(
      'groupName: "Admins!" is not a valid IAM group name (1-128 of letters, digits and +=,.@_-)',
    );
    expect(() => synthGroup({ groupName: "a".repeat(129) })).toThrow("is not a valid IAM group name");
  });

  test("fails if the path is not / or /.../", () => {
    expect(() => synthGroup({ path: "ops" })).toThrow('path: "ops" is not a valid IAM path');
  });
});

describe("AdminGroup MFA enforcement", () => {
  const synth = (enforceMfa?: boolean) => JSON.parse(synthGroup({ enforceMfa }));

  test("adds an inline group policy built from the policy document data source, by default", () => {
    const json = synth();
    expect(Object.values(json.resource.aws_iam_group_policy)).toEqual([
      {
        name: "ManageOwnCredentialsRequireMFA",
        group: "${aws_iam_group.AdminGroup_CD52047A.name}",
        policy: "${data.aws_iam_policy_document.AdminGroup_MfaPolicyDocument_C83F6FD2.json}",
      },
    ]);
  });

  test("denies everything but setting up one's own password and MFA device unless aws:MultiFactorAuthPresent (BoolIfExists)", () => {
    const statements = (Object.values(synth().data.aws_iam_policy_document)[0] as any).statement;
    const deny = statements.find((s: any) => s.effect === "Deny");
    expect(deny).toEqual({
      sid: "DenyAllExceptListedIfNoMFA",
      effect: "Deny",
      not_actions: expect.arrayContaining([
        "iam:ChangePassword",
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "sts:GetSessionToken",
      ]),
      resources: ["*"],
      condition: [{ test: "BoolIfExists", variable: "aws:MultiFactorAuthPresent", values: ["false"] }],
    });
  });

  test("lets users manage only their own password, access keys and MFA device", () => {
    const statements = (Object.values(synth().data.aws_iam_policy_document)[0] as any).statement;
    const allow = (sid: string) => statements.find((s: any) => s.sid === sid);
    const self = [
      "arn:${data.aws_partition.Partition.partition}:iam::*:user/&{aws:username}",
      "arn:${data.aws_partition.Partition.partition}:iam::*:user/*/&{aws:username}",
    ];
    expect(allow("AllowManageOwnPasswords")).toMatchObject({ actions: ["iam:ChangePassword", "iam:GetUser"], resources: self });
    expect(allow("AllowManageOwnAccessKeys")).toMatchObject({
      actions: expect.arrayContaining(["iam:CreateAccessKey", "iam:DeleteAccessKey"]),
      resources: self,
    });
    expect(allow("AllowManageOwnUserMFA")).toMatchObject({ actions: expect.arrayContaining(["iam:EnableMFADevice"]), resources: self });
  });

  test("exempts the listed members from every MFA deny by a condition on aws:username (no policy on a user)", () => {
    const json = JSON.parse(synthGroup({ mfaNotRequiredFor: ["deploy-bot", "backup-bot"] }));
    const statements = (Object.values(json.data.aws_iam_policy_document)[0] as any).statement;
    const denies = statements.filter((s: any) => s.effect === "Deny");

    expect(denies.map((s: any) => s.sid)).toEqual([
      "DenyAllExceptListedIfNoMFA",
      "DenyOtherUsersWithoutMFA",
      "DenyLongTermKeysExceptGetSessionToken",
    ]);
    for (const deny of denies) {
      expect(deny.condition).toContainEqual({ test: "StringNotEquals", variable: "aws:username", values: ["backup-bot", "deploy-bot"] });
    }
    expect(json.resource.aws_iam_user_policy).toBeUndefined();
    expect(json.resource.aws_iam_user_policy_attachment).toBeUndefined();
  });

  test("a member may opt out of MFA only without console access, and only when the group exempts it", () => {
    expect(() =>
      Testing.synthScope((scope: Construct) => {
        const group = new AdminGroup(scope, "AdminGroup", {
          partition: new DataAwsPartition(scope, "Partition"),
          mfaNotRequiredFor: ["bot"],
        });
        new AdminUser(scope, "AdminUser-bot", { userName: "bot", group, requireMfa: false });
      }),
    ).toThrow('requireMfa: false is only allowed for a user without console access (console: false); "bot" signs in to the console');
    expect(() =>
      Testing.synthScope((scope: Construct) => {
        const group = new AdminGroup(scope, "AdminGroup", { partition: new DataAwsPartition(scope, "Partition") });
        new AdminUser(scope, "AdminUser-bot", { userName: "bot", group, console: false, requireMfa: false });
      }),
    ).toThrow('requireMfa: false for "bot" needs the group to exempt the user (AdminGroupProps.mfaNotRequiredFor)');
  });

  test("adds no MFA policy when enforcement is off", () => {
    const json = synth(false);
    expect(json.resource.aws_iam_group_policy).toBeUndefined();
    expect(json.data.aws_iam_policy_document).toBeUndefined();
  });
});
