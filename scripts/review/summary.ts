// What a plan does to each resource, and the summary of one stack (with or without a plan). Part of
// npm run review; scripts/review-lib.ts re-exports the public API.
import { countPlannedChanges } from "../lib/plan-json";
import { PLUMBING_DATA, arr, checkovSkips, compare, obj, sorted, str } from "./helpers";
import { IDENTITY_CENTER_OUTPUTS } from "../../modules/identity-center-stack";
import { isIdentityCenterStack } from "./access";
import { StackView, describe, describeBackend, roleMode, stackName, warningsOf } from "./read";
import { Json, PlanJson, ResourceRow, ReviewWarning, StackSummary } from "./types";

// ---------------------------------------------------------------------------------------------
// Plans

/** Terraform's words for a resource change. */
export function plannedAction(
  change: { actions?: readonly string[]; importing?: unknown; replace_paths?: readonly (readonly (string | number)[])[] } | undefined,
): string {
  const replacePaths = change?.replace_paths ?? [];
  const actions = change?.actions ?? [];
  const importing = change?.importing !== undefined && change?.importing !== null;
  let action: string;
  if (actions.includes("create") && actions.includes("delete")) {
    const forcedBy = replacePaths.map((path) => path.join("."));
    action = forcedBy.length > 0 ? `replace (forced by ${forcedBy.join(", ")})` : "replace";
  } else if (actions.includes("create")) action = "create";
  else if (actions.includes("delete")) action = "destroy";
  else if (actions.includes("update")) action = "update";
  else if (actions.includes("read")) action = "read";
  else action = "no change";
  if (!importing) return action;
  return action === "no change" ? "import" : `import, ${action}`;
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
  const changes = new Map((plan?.resource_changes ?? []).map((rc) => [rc.address, rc]));
  const listed = [...view.resources, ...view.data.filter((d) => !PLUMBING_DATA.has(d.type))];
  const resources: ResourceRow[] = listed
    .map((block) => {
      const skips = checkovSkips(block.raw);
      const settings = `${describe(view, block)}${skips.length > 0 ? ` · Checkov skip ${sorted(skips).join(", ")}` : ""}`;
      if (!plan || block.data) return { address: block.address, settings };
      const rc = changes.get(block.address);
      return { address: block.address, settings, planned: rc ? plannedAction(rc.change) : "not in plan" };
    })
    .sort((a, b) => compare(a.address, b.address));
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
  const managed = new Set(view.resources.map((r) => r.address));
  const assumeRoleArn = str(obj(arr(provider.assume_role)[0]).role_arn);
  return {
    stack,
    region: str(provider.region),
    accountIds: arr(provider.allowed_account_ids).map(String),
    ...(assumeRoleArn !== undefined ? { assumeRoleArn } : {}),
    backend: describeBackend(stackJson, stack),
    adminAccess,
    serviceLinkedRole: roleMode(view),
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
            (plan.resource_changes ?? [])
              .filter(
                (rc) => (rc.mode ?? "managed") === "managed" && !managed.has(rc.address) && (rc.change?.actions ?? []).includes("delete"),
              )
              .map((rc) => rc.address),
          ),
          notInPlan: sorted([...managed].filter((address) => !changes.has(address))),
        }
      : {}),
  };
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
