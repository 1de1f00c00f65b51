// npm run review: who administers which account, through IAM groups and IAM Identity Center, as
// a table and a Mermaid graph. The graph is parsed by Mermaid itself (the renderer GitHub uses).
import { spawnSync } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, createApp, parseConfig } from "../modules";
import { accessGraph, loadOutdir, mermaid, renderAccess, summarizeStack, renderMarkdown } from "../scripts/review-lib";
import { identityCenterConfig, identityCenterExistingGroupConfig, shippedConfig } from "./support/configs";

function stacksOf(input: SetupConfigInput): Record<string, any> {
  const outdir = mkdtempSync(join(tmpdir(), "review-access-"));
  createApp(parseConfig(input), { outdir, skipValidation: true }).synth();
  return loadOutdir(outdir).stacks;
}

/** Mermaid's own parser, in a child process (Mermaid is ESM and needs a DOM: jsdom). */
function parseMermaid(lines: string[]): { status: number | null; out: string } {
  const text = lines.filter((l) => !l.startsWith("```")).join("\n");
  const run = spawnSync(process.execPath, [join(__dirname, "support", "mermaid-parse.mjs")], { input: text, encoding: "utf8" });
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
      },
      {
        account: "incident-manager-prod",
        through: "IAM Identity Center",
        via: "IncidentManagerAdministrators → AdministratorAccess",
        people: ["alice", "bob"],
      },
      { account: "incident-manager-prod", through: "IAM group", via: "Administrators", people: ["break-glass"] },
    ]);
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

  test("Mermaid parses the graph, alone and with a base (added and removed highlighted)", () => {
    const base = accessGraph(stacksOf(shippedConfig()));
    expect(parseMermaid(mermaid(graph))).toEqual({ status: 0, out: "flowchart-v2" });
    const both = mermaid(graph, base);
    expect(parseMermaid(both)).toEqual({ status: 0, out: "flowchart-v2" });
    expect(both.some((l) => /^ {2}class .* added$/.test(l))).toBe(true);
    expect(both.some((l) => /^ {2}class .* removed$/.test(l))).toBe(true);
    expect(both.some((l) => l.includes(" -. ") || l.includes(" -.-> "))).toBe(true);
  });

  test("the check can fail: Mermaid rejects a broken graph", () => {
    const broken = [...mermaid(graph).slice(0, -1), '  n1 -- "x" --> ', "```"];
    expect(parseMermaid(broken).status).toBe(1);
  });

  test("with a base: who gains and who loses access, by account", () => {
    const base = accessGraph(stacksOf(shippedConfig()));
    const lines = renderAccess(graph, base);
    expect(lines).toContain(
      "- **gains** `incident-manager-dev`: IAM Identity Center `IncidentManagerAdministrators → AdministratorAccess` (`alice`, `bob`)",
    );
    expect(lines).toContain("- **loses** `incident-manager`: IAM group `Administrators` (`incident-admin`)");
    expect(renderAccess(graph, graph)).toContain("No change in who administers which account.");
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
