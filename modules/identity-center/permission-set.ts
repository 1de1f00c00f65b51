import { Construct } from "constructs";
import { TerraformResource, dependable } from "cdktf";
import { SsoadminManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment";
import { SsoadminPermissionSet } from "@cdktf/provider-aws/lib/ssoadmin-permission-set";
import { DataAwsSsoadminPermissionSet } from "@cdktf/provider-aws/lib/data-aws-ssoadmin-permission-set";
import { validatePermissionSet } from "../core/aws-rules";
import { warn } from "../core/warnings";
import { skipCheckov } from "../core/checkov";
import { DEFAULTS } from "../core/defaults";

/** Properties of an {@link AdministratorPermissionSet}. */
export interface AdministratorPermissionSetProps {
  /** ARN of the Identity Center instance. */
  readonly instanceArn: string;
  /** The partition (literal or reference) the AdministratorAccess ARN is built in. */
  readonly partition: string;
  /** @default "AdministratorAccess" */
  readonly name?: string;
  /**
   * How long a session lasts, ISO-8601, 1 to 12 hours.
   * @default "PT1H"
   */
  readonly sessionDuration?: string;
  /**
   * Use the permission set of this name that exists already (AWS's own Identity Center setup
   * guide creates one named `AdministratorAccess`) instead of creating it: it is read by name
   * (a data source), and neither its policies nor its session duration are managed here.
   * @default false - the permission set is created (and a name taken already fails the apply
   * with a ConflictException)
   */
  readonly existing?: boolean;
}

/**
 * The guide's administrator, the Identity Center way: a permission set with the AWS managed
 * `AdministratorAccess` policy. Each assigned account gets a role from it
 * (`AWSReservedSSO_<name>_<id>`), whose short-term credentials users get through the access
 * portal or `aws sso login`.
 */
export class AdministratorPermissionSet extends Construct {
  /** The permission set, when it is created here. */
  public readonly permissionSet?: SsoadminPermissionSet;
  /** The existing permission set, read by name ({@link AdministratorPermissionSetProps.existing}). */
  public readonly existingPermissionSet?: DataAwsSsoadminPermissionSet;
  /**
   * The attachment of the AWS managed `AdministratorAccess` policy, when the permission set is
   * created here. It depends on every {@link AccountAssignment} of the permission set (they add
   * themselves): see {@link AdministratorPermissionSet.dependOnAssignment}.
   */
  public readonly attachment?: SsoadminManagedPolicyAttachment;
  /** ARN of the permission set. */
  public readonly permissionSetArn: string;
  /** Name of the permission set (the role name users see). */
  public readonly name: string;
  /** How long a session lasts, ISO-8601 (e.g. PT1H). */
  public readonly sessionDuration: string;

  constructor(scope: Construct, id: string, props: AdministratorPermissionSetProps) {
    super(scope, id);
    this.name = props.name ?? DEFAULTS.permissionSetName;
    this.sessionDuration = props.sessionDuration ?? DEFAULTS.sessionDuration;
    validatePermissionSet(this.name, this.sessionDuration);
    if (props.existing) {
      this.existingPermissionSet = new DataAwsSsoadminPermissionSet(this, "Resource", { instanceArn: props.instanceArn, name: this.name });
      this.permissionSetArn = this.existingPermissionSet.arn;
      return;
    }
    this.permissionSet = new SsoadminPermissionSet(this, "Resource", {
      instanceArn: props.instanceArn,
      name: this.name,
      description: "Administrators of the accounts Incident Manager runs in (AdministratorAccess)",
      sessionDuration: this.sessionDuration,
    });
    this.permissionSetArn = this.permissionSet.arn;
    this.attachment = new SsoadminManagedPolicyAttachment(this, "AdministratorAccess", {
      instanceArn: props.instanceArn,
      permissionSetArn: this.permissionSetArn,
      managedPolicyArn: `arn:${props.partition}:iam::aws:policy/AdministratorAccess`,
    });
    // CKV_AWS_274 (IAMManagedAdminPolicy.py) fails an aws_ssoadmin_managed_policy_attachment whose
    // managed_policy_arn is exactly "arn:aws:iam::aws:policy/AdministratorAccess": ours is, in the
    // aws partition (the partition here is a literal, from the region).
    skipCheckov(this.attachment, {
      id: "CKV_AWS_274",
      comment: "The guide's administrator, the recommended way: AdministratorAccess through IAM Identity Center, short-term credentials.",
    });
    warn(
      this,
      "admin-access",
      `CIS 1.16: permission set ${this.name} has AdministratorAccess, as the guide asks, in every assigned account ` +
        `(sessions of ${this.sessionDuration}). Keep the group small; whoever joins it administers those accounts.`,
    );
  }

  /**
   * Orders the policy attachment after an account assignment, as the provider's documentation of
   * aws_ssoadmin_managed_policy_attachment shows ("With Account Assignment": `depends_on` the
   * assignment): attaching and detaching re-provision the permission set in every assigned
   * account, so on destroy the attachment must go first (hashicorp/terraform-provider-aws#33337).
   */
  public dependOnAssignment(assignment: TerraformResource): void {
    if (!this.attachment) return;
    this.attachment.dependsOn = [...(this.attachment.dependsOn ?? []), dependable(assignment)];
  }
}
