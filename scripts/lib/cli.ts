// The one way to write a command of scripts/: the project root, argument parsing with node:util's
// parseArgs (strict), --help, usage errors and exit codes (0 ok, 1 failed, 2 usage), where a command
// reads and writes (CommandIo: the tests give their own), and progress on stderr on a terminal.
import { resolve } from "path";
import { parseArgs } from "util";
import { userCwd } from "../../modules/app/config";

/** The project folder (holds package.json, setup.config.json, cdktf.out/): defined here only. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** Exit codes of every script: success, failure, usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong: the command names the option and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure with a message for the user: the command prints `<command>: <message>` and exits 1. */
export class CommandError extends Error {
  override name = "CommandError";
}

/** The parsed command line: string options by name, flags, positionals, or "help" for -h/--help. */
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
  /** SETUP_CONFIG, INIT_CWD, PATH, ... */
  readonly env: NodeJS.ProcessEnv;
  /** The project root (holds setup.config.json and cdktf.out/). */
  readonly root: string;
  /** Where relative paths of the command line start. @default root */
  readonly cwd?: string;
  /** The command's output (stdout). */
  readonly out: (text: string) => void;
  /** Notes and errors (stderr), one line each. */
  readonly err: (line: string) => void;
  /** Whether stderr is a terminal: progress is printed only then. @default false */
  readonly isTTY?: boolean;
  /** Whether stdout is a terminal too (colours of what a command passes through). @default false */
  readonly outIsTTY?: boolean;
}

/** The configuration file of a command: SETUP_CONFIG (relative to where the user ran it), else the project's setup.config.json. */
export function configFileOf(io: CommandIo): string {
  return io.env.SETUP_CONFIG ? resolve(io.cwd ?? userCwd(io.env), io.env.SETUP_CONFIG) : resolve(io.root, "setup.config.json");
}

export const processIo = (): CommandIo => ({
  env: process.env,
  root: PROJECT_ROOT,
  cwd: userCwd(),
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: process.stderr.isTTY === true,
  outIsTTY: process.stdout.isTTY === true,
});

/**
 * Progress of a run of several steps (`<command>: stack 2 of 5: prod`), on stderr and only on a
 * terminal: a pipeline's log and the tests see none.
 */
export function progress(command: string, io: Pick<CommandIo, "err" | "isTTY">, unit: string, total: number) {
  let done = 0;
  return (label = ""): void => {
    done++;
    if (io.isTTY) io.err(`${command}: ${unit} ${done} of ${total}${label ? `: ${label}` : ""}`);
  };
}

/** What {@link runCommand} needs to know of a command. */
export interface CommandSpec<A> {
  /** As the user types it after `npm run`: `review`, `plan:offline`. */
  readonly name: string;
  /** The usage text; its first line is the synopsis (`usage: npm run ...`). */
  readonly usage: string;
  /** The arguments, or "help"; throws a {@link UsageError}. */
  readonly parse: (argv: readonly string[]) => A | "help";
  /** Other error classes whose message is for the user (exit 1), beside {@link CommandError}. */
  readonly failures?: ReadonlyArray<abstract new (...args: never[]) => Error>;
}

/**
 * Runs a command: `--help` prints the usage on stdout (exit 0); a usage error prints one line,
 * `<command>: <message>; see --help`, and the synopsis (exit 2); a {@link CommandError} (or one of
 * `spec.failures`) prints `<command>: <message>` (exit 1). Anything else is a bug: it is thrown.
 */
export function runCommand<A>(spec: CommandSpec<A>, argv: readonly string[], io: CommandIo, body: (args: A) => number): number;
export function runCommand<A>(
  spec: CommandSpec<A>,
  argv: readonly string[],
  io: CommandIo,
  body: (args: A) => Promise<number>,
): Promise<number>;
export function runCommand<A>(
  spec: CommandSpec<A>,
  argv: readonly string[],
  io: CommandIo,
  body: (args: A) => number | Promise<number>,
): number | Promise<number> {
  let args: A | "help";
  try {
    args = spec.parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${spec.name}: ${e.message}; see --help\n${spec.usage.split("\n")[0]}`);
    return EXIT.usage;
  }
  if (args === "help") {
    io.out(`${spec.usage}\n`);
    return EXIT.ok;
  }
  const failed = (e: unknown): number => {
    if (!(e instanceof CommandError || (spec.failures ?? []).some((f) => e instanceof f))) throw e;
    io.err(`${spec.name}: ${(e as Error).message}`);
    return EXIT.failed;
  };
  try {
    const code = body(args);
    return typeof code === "number" ? code : code.catch(failed);
  } catch (e) {
    return failed(e);
  }
}

/** The message of an error (or of a thrown value that is not one). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** For a command's entry: runs it with the process's I/O and sets the exit code. */
export function main(run: (argv: readonly string[], io: CommandIo) => number | Promise<number>): void {
  Promise.resolve(run(process.argv.slice(2), processIo())).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = EXIT.failed;
    },
  );
}
