import { Testing } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { Construct } from "constructs";
import { AdminGroup, AdminGroupProps } from "../modules";

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
      'adminGroup.name: "Admins!" is not a valid IAM group name (1-128 of letters, digits and +=,.@_-)',
    );
    expect(() => synthGroup({ groupName: "a".repeat(129) })).toThrow("is not a valid IAM group name");
  });

  test("fails if the path is not / or /.../", () => {
    expect(() => synthGroup({ path: "ops" })).toThrow('adminGroup.path: "ops" is not a valid IAM path');
  });
});
