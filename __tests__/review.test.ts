// `npm run review`: the Markdown a reviewer pastes into a pull request. The summaries and the
// comparisons run on real synthesized stacks (createApp(...).synth() into a temp folder); the
// command itself runs as a process for --base-dir and --base.
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig, synthWarnings, synthesize } from "../modules";
import {
  PlanJson,
  SynthOutput,
  adminModel,
  diffOutputs,
  diffStacks,
  loadOutdir,
  renderMarkdown,
  summarizeStack,
} from "../scripts/review-lib";
import { Io, npmConfigArgs, parseArgs, run } from "../scripts/review";
import { bodyChanges } from "../scripts/review/helpers";
import { PGP_KEY, ROOT, accountsConfig, fullConfig, organizationConfig, shippedConfig } from "./support/configs";

const STACK = "incident-manager";
const KEY = "aws_iam_access_key.AdminUser-incident-admin_AccessKey-1_34369652";
const ROLE = "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3";
const SOURCE_SYNTH = "source: synthesized cdk.tf.json (no plan available; run npm run plan:offline)";
const SOURCE_PLAN = "source: terraform plan (offline)";

const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The review as a process (and git): left to `npm test`; the unit loop (TEST_SCOPE=unit) reports them skipped. */
const endToEnd = process.env.TEST_SCOPE === "unit" ? test.skip : test;

/** Synthesizes a configuration as the app does, into a temp folder: the stacks' JSON and the warnings. */
function synth(input: SetupConfigInput): SynthOutput & { outdir: string } {
  const outdir = tempDir("review-synth-");
  // skipValidation: adopt mode's import block makes CDKTF look for terraform on PATH.
  const app = createApp(parseConfig(input), { outdir, skipValidation: true });
  app.synth();
  return { outdir, stacks: loadOutdir(outdir).stacks, warnings: synthWarnings(app) };
}

function review(head: SynthOutput, options: { base?: SynthOutput; plans?: Record<string, PlanJson> } = {}): string {
  const summaries = Object.keys(head.stacks).map((name) => summarizeStack(head.stacks[name], head.warnings, options.plans?.[name], name));
  return renderMarkdown({ summaries, diff: options.base ? diffOutputs(options.base, head) : undefined, baseLabel: "the base" });
}

/** Every `type.name` (and `data.type.name`) of a stack. */
function addresses(stack: Record<string, any>, kind: "resource" | "data"): string[] {
  return Object.entries(stack[kind] ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `${kind === "data" ? "data." : ""}${type}.${name}`),
  );
}

/** The table row of an address. */
function row(markdown: string, address: string): string {
  const rows = markdown.split("\n").filter((line) => line.startsWith(`| \`${address}\` |`));
  expect(rows).toHaveLength(1);
  return rows[0];
}

function edit(mutate: (config: any) => void, input: SetupConfigInput = shippedConfig()): SetupConfigInput {
  const copy = JSON.parse(JSON.stringify(input));
  mutate(copy);
  return copy;
}

/** A `terraform show -json` document with only what the review reads. */
function fakePlan(changes: [string, string[], object?][]): PlanJson {
  return {
    resource_changes: changes.map(([address, actions, importing]) => ({
      address,
      mode: address.startsWith("data.") ? "data" : "managed",
      change: { actions, ...(importing ? { importing } : {}) },
    })),
  };
}

