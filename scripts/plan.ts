// `npm run plan [-- <stack>...]`: synthesizes, then runs the real `terraform init` and
// `terraform plan` in every stack folder (or the named ones). Needs terraform on PATH, the
// Terraform registry and AWS credentials; without them use `npm run plan:offline`.
//
// Exit codes: 0 every stack planned; 1 the configuration is wrong, or terraform failed or is missing;
// 2 bad arguments (an unknown option, or a name that is no stack of the configuration).
import { resolve } from "path";
import { synthesize } from "../modules/app";
import { CommandError, CommandIo, EXIT, configFileOf, main, parseCommandLine, processIo, progress, runCommand } from "./lib/cli";
import { SYNTH_FAILURES } from "./lib/failures";
import { runProcess } from "./lib/proc";

export const USAGE = [
  "usage: npm run plan [-- <stack>...]",
  "",
  "Synthesizes the configuration (SETUP_CONFIG, default setup.config.json), then runs terraform init",
  "and terraform plan in every stack folder (or the named ones). Needs terraform on PATH, the",
  "Terraform registry and AWS credentials; without them use npm run plan:offline.",
].join("\n");

const SPEC = {
  name: "plan",
  usage: USAGE,
  parse: (argv: readonly string[]) => parseCommandLine(argv, [], Infinity),
  failures: SYNTH_FAILURES,
};

function terraform(args: string[], io: CommandIo): boolean {
  const result = runProcess("terraform", args, { env: { ...io.env, CHECKPOINT_DISABLE: "1" }, inherit: true });
  if (result.error) throw new CommandError(`cannot run terraform: ${result.error.message} (install Terraform 1.5 or later)`);
  return result.status === 0;
}

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: CommandIo = processIo()): number {
  return runCommand(SPEC, argv, io, (line) => {
    const named = line.positionals;
    const configFile = configFileOf(io);
    const { stacks, outdir, warnings } = synthesize({ configFile, outdir: resolve(io.root, "cdktf.out") });
    // What npm run synth would print (the sample's account, another configuration file, a deletion...).
    for (const w of warnings.filter((w) => w.kind === "action")) io.err(`Warning: [${w.path}] ${w.message}`);
    const unknown = named.filter((s) => !stacks.includes(s));
    if (unknown.length > 0) {
      io.err(`plan: unknown stack(s) ${unknown.join(", ")}; the configuration has ${stacks.join(", ")}`);
      return EXIT.usage;
    }
    const selected = named.length > 0 ? named : stacks;
    const step = progress("plan", io, "plan", selected.length);
    // Terraform's colours only on a terminal (stdout, where the plan goes, and stderr): a CI log, a pipe or `> plan.log` get plain text.
    const color = io.isTTY && io.outIsTTY ? [] : ["-no-color"];
    const failed: string[] = [];
    for (const stack of selected) {
      const dir = resolve(outdir, "stacks", stack);
      step(stack);
      io.err(`\n=== ${stack} ===`);
      const planned =
        terraform([`-chdir=${dir}`, "init", "-input=false", ...color], io) &&
        terraform([`-chdir=${dir}`, "plan", "-input=false", ...color], io);
      if (!planned) failed.push(stack);
    }
    if (failed.length > 0)
      io.err(`plan: ${failed.length} of ${selected.length} stack(s) failed: ${failed.join(", ")} (terraform's output above)`);
    return failed.length === 0 ? EXIT.ok : EXIT.failed;
  });
}

if (require.main === module) main(run);
