import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { skipCheckov } from "./checkov";
import { validateIamName, validateIamPath } from "./iam-names";

/** Properties of an {@link AdminGroup}. */
export interface AdminGroupProps {
  /**
   * The partition the account is in; the ARNs in the group's policies are built from it,
   * so the group works in the aws, aws-cn and aws-us-gov partitions alike.
   */
  readonly partition: DataAwsPartition;
  /**
   * Name of the IAM group.
   * @default "Administrators"
   */
  readonly groupName?: string;
  /**
   * IAM path of the group.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Deny members everything but managing their own password, access keys and MFA device until
   * they authenticate with MFA (an inline group policy).
   * @default true
   */
  readonly enforceMfa?: boolean;
}

/** Actions a member may use without MFA: enough to sign in, change the password and set up MFA. */
export const ACTIONS_ALLOWED_WITHOUT_MFA = [
  "iam:ChangePassword",
  "iam:CreateVirtualMFADevice",
  "iam:EnableMFADevice",
  "iam:GetAccountPasswordPolicy",
  "iam:GetMFADevice",
  "iam:GetUser",
  "iam:ListMFADevices",
  "iam:ListVirtualMFADevices",
  "iam:ResyncMFADevice",
  "sts:GetSessionToken",
];

/** Name of the inline group policy that enforces MFA. */
export const MFA_POLICY_NAME = "ManageOwnCredentialsRequireMFA";

/**
 * The guide's administrators group: an IAM group with the AWS managed
 * `AdministratorAccess` policy attached and, by default, MFA enforced.
 */
export class AdminGroup extends Construct {
  /** The IAM group. */
  public readonly group: IamGroup;
  /** Name of the group. */
  public readonly groupName: string;
  /** ARN of the group. */
  public readonly groupArn: string;
  /** ARN of the managed policy attached to the group. */
  public readonly policyArn: string;
  /** The attachment of AdministratorAccess. */
  public readonly administratorAccess: IamGroupPolicyAttachment;
  /** The inline policy that enforces MFA; undefined when enforcement is off. */
  public readonly mfaPolicy?: IamGroupPolicy;

  constructor(scope: Construct, id: string, props: AdminGroupProps) {
    super(scope, id);
    const groupName = props.groupName ?? "Administrators";
    const path = props.path ?? "/";
    validateIamName("adminGroup.name", groupName, "group", 128);
    validateIamPath("adminGroup.path", path);

    this.group = new IamGroup(this, "Resource", { name: groupName, path });
    this.policyArn = `arn:${props.partition.partition}:iam::aws:policy/AdministratorAccess`;
    this.administratorAccess = new IamGroupPolicyAttachment(this, "AdministratorAccess", {
      group: this.group.name,
      policyArn: this.policyArn,
    });
    skipCheckov(this.administratorAccess, {
      id: "CKV_AWS_274",
      comment:
        "The guide 'Setting up for Incident Manager' asks for an administrators group with AdministratorAccess (CIS 1.16 deviation on purpose).",
    });
    this.groupName = this.group.name;
    this.groupArn = this.group.arn;

    if (props.enforceMfa ?? true) {
      this.mfaPolicy = new IamGroupPolicy(this, "EnforceMfa", {
        name: MFA_POLICY_NAME,
        group: this.group.name,
        policy: mfaPolicyDocument(this, props.partition.partition).json,
      });
    }
  }
}

/**
 * AWS's documented "manage your own credentials, MFA required" policy: members manage their own
 * password, access keys and MFA device; everything else is denied unless the request was
 * authenticated with MFA. `&{aws:username}` is the provider's escape for the IAM policy variable.
 * Changing the password is allowed without MFA too, so a first sign-in with a required password
 * reset works before the user has an MFA device.
 */
function mfaPolicyDocument(scope: Construct, partition: string): DataAwsIamPolicyDocument {
  const self = `arn:${partition}:iam::*:user/&{aws:username}`;
  return new DataAwsIamPolicyDocument(scope, "MfaPolicyDocument", {
    statement: [
      {
        sid: "AllowViewAccountInfo",
        effect: "Allow",
        actions: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
        resources: ["*"],
      },
      {
        sid: "AllowManageOwnPasswords",
        effect: "Allow",
        actions: ["iam:ChangePassword", "iam:GetUser"],
        resources: [self],
      },
      {
        sid: "AllowManageOwnAccessKeys",
        effect: "Allow",
        actions: [
          "iam:CreateAccessKey",
          "iam:DeleteAccessKey",
          "iam:GetAccessKeyLastUsed",
          "iam:ListAccessKeys",
          "iam:UpdateAccessKey",
        ],
        resources: [self],
      },
      {
        sid: "AllowManageOwnVirtualMFADevice",
        effect: "Allow",
        actions: ["iam:CreateVirtualMFADevice"],
        resources: [`arn:${partition}:iam::*:mfa/*`],
      },
      {
        sid: "AllowManageOwnUserMFA",
        effect: "Allow",
        actions: ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
        resources: [self],
      },
      {
        sid: "DenyAllExceptListedIfNoMFA",
        effect: "Deny",
        notActions: ACTIONS_ALLOWED_WITHOUT_MFA,
        resources: ["*"],
        condition: [{ test: "BoolIfExists", variable: "aws:MultiFactorAuthPresent", values: ["false"] }],
      },
    ],
  });
}