describe("summary of the shipped configuration", () => {
  const head = synth(shippedConfig());
  const stack = head.stacks[STACK];
  const markdown = review(head);

  test("a top summary line: stacks, resources, warnings and the source", () => {
    // Warnings that need action only: the notes (deviations the guide asks for) are listed apart.
    const warnings = head.warnings.filter((w) => w.kind === "action").length;
    expect(markdown.split("\n")[2]).toBe(`**1 stack, 8 resources, ${warnings} warnings** · ${SOURCE_SYNTH}`);
    expect(warnings).toBe(3);
  });

  test("a heading per stack with region, account and backend", () => {
    expect(markdown).toContain(
      [
        "### `incident-manager` (us-east-1)",
        "",
        "- Account: not pinned (no accountId: whichever account the credentials reach)",
        "- Backend: local `terraform.incident-manager.tfstate`",
        "- AdministratorAccess: group `Administrators`, members `incident-admin` · MFA enforced: yes",
        "- Incident Manager service-linked role: create",
        `- Planned changes: not known · ${SOURCE_SYNTH}`,
      ].join("\n"),
    );
  });

  test("lists every resource address, sorted, in the table", () => {
    const all = addresses(stack, "resource");
    expect(all).toHaveLength(8);
    const rows = markdown.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.map((r) => r.split("`")[1])).toEqual([...all].sort());
  });

  test("says who gets AdministratorAccess, MFA, console, the key and the role mode", () => {
    expect(row(markdown, "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0")).toBe(
      "| `aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0` | **AdministratorAccess** → group `Administrators` (members: `incident-admin`) |",
    );
    expect(row(markdown, "aws_iam_group.AdminGroup_CD52047A")).toContain("members: `incident-admin` · MFA enforced: yes");
    expect(row(markdown, "aws_iam_group_policy.AdminGroup_EnforceMfa_B77715BF")).toContain(
      "inline policy `ManageOwnCredentialsRequireMFA` of group `Administrators`: without MFA, denies everything but setting up one's own password and MFA device (MFA enforced)",
    );
    expect(row(markdown, "aws_iam_user.AdminUser-incident-admin_D23EE31F")).toBe(
      "| `aws_iam_user.AdminUser-incident-admin_D23EE31F` | IAM user `incident-admin` (path `/`) · console: yes (password PGP-protected: no) · keys: `1` Active · Checkov skip CKV2_AWS_22, CKV_AWS_273 |",
    );
    expect(row(markdown, "aws_iam_user_login_profile.AdminUser-incident-admin_LoginProfile_387F4A5B")).toContain(
      "console password of `incident-admin` · PGP-protected: no (plain text in the state) · reset at first sign-in: yes",
    );
    expect(row(markdown, KEY)).toBe(
      `| \`${KEY}\` | key \`1\` of \`incident-admin\` · status Active · PGP-protected: no · stored in Secrets Manager: no |`,
    );
    expect(row(markdown, ROLE)).toBe(
      `| \`${ROLE}\` | service-linked role for \`ssm-incidents.amazonaws.com\` · mode: **create** · prevent_destroy |`,
    );
  });

  test("lists the outputs by name, sensitive ones marked, without values", () => {
    expect(markdown).toContain("`admin_user_secrets` (sensitive)");
    expect(markdown).toContain("`admin_users`,");
    expect(markdown).not.toContain("${aws_");
  });

  test("ends with the stack's synth warnings, each one", () => {
    // The three that need action; the guide's own deviations as notes, apart.
    expect(markdown).toContain("<details><summary>3 synth warnings</summary>");
    expect(markdown).toContain("<details><summary>3 notes on deviations the guide asks for</summary>");
    expect(head.warnings.map((w) => [w.kind, w.message.slice(w.message.lastIndexOf("["))]).sort()).toEqual([
      ["action", "[password-policy-unmanaged]"],
      ["action", "[plaintext-password-in-state]"],
      ["action", "[plaintext-secret-in-state]"],
      ["note", "[admin-access]"],
      ["note", "[key-needs-mfa-session]"],
      ["note", "[keys-with-console]"],
    ]);
    for (const w of head.warnings) expect(markdown).toContain(w.message);
    expect(markdown).toContain(
      "- `AdminUser-incident-admin/AccessKey-1`: adminUsers[0].accessKeys[0] (incident-admin, key 1): the secret access key",
    );
  });

  test("takes only the warnings of its own stack", () => {
    const summary = summarizeStack(stack, [
      ...head.warnings,
      { path: "other/AdminGroup", message: "not mine" },
      { path: `${STACK}-2`, message: "not mine either" },
    ]);
    expect(summary.stack).toBe(STACK);
    expect(summary.warnings).toHaveLength(6);
  });
});

