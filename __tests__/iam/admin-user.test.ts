import { Testing } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { IamUserLoginProfile } from "@cdktf/provider-aws/lib/iam-user-login-profile";
import { Construct } from "constructs";
import { AccountPasswordPolicy, AdminGroup, AdminUser, AdminUserProps, CIS_PASSWORD_POLICY, IAdminGroup } from "../../modules";

function synthUser(props: Partial<AdminUserProps> = {}): string {
  return Testing.synthScope((scope: Construct) => {
    const group = new AdminGroup(scope, "AdminGroup", { partition: new DataAwsPartition(scope, "Partition") });
    new AdminUser(scope, "AdminUser-alice", { userName: "alice", group, ...props });
  });
}

describe("AdminUser", () => {
  test("creates the IAM user at path / by default", () => {
    expect(synthUser()).toHaveResourceWithProperties(IamUser, { name: "alice", path: "/" });
  });

  test("adds the user to the admin group with the non-exclusive user group membership", () => {
    const synth = synthUser();
    expect(synth).toHaveResourceWithProperties(IamUserGroupMembership, {
      user: "${aws_iam_user.AdminUser-alice_2BAECF2A.name}",
      groups: ["${aws_iam_group.AdminGroup_CD52047A.name}"],
    });
    expect(Object.keys(JSON.parse(synth).resource)).not.toContain("aws_iam_group_membership");
  });

  test("gives console access with a password reset at first sign-in by default", () => {
    expect(synthUser()).toHaveResourceWithProperties(IamUserLoginProfile, {
      user: "${aws_iam_user.AdminUser-alice_2BAECF2A.name}",
      password_reset_required: true,
    });
  });

  test("generates the provider's 20 characters when no password policy is managed", () => {
    expect(synthUser()).toHaveResourceWithProperties(IamUserLoginProfile, { password_length: 20 });
  });

  test.each([
    [14, 20],
    [40, 40],
    [128, 128],
  ])("with a managed policy of minimum length %i, generates %i characters and is created after the policy", (minimumLength, length) => {
    const synth = Testing.synthScope((scope: Construct) => {
      const group = new AdminGroup(scope, "AdminGroup", { partition: new DataAwsPartition(scope, "Partition") });
      const passwordPolicy = new AccountPasswordPolicy(scope, "PasswordPolicy", { settings: { ...CIS_PASSWORD_POLICY, minimumLength } });
      new AdminUser(scope, "AdminUser-alice", { userName: "alice", group, passwordPolicy });
    });
    expect(synth).toHaveResourceWithProperties(IamUserLoginProfile, {
      password_length: length,
      depends_on: ["aws_iam_account_password_policy.PasswordPolicy_4B0A08FE"],
    });
  });

  test("keeps the login profile when AWS clears the reset flag after the first sign-in", () => {
    expect(synthUser()).toHaveResourceWithProperties(IamUserLoginProfile, {
      lifecycle: { ignore_changes: ["password_reset_required", "password_length", "pgp_key"] },
    });
  });

  test("encrypts the initial password with the PGP key when one is given", () => {
    expect(synthUser({ console: { pgpKey: "keybase:alice", passwordResetRequired: false } })).toHaveResourceWithProperties(
      IamUserLoginProfile,
      { pgp_key: "keybase:alice", password_reset_required: false },
    );
  });

  test("creates no login profile when console access is off", () => {
    expect(synthUser({ console: false })).not.toHaveResource(IamUserLoginProfile);
  });

  test("fails if the user name breaks IAM's rule", () => {
    expect(() => synthUser({ userName: "bad name!" })).toThrow(
      'userName: "bad name!" is not a valid IAM user name (1-64 of letters, digits and +=,.@_-)',
    );
    expect(() => synthUser({ userName: "a".repeat(65) })).toThrow("is not a valid IAM user name");
  });

  test("fails if the path is not / or /.../", () => {
    expect(() => synthUser({ path: "/ops" })).toThrow('path: "/ops" is not a valid IAM path');
  });

  test("takes any IAdminGroup: a group made elsewhere gets the membership by its name, and its MFA rule applies", () => {
    const synthed = Testing.synthScope((scope: Construct) => {
      const group: IAdminGroup = Object.assign(new Construct(scope, "ExistingGroup"), {
        groupName: "PlatformAdmins",
        groupArn: "arn:aws:iam::111122223333:group/PlatformAdmins",
        enforceMfa: true,
        mfaNotRequiredFor: [],
      });
      const user = new AdminUser(scope, "AdminUser-alice", { userName: "alice", group });
      expect([user.mfaRequired, user.consoleAccess]).toEqual([true, true]);
    });
    expect(synthed).toHaveResourceWithProperties(IamUserGroupMembership, { groups: ["PlatformAdmins"] });
  });
});
