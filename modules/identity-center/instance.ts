import { Construct } from "constructs";
import { Fn } from "cdktf";
import { DataAwsSsoadminInstances } from "@cdktf/provider-aws/lib/data-aws-ssoadmin-instances";

/** What the plan says when the account has no Identity Center instance, or more than one. */
export const NO_INSTANCE_MESSAGE =
  "IAM Identity Center has no instance in this account and region, or more than one: enable IAM Identity Center " +
  "in the management account's console first (no API can create the organization instance), and check " +
  "identityCenter.region and identityCenter.accountId.";

/**
 * The account's IAM Identity Center instance, read (the organization instance is enabled once in
 * the management account's console; no API creates it). The data source's postcondition fails
 * the plan with `NO_INSTANCE_MESSAGE` unless there is exactly one instance.
 */
export class IdentityCenterInstance extends Construct {
  /** The data source. */
  public readonly instances: DataAwsSsoadminInstances;
  /** ARN of the instance (`arn:<partition>:sso:::instance/ssoins-...`). */
  public readonly instanceArn: string;
  /** Id of its identity store (`d-...`). */
  public readonly identityStoreId: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.instances = new DataAwsSsoadminInstances(this, "Resource", {
      lifecycle: {
        postcondition: [{ condition: "${length(self.arns) == 1}", errorMessage: NO_INSTANCE_MESSAGE }],
      },
    });
    this.instanceArn = Fn.one(this.instances.arns);
    this.identityStoreId = Fn.one(this.instances.identityStoreIds);
  }
}
