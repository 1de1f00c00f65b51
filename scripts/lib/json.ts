// JSON as the scripts read it (terraform output -json, plans, synthesized stacks).

/** A JSON object. */
export type Json = { [key: string]: unknown };

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
