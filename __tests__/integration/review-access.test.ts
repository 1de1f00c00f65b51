// npm run review: who administers which account, through IAM groups and IAM Identity Center, as
// a table and a Mermaid graph. The graph is parsed by Mermaid itself (the renderer GitHub uses).
import { spawnSync } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig } from "../../modules";
import {
  PlanJson,
  accessGraph,
  loadOutdir,
  mermaid,
  plannedAccessLosses,
  renderAccess,
  summarizeStack,
  renderMarkdown,
} from "../../scripts/review-lib";
import { identityCenterConfig, identityCenterExistingGroupConfig, shippedConfig } from "../support/configs";

/** The Identity Center example as it was before: carol in prod's IAM group too, and no bob in Identity Center. */
function baseOfExample(): SetupConfigInput {
  const config = identityCenterConfig() as any;
  config.accounts[0].adminUsers.push({ name: "carol", console: { passwordResetRequired: true }, accessKeys: [] });
  config.identityCenter.users = config.identityCenter.users.filter((u: any) => u.userName !== "bob");
  return config;
}

/** A configuration with one more account, "old", administered by its IAM user old-admin. */
function withOldAccount(input: SetupConfigInput): SetupConfigInput {
  const config = JSON.parse(JSON.stringify(input));
  config.accounts.push({
    name: "old",
    region: "us-east-1",
    accountId: "123456789012",
    adminUsers: [{ name: "old-admin", accessKeys: [] }],
  });
  return config;
}

function stacksOf(input: SetupConfigInput): Record<string, any> {
  const outdir = mkdtempSync(join(tmpdir(), "review-access-"));
  createApp(parseConfig(input), { outdir, skipValidation: true }).synth();
  return loadOutdir(outdir).stacks;
}

/** Mermaid's own parser, in a child process (Mermaid is ESM and needs a DOM: jsdom). */
function parseMermaid(lines: string[]): { status: number | null; out: string } {
  const text = lines.filter((l) => !l.startsWith("```")).join("\n");
  const run = spawnSync(process.execPath, [join(__dirname, "..", "support", "mermaid-parse.mjs")], { input: text, encoding: "utf8" });
  return { status: run.status, out: `${run.stdout}${run.stderr}`.trim() };
}

const example = stacksOf(identityCenterConfig());
const graph = accessGraph(example);

