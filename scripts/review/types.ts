// The shapes the review works with: synth output, warnings, per-stack summaries, diffs. Part of npm
// run review; scripts/review-lib.ts re-exports the public API.
import type { Json } from "../lib/json";
import { PlanCounts, PlanDocument } from "../lib/plan-json";

export type { Json };

/** The plan document the review reads (scripts/lib/plan-json.ts). */
export type PlanJson = PlanDocument;

/** A warning recorded on a construct (as synthesize() returns them, or manifest.json holds them). */
export interface ReviewWarning {
  readonly path: string;
  readonly message: string;
  /**
   * "action" (printed by synth; the default, and all that a manifest holds), "acknowledged" (the
   * configuration's `acknowledge` lists its id), "note" (a deviation the guide asks for).
   */
  readonly kind?: "action" | "acknowledged" | "note";
  /** The warning's id (synthesize() gives it; a manifest's warnings carry it in brackets only). */
  readonly id?: string;
  /** Why the team accepts it: the matching `acknowledge` entry's reason (acknowledged warnings only). */
  readonly reason?: string;
}

/** One synthesized cdktf.out folder: the stacks' JSON by name, and the warnings. */
export interface SynthOutput {
  readonly stacks: Readonly<Record<string, Json>>;
  readonly warnings: readonly ReviewWarning[];
}

/** A row of a stack's resource table. */
export interface ResourceRow {
  /** `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  /** The key settings, readable. */
  readonly settings: string;
  /** What the plan does to it (only with a plan). */
  readonly planned?: string;
}

/** Who gets AdministratorAccess in a stack. */
export interface AdminAccess {
  readonly group: string;
  readonly members: readonly string[];
  readonly mfaEnforced: boolean;
}

/** Everything the review says about one stack (account). */
export interface StackSummary {
  readonly stack: string;
  readonly region?: string;
  /** allowed_account_ids of the provider (the configured accountId). */
  readonly accountIds: readonly string[];
  readonly assumeRoleArn?: string;
  /**
   * The Terraform variable the provider's role comes from (its default is {@link assumeRoleArn}):
   * a CI job that assumed a role itself sets it to "" (modules/app/stacks/foundation.ts).
   */
  readonly assumeRoleVariable?: string;
  /** e.g. "local `terraform.x.tfstate`" or "s3 `s3://bucket/key` (...)". */
  readonly backend: string;
  readonly adminAccess: readonly AdminAccess[];
  /** auto (...), create, adopt (import id ...), reference (data source), forgotten (retired), or "not managed". */
  readonly serviceLinkedRole: string;
  /**
   * A retired stack (`retire: true`: provider and backend, no resource or data source): its plan
   * destroys what the app made, and forgets (`removed` blocks with destroy = false) these addresses.
   */
  readonly retired?: { readonly forgets: readonly string[] };
  /** Administrators managed outside this app, as the configuration says (`existingAdministrators`). */
  readonly existingAdministrators?: string;
  /** An Identity Center stack: the permission set, its group, and the accounts it is assigned in. */
  readonly identityCenter?: { readonly permissionSet: string; readonly group: string; readonly accounts: readonly string[] };
  /** Managed resources and the data sources worth reviewing, sorted by address. */
  readonly resources: readonly ResourceRow[];
  /** Number of managed resources. */
  readonly resourceCount: number;
  readonly outputs: readonly { readonly name: string; readonly sensitive: boolean }[];
  /** The stack's warnings, sorted by path, then message. */
  readonly warnings: readonly ReviewWarning[];
  readonly source: "plan" | "synth";
  readonly planned?: PlanCounts;
  /** With a plan: resources it would destroy that are not in the synthesized JSON. */
  readonly plannedDestroyOnly?: readonly string[];
  /** With a plan: synthesized resources the plan does not mention (the plan is older than the JSON). */
  readonly notInPlan?: readonly string[];
  /** With a plan: synthesized resources with literal arguments the plan gives other values (the plan is older than the JSON). */
  readonly plannedOtherwise?: readonly { readonly address: string; readonly arguments: readonly string[] }[];
  /** With a plan: resources it forgets (removed from the state, left in AWS) that the table does not list. */
  readonly plannedForgetOnly?: readonly string[];
  /** With a plan: what to know before applying it (force_destroy of IAM users, ...), one line each. */
  readonly planNotes?: readonly string[];
}

/** The comparison of one stack with the base. */
export interface StackChange {
  readonly stack: string;
  readonly change: "added" | "removed" | "changed";
  /** `+ address`, `- address`, `~ address: attribute old -> new`, `+ output name`, ... */
  readonly lines: readonly string[];
  /** Managed resources of an added or removed stack. */
  readonly resourceCount: number;
  /** The stack is retired in the head and was not in the base (`retire: true`: its plan destroys what the app made). */
  readonly retired?: boolean;
  readonly warningsAdded: readonly string[];
  readonly warningsRemoved: readonly string[];
}

/** The comparison of the head with the base: only stacks that differ, sorted by name. */
export interface ReviewDiff {
  readonly stacks: readonly StackChange[];
}

/** What {@link renderMarkdown} renders. */
export interface ReviewInput {
  readonly summaries: readonly StackSummary[];
  /** The comparison with a base, when one was given. */
  readonly diff?: ReviewDiff;
  /** What the base was, e.g. git `main` (commit abc1234). */
  readonly baseLabel?: string;
  /** The configuration file, as shown. */
  readonly configLabel?: string;
  /**
   * Who administers which account, in the head (and in the base, when one was given); `planned`:
   * the access the offline plans take away (see plannedAccessLosses).
   */
  readonly access?: { readonly head: AccessGraph; readonly base?: AccessGraph; readonly planned?: readonly string[] };
  /**
   * Warnings of no stack of the head: a stack no longer configured (stack-removed), an
   * acknowledgement that matches nothing (stale-acknowledgement), the output folder's previous
   * configuration file (config-file-changed).
   */
  readonly otherWarnings?: readonly ReviewWarning[];
}

// The access graph of the review (access.ts builds and draws it).
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
  /** The stack that makes the edge. */
  readonly stack?: string;
  /** The resource addresses the edge rests on (an IAM user and its membership, a group and its attachment). */
  readonly grants?: readonly string[];
}

/** One row of the table: who administers an account, and through what. */
export interface AccessRow {
  readonly account: string;
  /** "outside this app": the account's `existingAdministrators` (this app grants nothing there). */
  readonly through: "IAM group" | "IAM Identity Center" | "outside this app";
  /** The IAM group, the Identity Center group and permission set, or the configured text. */
  readonly via: string;
  readonly people: readonly string[];
  /** The stack that grants the access (or says who has it). */
  readonly stack: string;
  /**
   * The resource addresses the access rests on, where the review can tell (IAM groups): the
   * group's (group, AdministratorAccess attachment) and each person's (user, group membership).
   */
  readonly grants?: { readonly via: readonly string[]; readonly people: Readonly<Record<string, readonly string[]>> };
}

export interface AccessGraph {
  readonly nodes: ReadonlyMap<string, AccessNode>;
  readonly edges: readonly AccessEdge[];
  readonly rows: readonly AccessRow[];
  /** The stacks of the synth, sorted: a row of a stack not among them is no longer managed, not destroyed. */
  readonly stacks: readonly string[];
  /** Retired stacks (no resources: their plans destroy what the app made), by name: what each forgets. */
  readonly retired: ReadonlyMap<string, readonly string[]>;
}
