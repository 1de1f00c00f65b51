// Reading a stack's JSON: its blocks and the relations between them (group members, key and secret);
// describe.ts says what each does. Part of npm run review; scripts/review-lib.ts re-exports the public API.
import { arr, compare, obj, sorted, str, withoutMeta } from "./helpers";
import { Json, ReviewWarning } from "./types";
import { EXISTING_ADMINISTRATORS_OUTPUT, SECRETS_OUTPUT, USERS_OUTPUT } from "../../modules/app/stacks/setup-stack";

// ---------------------------------------------------------------------------------------------
// Reading a stack's JSON

export interface Block {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly data: boolean;
  /** As synthesized, "//" included. */
  readonly raw: Json;
  readonly body: Json;
}

export function blocks(stack: Json, data: boolean): Block[] {
  const out: Block[] = [];
  for (const [type, byName] of Object.entries(obj(stack[data ? "data" : "resource"]))) {
    for (const [name, raw] of Object.entries(obj(byName))) {
      out.push({ address: `${data ? "data." : ""}${type}.${name}`, type, name, data, raw: obj(raw), body: withoutMeta(raw) });
    }
  }
  return out.sort((x, y) => compare(x.address, y.address));
}

/** The stack's name: CDKTF's metadata, else `fallback`. */
export function stackName(stack: Json, fallback = "stack"): string {
  return str(obj(obj(stack["//"]).metadata).stackName) ?? fallback;
}

