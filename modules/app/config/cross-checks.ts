// Rules across entries of the configuration (unique names, assignTo targets, acknowledgements' places):
// they run even when single fields are wrong, so every problem is reported at once.
import { z } from "zod";
import { COMPARISON_IDS, WarningId } from "../../core/warnings";
import { partitionOf, partitionOfArn } from "../../core/arns";
import { ACCOUNT_ID, ROLE_ARN, SECRET_STORE_WITH_PGP_RULE } from "../../core/aws-rules";
import { accessKeyId } from "./account-schema";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function records(value: unknown): [Record<string, unknown>, number][] {
  return Array.isArray(value) ? value.flatMap((v, i) => (isRecord(v) ? [[v, i] as [Record<string, unknown>, number]] : [])) : [];
}

export function crossChecks(config: Record<string, unknown>, ctx: z.core.$RefinementCtx<unknown>) {
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  const backend = isRecord(config.backend) ? config.backend : {};
  if (backend.type === "s3" && typeof backend.key === "string" && !backend.key.includes("{stack}") && records(config.accounts).length > 1) {
    issue(
      ["backend", "key"],
      backend.key,
      'must contain "{stack}" when there is more than one account (each stack needs its own ' +
        'state), e.g. "incident-manager/{stack}.tfstate"',
    );
  }
  const identityCenter = isRecord(config.identityCenter) ? config.identityCenter : undefined;
  const assigned = identityCenter ? identityCenterChecks(identityCenter, records(config.accounts), issue) : new Set<unknown>();
  const stacks = new Map<string, number>();
  for (const [account, a] of records(config.accounts)) {
    if (typeof account.name === "string") {
      const first = stacks.get(account.name);
      if (first !== undefined) {
        issue(["accounts", a, "name"], account.name, `is already the name of accounts[${first}] (stack names must be unique)`);
      } else stacks.set(account.name, a);
    }

    const { accountId, assumeRoleArn } = account;
    // Every ARN of the account must be in the partition of its region: a role or key of another
    // partition cannot be used there (cn-north-1 is aws-cn, an arn:aws: role is not).
    const accountPartition = typeof account.region === "string" ? partitionOf(account.region) : undefined;
    const inPartition = (path: PropertyKey[], arn: unknown) => {
      if (accountPartition === undefined || typeof arn !== "string" || !arn.startsWith("arn:")) return;
      const arnPartition = partitionOfArn(arn);
      if (arnPartition !== accountPartition) {
        issue(path, arn, `is in partition ${arnPartition}, but region ${account.region as string} is in partition ${accountPartition}`);
      }
    };
    inPartition(["accounts", a, "assumeRoleArn"], assumeRoleArn);
    inPartition(["accounts", a, "planRoleArn"], account.planRoleArn);
    roleOfAccount(issue, ["accounts", a, "planRoleArn"], account.planRoleArn, accountId);
    if (backend.type === "s3" && typeof backend.key === "string" && backend.key.includes("{accountId}") && accountId === undefined) {
      issue(["accounts", a, "accountId"], undefined, '(required: backend.key contains "{accountId}", the account of this stack\'s state)');
    }
    if (typeof accountId === "string" && ACCOUNT_ID.pattern.test(accountId)) {
      roleOfAccount(issue, ["accounts", a, "assumeRoleArn"], assumeRoleArn, accountId);
    }
    if (
      Array.isArray(account.adminUsers) &&
      account.adminUsers.length === 0 &&
      !assigned.has(account.name) &&
      account.existingAdministrators === undefined &&
      account.retire !== true
    ) {
      issue(
        ["accounts", a, "adminUsers"],
        account.adminUsers,
        "is empty, and identityCenter does not assign this account: nobody could administer it " +
          "(list an admin user, add the account to identityCenter.assignTo, or, when its administrators exist already, " +
          "say who they are in existingAdministrators)",
      );
    }
    if (assigned.has(account.name) && accountId === undefined) {
      issue(
        ["accounts", a, "accountId"],
        undefined,
        "(required: identityCenter assigns the permission set in this account, and an assignment targets the account id)",
      );
    }
    const icPartition = typeof identityCenter?.region === "string" ? partitionOf(identityCenter.region) : undefined;
    if (assigned.has(account.name) && icPartition && accountPartition && icPartition !== accountPartition) {
      issue(
        ["accounts", a, "region"],
        account.region,
        `is in partition ${accountPartition}, but identityCenter.region ${String(identityCenter?.region)} is in partition ${icPartition} ` +
          "(Identity Center assigns only accounts of its own partition)",
      );
    }

    const incidentManager = isRecord(account.incidentManager) ? account.incidentManager : {};
    if (incidentManager.serviceLinkedRole === "adopt" && accountId === undefined) {
      issue(
        ["accounts", a, "accountId"],
        undefined,
        '(required when incidentManager.serviceLinkedRole is "adopt": the import id is the role\'s ARN in that account, ' +
          "and the provider then refuses credentials of any other account through allowed_account_ids)",
      );
    }

    const users = new Map<string, number>();
    const userList = records(account.adminUsers);
    for (const [user, u] of userList) {
      if (typeof user.name !== "string") continue;
      const name = user.name;
      const same = users.get(name.toLowerCase());
      if (same !== undefined) {
        issue(
          ["accounts", a, "adminUsers", u, "name"],
          name,
          `is the same IAM user as adminUsers[${same}].name ` +
            `${JSON.stringify((account.adminUsers as { name: string }[])[same].name)} (IAM user names are case-insensitive)`,
        );
      }
      users.set(name.toLowerCase(), u);

      if (user.requireMfa === false && user.console !== false) {
        issue(
          ["accounts", a, "adminUsers", u, "requireMfa"],
          false,
          "is only allowed for a user without console access (console: false): an administrator who signs in to the console must use MFA",
        );
      }

      const keys = records(user.accessKeys);
      const active = keys.filter(([key]) => key.status === undefined || key.status === "Active");
      if (active.length > 1 && user.keyRotationInProgress !== true) {
        issue(
          ["accounts", a, "adminUsers", u, "accessKeys"],
          user.accessKeys,
          "has two Active keys: at most one may be Active outside a rotation (CIS 1.13); set " +
            "keyRotationInProgress: true while clients switch, or make the old key Inactive",
        );
      }
      const keyIds = new Map<string, number>();
      for (const [key, k] of keys) {
        inPartition(["accounts", a, "adminUsers", u, "accessKeys", k, "kmsKeyId"], key.kmsKeyId);
        if (key.secretStore !== undefined && key.pgpKey !== undefined) {
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k, "secretStore"],
            key.secretStore,
            `${SECRET_STORE_WITH_PGP_RULE}; use one of them`,
          );
        }
        if (key.kmsKeyId !== undefined && key.secretStore === undefined) {
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k, "kmsKeyId"],
            key.kmsKeyId,
            'is only used with secretStore: "secretsmanager"',
          );
        }
        const id = accessKeyId(key as { id?: string }, k);
        const dup = keyIds.get(id);
        if (dup !== undefined) {
          const given = typeof key.id === "string" ? "" : ` (the default for key ${k + 1})`;
          issue(
            ["accounts", a, "adminUsers", u, "accessKeys", k],
            key,
            `has the id "${id}"${given}, which accessKeys[${dup}] already has (key ids must be unique per user; set "id" on both keys)`,
          );
        } else keyIds.set(id, k);
      }
    }
    const adopted = userList.filter(([user]) => user.adopt === true).map(([, u]) => ["adminUsers", u, "adopt"]);
    if (isRecord(account.adminGroup) && account.adminGroup.adopt === true) adopted.unshift(["adminGroup", "adopt"]);
    for (const path of accountId === undefined ? adopted : []) {
      issue(
        ["accounts", a, ...path],
        true,
        "needs accountId on the account: an import takes over whatever has this name in the account the credentials reach, " +
          "and accountId (allowed_account_ids) makes sure that is this account",
      );
    }
  }
  acknowledgementChecks(config, identityCenter, issue);
}

