// scripts/stacks.ts (`npm run stacks`): the stacks of a configuration as a GitHub Actions matrix, whole
// or in batches, for the plan jobs of examples/ci/github-pull-request.yml. In-process (run(argv, io));
// __tests__/integration/examples.test.ts runs the real command line as the workflow's step does.
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createApp } from "../../modules/app";
import { SetupConfigInput, parseConfig } from "../../modules/app/config";
import { Batch, Io, MAX_MATRIX_JOBS, StackEntry, UsageError, batches, listStacks, parseArgs, run } from "../../scripts/stacks";
import { ROOT, SHIPPED_CONFIG_FILE, fullConfig, organizationConfig } from "../support/configs";

const EXAMPLE = join(ROOT, "examples", "identity-center.config.json");
const ROLE = "arn:aws:iam::{accountId}:role/github-plan";
/** ROLE in the Identity Center example's management account. */
const IC_ROLE = "arn:aws:iam::111111111111:role/github-plan";

function writeConfig(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "stacks-")), "setup.config.json");
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

/** Runs the command in-process, capturing what it prints. */
function cli(argv: string[], config = EXAMPLE) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { env: { SETUP_CONFIG: config }, root: ROOT, out: (text) => out.push(text), err: (line) => err.push(line) };
  const code = run(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("\n") };
}

/** `accounts` accounts, each with its own role. */
function manyAccounts(accounts: number): SetupConfigInput {
  return {
    accounts: Array.from({ length: accounts }, (_, i) => {
      const accountId = String(100000000000 + i);
      return {
        name: `account-${String(i).padStart(4, "0")}`,
        region: i % 2 ? "eu-west-1" : "us-east-1",
        accountId,
        assumeRoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
        planRoleArn: `arn:aws:iam::${accountId}:role/incident-manager-plan`,
        adminUsers: [{ name: "admin" }],
      };
    }),
  };
}

const stackEntry = (name: string, kind: StackEntry["kind"], accountId: string, plan: string | null, apply: string | null): StackEntry => ({
  name,
  kind,
  region: "us-east-1",
  accountId,
  planRoleArn: plan,
  applyRoleArn: apply,
  retired: false,
  assumeRoleArn: plan,
});

const EXAMPLE_STACKS: StackEntry[] = [
  stackEntry(
    "incident-manager-prod",
    "account",
    "111122223333",
    "arn:aws:iam::111122223333:role/incident-manager-plan",
    "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
  ),
  stackEntry(
    "incident-manager-dev",
    "account",
    "444455556666",
    "arn:aws:iam::444455556666:role/incident-manager-plan",
    "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole",
  ),
  stackEntry("identity-center", "identity-center", "111111111111", null, null),
];

