import { Construct, IConstruct } from "constructs";

import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { validateIamName, validateIamPath } from "../core/aws-rules";
import { warn } from "../core/warnings";
import { DEFAULTS } from "../core/defaults";

/** An administrators group as its users see it (as aws-cdk's `IGroup`): what an `AdminUser` needs of it. */
export interface IAdminGroup extends IConstruct {
  /** Name of the group. */
  readonly groupName: string;
  /** ARN of the group. */
  readonly groupArn: string;
  /** Whether the group's policy denies its members everything but MFA setup until they sign in with MFA. */
  readonly enforceMfa: boolean;
  /** Users the MFA policy exempts (without console access only), sorted. */
  readonly mfaNotRequiredFor: readonly string[];
}

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
   * Deny members everything but setting up their own password and MFA device until they
   * authenticate with MFA (an inline group policy).
   * @default true
   */
  readonly enforceMfa?: boolean;
  /**
   * Names of members that MFA is not required of: programmatic users without console access
   * whose long-term keys must work without `sts get-session-token`. The exemption is a
   * condition on `aws:username` in the group's policy (no policy is attached to a user, CIS 1.15).
   * @default - MFA is required of every member
   */
  readonly mfaNotRequiredFor?: string[];
  /**
   * Adopt a group that exists already, with `AdministratorAccess` attached (as the guide's
   * console steps leave it): Terraform import blocks take over the group and the attachment, so
   * the first apply creates neither (and a later removal is a decision, not a name conflict).
   * The value is the account's partition as a literal (`aws`, `aws-cn`, `aws-us-gov`): an
   * import id must be known before the plan reads `data.aws_partition`.
   * @default - the group is created
   */
  readonly adoptInPartition?: string;
}

/**
 * What a member may do without MFA, and only on their own user: enough for the first console
 * sign-in (change the required password, create and enable an MFA device) and for
 * `aws sts get-session-token` with that device.
 */
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

/**
 * Of {@link ACTIONS_ALLOWED_WITHOUT_MFA}, those whose resource is an IAM user (Service
 * Authorization Reference, IAM: resource type "user"). Without MFA they are denied on any user
 * but the caller: AdministratorAccess beside the policy would otherwise allow them on everyone.
 */
export const OWN_USER_ACTIONS_WITHOUT_MFA = [
  "iam:ChangePassword",
  "iam:EnableMFADevice",
  "iam:GetMFADevice",
  "iam:GetUser",
  "iam:ListMFADevices",
  "iam:ResyncMFADevice",
];

/** Name of the inline group policy that enforces MFA. */
export const MFA_POLICY_NAME = "ManageOwnCredentialsRequireMFA";

/**
 * The guide's administrators group: an IAM group with the AWS managed
 * `AdministratorAccess` policy attached and, by default, MFA enforced.
 */
export class AdminGroup extends Construct implements IAdminGroup {
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
  /** Whether members must use MFA (the group's policy enforces it). */
  public readonly enforceMfa: boolean;
  /** Whether the group existed before and is imported ({@link AdminGroupProps.adoptInPartition}). */
  public readonly adopted: boolean;
  /** Members that MFA is not required of (see {@link AdminGroupProps.mfaNotRequiredFor}). */
  public readonly mfaNotRequiredFor: readonly string[];

