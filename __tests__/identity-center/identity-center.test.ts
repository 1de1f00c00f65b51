// The Identity Center constructs and stack, with the CDKTF matchers; and an account stack
// without IAM users (adminUsers: []), administered through Identity Center only.
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { DataAwsIdentitystoreGroup } from "@cdktf/provider-aws/lib/data-aws-identitystore-group";
import { DataAwsSsoadminInstances } from "@cdktf/provider-aws/lib/data-aws-ssoadmin-instances";
import { IdentitystoreGroup } from "@cdktf/provider-aws/lib/identitystore-group";
import { IdentitystoreGroupMembership } from "@cdktf/provider-aws/lib/identitystore-group-membership";
import { IdentitystoreUser } from "@cdktf/provider-aws/lib/identitystore-user";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { SsoadminAccountAssignment } from "@cdktf/provider-aws/lib/ssoadmin-account-assignment";
import { SsoadminManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment";
import { SsoadminPermissionSet } from "@cdktf/provider-aws/lib/ssoadmin-permission-set";
import {
  AccountAssignment,
  AdministratorPermissionSet,
  IdentityCenterGroup,
  IdentityCenterInstance,
  IdentityCenterStack,
  IdentityCenterUser,
  IncidentManagerSetupStack,
  createApp,
  parseConfig,
} from "../../modules";
import { identityCenterConfig, identityCenterExistingGroupConfig } from "../support/configs";
import { NO_INSTANCE_MESSAGE } from "../../modules/identity-center/instance";
import { ROOT_CHECK_NAME } from "../../modules/app/stacks/setup-stack";
import { IDENTITY_CENTER_OUTPUTS } from "../../modules/app/stacks/identity-center-stack";
import { assignedAccounts } from "../../modules/app/config/schema";

const STORE = "d-1111111111";
const INSTANCE = "arn:aws:sso:::instance/ssoins-1111111111111111";

function synth(build: (scope: Construct) => void): string {
  return Testing.synthScope(build);
}

describe("IdentityCenterInstance", () => {
  test("reads the instances; the plan fails with a clear message unless there is exactly one", () => {
    const json = synth((scope) => new IdentityCenterInstance(scope, "Instance"));
    expect(json).toHaveDataSourceWithProperties(DataAwsSsoadminInstances, {
      lifecycle: { postcondition: [{ condition: "${length(self.arns) == 1}", error_message: NO_INSTANCE_MESSAGE }] },
    });
    expect(NO_INSTANCE_MESSAGE).toContain("enable IAM Identity Center in the management account's console first");
  });

  test("the ARN and identity store id are the only element (one())", () => {
    let instance: IdentityCenterInstance | undefined;
    const json = JSON.parse(
      synth((scope) => {
        instance = new IdentityCenterInstance(scope, "Instance");
        new IdentitystoreGroup(scope, "Probe", {
          identityStoreId: instance.identityStoreId,
          displayName: "x",
          description: instance.instanceArn,
        });
      }),
    );
    expect(json.resource.aws_identitystore_group.Probe).toMatchObject({
      identity_store_id: "${one(data.aws_ssoadmin_instances.Instance_C1063A87.identity_store_ids)}",
      description: "${one(data.aws_ssoadmin_instances.Instance_C1063A87.arns)}",
    });
  });
});

describe("IdentityCenterGroup and IdentityCenterUser", () => {
  test("a created group; each user joins it by id", () => {
    const json = synth((scope) => {
      const group = new IdentityCenterGroup(scope, "Group", { identityStoreId: STORE, displayName: "IncidentManagerAdministrators" });
      new IdentityCenterUser(scope, "User-alice", {
        identityStoreId: STORE,
        group,
        userName: "alice",
        givenName: "Alice",
        familyName: "Doe",
        email: "alice@example.com",
      });
    });
    expect(json).toHaveResourceWithProperties(IdentitystoreGroup, {
      identity_store_id: STORE,
      display_name: "IncidentManagerAdministrators",
    });
    expect(json).toHaveResourceWithProperties(IdentitystoreUser, {
      identity_store_id: STORE,
      user_name: "alice",
      display_name: "Alice Doe",
      name: { given_name: "Alice", family_name: "Doe" },
      emails: { value: "alice@example.com", primary: true, type: "work" },
    });
    expect(json).toHaveResourceWithProperties(IdentitystoreGroupMembership, {
      identity_store_id: STORE,
      group_id: "${aws_identitystore_group.Group_C77FDACD.group_id}",
      member_id: "${aws_identitystore_user.User-alice_D47F72CE.user_id}",
    });
  });

  test("an existing group is looked up by display name, not created", () => {
    const json = synth(
      (scope) => new IdentityCenterGroup(scope, "Group", { identityStoreId: STORE, displayName: "aws-admins", existing: true }),
    );
    expect(json).toHaveDataSourceWithProperties(DataAwsIdentitystoreGroup, {
      identity_store_id: STORE,
      alternate_identifier: { unique_attribute: { attribute_path: "DisplayName", attribute_value: "aws-admins" } },
    });
    expect(json).not.toHaveResource(IdentitystoreGroup);
  });

  test("errors name the construct's props", () => {
    expect(() => synth((scope) => new IdentityCenterGroup(scope, "G", { identityStoreId: STORE, displayName: "Administrator" }))).toThrow(
      'displayName: "Administrator" is reserved by IAM Identity Center (Administrator, AWSAdministrators)',
    );
    expect(() =>
      synth((scope) => {
        const group = new IdentityCenterGroup(scope, "G", { identityStoreId: STORE, displayName: "Admins" });
        new IdentityCenterUser(scope, "U", {
          identityStoreId: STORE,
          group,
          userName: "a b",
          givenName: "A",
          familyName: "B",
          email: "a@b.c",
        });
      }),
    ).toThrow('userName: "a b" is not a valid Identity Center user name');
  });
});

describe("AdministratorPermissionSet and AccountAssignment", () => {
  const build = (props: { sessionDuration?: string; name?: string; accountId?: string } = {}) =>
    synth((scope) => {
      const group = new IdentityCenterGroup(scope, "Group", { identityStoreId: STORE, displayName: "Admins" });
      const permissionSet = new AdministratorPermissionSet(scope, "PermissionSet", { instanceArn: INSTANCE, partition: "aws", ...props });
      new AccountAssignment(scope, "Assignment-prod", {
        instanceArn: INSTANCE,
        permissionSet,
        group,
        accountId: props.accountId ?? "444455556666",
      });
    });

  test("AdministratorAccess, sessions of one hour by default; the group gets it in the account", () => {
    const json = build();
    expect(json).toHaveResourceWithProperties(SsoadminPermissionSet, {
      instance_arn: INSTANCE,
      name: "AdministratorAccess",
      session_duration: "PT1H",
    });
    expect(json).toHaveResourceWithProperties(SsoadminManagedPolicyAttachment, {
      instance_arn: INSTANCE,
      permission_set_arn: "${aws_ssoadmin_permission_set.PermissionSet_236DCE1D.arn}",
      managed_policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
    });
    expect(json).toHaveResourceWithProperties(SsoadminAccountAssignment, {
      instance_arn: INSTANCE,
      permission_set_arn: "${aws_ssoadmin_permission_set.PermissionSet_236DCE1D.arn}",
      principal_type: "GROUP",
      principal_id: "${aws_identitystore_group.Group_C77FDACD.group_id}",
      target_type: "AWS_ACCOUNT",
      target_id: "444455556666",
    });
  });

  test("errors name the construct's props", () => {
    expect(() => build({ sessionDuration: "PT24H" })).toThrow('sessionDuration: "PT24H" is not a session duration of 1 to 12 hours');
    expect(() => build({ name: "Admin Access" })).toThrow('name: "Admin Access" is not a valid permission set name');
    expect(() => build({ accountId: "1234" })).toThrow('accountId: "1234" is not an AWS account id (12 digits)');
  });
});

describe("IdentityCenterStack (the example configuration)", () => {
  const config = parseConfig(identityCenterConfig());
  const app = createApp(config, { skipValidation: true });
  const stack = app.node.findChild("identity-center") as IdentityCenterStack;
  const json = JSON.parse(Testing.synth(stack));

  test("runs in the management account, with the same provider settings as the account stacks", () => {
    expect(json.provider.aws).toEqual([{ allowed_account_ids: ["111111111111"], region: "us-east-1" }]);
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.identity-center.tfstate" } });
  });

  test("one user and membership per configured user; one assignment per assigned account", () => {
    expect(Object.values<any>(json.resource.aws_identitystore_user).map((u) => u.user_name)).toEqual(["alice", "bob"]);
    expect(Object.keys(json.resource.aws_identitystore_group_membership)).toHaveLength(2);
    expect(Object.values<any>(json.resource.aws_ssoadmin_account_assignment).map((a) => a.target_id)).toEqual([
      "444455556666",
      "111122223333",
    ]);
    expect(json.resource.aws_ssoadmin_permission_set.PermissionSet_236DCE1D.session_duration).toBe("PT4H");
  });

  test("the addresses reviewers and state depend on do not move", () => {
    const addresses = ["resource", "data"].flatMap((kind) =>
      Object.entries<Record<string, unknown>>(json[kind] ?? {}).flatMap(([type, byName]) =>
        Object.keys(byName).map((name) => `${kind === "data" ? "data." : ""}${type}.${name}`),
      ),
    );
    expect(addresses.sort()).toEqual([
      "aws_identitystore_group.Group_C77FDACD",
      "aws_identitystore_group_membership.User-alice_Membership_9A0CA7AB",
      "aws_identitystore_group_membership.User-bob_Membership_E34A89E9",
      "aws_identitystore_user.User-alice_D47F72CE",
      "aws_identitystore_user.User-bob_2A3046F3",
      "aws_ssoadmin_account_assignment.Assignment-incident-manager-dev_2CC024F4",
      "aws_ssoadmin_account_assignment.Assignment-incident-manager-prod_4955B94D",
      "aws_ssoadmin_managed_policy_attachment.PermissionSet_AdministratorAccess_E22F54C3",
      "aws_ssoadmin_permission_set.PermissionSet_236DCE1D",
      "data.aws_ssoadmin_instances.Instance_C1063A87",
    ]);
  });

  test("outputs: the portal URL, permission set, group, users and assigned accounts", () => {
    const o = IDENTITY_CENTER_OUTPUTS;
    expect(Object.keys(json.output).sort()).toEqual(Object.values(o).sort());
    expect(json.output[o.accessPortalUrl].value).toBe(
      "https://${one(data.aws_ssoadmin_instances.Instance_C1063A87.identity_store_ids)}.awsapps.com/start",
    );
    expect(json.output[o.ssoRegion].value).toBe("us-east-1");
    expect(json.output[o.permissionSetName].value).toBe("AdministratorAccess");
    expect(json.output[o.permissionSetArn].value).toBe("${aws_ssoadmin_permission_set.PermissionSet_236DCE1D.arn}");
    expect(json.output[o.groupId].value).toBe("${aws_identitystore_group.Group_C77FDACD.group_id}");
    expect(json.output[o.users].value).toEqual({
      alice: "${aws_identitystore_user.User-alice_D47F72CE.user_id}",
      bob: "${aws_identitystore_user.User-bob_2A3046F3.user_id}",
    });
    expect(json.output[o.assignedAccounts].value).toEqual({
      "incident-manager-dev": "444455556666",
      "incident-manager-prod": "111122223333",
    });
    expect(Object.values<any>(json.output).some((x) => x.sensitive)).toBe(false);
  });

  test("the Checkov deviation (CKV_AWS_274) is recorded on the attachment, with the reason", () => {
    // Testing.synth leaves "//" out; toTerraform() is what is written.
    const [attachment] = Object.values<any>((stack.toTerraform() as any).resource.aws_ssoadmin_managed_policy_attachment);
    expect(attachment["//"].deviations).toEqual([{ checkov: "CKV_AWS_274", reason: expect.stringContaining("IAM Identity Center") }]);
  });

  test("a configured portal URL (custom subdomain) replaces the default", () => {
    const custom = parseConfig({
      ...identityCenterConfig(),
      identityCenter: { ...(identityCenterConfig() as any).identityCenter, accessPortalUrl: "https://example-org.awsapps.com/start" },
    });
    const s = new IdentityCenterStack(Testing.app(), "identity-center", { identityCenter: custom.identityCenter!, accounts: [] });
    expect(JSON.parse(Testing.synth(s)).output.access_portal_url.value).toBe("https://example-org.awsapps.com/start");
  });

  test("an existing group: looked up, no users created, assigned to every account by default", () => {
    const existing = parseConfig(identityCenterExistingGroupConfig());
    const s = new IdentityCenterStack(Testing.app(), "identity-center", {
      identityCenter: existing.identityCenter!,
      accounts: assignedAccounts(existing).map((a) => ({ name: a.name, accountId: a.accountId! })),
    });
    const synthesized = Testing.synth(s);
    expect(synthesized).toHaveDataSourceWithProperties(DataAwsIdentitystoreGroup, {
      alternate_identifier: { unique_attribute: { attribute_path: "DisplayName", attribute_value: "aws-incident-admins" } },
    });
    expect(synthesized).not.toHaveResource(IdentitystoreUser);
    expect(JSON.parse(synthesized).output.group_id.value).toBe("${data.aws_identitystore_group.Group_C77FDACD.group_id}");
    expect(Object.keys(JSON.parse(synthesized).resource.aws_ssoadmin_account_assignment)).toHaveLength(2);
  });
});

describe("an account administered through Identity Center only (adminUsers: [])", () => {
  const config = parseConfig(identityCenterConfig());
  const account = config.accounts[1];
  const json = Testing.synth(new IncidentManagerSetupStack(Testing.app(), account.name, { account }));

  test("no IAM group, user or their outputs; the role is still created", () => {
    expect(account.adminUsers).toEqual([]);
    expect(json).not.toHaveResource(IamGroup);
    expect(json).not.toHaveResource(IamUser);
    expect(json).toHaveResourceWithProperties(IamServiceLinkedRole, { aws_service_name: "ssm-incidents.amazonaws.com" });
    expect(Object.keys(JSON.parse(json).output)).toEqual(["incident_manager_role_arn"]);
  });

  test("the root check points to the access portal, not to IAM users", () => {
    const message = JSON.parse(json).check[ROOT_CHECK_NAME].assert[0].error_message;
    expect(message).toContain("sign in through the AWS access portal (IAM Identity Center");
    expect(message).not.toContain("signin_url");
  });

  test("the shipped configuration is unchanged: its account keeps its IAM users", () => {
    const shipped = createApp(
      parseConfig(JSON.parse(require("fs").readFileSync(require("path").join(__dirname, "..", "..", "setup.config.json"), "utf8"))),
      {
        skipValidation: true,
      },
    );
    expect(shipped.node.children.map((c) => c.node.id)).toEqual(["incident-manager"]);
  });
});
