// What the command-line scripts share: the project root, usage errors and exit codes, and argument
// parsing with node:util's parseArgs (strict), worded as our usage messages are.
import { resolve } from "path";
import { parseArgs } from "util";

/** The project folder (holds package.json, setup.config.json, cdktf.out/). */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** Exit codes of every script: success, failure, usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong: the script prints its usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The parsed command line: string options by name, positionals, or "help" for -h/--help. */
export type CommandLine<K extends string> =
  { readonly options: Partial<Record<K, string>>; readonly flags: ReadonlySet<string>; readonly positionals: string[] } | "help";

/**
 * Parses `argv` with node:util's parseArgs: string options (`--name value` or `--name=value`),
 * positionals anywhere, `--` ends the options, `-h`/`--help` gives "help". Each option at most once
 * and never empty. Throws a {@link UsageError} with a short message.
 */
export function parseCommandLine<K extends string>(
  argv: readonly string[],
  optionNames: readonly K[],
  maxPositionals: number,
  flagNames: readonly string[] = [],
): CommandLine<K> {
  const options = Object.fromEntries([
    ...optionNames.map((n) => [n, { type: "string" as const }]),
    ...flagNames.map((n) => [n, { type: "boolean" as const }]),
    ["help", { type: "boolean" as const, short: "h" }],
  ]);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const name = /'(-{1,2}[^' ]+)/.exec((e as Error).message)?.[1] ?? "an option";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${name}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new UsageError(`${name} needs a value`);
    throw new UsageError((e as Error).message);
  }
  if (parsed.values.help) return "help";
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given twice`);
    seen.add(token.name);
    if (token.value === "") throw new UsageError(`--${token.name} needs a value`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`);
  }
  const values: Partial<Record<K, string>> = {};
  for (const name of optionNames) {
    const value = parsed.values[name];
    if (typeof value === "string") values[name] = value;
  }
  const flags = new Set(flagNames.filter((n) => parsed.values[n] === true));
  return { options: values, flags, positionals: parsed.positionals };
}

/** Where a command reads and writes (the tests give their own). */
export interface CommandIo {
  /** SETUP_CONFIG, INIT_CWD, PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** The project root (holds setup.config.json and cdktf.out/). */
  readonly root: string;
  /** The command's output (stdout). */
  readonly out: (text: string) => void;
  /** Notes and errors (stderr), one line each. */
  readonly err: (line: string) => void;
}

export const processIo = (): CommandIo => ({
  env: process.env,
  root: PROJECT_ROOT,
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
});

/**
 * The parsed arguments, or the exit code once `-h` printed the usage (0) or a usage error was
 * printed with it (2, as `<command>: <message>`).
 */
export function argsOrExit<A>(command: string, usage: string, io: CommandIo, parse: () => A | "help"): A | number {
  try {
    const parsed = parse();
    if (parsed !== "help") return parsed;
    io.out(`${usage}\n`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${command}: ${e.message}\n\n${usage}`);
    return EXIT.usage;
  }
}
