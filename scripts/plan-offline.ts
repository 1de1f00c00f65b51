// `npm run plan:offline`: `terraform plan` of each stack with the real hashicorp/aws provider from the
// local mirror, its AWS reads answered by a local stub (scripts/lib/offline-plan.ts); writes each plan's
// JSON, sensitive values redacted, to cdktf.out/plans/<stack>.plan.json. Exit codes: 0 every stack
// planned; 1 a plan failed, made an unexpected AWS call, or terraform or the mirror is missing; 2 usage.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { synthesize } from "../modules/app";
import { lockOutput } from "../modules/app/synth/output-lock";
import { CommandError, CommandIo, EXIT, configFileOf, main, messageOf, parseCommandLine, processIo, progress, runCommand } from "./lib/cli";
import { SYNTH_FAILURES } from "./lib/failures";
import {
  OfflinePlanner,
  StackPlan,
  adoptedIam,
  callNames,
  failedChecks,
  isOfflineOverrideWarning,
  redactSensitive,
} from "./lib/offline-plan";
import { stopProcesses } from "./lib/proc";
import { cleanUpOnSignals, ownedTempDir } from "./lib/temp";
import { STACK_FILE, TerraformSetup, detectTerraform, formatDiagnostics } from "./lib/terraform";

const PLAN_SUFFIX = ".plan.json";

export const USAGE = "usage: npm run plan:offline [-- <stack>...]   (SETUP_CONFIG=file.json for another configuration)";

/** `a ×2, b` */
function countCalls(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ") || "none";
}

/** Prints one stack's outcome; returns whether it is a success. */
function report(plan: StackPlan, print: (line: string) => void): boolean {
  const ok = plan.ok && plan.unexpectedRequests.length === 0 && plan.json !== undefined;
  print(`${plan.stack}: ${plan.summary ?? (plan.ok ? "(no summary line)" : "FAILED")}`);
  print(`  AWS calls (stub, account ${plan.account}): ${countCalls(callNames(plan.requests))}`);
  for (const r of plan.unexpectedRequests) {
    print(`  UNEXPECTED AWS call: ${r.service ?? "?"}:${r.action ?? "?"} ${JSON.stringify(r.params)}`);
  }
  for (const check of plan.json ? failedChecks(plan.json) : []) {
    print(`  warning: check "${check.check}" failed: ${check.message}`);
  }
  for (const d of plan.diagnostics) {
    if (plan.json && d.summary === "Check block assertion failed") continue; // printed above, from the plan
    if (isOfflineOverrideWarning(d)) {
      print('  note: the provider\'s assume_role is not used offline (role_arn = "" in the override)');
      continue;
    }
    print(`  ${formatDiagnostics([d])[0]}`);
  }
  return ok;
}

/** Writes the plan's JSON to cdktf.out/plans, sensitive values redacted. */
function writePlan(plan: StackPlan, plansDir: string, cwd: string, print: (line: string) => void): void {
  if (!plan.json) return;
  const { plan: redacted, redacted: paths } = redactSensitive(plan.json);
  // The override's example secret key is always there; only report values of the stack.
  const values = paths.filter((p) => !p.startsWith("configuration."));
  if (values.length > 0) print(`  redacted ${values.length} sensitive value(s) from the plan JSON`);
  const file = join(plansDir, `${plan.stack}${PLAN_SUFFIX}`);
  writeFileSync(file, JSON.stringify(redacted, null, 2) + "\n", { mode: 0o600 });
  print(`  plan JSON: ${relative(cwd, file)}`);
}

const SPEC = {
  name: "plan:offline",
  usage: USAGE,
  parse: (argv: readonly string[]) => parseCommandLine(argv, [], Infinity),
  failures: SYNTH_FAILURES,
};

/**
 * `npm run plan:offline`; resolves to the exit code (0, 1: failed, 2: usage). With `handleSignals`
 * (the command as a process), SIGINT and SIGTERM stop terraform and its providers and remove the
 * plan folders before the process exits.
 */
