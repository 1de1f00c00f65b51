// What a plan does to each resource, and the summary of one stack (with or without a plan). Part of
// npm run review; scripts/review-lib.ts re-exports the public API.
import { PlanResourceChangeSummary, countPlannedChanges } from "../lib/plan-json";
import { PLUMBING_DATA, arr, checkovSkips, code, compare, obj, plural, sorted, str } from "./helpers";
import { IDENTITY_CENTER_OUTPUTS } from "../../modules/app/stacks/identity-center-stack";
import { isIdentityCenterStack } from "./access";
import { describe, describeBackend, roleMode } from "./describe";
import { Block, StackView, existingAdministratorsOf, retiredOf, stackName, warningsOf } from "./read";
import { Json, PlanJson, ResourceRow, ReviewWarning, StackSummary } from "./types";

// ---------------------------------------------------------------------------------------------
// Plans

/** What the review reads of a resource change: the action and, for notes, the values before and after. */
export type PlanChangeOf = PlanResourceChangeSummary & {
  readonly type?: string;
  readonly change?: {
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly after_sensitive?: unknown;
  };
};

/** Block arguments that are Terraform's, not the resource's (never in the plan's values). */
const META_ARGUMENTS = new Set(["//", "count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"]);

/** Whether `value` holds `true` anywhere (Terraform's after_unknown and after_sensitive shapes). */
const anyTrue = (value: unknown): boolean =>
  value === true || (value !== null && typeof value === "object" && Object.values(value).some(anyTrue));

/**
 * Whether the plan's value differs from what the stack sets: a literal (a string without a
 * reference, a number, a boolean) must be planned as it is, and objects and lists are compared for
 * what they set (a plan also holds the defaults; a list's order is the plan's, as for a set).
 * References, and values the plan does not know yet or hides, are not compared.
 */
function plannedDiffers(config: unknown, planned: unknown, unknown: unknown, sensitive: unknown): boolean {
  if (config === null || config === undefined) return false;
  if (typeof config === "string" && config.includes("${")) return false;
  if (unknown === true || sensitive === true) return false;
  if (typeof config !== "object") return planned === null || planned === undefined || String(planned) !== String(config);
  // cdktf writes a block of one as an object; the plan has the list.
  if (!Array.isArray(config) && Array.isArray(planned)) return plannedDiffers([config], planned, unknown, sensitive);
  if (Array.isArray(config)) {
    if (anyTrue(unknown) || anyTrue(sensitive)) return false;
    const items = Array.isArray(planned) ? planned : [];
    return config.some((item) => !items.some((p) => !plannedDiffers(item, p, undefined, undefined)));
  }
  const plannedObject = obj(planned);
  return Object.entries(config).some(([key, value]) =>
    key === "//" ? false : plannedDiffers(value, plannedObject[key], obj(unknown)[key], obj(sensitive)[key]),
  );
}

/**
 * The synthesized resources with arguments the plan gives another value than the stack sets (see
 * plannedDiffers): the plan was made from an older stack (a key's status, an email, a tag changed
 * after the plan). Arguments under ignore_changes are not compared: Terraform plans the state's
 * value there (a password reset since).
 */
function plannedOtherwise(
  resources: readonly Block[],
  changes: ReadonlyMap<string, PlanChangeOf>,
): { address: string; arguments: string[] }[] {
  const stale: { address: string; arguments: string[] }[] = [];
  for (const block of resources) {
    const change = changes.get(block.address)?.change;
    if (change?.after === null || typeof change?.after !== "object") continue; // not in the plan, or deleted
    const after = obj(change.after);
    const ignored = obj(block.raw.lifecycle).ignore_changes;
    if (ignored === "all") continue;
    const differs = Object.keys(block.raw)
      .filter((key) => !META_ARGUMENTS.has(key) && key in after && !(Array.isArray(ignored) && ignored.includes(key)))
      .filter((key) => plannedDiffers(block.raw[key], after[key], obj(change.after_unknown)[key], obj(change.after_sensitive)[key]));
    if (differs.length > 0) stale.push({ address: block.address, arguments: differs });
  }
  return stale;
}