describe("key settings of the other configurations", () => {
  const accounts = review(synth(accountsConfig()));
  const full = review(synth(fullConfig()));
  const org = review(synth(organizationConfig()));

  test("adopt: the import id; reference: the data source", () => {
    expect(accounts).toContain(
      "- Incident Manager service-linked role: adopt (import id `arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`)",
    );
    expect(accounts).toContain(
      "- Incident Manager service-linked role: adopt (import id `arn:aws-us-gov:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager`)",
    );
    expect(accounts).toContain("- Incident Manager service-linked role: reference (data source)");
    expect(row(accounts, "data.aws_iam_role.IncidentManagerServiceLinkedRole_84057CB3")).toContain(
      "role `AWSServiceRoleForIncidentManager` · mode: **reference** (data source, read only)",
    );
  });

  test("alias, password policy, setup policy, Secrets Manager, MFA off", () => {
    expect(accounts).toContain("| account alias `example-ops` |");
    expect(accounts).toContain(
      "password policy: min length 32 · requires lowercase, uppercase, numbers, symbols · remembers 24 passwords · max age 30 days · users may change: yes · hard expiry: yes",
    );
    expect(accounts).toContain(
      "customer managed policy `IncidentManagerServiceLinkedRoleSetup`: Allow iam:CreateServiceLinkedRole if iam:AWSServiceName StringEquals ssm-incidents.amazonaws.com",
    );
    expect(row(accounts, "aws_iam_access_key.AdminUser-bob_AccessKey-1_3D83658A")).toContain(
      "status Active · PGP-protected: no · stored in Secrets Manager: yes",
    );
    expect(row(accounts, "aws_secretsmanager_secret.AdminUser-bob_AccessKey-1_Secret_01B32895")).toContain(
      "holds key `1` of `bob` (AccessKeyId, SecretAccessKey) · name prefix `incident-manager-setup/bob/access-key-1-` · KMS key `alias/incident-manager`",
    );
    expect(accounts).toContain("- AdministratorAccess: group `Administrators`, members `bob` · MFA enforced: no");
  });

  test("relations come from the stack's outputs: key ids as configured, each secret with its own key", () => {
    const input = edit((c) => {
      c.accounts[0].adminUsers = [
        {
          name: "bob.smith@example.com",
          console: false,
          accessKeys: [
            { id: "break-glass", secretStore: "secretsmanager" },
            { id: "ci-2", status: "Inactive", secretStore: "secretsmanager" },
          ],
        },
      ];
    });
    const head = synth(input);
    const markdown = review(head);
    const model = adminModel(head.stacks[STACK]);
    const secrets = addresses(head.stacks[STACK], "resource").filter((a) => a.startsWith("aws_secretsmanager_secret."));

    expect(model.users.map((u) => [u.name, u.keys.map((k) => k.id)])).toEqual([["bob.smith@example.com", ["break-glass", "ci-2"]]]);
    expect(secrets).toHaveLength(2);
    for (const key of model.users[0].keys) {
      expect(row(markdown, key.key ?? "")).toContain(`key \`${key.id}\` of \`bob.smith@example.com\` · status ${key.status}`);
      expect(row(markdown, key.secret ?? "")).toContain(`holds key \`${key.id}\` of \`bob.smith@example.com\``);
    }
    expect(markdown).toContain("IAM user `bob.smith@example.com` (path `/`) · console: no · keys: `break-glass` Active, `ci-2` Inactive");
  });

  test("PGP-protected passwords and keys, Inactive keys, users without console", () => {
    expect(row(full, "aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579")).toContain(
      "key `1` of `alice` · status Inactive · PGP-protected: yes, `(base64 PGP key, 52 chars, sha256 ",
    );
    expect(row(full, "aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C")).toContain("PGP-protected: yes, `keybase:alice`");
    expect(row(full, "aws_iam_user.AdminUser-bobsmithexamplecom_800BAC3B")).toContain("console: no · keys: none");
    expect(full).toContain(
      "- AdministratorAccess: group `IncidentAdmins`, members `alice`, `bob.smith@example.com`, `carol` · MFA enforced: yes",
    );
    expect(full).toContain("### `ops-prod` (eu-west-1, account 111122223333)");
    expect(full).toContain(
      "- Account: `111122223333` (allowed_account_ids) · assumes `arn:aws:iam::111122223333:role/OrganizationAccountAccessRole`",
    );
  });

  test("an S3 backend: bucket and key per stack; stacks sorted by name", () => {
    expect(org).toContain(
      "- Backend: s3 `s3://example-org-terraform-state/incident-manager/workloads-prod.tfstate` (region us-east-1, encrypted, S3 lockfile, DynamoDB lock table `terraform-locks`)",
    );
    const headings = org.split("\n").filter((l) => l.startsWith("### "));
    expect(headings).toEqual([
      "### `security` (us-east-1, account 111122223333)",
      "### `workloads-dev` (eu-west-1, account 777788889999)",
      "### `workloads-prod` (eu-west-1, account 444455556666)",
    ]);
  });
});