describe("who administers which account", () => {
  test("rows: the IAM group of each account with IAM users, the Identity Center assignment of each assigned account", () => {
    expect(graph.rows).toEqual([
      {
        account: "incident-manager-dev",
        through: "IAM Identity Center",
        via: "IncidentManagerAdministrators → AdministratorAccess",
        people: ["alice", "bob"],
        stack: "identity-center",
      },
      {
        account: "incident-manager-prod",
        through: "IAM Identity Center",
        via: "IncidentManagerAdministrators → AdministratorAccess",
        people: ["alice", "bob"],
        stack: "identity-center",
      },
      {
        account: "incident-manager-prod",
        through: "IAM group",
        via: "Administrators",
        people: ["break-glass"],
        stack: "incident-manager-prod",
        // What the access rests on: a retired stack that forgets all of it leaves the access in AWS.
        grants: {
          via: ["aws_iam_group.AdminGroup_CD52047A", "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0"],
          people: {
            "break-glass": [
              "aws_iam_user.AdminUser-break-glass_26B4BD35",
              "aws_iam_user_group_membership.AdminUser-break-glass_GroupMembership_846ECD4A",
            ],
          },
        },
      },
    ]);
    expect(graph.stacks).toEqual(["identity-center", "incident-manager-dev", "incident-manager-prod"]);
    expect([...graph.retired.keys()]).toEqual([]);
  });

  test("the graph: people → groups → permission set → accounts", () => {
    const label = (key: string) => graph.nodes.get(key)?.label;
    const edges = graph.edges.map((e) => `${label(e.from)} → ${label(e.to)}${e.label ? ` (${e.label})` : ""}`).sort();
    expect(edges).toEqual([
      "IAM group Administrators → account incident-manager-prod (111122223333) (AdministratorAccess)",
      "Identity Center group IncidentManagerAdministrators → permission set AdministratorAccess (PT4H)",
      "alice (Identity Center) → Identity Center group IncidentManagerAdministrators",
      "bob (Identity Center) → Identity Center group IncidentManagerAdministrators",
      "break-glass (IAM user) → IAM group Administrators",
      "permission set AdministratorAccess (PT4H) → account incident-manager-dev (444455556666) (AdministratorAccess)",
      "permission set AdministratorAccess (PT4H) → account incident-manager-prod (111122223333) (AdministratorAccess)",
    ]);
  });

  test("an existing group says its members come from the identity provider", () => {
    const existing = accessGraph(stacksOf(identityCenterExistingGroupConfig()));
    expect(existing.rows.map((r) => [r.account, r.via, r.people])).toEqual([
      ["dev", "aws-incident-admins → AdministratorAccess", ["(identity provider)"]],
      ["prod", "aws-incident-admins → AdministratorAccess", ["(identity provider)"]],
    ]);
    expect([...existing.nodes.values()].map((n) => n.label)).toContain("members managed by the identity provider");
  });

  test("Mermaid parses the graph, alone and with a base (added, removed and no longer managed highlighted)", () => {
    // The base: carol in prod's IAM group (removed since), no bob in Identity Center (added since),
    // and an account "old" that has left the configuration (no longer managed, not removed).
    const base = accessGraph(stacksOf(withOldAccount(baseOfExample())));
    expect(parseMermaid(mermaid(graph))).toEqual({ status: 0, out: "flowchart-v2" });
    const both = mermaid(graph, base);
    expect(parseMermaid(both)).toEqual({ status: 0, out: "flowchart-v2" });
    const ids = (kind: string) => {
      const line = both.find((l) => new RegExp(`^ {2}class .* ${kind}$`).test(l)) ?? "";
      return line.trim().split(" ")[1]?.split(",") ?? [];
    };
    const label = (id: string) => /"(.*)"/.exec(both.find((l) => l.startsWith(`  ${id}[`) || l.startsWith(`  ${id}(`)) ?? "")?.[1];
    expect(ids("added").map(label)).toEqual(["bob (Identity Center)"]);
    expect(ids("removed").map(label)).toEqual(["carol (IAM user)"]);
    expect(ids("unmanaged").map(label)).toEqual(["account old (123456789012)", "IAM group Administrators", "old-admin (IAM user)"]);
    expect(both.some((l) => l.includes(" -. ") || l.includes(" -.-> "))).toBe(true);
  });

  test("the check can fail: Mermaid rejects a broken graph", () => {
    const broken = [...mermaid(graph).slice(0, -1), '  n1 -- "x" --> ', "```"];
    expect(parseMermaid(broken).status).toBe(1);
  });

  test("with a base: who gains and who loses access, person by person", () => {
    const lines = renderAccess(graph, accessGraph(stacksOf(baseOfExample())));
    const changes = lines.filter((l) => l.startsWith("- "));
    expect(changes).toEqual([
      "- **gains** `incident-manager-dev`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`bob`)",
      "- **gains** `incident-manager-prod`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`bob`)",
      "- **loses** `incident-manager-prod`: IAM group `Administrators` (`carol`)",
    ]);
    expect(renderAccess(graph, graph)).toContain("No change in who administers which account.");
  });

  test("a stack that left the configuration is no longer managed, not a loss: nothing is destroyed", () => {
    // The shipped sample's stack incident-manager is not in the Identity Center example.
    const lines = renderAccess(graph, accessGraph(stacksOf(shippedConfig())));
    expect(lines).toContain(
      "- `incident-manager`: IAM group `Administrators` (`incident-admin`): stack `incident-manager` is no longer managed by this app " +
        "— nothing destroyed; retire it instead",
    );
    expect(lines.filter((l) => l.includes("**loses**"))).toEqual([]);
    expect(lines).toContain(
      "- **gains** `incident-manager-dev`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`alice`, `bob`)",
    );
  });

  test("the review has the section before the stacks, and the Identity Center stack's line", () => {
    const summaries = Object.entries(example).map(([name, json]) => summarizeStack(json, [], undefined, name));
    const markdown = renderMarkdown({ summaries, access: { head: graph } });
    expect(markdown.indexOf("## Who administers which account")).toBeLessThan(markdown.indexOf("## Stacks"));
    expect(markdown).toContain("| `incident-manager-prod` | IAM group | `Administrators` | `break-glass` |");
    expect(markdown).toContain(
      "- AdministratorAccess: permission set `AdministratorAccess` → Identity Center group `IncidentManagerAdministrators`, " +
        "in `incident-manager-dev (444455556666)`, `incident-manager-prod (111122223333)`",
    );
    expect(markdown).toContain(
      "| `aws_ssoadmin_permission_set.PermissionSet_236DCE1D` | permission set `AdministratorAccess` · sessions of PT4H |",
    );
  });
});

