// `npm run review -- --json`: the review's summary as one JSON object, for a pipeline (the Markdown
// is for people). Counts, the warnings with their ids, the acknowledgements with their reasons, and
// per stack what the plan (or the synth) shows and what changed since the base.
import { PlanCounts } from "../lib/plan-json";
import { ReviewInput, ReviewWarning } from "./types";

/** One warning as the JSON summary gives it. */
export interface WarningJson {
  readonly stack: string | null;
  readonly path: string;
  readonly id: string | null;
  readonly kind: "action" | "note";
  readonly message: string;
}

/** The JSON summary of a review. */
export interface ReviewJson {
  readonly config: string | null;
  readonly base: string | null;
  readonly counts: {
    readonly stacks: number;
    readonly resources: number;
    readonly warnings: number;
    readonly acknowledged: number;
    readonly notes: number;
    /** Stacks added, removed or changed since the base (0 without a base). */
    readonly changedStacks: number;
  };
  readonly stacks: ReadonlyArray<{
    readonly name: string;
    readonly source: "plan" | "synth";
    readonly resources: number;
    readonly retired: boolean;
    /** Terraform's counts, with a plan; null without. */
    readonly planned: PlanCounts | null;
    readonly warnings: number;
    /** Since the base: added, removed, changed, or null (unchanged, or no base). */
    readonly change: "added" | "removed" | "changed" | null;
    readonly changes: readonly string[];
  }>;
  readonly warnings: readonly WarningJson[];
  readonly acknowledgements: ReadonlyArray<{
    readonly stack: string | null;
    readonly path: string;
    readonly id: string | null;
    readonly reason: string | null;
  }>;
  readonly files: Readonly<Record<"review" | "comment" | "summary", string>>;
}

/** The review's summary for `--json`; `files` are the paths written, as shown. */
export function reviewJson(input: ReviewInput, files: ReviewJson["files"]): ReviewJson {
  const all: Array<{ stack: string | null; w: ReviewWarning }> = [
    ...input.summaries.flatMap((s) => s.warnings.map((w) => ({ stack: s.stack, w }))),
    ...(input.otherWarnings ?? []).map((w) => ({ stack: null, w })),
  ];
  const ofKind = (kind: ReviewWarning["kind"]) => all.filter(({ w }) => (w.kind ?? "action") === kind);
  const warnings = [...ofKind("action"), ...ofKind("note")].map(({ stack, w }): WarningJson => ({
    stack,
    path: w.path,
    id: w.id ?? null,
    kind: w.kind === "note" ? "note" : "action",
    message: w.message,
  }));
  const acknowledged = ofKind("acknowledged");
  const changes = new Map((input.diff?.stacks ?? []).map((c) => [c.stack, c]));
  const stacks: ReviewJson["stacks"][number][] = input.summaries.map((s) => {
    const change = changes.get(s.stack);
    changes.delete(s.stack);
    return {
      name: s.stack,
      source: s.source,
      resources: s.resourceCount,
      retired: s.retired !== undefined,
      planned: s.planned ?? null,
      warnings: s.warnings.filter((w) => (w.kind ?? "action") === "action").length,
      change: change?.change ?? null,
      changes: change?.lines ?? [],
    };
  });
  // Stacks of the base only (removed): no summary, but a change.
  for (const c of changes.values()) {
    stacks.push({
      name: c.stack,
      source: "synth",
      resources: 0,
      retired: false,
      planned: null,
      warnings: 0,
      change: c.change,
      changes: c.lines,
    });
  }
  return {
    config: input.configLabel ?? null,
    base: input.baseLabel ?? null,
    counts: {
      stacks: input.summaries.length,
      resources: input.summaries.reduce((n, s) => n + s.resourceCount, 0),
      warnings: ofKind("action").length,
      acknowledged: acknowledged.length,
      notes: ofKind("note").length,
      changedStacks: input.diff?.stacks.length ?? 0,
    },
    stacks,
    warnings,
    acknowledgements: acknowledged.map(({ stack, w }) => ({ stack, path: w.path, id: w.id ?? null, reason: w.reason ?? null })),
    files,
  };
}