describe("changes since a base", () => {
  const base = synth(shippedConfig());

  test("the same configuration: no changes", () => {
    const diff = diffOutputs(base, synth(shippedConfig()));
    expect(diff.stacks).toEqual([]);
    const markdown = review(synth(shippedConfig()), { base });
    expect(markdown).toContain("· vs base: no changes");
    expect(markdown).toContain("No changes: the synthesized stacks are the same (CDKTF's `//` metadata ignored).");
  });

  test("a key made Inactive: one attribute line", () => {
    const head = synth(edit((c) => (c.accounts[0].adminUsers[0].accessKeys[0].status = "Inactive")));
    const lines = [
      `~ ${KEY}: status "Active" -> "Inactive"`,
      '~ output admin_users: user "incident-admin": access key "1": status "Active" -> "Inactive"',
    ];
    expect(diffStacks(base.stacks[STACK], head.stacks[STACK])).toEqual(lines);
    const markdown = review(head, { base });
    expect(markdown).toContain(
      ["### `incident-manager`: 0 added, 0 removed, 1 changed, 1 output change", "", "```diff", ...lines, "```"].join("\n"),
    );
    // The note about MFA session tokens goes with the Active key; notes are not compared (a base folder's manifest has none).
    expect(markdown).not.toContain("Warnings gone:");
    expect(head.warnings.filter((w) => w.message.endsWith("[key-needs-mfa-session]"))).toEqual([]);
  });

  test("a user added: its resources and outputs", () => {
    const head = synth(
      edit((c) =>
        c.accounts[0].adminUsers.push({ name: "dave", console: { pgpKey: "keybase:dave" }, accessKeys: [{ id: "ci", status: "Active" }] }),
      ),
    );
    expect(diffStacks(base.stacks[STACK], head.stacks[STACK])).toEqual([
      "+ aws_iam_access_key.AdminUser-dave_AccessKey-ci_73DEEFEA",
      "+ aws_iam_user.AdminUser-dave_3CDAD6F1",
      "+ aws_iam_user_group_membership.AdminUser-dave_GroupMembership_EBD2B501",
      "+ aws_iam_user_login_profile.AdminUser-dave_LoginProfile_93130B05",
      '~ output admin_user_secrets (sensitive): user "dave" added',
      '~ output admin_users: user "dave" added',
    ]);
    const markdown = review(head, { base });
    expect(markdown).toContain("### `incident-manager`: 4 added, 0 removed, 0 changed, 2 output changes");
    expect(markdown).toContain("- AdministratorAccess: group `Administrators`, members `dave`, `incident-admin` · MFA enforced: yes");
  });

  test("a key removed: the key and its outputs", () => {
    const head = synth(edit((c) => (c.accounts[0].adminUsers[0].accessKeys = [])));
    expect(diffStacks(base.stacks[STACK], head.stacks[STACK])).toEqual([
      `- ${KEY}`,
      '~ output admin_user_secrets (sensitive): user "incident-admin": access key "1" removed',
      '~ output admin_users: user "incident-admin": access key "1" removed',
    ]);
  });

  test("role mode, region and a PGP key changed: settings, import block and ignored attributes", () => {
    const fullBase = synth(fullConfig());
    const head = synth(
      edit((c) => {
        c.accounts[0].region = "eu-west-2";
        c.accounts[0].incidentManager.serviceLinkedRole = "adopt";
        c.accounts[0].adminUsers[0].console.pgpKey = "keybase:alice2";
      }, fullConfig()),
    );
    expect(diffStacks(fullBase.stacks["ops-prod"], head.stacks["ops-prod"])).toEqual([
      `~ ${ROLE}: lifecycle.ignore_changes (none) -> ["description","tags","tags_all"]`,
      "~ aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C: pgp_key keybase:alice -> keybase:alice2 (in lifecycle.ignore_changes: no effect on the existing resource)",
      `+ import ${ROLE} (id "arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager")`,
      '~ provider.aws: region "eu-west-1" -> "eu-west-2"',
    ]);
  });

  test("stacks added and removed", () => {
    const orgBase = synth(organizationConfig());
    const head = synth(
      edit((c) => {
        c.accounts = c.accounts.filter((a: any) => a.name !== "workloads-dev");
        c.accounts.push({ ...c.accounts[0], name: "audit", accountId: "123456789012", assumeRoleArn: undefined });
      }, organizationConfig()),
    );
    const diff = diffOutputs(orgBase, head);
    expect(diff.stacks.map((s) => [s.stack, s.change, s.resourceCount])).toEqual([
      ["audit", "added", 10],
      ["workloads-dev", "removed", 10],
    ]);
    const markdown = review(head, { base: orgBase });
    expect(markdown).toContain("· vs base: 1 stack added, 1 stack removed, 0 added, 0 removed, 0 changed");
    expect(markdown).toContain("- **`audit` added** (10 resources; see below)");
    expect(markdown).toContain("- **`workloads-dev` removed** (10 resources): Terraform stops managing them;");
  });

  test("the same Markdown whatever the order of the inputs", () => {
    const head = synth(organizationConfig());
    const summaries = Object.keys(head.stacks).map((n) => summarizeStack(head.stacks[n], head.warnings, undefined, n));
    const reversed = { stacks: Object.fromEntries(Object.entries(head.stacks).reverse()), warnings: [...head.warnings].reverse() };
    const a = renderMarkdown({ summaries, diff: diffOutputs(base, head) });
    const b = renderMarkdown({
      summaries: Object.keys(reversed.stacks).map((n) => summarizeStack(reversed.stacks[n], reversed.warnings, undefined, n)),
      diff: diffOutputs(base, reversed),
    });
    expect(b).toBe(a);
  });
});

