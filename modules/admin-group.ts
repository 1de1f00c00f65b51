import { Construct } from "constructs";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { validateIamName, validateIamPath } from "./iam-names";

/** Properties of an {@link AdminGroup}. */
export interface AdminGroupProps {
  /**
   * The partition the account is in; the ARN of the `AdministratorAccess` policy is built from it,
   * so the group works in the aws, aws-cn and aws-us-gov partitions alike.
   */
  readonly partition: DataAwsPartition;
  /**
   * Name of the IAM group.
   * @default "Administrators"
   */
  readonly groupName?: string;
  /**
   * IAM path of the group.
   * @default "/"
   */
  readonly path?: string;
}

/**
 * The guide's administrators group: an IAM group with the AWS managed
 * `AdministratorAccess` policy attached.
 */
export class AdminGroup extends Construct {
  /** The IAM group. */
  public readonly group: IamGroup;
  /** Name of the group. */
  public readonly groupName: string;
  /** ARN of the group. */
  public readonly groupArn: string;
  /** ARN of the managed policy attached to the group. */
  public readonly policyArn: string;

  constructor(scope: Construct, id: string, props: AdminGroupProps) {
    super(scope, id);
    const groupName = props.groupName ?? "Administrators";
    const path = props.path ?? "/";
    validateIamName("adminGroup.name", groupName, "group", 128);
    validateIamPath("adminGroup.path", path);

    this.group = new IamGroup(this, "Resource", { name: groupName, path });
    this.policyArn = `arn:${props.partition.partition}:iam::aws:policy/AdministratorAccess`;
    new IamGroupPolicyAttachment(this, "AdministratorAccess", {
      group: this.group.name,
      policyArn: this.policyArn,
    });
    this.groupName = this.group.name;
    this.groupArn = this.group.arn;
  }
}
