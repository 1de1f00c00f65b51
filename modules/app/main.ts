// The synth command (npm run synth, cdktf synth): options, the printed summary and warnings, exit codes.
import { relative } from "path";
import { configFileFromEnv } from "./config";
import { PARALLEL_MIN_STACKS, MAX_SYNTH_THREADS, synthesize } from "./synth/synthesize";
import { SynthWarning } from "./warnings";

/** Whether `--strict` (or SYNTH_STRICT=1/true) asks synthesis to fail on an unacknowledged warning. */
export function strictRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes("--strict") || env.SYNTH_STRICT === "1" || env.SYNTH_STRICT === "true";
}

/** From this many warnings on, those of one id are printed as one line (thousands of accounts print thousands). */
export const MANY_WARNINGS = 50;

/**
 * The lines that print warnings: one per warning, or, once there are {@link MANY_WARNINGS}, one
 * per id with more than three: the first in full, then the count and the next places (`npm run
 * review` lists every one). Warnings without an id are printed each.
 */
export function warningLines(warnings: readonly SynthWarning[]): string[] {
  const full = (w: SynthWarning) => `Warning: [${w.path}] ${w.message}`;
  if (warnings.length < MANY_WARNINGS) return warnings.map(full);
  const byId = new Map<string, SynthWarning[]>();
  warnings.forEach((w, i) => {
    const key = w.id ?? `#${i}`;
    byId.set(key, [...(byId.get(key) ?? []), w]);
  });
  return [...byId].flatMap(([id, group]) => {
    if (group.length <= 3) return group.map(full);
    const next = group.slice(1, 4).map((w) => w.path);
    const rest = group.length - 1 - next.length;
    return [
      `${full(group[0])}\n  ... and ${group.length - 1} more [${id}] warnings, at ${next.join(", ")}` +
        `${rest > 0 ? ` and ${rest} other places` : ""} (npm run review lists every one)`,
    ];
  });
}

/**
 * "stack n of N" on stderr, rewritten in place, only where stderr is a terminal (never in a log or a
 * pipe); the line is cleared at the end.
 */
export function terminalProgress(stream: Pick<NodeJS.WriteStream, "isTTY" | "write"> = process.stderr) {
  if (!stream.isTTY) return undefined;
  return (done: number, total: number): void => {
    stream.write(done < total ? `\rstack ${done} of ${total}` : "\r\x1b[K");
  };
}

/** What `npm run synth -- --help` prints. */
export const SYNTH_USAGE = [
  "usage: npm run synth [-- --strict] [--json]",
  "  Synthesizes the configuration into cdktf.out/stacks/<stack>/cdk.tf.json, one stack per accounts[] entry",
  "  (and one for identityCenter), and prints the warnings that need action.",
  "  --strict        fail (exit 1) on a warning the configuration does not acknowledge (also SYNTH_STRICT=1), writing",
  "                  nothing; the comparison with the last synth (replacement, deletion) comes after writing the stacks",
  "  --json          print one JSON object on stdout: the stacks, the output folder and every warning (with its id,",
  "                  kind, place and reason); nothing else on stdout",
  "  --help, -h      this text",
  "environment: SETUP_CONFIG (the configuration file; default setup.config.json), CDKTF_OUTDIR (default cdktf.out),",
  `  SYNTH_THREADS (threads that synthesize; default 1 below ${PARALLEL_MIN_STACKS} stacks, else the cores, at most ${MAX_SYNTH_THREADS})`,
  "exit codes: 0 done, 1 bad input (nothing written) or, with --strict, an unacknowledged warning; 2 usage",
].join("\n");

/**
 * What main.ts does, as a function (usage errors worded as the commands' kit words them, scripts/lib/cli.ts): synthesizes the configuration named by SETUP_CONFIG
 * (default `defaultConfigFile`) into CDKTF_OUTDIR (default cdktf.out), reports the warnings that
 * need action and errors through `report`, and returns the process exit code: 0; 1 having written
 * no stack (bad input; with `--strict`, an unacknowledged warning); 2 for an unknown argument.
 * With `--json`, the result goes to `print` (stdout) as one JSON object, and `report` says only errors.
 */
export function main(
  env: NodeJS.ProcessEnv,
  defaultConfigFile: string,
  report: (line: string) => void,
  argv: readonly string[] = [],
  print: (text: string) => void = (text) => process.stdout.write(text),
): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    print(`${SYNTH_USAGE}\n`); // on stdout, as every command's --help (scripts/lib/cli.ts)
    return 0;
  }
  const unknown = argv.find((a) => a !== "--strict" && a !== "--json");
  if (unknown !== undefined) {
    report(`synth: unknown argument ${JSON.stringify(unknown)}; see --help\n${SYNTH_USAGE.split("\n")[0]}`);
    return 2;
  }
  const threads = env.SYNTH_THREADS === undefined || env.SYNTH_THREADS === "" ? undefined : Number(env.SYNTH_THREADS);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    report(
      `synth: SYNTH_THREADS=${JSON.stringify(env.SYNTH_THREADS)} must be a whole number from 1 to 64 (threads that synthesize); ` +
        `see --help\n${SYNTH_USAGE.split("\n")[0]}`,
    );
    return 2;
  }
  const configFile = configFileFromEnv(env, defaultConfigFile);
  const strict = strictRequested(argv, env);
  try {
    const {
      stacks,
      outdir,
      warnings,
      replacements,
      threads: used,
      repaired,
      removed,
    } = synthesize({ configFile, outdir: env.CDKTF_OUTDIR || undefined, strict, threads, progress: terminalProgress() });
    // Under the cdktf CLI (which sets CDKTF_OUTDIR) the CLI prints the construct warnings itself
    // (from the manifest); the comparison with the previous synth is not in the manifest.
    // Warnings of no construct (a stack gone from the configuration, another configuration file, a
    // stale acknowledgement) are not in the manifest either.
    const unrecorded = warnings.filter((w) => w.stack === undefined || !stacks.includes(w.stack));
    const shown = (env.CDKTF_OUTDIR ? [...unrecorded, ...replacements] : warnings).filter((w) => w.kind === "action");
    const failed = strict && shown.length > 0;
    if (argv.includes("--json")) {
      const outdirShown = relative(process.cwd(), outdir) || ".";
      print(
        `${JSON.stringify({ ok: !failed, outdir: outdirShown, stacks, threads: used, ...(repaired ? { repaired } : {}), ...(removed ? { removed } : {}), warnings })}\n`,
      );
      return failed ? 1 : 0;
    }
    if (repaired) report(`Repaired: ${repaired}`);
    for (const line of removed ?? []) report(line);
    for (const line of warningLines(shown)) report(line);
    if (!env.CDKTF_OUTDIR) {
      const on = used > 1 ? ` on ${used} threads` : "";
      report(`Synthesized ${stacks.length} stack(s)${on} into ${relative(process.cwd(), outdir) || "."}/stacks`);
      const notes = warnings.filter((w) => w.kind === "note").length;
      const acknowledged = warnings.filter((w) => w.kind === "acknowledged").length;
      if (notes + acknowledged > 0) {
        report(
          `Not printed: ${notes} note(s) on deviations the guide asks for, ${acknowledged} acknowledged warning(s) ` +
            '(npm run review lists them; docs/operating.md "Warnings")',
        );
      }
    }
    if (failed) {
      report(
        `Error: --strict: ${shown.length} warning(s) above not acknowledged (the stacks were written: these compare with the last synth)`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    report(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// In a worker thread of synthStacks (this file is its script): synthesize the worker's share.