describe("secrets never appear", () => {
  const OTHER_PGP_KEY = "mQINBGV4YW1wbGVhbm90aGVycHVibGlja2V5bm90cmVhbEJCQkJCQkJCQkJC";

  test("PGP keys are described, never printed", () => {
    const base = synth(fullConfig());
    const head = synth(edit((c) => (c.accounts[0].adminUsers[0].accessKeys[1].pgpKey = OTHER_PGP_KEY), fullConfig()));
    const lines = diffStacks(base.stacks["ops-prod"], head.stacks["ops-prod"]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      "! aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82: replaced, not changed in place: pgp_key forces replacement (a new access key id and secret; the old key is deleted and stops working)",
    );
    expect(lines[1]).toMatch(
      /^~ aws_iam_access_key\.AdminUser-alice_AccessKey-2_34004F82: pgp_key \(base64 PGP key, 52 chars, sha256 [0-9a-f]{8}\) -> \(base64 PGP key, 60 chars, sha256 [0-9a-f]{8}\)$/,
    );
    const markdown = review(head, { base }) + review(synth(accountsConfig()));
    expect(markdown).not.toContain(PGP_KEY);
    expect(markdown).not.toContain(OTHER_PGP_KEY);
    expect(markdown).not.toContain(PGP_KEY.slice(0, 16));
  });

  test("no secret values, sensitive output values or secret-like attributes in the review of any configuration", () => {
    for (const input of [shippedConfig(), fullConfig(), accountsConfig(), organizationConfig()]) {
      const markdown = review(synth(input), { base: synth(shippedConfig()) });
      expect(markdown).not.toMatch(/\.(secret|password|encrypted_secret|encrypted_password|key_fingerprint)\}/);
      expect(markdown).not.toContain("jsonencode");
      expect(markdown).not.toContain('SecretAccessKey" =');
    }
  });

  test("attributes named like secrets, passwords or PGP keys and sensitive outputs are hidden in a comparison", () => {
    const stack = (value: string) => ({
      resource: {
        example_thing: { x: { password: `hunter2-${value}`, secret_string: `s3cr3t-${value}`, pgp_key: `${PGP_KEY}${value}`, name: "x" } },
      },
      output: {
        token: { value: `\${example_thing.x.${value}}`, sensitive: true },
        plain: { value: `\${example_thing.x.${value}}` },
        x_secret: { value: `\${example_thing.x.secret_${value}}` },
      },
    });
    expect(diffStacks(stack("aa"), stack("bbb"))).toEqual([
      "~ example_thing.x: password (hidden, 10 chars) -> (hidden, 11 chars)",
      expect.stringMatching(
        /^~ example_thing\.x: pgp_key \(base64 PGP key, 54 chars, sha256 [0-9a-f]{8}\) -> \(base64 PGP key, 55 chars, sha256 [0-9a-f]{8}\)$/,
      ),
      "~ example_thing.x: secret_string (hidden, 9 chars) -> (hidden, 10 chars)",
      '~ output plain: value "${example_thing.x.aa}" -> "${example_thing.x.bbb}"',
      "~ output token: value changed (sensitive, not shown)",
      "~ output x_secret: value changed (sensitive, not shown)",
    ]);
    expect(diffStacks(stack("ab"), stack("cd"))).toContain("~ example_thing.x: password changed (value hidden)");
  });
});

