// Reading the configuration file: size, depth, encoding, JSON syntax and duplicate keys are checked
// before the schema, each problem with its line and column; a secret in the file is never echoed.
import { readFileSync, statSync } from "fs";
import { join, resolve } from "path";
import { ParseError, ParseErrorCode, parse as parseJsonc, printParseErrorCode, visit } from "jsonc-parser";
import { describeIssue, ConfigError, jsonPath, shortKey } from "./errors";
import { SetupConfig, SetupConfigSchema } from "./schema";

/** Validates a parsed configuration; throws a ConfigError listing every problem (after `problems` found before). */
export function parseConfig(data: unknown, source = "configuration", problems: string[] = []): SetupConfig {
  return validate(data, source, problems, new Map());
}

/** {@link parseConfig}, with the source text of the numbers JSON.parse made infinite (by JSON path). */
function validate(data: unknown, source: string, problems: string[], numbers: ReadonlyMap<string, string>): SetupConfig {
  const result = SetupConfigSchema.safeParse(data);
  const all = [...problems, ...(result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, data, numbers)))];
  if (all.length > 0 || !result.success) throw new ConfigError(source, all);
  return result.data;
}

/**
 * The folder the user ran the command from. npm runs scripts in the project folder and records
 * the caller's folder in INIT_CWD, so relative paths a user gives (SETUP_CONFIG, --out, ...) are
 * resolved against it, as a shell user expects.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** The configuration file: SETUP_CONFIG (relative to {@link userCwd}), else `defaultFile`. */
export function configFileFromEnv(env: NodeJS.ProcessEnv, defaultFile: string): string {
  return env.SETUP_CONFIG ? resolve(userCwd(env), env.SETUP_CONFIG) : defaultFile;
}

/** Reads, parses and validates the configuration file. */
export function loadConfig(file: string): SetupConfig {
  let bytes: Buffer;
  try {
    // A device or a pipe (SETUP_CONFIG=/dev/zero) would be read without end; a huge file is no configuration.
    const stat = statSync(file);
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(file, [`is ${stat.size} bytes: a configuration is at most ${MAX_CONFIG_BYTES} bytes (10 MiB)`]);
    }
    if (!stat.isFile() && !stat.isDirectory()) {
      throw new ConfigError(file, ["is not a regular file (a device, a pipe or a socket): set SETUP_CONFIG to the JSON file"]);
    }
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      code === "ENOENT"
        ? `file not found (set SETUP_CONFIG to the path of your configuration, or create ${file})`
        : code === "EISDIR"
          ? `is a directory, not a configuration file (set SETUP_CONFIG to the JSON file, e.g. ${join(file, "setup.config.json")})`
          : `cannot be read: ${(e as Error).message}`,
    ]);
  }
  let text = decodeUtf8(file, bytes);
  // Editors on Windows may save UTF-8 with a byte order mark; it is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") {
    throw new ConfigError(file, ['is empty (expected a JSON object such as { "accounts": [ ... ] }; see docs/configuration.md)']);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const yaml = yamlKey(text);
    if (yaml) {
      const target = file.replace(/\.(ya?ml|json)$/i, "") + ".json";
      const out = target === file ? file.replace(/\.json$/i, "") + ".converted.json" : target;
      throw new ConfigError(file, [
        `the file is YAML, not JSON (found ${yaml}); this app reads JSON only: convert it with ` +
          `\`npx yaml --json --single --indent 2 < ${file} > ${out}\` and set SETUP_CONFIG to ${out}, or keep the configuration in JSON`,
      ]);
    }
    throw new ConfigError(file, [`the file is not valid JSON: ${jsonErrorLocation(text, (e as Error).message)}`]);
  }
  const deep = nestingBeyond(text, MAX_CONFIG_DEPTH);
  if (deep !== undefined) {
    throw new ConfigError(file, [
      `nests objects and lists deeper than ${MAX_CONFIG_DEPTH} levels (from line ${deep}); a configuration nests at most a few`,
    ]);
  }
  // Keys written twice are reported with every other problem of the file (all at once).
  return validate(data, file, duplicateKeys(text), numberLiterals(text));
}

/** The largest configuration file read (10 MiB: a configuration of thousands of accounts is a few MB). */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;
/** The deepest nesting of objects and lists a configuration may have (its own is about 6). */
export const MAX_CONFIG_DEPTH = 64;

/** The line where the nesting of `{` and `[` (outside strings) first goes beyond `limit`, if it does. */
function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let line = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    else if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (++depth > limit) return line;
    } else if (c === "}" || c === "]") depth--;
  }
  return undefined;
}

/**
 * The text of a UTF-8 file. Anything else (UTF-16 as Windows tools save it, Latin-1 or
 * Windows-1252 from older editors) is a ConfigError saying where, never showing the content.
 */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  const notUtf8 = (why: string) => new ConfigError(file, [`is not UTF-8 text (${why})`]);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw notUtf8(
      `it starts with the UTF-16 byte order mark ${bytes[0] === 0xff ? "FF FE" : "FE FF"}, as Windows PowerShell's > and Out-File write; ` +
        "save it as UTF-8, e.g. with Out-File -Encoding utf8 or your editor's encoding setting",
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    const where = at < 0 ? "it has bytes that are not UTF-8" : `byte 0x${hex(bytes[at])} at ${lineAndColumn(bytes, at)} is not UTF-8`;
    throw notUtf8(`${where}, as in Latin-1 or Windows-1252 text; save it as UTF-8`);
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    throw notUtf8(
      `it has a NUL byte at ${lineAndColumn(bytes, Buffer.byteLength(text.slice(0, nul)))}, as UTF-16 text has; save it as UTF-8`,
    );
  }
  return text;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

