import { Construct, IConstruct } from "constructs";

import { skipCheckov } from "../core/checkov";
import { warn } from "../core/warnings";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { IamUserLoginProfile } from "@cdktf/provider-aws/lib/iam-user-login-profile";
import { AccountPasswordPolicy } from "./account-password-policy";
import type { IAdminGroup } from "./admin-group";
import { validateIamName, validateIamPath } from "../core/aws-rules";
import { DEFAULTS } from "../core/defaults";

/** Console sign-in of an admin user. */
export interface ConsoleAccess {
  /**
   * Whether the user must choose a new password at first sign-in.
   * @default true
   */
  readonly passwordResetRequired?: boolean;
  /**
   * PGP public key ("keybase:<username>" or base64, no armor) that encrypts the initial password.
   * @default - the initial password is stored in plain text in the Terraform state
   */
  readonly pgpKey?: string;
}

/** Properties of an {@link AdminUser}. */
export interface AdminUserProps {
  /** Name of the IAM user: 1-64 of letters, digits and `+=,.@_-`. */
  readonly userName: string;
  /** The administrators group the user joins. */
  readonly group: IAdminGroup;
  /**
   * IAM path of the user.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Console sign-in (a login profile with a generated password), or `false` for none.
   * @default - console access with a password reset at first sign-in
   */
  readonly console?: ConsoleAccess | false;
  /**
   * The account password policy this stack manages. The initial password is then generated with
   * at least its minimum length, and the login profile is created after the policy: IAM checks
   * CreateLoginProfile against the policy in force (PasswordPolicyViolation otherwise).
   * @default - the provider's 20 characters, in no particular order with any password policy
   */
  readonly passwordPolicy?: AccountPasswordPolicy;
  /**
   * Whether the group's MFA policy applies to this user. `false` only without console access,
   * and only when the group lists the user in `mfaNotRequiredFor` (the exemption is the group's).
   * @default true
   */
  readonly requireMfa?: boolean;
  /**
   * Adopt an IAM user that exists already (the guide: "If your account already includes an IAM
   * user with full AWS administrative permissions, you can skip this section"): Terraform import
   * blocks take over the user and, with console access, its login profile (the password stays as
   * it is: the provider cannot read it, and ignore_changes keeps the profile). Access keys cannot
   * be imported with their secret (AWS shows a secret only once, at creation): the user's existing
   * keys stay as they are, outside Terraform, and {@link AccessKey} makes new ones.
   * @default false - the user is created
   */
  readonly adopt?: boolean;
}

/**
 * An admin user as other constructs see it (as aws-cdk's `IUser`): what an {@link AccessKey} needs
 * to know of its user, without a reference back from the user to its keys.
 */
export interface IAdminUser extends IConstruct {
  /** Name of the user. */
  readonly userName: string;
  /** ARN of the user. */
  readonly userArn: string;
  /** Whether the user signs in to the console (has a login profile). */
  readonly consoleAccess: boolean;
  /** Whether the group's MFA policy applies to the user: its requests without MFA are denied. */
  readonly mfaRequired: boolean;
}

/** Length of the generated initial password without a managed policy (the provider's default). */
export const DEFAULT_PASSWORD_LENGTH = 20;

/**
 * An administrator of the account: an IAM user in the administrators group, with console
 * sign-in unless it is turned off. Access keys are added with {@link AccessKey} (`new AccessKey(scope, id, { user })`).
 */
export class AdminUser extends Construct implements IAdminUser {
  /** The IAM user. */
  public readonly user: IamUser;
  /** Name of the user. */
  public readonly userName: string;
  /** ARN of the user. */
  public readonly userArn: string;
  /** The console login profile; undefined without console access. */
  public readonly loginProfile?: IamUserLoginProfile;
  /** Whether MFA is required of this user by the group's policy (see {@link AdminUserProps.requireMfa}). */
  public readonly requireMfa: boolean;
  /** Whether the user signs in to the console (has a login profile). */
  public readonly consoleAccess: boolean;
  /** Whether the group's MFA policy applies to the user (the group enforces MFA and the user is not exempt). */
  public readonly mfaRequired: boolean;
  /** The user's membership of the administrators group. */
  public readonly groupMembership: IamUserGroupMembership;
  /** The administrators group the user is in. */
  public readonly group: IAdminGroup;
  /** Whether the initial console password is encrypted with a PGP key. */
  public readonly passwordPgpProtected: boolean;
  /** Whether the user existed before and is imported ({@link AdminUserProps.adopt}). */
  public readonly adopted: boolean;