describe("planned changes: terraform plan or synthesized JSON", () => {
  const head = synth(shippedConfig());
  const managed = addresses(head.stacks[STACK], "resource");

  test("without a plan: the synthesized JSON, and how to get a plan", () => {
    const summary = summarizeStack(head.stacks[STACK], head.warnings);
    expect(summary.source).toBe("synth");
    expect(review(head)).toContain(`- Planned changes: not known · ${SOURCE_SYNTH}`);
  });

  test("with a plan: Terraform's counts and each resource's action", () => {
    const plan = fakePlan([
      ...managed.filter((a) => a !== ROLE && a !== KEY).map((a): [string, string[]] => [a, ["create"]]),
      [
        ROLE,
        ["no-op"],
        { id: "arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager" },
      ],
      [KEY, ["update"]],
      ["aws_iam_access_key.Gone_12345678", ["delete"]],
      ["data.aws_iam_policy_document.AdminGroup_MfaPolicyDocument_C83F6FD2", ["read"]],
    ]);
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown.split("\n")[2]).toBe(`**1 stack, 8 resources, 3 warnings** · ${SOURCE_PLAN}`);
    expect(markdown).toContain(`- Planned changes: 1 to import, 6 to add, 1 to change, 1 to destroy · ${SOURCE_PLAN}`);
    expect(markdown).toContain("- To destroy (no longer configured): `aws_iam_access_key.Gone_12345678`");
    expect(markdown).toContain("| Resource | Plan | Settings |");
    expect(row(markdown, ROLE)).toMatch(/^\| `[^`]+` \| import \| service-linked role/);
    expect(row(markdown, KEY)).toMatch(/^\| `[^`]+` \| update \| key `1`/);
    expect(row(markdown, "aws_iam_group.AdminGroup_CD52047A")).toMatch(/^\| `[^`]+` \| create \| /);
    expect(markdown).not.toContain(SOURCE_SYNTH);
  });

  test("a plan that misses synthesized resources is called old", () => {
    const plan = fakePlan(managed.slice(1).map((a): [string, string[]] => [a, ["no-op"]]));
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown).toContain(`- Planned changes: 0 to import, 0 to add, 0 to change, 0 to destroy · ${SOURCE_PLAN}`);
    expect(markdown).toContain("- Note: the plan is older than the configuration: 1 resource not in it (run npm run plan:offline again)");
    expect(row(markdown, [...managed].sort()[0])).toContain("| not in plan |");
  });

  test("a replacement counts as one to add and one to destroy", () => {
    const plan = fakePlan(managed.map((a): [string, string[]] => [a, a === KEY ? ["delete", "create"] : ["no-op"]]));
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown).toContain("- Planned changes: 0 to import, 1 to add, 0 to change, 1 to destroy");
    expect(row(markdown, KEY)).toContain("| replace |");
  });
});

describe("command line", () => {
  test("options", () => {
    expect(parseArgs([])).toEqual({});
    expect(parseArgs(["--base", "main", "--outdir=out"])).toEqual({ base: "main", outdir: "out" });
    expect(parseArgs(["--base-dir", "old"])).toEqual({ baseDir: "old" });
    expect(parseArgs(["-h"])).toBe("help");
    expect(() => parseArgs(["--base", "a", "--base-dir", "b"])).toThrow("give --base or --base-dir, not both");
    expect(() => parseArgs(["--base"])).toThrow("--base needs a value");
    expect(() => parseArgs(["--bsae", "x"])).toThrow("unknown option --bsae");
    expect(() => parseArgs(["extra"])).toThrow('unexpected argument "extra"');
    expect(() => parseArgs(["--base=--upload-pack=x"])).toThrow("not a git ref");
  });

  function runInProcess(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { env, cwd: ROOT, out: (t) => out.push(t), err: (l) => err.push(l) };
    return { status: run(argv, io), stdout: out.join(""), stderr: err.join("\n") };
  }

  function configFile(input: SetupConfigInput): string {
    const file = join(tempDir("review-config-"), "setup.config.json");
    writeFileSync(file, JSON.stringify(input, null, 2));
    return file;
  }

  test("usage errors exit 2", () => {
    const result = runInProcess(["--base", "HEAD", "--base-dir", "x"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("review: give --base or --base-dir, not both");
    expect(result.stderr).toContain("usage: npm run review");
  });

  test("an unknown git ref: a clear error, exit 1, nothing written", () => {
    const outdir = join(tempDir("review-out-"), "cdktf.out");
    const result = runInProcess(["--base", "no-such-ref-for-review", "--outdir", outdir], { SETUP_CONFIG: configFile(shippedConfig()) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^review: --base no-such-ref-for-review: unknown git ref \(no commit of that name in /);
    expect(result.stdout).toBe("");
    expect(existsSync(join(outdir, "review.md"))).toBe(false);
  });

  test("a --base-dir without stacks and a bad configuration exit 1", () => {
    const empty = tempDir("review-empty-");
    const outdir = join(tempDir("review-out-"), "cdktf.out");
    const noStacks = runInProcess(["--base-dir", empty, "--outdir", outdir], { SETUP_CONFIG: configFile(shippedConfig()) });
    expect(noStacks.status).toBe(1);
    expect(noStacks.stderr).toContain("no stacks/ folder there (expected a cdktf.out folder of an earlier synth)");
    const bad = runInProcess(["--outdir", outdir], { SETUP_CONFIG: configFile({ accounts: [] } as unknown as SetupConfigInput) });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("accounts: [] must list at least one account");
  });

  endToEnd("--base-dir end to end (node -r tsx/cjs scripts/review.ts): the changes, the plan, review.md", () => {
    const work = tempDir("review-e2e-");
    const baseDir = join(work, "base");
    synthesize({ configFile: configFile(shippedConfig()), outdir: baseDir });
    const outdir = join(work, "out");
    mkdirSync(join(outdir, "plans"), { recursive: true });
    const stack = JSON.parse(readFileSync(join(baseDir, "stacks", STACK, "cdk.tf.json"), "utf8"));
    writeFileSync(
      join(outdir, "plans", `${STACK}.plan.json`),
      JSON.stringify(fakePlan(addresses(stack, "resource").map((a): [string, string[]] => [a, a === KEY ? ["update"] : ["no-op"]]))),
    );
    const head = configFile(edit((c) => (c.accounts[0].adminUsers[0].accessKeys[0].status = "Inactive")));
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/review.ts", "--base-dir", baseDir, "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, SETUP_CONFIG: head, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.stderr).toContain(`review: wrote ${join(outdir, "review.md")}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(outdir, "review.md"), "utf8"));
    expect(result.stdout).toContain(`**1 stack, 8 resources, 3 warnings** · ${SOURCE_PLAN} · vs base: 0 added, 0 removed, 1 changed`);
    expect(result.stdout).toContain(`## Changes since \`${baseDir}\``);
    expect(result.stdout).toContain(
      [
        "```diff",
        `~ ${KEY}: status "Active" -> "Inactive"`,
        '~ output admin_users: user "incident-admin": access key "1": status "Active" -> "Inactive"',
        "```",
      ].join("\n"),
    );
    expect(result.stdout).toContain(`- Planned changes: 0 to import, 0 to add, 1 to change, 0 to destroy · ${SOURCE_PLAN}`);
    expect(row(result.stdout, KEY)).toContain("| update | key `1` of `incident-admin` · status Inactive ·");
  });

  endToEnd("--base HEAD end to end: the same configuration file on both sides", () => {
    const outdir = join(tempDir("review-head-"), "cdktf.out");
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/review.ts", "--base", "HEAD", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, SETUP_CONFIG: configFile(shippedConfig()), CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(result.stderr).toContain(`review: wrote ${join(outdir, "review.md")}`);
    expect(result.status).toBe(0);
    const short = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    expect(result.stdout).toContain(`## Changes since git \`HEAD\` (commit ${short})`);
    // The app's code in the working tree may differ from HEAD's while someone works on it; the
    // stacks are then allowed to differ. With the same code, nothing may change.
    const sameCode = spawnSync("git", ["diff", "--quiet", "HEAD", "--", "main.ts", "modules"], { cwd: ROOT }).status === 0;
    if (sameCode) {
      expect(result.stdout).toContain("· vs base: no changes");
      expect(result.stdout).toContain("No changes: the synthesized stacks are the same");
    }
  });
});

