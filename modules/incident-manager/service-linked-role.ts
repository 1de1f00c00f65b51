import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { DEFAULTS } from "../core/defaults";

/** The service principal of AWS Systems Manager Incident Manager. */
export const INCIDENT_MANAGER_SERVICE = "ssm-incidents.amazonaws.com";
/** The name AWS gives Incident Manager's service-linked role. */
export const INCIDENT_MANAGER_ROLE_NAME = "AWSServiceRoleForIncidentManager";
/** The IAM path of the role. */
export const INCIDENT_MANAGER_ROLE_PATH = `/aws-service-role/${INCIDENT_MANAGER_SERVICE}/`;

/** The ARN of the role in an account (literals or Terraform expressions). */
export function incidentManagerRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role${INCIDENT_MANAGER_ROLE_PATH}${INCIDENT_MANAGER_ROLE_NAME}`;
}

/**
 * How the app treats the role:
 * - `auto`: imports the role when the account has it, else creates it (a `data "aws_iam_roles"`
 *   lookup drives an `import` block's `for_each`: Terraform 1.7 or later); managed from then on;
 * - `create`: creates it (the guide's path; the apply fails if the account already has it:
 *   "Service role name AWSServiceRoleForIncidentManager has been taken in this account");
 * - `adopt`: imports the existing role (a Terraform import block) and manages it from then on;
 * - `reference`: only reads it; nothing is created, imported or ever deleted.
 */
export type ServiceLinkedRoleMode = "auto" | "create" | "adopt" | "reference";

/**
 * The role resource, with an `import` block whose `for_each` is a Terraform expression: the role
 * is imported once for each ARN it names (0 or 1 here). CDKTF 0.21's importFrom takes one literal
 * id only, so the block is written here, into the resource's own fragment of the stack.
 */
class ConditionallyImportedRole extends IamServiceLinkedRole {
  /** The reference the import iterates over (the role ARNs found, without `${}`), set by the construct. */
  public importForEach?: string;

  public toTerraform(): Record<string, unknown> {
    const fragment = super.toTerraform() as Record<string, unknown>;
    if (this.importForEach === undefined) return fragment;
    return { ...fragment, import: [{ for_each: `\${${this.importForEach}}`, to: this.address(), id: "${each.value}" }] };
  }

  public toHclTerraform(): Record<string, unknown> {
    const fragment = super.toHclTerraform() as Record<string, unknown>;
    if (this.importForEach === undefined) return fragment;
    const attribute = (value: string, storageClassType: string) => ({ value, type: "simple", storageClassType });
    return {
      ...fragment,
      import: [
        {
          for_each: attribute(this.importForEach, "reference"),
          to: attribute(this.address(), "reference"),
          id: attribute("each.value", "reference"),
        },
      ],
    };
  }

  private address(): string {
    return `${this.terraformResourceType}.${this.friendlyUniqueId}`;
  }
}

/** Properties of an {@link IncidentManagerServiceLinkedRole}. */
export interface IncidentManagerServiceLinkedRoleProps {
  /**
   * What to do with the role.
   * @default "auto"
   */
  readonly mode?: ServiceLinkedRoleMode;
  /**
   * ARN of the existing role, the import id in `adopt` mode: a literal ARN in the account the
   * provider is pinned to (`allowed_account_ids`), see {@link incidentManagerRoleArn}.
   * @default - required in adopt mode
   */
  readonly importArn?: string;
  /**
   * Description of a created role (ignored on an adopted one).
   * @default - none
   */
  readonly description?: string;
}

/**
 * The service-linked role `AWSServiceRoleForIncidentManager` that Incident Manager needs.
 * A managed role (create, adopt) is protected with `prevent_destroy`: deleting it cuts
 * Incident Manager off from the account's incidents, response plans and contacts.
 * The address of the role is the same in create and adopt mode, so an account can switch
 * between them without Terraform deleting anything.
 */
export class IncidentManagerServiceLinkedRole extends Construct {
  /** The managed role (create and adopt modes). */
  public readonly role?: IamServiceLinkedRole;
  /** The role as read (reference mode). */
  public readonly roleData?: DataAwsIamRole;
  /** The lookup of an existing role (auto mode): its `arns` drive the import. */
  public readonly existing?: DataAwsIamRoles;
  /** ARN of the role. */
  public readonly roleArn: string;
  /** Name of the role (AWSServiceRoleForIncidentManager). */
  public readonly roleName: string;
  /** The mode. */
  public readonly mode: ServiceLinkedRoleMode;

  constructor(scope: Construct, id: string, props: IncidentManagerServiceLinkedRoleProps = {}) {
    super(scope, id);
    this.mode = props.mode ?? DEFAULTS.serviceLinkedRole;
    if (this.mode === "reference") {
      this.roleData = new DataAwsIamRole(this, "Resource", { name: INCIDENT_MANAGER_ROLE_NAME });
      this.roleArn = this.roleData.arn;
      this.roleName = this.roleData.name;
      return;
    }
    if (!["auto", "create", "adopt"].includes(this.mode)) {
      throw new Error(`mode: ${JSON.stringify(this.mode)} must be "auto", "create", "adopt" or "reference"`);
    }
    const role = new ConditionallyImportedRole(this, "Resource", {
      awsServiceName: INCIDENT_MANAGER_SERVICE,
      description: props.description,
      // An adopted role keeps whatever description and tags it was created with: the import must
      // not turn into an update (UpdateRole, TagRole) of a role this app did not create. tags_all
      // is where the provider's default_tags land (an offline plan shows "tags_all {} -> {...}"
      // without it).
      lifecycle: { preventDestroy: true, ignoreChanges: this.mode === "create" ? undefined : ["description", "tags", "tags_all"] },
    });
    this.role = role;
    if (this.mode === "adopt") {
      if (!props.importArn) {
        throw new Error(
          'importArn: missing (required when mode is "adopt": the literal ARN of the existing ' +
            "role, in the account the provider is pinned to)",
        );
      }
      this.role.importFrom(props.importArn);
    } else if (this.mode === "auto") {
      // Lists only roles under the service's path (IAM ListRoles with PathPrefix): the role, or none.
      // No depends_on here: a deferred read would leave the import's for_each unknown at plan time.
      this.existing = new DataAwsIamRoles(this, "Existing", { pathPrefix: INCIDENT_MANAGER_ROLE_PATH });
      role.importForEach = `data.${this.existing.terraformResourceType}.${this.existing.friendlyUniqueId}.arns`;
      // import with for_each: Terraform 1.7 (hashicorp/terraform#33932).
      TerraformStack.of(this).addOverride("terraform.required_version", ">= 1.7.0");
    }
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
  }
}