/** `${type.name.attr}` (or `${data.type.name.attr}`) -> [address, attr]. */
export function parseRef(value: unknown): [string, string] | undefined {
  const m = typeof value === "string" ? /^\$\{((?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(value) : null;
  return m ? [m[1], m[2]] : undefined;
}

// ---------------------------------------------------------------------------------------------
// What the stack records: its outputs name the admin group and, per admin user, the user, the
// login profile, and each access key with its id and secret. The review reads those relations
// from there (the references in the outputs), not by matching names or construct paths.

export interface AccessKeyModel {
  /** The key's id in the configuration (`accessKeys[].id`). */
  readonly id: string;
  readonly status: string;
  readonly key?: string;
  /** The aws_secretsmanager_secret that holds the key pair. */
  readonly secret?: string;
}

export interface AdminUserModel {
  readonly name: string;
  readonly user?: string;
  readonly loginProfile?: string;
  readonly keys: readonly AccessKeyModel[];
}

export interface AdminModel {
  /** The address of the administrators group (output `admin_group_name`). */
  readonly group?: string;
  /** By user name, sorted. */
  readonly users: readonly AdminUserModel[];
}

/** The admin group, users, login profiles, keys and secrets the stack's outputs point to. */
export function adminModel(stack: Json): AdminModel {
  const outputs = obj(stack.output);
  const value = (name: string) => obj(obj(outputs[name]).value);
  const at = (v: unknown) => parseRef(v)?.[0];
  const secrets = value(SECRETS_OUTPUT);
  const users = Object.entries(value(USERS_OUTPUT)).map(([name, raw]): AdminUserModel => {
    const entry = obj(raw);
    const plain = obj(secrets[name]);
    const loginProfile = at(entry.encrypted_password) ?? at(plain.password);
    const keys = Object.entries(obj(entry.access_keys)).map(([id, k]): AccessKeyModel => {
      const key = obj(k);
      const secret = at(key.secret_arn);
      const address = at(key.id);
      return { id, status: str(key.status) ?? "Active", ...(address ? { key: address } : {}), ...(secret ? { secret } : {}) };
    });
    const user = at(entry.arn);
    return { name, ...(user ? { user } : {}), ...(loginProfile ? { loginProfile } : {}), keys };
  });
  const group = at(obj(outputs.admin_group_name).value);
  return { ...(group ? { group } : {}), users: users.sort((a, b) => compare(a.name, b.name)) };
}

export class StackView {
  readonly resources: Block[];
  readonly data: Block[];
  private readonly byAddress = new Map<string, Block>();

  readonly model: AdminModel;

  constructor(readonly json: Json) {
    this.model = adminModel(json);
    this.resources = blocks(json, false);
    this.data = blocks(json, true);
    for (const b of [...this.resources, ...this.data]) this.byAddress.set(b.address, b);
  }

  block(address: string): Block | undefined {
    return this.byAddress.get(address);
  }

  /** The literal a reference points to (`${aws_iam_user.X.name}` -> "alice"), else the text as is. */
  resolve(value: unknown): string {
    const ref = parseRef(value);
    const target = ref && str(this.block(ref[0])?.body[ref[1]]);
    return target ?? (typeof value === "string" ? value : JSON.stringify(value));
  }

  /** The address a reference points to. */
  refAddress(value: unknown): string | undefined {
    return parseRef(value)?.[0];
  }

  ofType(type: string): Block[] {
    return this.resources.filter((b) => b.type === type);
  }

  /** The policy document a `${data.aws_iam_policy_document.X.json}` reference points to. */
  policyDocument(value: unknown): Json | undefined {
    const address = this.refAddress(value);
    return address?.startsWith("data.aws_iam_policy_document.") ? this.block(address)?.body : undefined;
  }

  /** Names of the users in a group: the admin users, when it is the stack's admin group. */
  members(groupAddress: string): string[] {
    return groupAddress === this.model.group ? this.model.users.map((u) => u.name) : [];
  }

  groupAddressOf(value: unknown): string | undefined {
    return this.refAddress(value) ?? this.ofType("aws_iam_group").find((g) => g.body.name === value)?.address;
  }

  /** Whether an inline policy of the group denies requests made without MFA. */
  mfaEnforced(groupAddress: string): boolean {
    return this.ofType("aws_iam_group_policy").some(
      (p) => this.groupAddressOf(p.body.group) === groupAddress && denyWithoutMfa(this.policyDocument(p.body.policy)),
    );
  }

  /**
   * The name of what a reference points to, for Identity Center resources: a user's user_name, a
   * group's display_name (or the name it is looked up by), a permission set's name.
   */
  nameOf(value: unknown): string {
    const block = this.block(this.refAddress(value) ?? "");
    const body = block?.body ?? {};
    const lookup = lookupName(body);
    return str(body.user_name) ?? str(body.display_name) ?? lookup ?? str(body.name) ?? (typeof value === "string" ? value : "?");
  }

  /** The admin user the stack records for a user resource. */
  adminUser(userAddress: string): AdminUserModel | undefined {
    return this.model.users.find((u) => u.user === userAddress);
  }

  loginProfileOf(userAddress: string): Block | undefined {
    const address = this.adminUser(userAddress)?.loginProfile;
    return address ? this.block(address) : undefined;
  }

  /** An access key as the stack records it, with its user's name, by key or secret address. */
  accessKey(address: string): (AccessKeyModel & { user: string }) | undefined {
    for (const user of this.model.users) {
      const key = user.keys.find((k) => k.key === address || k.secret === address);
      if (key) return { ...key, user: user.name };
    }
    return undefined;
  }

  importOf(address: string): string | undefined {
    return this.importBlockOf(address)?.id;
  }

  /**
   * The import block of a resource: its id, and `for_each` when the import is conditional (the
   * service-linked role in auto mode: imported once per ARN a lookup finds, so only when it exists).
   */
  importBlockOf(address: string): { readonly id: string; readonly forEach?: string } | undefined {
    const block = arr(this.json.import)
      .map(obj)
      .find((i) => i.to === address);
    if (!block) return undefined;
    const forEach = str(block.for_each);
    return { id: String(block.id), ...(forEach !== undefined ? { forEach } : {}) };
  }

  /** The addresses the stack's `removed` blocks forget (lifecycle.destroy = false), sorted. */
  forgotten(): string[] {
    return forgottenAddresses(this.json);
  }
}

/** The addresses a stack's `removed` blocks forget (`lifecycle { destroy = false }`), sorted. */
export function forgottenAddresses(stack: Json): string[] {
  return sorted(
    arr(stack.removed)
      .map(obj)
      .filter((r) => obj(r.lifecycle).destroy === false)
      .map((r) => str(r.from))
      .filter((from): from is string => from !== undefined),
  );
}

/**
 * A retired stack (`retire: true` on an account or identityCenter): the provider and the backend of
 * its state, no resource and no data source, and `removed` blocks for what is kept. Its plan
 * destroys everything else the state holds. Undefined for a live stack.
 */
export function retiredOf(stack: Json): { readonly forgets: readonly string[] } | undefined {
  const declares = (kind: string) => Object.values(obj(stack[kind])).some((byName) => Object.keys(obj(byName)).length > 0);
  if (declares("resource") || declares("data") || Object.keys(obj(stack.provider)).length === 0) return undefined;
  return { forgets: forgottenAddresses(stack) };
}

/** Who administers the account outside this app, as the configuration says (`existingAdministrators`). */
export function existingAdministratorsOf(stack: Json): string | undefined {
  return str(obj(obj(stack.output)[EXISTING_ADMINISTRATORS_OUTPUT]).value);
}

/** The value an Identity Store data source looks its group or user up by (`alternate_identifier`). */
export function lookupName(body: Json): string | undefined {
  return str(obj(obj(body.alternate_identifier).unique_attribute).attribute_value);
}

export function denyWithoutMfa(doc: Json | undefined): boolean {
  return arr(doc?.statement).some(
    (s) => obj(s).effect === "Deny" && arr(obj(s).condition).some((c) => obj(c).variable === "aws:MultiFactorAuthPresent"),
  );
}

/**
 * The warnings grouped by the stack their path begins with (`<stack>` or `<stack>/...`), each
 * group in the given order: a stack's are then `warningsOf(stack, groups.get(stack) ?? [])`.
 */
export function warningsByStack(warnings: readonly ReviewWarning[]): Map<string, ReviewWarning[]> {
  const groups = new Map<string, ReviewWarning[]>();
  for (const w of warnings) {
    const stack = w.path.split("/")[0];
    const group = groups.get(stack);
    if (group) group.push(w);
    else groups.set(stack, [w]);
  }
  return groups;
}

export function warningsOf(stack: string, warnings: readonly ReviewWarning[]): ReviewWarning[] {
  return warnings
    .filter((w) => w.path === stack || w.path.startsWith(`${stack}/`))
    .sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
}
