// Who gets AdministratorAccess in which account, through which path: IAM groups in the account
// stacks, and the Identity Center permission set assigned from the Identity Center stack. Read
// from what the stacks record (the account stacks' admin outputs and group resources; the
// Identity Center stack's outputs), drawn as a table and as a Mermaid graph (GitHub renders it in
// a pull request comment); with a base, what the change adds or removes is highlighted. An account
// whose administrators exist outside this app (`existingAdministrators`) says so. A loss is
// reported only where it happens: a stack that left the configuration destroys nothing (its
// access is "no longer managed"), a retired stack destroys what its plan destroys (not what it
// forgets), and the offline plans' destroys are listed. Part of npm run review;
// scripts/review-lib.ts re-exports the public API.
import { IDENTITY_CENTER_OUTPUTS } from "../../modules/app/stacks/identity-center-stack";
import { arr, code, compare, obj, plural, sorted, str } from "./helpers";
import { StackView, existingAdministratorsOf, parseRef, retiredOf } from "./read";
import { AccessEdge, AccessGraph, AccessNode, AccessNodeKind, AccessRow, Json, PlanJson } from "./types";

export type { AccessEdge, AccessGraph, AccessNode, AccessNodeKind, AccessRow };

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

  const retired = new Map<string, readonly string[]>();
  for (const [name, stack] of Object.entries(stacks)) {
    if (isIdentityCenterStack(stack)) continue;
    const forgets = retiredOf(stack)?.forgets;
    if (forgets) retired.set(name, forgets);
    const view = new StackView(stack);
    const outside = existingAdministratorsOf(stack);
    if (outside !== undefined) {
      const outsideKey = node(`outside:${name}`, `managed outside this app: ${outside}`, "person");
      edges.push({ from: outsideKey, to: account(name), label: "administers", stack: name });
      rows.push({ account: name, through: "outside this app", via: outside, people: [], stack: name });
    }
    const group = view.model.group ? view.block(view.model.group) : undefined;
    const attachment = view
      .ofType("aws_iam_group_policy_attachment")
      .find(
        (a) => view.groupAddressOf(a.body.group) === view.model.group && /:policy\/AdministratorAccess$/.test(String(a.body.policy_arn)),
      );
    if (!group || !attachment) continue;
    const groupName = String(group.body.name);
    const groupKey = node(`iam-group:${name}:${groupName}`, `IAM group ${groupName}`, "group");
    const via = [group.address, attachment.address];
    edges.push({ from: groupKey, to: account(name), label: "AdministratorAccess", stack: name, grants: via });
    const people: Record<string, readonly string[]> = {};
    for (const user of view.model.users) {
      const memberships = view
        .ofType("aws_iam_user_group_membership")
        .filter((m) => user.user !== undefined && view.refAddress(m.body.user) === user.user)
        .map((m) => m.address);
      people[user.name] = [...(user.user ? [user.user] : []), ...memberships];
      const personKey = node(`iam-user:${name}:${user.name}`, `${user.name} (IAM user)`, "person");
      edges.push({ from: personKey, to: groupKey, stack: name, grants: people[user.name] });
    }
    rows.push({ account: name, through: "IAM group", via: groupName, people: Object.keys(people), stack: name, grants: { via, people } });
  }

  for (const [stackName, stack] of Object.entries(stacks).filter(([, json]) => isIdentityCenterStack(json))) {
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
    edges.push({ from: groupKey, to: psKey, stack: stackName });
    const people = Object.keys(obj(value(O.users)));
    for (const person of people) {
      edges.push({ from: node(`ic-user:${person}`, `${person} (Identity Center)`, "person"), to: groupKey, stack: stackName });
    }
    if (existing) {
      edges.push({ from: node(`idp:${groupName}`, "members managed by the identity provider", "person"), to: groupKey, stack: stackName });
    }
    for (const [name, id] of Object.entries(obj(value(O.assignedAccounts)))) {
      edges.push({ from: psKey, to: account(name, String(id)), label: "AdministratorAccess", stack: stackName });
      rows.push({
        account: name,
        through: "IAM Identity Center",
        via: `${groupName} → ${permissionSet}`,
        people: existing ? [...people, "(identity provider)"] : people,
        stack: stackName,
      });
    }
  }
  rows.sort((a, b) => compare(a.account, b.account) || compare(a.through, b.through));
  return { nodes, edges, rows, stacks: sorted(Object.keys(stacks)), retired };
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
 * Whether what a base row or edge grants is gone from AWS with the head: "kept" when its stack is
 * retired and forgets every resource it rests on (adopted ones stay), "unmanaged" when its stack
 * is no longer in the head at all (nothing is destroyed: the state and AWS keep it), else "lost"
 * (the head's stack, or its retired plan, removes it).
 */
export function fateOf(head: AccessGraph, stack: string | undefined, grants: readonly string[] | undefined): "lost" | "kept" | "unmanaged" {
  if (stack !== undefined && !head.stacks.includes(stack)) return "unmanaged";
  const forgets = stack !== undefined ? head.retired.get(stack) : undefined;
  if (forgets && grants && grants.length > 0 && grants.every((address) => forgets.includes(address))) return "kept";
  return "lost";
}

/**
 * The graph as Mermaid (`flowchart LR`): people → groups → permission set → accounts. With a
 * base: nodes and edges only in the head are green ("added"), only in the base red and dashed
 * ("removed"), or grey and dashed ("unmanaged") when their stack left the configuration or a
 * retired stack forgets them: those stay in AWS.
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
  /** Nodes an edge really removed touches (the others only in the base stay in AWS). */
  const touchedByLoss = new Set<string>();
  unique.forEach((e, i) => {
    const gone = base !== undefined && !headEdges.has(edgeKey(e));
    const added = base !== undefined && !baseEdges.has(edgeKey(e));
    const arrow = gone ? (e.label ? `-. ${mermaidText(e.label)} .->` : "-.->") : e.label ? `-- ${mermaidText(e.label)} -->` : "-->";
    out.push(`  ${id.get(e.from)} ${arrow} ${id.get(e.to)}`);
    if (added) styles.push(`  linkStyle ${i} stroke:#2da44e,stroke-width:3px`);
    if (gone) {
      const lost = fateOf(head, e.stack, e.grants) === "lost";
      if (lost) touchedByLoss.add(e.from).add(e.to);
      styles.push(lost ? `  linkStyle ${i} stroke:#cf222e,stroke-width:3px` : `  linkStyle ${i} stroke:#8c959f,stroke-width:2px`);
    }
  });
  if (base) {
    const added = keys.filter((k) => head.nodes.has(k) && !base.nodes.has(k));
    const onlyBase = keys.filter((k) => !head.nodes.has(k) && base.nodes.has(k));
    const removed = onlyBase.filter((k) => touchedByLoss.has(k));
    const unmanaged = onlyBase.filter((k) => !touchedByLoss.has(k));
    out.push(
      "  classDef added fill:#dafbe1,stroke:#2da44e,stroke-width:2px",
      "  classDef removed fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4",
      "  classDef unmanaged fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:4",
    );
    if (added.length > 0) out.push(`  class ${added.map((k) => id.get(k)).join(",")} added`);
    if (removed.length > 0) out.push(`  class ${removed.map((k) => id.get(k)).join(",")} removed`);
    if (unmanaged.length > 0) out.push(`  class ${unmanaged.map((k) => id.get(k)).join(",")} unmanaged`);
  }
  out.push(...styles, "```");
  return out;
}