  constructor(scope: Construct, id: string, props: AdminUserProps) {
    super(scope, id);
    validateIamName("userName", props.userName, "user", 64);
    validateIamPath("path", props.path ?? DEFAULTS.iamPath);
    this.requireMfa = props.requireMfa ?? DEFAULTS.requireMfa;
    if (!this.requireMfa && props.console !== false) {
      throw new Error(
        "requireMfa: false is only allowed for a user without console access (console: false); " +
          `${JSON.stringify(props.userName)} signs in to the console`,
      );
    }
    if (!this.requireMfa && props.group.enforceMfa && !props.group.mfaNotRequiredFor.includes(props.userName)) {
      throw new Error(
        `requireMfa: false for ${JSON.stringify(props.userName)} needs the group to exempt the user (AdminGroupProps.mfaNotRequiredFor)`,
      );
    }

    const exempted = props.group.mfaNotRequiredFor.some((name) => name.toLowerCase() === props.userName.toLowerCase());
    if (props.group.enforceMfa && exempted && props.console !== false) {
      // The exemption is a condition on aws:username in the group's policy: a console user in it
      // would be a full administrator with a password alone (iam:CreateUser without MFA).
      throw new Error(
        `mfaNotRequiredFor: the group exempts ${JSON.stringify(props.userName)} from MFA, but that user signs in to the console ` +
          "(console access requires MFA: give the user console: false, or take the name out of mfaNotRequiredFor)",
      );
    }
    if (props.group.enforceMfa && exempted && this.requireMfa) {
      throw new Error(
        `requireMfa: true (the default) for ${JSON.stringify(props.userName)}, but the group exempts the user from MFA ` +
          "(mfaNotRequiredFor): set requireMfa: false on the user to confirm the exemption, or take the name out of mfaNotRequiredFor",
      );
    }

    this.group = props.group;
    this.mfaRequired = this.requireMfa && props.group.enforceMfa;
    this.consoleAccess = props.console !== false;
    this.adopted = props.adopt ?? DEFAULTS.adopt;
    // force_destroy: IAM's DeleteUser refuses a user who still has an MFA device, a login profile
    // or access keys ("DeleteConflict"); every console admin here enrols an MFA device (the group's
    // policy makes them). With force_destroy the provider removes them first, so taking a person
    // out of adminUsers works. The provider reads it from the state when it deletes: a user
    // deployed without it needs one apply that sets it (an in-place update) before removal.
    this.user = new IamUser(this, "Resource", { name: props.userName, path: props.path ?? DEFAULTS.iamPath, forceDestroy: true });
    if (this.adopted) this.user.importFrom(props.userName);
    skipCheckov(this.user, {
      id: "CKV_AWS_273",
      comment: "The guide's IAM path: an IAM user in the administrators group rather than IAM Identity Center (SSO).",
    });
    if (!this.requireMfa && props.group.enforceMfa) {
      warn(
        this,
        "mfa-exempt-user",
        "requireMfa: false: the group's MFA policy does not apply to this user, so its access keys alone are full " +
          "administrator access. Keep them encrypted (pgpKey), rotate them, and prefer a role for machines.",
      );
    }
    this.userName = this.user.name;
    this.userArn = this.user.arn;

    // Not the exclusive aws_iam_group_membership: other members of the group stay untouched.
    this.groupMembership = new IamUserGroupMembership(this, "GroupMembership", {
      user: this.user.name,
      groups: [props.group.groupName],
    });

    const console = props.console ?? {};
    this.passwordPgpProtected = console !== false && console.pgpKey !== undefined;
    if (console !== false) {
      this.loginProfile = new IamUserLoginProfile(this, "LoginProfile", {
        user: this.user.name,
        passwordResetRequired: console.passwordResetRequired ?? DEFAULTS.passwordResetRequired,
        pgpKey: console.pgpKey,
        passwordLength: Math.max(DEFAULT_PASSWORD_LENGTH, props.passwordPolicy?.settings.minimumLength ?? 0),
        dependsOn: props.passwordPolicy ? [props.passwordPolicy.resource] : undefined,
        // The password is generated once. AWS clears the reset flag when the user picks a
        // password, and neither setting can change in place, so a later plan must not
        // replace the profile (which would reset the password).
        lifecycle: { ignoreChanges: ["password_reset_required", "password_length", "pgp_key"] },
      });
      // An adopted user's console password is imported as it is (import id: the user name).
      if (this.adopted) this.loginProfile.importFrom(props.userName);
      skipCheckov(this.user, { id: "CKV2_AWS_22", comment: "The guide has the administrator sign in to the console as this IAM user." });
      if (!this.passwordPgpProtected && !this.adopted) {
        warn(
          this,
          "plaintext-password-in-state",
          "the initial console password will be stored in plain text in the Terraform state (a sensitive output hides it, " +
            "but anyone who can read the state can read it). Set console.pgpKey to keep only an encrypted password in the state.",
        );
      }
    }
  }
}
