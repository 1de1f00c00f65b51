// Every stack of the shipped, minimal and full configurations, synthesized as `cdktf synth`
// does (createApp + synth), passes the real `terraform validate` with the real hashicorp/aws
// provider schema (5.100.0 from a local mirror, offline: see scripts/lib/terraform.ts).
//
// Without terraform or the mirror the tests are reported as skipped (with the reason), or
// fail when REQUIRE_TERRAFORM=1.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig } from "../modules";
import {
  accountsConfig,
  fullConfig,
  identityCenterConfig,
  identityCenterExistingGroupConfig,
  organizationConfig,
  shippedConfig,
} from "./support/configs";
import {
  INIT_TIMEOUT_MS,
  STACK_FILE,
  TerraformWorkspace,
  ValidateResult,
  errorDiagnostics,
  formatDiagnostics,
} from "../scripts/lib/terraform";
import { describeWithTerraform } from "./support/terraform-gate";

jest.setTimeout(300_000);

const CONFIGS: ReadonlyArray<readonly [string, () => SetupConfigInput]> = [
  ["shipped", shippedConfig],
  ["full", fullConfig],
  ["accounts", accountsConfig],
  ["organization", organizationConfig],
  // Identity Center: its own stack, and account stacks without IAM users (adminUsers: []).
  ["identity-center", identityCenterConfig],
  ["identity-center-existing-group", identityCenterExistingGroupConfig],
  // The longest password policy IAM allows: the login profile then generates 128 characters, which
  // the provider must accept (its password_length is validated at `terraform validate`).
  [
    "long-passwords",
    () => ({
      accounts: [{ name: "long-passwords", region: "eu-west-1", passwordPolicy: { minimumLength: 128 }, adminUsers: [{ name: "alice" }] }],
    }),
  ],
];

/** Fails with every diagnostic unless `result` is valid without errors. */
function expectValid(result: ValidateResult, label: string): void {
  const errors = errorDiagnostics(result);
  if (!result.valid || errors.length > 0) {
    throw new Error(
      `terraform validate: ${label} is invalid ` +
        `(${result.error_count} error(s), ${result.warning_count} warning(s)):\n` +
        formatDiagnostics(result.diagnostics)
          .map((line) => `  ${line}`)
          .join("\n"),
    );
  }
  expect(result.valid).toBe(true);
  expect(errors).toEqual([]);
}

describeWithTerraform("terraform validate", (setup) => {
  let scratch: string;
  let workspace: TerraformWorkspace;
  const outdir = (config: string) => join(scratch, `synth-${config}`);
  const stackFile = (config: string, stack: string) => join(outdir(config), "stacks", stack, STACK_FILE);

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "terraform-validate."));
    for (const [name, input] of CONFIGS) {
      createApp(parseConfig(input()), { outdir: outdir(name) }).synth();
    }
    // One init for all stacks: they all require the same single provider.
    workspace = new TerraformWorkspace(setup, join(scratch, "terraform"));
    const [firstConfig, firstInput] = CONFIGS[0];
    workspace.init({ file: stackFile(firstConfig, parseConfig(firstInput()).accounts[0].name) });
  }, INIT_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const [name, input] of CONFIGS) {
    const config = parseConfig(input());
    const stacks = [...config.accounts, ...(config.identityCenter ? [config.identityCenter] : [])];
    for (const account of stacks) {
      test(`${name} config: stack "${account.name}" is valid`, () => {
        const result = workspace.validate({ file: stackFile(name, account.name) });
        expectValid(result, `${name} config, stack "${account.name}"`);
      });
    }
  }

  test("reports a stack with an unknown resource argument as invalid (the check can fail)", () => {
    const stack = parseConfig(shippedConfig()).accounts[0].name;
    const json = JSON.parse(readFileSync(stackFile("shipped", stack), "utf8"));
    json.resource.aws_iam_user = { ...json.resource.aws_iam_user, Corrupted: { name: "corrupted", nmae: "typo" } };

    const result = workspace.validate({ json: JSON.stringify(json, null, 2) });

    expect(result.valid).toBe(false);
    expect(formatDiagnostics(errorDiagnostics(result))).toEqual([expect.stringMatching(/"nmae".*resource\.aws_iam_user\.Corrupted/)]);
  });
});
