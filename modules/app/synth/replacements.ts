// Which arguments of the resources this app writes make Terraform REPLACE the resource (delete it
// and create a new one) when they change, as the hashicorp/aws provider documents them (ForceNew
// in its schema; "Changing this forces a new resource" / the registry docs of each resource, 5.x).
// A review must call such a change a replacement: for an access key it means a new key id and the
// old key deleted, for a login profile a new password. The offline plan is the authority when
// there is one (its replace_paths); this table is what synth and review know without a plan, and
// a test plans a pgp_key change with the real provider to keep it honest.

/** Arguments that force replacement, per resource type. */
export const FORCES_REPLACEMENT: Readonly<Record<string, readonly string[]>> = {
  aws_iam_access_key: ["user", "pgp_key"],
  aws_iam_user_login_profile: ["user", "pgp_key", "password_length", "password_reset_required"],
  aws_iam_service_linked_role: ["aws_service_name", "custom_suffix"],
  aws_iam_group_policy: ["group", "name", "name_prefix"],
  aws_iam_group_policy_attachment: ["group", "policy_arn"],
  aws_iam_user_group_membership: ["user"],
  aws_iam_policy: ["name", "name_prefix", "path", "description"],
  aws_iam_account_alias: ["account_alias"],
  aws_secretsmanager_secret: ["name", "name_prefix"],
  aws_secretsmanager_secret_version: ["secret_id"],
  // IAM Identity Center (hashicorp/aws 5.100.0 and 6.25.0, ForceNew in internal/service/ssoadmin and
  // identitystore; 6.x also replaces any of them when its `region` argument changes, which this app never sets).
  aws_ssoadmin_permission_set: ["instance_arn", "name"],
  aws_ssoadmin_managed_policy_attachment: ["instance_arn", "managed_policy_arn", "permission_set_arn"],
  aws_ssoadmin_account_assignment: ["instance_arn", "permission_set_arn", "principal_id", "principal_type", "target_id", "target_type"],
  aws_identitystore_user: ["identity_store_id", "user_name"],
  aws_identitystore_group: ["identity_store_id"],
  aws_identitystore_group_membership: ["group_id", "identity_store_id", "member_id"],
};

/** What a replacement costs, where it is more than "a new resource". */
export const REPLACEMENT_CONSEQUENCE: Readonly<Record<string, string>> = {
  aws_iam_access_key: "a new access key id and secret; the old key is deleted and stops working",
  aws_iam_user_login_profile: "a new initial password; the current one stops working",
  aws_iam_service_linked_role: "the role is deleted and created again (prevent_destroy refuses the plan)",
  aws_secretsmanager_secret: "a new secret; the old one is scheduled for deletion",
  aws_ssoadmin_permission_set:
    "a new permission set: its policy attachment and EVERY account assignment of it are replaced too, so every " +
    "Identity Center administrator loses access to every assigned account until the apply has created them again",
  aws_ssoadmin_managed_policy_attachment:
    "AdministratorAccess is detached and attached again: the permission set is re-provisioned in every assigned account",
  aws_ssoadmin_account_assignment:
    "the group's access to that account is removed and granted again: its administrators lose access there during the apply",
  aws_identitystore_user:
    "a new Identity Center user (new user id, a new invitation email): the person loses their sign-in, MFA devices " +
    "and group membership, and must accept the new invitation",
  aws_identitystore_group: "a new group: its memberships and account assignments are replaced, so its members lose access during the apply",
  aws_identitystore_group_membership: "the person leaves the group and joins it again: no access in between",
};

/**
 * What it costs when a resource of the type leaves the stack (Terraform deletes it): a person
 * taken out, or a renamed user or account entry, whose address moves with the name.
 */
export const DELETION_CONSEQUENCE: Readonly<Record<string, string>> = {
  aws_iam_user:
    "the IAM user is deleted, and with force_destroy its access keys, login profile, MFA devices, SSH keys, signing " +
    "certificates and service-specific credentials (a renamed user is a new user)",
  aws_iam_access_key: "the access key is deleted and stops working at once",
  aws_identitystore_user:
    "the Identity Center user is deleted: sign-in, MFA devices and group memberships (a changed userName makes a new " +
    "user, with a new invitation)",
  aws_ssoadmin_account_assignment: "the group loses the permission set in that account",
  aws_ssoadmin_permission_set: "the permission set and its role in every assigned account are deleted",
  aws_iam_account_password_policy:
    "the account's password policy is deleted, and IAM's defaults apply (passwordPolicy: false leaves alone only a policy this app never managed)",
  aws_iam_account_alias: "the account alias is deleted: the console sign-in URL goes back to the account id",
};

type Body = Record<string, unknown>;

/** The arguments of a resource body named in its `lifecycle.ignore_changes`. */
function ignoredArguments(body: Body): string[] {
  const lifecycle = body.lifecycle as Body | undefined;
  return ((lifecycle?.ignore_changes as unknown[] | undefined) ?? []).map(String);
}

/** Whether an argument differs between two bodies. */
const changed = (before: Body, after: Body) => (argument: string) => JSON.stringify(before[argument]) !== JSON.stringify(after[argument]);

/**
 * The top-level arguments whose change from `before` to `after` forces the replacement of a
 * resource of `type`, leaving out those in the resource's `lifecycle.ignore_changes`.
 */
export function replacementCauses(type: string, before: Body, after: Body): string[] {
  const ignored = new Set(ignoredArguments(after));
  return (FORCES_REPLACEMENT[type] ?? []).filter((argument) => !ignored.has(argument)).filter(changed(before, after));
}

/**
 * The top-level arguments in the resource's `lifecycle.ignore_changes` whose value changed from
 * `before` to `after`: Terraform keeps the existing resource as it is, so the change has no effect
 * until the resource is replaced (e.g. a console.pgpKey added to a user whose password exists).
 */
export function ignoredChanges(before: Body, after: Body): string[] {
  return ignoredArguments(after).filter(changed(before, after));
}
