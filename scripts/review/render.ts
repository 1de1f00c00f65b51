// The Markdown of the review. Part of npm run review; scripts/review-lib.ts re-exports the public API.
import { plannedChangesText } from "../lib/plan-json";
import { warningText } from "./diff";
import { SOURCE_PLAN, SOURCE_SYNTH, code, compare, plural, yesNo } from "./helpers";
import { renderAccess } from "./access";
import { ReviewDiff, ReviewInput, ReviewWarning, StackChange, StackSummary } from "./types";

// ---------------------------------------------------------------------------------------------
// Markdown

export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** Counts of diff lines: addresses added, removed, changed (outputs apart). */
export function diffCounts(lines: readonly string[]): {
  added: number;
  removed: number;
  changed: number;
  replaced: number;
  outputs: number;
} {
  const changed = new Set<string>();
  const replaced = new Set<string>();
  let added = 0;
  let removed = 0;
  let outputs = 0;
  for (const line of lines) {
    if (line.slice(2).startsWith("output ")) outputs++;
    else if (line.slice(2).startsWith("removed "))
      continue; // a removed block: the resource's own line counts
    else if (line.startsWith("+ ")) added++;
    else if (line.startsWith("- ")) removed++;
    else if (line.startsWith("! ")) replaced.add(line.slice(2, line.indexOf(": ")));
    else if (line.startsWith("~ ")) changed.add(line.slice(2, line.indexOf(": ")));
  }
  const inPlace = [...changed].filter((address) => !replaced.has(address));
  return { added, removed, changed: inPlace.length, replaced: replaced.size, outputs };
}

/** What a removed stack means, after its name. */
export function removedText(c: StackChange): string {
  return (
    `(${plural(c.resourceCount, "resource")}): no longer managed by this app — nothing destroyed ` +
    '(what it made stays in AWS, unmanaged); retire it instead ("retire": true, apply its plan, then delete the entry)'
  );
}

/** `2 added, 0 removed, 1 changed, **1 replaced**, 1 output change` of a changed stack. */
export function changeCounts(c: StackChange): string {
  const n = diffCounts(c.lines);
  const counts = [
    `${n.added} added`,
    `${n.removed} removed`,
    `${n.changed} changed`,
    ...(n.replaced > 0 ? [`**${n.replaced} replaced**`] : []),
  ];
  return `${counts.join(", ")}${n.outputs > 0 ? `, ${plural(n.outputs, "output change")}` : ""}`;
}

/** The diff of a changed stack and its warnings added and gone, as Markdown lines. */
export function changeBody(c: StackChange): string[] {
  const list = (title: string, items: readonly string[]) => (items.length > 0 ? [title, "", ...items.map((w) => `- ${w}`), ""] : []);
  return [
    ...(c.lines.length > 0 ? ["```diff", ...c.lines, "```", ""] : []),
    ...list("New warnings:", c.warningsAdded),
    ...list("Warnings gone:", c.warningsRemoved),
  ];
}

export function renderDiff(diff: ReviewDiff, baseLabel: string): string[] {
  const out = [`## Changes since ${baseLabel}`, ""];
  if (diff.stacks.length === 0) {
    out.push("No changes: the synthesized stacks are the same (CDKTF's `//` metadata ignored).", "");
    return out;
  }
  for (const s of diff.stacks) {
    if (s.change === "added") {
      out.push(`- **${code(s.stack)} added** (${plural(s.resourceCount, "resource")}; see below)`);
    } else if (s.change === "removed") {
      out.push(`- **${code(s.stack)} removed** ${removedText(s)}`);
    }
  }
  if (diff.stacks.some((s) => s.change !== "changed")) out.push("");
  for (const s of diff.stacks.filter((c) => c.change === "changed")) {
    const retired = s.retired ? " **retired** (its plan destroys what the app made)" : "";
    out.push(`### ${code(s.stack)}${retired}: ${changeCounts(s)}`, "", ...changeBody(s));
  }
  return out;
}