describe("accounts administered outside this app (existingAdministrators)", () => {
  const input = (): SetupConfigInput => ({
    accounts: [
      { name: "prod", region: "us-east-1", accountId: "123456789012", adminUsers: [{ name: "alice", accessKeys: [] }] },
      {
        name: "ext",
        region: "us-east-1",
        accountId: "210987654321",
        adminUsers: [],
        existingAdministrators: "Okta SAML role OrgAdmin",
      },
    ],
  });
  const stacks = stacksOf(input());
  const access = accessGraph(stacks);

  test("a row and a node say who administers the account, not nobody", () => {
    expect(access.rows.find((r) => r.account === "ext")).toEqual({
      account: "ext",
      through: "outside this app",
      via: "Okta SAML role OrgAdmin",
      people: [],
      stack: "ext",
    });
    const lines = renderAccess(access);
    expect(lines).toContain("| `ext` | outside this app | — | managed outside this app: Okta SAML role OrgAdmin |");
    expect(lines.some((l) => l.startsWith("| `ext`") && l.includes("nobody"))).toBe(false);
    expect(lines).toContain('  n5(["managed outside this app: Okta SAML role OrgAdmin"])');
    expect(lines).toContain('  n1[("account ext (210987654321)")]');
    expect(lines).toContain('  n5 -- "administers" --> n1');
    expect(parseMermaid(mermaid(access))).toEqual({ status: 0, out: "flowchart-v2" });
  });

  test("the stack's summary says so instead of 'no IAM group'", () => {
    const markdown = renderMarkdown({
      summaries: Object.entries(stacks).map(([name, json]) => summarizeStack(json, [], undefined, name)),
      access: { head: access },
    });
    expect(markdown).toContain("- AdministratorAccess: managed outside this app: Okta SAML role OrgAdmin");
    expect(markdown).not.toContain("- AdministratorAccess: no IAM group");
  });

  test("with a base: the IAM users the account had lose access; the text itself grants nothing", () => {
    const before = JSON.parse(JSON.stringify(input()));
    before.accounts[1].adminUsers = [{ name: "bob", accessKeys: [] }];
    delete before.accounts[1].existingAdministrators;
    const changes = renderAccess(access, accessGraph(stacksOf(before))).filter((l) => l.startsWith("- "));
    expect(changes).toEqual(["- **loses** `ext`: IAM group `Administrators` (`bob`)"]);
  });
});

describe("retired stacks: only what their plans destroy is lost", () => {
  const account = (extra: object = {}) => ({
    name: "prod",
    region: "us-east-1",
    accountId: "123456789012",
    adminGroup: { adopt: true },
    adminUsers: [
      { name: "alice", accessKeys: [] },
      { name: "bob", adopt: true, accessKeys: [] },
    ],
    ...extra,
  });
  const base = accessGraph(stacksOf({ accounts: [account()] }));
  const head = accessGraph(stacksOf({ accounts: [account({ retire: true })] }));

  test("a retired stack has no rows; it is listed as retired with what it forgets", () => {
    expect(head.rows).toEqual([]);
    expect([...head.retired.keys()]).toEqual(["prod"]);
    expect(head.retired.get("prod")).toContain("aws_iam_user.AdminUser-bob_E3C55712");
    expect(head.retired.get("prod")).not.toContain("aws_iam_user.AdminUser-alice_2BAECF2A");
  });

  test("people its plan destroys lose access; adopted people it forgets (group, attachment, user, membership) keep it", () => {
    const lines = renderAccess(head, base);
    expect(lines.filter((l) => l.startsWith("- "))).toEqual([
      "- **loses** `prod`: IAM group `Administrators` (`alice`) (stack `prod` is retired: its plan destroys them)",
      "- `prod`: IAM group `Administrators` (`bob`): keep access — the retired stack `prod` forgets them " +
        "(adopted: they stay in AWS, no longer managed by this app)",
    ]);
    expect(lines).toContain("Retired (their plans destroy what the app made there): `prod`");
    const graphLines = mermaid(head, base);
    expect(parseMermaid(graphLines)).toEqual({ status: 0, out: "flowchart-v2" });
    const classOf = (kind: string) => graphLines.find((l) => l.endsWith(` ${kind}`)) ?? "";
    // alice's node is removed; bob's, forgotten, is only no longer managed.
    const id = (label: string) => /^ {2}(n\d+)/.exec(graphLines.find((l) => l.includes(`"${label}"`)) ?? "")?.[1];
    expect(classOf("removed").split(" ")[3].split(",")).toContain(id("alice (IAM user)"));
    expect(classOf("unmanaged").split(" ")[3].split(",")).toContain(id("bob (IAM user)"));
  });

  test("a created group is destroyed with the retired stack: everyone in it loses access, adopted users too", () => {
    const created = (extra: object = {}) => ({ ...account(extra), adminGroup: { name: "Administrators" } });
    const lines = renderAccess(
      accessGraph(stacksOf({ accounts: [created({ retire: true })] })),
      accessGraph(stacksOf({ accounts: [created()] })),
    );
    expect(lines.filter((l) => l.startsWith("- "))).toEqual([
      "- **loses** `prod`: IAM group `Administrators` (`alice`, `bob`) (stack `prod` is retired: its plan destroys them)",
    ]);
  });

  test("a retired Identity Center: every assigned account loses its assignment", () => {
    const retired = identityCenterConfig() as any;
    retired.identityCenter.retire = true;
    retired.accounts[1].existingAdministrators = "Okta SAML role OrgAdmin";
    const lines = renderAccess(accessGraph(stacksOf(retired)), graph);
    expect(lines.filter((l) => l.startsWith("- "))).toEqual([
      "- **loses** `incident-manager-dev`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`alice`, `bob`) " +
        "(stack `identity-center` is retired: its plan destroys them)",
      "- **loses** `incident-manager-prod`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`alice`, `bob`) " +
        "(stack `identity-center` is retired: its plan destroys them)",
    ]);
  });
});

