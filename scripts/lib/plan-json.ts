// Terraform's JSON about plans, the one definition of its shapes: `terraform show -json` of a plan
// (Terraform's change counts, the changes by kind, the failed checks, the sensitive values redacted)
// and the messages of `terraform plan -json`. Shared by the offline planner
// (scripts/lib/offline-plan.ts) and the review (scripts/review-lib.ts).
import type { TerraformDiagnostic } from "./terraform";

/** How Terraform shows a sensitive value; what {@link redactSensitive} puts in its place. */
export const SENSITIVE_PLACEHOLDER = "(sensitive value)";

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

/** A resource instance change of `terraform show -json` (the fields used here). */
export interface ResourceChange {
  readonly address: string;
  /** Where a moved block brought the resource from. */
  readonly previous_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: {
    /** One action, or two for a replacement (see {@link PlanAction}). */
    readonly actions: readonly PlanAction[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly importing?: { readonly id?: string };
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

/** Values of a module in `planned_values` / `prior_state.values`. */
export interface ModuleValues {
  readonly resources?: ReadonlyArray<{
    readonly address: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    readonly values: Record<string, unknown>;
    readonly sensitive_values?: unknown;
  }>;
  readonly child_modules?: readonly ModuleValues[];
}

/** An output value in `planned_values` / `prior_state.values`. */
export interface OutputValue {
  readonly sensitive: boolean;
  readonly value?: unknown;
  readonly type?: unknown;
}

/** A check result of `terraform show -json`. */
export interface CheckResult {
  readonly address: { readonly kind: string; readonly name?: string; readonly to_display: string };
  readonly status: "pass" | "fail" | "error" | "unknown";
  readonly instances?: ReadonlyArray<{
    readonly status: string;
    readonly problems?: ReadonlyArray<{ readonly message: string }>;
  }>;
}

/** The output of `terraform show -json <plan>` (the fields used here). */
export interface PlanJson extends PlanDocument {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly errored?: boolean;
  readonly applyable?: boolean;
  readonly complete?: boolean;
  readonly planned_values?: { readonly outputs?: Record<string, OutputValue>; readonly root_module?: ModuleValues };
  readonly prior_state?: {
    readonly values?: { readonly outputs?: Record<string, OutputValue>; readonly root_module?: ModuleValues };
  };
  readonly resource_changes?: readonly ResourceChange[];
  readonly resource_drift?: readonly ResourceChange[];
  readonly output_changes?: Record<string, ResourceChange["change"]>;
  readonly checks?: readonly CheckResult[];
}

/** The managed resources of a plan by what will happen to them. */
export interface PlanChanges {
  readonly create: string[];
  readonly update: string[];
  readonly replace: string[];
  readonly delete: string[];
  /**
   * Forgotten: removed from the state and left in AWS (a `removed` block with
   * `lifecycle { destroy = false }`; `terraform show -json` action "forget", `plan -json` "remove").
   * Not a delete: never in "N to destroy" (see {@link PlanCounts.forget}). A create-then-forget
   * (["create", "forget"]) is in both `create` and `forget`.
   */
  readonly forget: string[];
  readonly noop: string[];
  /** Imported (whatever the action: no-op or update). */
  readonly import: string[];
}

/** Sorts the managed resource changes of a plan. */
export function planChanges(plan: PlanJson): PlanChanges {
  const changes: PlanChanges = { create: [], update: [], replace: [], delete: [], forget: [], noop: [], import: [] };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed") continue;
    const actions = rc.change.actions.join(",");
    if (actions === "create") changes.create.push(rc.address);
    else if (actions === "update") changes.update.push(rc.address);
    else if (actions === "delete") changes.delete.push(rc.address);
    else if (actions === "forget") changes.forget.push(rc.address);
    else if (actions === "create,forget" || actions === "forget,create") {
      // Terraform's CreateThenForget: a new object, the old one dropped from the state and left in AWS.
      changes.create.push(rc.address);
      changes.forget.push(rc.address);
    } else if (actions === "no-op") changes.noop.push(rc.address);
    else if (actions === "delete,create" || actions === "create,delete") changes.replace.push(rc.address);
    else throw new Error(`unexpected actions [${actions}] for ${rc.address}`);
    if (rc.change.importing) changes.import.push(rc.address);
  }
  return changes;
}

/** The failed checks of a plan: check name and message per problem. */
export function failedChecks(plan: PlanJson): Array<{ check: string; message: string }> {
  return (plan.checks ?? [])
    .filter((c) => c.status === "fail")
    .flatMap((c) =>
      (c.instances ?? []).flatMap((i) =>
        (i.problems ?? []).map((p) => ({ check: c.address.name ?? c.address.to_display, message: p.message })),
      ),
    );
}

/** The resources of `prior_state` (data sources read during the plan included). */
export function priorStateResources(plan: PlanJson): NonNullable<ModuleValues["resources"]>[number][] {
  const walk = (module: ModuleValues | undefined): NonNullable<ModuleValues["resources"]>[number][] =>
    module ? [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(walk)] : [];
  return walk(plan.prior_state?.values?.root_module);
}

/** Provider arguments whose constants {@link redactSensitive} removes from `configuration`. */
export const PROVIDER_SECRET_ARGUMENTS = ["secret_key", "token"] as const;

/**
 * Replaces every value a sensitivity mask covers with {@link SENSITIVE_PLACEHOLDER}
 * (`terraform show -json` prints known sensitive values in plain text; at plan time this app's
 * are unknown, so normally nothing is replaced), and the constants of the provider's
 * {@link PROVIDER_SECRET_ARGUMENTS} in `configuration` (the schema does not mark them sensitive;
 * offline, that is the override's example secret key). Returns the redacted copy and the JSON
 * paths of what was replaced.
 */
export function redactSensitive(plan: PlanJson): { plan: PlanJson; redacted: string[] } {
  const copy = JSON.parse(JSON.stringify(plan)) as Record<string, any>;
  const redacted: string[] = [];
  const redact = (container: any, key: string | number, mask: unknown, path: string): void => {
    const value = container?.[key];
    if (value === undefined || value === null || mask === undefined || mask === false) return;
    if (mask === true) {
      container[key] = SENSITIVE_PLACEHOLDER;
      redacted.push(path);
    } else if (typeof mask === "object" && typeof value === "object") {
      for (const k of Object.keys(mask as object)) {
        redact(value, Array.isArray(value) ? Number(k) : k, (mask as any)[k], `${path}.${k}`);
      }
    }
  };
  const change = (c: any, path: string) => {
    if (!c) return;
    redact(c, "before", c.before_sensitive, `${path}.before`);
    redact(c, "after", c.after_sensitive, `${path}.after`);
  };
  const moduleValues = (m: any, path: string) => {
    if (!m) return;
    (m.resources ?? []).forEach((r: any, i: number) => redact(r, "values", r.sensitive_values, `${path}.resources[${i}].values`));
    (m.child_modules ?? []).forEach((c: any, i: number) => moduleValues(c, `${path}.child_modules[${i}]`));
  };
  const outputs = (o: any, path: string) => {
    for (const [name, output] of Object.entries<any>(o ?? {})) {
      if (output.sensitive) redact(output, "value", true, `${path}.${name}.value`);
    }
  };
  (copy.resource_changes ?? []).forEach((rc: any, i: number) => change(rc.change, `resource_changes[${i}].change`));
  (copy.resource_drift ?? []).forEach((rc: any, i: number) => change(rc.change, `resource_drift[${i}].change`));
  for (const [name, c] of Object.entries<any>(copy.output_changes ?? {})) change(c, `output_changes.${name}`);
  moduleValues(copy.planned_values?.root_module, "planned_values.root_module");
  outputs(copy.planned_values?.outputs, "planned_values.outputs");
  moduleValues(copy.prior_state?.values?.root_module, "prior_state.values.root_module");
  outputs(copy.prior_state?.values?.outputs, "prior_state.values.outputs");
  for (const [name, provider] of Object.entries<any>(copy.configuration?.provider_config ?? {})) {
    for (const argument of PROVIDER_SECRET_ARGUMENTS) {
      const path = `configuration.provider_config.${name}.expressions.${argument}`;
      if (provider?.expressions?.[argument]) redact(provider.expressions[argument], "constant_value", true, `${path}.constant_value`);
    }
  }
  return { plan: copy as PlanJson, redacted };
}

// ----- terraform plan -json -----

/**
 * A diagnostic of a `-json` command: `terraform validate -json`'s diagnostics and the
 * `diagnostic` messages of `terraform plan -json` have the same shape (Terraform's
 * "machine-readable UI" docs). For a failed check block, `snippet.values` holds the values
 * of the references in the condition.
 */
export type PlanDiagnostic = TerraformDiagnostic;

/** A `planned_change` message of `terraform plan -json`. */
export interface PlannedChange {
  readonly address: string;
  /**
   * "create", "update", "replace", "delete", "move", "import", "noop", ..., and "remove" for a
   * forgotten resource (`removed` block with destroy = false; action "forget" in `terraform show -json`).
   */
  readonly action: string;
  /** For a move: the address the resource moves from. */
  readonly previousAddress?: string;
  /** For an import: the import id. */
  readonly importId?: string;
}

/** What `terraform plan -json` reported. */
export interface PlanMessages {
  readonly diagnostics: PlanDiagnostic[];
  /** The `change_summary` message (`Plan: 1 to add, ...` / `No changes. ...`), if any. */
  readonly summary?: string;
  readonly changes: PlannedChange[];
  /** The `outputs` message: each output's planned action and whether it is sensitive. */
  readonly outputs: Record<string, { readonly sensitive: boolean; readonly action: string }>;
}

interface UiMessage {
  readonly type?: string;
  readonly "@message"?: string;
  readonly diagnostic?: PlanDiagnostic;
  readonly change?: { resource: { addr: string }; previous_resource?: { addr: string }; action: string; importing?: { id: string } };
  readonly outputs?: PlanMessages["outputs"];
}

/**
 * The messages of `terraform plan -json`: one JSON object per line on stdout, typed
 * (`diagnostic`, `planned_change`, `change_summary`, `outputs`, ...; Terraform's
 * "Machine-Readable UI" documentation). Lines that are not JSON (none are expected) are ignored.
 */
export function readPlanMessages(stdout: string): PlanMessages {
  const diagnostics: PlanDiagnostic[] = [];
  const changes: PlannedChange[] = [];
  let summary: string | undefined;
  let outputs: PlanMessages["outputs"] = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const message = JSON.parse(line) as UiMessage;
    if (message.type === "diagnostic" && message.diagnostic) diagnostics.push(message.diagnostic);
    if (message.type === "change_summary") summary = message["@message"];
    if (message.type === "outputs" && message.outputs) outputs = message.outputs;
    if (message.type === "planned_change" && message.change) {
      const { resource, previous_resource: previous, action, importing } = message.change;
      changes.push({
        address: resource.addr,
        action,
        ...(previous ? { previousAddress: previous.addr } : {}),
        ...(importing ? { importId: importing.id } : {}),
      });
    }
  }
  return { diagnostics, changes, outputs, ...(summary ? { summary } : {}) };
}
