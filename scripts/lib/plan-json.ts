// `terraform show -json` of a plan: the one definition of its shape and of Terraform's change counts,
// shared by the offline planner (scripts/lib/offline-plan.ts) and the review (scripts/review-lib.ts).

/**
 * An action of a resource change in `terraform show -json` (Terraform's JSON output format):
 * `change.actions` is one of these, or ["delete", "create"] / ["create", "delete"] for a
 * replacement. "forget" (Terraform 1.7+): a `removed` block with `lifecycle { destroy = false }`
 * drops the resource from the state and leaves it in AWS; it is not a delete.
 */
export type PlanAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";

/** A resource change, as far as counting and naming the action need it. */
export interface PlanResourceChangeSummary {
  readonly address: string;
  readonly mode?: string;
  readonly change?: {
    readonly actions?: readonly string[];
    readonly importing?: unknown;
    /** The attribute paths that force a replacement (Terraform 1.2+). */
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

/** The part of a `terraform show -json` plan document that every reader needs. */
export interface PlanDocument {
  readonly resource_changes?: readonly PlanResourceChangeSummary[];
}

/**
 * Terraform's counts: "N to import, N to add, N to change, N to destroy", and the forgotten
 * resources apart (action "forget": never counted in `destroy`).
 */
export interface PlanCounts {
  readonly import: number;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /**
   * Resources forgotten (removed from the state, left in AWS; action "forget"), present only when
   * there are some: Terraform 1.11's summary line counts them nowhere (`Plan: 1 to add, 0 to change,
   * 0 to destroy.` for a plan that also forgets one), its text says "will no longer be managed by
   * Terraform, but will not be destroyed".
   */
  readonly forget?: number;
}

/** The counts Terraform prints in its summary line, from the plan's JSON (managed resources only). */
export function countPlannedChanges(plan: PlanDocument): PlanCounts {
  const counts = { import: 0, add: 0, change: 0, destroy: 0 };
  let forget = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== undefined && rc.mode !== "managed") continue;
    const actions = rc.change?.actions ?? [];
    if (rc.change?.importing !== undefined && rc.change?.importing !== null) counts.import++;
    if (actions.includes("create")) counts.add++;
    if (actions.includes("update")) counts.change++;
    if (actions.includes("delete")) counts.destroy++;
    if (actions.includes("forget")) forget++;
  }
  return forget > 0 ? { ...counts, forget } : counts;
}

/** `1 to import, 8 to add, 0 to change, 0 to destroy`, plus `, 1 to forget` when the plan forgets some (Terraform's own line omits them). */
export function plannedChangesText(p: PlanCounts): string {
  const forget = p.forget ? `, ${p.forget} to forget` : "";
  return `${p.import} to import, ${p.add} to add, ${p.change} to change, ${p.destroy} to destroy${forget}`;
}