/** `acknowledge[].account` names a stack, and `user` a user of that stack (of any stack without `account`). */
function acknowledgementChecks(config: Record<string, unknown>, ic: Record<string, unknown> | undefined, issue: Issue): void {
  const usersOf = new Map<unknown, Set<string>>();
  for (const [account] of records(config.accounts)) {
    usersOf.set(account.name, new Set(records(account.adminUsers).map(([u]) => String(u.name).toLowerCase())));
  }
  if (ic) usersOf.set(ic.name ?? "identity-center", new Set(records(ic.users).map(([u]) => String(u.userName).toLowerCase())));
  for (const [ack, i] of records(config.acknowledge)) {
    if (typeof ack.account === "string" && !usersOf.has(ack.account)) {
      const known = [...usersOf.keys()].map((n) => JSON.stringify(n)).join(", ");
      issue(["acknowledge", i, "account"], ack.account, `is not the name of a stack (stacks: ${known})`);
      continue;
    }
    // A deletion or replacement may be of a user who is no longer configured (taken out, renamed).
    if (typeof ack.user !== "string" || COMPARISON_IDS.includes(ack.id as WarningId)) continue;
    const scope = typeof ack.account === "string" ? [usersOf.get(ack.account)] : [...usersOf.values()];
    if (!scope.some((users) => users?.has(String(ack.user).toLowerCase()))) {
      const where = typeof ack.account === "string" ? `stack ${JSON.stringify(ack.account)}` : "any stack";
      issue(["acknowledge", i, "user"], ack.user, `is not a user of ${where} (adminUsers[].name or identityCenter.users[].userName)`);
    }
  }
}