describe("npm run review --base <ref> without --", () => {
  test("npm's own --base config is given back to the command line", () => {
    expect(npmConfigArgs(["HEAD~1"], { npm_config_base: "true" })).toEqual(["--base", "HEAD~1"]);
    expect(npmConfigArgs(["old/cdktf.out"], { npm_config_base_dir: "true" })).toEqual(["--base-dir", "old/cdktf.out"]);
    expect(npmConfigArgs(["--base", "main"], { npm_config_base: "true" })).toEqual(["--base", "main"]);
    expect(npmConfigArgs(["HEAD~1"], {})).toEqual(["HEAD~1"]);
  });
});

describe("MFA opt-outs are visible in the review", () => {
  test("the group policy row names the users MFA is not required of", () => {
    const markdown = review(
      synth({
        accounts: [
          {
            name: "machines",
            region: "us-east-1",
            adminUsers: [{ name: "alice" }, { name: "deploy-bot", console: false, requireMfa: false }],
          },
        ],
      }),
    );
    expect(row(markdown, "aws_iam_group_policy.AdminGroup_EnforceMfa_B77715BF")).toContain(
      "without MFA, denies everything but setting up one's own password and MFA device (MFA enforced) · **MFA not required of** `deploy-bot`",
    );
  });
});

describe("body changes (microdiff, one line per changed attribute)", () => {
  test("a list of plain values changes as a whole; nested keys are paths; added blocks show their value", () => {
    const before = { groups: ["a", "b"], tags: { "cost center": "1" }, statement: [{ actions: ["iam:Get*"] }] };
    const after = {
      groups: ["a", "c"],
      tags: { "cost center": "2" },
      statement: [{ actions: ["iam:Get*", "iam:List*"] }],
      lifecycle: { ignore_changes: ["groups"] },
    };

    expect(bodyChanges(before, after)).toEqual([
      'groups ["a","b"] -> ["a","c"] (in lifecycle.ignore_changes: no effect on the existing resource)',
      'lifecycle (none) -> {"ignore_changes":["groups"]}',
      'statement[0].actions ["iam:Get*"] -> ["iam:Get*","iam:List*"]',
      'tags["cost center"] "1" -> "2"',
    ]);
  });

  test("hidden paths and secret-like attributes never show their values", () => {
    expect(bodyChanges({ secret_string: "abc" }, { secret_string: "abd" })).toEqual(["secret_string changed (value hidden)"]);
    expect(bodyChanges({ value: "x" }, { value: "y" }, () => true)).toEqual(["value changed (sensitive, not shown)"]);
    expect(bodyChanges({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
