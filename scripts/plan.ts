// `npm run plan [-- <stack>...]`: synthesizes, then runs the real `terraform init` and
// `terraform plan` in every stack folder (or the named ones). Needs terraform on PATH, the
// Terraform registry and AWS credentials; without them use `npm run plan:offline`.
//
// Exit codes: 0 every stack planned; 1 the configuration is wrong, or terraform failed or is missing;
// 2 bad arguments (an unknown option, or a name that is no stack of the configuration).
import { spawnSync } from "child_process";
import { resolve } from "path";
import { synthesize } from "../modules/app";
import { configFileFromEnv } from "../modules/app/config";
import { CommandIo, EXIT, argsOrExit, parseCommandLine, processIo } from "./lib/cli";

export const USAGE = [
  "usage: npm run plan [-- <stack>...]",
  "",
  "Synthesizes the configuration (SETUP_CONFIG, default setup.config.json), then runs terraform init",
  "and terraform plan in every stack folder (or the named ones). Needs terraform on PATH, the",
  "Terraform registry and AWS credentials; without them use npm run plan:offline.",
].join("\n");

function terraform(args: string[], io: CommandIo): number {
  const result = spawnSync("terraform", args, { stdio: "inherit", env: { ...io.env, CHECKPOINT_DISABLE: "1" } });
  if (result.error) {
    io.err(`plan: cannot run terraform: ${result.error.message} (install Terraform 1.5 or later)`);
    return EXIT.failed;
  }
  return result.status ?? EXIT.failed;
}

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: CommandIo = processIo()): number {
  const line = argsOrExit("plan", USAGE, io, () => parseCommandLine(argv, [], Infinity));
  if (typeof line === "number") return line;
  const named = line.positionals;
  try {
    const configFile = configFileFromEnv(io.env, resolve(io.root, "setup.config.json"));
    const { stacks, outdir, warnings } = synthesize({ configFile, outdir: resolve(io.root, "cdktf.out") });
    // What npm run synth would print (the sample's account, another configuration file, a deletion...).
    for (const w of warnings.filter((w) => w.kind === "action")) io.err(`Warning: [${w.path}] ${w.message}`);
    const unknown = named.filter((s) => !stacks.includes(s));
    if (unknown.length > 0) {
      io.err(`plan: unknown stack(s) ${unknown.join(", ")}; the configuration has ${stacks.join(", ")}`);
      return EXIT.usage;
    }
    let failed = 0;
    for (const stack of named.length > 0 ? named : stacks) {
      const dir = resolve(outdir, "stacks", stack);
      io.err(`\n=== ${stack} ===`);
      if (
        terraform([`-chdir=${dir}`, "init", "-input=false"], io) !== 0 ||
        terraform([`-chdir=${dir}`, "plan", "-input=false"], io) !== 0
      ) {
        failed++;
      }
    }
    return failed === 0 ? EXIT.ok : EXIT.failed;
  } catch (error) {
    io.err(`plan: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
