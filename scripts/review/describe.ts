// One line per resource of what it does, readable: the key settings of each block type, the mode of
// the Incident Manager service-linked role, the backend. Part of npm run review.
import { posix } from "path";
import { arr, code, describePgpKey, flatten, obj, plural, showValue, sorted, str, yesNo } from "./helpers";
import { Block, StackView, denyWithoutMfa, lookupName } from "./read";
import { Json } from "./types";

/** An expression made readable: the partition and the caller's account id as placeholders. */
export function readable(expression: string): string {
  return expression
    .replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, "<partition>")
    .replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, "<account of the credentials>");
}

/** Users the MFA denies leave out (a StringNotEquals condition on aws:username), sorted. */
export function mfaExemptUsers(doc: Json | undefined): string[] {
  const names = arr(doc?.statement)
    .filter((s) => obj(s).effect === "Deny")
    .flatMap((s) => arr(obj(s).condition).map(obj))
    .filter((c) => c.variable === "aws:username" && c.test === "StringNotEquals")
    .flatMap((c) => arr(c.values).map(String));
  return sorted([...new Set(names)]);
}

export function statementText(statement: unknown): string {
  const s = obj(statement);
  const actions =
    arr(s.actions).length > 0 ? arr(s.actions).join(", ") : `everything except ${plural(arr(s.not_actions).length, "action")}`;
  const conditions = arr(s.condition)
    .map((c) => `${String(obj(c).variable)} ${String(obj(c).test)} ${arr(obj(c).values).join("|")}`)
    .join(", ");
  return `${String(s.effect ?? "Allow")} ${actions}${conditions ? ` if ${conditions}` : ""}`;
}

export const PASSWORD_POLICY_TEXT: [string, (v: unknown) => string][] = [
  ["minimum_password_length", (v) => `min length ${String(v)}`],
  ["password_reuse_prevention", (v) => `remembers ${String(v)} passwords`],
  ["max_password_age", (v) => `max age ${String(v)} days`],
  ["allow_users_to_change_password", (v) => `users may change: ${yesNo(v === true)}`],
  ["hard_expiry", (v) => `hard expiry: ${yesNo(v === true)}`],
];

export function describePasswordPolicy(body: Json): string {
  const required = (["lowercase_characters", "uppercase_characters", "numbers", "symbols"] as const)
    .filter((k) => body[`require_${k}`] === true)
    .map((k) => k.replace("_characters", ""));
  const parts = PASSWORD_POLICY_TEXT.filter(([k]) => body[k] !== undefined).map(([k, f]) => f(body[k]));
  parts.splice(1, 0, required.length > 0 ? `requires ${required.join(", ")}` : "requires no character classes");
  return parts.join(" · ");
}

export function genericSettings(body: Json): string {
  const parts = [...flatten(body)].map(([path, value]) => `${path} ${showValue(path, value)}`);
  return parts.length > 0 ? parts.join(" · ") : "(no settings)";
}

