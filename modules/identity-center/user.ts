import { Construct } from "constructs";
import { IdentitystoreGroupMembership } from "@cdktf/provider-aws/lib/identitystore-group-membership";
import { IdentitystoreUser } from "@cdktf/provider-aws/lib/identitystore-user";
import { validateIdentityStoreName } from "../core/aws-rules";
import type { IIdentityCenterGroup } from "./group";

/** Properties of an {@link IdentityCenterUser}. */
export interface IdentityCenterUserProps {
  /** The identity store (`d-...`) of the Identity Center instance. */
  readonly identityStoreId: string;
  /** The user's sign-in name. */
  readonly userName: string;
  /** Given name. */
  readonly givenName: string;
  /** Family name. */
  readonly familyName: string;
  /** @default "<givenName> <familyName>" */
  readonly displayName?: string;
  /** Primary work email: Identity Center sends the invitation and password resets there. */
  readonly email: string;
  /** The group the user joins. */
  readonly group: IIdentityCenterGroup;
}

/**
 * A person in the Identity Center identity store, member of the administrators group. No
 * password is made here: the user sets one from the invitation email (or an administrator sends
 * a reset from the console), and MFA is an instance setting (Settings → Authentication), which
 * no API sets.
 */
export class IdentityCenterUser extends Construct {
  /** The user in the identity store. */
  public readonly user: IdentitystoreUser;
  /** The user's membership of the group. */
  public readonly membership: IdentitystoreGroupMembership;
  /** The user's id in the identity store. */
  public readonly userId: string;
  /** The user's sign-in name. */
  public readonly userName: string;

  constructor(scope: Construct, id: string, props: IdentityCenterUserProps) {
    super(scope, id);
    validateIdentityStoreName("userName", props.userName, "user");
    this.userName = props.userName;
    this.user = new IdentitystoreUser(this, "Resource", {
      identityStoreId: props.identityStoreId,
      userName: props.userName,
      displayName: props.displayName ?? `${props.givenName} ${props.familyName}`,
      name: { givenName: props.givenName, familyName: props.familyName },
      emails: { value: props.email, primary: true, type: "work" },
    });
    this.userId = this.user.userId;
    this.membership = new IdentitystoreGroupMembership(this, "Membership", {
      identityStoreId: props.identityStoreId,
      groupId: props.group.groupId,
      memberId: this.userId,
    });
  }
}
