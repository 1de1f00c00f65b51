// The review in bounded form: the pull-request comment (GitHub refuses one over 65,536 characters)
// and the job summary (GitHub refuses a step's summary over 1 MiB). review.md stays complete; these
// two say what fits, in a fixed order, and where the rest is:
//
// 1. the summary line of review.md, and how many stacks changed;
// 2. a table of every stack, one short row each (changed since the base, the planned counts or "no
//    plan", the warnings), the changed stacks first; when the table alone would not fit, the
//    changed stacks only, and the others as a count;
// 3. who gains or loses AdministratorAccess (with a base, or when the plans take access away) and
//    the warnings of no stack, each only if it fits whole;
// 4. each stack's details, collapsed, in the table's order, until the budget is used;
// 5. a note: how many stacks' details are left out, and where the complete review is.
//
// Sizes are measured as GitHub measures the limit: the comment in characters (UTF-16 code units,
// string length), the job summary in bytes (UTF-8). The budgets keep a margin below the limits for
// what the workflow appends (the note on plans that failed). Part of npm run review;
// scripts/review-lib.ts re-exports the public API.
import { plannedChangesText } from "../lib/plan-json";
import { accessChanges } from "./access";
import { code, compare, plural } from "./helpers";
import { cell, changeBody, changeCounts, removedText, renderOtherWarnings, renderStack, summaryLine } from "./render";
import { ReviewInput, StackChange, StackSummary } from "./types";

/** GitHub's limit on a pull-request comment, in characters. */
export const COMMENT_LIMIT = 65_536;
/** What the comment may use: the limit, less a margin for what the workflow appends. */
export const COMMENT_BUDGET = 60_000;
/** GitHub's limit on one step's job summary ($GITHUB_STEP_SUMMARY), in bytes. */
export const STEP_SUMMARY_LIMIT = 1_048_576;
/** What the job summary may use, in bytes. */
export const STEP_SUMMARY_BUDGET = 1_000_000;

/** The file names, in the output folder (cdktf.out/). */
export const REVIEW_FILE = "review.md";
export const COMMENT_FILE = "review-comment.md";
export const STEP_SUMMARY_FILE = "review-summary.md";
/** The artifact the workflow uploads review.md as. */
export const REVIEW_ARTIFACT = "review";

