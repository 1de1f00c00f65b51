// Who gets AdministratorAccess in which account, through which path: IAM groups in the account
// stacks, and the Identity Center permission set assigned from the Identity Center stack. Read
// from what the stacks record (the account stacks' admin outputs and group resources; the
// Identity Center stack's outputs), drawn as a table and as a Mermaid graph (GitHub renders it in
// a pull request comment); with a base, what the change adds or removes is highlighted. Part of
// npm run review; scripts/review-lib.ts re-exports the public API.
import { IDENTITY_CENTER_OUTPUTS } from "../../modules/identity-center-stack";
import { arr, code, compare, obj, sorted, str } from "./helpers";
import { StackView, parseRef } from "./read";
import { Json } from "./types";

export type AccessNodeKind = "person" | "group" | "permission-set" | "account";

export interface AccessNode {
  /** Stable key, e.g. `account:prod`, `iam-group:prod:Administrators`, `ic-user:alice`. */
  readonly key: string;
  readonly label: string;
  readonly kind: AccessNodeKind;
}

export interface AccessEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** One row of the table: who administers an account, and through what. */
export interface AccessRow {
  readonly account: string;
  readonly through: "IAM group" | "IAM Identity Center";
  /** The IAM group, or the Identity Center group and permission set. */
  readonly via: string;
  readonly people: readonly string[];
}

export interface AccessGraph {
  readonly nodes: ReadonlyMap<string, AccessNode>;
  readonly edges: readonly AccessEdge[];
  readonly rows: readonly AccessRow[];
}

const O = IDENTITY_CENTER_OUTPUTS;

/** Whether a stack is an Identity Center stack (it has the assigned_accounts output). */
export function isIdentityCenterStack(stack: Json): boolean {
  return obj(stack.output)[O.assignedAccounts] !== undefined;
}

/** The access of every stack of one synth (stacks by name). */
export function accessGraph(stacks: Readonly<Record<string, Json>>): AccessGraph {
  const nodes = new Map<string, AccessNode>();
  const edges: AccessEdge[] = [];
  const rows: AccessRow[] = [];
  const node = (key: string, label: string, kind: AccessNodeKind) => {
    if (!nodes.has(key)) nodes.set(key, { key, label, kind });
    return key;
  };
  const accountIds = new Map<string, string>();
  for (const [name, stack] of Object.entries(stacks)) {
    const ids = arr(obj(arr(obj(stack.provider).aws)[0]).allowed_account_ids).map(String);
    if (!isIdentityCenterStack(stack) && ids.length > 0) accountIds.set(name, ids.join(", "));
  }
  const account = (name: string, id?: string) =>
    node(`account:${name}`, `account ${name}${(id ?? accountIds.get(name)) ? ` (${id ?? accountIds.get(name)})` : ""}`, "account");

  for (const [name, stack] of Object.entries(stacks)) {
    if (isIdentityCenterStack(stack)) continue;
    const view = new StackView(stack);
    const group = view.model.group ? view.block(view.model.group) : undefined;
    const admin = view
      .ofType("aws_iam_group_policy_attachment")
      .some(
        (a) => view.groupAddressOf(a.body.group) === view.model.group && /:policy\/AdministratorAccess$/.test(String(a.body.policy_arn)),
      );
    if (!group || !admin) continue;
    const groupName = String(group.body.name);
    const groupKey = node(`iam-group:${name}:${groupName}`, `IAM group ${groupName}`, "group");
    edges.push({ from: groupKey, to: account(name), label: "AdministratorAccess" });
    const people = view.model.users.map((u) => u.name);
    for (const person of people) edges.push({ from: node(`iam-user:${name}:${person}`, `${person} (IAM user)`, "person"), to: groupKey });
    rows.push({ account: name, through: "IAM group", via: groupName, people });
  }

  for (const stack of Object.values(stacks).filter(isIdentityCenterStack)) {
    const outputs = obj(stack.output);
    const value = (key: string) => obj(outputs[key]).value;
    const view = new StackView(stack);
    const permissionSet = str(value(O.permissionSetName)) ?? "?";
    const duration = str(view.ofType("aws_ssoadmin_permission_set")[0]?.body.session_duration) ?? "PT1H";
    const groupAddress = parseRef(value(O.groupId))?.[0];
    const groupBlock = groupAddress ? view.block(groupAddress) : undefined;
    const existing = groupBlock?.data === true;
    const groupName = view.nameOf(value(O.groupId));
    const groupKey = node(`ic-group:${groupName}`, `Identity Center group ${groupName}${existing ? " (existing)" : ""}`, "group");
    const psKey = node(`permission-set:${permissionSet}`, `permission set ${permissionSet} (${duration})`, "permission-set");
    edges.push({ from: groupKey, to: psKey });
    const people = Object.keys(obj(value(O.users)));
    for (const person of people) edges.push({ from: node(`ic-user:${person}`, `${person} (Identity Center)`, "person"), to: groupKey });
    if (existing) {
      edges.push({ from: node(`idp:${groupName}`, "members managed by the identity provider", "person"), to: groupKey });
    }
    for (const [name, id] of Object.entries(obj(value(O.assignedAccounts)))) {
      edges.push({ from: psKey, to: account(name, String(id)), label: "AdministratorAccess" });
      rows.push({
        account: name,
        through: "IAM Identity Center",
        via: `${groupName} → ${permissionSet}`,
        people: existing ? [...people, "(identity provider)"] : people,
      });
    }
  }
  rows.sort((a, b) => compare(a.account, b.account) || compare(a.through, b.through));
  return { nodes, edges, rows };
}