/** Terraform's words for a resource change. */
export function plannedAction(
  change: { actions?: readonly string[]; importing?: unknown; replace_paths?: readonly (readonly (string | number)[])[] } | undefined,
): string {
  const replacePaths = change?.replace_paths ?? [];
  const actions = change?.actions ?? [];
  const importing = change?.importing !== undefined && change?.importing !== null;
  const known = ["no-op", "create", "read", "update", "delete", "forget"];
  let action: string;
  if (actions.some((a) => !known.includes(a))) {
    // An action this review does not know (a newer Terraform): shown as it is, never taken for "no change".
    action = `unknown action [${actions.join(", ")}] (see the plan)`;
  } else if (actions.includes("create") && actions.includes("delete")) {
    const forcedBy = replacePaths.map((path) => path.join("."));
    action = forcedBy.length > 0 ? `replace (forced by ${forcedBy.join(", ")})` : "replace";
  } else if (actions.includes("create") && actions.includes("forget")) {
    // Terraform's CreateThenForget: a new object, the old one dropped from the state and left in AWS.
    action = "create, and forget the old one (stays in AWS)";
  } else if (actions.includes("create")) action = "create";
  else if (actions.includes("delete")) action = "destroy";
  else if (actions.includes("forget")) action = "forget (stays in AWS)";
  else if (actions.includes("update")) action = "update";
  else if (actions.includes("read")) action = "read";
  else action = "no change";
  if (!importing) return action;
  return action === "no change" ? "import" : `import, ${action}`;
}

/** The IAM user name a change is about (before, else after), or undefined. */
function userNameOf(rc: PlanChangeOf): string | undefined {
  return str(obj(rc.change?.before).name) ?? str(obj(rc.change?.after).name);
}

function typeOf(rc: PlanChangeOf): string {
  // Real plans name the type; a hand-made one may only have the address (`type.name`).
  return rc.type ?? rc.address.split(".").slice(-2)[0];
}

/**
 * What to know before applying a plan, about IAM users' force_destroy (modules/iam/admin-user.ts): the
 * provider reads it from the state when it deletes a user, so a user deployed before the app set
 * it needs one apply that sets it (an in-place update false -> true) before removal; a user the
 * plan deletes with force_destroy false in its state fails with DeleteConflict when it has an MFA
 * device, a login profile or keys that are not managed here.
 */
