// What the engine checks compare, as pure functions (no process, no file system): the synthesized
// trees of two runs, the differences each run may have and why, the network errors that mean the
// npm registry is out of reach, and what a check does then. `__tests__/cdktn.test.ts` tests them;
// scripts/engines/check-cdktn.ts and check-node.ts use them.

/** One synth run: every file of its output folder (path relative to it, "/"-separated), its output, its exit code. */
export interface SynthRun {
  files: Map<string, string>;
  stdout: string;
  stderr: string;
  status: number | null;
}

/** What an engine is made of, as installed: the versions an explained difference may carry. */
export interface Engine {
  /** "cdktf" or "cdktn" */
  name: string;
  version: string;
  provider: { name: string; version: string; aws: string };
  constructs: string;
}

/** A difference between two JSON documents (or two files). Paths are JSON keys; "" is the file itself. */
export interface Difference {
  file: string;
  path: string[];
  a: unknown;
  b: unknown;
  what: "value" | "only in a" | "only in b" | "key order" | "layout" | "bytes";
}

/** A difference that is expected between two engines, and why. */
export interface ExplainedDifference {
  id: string;
  /** The files it may occur in (paths relative to the output folder). */
  file: RegExp;
  path: string[];
  /** The kind of difference: "value" unless said. */
  what?: Difference["what"];
  /** Whether the two values are the expected ones for these engines. */
  expected: (a: unknown, b: unknown, engines: { a: Engine; b: Engine }) => boolean;
  why: string;
}

const STACK_JSON = /^stacks\/[^/]+\/cdk\.tf\.json$/;

/**
 * The source address Terraform reads: `[hostname/][namespace/]type`, the hostname defaulting to
 * registry.terraform.io and a missing namespace to hashicorp (a legacy short form: `terraform
 * providers` lists `"source": "aws"` as provider[registry.terraform.io/hashicorp/aws]).
 */
