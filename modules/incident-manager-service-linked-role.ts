import { Construct } from "constructs";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";

/** The service principal of AWS Systems Manager Incident Manager. */
export const INCIDENT_MANAGER_SERVICE = "ssm-incidents.amazonaws.com";
/** The name AWS gives Incident Manager's service-linked role. */
export const INCIDENT_MANAGER_ROLE_NAME = "AWSServiceRoleForIncidentManager";

/** Properties of an {@link IncidentManagerServiceLinkedRole}. */
export interface IncidentManagerServiceLinkedRoleProps {
  /**
   * Description of the role.
   * @default - the description AWS gives the role
   */
  readonly description?: string;
}

/**
 * The service-linked role `AWSServiceRoleForIncidentManager` that Incident Manager needs.
 * It is protected with `prevent_destroy`: deleting it takes Incident Manager's access to the
 * account's incidents, response plans and contacts with it.
 */
export class IncidentManagerServiceLinkedRole extends Construct {
  /** The service-linked role. */
  public readonly role: IamServiceLinkedRole;
  /** ARN of the role. */
  public readonly roleArn: string;
  /** Name of the role (AWSServiceRoleForIncidentManager). */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: IncidentManagerServiceLinkedRoleProps = {}) {
    super(scope, id);
    this.role = new IamServiceLinkedRole(this, "Resource", {
      awsServiceName: INCIDENT_MANAGER_SERVICE,
      description: props.description,
      lifecycle: { preventDestroy: true },
    });
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
  }
}
