// `npm run stacks [-- --json] [--batch-size <n>] [--default-role-arn <arn>] [--require-role]`: lists the
// stacks of the configuration (SETUP_CONFIG, default setup.config.json) in configuration order, as the
// app synthesizes them (accounts[], then identityCenter): name, kind, region, account id and the role a
// CI job assumes to plan it. `--json` prints a GitHub Actions matrix, `{"include":[...]}`, that a
// workflow feeds to `fromJSON` (examples/ci/github-pull-request.yml: one plan job per stack);
// `--batch-size` splits it into batches for GitHub's limit of 256 jobs per matrix.
//
// Exit codes: 0 listed; 1 the configuration is wrong, or --require-role and a stack has no role;
// 2 bad arguments.
import { resolve } from "path";
import { ROLE_ARN } from "../modules/aws-rules";
import { ConfigError, SetupConfig, configFileFromEnv, loadConfig } from "../modules/config";
import { CommandIo, EXIT, UsageError, argsOrExit, parseCommandLine, processIo } from "./lib/cli";

/** GitHub Actions: "A job matrix can generate a maximum of 256 jobs per workflow run." */
export const MAX_MATRIX_JOBS = 256;

export const USAGE = [
  "usage: npm run stacks [-- --json] [--batch-size <n>] [--default-role-arn <arn>] [--require-role]",
  "",
  "Lists the stacks of the configuration (SETUP_CONFIG, default setup.config.json) in configuration",
  "order (accounts[], then identityCenter): name, kind (account or identity-center), region,",
  "accountId and assumeRoleArn, the role a CI job assumes to plan the stack (null: none).",
  "",
  "  --json                    one line of JSON, a GitHub Actions matrix for fromJSON:",
  '                            {"include":[{"name","kind","region","accountId","assumeRoleArn"}, ...]}',
  `  --batch-size <n>          batches of at most n stacks (1 to ${MAX_MATRIX_JOBS}: GitHub runs at most`,
  `                            ${MAX_MATRIX_JOBS} jobs per matrix); with --json a matrix of matrices:`,
  '                            {"include":[{"batch":1,"size":n,"stacks":{"include":[...]}}, ...]}',
  "  --default-role-arn <arn>  the role for a stack whose configuration has no assumeRoleArn",
  "  --require-role            fail (exit 1) when a stack has no role to assume",
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class StacksError extends Error {
  override name = "StacksError";
}

export interface Args {
  readonly json: boolean;
  readonly batchSize?: number;
  readonly defaultRoleArn?: string;
  readonly requireRole: boolean;
}

/** One stack, as a matrix entry: every key is always there (null when not configured). */
export interface StackEntry {
  readonly name: string;
  readonly kind: "account" | "identity-center";
  readonly region: string;
  readonly accountId: string | null;
  /** The role the plan job assumes: the configured assumeRoleArn, else --default-role-arn, else null. */
  readonly assumeRoleArn: string | null;
}

/** A GitHub Actions matrix of explicit entries. */
export interface Matrix<T> {
  readonly include: T[];
}

/** One batch of stacks: a matrix of its own (at most {@link MAX_MATRIX_JOBS} jobs). */
export interface Batch {
  /** 1, 2, ... */
  readonly batch: number;
  readonly size: number;
  readonly stacks: Matrix<StackEntry>;
}

/** `--help` / `-h`, or the parsed arguments. Throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Args | "help" {
  const line = parseCommandLine(argv, ["batch-size", "default-role-arn"], 0, ["json", "require-role"]);
  if (line === "help") return "help";
  const { "batch-size": batchText, "default-role-arn": defaultRoleArn } = line.options;
  let batchSize: number | undefined;
  if (batchText !== undefined) {
    batchSize = /^[0-9]+$/.test(batchText) ? Number(batchText) : NaN;
    if (!(batchSize >= 1 && batchSize <= MAX_MATRIX_JOBS)) {
      throw new UsageError(
        `--batch-size ${JSON.stringify(batchText)}: give a whole number from 1 to ${MAX_MATRIX_JOBS} ` +
          `(GitHub Actions runs at most ${MAX_MATRIX_JOBS} jobs per matrix)`,
      );
    }
  }
  if (defaultRoleArn !== undefined && !ROLE_ARN.pattern.test(defaultRoleArn)) {
    throw new UsageError(`--default-role-arn ${JSON.stringify(defaultRoleArn)} ${ROLE_ARN.rule}`);
  }
  return {
    json: line.flags.has("json"),
    requireRole: line.flags.has("require-role"),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(defaultRoleArn !== undefined ? { defaultRoleArn } : {}),
  };
}

/** The stacks of a configuration, in the order the app creates them (modules/app.ts createApp). */
export function listStacks(config: SetupConfig, defaultRoleArn?: string): StackEntry[] {
  const entry = (kind: StackEntry["kind"], s: { name: string; region: string; accountId?: string; assumeRoleArn?: string }) => ({
    name: s.name,
    kind,
    region: s.region,
    accountId: s.accountId ?? null,
    assumeRoleArn: s.assumeRoleArn ?? defaultRoleArn ?? null,
  });
  const stacks: StackEntry[] = config.accounts.map((a) => entry("account", a));
  if (config.identityCenter) stacks.push(entry("identity-center", config.identityCenter));
  return stacks;
}

/** Consecutive batches of at most `size` stacks, numbered from 1. */
export function batches(stacks: readonly StackEntry[], size: number): Batch[] {
  const result: Batch[] = [];
  for (let i = 0; i < stacks.length; i += size) {
    const include = stacks.slice(i, i + size);
    result.push({ batch: result.length + 1, size: include.length, stacks: { include } });
  }
  return result;
}

/** The aligned table of the text output. */
export function renderTable(stacks: readonly StackEntry[]): string {
  const header = ["name", "kind", "region", "accountId", "assumeRoleArn"];
  const rows = stacks.map((s) => [s.name, s.kind, s.region, s.accountId ?? "-", s.assumeRoleArn ?? "-"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** What the command prints on stdout for `args`. */
export function render(stacks: readonly StackEntry[], args: Args): string {
  if (args.batchSize === undefined) return args.json ? JSON.stringify({ include: stacks }) : renderTable(stacks);
  const list = batches(stacks, args.batchSize);
  if (args.json) return JSON.stringify({ include: list });
  return list.map((b) => `batch ${b.batch} of ${list.length} (${b.size} stack(s)):\n${renderTable(b.stacks.include)}`).join("\n\n");
}

/** Where the script reads and writes. */
export type Io = CommandIo;

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: Io = processIo()): number {
  const args = argsOrExit("stacks", USAGE, io, () => parseArgs(argv));
  if (typeof args === "number") return args;
  const configFile = configFileFromEnv(io.env, resolve(io.root, "setup.config.json"));
  try {
    const stacks = listStacks(loadConfig(configFile), args.defaultRoleArn);
    const roleless = stacks.filter((s) => s.assumeRoleArn === null).map((s) => s.name);
    if (args.requireRole && roleless.length > 0) {
      throw new StacksError(
        `--require-role: no role to assume for stack(s) ${roleless.join(", ")}: give each an assumeRoleArn in ` +
          `${configFile}, or give --default-role-arn (the workflow passes the repository variable PLAN_ROLE_ARN)`,
      );
    }
    io.out(`${render(stacks, args)}\n`);
    const batchCount = args.batchSize === undefined ? "" : ` in ${Math.ceil(stacks.length / args.batchSize)} batch(es)`;
    io.err(`stacks: ${stacks.length} stack(s)${batchCount} of ${configFile}`);
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof StacksError || e instanceof ConfigError)) throw e;
    io.err(`stacks: ${e.message}`);
    return EXIT.failed;
  }
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
