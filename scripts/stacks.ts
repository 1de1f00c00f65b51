// `npm run stacks`: the stacks of the configuration as a table or a GitHub Actions matrix (USAGE). Under
// CI (CI=true) it refuses what a pull-request plan must not run on: the local backend (a runner has no
// state) and a plain-text secret in a state that no acknowledgement covers (any branch can run the
// plan role, which reads that state). Exit codes: 0 listed; 1 refused or the configuration is wrong; 2 usage.
import { readFileSync } from "fs";
import { join, resolve } from "path";
import { acknowledgementOf } from "../modules/app";
import { ROLE_ARN } from "../modules/core/aws-rules";
import { ConfigError, SetupConfig, loadConfig } from "../modules/app/config";
import { WarningId } from "../modules/core/warnings";
import { incompleteMessage, incompleteOutput } from "../modules/app/synth/output-journal";
import {
  CommandError,
  CommandIo,
  EXIT,
  UsageError,
  configFileOf,
  main,
  parseCommandLine,
  processIo,
  progress,
  runCommand,
} from "./lib/cli";

/** GitHub Actions: "A job matrix can generate a maximum of 256 jobs per workflow run." */
export const MAX_MATRIX_JOBS = 256;

export const USAGE = [
  "usage: npm run stacks [-- --json] [--batch-size <n>] [--default-role-arn <arn>] [--require-role]",
  "                         [--default-apply-role-arn <arn>] [--require-apply-role] [--changed <base cdktf.out>]",
  "",
  "Lists the stacks of the configuration (SETUP_CONFIG, default setup.config.json) in configuration",
  "order (accounts[], then identityCenter): name, kind (account or identity-center), region,",
  "accountId, planRoleArn (the read-only role a pull-request plan job assumes), applyRoleArn (the role",
  "an apply job assumes) and retired. Under CI (CI=true) it refuses the local backend and plain-text",
  "secrets in a state the configuration does not acknowledge.",
  "",
  "  --json                    one line of JSON, a GitHub Actions matrix for fromJSON:",
  '                            {"include":[{"name","kind","region","accountId","planRoleArn","applyRoleArn",',
  '                            "retired","assumeRoleArn"}, ...]} (assumeRoleArn: the plan role, as before)',
  `  --batch-size <n>          batches of at most n stacks (1 to ${MAX_MATRIX_JOBS}: GitHub runs at most`,
  `                            ${MAX_MATRIX_JOBS} jobs per matrix); with --json a matrix of matrices:`,
  '                            {"include":[{"batch":1,"size":n,"stacks":{"include":[...]}}, ...]}',
  "  --default-role-arn <arn>  the plan role of a stack whose configuration has no planRoleArn; {accountId} in it",
  "                            is the stack's account id (arn:aws:iam::{accountId}:role/incident-manager-plan)",
  "  --require-role            fail (exit 1) when a stack has no plan role",
  "  --default-apply-role-arn <arn>  the apply role of a stack whose configuration has no assumeRoleArn",
  "  --require-apply-role      fail (exit 1) when a stack has no apply role",
  "  --changed <dir>           only the stacks whose synthesized cdk.tf.json differs from <dir>/stacks/<name>/",
  "                            (a synth of the previous commit), or that <dir> lacks",
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class StacksError extends CommandError {
  override name = "StacksError";
}

export interface Args {
  readonly json: boolean;
  readonly batchSize?: number;
  readonly defaultRoleArn?: string;
  readonly requireRole: boolean;
  readonly defaultApplyRoleArn?: string;
  readonly requireApplyRole?: boolean;
  /** A base synth folder: only stacks whose synthesized JSON differs from it. */
  readonly changed?: string;
}

/** One stack, as a matrix entry: every key is always there (null when not configured). */
export interface StackEntry {
  readonly name: string;
  readonly kind: "account" | "identity-center";
  readonly region: string;
  readonly accountId: string | null;
  /** The read-only role a plan job assumes: the configured planRoleArn, else --default-role-arn, else null. */
  readonly planRoleArn: string | null;
  /** The role an apply job assumes: the configured assumeRoleArn, else --default-apply-role-arn, else null. */
  readonly applyRoleArn: string | null;
  /** Whether the stack is retired (`retire: true`): its plan destroys what the app made there. */
  readonly retired: boolean;
  /** The plan role, under its earlier name (workflows copied before planRoleArn existed). */
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
  const line = parseCommandLine(argv, ["batch-size", "default-role-arn", "default-apply-role-arn", "changed"], 0, [
    "json",
    "require-role",
    "require-apply-role",
  ]);
  if (line === "help") return "help";
  const {
    "batch-size": batchText,
    "default-role-arn": defaultRoleArn,
    "default-apply-role-arn": defaultApplyRoleArn,
    changed,
  } = line.options;
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
  if (defaultRoleArn !== undefined && !ROLE_ARN.pattern.test(withAccount(defaultRoleArn, "111122223333"))) {
    throw new UsageError(`--default-role-arn ${JSON.stringify(defaultRoleArn)} ${ROLE_ARN.rule}`);
  }
  if (defaultApplyRoleArn !== undefined && !ROLE_ARN.pattern.test(withAccount(defaultApplyRoleArn, "111122223333"))) {
    throw new UsageError(`--default-apply-role-arn ${JSON.stringify(defaultApplyRoleArn)} ${ROLE_ARN.rule}`);
  }
  return {
    json: line.flags.has("json"),
    requireRole: line.flags.has("require-role"),
    requireApplyRole: line.flags.has("require-apply-role"),
    ...(defaultApplyRoleArn !== undefined ? { defaultApplyRoleArn } : {}),
    ...(changed !== undefined ? { changed } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(defaultRoleArn !== undefined ? { defaultRoleArn } : {}),
  };
}

/** The stacks of a configuration, in the order the app creates them (modules/app/compose.ts createApp). */
export function listStacks(config: SetupConfig, defaultRoleArn?: string, defaultApplyRoleArn?: string): StackEntry[] {
  type Target = { name: string; region: string; accountId?: string; assumeRoleArn?: string; planRoleArn?: string; retire: boolean };
  const entry = (kind: StackEntry["kind"], s: Target): StackEntry => {
    const fill = (template: string | undefined) => (template === undefined ? undefined : withAccount(template, s.accountId));
    const planRoleArn = s.planRoleArn ?? fill(defaultRoleArn) ?? null;
    return {
      name: s.name,
      kind,
      region: s.region,
      accountId: s.accountId ?? null,
      planRoleArn,
      applyRoleArn: s.assumeRoleArn ?? fill(defaultApplyRoleArn) ?? null,
      retired: s.retire,
      assumeRoleArn: planRoleArn,
    };
  };
  const stacks: StackEntry[] = config.accounts.map((a) => entry("account", a));
  if (config.identityCenter) stacks.push(entry("identity-center", config.identityCenter));
  return stacks;
}

/**
 * A default role ARN for a stack: `{accountId}` replaced by the stack's account id, so one
 * repository variable names the same role in every account (`arn:aws:iam::{accountId}:role/incident-manager-plan`).
 */
export function withAccount(template: string, accountId: string | undefined): string {
  return accountId === undefined ? template : template.split("{accountId}").join(accountId);
}

/**
 * The stacks whose plan or apply role is in another account than the stack's (`allowed_account_ids`
 * and the state's `${aws:PrincipalAccount}` prefix would refuse it), or still a template.
 */
export function foreignRoles(stacks: readonly StackEntry[]): string[] {
  return stacks.flatMap((s) =>
    (
      [
        ["planRoleArn", s.planRoleArn],
        ["applyRoleArn", s.applyRoleArn],
      ] as const
    ).flatMap(([field, arn]) => {
      if (arn === null) return [];
      if (arn.includes("{accountId}")) return [`stack ${s.name}: ${field} ${arn} needs the stack's accountId for {accountId}`];
      const account = arn.split(":")[4];
      return s.accountId !== null && account !== s.accountId
        ? [
            `stack ${s.name}: ${field} ${arn} is a role in account ${account}, not in the stack's account ${s.accountId} (use {accountId} in the default role ARN)`,
          ]
        : [];
    }),
  );
}

/** A stack whose Terraform state holds a plain-text secret the configuration does not acknowledge. */
export interface PlaintextSecret {
  readonly stack: string;
  readonly user: string;
  readonly id: Extract<WarningId, "plaintext-password-in-state" | "plaintext-secret-in-state">;
}

/**
 * The IAM users whose state holds a console password (no console.pgpKey; an adopted user's
 * password is not in the state) or a secret access key (no pgpKey; also with secretStore) in plain
 * text, that no acknowledgement covers (the warning of the same id, at the user's place).
 */
export function plaintextSecrets(config: SetupConfig): PlaintextSecret[] {
  return config.accounts.flatMap((account) =>
    account.adminUsers.flatMap((user) => {
      const found: PlaintextSecret[] = [];
      if (user.console !== false && user.console.pgpKey === undefined && !user.adopt) {
        found.push({ stack: account.name, user: user.name, id: "plaintext-password-in-state" });
      }
      if (user.accessKeys.some((key) => key.pgpKey === undefined)) {
        // (with secretStore too: the key pair is also in the state; pgpKey replaces secretStore)
        found.push({ stack: account.name, user: user.name, id: "plaintext-secret-in-state" });
      }
      return found.filter((f) => acknowledgementOf(config, { stack: account.name, user: user.name }, f.id) === undefined);
    }),
  );
}

/** How many stacks a refusal lists by name (the rest are counted). */
const MAX_LISTED = 20;

/** What a CI run must not plan, with the fix (under CI only). */
export function ciRefusals(config: SetupConfig): string[] {
  const problems: string[] = [];
  if (config.backend.type === "local") {
    problems.push(
      'backend is { "type": "local" }: a CI runner has no state, so every plan would show everything as new. Keep the state ' +
        'in S3: "backend": { "type": "s3", "bucket", "key": "incident-manager/{accountId}/{stack}.tfstate", "region" } ' +
        "(docs/ci.md)",
    );
  }
  const secrets = plaintextSecrets(config);
  const byStack = new Map<string, PlaintextSecret[]>();
  for (const secret of secrets) byStack.set(secret.stack, [...(byStack.get(secret.stack) ?? []), secret]);
  if (byStack.size > 0) {
    const users = (list: PlaintextSecret[], id: PlaintextSecret["id"]) => list.filter((x) => x.id === id).map((x) => x.user);
    const lines = [...byStack].map(([stack, list]) => {
      const password = users(list, "plaintext-password-in-state");
      const key = users(list, "plaintext-secret-in-state");
      const what = [
        password.length > 0 && `console password of ${password.join(", ")}`,
        key.length > 0 && `secret access key of ${key.join(", ")}`,
      ];
      return `      ${stack}: ${what.filter(Boolean).join("; ")}`;
    });
    const [first] = secrets;
    problems.push(
      `${byStack.size} stack(s) keep plain-text secrets in their state, and a pull-request plan role, which any branch can use, ` +
        "reads that state. Give PGP keys (console.pgpKey, accessKeys[].pgpKey instead of secretStore), or acknowledge each " +
        "with its reason, e.g. " +
        `{ "id": "${first.id}", "reason": "<why>", "account": "${first.stack}", "user": "${first.user}" } ` +
        "(without user: every user of the stack):\n" +
        [
          ...lines.slice(0, MAX_LISTED),
          ...(lines.length > MAX_LISTED ? [`      ... and ${lines.length - MAX_LISTED} more stack(s)`] : []),
        ].join("\n"),
    );
  }
  return problems;
}

/** The stacks whose synthesized JSON differs from the base synth in `baseDir` (or that it lacks). */
export function changedStacks(
  stacks: readonly StackEntry[],
  outdir: string,
  baseDir: string,
  step: (stack: string) => void = () => undefined,
): StackEntry[] {
  for (const dir of [outdir, baseDir]) {
    const marker = incompleteOutput(dir);
    if (marker) throw new StacksError(`--changed: ${incompleteMessage(dir, marker)}`);
  }
  const read = (dir: string, name: string) => {
    try {
      return readFileSync(join(dir, "stacks", name, "cdk.tf.json"), "utf8");
    } catch {
      return undefined;
    }
  };
  return stacks.filter((s) => {
    step(s.name);
    const head = read(outdir, s.name);
    if (head === undefined)
      throw new StacksError(`--changed: ${join(outdir, "stacks", s.name, "cdk.tf.json")} is missing: run npm run synth first`);
    return head !== read(baseDir, s.name);
  });
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
  const header = ["name", "kind", "region", "accountId", "planRoleArn", "applyRoleArn"];
  const rows = stacks.map((s) => [
    s.name,
    s.retired ? `${s.kind} (retired)` : s.kind,
    s.region,
    s.accountId ?? "-",
    s.planRoleArn ?? "-",
    s.applyRoleArn ?? "-",
  ]);
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

const SPEC = { name: "stacks", usage: USAGE, parse: parseArgs, failures: [ConfigError] };

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: Io = processIo()): number {
  return runCommand(SPEC, argv, io, (args) => {
    const configFile = configFileOf(io);
    const config = loadConfig(configFile);
    if (io.env.CI === "true") {
      const refusals = ciRefusals(config);
      if (refusals.length > 0) throw new StacksError(`under CI:\n${refusals.map((r) => `  - ${r}`).join("\n")}`);
    }
    const all = listStacks(config, args.defaultRoleArn, args.defaultApplyRoleArn);
    const stacks =
      args.changed === undefined
        ? all
        : changedStacks(all, resolve(io.root, "cdktf.out"), resolve(io.root, args.changed), progress("stacks", io, "stack", all.length));
    const foreign = foreignRoles(stacks);
    if (foreign.length > 0) throw new StacksError(foreign.join("\n"));
    const roleless = stacks.filter((s) => s.planRoleArn === null).map((s) => s.name);
    if (args.requireRole && roleless.length > 0) {
      throw new StacksError(
        `--require-role: no plan role for stack(s) ${roleless.join(", ")}: give each a planRoleArn (a read-only role) in ` +
          `${configFile}, or give --default-role-arn (the workflow passes the repository variable PLAN_ROLE_ARN)`,
      );
    }
    const applyless = stacks.filter((s) => s.applyRoleArn === null).map((s) => s.name);
    if (args.requireApplyRole && applyless.length > 0) {
      throw new StacksError(
        `--require-apply-role: no apply role for stack(s) ${applyless.join(", ")}: give each an assumeRoleArn in ` +
          `${configFile}, or give --default-apply-role-arn (the workflow passes the repository variable APPLY_ROLE_ARN)`,
      );
    }
    io.out(`${render(stacks, args)}\n`);
    const batchCount = args.batchSize === undefined ? "" : ` in ${Math.ceil(stacks.length / args.batchSize)} batch(es)`;
    io.err(`stacks: ${stacks.length} stack(s)${batchCount} of ${configFile}`);
    return EXIT.ok;
  });
}

if (require.main === module) main(run);