export function forceDestroyNotes(changes: readonly PlanChangeOf[]): string[] {
  const users = changes.filter((rc) => (rc.mode ?? "managed") === "managed" && typeOf(rc) === "aws_iam_user");
  const actions = (rc: PlanChangeOf) => rc.change?.actions ?? [];
  const set = users.filter(
    (rc) =>
      actions(rc).includes("update") &&
      !actions(rc).includes("delete") &&
      obj(rc.change?.before).force_destroy !== true &&
      obj(rc.change?.after).force_destroy === true,
  );
  const notes: string[] = [];
  if (set.length > 0) {
    const names = set.map((rc) => code(userNameOf(rc) ?? rc.address));
    notes.push(
      `force_destroy set on ${plural(set.length, "user")} (${names.join(", ")}): apply this once before removing any of them ` +
        "(the provider reads force_destroy from the state when it deletes)",
    );
  }
  for (const rc of users.filter((u) => actions(u).includes("delete") && obj(u.change?.before).force_destroy === false)) {
    notes.push(
      `**${code(rc.address)}** (${code(userNameOf(rc) ?? "?")}) is deleted with force_destroy false in its state: the delete ` +
        "will fail with DeleteConflict if the user has an MFA device, login profile or keys not managed here: apply force_destroy " +
        "first (an apply of this version with the user still configured), then remove the user",
    );
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Summaries

/**
 * What the review says about one stack: from its synthesized JSON, the warnings (those of other
 * stacks are left out) and, when given, the offline plan of the stack.
 */
export function summarizeStack(stackJson: Json, warnings: readonly ReviewWarning[], plan?: PlanJson, name?: string): StackSummary {
  const stack = name ?? stackName(stackJson);
  const view = new StackView(stackJson);
  const provider = obj(arr(obj(stackJson.provider).aws)[0]);
  const planChanges: readonly PlanChangeOf[] = plan?.resource_changes ?? [];
  const changes = new Map(planChanges.map((rc) => [rc.address, rc]));
  const listed = [...view.resources, ...view.data.filter((d) => !PLUMBING_DATA.has(d.type))];
  const managed = new Set(view.resources.map((r) => r.address));
  const forgotten = view.forgotten().filter((address) => !managed.has(address));
  const resources: ResourceRow[] = [
    ...listed.map((block): ResourceRow => {
      const skips = checkovSkips(block.raw);
      const imported = view.importBlockOf(block.address);
      const adopted =
        imported && imported.forEach === undefined ? ` · **adopted**: it exists and is imported (id ${code(imported.id)})` : "";
      const settings = `${describe(view, block)}${adopted}${skips.length > 0 ? ` · Checkov skip ${sorted(skips).join(", ")}` : ""}`;
      if (!plan || block.data) return { address: block.address, settings };
      const rc = changes.get(block.address);
      return { address: block.address, settings, planned: rc ? plannedAction(rc.change) : "not in plan" };
    }),
    // A removed block: Terraform forgets what the state holds there (nothing when the state has none).
    ...forgotten.map((address): ResourceRow => {
      const settings = "`removed` block (lifecycle.destroy = false): Terraform forgets it, it stays in AWS, no longer managed";
      if (!plan) return { address, settings };
      const rc = changes.get(address);
      return { address, settings, planned: rc ? plannedAction(rc.change) : "not in the state (nothing to forget)" };
    }),
  ].sort((a, b) => compare(a.address, b.address));
  const listedAddresses = new Set(resources.map((r) => r.address));
  const accessGroups = view
    .ofType("aws_iam_group_policy_attachment")
    .filter((a) => /:policy\/AdministratorAccess$/.test(String(a.body.policy_arn)));
  const adminAccess = accessGroups
    .map((a) => {
      const group = view.groupAddressOf(a.body.group);
      return {
        group: view.resolve(a.body.group),
        members: group ? view.members(group) : [],
        mfaEnforced: group ? view.mfaEnforced(group) : false,
      };
    })
    .sort((a, b) => compare(a.group, b.group));
  const identityCenter = isIdentityCenterStack(stackJson) ? identityCenterOf(view) : undefined;
  const outputs = Object.entries(obj(stackJson.output))
    .map(([outputName, o]) => ({ name: outputName, sensitive: obj(o).sensitive === true }))
    .sort((a, b) => compare(a.name, b.name));
  const retired = retiredOf(stackJson);
  const existingAdministrators = existingAdministratorsOf(stackJson);
  const role = roleArnOf(stackJson, str(obj(arr(provider.assume_role)[0]).role_arn));
  return {
    stack,
    region: str(provider.region),
    accountIds: arr(provider.allowed_account_ids).map(String),
    ...(role.arn !== undefined ? { assumeRoleArn: role.arn } : {}),
    ...(role.variable !== undefined ? { assumeRoleVariable: role.variable } : {}),
    backend: describeBackend(stackJson, stack),
    adminAccess,
    serviceLinkedRole: roleMode(view),
    ...(retired ? { retired } : {}),
    ...(existingAdministrators !== undefined ? { existingAdministrators } : {}),
    ...(identityCenter ? { identityCenter } : {}),
    resources,
    resourceCount: view.resources.length,
    outputs,
    warnings: warningsOf(stack, warnings),
    source: plan ? "plan" : "synth",
    ...(plan
      ? {
          planned: countPlannedChanges(plan),
          plannedDestroyOnly: sorted(
            planChanges
              .filter(
                (rc) => (rc.mode ?? "managed") === "managed" && !managed.has(rc.address) && (rc.change?.actions ?? []).includes("delete"),
              )
              .map((rc) => rc.address),
          ),
          notInPlan: sorted([...managed].filter((address) => !changes.has(address))),
          plannedOtherwise: plannedOtherwise(view.resources, changes),
          plannedForgetOnly: sorted(
            planChanges
              .filter(
                (rc) =>
                  (rc.mode ?? "managed") === "managed" && !listedAddresses.has(rc.address) && (rc.change?.actions ?? []).includes("forget"),
              )
              .map((rc) => rc.address),
          ),
          planNotes: forceDestroyNotes(planChanges),
        }
      : {}),
  };
}

/**
 * The role the provider assumes: a literal ARN, or a Terraform variable (`${var.assume_role_arn}`,
 * modules/app/stacks/foundation.ts) read as its default, with the variable's name.
 */
export function roleArnOf(stackJson: Json, value: string | undefined): { arn?: string; variable?: string } {
  const ref = value !== undefined ? /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(value) : null;
  if (!ref) return value !== undefined ? { arn: value } : {};
  const fallback = str(obj(obj(stackJson.variable)[ref[1]]).default);
  return { arn: fallback ?? value, variable: ref[1] };
}

/** The permission set, group and accounts of an Identity Center stack, from its outputs. */
function identityCenterOf(view: StackView): NonNullable<StackSummary["identityCenter"]> {
  const value = (name: string) => obj(obj(view.json.output)[name]).value;
  return {
    permissionSet: str(value(IDENTITY_CENTER_OUTPUTS.permissionSetName)) ?? "?",
    group: view.nameOf(value(IDENTITY_CENTER_OUTPUTS.groupId)),
    accounts: Object.entries(obj(value(IDENTITY_CENTER_OUTPUTS.assignedAccounts))).map(([name, id]) => `${name} (${String(id)})`),
  };
}
