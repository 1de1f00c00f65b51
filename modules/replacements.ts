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
};

/** What a replacement costs, where it is more than "a new resource". */
export const REPLACEMENT_CONSEQUENCE: Readonly<Record<string, string>> = {
  aws_iam_access_key: "a new access key id and secret; the old key is deleted and stops working",
  aws_iam_user_login_profile: "a new initial password; the current one stops working",
  aws_iam_service_linked_role: "the role is deleted and created again (prevent_destroy refuses the plan)",
  aws_secretsmanager_secret: "a new secret; the old one is scheduled for deletion",
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