/** The key settings of one resource or data source, readable. */
export function describe(view: StackView, block: Block): string {
  const { body } = block;
  const user = (value: unknown) => code(view.resolve(value));
  switch (block.data ? `data.${block.type}` : block.type) {
    case "aws_iam_group": {
      const members = view.members(block.address);
      return [
        `IAM group ${code(String(body.name))} (path ${code(String(body.path ?? "/"))})`,
        `members: ${members.length > 0 ? members.map(code).join(", ") : "none"}`,
        `MFA enforced: ${yesNo(view.mfaEnforced(block.address))}`,
      ].join(" · ");
    }
    case "aws_iam_group_policy_attachment": {
      const group = view.groupAddressOf(body.group);
      const members = group ? view.members(group) : [];
      const policy = String(body.policy_arn);
      const name = /:policy\/(.+)$/.exec(policy)?.[1] ?? policy;
      const who = `group ${code(view.resolve(body.group))} (members: ${members.length > 0 ? members.map(code).join(", ") : "none"})`;
      return `${name === "AdministratorAccess" ? "**AdministratorAccess**" : `policy ${code(name)}`} → ${who}`;
    }
    case "aws_iam_group_policy": {
      const doc = view.policyDocument(body.policy);
      const mfa = denyWithoutMfa(doc);
      const exempt = mfaExemptUsers(doc);
      return `inline policy ${code(String(body.name))} of group ${code(view.resolve(body.group))}${
        mfa ? ": without MFA, denies everything but setting up one's own password and MFA device (MFA enforced)" : ""
      }${mfa && exempt.length > 0 ? ` · **MFA not required of** ${exempt.map(code).join(", ")}` : ""}`;
    }
    case "aws_iam_user": {
      const profile = view.loginProfileOf(block.address);
      const keys = view.adminUser(block.address)?.keys ?? [];
      return [
        `IAM user ${code(String(body.name))} (path ${code(String(body.path ?? "/"))})`,
        `console: ${profile ? `yes (password PGP-protected: ${yesNo(profile.body.pgp_key !== undefined)})` : "no"}`,
        `keys: ${keys.length > 0 ? keys.map((k) => `${code(k.id)} ${k.status}`).join(", ") : "none"}`,
      ].join(" · ");
    }
    case "aws_iam_user_login_profile":
      // An imported profile keeps the user's own password: the provider cannot read it, so it is not in the state.
      if (view.importBlockOf(block.address)?.forEach === undefined && view.importBlockOf(block.address))
        return `console password of ${user(body.user)} · the existing password, not in the state`;
      return [
        `console password of ${user(body.user)}`,
        `PGP-protected: ${body.pgp_key !== undefined ? `yes, ${code(describePgpKey(body.pgp_key))}` : "no (plain text in the state)"}`,
        `reset at first sign-in: ${yesNo(body.password_reset_required !== false)}`,
      ].join(" · ");
    case "aws_iam_user_group_membership":
      return `${user(body.user)} in group ${arr(body.groups)
        .map((g) => code(view.resolve(g)))
        .join(", ")}`;
    case "aws_iam_access_key": {
      const key = view.accessKey(block.address);
      return [
        `key ${code(key?.id ?? block.name)} of ${user(body.user)}`,
        `status ${str(body.status) ?? "Active"}`,
        `PGP-protected: ${body.pgp_key !== undefined ? `yes, ${code(describePgpKey(body.pgp_key))}` : "no"}`,
        `stored in Secrets Manager: ${yesNo(key?.secret !== undefined)}`,
      ].join(" · ");
    }
    case "aws_secretsmanager_secret": {
      const key = view.accessKey(block.address);
      return [
        key ? `holds key ${code(key.id)} of ${code(key.user)} (AccessKeyId, SecretAccessKey)` : "Secrets Manager secret",
        `name prefix ${code(String(body.name_prefix ?? body.name ?? "?"))}`,
        `KMS key ${body.kms_key_id !== undefined ? code(String(body.kms_key_id)) : "aws/secretsmanager (AWS managed)"}`,
      ].join(" · ");
    }
    case "aws_secretsmanager_secret_version": {
      const secret = view.refAddress(body.secret_id);
      const key = secret ? view.accessKey(secret) : undefined;
      return `${key ? `key pair of key ${code(key.id)} of ${code(key.user)}` : "secret value"} (value not shown)`;
    }
    case "aws_iam_service_linked_role": {
      const importBlock = view.importBlockOf(block.address);
      const lookup = importBlock?.forEach !== undefined ? view.refAddress(importBlock.forEach) : undefined;
      const mode =
        importBlock === undefined
          ? "**create**"
          : importBlock.forEach !== undefined
            ? `**auto** (imported when ${lookup ? code(lookup) : `the import's for_each ${code(importBlock.forEach)}`} finds it in the account, else created)`
            : `**adopt** (import id ${code(readable(importBlock.id))})`;
      const protectedRole = obj(body.lifecycle).prevent_destroy === true ? " · prevent_destroy" : "";
      return `service-linked role for ${code(String(body.aws_service_name))} · mode: ${mode}${protectedRole}`;
    }
    case "data.aws_iam_role":
      return `role ${code(String(body.name))} · mode: **reference** (data source, read only)`;
    case "data.aws_iam_roles": {
      const drives = arr(view.json.import)
        .map(obj)
        .filter((i) => view.refAddress(i.for_each) === block.address)
        .map((i) => String(i.to));
      const where =
        body.path_prefix !== undefined ? `roles under path ${code(String(body.path_prefix))}` : `roles ${genericSettings(body)}`;
      return `${where} (read)${drives.length > 0 ? ` · decides the import of ${drives.map(code).join(", ")}: imported when it lists one, else created` : ""}`;
    }
    case "aws_iam_account_alias":
      return `account alias ${code(String(body.account_alias))}`;
    case "aws_iam_account_password_policy":
      return `password policy: ${describePasswordPolicy(body)}`;
    case "aws_iam_policy": {
      const doc = view.policyDocument(body.policy);
      const statements = arr(doc?.statement).map(statementText);
      return `customer managed policy ${code(String(body.name))}${statements.length > 0 ? `: ${statements.join("; ")}` : ""}`;
    }
    case "data.aws_ssoadmin_instances":
      return "the account's IAM Identity Center instance (read; the plan fails unless there is exactly one)";
    case "aws_identitystore_group":
      return `Identity Center group ${code(String(body.display_name))} · mode: **create**`;
    case "data.aws_identitystore_group": {
      const name = lookupName(body) ?? "?";
      return `Identity Center group ${code(name)} · mode: **look up** (its members are managed where it comes from, e.g. the identity provider)`;
    }
    case "aws_identitystore_user":
      return `Identity Center user ${code(String(body.user_name))} (${String(body.display_name)}) · email ${code(String(obj(body.emails).value))}`;
    case "aws_identitystore_group_membership":
      return `${code(view.nameOf(body.member_id))} in Identity Center group ${code(view.nameOf(body.group_id))}`;
    case "aws_ssoadmin_permission_set":
      return `permission set ${code(String(body.name))} · sessions of ${String(body.session_duration ?? "PT1H")}`;
    case "aws_ssoadmin_managed_policy_attachment": {
      const policy = String(body.managed_policy_arn);
      const name = policy.slice(policy.lastIndexOf("/") + 1);
      return `${name === "AdministratorAccess" ? "**AdministratorAccess**" : `policy ${code(name)}`} → permission set ${code(view.nameOf(body.permission_set_arn))}`;
    }
    case "aws_ssoadmin_account_assignment":
      return (
        `${String(body.principal_type).toLowerCase()} ${code(view.nameOf(body.principal_id))} gets permission set ` +
        `${code(view.nameOf(body.permission_set_arn))} in account ${code(String(body.target_id))}`
      );
    default:
      return genericSettings(body);
  }
}