export function renderStack(s: StackSummary): string[] {
  const heading = [s.region ?? "region not set", ...(s.accountIds.length > 0 ? [`account ${s.accountIds.join(", ")}`] : [])];
  const out = [`### ${code(s.stack)} (${heading.join(", ")})`, ""];
  const target = [
    s.accountIds.length > 0
      ? `Account: ${s.accountIds.map(code).join(", ")} (allowed_account_ids)`
      : "Account: not pinned (no accountId: whichever account the credentials reach)",
    s.assumeRoleArn
      ? `assumes ${code(s.assumeRoleArn)}${
          s.assumeRoleVariable ? ` (the default of var.${s.assumeRoleVariable}; a CI job that assumed its role sets it to "")` : ""
        }`
      : undefined,
  ].filter((x): x is string => x !== undefined);
  out.push(`- ${target.join(" · ")}`);
  out.push(`- Backend: ${s.backend}`);
  if (s.retired) {
    const forgets =
      s.retired.forgets.length > 0 ? `${s.retired.forgets.map(code).join(", ")} (they stay in AWS, no longer managed)` : "nothing";
    out.push(`- **Retired**: plan destroys what the app made; forgets: ${forgets}`);
  }
  for (const a of s.adminAccess) {
    out.push(
      `- AdministratorAccess: group ${code(a.group)}, ` +
        `members ${a.members.length > 0 ? a.members.map(code).join(", ") : "none"} · MFA enforced: ${yesNo(a.mfaEnforced)}`,
    );
  }
  if (s.existingAdministrators !== undefined) {
    out.push(`- AdministratorAccess: managed outside this app: ${s.existingAdministrators}`);
  }
  if (s.identityCenter) {
    const ic = s.identityCenter;
    out.push(
      `- AdministratorAccess: permission set ${code(ic.permissionSet)} → Identity Center group ${code(ic.group)}, ` +
        `in ${ic.accounts.length > 0 ? ic.accounts.map(code).join(", ") : "no account"}`,
    );
  } else {
    if (s.adminAccess.length === 0 && s.existingAdministrators === undefined && !s.retired) {
      out.push("- AdministratorAccess: no IAM group (see Who administers which account)");
    }
    out.push(`- Incident Manager service-linked role: ${s.serviceLinkedRole}`);
  }
  if (s.source === "plan" && s.planned) {
    out.push(`- Planned changes: ${plannedChangesText(s.planned)} · ${SOURCE_PLAN}`);
    if (s.plannedDestroyOnly && s.plannedDestroyOnly.length > 0) {
      out.push(
        `- To destroy (${s.retired ? "the stack is retired" : "no longer configured"}): ${s.plannedDestroyOnly.map(code).join(", ")}`,
      );
    }
    if (s.plannedForgetOnly && s.plannedForgetOnly.length > 0) {
      out.push(`- To forget (stays in AWS, no longer managed): ${s.plannedForgetOnly.map(code).join(", ")}`);
    }
    if (s.notInPlan && s.notInPlan.length > 0) {
      out.push(
        `- Note: the plan is older than the configuration: ${plural(s.notInPlan.length, "resource")} not in it ` +
          "(run npm run plan:offline again)",
      );
    }
    if (s.plannedOtherwise && s.plannedOtherwise.length > 0) {
      out.push(
        "- Note: the plan is older than the configuration: it plans other values for " +
          s.plannedOtherwise.map((r) => `${code(r.address)} (${r.arguments.join(", ")})`).join(", ") +
          " (run npm run plan:offline again)",
      );
    }
    for (const note of s.planNotes ?? []) out.push(`- Note: ${note}`);
  } else {
    out.push(`- Planned changes: not known · ${SOURCE_SYNTH}`);
  }
  out.push("");
  if (s.resources.length === 0) {
    out.push(s.retired ? "No resources: the stack is retired." : "No resources.", "");
  } else {
    const withPlan = s.resources.some((r) => r.planned !== undefined);
    out.push(withPlan ? "| Resource | Plan | Settings |" : "| Resource | Settings |", withPlan ? "|---|---|---|" : "|---|---|");
    for (const r of s.resources) {
      out.push(
        withPlan ? `| ${code(r.address)} | ${r.planned ?? ""} | ${cell(r.settings)} |` : `| ${code(r.address)} | ${cell(r.settings)} |`,
      );
    }
    out.push("");
  }
  if (s.outputs.length > 0) {
    out.push(`Outputs (values not shown): ${s.outputs.map((o) => `${code(o.name)}${o.sensitive ? " (sensitive)" : ""}`).join(", ")}`, "");
  }
  const ofKind = (kind: string) => s.warnings.filter((w) => (w.kind ?? "action") === kind);
  const [action, acknowledged, notes] = [ofKind("action"), ofKind("acknowledged"), ofKind("note")];
  if (action.length > 0) {
    out.push(`<details><summary>${plural(action.length, "synth warning")}</summary>`, "");
    out.push(...action.map((w) => `- ${warningText(s.stack, w)}`), "", "</details>", "");
  } else {
    out.push("No synth warnings.", "");
  }
  if (acknowledged.length > 0) {
    out.push(`<details><summary>${plural(acknowledged.length, "acknowledged warning")} (the configuration's acknowledge)</summary>`, "");
    out.push(...acknowledged.map((w) => `- acknowledged: ${acknowledgedText(s.stack, w)}`), "", "</details>", "");
  }
  if (notes.length > 0) {
    out.push(`<details><summary>${plural(notes.length, "note")} on deviations the guide asks for</summary>`, "");
    out.push(...notes.map((w) => `- ${warningText(s.stack, w)}`), "", "</details>", "");
  }
  return out;
}

