// The logic of `npm run review` (scripts/review.ts): what a reviewer of a pull request needs to
// know about the synthesized stacks, as Markdown. Everything here works on the synthesized JSON
// (`cdktf.out/stacks/<name>/cdk.tf.json`), the synth warnings and, when there is one, the JSON
// of an offline plan (`terraform show -json`); only loadOutdir and loadPlan read files.
//
// Secrets: the synthesized JSON holds no secret values, yet nothing here prints the value of a
// sensitive output, nor in full any attribute named like a secret, a password or a PGP key
// (a PGP key is shown as `keybase:<user>` or `(base64 PGP key, N chars, sha256 <8 hex>)`).
import { REPLACEMENT_CONSEQUENCE, replacementCauses } from "../modules/replacements";
import { PlanCounts, PlanDocument, countPlannedChanges, plannedChangesText } from "./lib/plan-json";

/** The plan document the review reads (scripts/lib/plan-json.ts). */
export type PlanJson = PlanDocument;
export { countPlannedChanges, plannedChangesText };
import { SECRETS_OUTPUT, USERS_OUTPUT } from "../modules/incident-manager-setup-stack";
import { createHash } from "crypto";
import { existsSync, readFileSync, readdirSync } from "fs";
import { join, posix } from "path";

/** A JSON object. */
export type Json = { [key: string]: unknown };

/** A warning recorded on a construct (as synthesize() returns them, or manifest.json holds them). */
export interface ReviewWarning {
  readonly path: string;
  readonly message: string;
}

/** One synthesized cdktf.out folder: the stacks' JSON by name, and the warnings. */
export interface SynthOutput {
  readonly stacks: Readonly<Record<string, Json>>;
  readonly warnings: readonly ReviewWarning[];
}

/** A row of a stack's resource table. */
export interface ResourceRow {
  /** `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  /** The key settings, readable. */
  readonly settings: string;
  /** What the plan does to it (only with a plan). */
  readonly planned?: string;
}

/** Who gets AdministratorAccess in a stack. */
export interface AdminAccess {
  readonly group: string;
  readonly members: readonly string[];
  readonly mfaEnforced: boolean;
}

/** Everything the review says about one stack (account). */
export interface StackSummary {
  readonly stack: string;
  readonly region?: string;
  /** allowed_account_ids of the provider (the configured accountId). */
  readonly accountIds: readonly string[];
  readonly assumeRoleArn?: string;
  /** e.g. "local `terraform.x.tfstate`" or "s3 `s3://bucket/key` (...)". */
  readonly backend: string;
  readonly adminAccess: readonly AdminAccess[];
  /** create, adopt (import id ...), reference (data source), or "not managed". */
  readonly serviceLinkedRole: string;
  /** Managed resources and the data sources worth reviewing, sorted by address. */
  readonly resources: readonly ResourceRow[];
  /** Number of managed resources. */
  readonly resourceCount: number;
  readonly outputs: readonly { readonly name: string; readonly sensitive: boolean }[];
  /** The stack's warnings, sorted by path, then message. */
  readonly warnings: readonly ReviewWarning[];
  readonly source: "plan" | "synth";
  readonly planned?: PlanCounts;
  /** With a plan: resources it would destroy that are not in the synthesized JSON. */
  readonly plannedDestroyOnly?: readonly string[];
  /** With a plan: synthesized resources the plan does not mention (the plan is older than the JSON). */
  readonly notInPlan?: readonly string[];
}

/** The comparison of one stack with the base. */
export interface StackChange {
  readonly stack: string;
  readonly change: "added" | "removed" | "changed";
  /** `+ address`, `- address`, `~ address: attribute old -> new`, `+ output name`, ... */
  readonly lines: readonly string[];
  /** Managed resources of an added or removed stack. */
  readonly resourceCount: number;
  readonly warningsAdded: readonly string[];
  readonly warningsRemoved: readonly string[];
}

/** The comparison of the head with the base: only stacks that differ, sorted by name. */
export interface ReviewDiff {
  readonly stacks: readonly StackChange[];
}

/** What {@link renderMarkdown} renders. */
export interface ReviewInput {
  readonly summaries: readonly StackSummary[];
  /** The comparison with a base, when one was given. */
  readonly diff?: ReviewDiff;
  /** What the base was, e.g. git `main` (commit abc1234). */
  readonly baseLabel?: string;
  /** The configuration file, as shown. */
  readonly configLabel?: string;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const SOURCE_PLAN = "source: terraform plan (offline)";
const SOURCE_SYNTH = "source: synthesized cdk.tf.json (no plan available; run npm run plan:offline)";

/** Data sources that only feed other blocks (their content is shown where it is used). */
const PLUMBING_DATA = new Set(["aws_caller_identity", "aws_partition", "aws_iam_policy_document"]);

/** Attribute names whose string values are never shown. */
const SECRET_NAME = /secret|password|passwd|private|token|credential/i;
const PGP_NAME = /pgp/i;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Code order, not locale order: the same everywhere. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort(compare);
}

/** `value` as inline code. */
function code(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}

