// How a configuration problem is told: the JSON path, the value received (cut to 80 characters) and the
// rule, in the user's terms (a JSON type, the allowed keys, what null means at that place).
import { z } from "zod";
import { SetupConfigSchema } from "./schema";

/** A configuration that cannot be used: every problem found, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `${source}: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Renders a JSON path such as accounts[0].adminUsers[1].name. */
/** A key as a message shows it: at most 80 characters, as values (a fuzzer's 50,000-character key is not echoed whole). */
export function shortKey(key: PropertyKey): string {
  const text = String(key);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(shortKey(part))) out += out ? `.${shortKey(part)}` : shortKey(part);
    else out += `[${JSON.stringify(shortKey(part))}]`;
  }
  return out || "(root)";
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type Def = Record<string, unknown>;
const defOf = (s: z.core.$ZodType) => s._zod.def as unknown as Def;

/** The value at a path of the configuration (undefined when there is none). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);
}

/** Without default, prefault, optional and pipe; of a union, the object option whose literal keys (such as the backend's "type") match `value`. */
function unwrap(s: z.core.$ZodType, value: unknown): z.core.$ZodType {
  const matches = (option: z.core.$ZodType) =>
    Object.entries(defOf(option).shape as Record<string, z.core.$ZodType>).every(([key, field]) => {
      const def = defOf(field);
      return def.type !== "literal" || (def.values as unknown[]).includes((value as Def | undefined)?.[key]);
    });
  const def = defOf(s);
  if (def.type === "default" || def.type === "prefault" || def.type === "optional") return unwrap(def.innerType as z.core.$ZodType, value);
  if (def.type === "pipe") return unwrap(def.in as z.core.$ZodType, value);
  if (def.type === "union") {
    const objects = (def.options as z.core.$ZodType[]).filter((o) => defOf(o).type === "object");
    const object = objects.find(matches) ?? objects[0];
    return object ? unwrap(object, value) : s;
  }
  return s;
}

/** The schema of the value at a path of the configuration, as its parent declares it (undefined when none does). */
function schemaAt(path: readonly PropertyKey[], root: unknown): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = SetupConfigSchema;
  for (const [i, part] of path.entries()) {
    if (!schema) return undefined;
    const def = defOf(unwrap(schema, valueAt(root, path.slice(0, i))));
    if (def.type === "object") schema = (def.shape as Record<string, z.core.$ZodType>)[String(part)];
    else if (def.type === "array") schema = def.element as z.core.$ZodType;
    else if (def.type === "record") schema = def.valueType as z.core.$ZodType;
    else return undefined;
  }
  return schema;
}

/** The keys an object schema accepts at a path of the configuration. */
function allowedKeys(path: readonly PropertyKey[], root: unknown): string[] {
  const schema = schemaAt(path, root);
  const def = schema && defOf(unwrap(schema, valueAt(root, path)));
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** What to do instead of writing null at a path: JSON null is not "unset" in the configuration. */
function nullHint(path: readonly PropertyKey[], root: unknown): string {
  if (path.length === 0) return ' (the configuration is a JSON object such as { "accounts": [ ... ] })';
  const parent = schemaAt(path.slice(0, -1), root);
  const kind = parent && defOf(unwrap(parent, valueAt(root, path.slice(0, -1)))).type;
  if (kind === "array") return " (remove the null from the list)";
  if (kind === "record") return " (remove the key, or give it a value)";
  if (kind !== "object") return "";
  const presence = (s: z.core.$ZodType | undefined): string => {
    const def = s && defOf(s);
    return def?.type === "pipe" ? presence(def.in as z.core.$ZodType) : String(def?.type);
  };
  const field = presence(schemaAt(path, root));
  if (field === "default" || field === "prefault") return " (leave the key out for the default)";
  if (field === "optional") return " (leave the key out to leave it unset)";
  return " (the key is required)";
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The type expected, in JSON's terms. */
function jsonType(expected: string): string {
  return expected === "record" ? "object" : expected === "array" ? "list" : expected;
}

/**
 * One issue of the schema as lines of the ConfigError, in the user's terms: path, value, rule.
 * `numbers` holds the source text of numbers JSON.parse made infinite, by path.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown, numbers: ReadonlyMap<string, string> = new Map()): string[] {
  const where = jsonPath(issue.path);
  const value = valueAt(root, issue.path);
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [`${where}: ${numbers.get(where) ?? String(value)} is too large a number (JSON numbers here must be finite)`];
  }
  if (value === null && (issue.code === "invalid_type" || issue.code === "invalid_union")) {
    const rule =
      issue.code === "invalid_type" && issue.message.startsWith("Invalid input")
        ? `must be ${article(jsonType(issue.expected))}`
        : issue.message;
    return [`${where}: null ${rule}${nullHint(issue.path, root)}`];
  }
  switch (issue.code) {
    case "invalid_union": {
      // A value of the right shape (an object for `false | {...}`) that is wrong inside: report
      // the fields of the option it was meant for, not the whole union.
      const inner = issue.errors.find(
        (option) =>
          option.length > 0 && !option.some((i) => (i.code === "invalid_type" || i.code === "invalid_value") && i.path.length === 0),
      );
      if (inner) {
        return inner.flatMap((i) => describeIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue, root, numbers));
      }
      return [`${where}: ${show(value)} ${issue.message}`];
    }
    case "unrecognized_keys": {
      const allowed = allowedKeys(issue.path, root);
      return issue.keys.map(
        (key) => `${jsonPath([...issue.path, key])}: unknown key ${JSON.stringify(shortKey(key))} (allowed here: ${allowed.join(", ")})`,
      );
    }
    case "invalid_key": {
      const key = issue.path[issue.path.length - 1];
      const rule = issue.issues.map((i) => i.message).join("; ");
      return [`${jsonPath(issue.path.slice(0, -1))}: key ${JSON.stringify(shortKey(key))} ${rule}`];
    }
    case "invalid_type":
      if (value === undefined) return [`${where}: missing (required: ${issue.expected})`];
      return [
        `${where}: ${show(value)} ${issue.message.startsWith("Invalid input") ? `must be ${article(issue.expected)}` : issue.message}`,
      ];
    default:
      return [`${where}: ${show(value)} ${issue.message}`];
  }
}