type Issue = (path: PropertyKey[], input: unknown, message: string) => void;

/** A role (a well-formed role ARN) of another account than the entry's `accountId`: the provider would fail to assume it. */
function roleOfAccount(issue: Issue, path: PropertyKey[], arn: unknown, accountId: unknown): void {
  if (typeof accountId !== "string" || typeof arn !== "string" || !ROLE_ARN.pattern.test(arn)) return;
  const roleAccount = arn.split(":")[4];
  if (roleAccount !== accountId) issue(path, arn, `is a role in account ${roleAccount}, not in accountId ${accountId}`);
}

/** The rules of `identityCenter` across entries; returns the names of the accounts it assigns. */
function identityCenterChecks(ic: Record<string, unknown>, accounts: [Record<string, unknown>, number][], issue: Issue): Set<unknown> {
  const names = new Map(accounts.map(([account, a]) => [account.name, a]));
  const name = ic.name ?? "identity-center";
  if (names.has(name)) {
    issue(["identityCenter", "name"], name, `is already the name of accounts[${names.get(name)}] (stack names must be unique)`);
  }
  const { accountId, assumeRoleArn } = ic;
  roleOfAccount(issue, ["identityCenter", "assumeRoleArn"], assumeRoleArn, accountId);
  roleOfAccount(issue, ["identityCenter", "planRoleArn"], ic.planRoleArn, accountId);
  const partition = typeof ic.region === "string" ? partitionOf(ic.region) : undefined;
  if (partition && typeof assumeRoleArn === "string" && assumeRoleArn.startsWith("arn:") && partitionOfArn(assumeRoleArn) !== partition) {
    issue(
      ["identityCenter", "assumeRoleArn"],
      assumeRoleArn,
      `is in partition ${partitionOfArn(assumeRoleArn)}, but region ${ic.region as string} is in partition ${partition}`,
    );
  }

  if (partition !== undefined && partition !== "aws" && ic.accessPortalUrl === undefined) {
    issue(
      ["identityCenter", "accessPortalUrl"],
      undefined,
      `(required in partition ${partition}: the default https://<identity store id>.awsapps.com/start is the commercial ` +
        "partition's form; copy the URL from the Identity Center console, Settings)",
    );
  }

  const users = new Map<string, number>();
  for (const [user, u] of records(ic.users)) {
    if (typeof user.userName !== "string") continue;
    const same = users.get(user.userName.toLowerCase());
    if (same !== undefined) {
      issue(
        ["identityCenter", "users", u, "userName"],
        user.userName,
        `is the same user as users[${same}].userName (Identity Center user names are unique ignoring case)`,
      );
    } else users.set(user.userName.toLowerCase(), u);
  }
  const group = isRecord(ic.group) ? ic.group : {};
  if (group.existing !== true && Array.isArray(ic.users) && ic.users.length === 0) {
    issue(
      ["identityCenter", "users"],
      ic.users,
      "must list at least one user when the group is created (group.existing: false): an empty group gives nobody access",
    );
  }

  const retired = new Set(accounts.filter(([account]) => account.retire === true).map(([account]) => account.name));
  // A retired Identity Center assigns nothing: an account that had only its administrators needs others.
  if (ic.retire === true) return new Set();
  if (ic.assignTo === undefined) return new Set([...names.keys()].filter((n) => !retired.has(n)));
  const assigned = new Set<unknown>();
  (Array.isArray(ic.assignTo) ? ic.assignTo : []).forEach((target: unknown, t: number) => {
    if (typeof target !== "string") return;
    if (!names.has(target)) {
      const known = [...names.keys()].map((n) => JSON.stringify(n)).join(", ");
      issue(["identityCenter", "assignTo", t], target, `is not the name of an entry of accounts[] (names: ${known})`);
    } else if (assigned.has(target)) {
      issue(["identityCenter", "assignTo", t], target, "is listed twice");
    } else if (retired.has(target)) {
      issue(["identityCenter", "assignTo", t], target, "is retired (retire: true): take it out of assignTo, which removes its assignment");
    }
    assigned.add(target);
  });
  return assigned;
}
