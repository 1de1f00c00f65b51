// `npm run review`: the Markdown a reviewer pastes into a pull request. The summaries and the
// comparisons run on real synthesized stacks (createApp(...).synth() into a temp folder); the
// command runs in this process. The command as a process, and the review of real offline plans,
// are in integration/review-e2e.test.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { SetupConfigInput } from "../../modules";
import {
  PlanJson,
  adminModel,
  countPlannedChanges,
  diffOutputs,
  diffStacks,
  loadPlan,
  planProblem,
  plannedAction,
  renderMarkdown,
  summarizeStack,
} from "../../scripts/review-lib";
import { npmConfigArgs, parseArgs } from "../../scripts/review";
import { bodyChanges } from "../../scripts/review/helpers";
import { PGP_KEY, accountsConfig, fullConfig, organizationConfig, shippedConfig } from "../support/configs";
import {
  KEY,
  ROLE,
  ROLES_LOOKUP,
  SOURCE_PLAN,
  SOURCE_SYNTH,
  STACK,
  addresses,
  configFile,
  edit,
  fakePlan,
  review,
  row,
  runInProcess,
  synth,
  synthFile,
  tempDir,
} from "../support/review";

describe("summary of the shipped configuration", () => {
  const head = synth(shippedConfig());
  const stack = head.stacks[STACK];
  const markdown = review(head);

  test("a top summary line: stacks, resources, warnings and the source", () => {
    // Warnings that need action only: the notes (deviations the guide asks for) are listed apart.
    const warnings = head.warnings.filter((w) => w.kind === "action").length;
    expect(markdown.split("\n")[2]).toBe(`**1 stack, 8 resources, ${warnings} warnings** · ${SOURCE_SYNTH}`);
    // The sample pins AWS's example account id 111122223333: a fourth warning, example-account-id.
    expect(warnings).toBe(4);
  });

  test("a heading per stack with region, account and backend", () => {
    expect(markdown).toContain(
      [
        "### `incident-manager` (us-east-1, account 111122223333)",
        "",
        "- Account: `111122223333` (allowed_account_ids)",
        "- Backend: local `terraform.incident-manager.tfstate`",
        "- AdministratorAccess: group `Administrators`, members `incident-admin` · MFA enforced: yes",
        `- Incident Manager service-linked role: auto (imported when the account has it, else created; \`${ROLES_LOOKUP}\` looks it up)`,
        `- Planned changes: not known · ${SOURCE_SYNTH}`,
      ].join("\n"),
    );
  });

  test("lists every resource address, and the role lookup of auto mode, sorted, in the table", () => {
    const all = addresses(stack, "resource");
    expect(all).toHaveLength(8);
    // Of the data sources, only the lookup that decides the role's import is worth a row (the others only feed blocks).
    expect(addresses(stack, "data").sort()).toEqual([
      "data.aws_caller_identity.CallerIdentity",
      "data.aws_iam_policy_document.AdminGroup_MfaPolicyDocument_C83F6FD2",
      ROLES_LOOKUP,
      "data.aws_partition.Partition",
    ]);
    const rows = markdown.split("\n").filter((line) => line.startsWith("| `"));
    expect(rows.map((r) => r.split("`")[1])).toEqual([...all, ROLES_LOOKUP].sort());
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
      `| \`${ROLE}\` | service-linked role for \`ssm-incidents.amazonaws.com\` · mode: **auto** (imported when \`${ROLES_LOOKUP}\` ` +
        "finds it in the account, else created) · prevent_destroy |",
    );
    expect(row(markdown, ROLES_LOOKUP)).toBe(
      `| \`${ROLES_LOOKUP}\` | roles under path \`/aws-service-role/ssm-incidents.amazonaws.com/\` (read) · decides the import of ` +
        `\`${ROLE}\`: imported when it lists one, else created |`,
    );
  });

  test("lists the outputs by name, sensitive ones marked, without values", () => {
    expect(markdown).toContain("`admin_user_secrets` (sensitive)");
    expect(markdown).toContain("`admin_users`,");
    expect(markdown).not.toContain("${aws_");
  });

  test("ends with the stack's synth warnings, each one", () => {
    // The four that need action; the guide's own deviations as notes, apart.
    expect(markdown).toContain("<details><summary>4 synth warnings</summary>");
    expect(markdown).toContain("<details><summary>3 notes on deviations the guide asks for</summary>");
    expect(head.warnings.map((w) => [w.kind, w.message.slice(w.message.lastIndexOf("["))]).sort()).toEqual([
      ["action", "[example-account-id]"],
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
    expect(summary.warnings).toHaveLength(7);
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
    expect(markdown).toContain(
      "- **`workloads-dev` removed** (10 resources): no longer managed by this app — nothing destroyed (what it made stays in AWS, " +
        'unmanaged); retire it instead ("retire": true, apply its plan, then delete the entry)',
    );
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
    expect(markdown.split("\n")[2]).toBe(`**1 stack, 8 resources, 4 warnings** · ${SOURCE_PLAN}`);
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

  test("a plan that gives a synthesized literal another value is called old; references and values unknown or hidden are not compared", () => {
    const group = "aws_iam_group.AdminGroup_CD52047A";
    const LOGIN_PROFILE = "aws_iam_user_login_profile.AdminUser-incident-admin_LoginProfile_387F4A5B";
    const plan = fakePlan(managed.map((a): [string, string[]] => [a, ["create"]]));
    const withAfter = (address: string, change: object) => {
      const rc = plan.resource_changes!.find((c) => c.address === address)!;
      Object.assign(rc.change!, change);
    };
    // The stack sets the key's status to "Active" and its user by reference; the group's name and path are literals.
    withAfter(KEY, { after: { status: "Inactive", user: "someone-else" } });
    withAfter(group, { after: { name: "Other", path: "/" }, after_unknown: { name: true } });
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown.split("\n").filter((l) => l.includes("older than the configuration"))).toEqual([
      `- Note: the plan is older than the configuration: it plans other values for \`${KEY}\` (status) (run npm run plan:offline again)`,
    ]);
    withAfter(KEY, { after: { status: "Inactive" }, after_sensitive: { status: true } });
    withAfter(group, { after: { name: "Administrators", path: "/" }, after_unknown: {} });
    // The login profile ignores changes to password_reset_required: a user who reset the password since keeps false.
    withAfter(LOGIN_PROFILE, { after: { password_reset_required: false, password_length: 20 } });
    expect(review(head, { plans: { [STACK]: plan } })).not.toContain("older than the configuration");
  });

  test("blocks and maps are compared for what the stack sets: an email or a tag changed after the plan is called old", () => {
    const stack = (email: string, tags: Record<string, string>) => ({
      resource: {
        aws_iam_user: { u: { name: "alice", tags } },
        // cdktf writes a block of one as an object; the plan has a list.
        aws_identitystore_user: { i: { display_name: "Alice", emails: { value: email, primary: true } } },
      },
    });
    // What the plan holds: the defaults too (path, type), and a list the provider computes in part.
    const plan = fakePlan([
      ["aws_iam_user.u", ["create"]],
      ["aws_identitystore_user.i", ["create"]],
    ]);
    Object.assign(plan.resource_changes![0].change!, { after: { name: "alice", path: "/", tags: { team: "ops" } } });
    Object.assign(plan.resource_changes![1].change!, {
      after: { display_name: "Alice", emails: [{ value: "a@example.com", primary: true, type: null }] },
      after_unknown: { emails: [{}] },
    });
    const stale = (json: ReturnType<typeof stack>) => summarizeStack(json as Record<string, unknown>, [], plan, "s").plannedOtherwise;
    expect(stale(stack("a@example.com", { team: "ops" }))).toEqual([]);
    expect(stale(stack("alice@example.com", { team: "ops", cost: "1" }))).toEqual([
      { address: "aws_iam_user.u", arguments: ["tags"] },
      { address: "aws_identitystore_user.i", arguments: ["emails"] },
    ]);
    // A list the plan does not fully know yet is not compared.
    Object.assign(plan.resource_changes![1].change!, { after_unknown: { emails: [{ value: true }] } });
    expect(stale(stack("alice@example.com", { team: "ops" }))).toEqual([]);
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

  test("usage errors exit 2", () => {
    const result = runInProcess(["--base", "HEAD", "--base-dir", "x"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("review: give --base or --base-dir, not both");
    expect(result.stderr).toContain("usage: npm run review");
  });

  test("another run holds the output folder: the review stops naming it, writes nothing, and leaves the lock alone", () => {
    const outdir = join(tempDir("review-busy-"), "cdktf.out");
    const lock = `${outdir}.lock`;
    const holder = JSON.stringify({ pid: process.ppid, started: "2026-12-06T00:00:00.000Z" }) + "\n";
    writeFileSync(lock, holder);
    const result = runInProcess(["--outdir", outdir], { SETUP_CONFIG: configFile(shippedConfig()) });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `review: cdktf.out is being written by another run (pid ${process.ppid}, since 2026-12-06T00:00:00.000Z): wait for it, or stop it; cdktf.out.lock is removed when it ends`,
    );
    expect(existsSync(join(outdir, "review.md"))).toBe(false);
    expect(readFileSync(lock, "utf8")).toBe(holder);
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

describe("acknowledged warnings, with their reasons", () => {
  const REASON = "first bootstrap only: the password is changed at first sign-in";
  const head = synthFile(edit((c) => (c.acknowledge = [{ id: "plaintext-password-in-state", reason: REASON }])));
  const markdown = review(head);

  test("each acknowledged warning is listed with the reason the configuration gives", () => {
    const acknowledged = head.warnings.filter((w) => w.kind === "acknowledged");
    expect(acknowledged.map((w) => w.reason)).toEqual([REASON]);
    expect(markdown).toContain("<details><summary>1 acknowledged warning (the configuration's acknowledge)</summary>");
    expect(markdown).toContain(
      "- acknowledged: `AdminUser-incident-admin`: adminUsers[0] (incident-admin): the initial console password will be stored in " +
        "plain text in the Terraform state (a sensitive output hides it, but anyone who can read the state can read it). Set " +
        `console.pgpKey to keep only an encrypted password in the state. [plaintext-password-in-state] — reason: ${REASON}`,
    );
  });

  test("an acknowledged warning no longer counts as one that needs action", () => {
    expect(markdown.split("\n")[2]).toBe(`**1 stack, 8 resources, 3 warnings** · ${SOURCE_SYNTH}`);
    expect(markdown).toContain("<details><summary>3 synth warnings</summary>");
  });
});

describe("warnings of no stack", () => {
  test("a stack no longer configured and a stale acknowledgement are listed before the stacks, and counted", () => {
    const outdir = join(tempDir("review-other-"), "cdktf.out");
    const two = edit((c) => c.accounts.push({ ...c.accounts[0], name: "old", accountId: "123456789012" }));
    expect(runInProcess(["--outdir", outdir], { SETUP_CONFIG: configFile(two) }).status).toBe(0);
    const stale = edit((c) => (c.acknowledge = [{ id: "mfa-exempt-user", reason: "deploy-bot has no console and rotates keys" }]));
    const result = runInProcess(["--outdir", outdir], { SETUP_CONFIG: configFile(stale) });
    expect(result.status).toBe(0);
    const section = result.stdout.slice(
      result.stdout.indexOf("## Warnings of the configuration (no stack)"),
      result.stdout.indexOf("## Who administers which account"),
    );
    expect(section.split("\n").filter((l) => l.startsWith("- "))).toEqual([
      expect.stringMatching(
        /^- acknowledge\[0\]: "mfa-exempt-user" matches no warning of this configuration any more: .*\[stale-acknowledgement\]$/,
      ),
      // Each run wrote its configuration to a file of its own: the folder was filled from another one.
      expect.stringMatching(/^- cdktf\.out was last synthesized from .* and replaces the stacks they share\..*\[config-file-changed\]$/),
      expect.stringMatching(/^- stack old was synthesized before and is no longer in the configuration: .*\[stack-removed\]$/),
    ]);
    // 4 of the stack incident-manager, and those 3.
    expect(result.stdout.split("\n")[2]).toBe(`**1 stack, 8 resources, 7 warnings** · ${SOURCE_SYNTH}`);
  });
});

describe("retired stacks", () => {
  const ALICE = "aws_iam_user.AdminUser-alice_2BAECF2A";
  const account = (extra: object = {}) => ({
    name: "prod",
    region: "us-east-1",
    accountId: "123456789012",
    adminUsers: [{ name: "alice", accessKeys: [] }],
    ...extra,
  });
  const base = synth({ accounts: [account()] });
  const head = synth({ accounts: [account({ retire: true })] });

  test("described as retired: the plan destroys what the app made, and forgets the role", () => {
    const markdown = review(head);
    expect(markdown.split("\n")[2]).toBe(`**1 stack (1 retired), 0 resources, 1 warning** · ${SOURCE_SYNTH}`);
    expect(markdown).toContain(
      [
        "- Backend: local `terraform.prod.tfstate`",
        `- **Retired**: plan destroys what the app made; forgets: \`${ROLE}\` (they stay in AWS, no longer managed)`,
        `- Incident Manager service-linked role: forgotten (\`${ROLE}\`: a removed block, the role stays in AWS, no longer managed)`,
        `- Planned changes: not known · ${SOURCE_SYNTH}`,
      ].join("\n"),
    );
    expect(markdown).not.toContain("no IAM group");
    expect(row(markdown, ROLE)).toBe(
      `| \`${ROLE}\` | \`removed\` block (lifecycle.destroy = false): Terraform forgets it, it stays in AWS, no longer managed |`,
    );
    expect(summarizeStack(head.stacks.prod, head.warnings, undefined, "prod").retired).toEqual({ forgets: [ROLE] });
    expect(summarizeStack(base.stacks.prod, base.warnings, undefined, "prod").retired).toBeUndefined();
  });

  test("with its plan: destroy what the app made, forget the role (not a destroy)", () => {
    const plan = fakePlan([
      [ROLE, ["forget"]],
      [ALICE, ["delete"]],
      ["aws_iam_group.AdminGroup_CD52047A", ["delete"]],
    ]);
    const markdown = review(head, { plans: { prod: plan } });
    expect(markdown).toContain("- Planned changes: 0 to import, 0 to add, 0 to change, 2 to destroy");
    expect(markdown).toContain(`- To destroy (the stack is retired): \`aws_iam_group.AdminGroup_CD52047A\`, \`${ALICE}\``);
    expect(markdown).not.toContain("To forget");
    expect(row(markdown, ROLE)).toMatch(/^\| `[^`]+` \| forget \(stays in AWS\) \| `removed` block/);
  });

  test("compared with the base: the stack is retired, the role forgotten rather than deleted", () => {
    const markdown = review(head, { base });
    // 7 resources, 4 data sources, the root check and the role's import block.
    expect(markdown).toContain(
      "### `prod` **retired** (its plan destroys what the app made): 0 added, 13 removed, 0 changed, 6 output changes",
    );
    expect(diffStacks(base.stacks.prod, head.stacks.prod)).toEqual(
      expect.arrayContaining([
        `- ${ROLE} (forgotten: a removed block leaves it in AWS, no longer managed)`,
        `- ${ALICE}`,
        `+ removed ${ROLE}`,
      ]),
    );
  });

  test("a retired stack with nothing in its state: its plan has no resource_changes, and that is 0 changes", () => {
    const outdir = join(tempDir("review-retired-"), "cdktf.out");
    mkdirSync(join(outdir, "plans"), { recursive: true });
    // What terraform show -json writes for a configuration and a state without managed resources.
    writeFileSync(join(outdir, "plans", "prod.plan.json"), JSON.stringify({ format_version: "1.2", terraform_version: "1.9.8" }));
    const result = runInProcess(["--outdir", outdir], { SETUP_CONFIG: configFile({ accounts: [account({ retire: true })] }) });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain("ignoring the plan");
    expect(result.stdout).toContain(`- Planned changes: 0 to import, 0 to add, 0 to change, 0 to destroy · ${SOURCE_PLAN}`);
    expect(row(result.stdout, ROLE)).toContain("| not in the state (nothing to forget) |");
    expect(result.stdout).not.toContain("not known");
  });
});

describe("plans: forget, unknown actions, no resource_changes", () => {
  const head = synth(shippedConfig());

  test("Terraform's actions in the review's words; forget is not a delete; an unknown one is shown as it is", () => {
    expect(plannedAction({ actions: ["forget"] })).toBe("forget (stays in AWS)");
    expect(plannedAction({ actions: ["create", "forget"] })).toBe("create, and forget the old one (stays in AWS)");
    expect(plannedAction({ actions: ["delete"] })).toBe("destroy");
    expect(plannedAction({ actions: ["no-op"] })).toBe("no change");
    expect(plannedAction({ actions: [] })).toBe("no change");
    expect(plannedAction({ actions: ["no-op"], importing: { id: "x" } })).toBe("import");
    expect(plannedAction({ actions: ["archive"] })).toBe("unknown action [archive] (see the plan)");
    expect(plannedAction({ actions: ["delete", "archive"] })).toBe("unknown action [delete, archive] (see the plan)");
  });

  test("a resource the plan forgets that the stack does not list is named apart from those it destroys", () => {
    const managed = addresses(head.stacks[STACK], "resource");
    const plan = fakePlan([...managed.map((a): [string, string[]] => [a, ["no-op"]]), ["aws_iam_user.AdminUser-old_12345678", ["forget"]]]);
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown).toContain("- Planned changes: 0 to import, 0 to add, 0 to change, 0 to destroy");
    expect(markdown).toContain("- To forget (stays in AWS, no longer managed): `aws_iam_user.AdminUser-old_12345678`");
    expect(markdown).not.toContain("- To destroy");
  });

  test("a plan without resource_changes is read as a plan of no change; what is not a plan is refused", () => {
    const outdir = tempDir("review-plans-");
    mkdirSync(join(outdir, "plans"));
    const write = (name: string, doc: unknown) => writeFileSync(join(outdir, "plans", `${name}.plan.json`), JSON.stringify(doc));
    write("data-only", { format_version: "1.2", terraform_version: "1.9.8", planned_values: { root_module: {} } });
    write("not-a-plan", { hello: "world" });
    write("bad-changes", { format_version: "1.2", resource_changes: {} });
    const plan = loadPlan(outdir, "data-only");
    expect(plan).toBeDefined();
    expect(countPlannedChanges(plan!)).toEqual({ import: 0, add: 0, change: 0, destroy: 0 });
    expect(planProblem([])).toBe("not a JSON object");
    expect(() => loadPlan(outdir, "not-a-plan")).toThrow(
      "is not a terraform show -json plan (neither resource_changes nor format_version)",
    );
    expect(() => loadPlan(outdir, "bad-changes")).toThrow("is not a terraform show -json plan (resource_changes is not a list)");
    expect(loadPlan(outdir, "absent")).toBeUndefined();
  });
});

describe("force_destroy on IAM users, from the plan's values before and after", () => {
  const head = synth(shippedConfig());
  const USER = "aws_iam_user.AdminUser-incident-admin_D23EE31F";
  const BOB = "aws_iam_user.AdminUser-bob_E3C55712";
  const managed = addresses(head.stacks[STACK], "resource");
  const userChange = (address: string, actions: string[], before: object | null, after: object | null) => ({
    address,
    type: "aws_iam_user",
    mode: "managed",
    change: { actions, before, after },
  });
  const planWith = (...changes: object[]): PlanJson => ({
    resource_changes: [
      ...fakePlan(managed.filter((a) => a !== USER).map((a): [string, string[]] => [a, ["no-op"]])).resource_changes!,
      ...(changes as PlanJson["resource_changes"] & object[]),
    ],
  });

  test("a user deployed before force_destroy: set it with one apply before removing anyone", () => {
    const plan = planWith(
      userChange(USER, ["update"], { name: "incident-admin", force_destroy: false }, { name: "incident-admin", force_destroy: true }),
    );
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown).toContain(
      "- Note: force_destroy set on 1 user (`incident-admin`): apply this once before removing any of them " +
        "(the provider reads force_destroy from the state when it deletes)",
    );
    expect(row(markdown, USER)).toMatch(/^\| `[^`]+` \| update \| IAM user `incident-admin`/);
  });

  test("a user deleted with force_destroy false in its state: flagged, it will fail with DeleteConflict", () => {
    const plan = planWith(
      userChange(USER, ["no-op"], { name: "incident-admin", force_destroy: true }, { name: "incident-admin", force_destroy: true }),
      userChange(BOB, ["delete"], { name: "bob", force_destroy: false }, null),
    );
    const markdown = review(head, { plans: { [STACK]: plan } });
    expect(markdown).toContain(
      `- Note: **\`${BOB}\`** (\`bob\`) is deleted with force_destroy false in its state: the delete will fail with DeleteConflict ` +
        "if the user has an MFA device, login profile or keys not managed here: apply force_destroy first (an apply of this " +
        "version with the user still configured), then remove the user",
    );
    expect(markdown).not.toContain("force_destroy set on");
  });

  test("no note when the state has force_destroy already, or the plan has no values", () => {
    for (const plan of [
      planWith(
        userChange(USER, ["no-op"], { force_destroy: true }, { force_destroy: true }),
        userChange(BOB, ["delete"], { force_destroy: true }, null),
      ),
      planWith(
        ...fakePlan([
          [USER, ["update"]],
          [BOB, ["delete"]],
        ]).resource_changes!,
      ),
    ]) {
      expect(review(head, { plans: { [STACK]: plan } })).not.toMatch(/force_destroy (set on|false)/);
    }
  });
});