/** The mode of the Incident Manager service-linked role. */
export function roleMode(view: StackView): string {
  const role = view.ofType("aws_iam_service_linked_role").find((r) => r.body.aws_service_name === "ssm-incidents.amazonaws.com");
  if (role) {
    const importBlock = view.importBlockOf(role.address);
    if (importBlock === undefined) return "create";
    if (importBlock.forEach !== undefined) {
      const lookup = view.refAddress(importBlock.forEach);
      return `auto (imported when the account has it, else created; ${lookup ? code(lookup) : "the import's for_each"} looks it up)`;
    }
    return `adopt (import id ${code(readable(importBlock.id))})`;
  }
  if (view.data.some((d) => d.type === "aws_iam_role" && d.body.name === "AWSServiceRoleForIncidentManager"))
    return "reference (data source)";
  const forgotten = view.forgotten().filter((a) => a.startsWith("aws_iam_service_linked_role."));
  return forgotten.length > 0
    ? `forgotten (${forgotten.map(code).join(", ")}: a removed block, the role stays in AWS, no longer managed)`
    : "not managed";
}

export function describeBackend(stack: Json, name: string): string {
  const [type, config] = Object.entries(obj(obj(stack.terraform).backend))[0] ?? ["local", {}];
  const c = obj(config);
  if (type === "local") {
    const path = str(c.path);
    if (!path) return `local ${code(`terraform.tfstate`)} (in the stack folder)`;
    return `local ${code(path.startsWith("/") ? path : posix.normalize(`cdktf.out/stacks/${name}/${path}`))}`;
  }
  if (type === "s3") {
    const extras = [
      c.region !== undefined ? `region ${String(c.region)}` : undefined,
      c.encrypt === true ? "encrypted" : "not encrypted",
      c.use_lockfile === true ? "S3 lockfile" : undefined,
      c.dynamodb_table !== undefined ? `DynamoDB lock table ${code(String(c.dynamodb_table))}` : undefined,
    ].filter((x): x is string => x !== undefined);
    return `s3 ${code(`s3://${String(c.bucket)}/${String(c.key)}`)} (${extras.join(", ")})`;
  }
  return `${type} ${genericSettings(c)}`;
}