describe("the list", () => {
  test.each([
    ["the Identity Center example", () => parseConfig(require(EXAMPLE))],
    ["the full configuration", () => parseConfig(fullConfig())],
    ["an Organization", () => parseConfig(organizationConfig())],
    ["the shipped configuration", () => parseConfig(require(SHIPPED_CONFIG_FILE))],
  ])("%s: the stacks the app synthesizes, in its order (cdktf.out/stacks/<name>)", (_, config) => {
    const stacks = listStacks(config()).map((s) => s.name);
    expect(stacks).toEqual(createApp(config()).node.children.map((c) => c.node.id));
  });

  test("--json: one line, a matrix of every stack in configuration order; null where the configuration says nothing", () => {
    const result = cli(["--json"]);
    expect(result).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ include: EXAMPLE_STACKS })}\n`,
      stderr: `stacks: 3 stack(s) of ${EXAMPLE}`,
    });
  });

  test("without --json: a table", () => {
    expect(cli([], SHIPPED_CONFIG_FILE).stdout).toBe(
      [
        "name              kind     region     accountId     planRoleArn  applyRoleArn",
        "incident-manager  account  us-east-1  111122223333  -            -",
        "",
      ].join("\n"),
    );
    const lines = cli([]).stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^identity-center {8}identity-center  us-east-1  111111111111  - +-$/);
  });

  test("--default-role-arn: the plan role of each stack without planRoleArn, and only of those", () => {
    const { code, stdout } = cli(["--json", "--default-role-arn", ROLE]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).include).toEqual([
      EXAMPLE_STACKS[0],
      EXAMPLE_STACKS[1],
      { ...EXAMPLE_STACKS[2], planRoleArn: IC_ROLE, assumeRoleArn: IC_ROLE },
    ]);
  });

  test("fails if a default role is in another account than a stack's: allowed_account_ids and the state prefix would refuse it", () => {
    const { code, stderr } = cli(["--json", "--default-role-arn", "arn:aws:iam::999988887777:role/github-plan"]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "stacks: stack identity-center: planRoleArn arn:aws:iam::999988887777:role/github-plan is a role in account 999988887777, " +
        "not in the stack's account 111111111111 (use {accountId} in the default role ARN)",
    );
  });

  test("--default-apply-role-arn and --require-apply-role: the apply role of each stack without assumeRoleArn", () => {
    const APPLY = "arn:aws:iam::111111111111:role/github-apply";
    expect(cli(["--json", "--require-apply-role"]).stderr).toBe(
      `stacks: --require-apply-role: no apply role for stack(s) identity-center: give each an assumeRoleArn in ${EXAMPLE}, ` +
        "or give --default-apply-role-arn (the workflow passes the repository variable APPLY_ROLE_ARN)",
    );
    const { code, stdout } = cli(["--json", "--require-apply-role", "--default-apply-role-arn", APPLY]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).include[2]).toEqual({ ...EXAMPLE_STACKS[2], applyRoleArn: APPLY });
  });

  test("a retired stack is listed like any other (its destroy is planned and applied the same way), marked retired", () => {
    const config = JSON.parse(require("fs").readFileSync(EXAMPLE, "utf8"));
    config.accounts[1].retire = true;
    config.accounts[1].adminUsers = [{ name: "old-admin", accessKeys: [] }];
    delete config.identityCenter.assignTo;
    const { stdout } = cli(["--json"], writeConfig(config));
    expect(JSON.parse(stdout).include.map((s: StackEntry) => [s.name, s.retired])).toEqual([
      ["incident-manager-prod", false],
      ["incident-manager-dev", true],
      ["identity-center", false],
    ]);
  });

  test("--require-role: exit 1 naming each stack without a role, nothing on stdout; with --default-role-arn it lists", () => {
    const result = cli(["--json", "--require-role"]);
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `stacks: --require-role: no plan role for stack(s) identity-center: give each a planRoleArn (a read-only role) in ${EXAMPLE}, ` +
        "or give --default-role-arn (the workflow passes the repository variable PLAN_ROLE_ARN)",
    });
    expect(cli(["--json", "--require-role", "--default-role-arn", ROLE]).code).toBe(0);
    expect(cli(["--require-role"], writeConfig(organizationConfig())).code).toBe(1);
    expect(cli(["--require-role", "--default-role-arn", ROLE], writeConfig(organizationConfig())).code).toBe(0);
  });
});

describe("--batch-size", () => {
  test("consecutive batches of at most n stacks, numbered from 1, that together are the list", () => {
    const { code, stdout, stderr } = cli(["--json", "--batch-size", "2"]);
    expect(code).toBe(0);
    expect(stderr).toBe(`stacks: 3 stack(s) in 2 batch(es) of ${EXAMPLE}`);
    const matrix: { include: Batch[] } = JSON.parse(stdout);
    expect(matrix).toEqual({
      include: [
        { batch: 1, size: 2, stacks: { include: EXAMPLE_STACKS.slice(0, 2) } },
        { batch: 2, size: 1, stacks: { include: EXAMPLE_STACKS.slice(2) } },
      ],
    });
    expect(stdout.trimEnd()).not.toContain("\n");
  });

  test("text: a table per batch", () => {
    const { stdout } = cli(["--batch-size=2"]);
    expect(stdout).toMatch(/^batch 1 of 2 \(2 stack\(s\)\):\nname {2,}kind/);
    expect(stdout).toContain("\n\nbatch 2 of 2 (1 stack(s)):\nname ");
  });

  test("one batch when every stack fits", () => {
    expect(JSON.parse(cli(["--json", "--batch-size", "256"]).stdout)).toEqual({
      include: [{ batch: 1, size: 3, stacks: { include: EXAMPLE_STACKS } }],
    });
  });

  test(`600 accounts in batches of ${MAX_MATRIX_JOBS}: 256, 256, 88, each a matrix GitHub accepts; a job output well under 1 MB`, () => {
    const { code, stdout } = cli(["--json", "--batch-size", String(MAX_MATRIX_JOBS), "--require-role"], writeConfig(manyAccounts(600)));
    expect(code).toBe(0);
    const matrix: { include: Batch[] } = JSON.parse(stdout);
    expect(matrix.include.map((b) => [b.batch, b.size, b.stacks.include.length])).toEqual([
      [1, 256, 256],
      [2, 256, 256],
      [3, 88, 88],
    ]);
    const names = matrix.include.flatMap((b) => b.stacks.include.map((s) => s.name));
    expect(names).toEqual(manyAccounts(600).accounts.map((a) => a.name));
    expect(Buffer.byteLength(stdout)).toBeLessThan(200_000); // GitHub: 1 MB of outputs per job
  });

  test("batches(): the edges", () => {
    const stacks = listStacks(parseConfig(manyAccounts(5)));
    expect(batches(stacks, 1).map((b) => b.size)).toEqual([1, 1, 1, 1, 1]);
    expect(batches(stacks, 5).map((b) => b.size)).toEqual([5]);
    expect(batches(stacks, 4).map((b) => b.size)).toEqual([4, 1]);
  });
});

describe("command line", () => {
  test("parseArgs: defaults, options in both spellings", () => {
    expect(parseArgs([])).toEqual({ json: false, requireRole: false, requireApplyRole: false });
    expect(parseArgs(["--json", "--batch-size=7", "--default-role-arn", ROLE, "--require-role", "--changed", "base/cdktf.out"])).toEqual({
      json: true,
      requireRole: true,
      requireApplyRole: false,
      batchSize: 7,
      defaultRoleArn: ROLE,
      changed: "base/cdktf.out",
    });
    expect(parseArgs(["--batch-size", "256"])).toMatchObject({ batchSize: 256 });
    expect(parseArgs(["--batch-size", "1"])).toMatchObject({ batchSize: 1 });
    expect(parseArgs(["--default-role-arn", "arn:aws-us-gov:iam::111122223333:role/ci/plan"])).toMatchObject({
      defaultRoleArn: "arn:aws-us-gov:iam::111122223333:role/ci/plan",
    });
    expect(parseArgs(["-h"])).toBe("help");
  });

  test("-h prints the usage, exit 0", () => {
    const result = cli(["-h"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^usage: npm run stacks \[-- --json\] \[--batch-size <n>\] \[--default-role-arn <arn>\] \[--require-role\]\n/,
    );
    expect(result.stderr).toBe("");
  });

  const batchRule = "give a whole number from 1 to 256 (GitHub Actions runs at most 256 jobs per matrix)";
  test.each([
    [["--batch-size", "0"], `--batch-size "0": ${batchRule}`],
    [["--batch-size", "257"], `--batch-size "257": ${batchRule}`],
    [["--batch-size", "1.5"], `--batch-size "1.5": ${batchRule}`],
    [["--batch-size", "-1"], "--batch-size needs a value"],
    [["--batch-size", "ten"], `--batch-size "ten": ${batchRule}`],
    [["--batch-size", " 2"], `--batch-size " 2": ${batchRule}`],
    [["--batch-size"], "--batch-size needs a value"],
    [["--batch-size="], "--batch-size needs a value"],
    [["--batch-size", "2", "--batch-size", "3"], "--batch-size given twice"],
    [["--default-role-arn", "github-plan"], '--default-role-arn "github-plan" is not an IAM role ARN'],
    [["--default-role-arn", "arn:aws:iam::1111:role/x"], '--default-role-arn "arn:aws:iam::1111:role/x" is not an IAM role ARN'],
    [["--default-role-arn", "arn:aws:iam::111122223333:user/x"], "is not an IAM role ARN"],
    [["--default-role-arn"], "--default-role-arn needs a value"],
    [["--json=yes"], "--json"],
    [["--nope"], "unknown option --nope"],
    [["stack-a"], 'unexpected argument "stack-a"'],
  ])("usage error %j: exit 2, %s, with the usage", (argv, message) => {
    const result = cli(argv, join(tmpdir(), "never-read.json"));
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(/^stacks: /);
    expect(result.stderr.split("\n")[0]).toContain(message);
    expect(result.stderr).toContain("usage: npm run stacks");
    expect(result.stdout).toBe("");
  });

  test("parseArgs throws a UsageError", () => {
    expect(() => parseArgs(["--batch-size", "0"])).toThrow(UsageError);
  });

  test.each([
    ["no file", () => join(tmpdir(), "stacks-no-such-config.json"), "file not found"],
    ["not JSON", () => writeConfig("{"), "is not valid JSON"],
    ["no accounts", () => writeConfig({ accounts: [] }), "must list at least one account"],
    [
      "a bad assumeRoleArn",
      () => writeConfig({ accounts: [{ name: "a", region: "us-east-1", assumeRoleArn: "nope", adminUsers: [{ name: "x" }] }] }),
      "is not an IAM role ARN",
    ],
  ])("a configuration with %s: exit 1, the problem, nothing on stdout", (_, file, message) => {
    const result = cli(["--json"], file());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^stacks: /);
    expect(result.stderr).toContain(message);
  });
});

describe("under CI (CI=true): what a pull-request plan must not run on", () => {
  const ciCli = (argv: string[], config: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = run(argv, { env: { SETUP_CONFIG: config, CI: "true" }, root: ROOT, out: (t) => out.push(t), err: (l) => err.push(l) });
    return { code, stdout: out.join(""), stderr: err.join("\n") };
  };
  const s3 = {
    type: "s3",
    bucket: "example-org-terraform-state",
    key: "incident-manager/{accountId}/{stack}.tfstate",
    region: "us-east-1",
  };

  test("fails if the backend is local: a runner has no state, so everything would plan as new; names the S3 backend", () => {
    const { code, stdout, stderr } = ciCli(["--json"], SHIPPED_CONFIG_FILE);
    expect([code, stdout]).toEqual([1, ""]);
    expect(stderr).toContain('backend is { "type": "local" }: a CI runner has no state, so every plan would show everything as new.');
    expect(stderr).toContain('"backend": { "type": "s3"');
  });

  test("fails if a state holds a plain-text secret that the configuration does not acknowledge, naming the user and the fix", () => {
    const config = {
      backend: s3,
      accounts: [{ name: "prod", region: "us-east-1", accountId: "111122223333", adminUsers: [{ name: "alice" }] }],
    };
    const { code, stderr } = ciCli(["--json"], writeConfig(config));
    expect(code).toBe(1);
    expect(stderr.split("\n").slice(1)).toEqual([
      "  - 1 stack(s) keep plain-text secrets in their state, and a pull-request plan role, which any branch can use, reads that " +
        "state. Give PGP keys (console.pgpKey, accessKeys[].pgpKey instead of secretStore), or acknowledge each with its reason, e.g. " +
        '{ "id": "plaintext-password-in-state", "reason": "<why>", "account": "prod", "user": "alice" } (without user: every user of the stack):',
      "      prod: console password of alice; secret access key of alice",
    ]);
    // At scale, 20 stacks are named and the rest counted.
    const many = {
      backend: s3,
      accounts: Array.from({ length: 25 }, (_, i) => ({
        name: `a${i}`,
        region: "us-east-1",
        accountId: String(100000000000 + i),
        adminUsers: [{ name: "x" }],
      })),
    };
    const lines = ciCli(["--json"], writeConfig(many)).stderr.split("\n");
    expect(lines.length).toBe(2 + 20 + 1);
    expect(lines[lines.length - 1]).toBe("      ... and 5 more stack(s)");
  });

  test("lists the stacks when every secret is PGP-encrypted or acknowledged, and the state is in S3", () => {
    const reason = "the state bucket is readable by the platform team only";
    const config = {
      backend: s3,
      accounts: [{ name: "prod", region: "us-east-1", accountId: "111122223333", adminUsers: [{ name: "alice" }] }],
      acknowledge: [
        { id: "plaintext-password-in-state", reason, user: "alice" },
        { id: "plaintext-secret-in-state", reason, account: "prod" },
      ],
    };
    expect(ciCli(["--json"], writeConfig(config)).code).toBe(0);
    // Outside CI, nothing is refused (a laptop's list).
    expect(cli(["--json"], SHIPPED_CONFIG_FILE).code).toBe(0);
  });
});

describe("the configuration of the two roles", () => {
  test("fails if a plan role is in another account than the stack's", () => {
    const config = {
      accounts: [
        {
          name: "dev",
          region: "us-east-1",
          accountId: "444455556666",
          planRoleArn: "arn:aws:iam::111122223333:role/incident-manager-plan",
          adminUsers: [{ name: "a" }],
        },
      ],
    };
    expect(() => parseConfig(config)).toThrow(
      'accounts[0].planRoleArn: "arn:aws:iam::111122223333:role/incident-manager-plan" is a role in account 111122223333, not in accountId 444455556666',
    );
  });

  test("{accountId} in the state key: each stack's state under its account id, which every stack then needs", () => {
    const backend = {
      type: "s3",
      bucket: "example-org-terraform-state",
      key: "incident-manager/{accountId}/{stack}.tfstate",
      region: "us-east-1",
    };
    const app = createApp(parseConfig({ ...organizationConfig(), backend } as SetupConfigInput));
    const keys = app.node.children.map((stack) => JSON.parse(JSON.stringify((stack as any).toTerraform())).terraform.backend.s3.key);
    expect(keys).toEqual([
      "incident-manager/111122223333/security.tfstate",
      "incident-manager/444455556666/workloads-prod.tfstate",
      "incident-manager/777788889999/workloads-dev.tfstate",
    ]);
    const withoutId = { backend, accounts: [{ name: "dev", region: "us-east-1", adminUsers: [{ name: "a" }] }] };
    expect(() => parseConfig(withoutId as SetupConfigInput)).toThrow(
      'accounts[0].accountId: missing (required: backend.key contains "{accountId}", the account of this stack\'s state)',
    );
  });
});

describe("--changed <base synth>: the stacks an apply must run", () => {
  test("only the stacks whose synthesized JSON differs from the base, or that the base lacks", () => {
    const root = mkdtempSync(join(tmpdir(), "stacks-changed-"));
    const config = parseConfig(organizationConfig());
    const write = (dir: string, name: string, text: string) => {
      require("fs").mkdirSync(join(root, dir, "stacks", name), { recursive: true });
      writeFileSync(join(root, dir, "stacks", name, "cdk.tf.json"), text);
    };
    const [a, b, c] = config.accounts.map((x) => x.name);
    write("cdktf.out", a, "{}");
    write("cdktf.out", b, '{"changed":true}');
    write("cdktf.out", c, "{}");
    write("base", a, "{}");
    write("base", b, "{}");
    const out: string[] = [];
    const file = writeConfig(organizationConfig());
    const code = run(["--json", "--changed", "base"], { env: { SETUP_CONFIG: file }, root, out: (t) => out.push(t), err: () => undefined });
    expect(code).toBe(0);
    expect(JSON.parse(out.join("")).include.map((s: StackEntry) => s.name)).toEqual([b, c]);
  });
});
