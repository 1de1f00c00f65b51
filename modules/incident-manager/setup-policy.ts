import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { INCIDENT_MANAGER_SERVICE, incidentManagerRoleArn } from "./service-linked-role";

/** Properties of an {@link IncidentManagerSetupPolicy}. */
export interface IncidentManagerSetupPolicyProps {
  /** The partition (literal or reference) the role's ARN is built in. */
  readonly partition: string;
  /**
   * Name of the customer managed policy.
   * @default "IncidentManagerServiceLinkedRoleSetup"
   */
  readonly policyName?: string;
}

/**
 * The permission the guide requires before Incident Manager is set up, and nothing more:
 * `iam:CreateServiceLinkedRole`, only for Incident Manager's role (resource scoped to the role's
 * ARN in any account of the partition, condition `iam:AWSServiceName`), as a customer managed
 * policy for operators who are not administrators.
 */
export class IncidentManagerSetupPolicy extends Construct {
  /** The policy. */
  public readonly policy: IamPolicy;
  /** ARN of the policy. */
  public readonly policyArn: string;

  constructor(scope: Construct, id: string, props: IncidentManagerSetupPolicyProps) {
    super(scope, id);
    const document = new DataAwsIamPolicyDocument(this, "Document", {
      statement: [
        {
          sid: "CreateIncidentManagerServiceLinkedRole",
          effect: "Allow",
          actions: ["iam:CreateServiceLinkedRole"],
          resources: [incidentManagerRoleArn(props.partition, "*")],
          condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: [INCIDENT_MANAGER_SERVICE] }],
        },
      ],
    });
    this.policy = new IamPolicy(this, "Resource", {
      name: props.policyName ?? "IncidentManagerServiceLinkedRoleSetup",
      description: "Allows creating the Incident Manager service-linked role (AWSServiceRoleForIncidentManager), nothing else",
      policy: document.json,
    });
    this.policyArn = this.policy.arn;
  }
}
