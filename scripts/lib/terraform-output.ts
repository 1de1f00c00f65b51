// A stack's Terraform outputs: `terraform output -json` run in cdktf.out/stacks/<stack>, or a
// recorded copy of that document. Shared by the scripts that read outputs (credentials, sso-profiles).
// Messages never echo output values: some outputs hold secrets.
import { existsSync, readdirSync } from "fs";
import { resolve } from "path";
import { ParseError, parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import { CommandError } from "./cli";
import { runProcess } from "./proc";

/** The outputs could not be read; the message is for the user. */
export class TerraformOutputError extends CommandError {
  override name = "TerraformOutputError";
}

/** One output of `terraform output -json`. */
export interface TerraformOutputValue {
  readonly sensitive?: boolean;
  readonly type?: unknown;
  readonly value: unknown;
}

/** The document `terraform output -json` prints: output name -> output. */
export type TerraformOutputs = Record<string, TerraformOutputValue>;

/** The command, as a user would type it in the project folder. */
export function outputCommand(stack: string): string {
  return `terraform -chdir=cdktf.out/stacks/${stack} output -json`;
}

/** Where and how a text stops being JSON, by line and column and the kind of problem: never its content. */
export function whereJsonBreaks(text: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return "not a JSON document";
  const before = text.slice(0, first.offset).split("\n");
  return `${printParseErrorCode(first.error)} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Checks the shape of a `terraform output -json` document (never echoes values: they hold secrets). */
export function parseOutputs(text: string, source: string): TerraformOutputs {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON.parse's message: it quotes the text near the error, and this text holds secrets.
    throw new TerraformOutputError(`${source} is not JSON (${whereJsonBreaks(text)}); expected the output of \`terraform output -json\``);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new TerraformOutputError(`${source} is not a \`terraform output -json\` document (expected an object of outputs)`);
  }
  for (const [name, output] of Object.entries(data)) {
    if (output === null || typeof output !== "object" || !("value" in output)) {
      throw new TerraformOutputError(
        `${source}: output ${JSON.stringify(name)} has no "value" (expected the output of \`terraform output -json\`)`,
      );
    }
  }
  return data as TerraformOutputs;
}

/** The stacks synthesized in cdktf.out/stacks. */
function stacksIn(stacksDir: string): string[] {
  try {
    return readdirSync(stacksDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * `terraform -chdir=cdktf.out/stacks/<stack> output -json` (terraform from env.PATH), parsed.
 * `instead` completes "install Terraform, or ..." when terraform is not found.
 */
export function terraformOutputs(stack: string, root: string, env: NodeJS.ProcessEnv, instead: string): TerraformOutputs {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(stack) || stack.includes("..")) {
    throw new TerraformOutputError(`${JSON.stringify(stack)} is not a stack name`);
  }
  const stacksDir = resolve(root, "cdktf.out", "stacks");
  const dir = resolve(stacksDir, stack);
  if (!existsSync(dir)) {
    const stacks = stacksIn(stacksDir);
    throw new TerraformOutputError(
      `stack ${stack} is not synthesized: ${dir} does not exist (run npm run synth; ` +
        `${stacks.length ? `stacks found: ${stacks.join(", ")}` : "no stacks in cdktf.out/stacks"})`,
    );
  }
  const command = outputCommand(stack);
  const run = runProcess("terraform", [`-chdir=${dir}`, "output", "-json", "-no-color"], {
    cwd: root,
    env: { ...env, CHECKPOINT_DISABLE: "1" },
    timeoutMs: 120_000,
  });
  if (run.error) {
    throw new TerraformOutputError(
      run.error.code === "ENOENT"
        ? `terraform not found on PATH (install Terraform, or ${instead})`
        : `${command} could not run: ${run.error.message}`,
    );
  }
  if (run.status !== 0) {
    // stderr only: stdout may hold secrets.
    throw new TerraformOutputError(
      `${command} failed (exit ${run.status ?? run.signal}):\n${run.stderr.trim().replace(/^/gm, "  ")}\n` +
        `Has the stack been deployed from this folder (npx cdktf deploy ${stack}), ` +
        `and initialized (terraform -chdir=cdktf.out/stacks/${stack} init)?`,
    );
  }
  return parseOutputs(run.stdout, `the output of ${command}`);
}