/** An acknowledged warning and the reason the configuration gives for accepting it. */
export function acknowledgedText(stack: string, w: ReviewWarning): string {
  return `${warningText(stack, w)} — reason: ${w.reason !== undefined ? w.reason : "(none given)"}`;
}

/** Warnings of no stack of the review (a stack no longer configured, a stale acknowledgement, ...). */
export function renderOtherWarnings(warnings: readonly ReviewWarning[]): string[] {
  const sortedWarnings = [...warnings].sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
  const action = sortedWarnings.filter((w) => (w.kind ?? "action") === "action");
  const acknowledged = sortedWarnings.filter((w) => w.kind === "acknowledged");
  const notes = sortedWarnings.filter((w) => w.kind === "note");
  if (sortedWarnings.length === 0) return [];
  const out = ["## Warnings of the configuration (no stack)", ""];
  out.push(...action.map((w) => `- ${w.message}`));
  out.push(...acknowledged.map((w) => `- acknowledged: ${w.message} — reason: ${w.reason ?? "(none given)"}`));
  out.push(...notes.map((w) => `- note: ${w.message}`));
  out.push("");
  return out;
}

/** The summary line at the top of the review: stacks, resources, warnings, the source, and what changed since the base. */
export function summaryLine(input: ReviewInput): string {
  const summaries = input.summaries;
  const resources = summaries.reduce((n, s) => n + s.resourceCount, 0);
  const other = input.otherWarnings ?? [];
  const warnings =
    summaries.reduce((n, s) => n + s.warnings.filter((w) => (w.kind ?? "action") === "action").length, 0) +
    other.filter((w) => (w.kind ?? "action") === "action").length;
  const retired = summaries.filter((s) => s.retired).length;
  const planned = summaries.filter((s) => s.source === "plan").length;
  const source =
    planned === 0
      ? SOURCE_SYNTH
      : planned === summaries.length
        ? SOURCE_PLAN
        : `${SOURCE_PLAN} for ${planned} of ${summaries.length} stacks, else synthesized cdk.tf.json`;
  const stacks = `${plural(summaries.length, "stack")}${retired > 0 ? ` (${retired} retired)` : ""}`;
  let line = `**${stacks}, ${plural(resources, "resource")}, ${plural(warnings, "warning")}** · ${source}`;
  if (input.diff) {
    const all = input.diff.stacks.flatMap((s) => s.lines);
    const n = diffCounts(all);
    const stacksAdded = input.diff.stacks.filter((s) => s.change === "added").length;
    const stacksRemoved = input.diff.stacks.filter((s) => s.change === "removed").length;
    const parts = [
      stacksAdded > 0 ? `${plural(stacksAdded, "stack")} added` : undefined,
      stacksRemoved > 0 ? `${plural(stacksRemoved, "stack")} removed` : undefined,
      `${n.added} added, ${n.removed} removed, ${n.changed} changed`,
      n.replaced > 0 ? `**${n.replaced} replaced**` : undefined,
    ].filter((x): x is string => x !== undefined);
    line += ` · vs base: ${input.diff.stacks.length === 0 ? "no changes" : parts.join(", ")}`;
  }
  return line;
}

/** The review as Markdown: a summary line, the changes since the base (if any), then each stack. */
export function renderMarkdown(input: ReviewInput): string {
  const summaries = [...input.summaries].sort((a, b) => compare(a.stack, b.stack));
  const other = input.otherWarnings ?? [];
  const line = summaryLine(input);
  const out = ["## Incident Manager setup: review", "", line, ""];
  if (input.configLabel) out.push(`Configuration: ${code(input.configLabel)}`, "");
  out.push(...renderOtherWarnings(other));
  if (input.access) out.push(...renderAccess(input.access.head, input.access.base, input.access.planned));
  if (input.diff) out.push(...renderDiff(input.diff, input.baseLabel ?? "the base"));
  out.push("## Stacks", "");
  for (const s of summaries) out.push(...renderStack(s));
  while (out[out.length - 1] === "") out.pop();
  return `${out.join("\n")}\n`;
}
