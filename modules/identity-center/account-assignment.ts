import { Construct } from "constructs";
import { SsoadminAccountAssignment } from "@cdktf/provider-aws/lib/ssoadmin-account-assignment";
import { ACCOUNT_ID } from "../core/aws-rules";
import { AdministratorPermissionSet } from "./permission-set";
import type { IIdentityCenterGroup } from "./group";

/** Properties of an {@link AccountAssignment}. */
export interface AccountAssignmentProps {
  /** ARN of the Identity Center instance. */
  readonly instanceArn: string;
  /** The permission set the group gets. */
  readonly permissionSet: AdministratorPermissionSet;
  /** The group that gets the permission set. */
  readonly group: IIdentityCenterGroup;
  /** The account (12 digits) the permission set is provisioned in. */
  readonly accountId: string;
}

/**
 * The group gets the permission set in one account: Identity Center provisions the permission
 * set's role there (the first assignment in an account creates it).
 */
export class AccountAssignment extends Construct {
  /** The account assignment. */
  public readonly assignment: SsoadminAccountAssignment;
  /** The account (12 digits). */
  public readonly accountId: string;

  constructor(scope: Construct, id: string, props: AccountAssignmentProps) {
    super(scope, id);
    if (!ACCOUNT_ID.pattern.test(props.accountId)) {
      throw new Error(`accountId: ${JSON.stringify(props.accountId)} ${ACCOUNT_ID.rule}`);
    }
    this.accountId = props.accountId;
    this.assignment = new SsoadminAccountAssignment(this, "Resource", {
      instanceArn: props.instanceArn,
      permissionSetArn: props.permissionSet.permissionSetArn,
      principalType: "GROUP",
      principalId: props.group.groupId,
      targetType: "AWS_ACCOUNT",
      targetId: props.accountId,
    });
    props.permissionSet.dependOnAssignment(this.assignment);
  }
}
