import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AccountAssignment } from "../../identity-center/account-assignment";
import { AdministratorPermissionSet } from "../../identity-center/permission-set";
import { partitionOfRegion } from "../../core/arns";
import { BackendConfig, IdentityCenterConfig } from "../config";
import { IdentityCenterGroup } from "../../identity-center/group";
import { IdentityCenterInstance } from "../../identity-center/instance";
import { IdentityCenterUser } from "../../identity-center/user";
import { placeIn } from "../places";
import { addProviderAndBackend } from "./foundation";

/** Names of the Identity Center stack's outputs (read by `npm run sso-profiles` and the review). */
export const IDENTITY_CENTER_OUTPUTS = {
  accessPortalUrl: "access_portal_url",
  ssoRegion: "sso_region",
  permissionSetArn: "permission_set_arn",
  permissionSetName: "permission_set_name",
  groupId: "group_id",
  users: "identity_center_users",
  assignedAccounts: "assigned_accounts",
} as const;

/** An account the permission set is assigned in. */
export interface AssignedAccount {
  /** The accounts[] entry's name (its stack). */
  readonly name: string;
  /** The account id (12 digits). */
  readonly accountId: string;
}

/** Properties of an {@link IdentityCenterStack}. */
export interface IdentityCenterStackProps {
  /** The validated `identityCenter` configuration. */
  readonly identityCenter: IdentityCenterConfig;
  /** The accounts the group gets the permission set in. */
  readonly accounts: readonly AssignedAccount[];
  /** @default - local: terraform.<stack>.tfstate in the project folder */
  readonly backend?: BackendConfig;
}

/**
 * The guide's recommended administrator, in IAM Identity Center, from the management (or
 * delegated administrator) account: the administrators group (created or looked up), its users,
 * the `AdministratorAccess` permission set, and one assignment per account.
 */
export class IdentityCenterStack extends TerraformStack {
  /** The Identity Center instance, read. */
  public readonly instance: IdentityCenterInstance;
  /** The administrators group. */
  public readonly group: IdentityCenterGroup;
  /** The users created in the identity store, in configuration order. */
  public readonly users: IdentityCenterUser[] = [];
  /** The `AdministratorAccess` permission set. */
  public readonly permissionSet: AdministratorPermissionSet;
  /** One assignment per account, in configuration order. */
  public readonly assignments: AccountAssignment[] = [];

  constructor(scope: Construct, id: string, props: IdentityCenterStackProps) {
    super(scope, id);
    const ic = props.identityCenter;
    addProviderAndBackend(this, id, ic, props.backend ?? { type: "local" });

    this.instance = new IdentityCenterInstance(this, "Instance");
    const { instanceArn, identityStoreId } = this.instance;
    const group = new IdentityCenterGroup(this, "Group", { identityStoreId, displayName: ic.group.name, existing: ic.group.existing });
    this.group = placeIn(group, { where: "identityCenter.group" });
    ic.users.forEach((user, u) => {
      const made = new IdentityCenterUser(this, `User-${user.userName}`, { identityStoreId, group: this.group, ...user });
      this.users.push(placeIn(made, { where: `identityCenter.users[${u}] (${user.userName})`, user: user.userName }));
    });
    this.permissionSet = new AdministratorPermissionSet(this, "PermissionSet", {
      instanceArn,
      partition: partitionOfRegion(ic.region),
      name: ic.permissionSet.name,
      sessionDuration: ic.permissionSet.sessionDuration,
      existing: ic.permissionSet.existing,
    });
    placeIn(this.permissionSet, { where: "identityCenter.permissionSet" });
    for (const account of props.accounts) {
      const assignment = new AccountAssignment(this, `Assignment-${account.name}`, {
        instanceArn,
        permissionSet: this.permissionSet,
        group: this.group,
        accountId: account.accountId,
      });
      this.assignments.push(placeIn(assignment, { where: `identityCenter.assignTo (${account.name})` }));
    }

    const out = (name: string, value: unknown, description: string) => new TerraformOutput(this, name, { value, description });
    const o = IDENTITY_CENTER_OUTPUTS;
    out(o.accessPortalUrl, ic.accessPortalUrl ?? `https://${identityStoreId}.awsapps.com/start`, "The AWS access portal URL (sign-in)");
    out(o.ssoRegion, ic.region, "The region of the Identity Center instance (sso_region of the AWS CLI)");
    out(o.permissionSetArn, this.permissionSet.permissionSetArn, "ARN of the administrator permission set");
    out(o.permissionSetName, this.permissionSet.name, "Name of the permission set (the role name in AWS CLI profiles)");
    out(o.groupId, this.group.groupId, `Id of the group ${ic.group.name} in the identity store`);
    out(o.users, Object.fromEntries(this.users.map((u) => [u.userName, u.userId])), "Ids of the users created here, by user name");
    out(
      o.assignedAccounts,
      Object.fromEntries(props.accounts.map((a) => [a.name, a.accountId])),
      "The accounts the group gets the permission set in: account id by accounts[] name",
    );
  }
}