function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A body without CDKTF's `"//"` metadata (and Checkov skips). */
function withoutMeta(body: unknown): Json {
  const rest = { ...obj(body) };
  delete rest["//"];
  return rest;
}

function checkovSkips(body: unknown): string[] {
  // The record the app keeps beside CDKTF's metadata (Checkov itself reads .checkov.yaml).
  return arr(obj(obj(body)["//"]).deviations)
    .map((s) => str(obj(s).checkov))
    .filter((id): id is string => id !== undefined);
}

/** How a PGP key is shown: `keybase:<user>`, or its kind, length and a short hash. */
export function describePgpKey(value: unknown): string {
  if (typeof value !== "string") return "(PGP key)";
  if (/^keybase:[A-Za-z0-9_-]{1,64}$/.test(value)) return value;
  if (value.includes("${")) return `(PGP key from an expression, ${value.length} chars)`;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 8);
  return `(base64 PGP key, ${value.length} chars, sha256 ${hash})`;
}

function leafName(path: string): string {
  const last = path.split(/[.[]/).pop() ?? path;
  return last.replace(/["\]]/g, "");
}

/** The attribute is never shown in full: a secret, a password or a PGP key. */
export function isSecretAttribute(name: string): boolean {
  return SECRET_NAME.test(name) || PGP_NAME.test(name);
}

const MAX_SHOWN = 160;

/**
 * How an attribute value is shown: JSON, shortened past {@link MAX_SHOWN} characters; strings of
 * secret-like attributes hidden, PGP keys described. `full` turns shortening off.
 */
export function showValue(path: string, value: unknown, full = false): string {
  if (value === undefined) return "(none)";
  const name = leafName(path);
  if (PGP_NAME.test(name)) return describePgpKey(value);
  if (SECRET_NAME.test(name) && typeof value !== "boolean" && typeof value !== "number" && value !== null) {
    return `(hidden, ${typeof value === "string" ? `${value.length} chars` : "not a string"})`;
  }
  const text = JSON.stringify(value);
  return !full && text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 10)}… (${text.length} chars)` : text;
}

/** Flattens a body into `attribute path -> leaf value`; arrays of plain values stay leaves. */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  const join = (key: string) => (/^[A-Za-z0-9_-]+$/.test(key) ? (prefix ? `${prefix}.${key}` : key) : `${prefix}[${JSON.stringify(key)}]`);
  if (isObject(value)) {
    const keys = sorted(Object.keys(value));
    if (keys.length === 0 && prefix) out.set(prefix, {});
    for (const key of keys) flatten(value[key], join(key), out);
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === "object")) {
    if (value.length === 0 && prefix) out.set(prefix, []);
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** `path old -> new`, never showing a hidden value (two equal renderings say only "changed"). */
function changeText(path: string, before: unknown, after: unknown, hideValues = false): string {
  if (hideValues) return `${path} changed (sensitive, not shown)`;
  let a = showValue(path, before);
  let b = showValue(path, after);
  if (a === b) {
    a = showValue(path, before, true);
    b = showValue(path, after, true);
  }
  return a === b ? `${path} changed (value hidden)` : `${path} ${a} -> ${b}`;
}

/**
 * The changes between two bodies, one `attribute old -> new` per leaf, sorted by attribute; a
 * change Terraform ignores on an existing resource (lifecycle.ignore_changes) says so.
 */
function bodyChanges(before: Json, after: Json, hide: (path: string) => boolean = () => false): string[] {
  const a = flatten(before, "", new Map());
  const b = flatten(after, "", new Map());
  const ignored = new Set(arr(obj(after.lifecycle).ignore_changes).map(String));
  const lines: string[] = [];
  for (const path of sorted(new Set([...a.keys(), ...b.keys()]))) {
    const x = a.get(path);
    const y = b.get(path);
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const top = path.split(/[.[]/)[0];
    const note = ignored.has(top) ? " (in lifecycle.ignore_changes: no effect on the existing resource)" : "";
    lines.push(`${changeText(path, x, y, hide(path))}${note}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Reading a stack's JSON

interface Block {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly data: boolean;
  /** As synthesized, "//" included. */
  readonly raw: Json;
  readonly body: Json;
}

function blocks(stack: Json, data: boolean): Block[] {
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
function parseRef(value: unknown): [string, string] | undefined {
  const m = typeof value === "string" ? /^\$\{((?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}$/.exec(value) : null;
  return m ? [m[1], m[2]] : undefined;
}

class StackView {
  readonly resources: Block[];
  readonly data: Block[];
  private readonly byAddress = new Map<string, Block>();

  constructor(readonly json: Json) {
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

  /** Names of the users in a group (through aws_iam_user_group_membership), sorted. */
  members(groupAddress: string): string[] {
    return sorted(
      this.ofType("aws_iam_user_group_membership")
        .filter((m) => arr(m.body.groups).some((g) => this.refAddress(g) === groupAddress || g === this.block(groupAddress)?.body.name))
        .map((m) => this.resolve(m.body.user)),
    );
  }

  groupAddressOf(value: unknown): string | undefined {
    const address = this.refAddress(value);
    if (address) return address;
    return this.ofType("aws_iam_group").find((g) => g.body.name === value)?.address;
  }

  /** Whether an inline policy of the group denies requests made without MFA. */
  mfaEnforced(groupAddress: string): boolean {
    return this.ofType("aws_iam_group_policy").some(
      (p) =>
        this.groupAddressOf(p.body.group) === groupAddress &&
        (denyWithoutMfa(this.policyDocument(p.body.policy)) || /mfa/i.test(String(p.body.name))),
    );
  }

  loginProfileOf(userAddress: string): Block | undefined {
    return this.ofType("aws_iam_user_login_profile").find((p) => this.refAddress(p.body.user) === userAddress);
  }

  keysOf(userAddress: string): Block[] {
    return this.ofType("aws_iam_access_key").filter((k) => this.refAddress(k.body.user) === userAddress);
  }

  /** The aws_secretsmanager_secret that holds a key pair (through its secret version). */
  secretOfKey(keyAddress: string): Block | undefined {
    const version = this.ofType("aws_secretsmanager_secret_version").find((v) =>
      String(v.body.secret_string ?? "").includes(`${keyAddress}.`),
    );
    return version ? this.block(this.refAddress(version.body.secret_id) ?? "") : undefined;
  }

  /** The key an aws_secretsmanager_secret (or its version) holds. */
  keyOfSecret(secretAddress: string): Block | undefined {
    return this.ofType("aws_iam_access_key").find((k) => this.secretOfKey(k.address)?.address === secretAddress);
  }

  importOf(address: string): string | undefined {
    const block = arr(this.json.import)
      .map(obj)
      .find((i) => i.to === address);
    return block ? String(block.id) : undefined;
  }
}

/** An expression made readable: the partition and the caller's account id as placeholders. */
function readable(expression: string): string {
  return expression
    .replace(/\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}/g, "<partition>")
    .replace(/\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+\.account_id\}/g, "<account of the credentials>");
}

function denyWithoutMfa(doc: Json | undefined): boolean {
  return arr(doc?.statement).some(
    (s) => obj(s).effect === "Deny" && arr(obj(s).condition).some((c) => obj(c).variable === "aws:MultiFactorAuthPresent"),
  );
}

/** Users the MFA denies leave out (a StringNotEquals condition on aws:username), sorted. */
function mfaExemptUsers(doc: Json | undefined): string[] {
  const names = arr(doc?.statement)
    .filter((s) => obj(s).effect === "Deny")
    .flatMap((s) => arr(obj(s).condition).map(obj))
    .filter((c) => c.variable === "aws:username" && c.test === "StringNotEquals")
    .flatMap((c) => arr(c.values).map(String));
  return sorted([...new Set(names)]);
}

/** The id of an access key: `.../AccessKey-<id>/Resource` in the metadata, else in the logical id. */
function keyId(key: Block): string {
  const path = str(obj(obj(key.raw["//"]).metadata).path);
  const fromPath = path ? /\/AccessKey-([^/]+)\/Resource$/.exec(path)?.[1] : undefined;
  return fromPath ?? /_AccessKey-([a-z0-9-]+)_[0-9A-F]{8}$/.exec(key.name)?.[1] ?? key.name;
}

function keyStatus(key: Block): string {
  return str(key.body.status) ?? "Active";
}

function statementText(statement: unknown): string {
  const s = obj(statement);
  const actions =
    arr(s.actions).length > 0 ? arr(s.actions).join(", ") : `everything except ${plural(arr(s.not_actions).length, "action")}`;
  const conditions = arr(s.condition)
    .map((c) => `${String(obj(c).variable)} ${String(obj(c).test)} ${arr(obj(c).values).join("|")}`)
    .join(", ");
  return `${String(s.effect ?? "Allow")} ${actions}${conditions ? ` if ${conditions}` : ""}`;
}

const PASSWORD_POLICY_TEXT: [string, (v: unknown) => string][] = [
  ["minimum_password_length", (v) => `min length ${String(v)}`],
  ["password_reuse_prevention", (v) => `remembers ${String(v)} passwords`],
  ["max_password_age", (v) => `max age ${String(v)} days`],
  ["allow_users_to_change_password", (v) => `users may change: ${yesNo(v === true)}`],
  ["hard_expiry", (v) => `hard expiry: ${yesNo(v === true)}`],
];

function describePasswordPolicy(body: Json): string {
  const required = (["lowercase_characters", "uppercase_characters", "numbers", "symbols"] as const)
    .filter((k) => body[`require_${k}`] === true)
    .map((k) => k.replace("_characters", ""));
  const parts = PASSWORD_POLICY_TEXT.filter(([k]) => body[k] !== undefined).map(([k, f]) => f(body[k]));
  parts.splice(1, 0, required.length > 0 ? `requires ${required.join(", ")}` : "requires no character classes");
  return parts.join(" · ");
}

function genericSettings(body: Json): string {
  const parts = [...flatten(body, "", new Map())].map(([path, value]) => `${path} ${showValue(path, value)}`);
  return parts.length > 0 ? parts.join(" · ") : "(no settings)";
}

/** The key settings of one resource or data source, readable. */
function describe(view: StackView, block: Block): string {
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
      const keys = view.keysOf(block.address);
      return [
        `IAM user ${code(String(body.name))} (path ${code(String(body.path ?? "/"))})`,
        `console: ${profile ? `yes (password PGP-protected: ${yesNo(profile.body.pgp_key !== undefined)})` : "no"}`,
        `keys: ${keys.length > 0 ? keys.map((k) => `${code(keyId(k))} ${keyStatus(k)}`).join(", ") : "none"}`,
      ].join(" · ");
    }
    case "aws_iam_user_login_profile":
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
      const secret = view.secretOfKey(block.address);
      return [
        `key ${code(keyId(block))} of ${user(body.user)}`,
        `status ${keyStatus(block)}`,
        `PGP-protected: ${body.pgp_key !== undefined ? `yes, ${code(describePgpKey(body.pgp_key))}` : "no"}`,
        `stored in Secrets Manager: ${yesNo(secret !== undefined)}`,
      ].join(" · ");
    }
    case "aws_secretsmanager_secret": {
      const key = view.keyOfSecret(block.address);
      return [
        key ? `holds key ${code(keyId(key))} of ${user(key.body.user)} (AccessKeyId, SecretAccessKey)` : "Secrets Manager secret",
        `name prefix ${code(String(body.name_prefix ?? body.name ?? "?"))}`,
        `KMS key ${body.kms_key_id !== undefined ? code(String(body.kms_key_id)) : "aws/secretsmanager (AWS managed)"}`,
      ].join(" · ");
    }
    case "aws_secretsmanager_secret_version": {
      const secret = view.refAddress(body.secret_id);
      const key = secret ? view.keyOfSecret(secret) : undefined;
      return `${key ? `key pair of key ${code(keyId(key))} of ${user(key.body.user)}` : "secret value"} (value not shown)`;
    }
    case "aws_iam_service_linked_role": {
      const importId = view.importOf(block.address);
      const mode = importId !== undefined ? `**adopt** (import id ${code(readable(importId))})` : "**create**";
      const protectedRole = obj(body.lifecycle).prevent_destroy === true ? " · prevent_destroy" : "";
      return `service-linked role for ${code(String(body.aws_service_name))} · mode: ${mode}${protectedRole}`;
    }
    case "data.aws_iam_role":
      return `role ${code(String(body.name))} · mode: **reference** (data source, read only)`;
    case "aws_iam_account_alias":
      return `account alias ${code(String(body.account_alias))}`;
    case "aws_iam_account_password_policy":
      return `password policy: ${describePasswordPolicy(body)}`;
    case "aws_iam_policy": {
      const doc = view.policyDocument(body.policy);
      const statements = arr(doc?.statement).map(statementText);
      return `customer managed policy ${code(String(body.name))}${statements.length > 0 ? `: ${statements.join("; ")}` : ""}`;
    }
    default:
      return genericSettings(body);
  }
}

/** The mode of the Incident Manager service-linked role. */
function roleMode(view: StackView): string {
  const role = view.ofType("aws_iam_service_linked_role").find((r) => r.body.aws_service_name === "ssm-incidents.amazonaws.com");
  if (role) {
    const importId = view.importOf(role.address);
    return importId !== undefined ? `adopt (import id ${code(readable(importId))})` : "create";
  }
  return view.data.some((d) => d.type === "aws_iam_role" && d.body.name === "AWSServiceRoleForIncidentManager")
    ? "reference (data source)"
    : "not managed";
}

function describeBackend(stack: Json, name: string): string {
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

function warningsOf(stack: string, warnings: readonly ReviewWarning[]): ReviewWarning[] {
  return warnings
    .filter((w) => w.path === stack || w.path.startsWith(`${stack}/`))
    .sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
}

// ---------------------------------------------------------------------------------------------
// Plans

/** Terraform's words for a resource change. */
function plannedAction(
  change: { actions?: readonly string[]; importing?: unknown; replace_paths?: readonly (readonly (string | number)[])[] } | undefined,
): string {
  const replacePaths = change?.replace_paths ?? [];
  const actions = change?.actions ?? [];
  const importing = change?.importing !== undefined && change?.importing !== null;
  let action: string;
  if (actions.includes("create") && actions.includes("delete")) {
    const forcedBy = replacePaths.map((path) => path.join("."));
    action = forcedBy.length > 0 ? `replace (forced by ${forcedBy.join(", ")})` : "replace";
  } else if (actions.includes("create")) action = "create";
  else if (actions.includes("delete")) action = "destroy";
  else if (actions.includes("update")) action = "update";
  else if (actions.includes("read")) action = "read";
  else action = "no change";
  if (!importing) return action;
  return action === "no change" ? "import" : `import, ${action}`;
}

// ---------------------------------------------------------------------------------------------
// Summaries

/**
 * What the review says about one stack: from its synthesized JSON, the warnings (those of other
 * stacks are left out) and, when given, the offline plan of the stack.
 */
export function summarizeStack(stackJson: Json, warnings: readonly ReviewWarning[], plan?: PlanJson, name?: string): StackSummary {
  const stack = name ?? stackName(stackJson);
  const view = new StackView(stackJson);
  const provider = obj(arr(obj(stackJson.provider).aws)[0]);
  const changes = new Map((plan?.resource_changes ?? []).map((rc) => [rc.address, rc]));
  const listed = [...view.resources, ...view.data.filter((d) => !PLUMBING_DATA.has(d.type))];
  const resources: ResourceRow[] = listed
    .map((block) => {
      const skips = checkovSkips(block.raw);
      const settings = `${describe(view, block)}${skips.length > 0 ? ` · Checkov skip ${sorted(skips).join(", ")}` : ""}`;
      if (!plan || block.data) return { address: block.address, settings };
      const rc = changes.get(block.address);
      return { address: block.address, settings, planned: rc ? plannedAction(rc.change) : "not in plan" };
    })
    .sort((a, b) => compare(a.address, b.address));
  const accessGroups = view
    .ofType("aws_iam_group_policy_attachment")
    .filter((a) => /:policy\/AdministratorAccess$/.test(String(a.body.policy_arn)));
  const adminAccess = accessGroups
    .map((a) => {
      const group = view.groupAddressOf(a.body.group);
      return {
        group: view.resolve(a.body.group),
        members: group ? view.members(group) : [],
        mfaEnforced: group ? view.mfaEnforced(group) : false,
      };
    })
    .sort((a, b) => compare(a.group, b.group));
  const outputs = Object.entries(obj(stackJson.output))
    .map(([outputName, o]) => ({ name: outputName, sensitive: obj(o).sensitive === true }))
    .sort((a, b) => compare(a.name, b.name));
  const managed = new Set(view.resources.map((r) => r.address));
  const assumeRoleArn = str(obj(arr(provider.assume_role)[0]).role_arn);
  return {
    stack,
    region: str(provider.region),
    accountIds: arr(provider.allowed_account_ids).map(String),
    ...(assumeRoleArn !== undefined ? { assumeRoleArn } : {}),
    backend: describeBackend(stackJson, stack),
    adminAccess,
    serviceLinkedRole: roleMode(view),
    resources,
    resourceCount: view.resources.length,
    outputs,
    warnings: warningsOf(stack, warnings),
    source: plan ? "plan" : "synth",
    ...(plan
      ? {
          planned: countPlannedChanges(plan),
          plannedDestroyOnly: sorted(
            (plan.resource_changes ?? [])
              .filter(
                (rc) => (rc.mode ?? "managed") === "managed" && !managed.has(rc.address) && (rc.change?.actions ?? []).includes("delete"),
              )
              .map((rc) => rc.address),
          ),
          notInPlan: sorted([...managed].filter((address) => !changes.has(address))),
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Everything of a stack that is compared, by address, bodies without "//". */
function comparable(stack: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const view = new StackView(stack);
  for (const b of [...view.resources, ...view.data]) out.set(b.address, b.body);
  for (const i of arr(stack.import).map(obj)) out.set(`import ${String(i.to)}`, withoutMeta(i));
  for (const [type, configs] of Object.entries(obj(stack.provider))) {
    const list = arr(configs);
    list.forEach((c, n) => out.set(`provider.${type}${list.length > 1 ? `[${n}]` : ""}`, withoutMeta(c)));
  }
  for (const [type, config] of Object.entries(obj(obj(stack.terraform).backend))) out.set(`backend.${type}`, obj(config));
  for (const [name, p] of Object.entries(obj(obj(stack.terraform).required_providers))) out.set(`required_providers.${name}`, obj(p));
  for (const [name, check] of Object.entries(obj(stack.check))) out.set(`check.${name}`, obj(check));
  return out;
}

/** An output's value is never shown when it is sensitive (on either side) or named like a secret. */
function outputHidden(name: string, ...bodies: (Json | undefined)[]): boolean {
  return bodies.some((b) => b?.sensitive === true) || isSecretAttribute(name);
}

/**
 * The differences between two versions of a stack, one line each, sorted by address:
 * `- address` (removed), `+ address` (added), `~ address: attribute old -> new` (changed, one line
 * per attribute, the `"//"` metadata ignored), then `+ output name`, `- output name` and
 * `~ output name: ...` (values of sensitive outputs never shown).
 */
export function diffStacks(baseJson: Json, headJson: Json): string[] {
  const base = comparable(baseJson);
  const head = comparable(headJson);
  const lines: string[] = [];
  for (const address of sorted(new Set([...base.keys(), ...head.keys()]))) {
    const before = base.get(address);
    const after = head.get(address);
    if (!before && after) {
      const importId = address.startsWith("import ") ? after.id : undefined;
      lines.push(`+ ${address}${importId !== undefined ? ` (id ${showValue("id", importId)})` : ""}`);
    } else if (before && !after) lines.push(`- ${address}`);
    else if (before && after) {
      const causes = replacementOf(address, before, after);
      if (causes) lines.push(`! ${address}: replaced, not changed in place: ${causes}`);
      for (const change of bodyChanges(before, after)) lines.push(`~ ${address}: ${change}`);
    }
  }
  const baseOut = obj(baseJson.output);
  const headOut = obj(headJson.output);
  for (const name of sorted(new Set([...Object.keys(baseOut), ...Object.keys(headOut)]))) {
    const before = isObject(baseOut[name]) ? (baseOut[name] as Json) : undefined;
    const after = isObject(headOut[name]) ? (headOut[name] as Json) : undefined;
    const sensitive = (before ?? after)?.sensitive === true ? " (sensitive)" : "";
    if (!before && after) lines.push(`+ output ${name}${sensitive}`);
    else if (before && !after) lines.push(`- output ${name}${sensitive}`);
    else if (before && after) {
      const hidden = outputHidden(name, before, after);
      if (isObject(before.value) && isObject(after.value) && MAP_OUTPUTS.includes(name)) {
        lines.push(...userMapChanges(name, before.value, after.value, hidden));
        continue;
      }
      for (const change of bodyChanges(before, after, (path) => hidden && path !== "sensitive" && path !== "description")) {
        lines.push(`~ output ${name}: ${change}`);
      }
    }
  }
  return lines;
}

/**
 * Why a resource is replaced rather than changed (the arguments that force it, as the provider
 * documents them, and what that costs), or undefined when the change is made in place.
 */
function replacementOf(address: string, before: Json, after: Json): string | undefined {
  const match = /^([a-z0-9_]+)\.[^\s.]+$/.exec(address);
  if (!match) return undefined;
  const causes = replacementCauses(match[1], before, after);
  if (causes.length === 0) return undefined;
  const consequence = REPLACEMENT_CONSEQUENCE[match[1]];
  return `${causes.join(", ")} ${causes.length === 1 ? "forces" : "force"} replacement${consequence ? ` (${consequence})` : ""}`;
}

/** The outputs that are maps by user name (see modules/incident-manager-setup-stack.ts). */
const MAP_OUTPUTS: readonly string[] = [USERS_OUTPUT, SECRETS_OUTPUT];

/** Changes of a by-user map output, one line per user added or removed and per attribute changed. */
function userMapChanges(name: string, before: Json, after: Json, hidden: boolean): string[] {
  const label = `~ output ${name}${hidden ? " (sensitive)" : ""}`;
  const lines: string[] = [];
  for (const user of sorted(new Set([...Object.keys(before), ...Object.keys(after)]))) {
    if (!(user in before)) lines.push(`${label}: user ${JSON.stringify(user)} added`);
    else if (!(user in after)) lines.push(`${label}: user ${JSON.stringify(user)} removed`);
    else {
      const [b, a] = [obj(before[user]), obj(after[user])];
      const [bKeys, aKeys] = [obj(b.access_keys), obj(a.access_keys)];
      const { access_keys: _b, ...bRest } = b;
      const { access_keys: _a, ...aRest } = a;
      const at = `${label}: user ${JSON.stringify(user)}`;
      for (const change of bodyChanges(bRest, aRest, () => hidden)) lines.push(`${at}: ${change}`);
      for (const id of sorted(new Set([...Object.keys(bKeys), ...Object.keys(aKeys)]))) {
        if (!(id in bKeys)) lines.push(`${at}: access key ${JSON.stringify(id)} added`);
        else if (!(id in aKeys)) lines.push(`${at}: access key ${JSON.stringify(id)} removed`);
        else if (hidden) {
          if (JSON.stringify(bKeys[id]) !== JSON.stringify(aKeys[id]))
            lines.push(`${at}: access key ${JSON.stringify(id)} changed (sensitive, not shown)`);
        } else {
          for (const change of bodyChanges(obj(bKeys[id]), obj(aKeys[id])))
            lines.push(`${at}: access key ${JSON.stringify(id)}: ${change}`);
        }
      }
    }
  }
  return lines;
}

function managedCount(stack: Json): number {
  return new StackView(stack).resources.length;
}

function warningText(stack: string, w: ReviewWarning): string {
  const where = w.path === stack ? "" : `${code(w.path.slice(stack.length + 1))}: `;
  return `${where}${w.message}`;
}

/** Compares a base with the head: stacks added, removed and changed (unchanged ones are left out). */
export function diffOutputs(base: SynthOutput, head: SynthOutput): ReviewDiff {
  const stacks: StackChange[] = [];
  for (const name of sorted(new Set([...Object.keys(base.stacks), ...Object.keys(head.stacks)]))) {
    const before = base.stacks[name];
    const after = head.stacks[name];
    const wBefore = new Set(warningsOf(name, base.warnings).map((w) => warningText(name, w)));
    const wAfter = new Set(warningsOf(name, head.warnings).map((w) => warningText(name, w)));
    if (!before && after) {
      stacks.push({ stack: name, change: "added", lines: [], resourceCount: managedCount(after), warningsAdded: [], warningsRemoved: [] });
    } else if (before && !after) {
      stacks.push({
        stack: name,
        change: "removed",
        lines: [],
        resourceCount: managedCount(before),
        warningsAdded: [],
        warningsRemoved: [],
      });
    } else if (before && after) {
      const lines = diffStacks(before, after);
      const warningsAdded = sorted([...wAfter].filter((w) => !wBefore.has(w)));
      const warningsRemoved = sorted([...wBefore].filter((w) => !wAfter.has(w)));
      if (lines.length + warningsAdded.length + warningsRemoved.length > 0) {
        stacks.push({ stack: name, change: "changed", lines, resourceCount: managedCount(after), warningsAdded, warningsRemoved });
      }
    }
  }
  return { stacks };
}

// ---------------------------------------------------------------------------------------------
// Markdown

function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** Counts of diff lines: addresses added, removed, changed (outputs apart). */
function diffCounts(lines: readonly string[]): { added: number; removed: number; changed: number; replaced: number; outputs: number } {
  const changed = new Set<string>();
  const replaced = new Set<string>();
  let added = 0;
  let removed = 0;
  let outputs = 0;
  for (const line of lines) {
    if (line.slice(2).startsWith("output ")) outputs++;
    else if (line.startsWith("+ ")) added++;
    else if (line.startsWith("- ")) removed++;
    else if (line.startsWith("! ")) replaced.add(line.slice(2, line.indexOf(": ")));
    else if (line.startsWith("~ ")) changed.add(line.slice(2, line.indexOf(": ")));
  }
  const inPlace = [...changed].filter((address) => !replaced.has(address));
  return { added, removed, changed: inPlace.length, replaced: replaced.size, outputs };
}

function renderDiff(diff: ReviewDiff, baseLabel: string): string[] {
  const out = [`## Changes since ${baseLabel}`, ""];
  if (diff.stacks.length === 0) {
    out.push("No changes: the synthesized stacks are the same (CDKTF's `//` metadata ignored).", "");
    return out;
  }
  for (const s of diff.stacks) {
    if (s.change === "added") {
      out.push(`- **${code(s.stack)} added** (${plural(s.resourceCount, "resource")}; see below)`);
    } else if (s.change === "removed") {
      out.push(
        `- **${code(s.stack)} removed** (${plural(s.resourceCount, "resource")}): Terraform stops managing them; ` +
          "they stay in AWS unless the stack is destroyed before it leaves the configuration",
      );
    }
  }
  if (diff.stacks.some((s) => s.change !== "changed")) out.push("");
  for (const s of diff.stacks.filter((c) => c.change === "changed")) {
    const n = diffCounts(s.lines);
    const counts = [
      `${n.added} added`,
      `${n.removed} removed`,
      `${n.changed} changed`,
      ...(n.replaced > 0 ? [`**${n.replaced} replaced**`] : []),
    ];
    out.push(`### ${code(s.stack)}: ${counts.join(", ")}${n.outputs > 0 ? `, ${plural(n.outputs, "output change")}` : ""}`, "");
    if (s.lines.length > 0) out.push("```diff", ...s.lines, "```", "");
    if (s.warningsAdded.length > 0) out.push("New warnings:", "", ...s.warningsAdded.map((w) => `- ${w}`), "");
    if (s.warningsRemoved.length > 0) out.push("Warnings gone:", "", ...s.warningsRemoved.map((w) => `- ${w}`), "");
  }
  return out;
}

function renderStack(s: StackSummary): string[] {
  const heading = [s.region ?? "region not set", ...(s.accountIds.length > 0 ? [`account ${s.accountIds.join(", ")}`] : [])];
  const out = [`### ${code(s.stack)} (${heading.join(", ")})`, ""];
  const target = [
    s.accountIds.length > 0
      ? `Account: ${s.accountIds.map(code).join(", ")} (allowed_account_ids)`
      : "Account: not pinned (no accountId: whichever account the credentials reach)",
    s.assumeRoleArn ? `assumes ${code(s.assumeRoleArn)}` : undefined,
  ].filter((x): x is string => x !== undefined);
  out.push(`- ${target.join(" · ")}`);
  out.push(`- Backend: ${s.backend}`);
  for (const a of s.adminAccess) {
    out.push(
      `- AdministratorAccess: group ${code(a.group)}, members ${a.members.length > 0 ? a.members.map(code).join(", ") : "none"} · MFA enforced: ${yesNo(a.mfaEnforced)}`,
    );
  }
  if (s.adminAccess.length === 0) out.push("- AdministratorAccess: not granted to any group");
  out.push(`- Incident Manager service-linked role: ${s.serviceLinkedRole}`);
  if (s.source === "plan" && s.planned) {
    out.push(`- Planned changes: ${plannedChangesText(s.planned)} · ${SOURCE_PLAN}`);
    if (s.plannedDestroyOnly && s.plannedDestroyOnly.length > 0) {
      out.push(`- To destroy (no longer configured): ${s.plannedDestroyOnly.map(code).join(", ")}`);
    }
    if (s.notInPlan && s.notInPlan.length > 0) {
      out.push(
        `- Note: the plan is older than the configuration: ${plural(s.notInPlan.length, "resource")} not in it (run npm run plan:offline again)`,
      );
    }
  } else {
    out.push(`- Planned changes: not known · ${SOURCE_SYNTH}`);
  }
  out.push("");
  const withPlan = s.resources.some((r) => r.planned !== undefined);
  out.push(withPlan ? "| Resource | Plan | Settings |" : "| Resource | Settings |", withPlan ? "|---|---|---|" : "|---|---|");
  for (const r of s.resources) {
    out.push(
      withPlan ? `| ${code(r.address)} | ${r.planned ?? ""} | ${cell(r.settings)} |` : `| ${code(r.address)} | ${cell(r.settings)} |`,
    );
  }
  out.push("");
  if (s.outputs.length > 0) {
    out.push(`Outputs (values not shown): ${s.outputs.map((o) => `${code(o.name)}${o.sensitive ? " (sensitive)" : ""}`).join(", ")}`, "");
  }
  if (s.warnings.length > 0) {
    out.push(`<details><summary>${plural(s.warnings.length, "synth warning")}</summary>`, "");
    out.push(...s.warnings.map((w) => `- ${warningText(s.stack, w)}`), "", "</details>", "");
  } else {
    out.push("No synth warnings.", "");
  }
  return out;
}

/** The review as Markdown: a summary line, the changes since the base (if any), then each stack. */
export function renderMarkdown(input: ReviewInput): string {
  const summaries = [...input.summaries].sort((a, b) => compare(a.stack, b.stack));
  const resources = summaries.reduce((n, s) => n + s.resourceCount, 0);
  const warnings = summaries.reduce((n, s) => n + s.warnings.length, 0);
  const planned = summaries.filter((s) => s.source === "plan").length;
  const source =
    planned === 0
      ? SOURCE_SYNTH
      : planned === summaries.length
        ? SOURCE_PLAN
        : `${SOURCE_PLAN} for ${planned} of ${summaries.length} stacks, else synthesized cdk.tf.json`;
  let line = `**${plural(summaries.length, "stack")}, ${plural(resources, "resource")}, ${plural(warnings, "warning")}** · ${source}`;
  if (input.diff) {
    const all = input.diff.stacks.flatMap((s) => s.lines);
    const n = diffCounts(all);
    const stacksAdded = input.diff.stacks.filter((s) => s.change === "added").length;
    const stacksRemoved = input.diff.stacks.filter((s) => s.change === "removed").length;
    const parts = [
      stacksAdded > 0 ? `${plural(stacksAdded, "stack")} added` : undefined,
      stacksRemoved > 0 ? `${plural(stacksRemoved, "stack")} removed` : undefined,
      `${n.added} added, ${n.removed} removed, ${n.changed} changed`,
      n.replaced > 0 ? `**${n.replaced} replaced**` : undefined,
    ].filter((x): x is string => x !== undefined);
    line += ` · vs base: ${input.diff.stacks.length === 0 ? "no changes" : parts.join(", ")}`;
  }
  const out = ["## Incident Manager setup: review", "", line, ""];
  if (input.configLabel) out.push(`Configuration: ${code(input.configLabel)}`, "");
  if (input.diff) out.push(...renderDiff(input.diff, input.baseLabel ?? "the base"));
  out.push("## Stacks", "");
  for (const s of summaries) out.push(...renderStack(s));
  while (out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files

/** Reads a cdktf.out folder: `stacks/<name>/cdk.tf.json` and the warnings of manifest.json. */
export function loadOutdir(outdir: string): SynthOutput {
  const stacksDir = join(outdir, "stacks");
  const stacks: Record<string, Json> = {};
  for (const name of existsSync(stacksDir) ? sorted(readdirSync(stacksDir)) : []) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (existsSync(file)) stacks[name] = obj(JSON.parse(readFileSync(file, "utf8")));
  }
  const manifestFile = join(outdir, "manifest.json");
  const manifest = existsSync(manifestFile) ? obj(JSON.parse(readFileSync(manifestFile, "utf8"))) : {};
  const warnings: ReviewWarning[] = [];
  for (const entry of Object.values(obj(manifest.stacks))) {
    for (const a of arr(obj(entry).annotations).map(obj)) {
      if (a.level === "@cdktf/warn") warnings.push({ path: String(a.constructPath), message: String(a.message) });
    }
  }
  return { stacks, warnings };
}

/** The offline plan of a stack, `<outdir>/plans/<stack>.plan.json`, if there is one. Throws on bad JSON. */
export function loadPlan(outdir: string, stack: string): PlanJson | undefined {
  const file = join(outdir, "plans", `${stack}.plan.json`);
  if (!existsSync(file)) return undefined;
  const plan = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (!isObject(plan) || !Array.isArray(plan.resource_changes))
    throw new Error(`${file} is not a terraform show -json plan (no resource_changes)`);
  return plan as PlanJson;
}
