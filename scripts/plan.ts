// `npm run plan [-- <stack>...]`: synthesizes, then runs the real `terraform init` and
// `terraform plan` in every stack folder (or the named ones). Needs terraform on PATH, the
// Terraform registry and AWS credentials; without them use `npm run plan:offline`.
import { PROJECT_ROOT } from "./lib/cli";
import { spawnSync } from "child_process";
import { resolve } from "path";
import { synthesize } from "../modules/app";
import { configFileFromEnv } from "../modules/config";

function run(args: string[]): number {
  const result = spawnSync("terraform", args, { stdio: "inherit", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (result.error) {
    console.error(`plan: cannot run terraform: ${result.error.message} (install Terraform 1.5 or later)`);
    return 1;
  }
  return result.status ?? 1;
}

function main(argv: string[]): number {
  const root = PROJECT_ROOT;
  const configFile = configFileFromEnv(process.env, resolve(root, "setup.config.json"));
  const { stacks, outdir } = synthesize({ configFile, outdir: resolve(root, "cdktf.out") });
  const unknown = argv.filter((s) => !stacks.includes(s));
  if (unknown.length > 0) {
    console.error(`plan: unknown stack(s) ${unknown.join(", ")}; the configuration has ${stacks.join(", ")}`);
    return 2;
  }
  let failed = 0;
  for (const stack of argv.length > 0 ? argv : stacks) {
    const dir = resolve(outdir, "stacks", stack);
    console.error(`\n=== ${stack} ===`);
    if (run([`-chdir=${dir}`, "init", "-input=false"]) !== 0 || run([`-chdir=${dir}`, "plan", "-input=false"]) !== 0) failed++;
  }
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`plan: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
