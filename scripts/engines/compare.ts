// What the engine checks compare, as pure functions (no process, no file system): two synth runs
// (every output file, stdout, stderr, exit code), JSON files as parsed values with microdiff, the
// differences cdktf and cdktn may have and why, the Node.js warnings explained away, and what a check
// does when the npm registry is out of reach. `__tests__/scripts/cdktn.test.ts` tests them.
import microdiff from "microdiff";

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

/** A difference between two files (path: JSON keys and indexes; [] is the file itself). */
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
 * registry.terraform.io and a missing namespace to hashicorp (`"source": "aws"` is
 * provider[registry.terraform.io/hashicorp/aws] for `terraform providers`).
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

/** Every differing value, key and element of two parsed JSON values (microdiff), in its order. */
export function diffJson(file: string, a: unknown, b: unknown): Difference[] {
  // microdiff compares objects and arrays: the values are wrapped, and the wrapper's key dropped from the paths.
  return microdiff({ v: a }, { v: b }).map((d) => ({
    file,
    path: d.path.slice(1).map(String),
    a: d.type === "CREATE" ? undefined : d.oldValue,
    b: d.type === "REMOVE" ? undefined : d.value,
    what: d.type === "CREATE" ? "only in b" : d.type === "REMOVE" ? "only in a" : "value",
  }));
}

const parseJson = (text: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
};

/** Empty objects and arrays written on one line (`{}`, `[]`): what cdktf's two-line empties become. */
const collapseEmpties = (text: string) => text.replace(/\{\n *\}/g, "{}").replace(/\[\n *\]/g, "[]");

/** How a JSON text is laid out, against JSON.stringify(value, null, 2): the same, the same but for two-line empties, or neither. */
function layoutOf(text: string, value: unknown): string {
  const standard = JSON.stringify(value, null, 2);
  if (text === standard) return EMPTY_ONE_LINE;
  if (collapseEmpties(text) === standard) return EMPTY_TWO_LINES;
  return `JSON.stringify's layout but at ${firstDifferingLine(standard, text).b}`;
}

/**
 * How two JSON texts differ beyond their values: the order of keys (JSON.stringify keeps it), then
 * the layout (whitespace, escapes), each side against JSON.stringify's 2-space layout. `differences`:
 * their value differences (diffJson), "value" kinds only, which b's values replace in a first.
 */
export function diffLayout(file: string, ta: string, tb: string, differences: Difference[] = []): Difference[] {
  const [a, b] = [JSON.parse(ta) as unknown, JSON.parse(tb) as unknown];
  const patched = differences.reduce((value, d) => setAt(value, d.path, d.b), a);
  const [sa, sb] = [JSON.stringify(patched, null, 2), JSON.stringify(b, null, 2)];
  if (sa !== sb) return [{ file, path: [], ...firstDifferingLine(sa, sb), what: "key order" }];
  const [la, lb] = [layoutOf(ta, a), layoutOf(tb, b)];
  if (la !== lb) return [{ file, path: [], a: la, b: lb, what: "layout" }];
  // Both laid out alike by that measure: with equal values, the texts themselves are compared.
  return differences.length === 0 && ta !== tb ? [{ file, path: [], ...firstDifferingLine(ta, tb), what: "layout" }] : [];
}

/** `value` with `replacement` at `path` (objects and arrays copied on the way). */
function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), replacement);
  return copy;
}

/**
 * The differences between two synthesized folders: files present in one only; for JSON files,
 * every differing value, key and element (microdiff) and, when only values differ, the key order
 * and layout; for other files, the first differing line.
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
    const [pa, pb] = file.endsWith(".json") ? [parseJson(ta), parseJson(tb)] : [];
    if (!pa || !pb) {
      out.push({ file, path: [], ...firstDifferingLine(ta, tb), what: "bytes" });
      continue;
    }
    const values = diffJson(file, pa.value, pb.value);
    // Keys or elements in one only say enough; else the layout is compared too.
    out.push(...values, ...(values.every((d) => d.what === "value") ? diffLayout(file, ta, tb, values) : []));
  }
  return out;
}

/** The first line that differs, numbered, for the report of a non-JSON file or a layout. */
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