/** Characters (UTF-16 code units), as GitHub counts a comment. */
export const characters = (text: string): number => text.length;
/** UTF-8 bytes, as GitHub counts a job summary. */
export const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** `4812` -> `4,812` (the same on every machine, whatever its locale). */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function countOf(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// ---------------------------------------------------------------------------------------------
// The stacks, in the order of the table

/** One stack as the table and the details show it. */
export interface StackRow {
  readonly stack: string;
  /** Against the base: undefined when there is no base, "none" when the stack did not change. */
  readonly change?: "added" | "changed" | "retired" | "removed" | "none";
  /** Undefined for a stack removed from the configuration (it is only in the base). */
  readonly summary?: StackSummary;
  readonly stackChange?: StackChange;
  /** Changed since the base, or a plan with something to do. */
  readonly changed: boolean;
  /** Whether anything tells (a base or a plan) that the stack did not change. */
  readonly compared: boolean;
  readonly warnings: number;
}

function planHasChanges(s: StackSummary | undefined): boolean {
  const p = s?.source === "plan" ? s.planned : undefined;
  return p !== undefined && p.import + p.add + p.change + p.destroy + (p.forget ?? 0) > 0;
}

/** Every stack of the head, and those the base has that the head has not; changed ones first, then by name. */
export function stackRows(input: ReviewInput): StackRow[] {
  const changes = new Map((input.diff?.stacks ?? []).map((c) => [c.stack, c]));
  const rows: StackRow[] = input.summaries.map((s) => {
    const c = changes.get(s.stack);
    const change = !input.diff ? undefined : !c ? "none" : c.change === "changed" && c.retired ? "retired" : c.change;
    return {
      stack: s.stack,
      ...(change !== undefined ? { change } : {}),
      summary: s,
      ...(c ? { stackChange: c } : {}),
      changed: (change !== undefined && change !== "none") || planHasChanges(s),
      compared: input.diff !== undefined || s.source === "plan",
      warnings: s.warnings.filter((w) => (w.kind ?? "action") === "action").length,
    };
  });
  const head = new Set(input.summaries.map((s) => s.stack));
  for (const c of input.diff?.stacks ?? []) {
    if (c.change !== "removed" || head.has(c.stack)) continue;
    rows.push({ stack: c.stack, change: "removed", stackChange: c, changed: true, compared: true, warnings: 0 });
  }
  return rows.sort((a, b) => Number(b.changed) - Number(a.changed) || compare(a.stack, b.stack));
}

/** `1 to import, 8 to add` (Terraform's words, zeros left out), "no changes", or "no plan". */
export function planCell(s: StackSummary | undefined): string {
  if (!s) return "—";
  if (s.source !== "plan" || !s.planned) return "no plan";
  if (!planHasChanges(s)) return "no changes";
  return plannedChangesText(s.planned)
    .split(", ")
    .filter((part) => !/^0 /.test(part))
    .join(", ");
}

function changeCell(r: StackRow): string {
  if (r.change === undefined) return "—";
  return r.change === "none" ? "no" : `**${r.change}**`;
}

export const TABLE_HEADER = ["| Stack | Changed | Plan | Warnings |", "|---|---|---|---|"];

export function tableRow(r: StackRow): string {
  return `| ${code(r.stack)} | ${changeCell(r)} | ${cell(planCell(r.summary))} | ${r.warnings} |`;
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** What one stack's details say: what changed since the base, then the stack as review.md shows it. */
export function stackDetails(r: StackRow): string[] {
  const words = [changeCell(r) === "—" ? undefined : r.change === "none" ? "unchanged" : r.change, planCell(r.summary)];
  if (r.summary) words.push(plural(r.warnings, "warning"));
  const title = `<code>${html(r.stack)}</code> · ${words.filter((w): w is string => w !== undefined).join(" · ")}`;
  const out = [`<details><summary>${title}</summary>`, ""];
  const c = r.stackChange;
  if (c?.change === "added") out.push(`**Since the base**: added (${plural(c.resourceCount, "resource")})`, "");
  if (c?.change === "removed") out.push(`**Since the base**: removed ${removedText(c)}`, "");
  if (c?.change === "changed") {
    const retired = c.retired ? " · **retired** (its plan destroys what the app made)" : "";
    out.push(`**Since the base**: ${changeCounts(c)}${retired}`, "", ...changeBody(c));
  }
  if (r.summary) out.push(...renderStack(r.summary));
  while (out[out.length - 1] === "") out.pop();
  out.push("", "</details>", "");
  return out;
}

/** Who gains or loses AdministratorAccess (with a base), and what the plans take away; undefined when there is nothing to say. */
export function accessBlock(input: ReviewInput): string[] | undefined {
  const { access } = input;
  if (!access) return undefined;
  const changes = access.base ? accessChanges(access.head, access.base) : [];
  const planned = access.planned ?? [];
  if (!access.base && planned.length === 0) return undefined;
  const out = ["### Who administers which account", ""];
  if (access.base) out.push(...(changes.length === 0 ? ["No change in who administers which account."] : changes), "");
  if (planned.length > 0) out.push("The plans take access away:", "", ...planned, "");
  return out;
}

// ---------------------------------------------------------------------------------------------
// The bounded review

export interface BoundedOptions {
  /** What the text may use, in the unit of `measure`. */
  readonly budget: number;
  readonly measure: (text: string) => number;
  /** What the text is, for the note: the pull-request comment or the job summary. */
  readonly kind: "comment" | "summary";
  /** The workflow run (GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID), when known. */
  readonly runUrl?: string;
  /** The job summary holds the complete review (review.md fits in it). */
  readonly summaryComplete?: boolean;
}

export interface Bounded {
  readonly markdown: string;
  /** Stacks (rows) in all, and how many the table lists one by one. */
  readonly stacks: number;
  readonly rowsListed: number;
  /** Stacks whose details are in the text. */
  readonly detailsShown: number;
  readonly detailsLeftOut: number;
}

const LIMIT_TEXT: Record<BoundedOptions["kind"], string> = {
  comment: "this comment under GitHub's limit of 65,536 characters",
  summary: "this job summary under GitHub's limit of 1 MiB",
};

/** Where the complete review is, as a sentence. */
export function fullReviewPointer(options: Pick<BoundedOptions, "kind" | "runUrl" | "summaryComplete">): string {
  const run = options.runUrl ? `[the workflow run](${options.runUrl})` : "the workflow run";
  const artifact = `the artifact \`${REVIEW_ARTIFACT}\` (\`${REVIEW_FILE}\`)`;
  if (options.kind === "comment" && options.summaryComplete) {
    return `The complete review is in the job summary of ${run}, and in its artifact \`${REVIEW_ARTIFACT}\` (\`${REVIEW_FILE}\`).`;
  }
  return `The complete review is ${artifact} of ${run}.`;
}

/**
 * The review within a budget: the summary line, the table, the access changes and the warnings of
 * no stack (each only whole), the stacks' details in the table's order until one does not fit,
 * then a note on what was left out and where it is. Deterministic: the same input, the same text.
 */
export function renderBounded(input: ReviewInput, options: BoundedOptions): Bounded {
  const { measure } = options;
  const rows = stackRows(input);
  const changed = rows.filter((r) => r.changed);
  const known = input.diff !== undefined || input.summaries.some((s) => s.source === "plan");
  const join = (lines: readonly string[]) => `${lines.join("\n")}\n`;
  const size = (lines: readonly string[]) => measure(join(lines));

  const top = [`${summaryLine(input)}${known ? ` · changed: ${count(changed.length)} of ${countOf(rows.length, "stack")}` : ""}`, ""];
  if (input.configLabel) top.push(`Configuration: ${code(input.configLabel)}`, "");

  const pointer = fullReviewPointer(options);
  const footer = (leftOut: number, shown: number, sections: readonly string[]): string[] => {
    if (leftOut === 0 && sections.length === 0) {
      const graph = (input.access?.head.rows.length ?? 0) > 0 ? "the graph and the table of who administers which account" : undefined;
      return [graph ? `Not shown here: ${graph}. ${pointer}` : pointer];
    }
    const what = [
      ...(leftOut > 0
        ? [
            `the details of ${countOf(leftOut, "stack")}${shown > 0 ? ` (those of the first ${count(shown)} in the table's order are above)` : ""}`,
          ]
        : []),
      ...sections,
    ];
    return [`> [!NOTE]`, `> **Left out** to keep ${LIMIT_TEXT[options.kind]}: ${what.join("; ")}. ${pointer}`];
  };
  // The note as long as it can get, reserved before anything else is placed.
  const reserve = Math.max(
    size(footer(0, 0, [])),
    size(footer(rows.length + 1, rows.length + 1, ["who administers which account", "the warnings of the configuration (no stack)"])),
  );

  // The table: every stack, or, when that does not fit, the changed stacks and a count of the others.
  const allRows = [...TABLE_HEADER, ...rows.map(tableRow), ""];
  let table: string[];
  let rowsListed: number;
  const room = options.budget - reserve - size(top);
  if (size(allRows) <= room) {
    table = allRows;
    rowsListed = rows.length;
  } else {
    const others = rows.length - changed.length;
    const notCompared = rows.filter((r) => !r.changed && !r.compared).length;
    const rest = (moreChanged: number): string[] => {
      const parts = [
        ...(moreChanged > 0 ? [`${countOf(moreChanged, "more changed stack")} (see the full review)`] : []),
        ...(others - notCompared > 0 ? [`${countOf(others - notCompared, "unchanged stack")}`] : []),
        ...(notCompared > 0 ? [`${countOf(notCompared, "stack")} without a base or a plan to compare with`] : []),
      ];
      return parts.length > 0 ? [`… and ${parts.join(", and ")}: not listed, the table of every stack would not fit.`, ""] : [];
    };
    table = [...TABLE_HEADER];
    rowsListed = 0;
    // Measured line by line (the size of lines adds up: each is its length and a newline).
    let tableSize = size([...TABLE_HEADER, ""]) + size(rest(changed.length));
    for (const r of changed) {
      const row = tableRow(r);
      const n = size([row]);
      if (tableSize + n > room) break;
      table.push(row);
      tableSize += n;
      rowsListed++;
    }
    if (rowsListed === 0) table = [];
    else table.push("");
    table.push(...rest(changed.length - rowsListed));
  }

  // The sections and details, in order, while they fit.
  const body = [...top, ...table];
  let used = size(body) + reserve;
  const leftOutSections: string[] = [];
  const place = (block: string[] | undefined, name: string) => {
    if (!block || block.length === 0) return;
    const n = size(block);
    if (used + n <= options.budget) {
      body.push(...block);
      used += n;
    } else leftOutSections.push(name);
  };
  place(accessBlock(input), "who administers which account");
  const other = renderOtherWarnings(input.otherWarnings ?? []).map((line) => (line.startsWith("## ") ? `#${line}` : line));
  place(other, "the warnings of the configuration (no stack)");

  let detailsShown = 0;
  for (const r of rows) {
    const block = stackDetails(r);
    const n = size(block);
    if (used + n > options.budget) break;
    if (detailsShown === 0) {
      const heading = ["### Stacks", ""];
      if (used + n + size(heading) > options.budget) break;
      body.push(...heading);
      used += size(heading);
    }
    body.push(...block);
    used += n;
    detailsShown++;
  }
  const detailsLeftOut = rows.length - detailsShown;
  body.push(...footer(detailsLeftOut, detailsShown, leftOutSections));
  const markdown = join(body);
  if (measure(markdown) > options.budget) {
    // Cannot happen (every part is measured before it is placed); refuse rather than post a cut text.
    throw new Error(`the ${options.kind} is ${measure(markdown)} long, over its budget of ${options.budget}`);
  }
  return { markdown, stacks: rows.length, rowsListed, detailsShown, detailsLeftOut };
}

/** The pull-request comment: at most {@link COMMENT_BUDGET} characters, whatever the number of stacks. */
export function renderComment(input: ReviewInput, options: { runUrl?: string; summaryComplete?: boolean } = {}): Bounded {
  return renderBounded(input, { budget: COMMENT_BUDGET, measure: characters, kind: "comment", ...options });
}

/**
 * The job summary: review.md itself when it fits in {@link STEP_SUMMARY_BUDGET} bytes, else the
 * bounded form (which points to the artifact).
 */
export function renderStepSummary(input: ReviewInput, full: string, options: { runUrl?: string } = {}): Bounded & { complete: boolean } {
  if (bytes(full) <= STEP_SUMMARY_BUDGET) {
    const stacks = stackRows(input).length;
    return { markdown: full, stacks, rowsListed: stacks, detailsShown: stacks, detailsLeftOut: 0, complete: true };
  }
  return { ...renderBounded(input, { budget: STEP_SUMMARY_BUDGET, measure: bytes, kind: "summary", ...options }), complete: false };
}

/** The workflow run's address from GitHub's variables, when all three are set. */
export function runUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}
