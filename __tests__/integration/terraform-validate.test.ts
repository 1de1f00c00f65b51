// Every stack of the shipped, minimal and full configurations, synthesized as `cdktf synth`
// does (createApp + synth), passes the real `terraform validate` with the real hashicorp/aws
// provider schema (5.100.0 from a local mirror, offline: see scripts/lib/terraform.ts).
//
// Without terraform or the mirror the tests are reported as skipped (with the reason), or
// fail when REQUIRE_TERRAFORM=1.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig } from "../../modules";
import {
  accountsConfig,
  fullConfig,
  identityCenterConfig,
  identityCenterExistingGroupConfig,
  organizationConfig,
  shippedConfig,
} from "../support/configs";
import {
  INIT_TIMEOUT_MS,
  STACK_FILE,
  VALIDATE_TIMEOUT_MS,
  TerraformWorkspace,
  ValidateResult,
  errorDiagnostics,
  formatDiagnostics,
} from "../../scripts/lib/terraform";
import { describeWithTerraform } from "../support/terraform-gate";

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

  // Every stack in one `terraform validate` (each a child module of one root: one provider start
  // instead of one per stack), plus a corrupted copy of the shipped stack that must be reported.
  // A child module cannot hold an import block: stacks with one (adopt) are also validated alone.
  let together: ReturnType<TerraformWorkspace["validateTogether"]>;
  const ALL = CONFIGS.flatMap(([name, input]) => {
    const config = parseConfig(input());
    return [
      ...config.accounts.map((a) => ({ config: name, stack: a.name, adopt: a.incidentManager.serviceLinkedRole === "adopt" })),
      ...(config.identityCenter ? [{ config: name, stack: config.identityCenter.name, adopt: false }] : []),
    ];
  });

  beforeAll(
    () => {
      scratch = mkdtempSync(join(tmpdir(), "terraform-validate."));
      for (const [name, input] of CONFIGS) {
        createApp(parseConfig(input()), { outdir: outdir(name) }).synth();
      }
      workspace = new TerraformWorkspace(setup, join(scratch, "terraform"));
      const [firstConfig, firstInput] = CONFIGS[0];
      workspace.init({ file: stackFile(firstConfig, parseConfig(firstInput()).accounts[0].name) });
      const shipped = JSON.parse(readFileSync(stackFile("shipped", "incident-manager"), "utf8"));
      shipped.resource.aws_iam_user = { ...shipped.resource.aws_iam_user, Corrupted: { name: "corrupted", nmae: "typo" } };
      together = workspace.validateTogether([
        ...ALL.map(({ config, stack }) => ({ name: `${config}/${stack}`, json: readFileSync(stackFile(config, stack), "utf8") })),
        { name: "corrupted", json: JSON.stringify(shipped) },
      ]);
    },
    INIT_TIMEOUT_MS + VALIDATE_TIMEOUT_MS + 60_000,
  );

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test.each(ALL.map(({ config, stack }) => [`${config}/${stack}`]))("stack %s is valid", (key) => {
    const diagnostics = together.byStack.get(key) ?? [];
    const errors = diagnostics.filter((d) => d.severity === "error");
    expectValid(
      { valid: errors.length === 0, error_count: errors.length, warning_count: diagnostics.length - errors.length, diagnostics },
      key,
    );
  });

  test("the run as a whole: the corrupted copy is reported (the check can fail), nothing outside the stacks", () => {
    expect(together.unplaced).toEqual([]);
    expect(formatDiagnostics(errorDiagnostics({ ...together.result, diagnostics: together.byStack.get("corrupted") ?? [] }))).toEqual([
      expect.stringMatching(/"nmae".*aws_iam_user\.Corrupted/),
    ]);
    expect(together.result.valid).toBe(false);
  });

  test.each(ALL.filter((s) => s.adopt).map((s) => [`${s.config}/${s.stack}`]))(
    "stack %s, with its import block, is valid on its own",
    (key) => {
      const [config, stack] = key.split("/");
      expect(JSON.parse(readFileSync(stackFile(config, stack), "utf8")).import).toHaveLength(1);
      expectValid(workspace.validate({ file: stackFile(config, stack) }), key);
    },
  );
});
