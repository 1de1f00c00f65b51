import { Construct } from "constructs";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";

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
 * - `create`: creates it (the guide's path; fails if the account already has it);
 * - `adopt`: imports the existing role (a Terraform import block) and manages it from then on;
 * - `reference`: only reads it; nothing is created, imported or ever deleted.
 */
export type ServiceLinkedRoleMode = "create" | "adopt" | "reference";

/** Properties of an {@link IncidentManagerServiceLinkedRole}. */
export interface IncidentManagerServiceLinkedRoleProps {
  /**
   * What to do with the role.
   * @default "create"
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
  /** ARN of the role. */
  public readonly roleArn: string;
  /** Name of the role (AWSServiceRoleForIncidentManager). */
  public readonly roleName: string;
  /** The mode. */
  public readonly mode: ServiceLinkedRoleMode;

  constructor(scope: Construct, id: string, props: IncidentManagerServiceLinkedRoleProps = {}) {
    super(scope, id);
    this.mode = props.mode ?? "create";
    if (this.mode === "reference") {
      this.roleData = new DataAwsIamRole(this, "Resource", { name: INCIDENT_MANAGER_ROLE_NAME });
      this.roleArn = this.roleData.arn;
      this.roleName = this.roleData.name;
      return;
    }
    this.role = new IamServiceLinkedRole(this, "Resource", {
      awsServiceName: INCIDENT_MANAGER_SERVICE,
      description: props.description,
      // An adopted role keeps whatever description and tags it was created with: the import must
      // not turn into an update (UpdateRole, TagRole) of a role this app did not create. tags_all
      // is where the provider's default_tags land (an offline plan shows "tags_all {} -> {...}"
      // without it).
      lifecycle: { preventDestroy: true, ignoreChanges: this.mode === "adopt" ? ["description", "tags", "tags_all"] : undefined },
    });
    if (this.mode === "adopt") {
      if (!props.importArn) {
        throw new Error(
          'importArn: missing (required when mode is "adopt": the literal ARN of the existing ' +
            "role, in the account the provider is pinned to)",
        );
      }
      this.role.importFrom(props.importArn);
    } else if (this.mode !== "create") {
      throw new Error(`mode: ${JSON.stringify(this.mode)} must be "create", "adopt" or "reference"`);
    }
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
  }
}