const peopleText = (people: readonly string[]) => people.map(code).join(", ") || "nobody";

/** A row of the table's People column: the people, or who administers the account outside this app. */
function peopleCell(r: AccessRow): string {
  if (r.through === "outside this app") return `managed outside this app: ${r.via}`;
  return r.people.length > 0 ? r.people.map(code).join(", ") : "nobody";
}

/**
 * What the comparison with a base says, one line each, person by person: who gains access, who
 * loses it (only where the head's stack removes it: a changed stack, or a retired one whose plan
 * destroys it), and what is no longer managed (a stack left the configuration: nothing is
 * destroyed) or kept (a retired stack forgets it). "outside this app" rows grant nothing and are
 * left out.
 */
export function accessChanges(head: AccessGraph, base: AccessGraph): string[] {
  const key = (r: AccessRow) => `${r.account}\u0000${r.through}\u0000${r.via}`;
  const granting = (rows: readonly AccessRow[]) => new Map(rows.filter((r) => r.through !== "outside this app").map((r) => [key(r), r]));
  const before = granting(base.rows);
  const after = granting(head.rows);
  const out: string[] = [];
  for (const k of sorted(new Set([...before.keys(), ...after.keys()]))) {
    const [b, a] = [before.get(k), after.get(k)];
    const r = (a ?? b)!;
    const what = `${code(r.account)}: ${r.through} ${code(r.via)}`;
    const gained = a ? a.people.filter((p) => !b?.people.includes(p)) : [];
    if (a && (gained.length > 0 || !b)) out.push(`- **gains** ${what} (${peopleText(gained)})`);
    if (!b) continue;
    const gone = b.people.filter((p) => !a?.people.includes(p));
    if (a && gone.length === 0) continue;
    if (!a && fateOf(head, b.stack, undefined) === "unmanaged") {
      out.push(
        `- ${what} (${peopleText(b.people)}): stack ${code(b.stack)} is no longer managed by this app — nothing destroyed; retire it instead`,
      );
      continue;
    }
    const retired = !a && head.retired.has(b.stack);
    const kept = retired
      ? gone.filter((p) => fateOf(head, b.stack, [...(b.grants?.via ?? []), ...(b.grants?.people[p] ?? [])]) === "kept")
      : [];
    const lost = gone.filter((p) => !kept.includes(p));
    const why = retired ? ` (stack ${code(b.stack)} is retired: its plan destroys them)` : "";
    if (lost.length > 0 || kept.length === 0) out.push(`- **loses** ${what} (${peopleText(lost)})${why}`);
    if (kept.length > 0) {
      out.push(
        `- ${what} (${peopleText(kept)}): keep access — the retired stack ${code(b.stack)} forgets them ` +
          "(adopted: they stay in AWS, no longer managed by this app)",
      );
    }
  }
  return out;
}