export function run(argv: readonly string[], io: CommandIo = processIo(), handleSignals = false): Promise<number> {
  return runCommand(SPEC, argv, io, async (line) => {
    const detected = detectTerraform(io.env);
    if (Array.isArray(detected)) {
      for (const { reason, detail } of detected) io.err(`plan:offline skipped: ${reason}\n  ${detail}`);
      throw new CommandError("needs terraform on PATH and the hashicorp/aws provider mirror; nothing was planned.");
    }
    const outdir = resolve(io.root, "cdktf.out");
    // The output folder is this run's from its synth to its last plan: another synth, review or
    // offline plan on it stops, naming this run.
    mkdirSync(dirname(outdir), { recursive: true });
    const release = lockOutput(outdir);
    try {
      return await planLocked(line.positionals, detected, outdir, io, handleSignals, release);
    } finally {
      release();
    }
  });
}

async function planLocked(
  named: readonly string[],
  detected: TerraformSetup,
  outdir: string,
  io: CommandIo,
  handleSignals: boolean,
  release: () => void,
): Promise<number> {
  const print = (line: string) => io.out(`${line}\n`);
  const plansDir = join(outdir, "plans");
  const configFile = configFileOf(io);
  const synth = synthesize({ configFile, outdir });
  const warnings = synth.warnings.filter((w) => w.kind === "action");
  if (warnings.length > 0) io.err(`(synthesis: ${warnings.length} warning(s); \`npm run synth\` prints them)`);
  const stacks = [...synth.stacks];
  const unknown = named.filter((name) => !stacks.includes(name));
  if (unknown.length > 0) {
    io.err(`Error: no stack ${unknown.map((n) => JSON.stringify(n)).join(", ")} in ${configFile} (stacks: ${stacks.join(", ")})`);
    return EXIT.usage;
  }
  const selected = named.length > 0 ? stacks.filter((s) => named.includes(s)) : stacks;
  const cwd = io.cwd ?? io.root;
  print(
    `Planning ${selected.length} stack(s) of ${relative(cwd, configFile) || configFile} offline ` +
      `(terraform ${detected.terraformVersion}, provider mirror ${detected.mirror}, AWS stubbed)`,
  );

  mkdirSync(plansDir, { recursive: true });
  // No stale plan may stand for a stack: not for one planned now (its plan may fail), nor for one
  // no longer configured.
  for (const entry of readdirSync(plansDir)) {
    const stack = entry.endsWith(PLAN_SUFFIX) ? entry.slice(0, -PLAN_SUFFIX.length) : undefined;
    if (stack !== undefined && (selected.includes(stack) || !stacks.includes(stack))) rmSync(join(plansDir, entry));
  }

  const planner = new OfflinePlanner(detected, ownedTempDir("plan-offline-"));
  // Ctrl-C or a SIGTERM while terraform runs: stop terraform and the providers it started (about
  // 400 MB each, which otherwise outlive this process), remove the plan folders, exit 130 or 143.
  const unregister = handleSignals
    ? cleanUpOnSignals("plan:offline", () => {
        const stopped = stopProcesses("SIGKILL");
        planner.dispose();
        release();
        return `stopped ${stopped} terraform run(s) and their providers, removed the plan folders`;
      })
    : () => undefined;
  const step = progress("plan:offline", io, "plan", selected.length);
  let failures = 0;
  try {
    // Reported as each plan completes (plans run in parallel, so not necessarily in order).
    await planner.planAll(
      // What a stack adopts is assumed to exist in the stubbed account (else its import fails offline).
      selected.map((name) => {
        const file = join(outdir, "stacks", name, STACK_FILE);
        return { name, file, existingIam: adoptedIam(JSON.parse(readFileSync(file, "utf8"))) };
      }),
      {
        onPlanned: (plan) => {
          step(plan.stack);
          if (!report(plan, print)) {
            failures++;
            io.err(`--- terraform plan of ${plan.stack}: stderr ---\n${plan.run.stderr.trim()}`);
          }
          writePlan(plan, plansDir, cwd, print);
        },
      },
    );
  } catch (error) {
    throw new CommandError(messageOf(error));
  } finally {
    unregister();
    planner.dispose();
  }
  if (failures > 0) io.err(`${failures} of ${selected.length} stack(s) failed to plan offline`);
  return failures > 0 ? EXIT.failed : EXIT.ok;
}

if (require.main === module) main((argv, io) => run(argv, io, true));