/** "line L, column C" of a byte offset (the column counts characters, as editors do). */
function lineAndColumn(bytes: Uint8Array, offset: number): string {
  const before = Buffer.from(bytes.subarray(0, offset)).toString("utf8").split("\n");
  return `line ${before.length}, column ${[...before[before.length - 1]].length + 1}`;
}

/** The offset of the first byte that starts no valid UTF-8 sequence, or -1. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const size =
      lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0) return i;
    // The second byte's range excludes overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    const [low, high] =
      lead === 0xe0
        ? [0xa0, 0xbf]
        : lead === 0xed
          ? [0x80, 0x9f]
          : lead === 0xf0
            ? [0x90, 0xbf]
            : lead === 0xf4
              ? [0x80, 0x8f]
              : [0x80, 0xbf];
    for (let k = 1; k < size; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += size;
  }
  return -1;
}

/**
 * What makes a text that is not JSON look like YAML: its first line that is not blank or a
 * comment is a YAML document marker (---) or a `key:` mapping entry. Only the key is shown.
 */
function yamlKey(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const index = lines.findIndex((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (index < 0) return undefined;
  const line = lines[index];
  if (line.startsWith("---")) return `the YAML document marker --- at line ${index + 1}`;
  const key = /^([A-Za-z_$][\w$-]*)\s*:/.exec(line)?.[1];
  return key === undefined
    ? undefined
    : `the YAML key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key)} at line ${index + 1}`;
}

/**
 * The source text of the numbers JSON.parse cannot hold (1e400 becomes Infinity), by JSON path:
 * the schema's message then shows what the file says.
 */
function numberLiterals(text: string): Map<string, string> {
  const literals = new Map<string, string>();
  visit(text, {
    onLiteralValue: (value, offset, length, _line, _column, pathSupplier) => {
      if (typeof value === "number" && !Number.isFinite(value)) {
        const literal = text.slice(offset, offset + length);
        literals.set(jsonPath(pathSupplier()), literal.length > 40 ? `${literal.slice(0, 37)}...` : literal);
      }
    },
  });
  return literals;
}

/**
 * Keys that appear twice in the same object. JSON.parse keeps the last one silently, so a
 * setting written twice ("console": false, then "console": {...}) would hide the first.
 */
function duplicateKeys(text: string): string[] {
  const problems: string[] = [];
  const objects: Map<string, { line: number; column: number }>[] = [];
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Map());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (property, _offset, _length, startLine, startCharacter, pathSupplier) => {
      const seen = objects[objects.length - 1];
      const here = { line: startLine + 1, column: startCharacter + 1 };
      const first = seen.get(property);
      if (first) {
        problems.push(
          `${jsonPath([...pathSupplier(), property])}: duplicate key ${JSON.stringify(shortKey(property))} ` +
            `at line ${here.line}, column ${here.column} ` +
            `(first at line ${first.line}, column ${first.column}); JSON keeps only the last one, so remove one of them`,
        );
      } else seen.set(property, here);
    },
  });
  return problems;
}

const JSON_PROBLEMS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "unexpected character",
  [ParseErrorCode.InvalidNumberFormat]: "malformed number",
  [ParseErrorCode.PropertyNameExpected]: "a property name in double quotes was expected (JSON allows no trailing comma)",
  [ParseErrorCode.ValueExpected]: "a value was expected (JSON allows no trailing comma)",
  [ParseErrorCode.ColonExpected]: "':' was expected",
  [ParseErrorCode.CommaExpected]: "',' was expected",
  [ParseErrorCode.CloseBraceExpected]: "'}' was expected",
  [ParseErrorCode.CloseBracketExpected]: "']' was expected",
  [ParseErrorCode.EndOfFileExpected]: "nothing may follow the top-level value",
  [ParseErrorCode.InvalidCommentToken]: "comments are not allowed in JSON",
  [ParseErrorCode.UnexpectedEndOfComment]: "comments are not allowed in JSON",
  [ParseErrorCode.UnexpectedEndOfString]: "unterminated string",
  [ParseErrorCode.InvalidEscapeCharacter]: "invalid escape in a string",
  [ParseErrorCode.InvalidCharacter]: "invalid character in a string",
};

/** Where and why JSON.parse failed: line, column and the line itself (JSON.parse does not always say). */
function jsonErrorLocation(text: string, fallback: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return fallback;
  const lines = text.slice(0, first.offset).split("\n");
  const line = lines.length;
  const column = lines[lines.length - 1].length + 1;
  const source = (text.split("\n")[line - 1] ?? "").trimEnd();
  return `${JSON_PROBLEMS[first.error] ?? printParseErrorCode(first.error)} at line ${line}, column ${column}: ${source.slice(0, 120)}`;
}