/** The section "Who administers which account": the graph and the table (with a base: what changed; with plans: what they take away). */
export function renderAccess(head: AccessGraph, base?: AccessGraph, planned: readonly string[] = []): string[] {
  const out = ["## Who administers which account", ""];
  const plannedLines = planned.length > 0 ? ["The offline plans take access away:", "", ...planned, ""] : [];
  if (head.rows.length === 0 && (base?.rows.length ?? 0) === 0) {
    out.push("Nobody gets AdministratorAccess through these stacks.", "", ...plannedLines);
    return out;
  }
  out.push(...mermaid(head, base), "");
  if (base) {
    const changes = accessChanges(head, base);
    out.push(...(changes.length === 0 ? ["No change in who administers which account."] : changes), "");
  }
  out.push(...plannedLines);
  out.push("| Account | Through | Group (→ permission set) | People |", "|---|---|---|---|");
  for (const r of head.rows) {
    const via = r.through === "outside this app" ? "—" : code(r.via);
    out.push(`| ${code(r.account)} | ${r.through} | ${via} | ${peopleCell(r)} |`);
  }
  out.push("");
  if (head.retired.size > 0) {
    out.push(`Retired (their plans destroy what the app made there): ${sorted(head.retired.keys()).map(code).join(", ")}`, "");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the plans take away

/** A resource change as far as the access it removes needs it. */
type Change = NonNullable<PlanJson["resource_changes"]>[number] & {
  readonly type?: string;
  readonly change?: { readonly before?: unknown };
};

/**
 * The administrator access the offline plans destroy, one line per resource (a destroy, not a
 * replacement or a forget): IAM users, their group memberships, the AdministratorAccess of a
 * group, Identity Center users, memberships, assignments and the permission set's
 * AdministratorAccess. Names come from the plan's prior values (`change.before`), else the address.
 */
export function plannedAccessLosses(plans: Readonly<Record<string, PlanJson | undefined>>): string[] {
  const out: string[] = [];
  for (const stack of sorted(Object.keys(plans))) {
    const changes = (plans[stack]?.resource_changes ?? []) as readonly Change[];
    const destroyed = changes.filter((rc) => {
      const actions = rc.change?.actions ?? [];
      return (rc.mode ?? "managed") === "managed" && actions.includes("delete") && !actions.includes("create");
    });
    const typeOf = (rc: Change) => rc.type ?? rc.address.split(".").slice(-2)[0];
    const before = (rc: Change) => obj(rc.change?.before);
    const named = (rc: Change, key: string) => code(str(before(rc)[key]) ?? rc.address);
    const destroyedUsers = new Set(destroyed.filter((rc) => typeOf(rc) === "aws_iam_user").map((rc) => str(before(rc).name)));
    const by = (rc: Change) => `(the plan destroys ${code(rc.address)})`;
    for (const rc of destroyed) {
      const b = before(rc);
      const admin = /AdministratorAccess$/.test(String(b.policy_arn ?? b.managed_policy_arn ?? ""));
      switch (typeOf(rc)) {
        case "aws_iam_user":
          out.push(`- **loses** ${code(stack)}: IAM user ${named(rc, "name")} ${by(rc)}`);
          break;
        case "aws_iam_user_group_membership":
          if (str(b.user) !== undefined && destroyedUsers.has(str(b.user))) break;
          out.push(
            `- **loses** ${code(stack)}: IAM user ${named(rc, "user")} leaves ${plural(arr(b.groups).length, "group")} ` +
              `${arr(b.groups).map(String).map(code).join(", ")} ${by(rc)}`.replace(/ {2}/g, " "),
          );
          break;
        case "aws_iam_group_policy_attachment":
          if (admin || b.policy_arn === undefined) {
            out.push(`- **loses** ${code(stack)}: IAM group ${named(rc, "group")} loses AdministratorAccess ${by(rc)}`);
          }
          break;
        case "aws_identitystore_user":
          out.push(`- **loses** ${code(stack)}: Identity Center user ${named(rc, "user_name")} ${by(rc)}`);
          break;
        case "aws_identitystore_group_membership":
          out.push(`- **loses** ${code(stack)}: an Identity Center group membership ${by(rc)}`);
          break;
        case "aws_ssoadmin_account_assignment":
          out.push(`- **loses** account ${named(rc, "target_id")}: the permission set assignment ${by(rc)}`);
          break;
        case "aws_ssoadmin_managed_policy_attachment":
          if (admin || b.managed_policy_arn === undefined) {
            out.push(`- **loses** ${code(stack)}: the permission set loses AdministratorAccess ${by(rc)}`);
          }
          break;
        default:
          break;
      }
    }
  }
  return out;
}