const edgeKey = (e: AccessEdge) => `${e.from}\u0000${e.to}\u0000${e.label ?? ""}`;

/** A Mermaid label: quoted, with the characters Mermaid reads inside quotes escaped. */
function mermaidText(text: string): string {
  return `"${text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")}"`;
}

const SHAPES: Record<AccessNodeKind, [string, string]> = {
  person: ["([", "])"],
  group: ["[", "]"],
  "permission-set": ["{{", "}}"],
  account: ["[(", ")]"],
};

/**
 * The graph as Mermaid (`flowchart LR`): people → groups → permission set → accounts. With a
 * base: nodes and edges only in the head are green ("added"), only in the base red and dashed
 * ("removed").
 */
export function mermaid(head: AccessGraph, base?: AccessGraph): string[] {
  const all = new Map<string, AccessNode>([...(base?.nodes ?? []), ...head.nodes]);
  const keys = sorted([...all.keys()]);
  const id = new Map(keys.map((k, i) => [k, `n${i + 1}`]));
  const headEdges = new Set(head.edges.map(edgeKey));
  const baseEdges = new Set((base?.edges ?? []).map(edgeKey));
  const edges = [...head.edges, ...(base?.edges ?? []).filter((e) => !headEdges.has(edgeKey(e)))];
  const unique = [...new Map(edges.map((e) => [edgeKey(e), e])).values()].sort((a, b) => compare(edgeKey(a), edgeKey(b)));
  const out = ["```mermaid", "flowchart LR"];
  for (const key of keys) {
    const n = all.get(key)!;
    const [open, close] = SHAPES[n.kind];
    out.push(`  ${id.get(key)}${open}${mermaidText(n.label)}${close}`);
  }
  const styles: string[] = [];
  unique.forEach((e, i) => {
    const removed = base !== undefined && !headEdges.has(edgeKey(e));
    const added = base !== undefined && !baseEdges.has(edgeKey(e));
    const arrow = removed ? (e.label ? `-. ${mermaidText(e.label)} .->` : "-.->") : e.label ? `-- ${mermaidText(e.label)} -->` : "-->";
    out.push(`  ${id.get(e.from)} ${arrow} ${id.get(e.to)}`);
    if (added) styles.push(`  linkStyle ${i} stroke:#2da44e,stroke-width:3px`);
    if (removed) styles.push(`  linkStyle ${i} stroke:#cf222e,stroke-width:3px`);
  });
  if (base) {
    const added = keys.filter((k) => head.nodes.has(k) && !base.nodes.has(k));
    const removed = keys.filter((k) => !head.nodes.has(k) && base.nodes.has(k));
    out.push(
      "  classDef added fill:#dafbe1,stroke:#2da44e,stroke-width:2px",
      "  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4",
    );
    if (added.length > 0) out.push(`  class ${added.map((k) => id.get(k)).join(",")} added`);
    if (removed.length > 0) out.push(`  class ${removed.map((k) => id.get(k)).join(",")} removed`);
  }
  out.push(...styles, "```");
  return out;
}

/** The section "Who administers which account": the graph and the table (with a base: what changed). */
export function renderAccess(head: AccessGraph, base?: AccessGraph): string[] {
  const out = ["## Who administers which account", ""];
  if (head.rows.length === 0 && (base?.rows.length ?? 0) === 0) {
    out.push("Nobody gets AdministratorAccess through these stacks.", "");
    return out;
  }
  out.push(...mermaid(head, base), "");
  if (base) {
    const text = (r: AccessRow) => `${r.account} · ${r.through} ${r.via} · ${r.people.join(", ")}`;
    const before = new Set(base.rows.map(text));
    const after = new Set(head.rows.map(text));
    const added = head.rows.filter((r) => !before.has(text(r)));
    const removed = base.rows.filter((r) => !after.has(text(r)));
    if (added.length + removed.length === 0) out.push("No change in who administers which account.", "");
    else {
      out.push(
        ...added.map((r) => `- **gains** ${code(r.account)}: ${r.through} ${code(r.via)} (${r.people.map(code).join(", ") || "nobody"})`),
      );
      out.push(
        ...removed.map((r) => `- **loses** ${code(r.account)}: ${r.through} ${code(r.via)} (${r.people.map(code).join(", ") || "nobody"})`),
      );
      out.push("");
    }
  }
  out.push("| Account | Through | Group (→ permission set) | People |", "|---|---|---|---|");
  for (const r of head.rows) {
    out.push(`| ${code(r.account)} | ${r.through} | ${code(r.via)} | ${r.people.length > 0 ? r.people.map(code).join(", ") : "nobody"} |`);
  }
  out.push("");
  return out;
}
