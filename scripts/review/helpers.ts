// Small helpers of the review: JSON access, sorting, Markdown code spans, and how values are shown
// (never a secret: attributes named like secrets, passwords or PGP keys are described, not printed).
// Part of npm run review; scripts/review-lib.ts re-exports the public API.
import { createHash } from "crypto";
import diff from "microdiff";
import { Json, isObject } from "../lib/json";

export { isObject };

// ---------------------------------------------------------------------------------------------
// Small helpers

export const SOURCE_PLAN = "source: terraform plan (offline)";
export const SOURCE_SYNTH = "source: synthesized cdk.tf.json (no plan available; run npm run plan:offline)";

/** Data sources that only feed other blocks (their content is shown where it is used). */
export const PLUMBING_DATA = new Set(["aws_caller_identity", "aws_partition", "aws_iam_policy_document"]);

/** Attribute names whose string values are never shown. */
export const SECRET_NAME = /secret|password|passwd|private|token|credential/i;
export const PGP_NAME = /pgp/i;

export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Code order, not locale order: the same everywhere. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sorted(values: Iterable<string>): string[] {
  return [...values].sort(compare);
}

/** `value` as inline code. */
export function code(value: string): string {
  return `\`${value.replace(/`/g, "'")}\``;
}

export function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A body without CDKTF's `"//"` metadata (and Checkov skips). */
export function withoutMeta(body: unknown): Json {
  const rest = { ...obj(body) };
  delete rest["//"];
  return rest;
}

export function checkovSkips(body: unknown): string[] {
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

export function leafName(path: string): string {
  const last = path.split(/[.[]/).pop() ?? path;
  return last.replace(/["\]]/g, "");
}

/** The attribute is never shown in full: a secret, a password or a PGP key. */
export function isSecretAttribute(name: string): boolean {
  return SECRET_NAME.test(name) || PGP_NAME.test(name);
}

export const MAX_SHOWN = 160;

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

/** Flattens a body into `attribute path -> leaf value`; lists of plain values stay leaves. */
export function flatten(value: unknown, path: readonly (string | number)[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (isObject(value)) {
    const keys = sorted(Object.keys(value));
    if (keys.length === 0 && path.length > 0) out.set(pathText(path), {});
    for (const key of keys) flatten(value[key], [...path, key], out);
  } else if (Array.isArray(value) && !isScalarList(value)) {
    value.forEach((v, i) => flatten(v, [...path, i], out));
  } else {
    out.set(pathText(path), value);
  }
  return out;
}

/** `path old -> new`, never showing a hidden value (two equal renderings say only "changed"). */
export function changeText(path: string, before: unknown, after: unknown, hideValues = false): string {
  if (hideValues) return `${path} changed (sensitive, not shown)`;
  let a = showValue(path, before);
  let b = showValue(path, after);
  if (a === b) {
    a = showValue(path, before, true);
    b = showValue(path, after, true);
  }
  return a === b ? `${path} changed (value hidden)` : `${path} ${a} -> ${b}`;
}

/** A path as the review prints it: `a.b`, `a[0]`, `tags["cost center"]`. */
export function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${text}[${JSON.stringify(key)}]`;
    return text ? `${text}.${key}` : key;
  }, "");
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

function isScalarList(value: unknown): boolean {
  return Array.isArray(value) && value.every((x) => x === null || typeof x !== "object");
}

/**
 * The changes between two bodies (microdiff), one `attribute old -> new` each, sorted by
 * attribute. A list of plain values (actions, groups) changes as a whole. A change Terraform
 * ignores on an existing resource (lifecycle.ignore_changes) says so.
 */
export function bodyChanges(before: Json, after: Json, hide: (path: string) => boolean = () => false): string[] {
  const ignored = new Set(arr(obj(after.lifecycle).ignore_changes).map(String));
  const paths = new Map<string, readonly (string | number)[]>();
  for (const { path } of diff(before, after)) {
    const cut = path.findIndex((_, i) => isScalarList(valueAt(before, path.slice(0, i))) || isScalarList(valueAt(after, path.slice(0, i))));
    const changed = cut > 0 ? path.slice(0, cut) : path;
    paths.set(pathText(changed), changed);
  }
  return sorted([...paths.keys()]).map((text) => {
    const path = paths.get(text) ?? [];
    const note = ignored.has(String(path[0])) ? " (in lifecycle.ignore_changes: no effect on the existing resource)" : "";
    return `${changeText(text, valueAt(before, path), valueAt(after, path), hide(text))}${note}`;
  });
}