describe("access the offline plans take away", () => {
  const change = (address: string, actions: string[], before: object = {}) => ({
    address,
    type: address.split(".")[0],
    mode: "managed",
    change: { actions, before },
  });
  const plans: Record<string, PlanJson> = {
    prod: {
      resource_changes: [
        change("aws_iam_user.AdminUser-alice_2BAECF2A", ["delete"], { name: "alice" }),
        // alice's membership goes with her: one line for her
        change("aws_iam_user_group_membership.AdminUser-alice_GroupMembership_01F6312D", ["delete"], { user: "alice", groups: ["Admins"] }),
        change("aws_iam_user_group_membership.AdminUser-bob_GroupMembership_508F5098", ["delete"], { user: "bob", groups: ["Admins"] }),
        change("aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0", ["delete"], {
          group: "Admins",
          policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
        // not losses: a forgotten user stays in AWS, a replaced one is made again, another policy is not AdministratorAccess
        change("aws_iam_user.AdminUser-carol_1", ["forget"], { name: "carol" }),
        change("aws_iam_user.AdminUser-dave_1", ["delete", "create"], { name: "dave" }),
        change("aws_iam_group_policy_attachment.Other", ["delete"], {
          group: "Admins",
          policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        }),
      ],
    },
    "identity-center": {
      resource_changes: [
        change("aws_identitystore_user.User-bob_1", ["delete"], { user_name: "bob" }),
        change("aws_ssoadmin_account_assignment.Assignment-dev_1", ["delete"], { target_id: "444455556666" }),
      ],
    },
    empty: { resource_changes: [] },
  };

  test("one line per destroyed user, membership, AdministratorAccess attachment and assignment", () => {
    expect(plannedAccessLosses(plans)).toEqual([
      "- **loses** `identity-center`: Identity Center user `bob` (the plan destroys `aws_identitystore_user.User-bob_1`)",
      "- **loses** account `444455556666`: the permission set assignment (the plan destroys `aws_ssoadmin_account_assignment.Assignment-dev_1`)",
      "- **loses** `prod`: IAM user `alice` (the plan destroys `aws_iam_user.AdminUser-alice_2BAECF2A`)",
      "- **loses** `prod`: IAM user `bob` leaves 1 group `Admins` (the plan destroys `aws_iam_user_group_membership.AdminUser-bob_GroupMembership_508F5098`)",
      "- **loses** `prod`: IAM group `Admins` loses AdministratorAccess " +
        "(the plan destroys `aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0`)",
    ]);
  });

  test("the section lists them, with or without a base", () => {
    const planned = plannedAccessLosses({ prod: plans.prod });
    const lines = renderAccess(graph, undefined, planned);
    expect(
      lines.slice(lines.indexOf("The offline plans take access away:"), lines.indexOf("The offline plans take access away:") + 3),
    ).toEqual(["The offline plans take access away:", "", planned[0]]);
    const nobody = renderAccess(accessGraph({}), undefined, planned);
    expect(nobody).toContain("Nobody gets AdministratorAccess through these stacks.");
    expect(nobody).toContain(planned[0]);
    expect(renderAccess(graph, undefined, [])).not.toContain("The offline plans take access away:");
  });
});