  constructor(scope: Construct, id: string, props: AdminGroupProps) {
    super(scope, id);
    const groupName = props.groupName ?? DEFAULTS.adminGroupName;
    const path = props.path ?? DEFAULTS.iamPath;
    validateIamName("groupName", groupName, "group", 128);
    validateIamPath("path", path);

    this.group = new IamGroup(this, "Resource", { name: groupName, path });
    this.policyArn = `arn:${props.partition.partition}:iam::aws:policy/AdministratorAccess`;
    this.administratorAccess = new IamGroupPolicyAttachment(this, "AdministratorAccess", {
      group: this.group.name,
      policyArn: this.policyArn,
    });
    // No Checkov skip: CKV_AWS_274 compares policy_arn with the literal
    // "arn:aws:iam::aws:policy/AdministratorAccess" (checkov/terraform/checks/resource/aws/
    // IAMManagedAdminPolicy.py), and Checkov cannot resolve data.aws_partition, so it never fires on
    // this partition-built ARN. The deviation (CIS 1.16) is the guide's and is in docs/security.md.
    this.groupName = this.group.name;
    this.groupArn = this.group.arn;
    this.adopted = props.adoptInPartition !== undefined;
    if (props.adoptInPartition !== undefined) {
      if (!/^aws(-[a-z]+)*$/.test(props.adoptInPartition)) {
        throw new Error(
          `adoptInPartition: ${JSON.stringify(props.adoptInPartition)} is not an AWS partition (aws, aws-cn, aws-us-gov, ...)`,
        );
      }
      // Import ids (provider docs): the group by name; the attachment as "<group>/<policy ARN>".
      this.group.importFrom(groupName);
      this.administratorAccess.importFrom(`${groupName}/arn:${props.adoptInPartition}:iam::aws:policy/AdministratorAccess`);
    }

    warn(
      this,
      "admin-access",
      `CIS 1.16: group ${groupName} has AdministratorAccess, as the guide asks (its IAM path). The guide recommends ` +
        "administrators in IAM Identity Center instead (identityCenter in the configuration: short-term credentials); keep IAM " +
        "users for break-glass. (Checkov's CKV_AWS_274 compares the literal arn:aws: ARN and does not fire on the " +
        "partition-built ARN used here, so no skip is recorded.)",
    );
    this.enforceMfa = props.enforceMfa ?? DEFAULTS.enforceMfa;
    if (!this.enforceMfa) {
      warn(
        this,
        "mfa-not-enforced",
        `enforceMfa: false: no member of ${groupName} needs MFA. Every administrator's password or access key alone is full ` +
          "access to the account (CIS 1.10). Keep it on and exempt only programmatic users (requireMfa: false).",
      );
    }
    this.mfaNotRequiredFor = [...new Set(props.mfaNotRequiredFor ?? [])].sort();
    for (const name of this.mfaNotRequiredFor) validateIamName("mfaNotRequiredFor", name, "user", 64);
    if (this.enforceMfa) {
      this.mfaPolicy = new IamGroupPolicy(this, "EnforceMfa", {
        name: MFA_POLICY_NAME,
        group: this.group.name,
        policy: mfaPolicyDocument(this, props.partition.partition, this.mfaNotRequiredFor).json,
      });
    }
  }
}

/**
 * Based on AWS's documented "manage your own credentials, MFA required" policy (IAM User Guide,
 * "AWS: Allows MFA-authenticated IAM users to manage their own credentials"), made safe beside
 * AdministratorAccess, whose `Allow *` makes every exemption of a Deny an allow:
 *
 * - `DenyAllExceptListedIfNoMFA`: without MFA (`BoolIfExists aws:MultiFactorAuthPresent false`),
 *   everything but {@link ACTIONS_ALLOWED_WITHOUT_MFA} is denied.
 * - `DenyOtherUsersWithoutMFA`: without MFA, the exempted user actions are denied on every user
 *   but the caller (`user/${aws:username}`, and `user/<path>/${aws:username}` for users with a
 *   path): no member without MFA enables, resyncs or reads another user's MFA.
 * - `DenyLongTermKeysExceptGetSessionToken`: a request signed with a long-term access key has no
 *   `aws:MultiFactorAuthPresent` key at all ("This key is not present when an API or CLI command
 *   is called with long-term credentials, such as access key pairs", IAM User Guide, AWS global
 *   condition context keys). Such requests may only call `sts:GetSessionToken` (`Null` test), so a
 *   leaked key cannot enrol an MFA device of its own.
 *
 * The console's first sign-in works: a console session has the key (false without MFA), so it may
 * change its password and create and enable its own device. `&{aws:username}` is the provider's
 * escape for the IAM policy variable `${aws:username}`. Members in `exempt` are left out of all
 * three denies (a condition on `aws:username`).
 */
function mfaPolicyDocument(scope: Construct, partition: string, exempt: readonly string[]): DataAwsIamPolicyDocument {
  const own = [`arn:${partition}:iam::*:user/&{aws:username}`, `arn:${partition}:iam::*:user/*/&{aws:username}`];
  const unlessExempt = exempt.length > 0 ? [{ test: "StringNotEquals", variable: "aws:username", values: [...exempt] }] : [];
  const withoutMfa = [{ test: "BoolIfExists", variable: "aws:MultiFactorAuthPresent", values: ["false"] }, ...unlessExempt];
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
        resources: own,
      },
      {
        sid: "AllowManageOwnAccessKeys",
        effect: "Allow",
        actions: ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:GetAccessKeyLastUsed", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
        resources: own,
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
        actions: ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
        resources: own,
      },
      {
        sid: "DenyAllExceptListedIfNoMFA",
        effect: "Deny",
        notActions: ACTIONS_ALLOWED_WITHOUT_MFA,
        resources: ["*"],
        condition: withoutMfa,
      },
      {
        sid: "DenyOtherUsersWithoutMFA",
        effect: "Deny",
        actions: OWN_USER_ACTIONS_WITHOUT_MFA,
        notResources: own,
        condition: withoutMfa,
      },
      {
        sid: "DenyLongTermKeysExceptGetSessionToken",
        effect: "Deny",
        notActions: ["sts:GetSessionToken"],
        resources: ["*"],
        condition: [{ test: "Null", variable: "aws:MultiFactorAuthPresent", values: ["true"] }, ...unlessExempt],
      },
    ],
  });
}
