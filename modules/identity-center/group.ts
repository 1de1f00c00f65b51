import { Construct, IConstruct } from "constructs";
import { DataAwsIdentitystoreGroup } from "@cdktf/provider-aws/lib/data-aws-identitystore-group";
import { IdentitystoreGroup } from "@cdktf/provider-aws/lib/identitystore-group";
import { validateIdentityStoreName } from "../core/aws-rules";
import { DEFAULTS } from "../core/defaults";

/** An Identity Center group as users and assignments see it: its id in the identity store. */
export interface IIdentityCenterGroup extends IConstruct {
  /** The group's id in the identity store. */
  readonly groupId: string;
  /** The group's display name. */
  readonly displayName: string;
}

/** Properties of an {@link IdentityCenterGroup}. */
export interface IdentityCenterGroupProps {
  /** The identity store (`d-...`) of the Identity Center instance. */
  readonly identityStoreId: string;
  /** Display name of the group. */
  readonly displayName: string;
  /**
   * Look the group up by its display name instead of creating it: a group an external identity
   * provider (Okta, Entra ID, ...) synchronizes through SCIM, whose membership it manages.
   * @default false
   */
  readonly existing?: boolean;
  /** @default "Administrators of the accounts Incident Manager runs in (managed by Terraform)" */
  readonly description?: string;
}

/** The Identity Center group that gets the administrator permission set: created, or looked up. */
export class IdentityCenterGroup extends Construct implements IIdentityCenterGroup {
  /** The group's id in the identity store (the principal of the account assignments). */
  public readonly groupId: string;
  /** The created group (not with `existing`). */
  public readonly group?: IdentitystoreGroup;
  /** The looked-up group (with `existing`). */
  public readonly lookup?: DataAwsIdentitystoreGroup;
  /** Display name of the group. */
  public readonly displayName: string;
  /** Whether the group is looked up rather than created. */
  public readonly existing: boolean;

  constructor(scope: Construct, id: string, props: IdentityCenterGroupProps) {
    super(scope, id);
    validateIdentityStoreName("displayName", props.displayName, "group");
    this.displayName = props.displayName;
    this.existing = props.existing ?? DEFAULTS.existing;
    if (this.existing) {
      this.lookup = new DataAwsIdentitystoreGroup(this, "Resource", {
        identityStoreId: props.identityStoreId,
        alternateIdentifier: { uniqueAttribute: { attributePath: "DisplayName", attributeValue: props.displayName } },
      });
      this.groupId = this.lookup.groupId;
    } else {
      this.group = new IdentitystoreGroup(this, "Resource", {
        identityStoreId: props.identityStoreId,
        displayName: props.displayName,
        description: props.description ?? "Administrators of the accounts Incident Manager runs in (managed by Terraform)",
      });
      this.groupId = this.group.groupId;
    }
  }
}