export function providerAddress(source: string): string {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join("/")}`;
  return parts.join("/");
}

export const EMPTY_TWO_LINES = "empty {} and [] over two lines";
export const EMPTY_ONE_LINE = "empty {} and [] on one line";

/** The differences cdktf and cdktn may have in the same app's output: every other difference fails the check. */
export const ENGINE_DIFFERENCES: readonly ExplainedDifference[] = [
  {
    id: "engine-version",
    file: STACK_JSON,
    path: ["//", "metadata", "version"],
    expected: (a, b, { a: ea, b: eb }) => a === ea.version && b === eb.version,
    why: 'the version of the library that synthesized the stack; metadata under "//", which Terraform ignores',
  },
  {
    id: "manifest-version",
    file: /^manifest\.json$/,
    path: ["version"],
    expected: (a, b, { a: ea, b: eb }) => a === ea.version && b === eb.version,
    why: "the same version in cdktf.out/manifest.json (read by the CLI, not by Terraform)",
  },
  {
    id: "aws-provider-version",
    file: STACK_JSON,
    path: ["terraform", "required_providers", "aws", "version"],
    expected: (a, b, { a: ea, b: eb }) => a === ea.provider.aws && b === eb.provider.aws,
    why:
      "the hashicorp/aws version each provider package was generated for, pinned exactly: an upgrade of the AWS provider; " +
      "the stack folder's .terraform.lock.hcl needs `terraform init -upgrade` once (the cdktn CLI runs it by itself)",
  },
  {
    id: "aws-provider-source",
    file: STACK_JSON,
    path: ["terraform", "required_providers", "aws", "source"],
    expected: (a, b) => typeof a === "string" && typeof b === "string" && providerAddress(a) === providerAddress(b),
    why:
      "the same provider written two ways: `aws` (@cdktf/provider-aws) and `hashicorp/aws` (@cdktn/provider-aws) are both " +
      "registry.terraform.io/hashicorp/aws for Terraform (no change in state or lock file)",
  },
  {
    id: "empty-container-layout",
    file: STACK_JSON,
    what: "layout",
    path: [],
    expected: (a, b) => a === EMPTY_TWO_LINES && b === EMPTY_ONE_LINE,
    why:
      "cdktf writes cdk.tf.json with json-stable-stringify (an empty object or array over two lines), cdktn with " +
      "safe-stable-stringify (`{}`, `[]`): the same JSON, keys sorted alike; only whitespace differs",
  },
];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every difference between two parsed JSON values, key order included, in document order. */
export function diffJson(file: string, a: unknown, b: unknown, path: string[] = []): Difference[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Difference[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const at = [...path, String(i)];
      if (i >= b.length) out.push({ file, path: at, a: a[i], b: undefined, what: "only in a" });
      else if (i >= a.length) out.push({ file, path: at, a: undefined, b: b[i], what: "only in b" });
      else out.push(...diffJson(file, a[i], b[i], at));
    }
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: Difference[] = [];
    for (const key of Object.keys(a)) {
      if (!(key in b)) out.push({ file, path: [...path, key], a: a[key], b: undefined, what: "only in a" });
      else out.push(...diffJson(file, a[key], b[key], [...path, key]));
    }
    for (const key of Object.keys(b)) {
      if (!(key in a)) out.push({ file, path: [...path, key], a: undefined, b: b[key], what: "only in b" });
    }
    const shared = (x: Record<string, unknown>, y: Record<string, unknown>) => Object.keys(x).filter((k) => k in y);
    if (shared(a, b).join("\0") !== shared(b, a).join("\0")) {
      out.push({ file, path, a: Object.keys(a), b: Object.keys(b), what: "key order" });
    }
    return out;
  }
  return Object.is(a, b) ? [] : [{ file, path, a, b, what: "value" }];
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A token of a JSON text as written: its raw text, the whitespace before it, and the JSON path it belongs to. */
interface JsonToken {
  raw: string;
  space: string;
  kind: "punctuation" | "key" | "value" | "end";
  path: string[];
}

/** The tokens of a valid JSON text, with paths (object keys, array indexes), keys and layout as written. */
export function jsonTokens(text: string): JsonToken[] {
  const tokens: JsonToken[] = [];
  const frames: { array: boolean; key?: string; index: number }[] = [];
  const path = () => frames.map((f) => (f.array ? String(f.index) : (f.key ?? "")));
  let i = 0;
  while (true) {
    const start = i;
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
    const space = text.slice(start, i);
    if (i >= text.length) {
      tokens.push({ raw: "", space, kind: "end", path: [] });
      return tokens;
    }
    const c = text[i];
    const top = frames[frames.length - 1];
    if (c === "{" || c === "[") {
      tokens.push({ raw: c, space, kind: "punctuation", path: path() });
      frames.push({ array: c === "[", index: 0 });
      i++;
    } else if (c === "}" || c === "]") {
      frames.pop();
      tokens.push({ raw: c, space, kind: "punctuation", path: path() });
      i++;
    } else if (c === ":" || c === ",") {
      if (c === "," && top?.array) top.index++;
      if (c === "," && top && !top.array) top.key = undefined;
      tokens.push({ raw: c, space, kind: "punctuation", path: path() });
      i++;
    } else {
      const match = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 100_000));
      if (!match) throw new Error(`not JSON at offset ${i}`);
      const raw = match[0];
      const isKey = top !== undefined && !top.array && top.key === undefined;
      if (isKey) top.key = JSON.parse(raw) as string;
      tokens.push({ raw, space, kind: isKey ? "key" : "value", path: path() });
      i += raw.length;
    }
  }
}

/**
 * What differs in how two JSON texts are written, beyond their values: keys (their order, and how
 * they are escaped), how equal values are escaped, and whitespace. Differences of values are
 * diffJson's. Empty objects and arrays written over two lines in one and as `{}`/`[]` in the other
 * make one difference; any other whitespace difference is one per place.
 */
export function diffLayout(file: string, a: string, b: string): Difference[] {
  const ta = jsonTokens(a);
  const tb = jsonTokens(b);
  const out: Difference[] = [];
  if (ta.length !== tb.length || ta.some((t, n) => t.kind !== tb[n].kind || (t.kind === "punctuation" && t.raw !== tb[n].raw))) {
    const n = ta.findIndex((t, k) => t.kind !== tb[k]?.kind || t.raw !== tb[k]?.raw);
    return [{ file, path: ta[n]?.path ?? [], a: ta[n]?.raw, b: tb[n]?.raw, what: "layout" }];
  }
  const empties = { twoLines: 0, oneLine: 0 };
  for (const [n, x] of ta.entries()) {
    const y = tb[n];
    if (x.raw !== y.raw && (x.kind === "key" || JSON.stringify(JSON.parse(x.raw)) === JSON.stringify(JSON.parse(y.raw)))) {
      out.push({ file, path: x.path, a: x.raw, b: y.raw, what: x.kind === "key" ? "key order" : "layout" });
    }
    if (x.space === y.space) continue;
    const empty = n > 0 && ((ta[n - 1].raw === "{" && x.raw === "}") || (ta[n - 1].raw === "[" && x.raw === "]"));
    if (empty && /^\n *$/.test(x.space) && y.space === "") empties.twoLines++;
    else if (empty && x.space === "" && /^\n *$/.test(y.space)) empties.oneLine++;
    else out.push({ file, path: x.path, a: x.space, b: y.space, what: "layout" });
  }
  if (empties.twoLines) out.push({ file, path: [], a: EMPTY_TWO_LINES, b: EMPTY_ONE_LINE, what: "layout" });
  if (empties.oneLine) out.push({ file, path: [], a: EMPTY_ONE_LINE, b: EMPTY_TWO_LINES, what: "layout" });
  return out;
}

/**
 * The differences between two synthesized folders: files present in one only; for JSON files, every
 * differing value, key and element, and how the text is laid out; for other files, any byte.
 */
export function diffTrees(a: Map<string, string>, b: Map<string, string>): Difference[] {
  const out: Difference[] = [];
  for (const file of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const ta = a.get(file);
    const tb = b.get(file);
    if (ta === undefined || tb === undefined) {
      out.push({ file, path: [], a: ta && "(file)", b: tb && "(file)", what: ta === undefined ? "only in b" : "only in a" });
      continue;
    }
    if (ta === tb) continue;
    const pa = file.endsWith(".json") ? parseJson(ta) : { ok: false as const };
    const pb = file.endsWith(".json") ? parseJson(tb) : { ok: false as const };
    if (!pa.ok || !pb.ok) {
      out.push({ file, path: [], ...firstDifferingLine(ta, tb), what: "bytes" });
      continue;
    }
    const values = diffJson(file, pa.value, pb.value);
    // The layout is compared when both have the same keys and elements (else those differences say enough).
    out.push(...values, ...(values.every((d) => d.what === "value") ? diffLayout(file, ta, tb) : []));
  }
  return out;
}

/** The first line that differs, numbered, for the report of a non-JSON file. */
export function firstDifferingLine(a: string, b: string): { a: string; b: string } {
  const la = a.split("\n");
  const lb = b.split("\n");
  const i = la.findIndex((line, n) => line !== lb[n]);
  const at = i === -1 ? la.length : i;
  return { a: `line ${at + 1}: ${la[at] ?? "(end)"}`, b: `line ${at + 1}: ${lb[at] ?? "(end)"}` };
}

/** Lines one run may print on stderr and the other not, and why. */
export interface ExplainedLines {
  id: string;
  lines: RegExp[];
  why: string;
}

/** What Node.js itself prints on stderr, depending on the Node.js version and the library. */
export const NODE_WARNINGS: readonly ExplainedLines[] = [
  {
    id: "dep0044-util-isarray",
    lines: [
      /^\(node:\d+\) \[DEP0044\] DeprecationWarning: The `util\.isArray` API is deprecated\. Please use `Array\.isArray\(\)` instead\.$/,
      /^\(Use `node --trace-deprecation \.\.\.` to show where the warning was created\)$/,
    ],
    why:
      "cdktf 0.21.0 calls util.isArray (lib/terraform-output.js), deprecated at run time from Node.js 22 on (DEP0044): " +
      "one warning on stderr per synth; Node.js 20 prints nothing, and cdktn 0.24.0 calls Array.isArray",
  },
];

/** A run without the explained lines of its stderr, and the ids of those it printed. */
export function withoutExplainedLines(run: SynthRun, explained: readonly ExplainedLines[]): { run: SynthRun; found: string[] } {
  const found = new Set<string>();
  const kept = run.stderr.split("\n").filter((line) => {
    const rule = explained.find((e) => e.lines.some((pattern) => pattern.test(line)));
    if (rule) found.add(rule.id);
    return !rule;
  });
  return { run: { ...run, stderr: kept.join("\n") }, found: [...found] };
}

/** The differences of two runs of the same configuration: the output folders, stdout, stderr and exit code. */
export function diffRuns(a: SynthRun, b: SynthRun): Difference[] {
  const out = diffTrees(a.files, b.files);
  for (const stream of ["stdout", "stderr"] as const) {
    if (a[stream] !== b[stream]) out.push({ file: `(${stream})`, path: [], ...firstDifferingLine(a[stream], b[stream]), what: "bytes" });
  }
  if (a.status !== b.status) out.push({ file: "(exit code)", path: [], a: a.status, b: b.status, what: "value" });
  return out;
}

/** The explanation of a difference, if it is one of `explained` with the expected values. */
export function explain(
  difference: Difference,
  explained: readonly ExplainedDifference[],
  engines: { a: Engine; b: Engine },
): ExplainedDifference | undefined {
  return explained.find(
    (rule) =>
      (rule.what ?? "value") === difference.what &&
      rule.file.test(difference.file) &&
      rule.path.join("\0") === difference.path.join("\0") &&
      rule.expected(difference.a, difference.b, engines),
  );
}

/** A difference on one line: where, what, and both values. */
export function describe(difference: Difference): string {
  const where = difference.path.length ? `${difference.file} ${difference.path.join(".")}` : difference.file;
  const show = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value)?.slice(0, 160));
  return `${where}: ${difference.what}: ${show(difference.a)} -> ${show(difference.b)}`;
}

/** The npm error codes that mean the registry could not be reached (DNS, connection, TLS proxy, timeout). */
const NETWORK_CODES = [
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ESOCKETTIMEDOUT",
];

/** The network error in npm's output that means the registry is unreachable, if there is one. */
export function registryUnreachable(npmOutput: string): string | undefined {
  const code = /npm (?:error|ERR!) code (\w+)/.exec(npmOutput)?.[1];
  if (code && NETWORK_CODES.includes(code)) return code;
  if (/npm (?:error|ERR!) network\b/.test(npmOutput)) return code ?? "network error";
  return undefined;
}

/**
 * What a check does when it cannot install what it compares: it never passes silently. It says
 * "skipped" and why, and exits 0 on a developer's machine; under CI=true it fails (exit 1).
 */
export function skipped(check: string, reason: string, env: NodeJS.ProcessEnv): { exitCode: number; message: string } {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  return ci
    ? { exitCode: 1, message: `${check}: FAILED: skipped, and CI=true does not allow a skip: ${reason}` }
    : { exitCode: 0, message: `${check}: skipped: ${reason}. Nothing was compared (under CI=true this fails).` };
}
