// The comparison with the previous synth in the output folder: stacks no longer configured, another
// configuration file, and resources that Terraform would replace, delete or leave unchanged (ignore_changes).
import { existsSync, readFileSync, readdirSync } from "fs";
import { basename, join, resolve } from "path";
import { SetupConfig } from "../config";
import { DELETION_CONSEQUENCE, REPLACEMENT_CONSEQUENCE, ignoredChanges, replacementCauses } from "./replacements";
import { withId } from "../../core/warnings";
import { SynthWarning, acknowledgementOf } from "../warnings";
import { STACK_FILES } from "./output-journal";
import { EXAMPLE_ACCOUNT_ID } from "../stacks/foundation";

/** The file in the output folder that records which configuration file the last synth read. */
export const SYNTH_SOURCE_FILE = "synth-source.json";

/** The user of each resource that belongs to one, by stack, then by address (`aws_iam_user.<name>`). */
export type ResourceUsers = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What {@link SYNTH_SOURCE_FILE} records: the configuration file, and whose each resource a later synth may warn of deleting is. */
export interface SynthSource {
  /** The configuration file the synth read (absolute). */
  readonly configFile: string;
  /**
   * By stack, then by user: the addresses of the user's resources whose deletion a later synth warns of
   * ({@link DELETION_CONSEQUENCE}'s types). A departed user's deletions are told by it, without reading an id.
   */
  readonly users?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The part of the users of this synth that {@link SynthSource.users} keeps (the types a deletion warning names). */
export function usersToRecord(users: ResourceUsers): NonNullable<SynthSource["users"]> {
  const kept: Record<string, Record<string, string[]>> = {};
  for (const [stack, byAddress] of Object.entries(users)) {
    for (const [address, user] of Object.entries(byAddress)) {
      if (!(address.split(".")[0] in DELETION_CONSEQUENCE)) continue;
      ((kept[stack] ??= {})[user] ??= []).push(address);
    }
  }
  return kept;
}

/** {@link SynthSource.users} read back as {@link ResourceUsers}; what is not of that shape (a hand-edited file) is left out. */
function recordedUsers(source: SynthSource | undefined): ResourceUsers {
  const users: Record<string, Record<string, string>> = {};
  const entries = (value: unknown) => (value !== null && typeof value === "object" ? Object.entries(value) : []);
  for (const [stack, byUser] of entries(source?.users)) {
    for (const [user, addresses] of entries(byUser)) {
      if (!Array.isArray(addresses)) continue;
      for (const address of addresses) if (typeof address === "string") (users[stack] ??= {})[address] = user;
    }
  }
  return users;
}

/** The {@link SynthSource} the previous synth left in the output folder, if any. */
export function previousSynthSource(outdir: string): SynthSource | undefined {
  try {
    const source = JSON.parse(readFileSync(join(outdir, SYNTH_SOURCE_FILE), "utf8")) as Partial<SynthSource>;
    return typeof source.configFile === "string" ? { configFile: source.configFile, users: source.users } : undefined;
  } catch {
    return undefined;
  }
}

/** What {@link pinsOnlyExampleAccount} and {@link neverApplicable} read of a stack's JSON. */
type StackTarget = { provider?: { aws?: unknown }; terraform?: { backend?: Record<string, { path?: unknown }> } };

/**
 * Whether a stack pins only AWS's documentation account id ({@link EXAMPLE_ACCOUNT_ID}, the shipped
 * sample) in every provider "aws": the provider refuses the credentials of every real account, so
 * nothing of it can be in AWS.
 */
export function pinsOnlyExampleAccount(stack: StackTarget): boolean {
  const providers = stack.provider?.aws;
  return (
    Array.isArray(providers) &&
    providers.length > 0 &&
    providers.every((p: { allowed_account_ids?: unknown }) => {
      const ids = p?.allowed_account_ids;
      return Array.isArray(ids) && ids.length > 0 && ids.every((id) => id === EXAMPLE_ACCOUNT_ID);
    })
  );
}

/**
 * Whether the stack in a folder of an earlier synth was never applied: it
 * {@link pinsOnlyExampleAccount}, and Terraform never ran there (no `.terraform/`, as `cdktf deploy`
 * or `terraform init` leave) nor left the local backend's state file. The JSON alone is not
 * enough: a forgotten SETUP_CONFIG writes the sample's JSON over a stack that was applied. A
 * folder of the HCL form, one that cannot be read, or one with another backend (its state is not
 * here to see) is not known to be one.
 */
export function neverApplicable(stackDir: string): boolean {
  let stack: StackTarget;
  try {
    stack = JSON.parse(readFileSync(join(stackDir, STACK_FILES.json), "utf8")) as StackTarget;
  } catch {
    return false;
  }
  if (!pinsOnlyExampleAccount(stack) || existsSync(join(stackDir, ".terraform"))) return false;
  const backend = stack.terraform?.backend;
  if (backend !== undefined && backend.local === undefined) return false;
  const statePath = typeof backend?.local?.path === "string" ? backend.local.path : "terraform.tfstate";
  return !existsSync(resolve(stackDir, statePath));
}

/** The stack folders of an earlier synth whose stack the configuration no longer has (sorted). */
export function removedStacks(stacksDir: string, names: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(stacksDir).sort();
  } catch {
    return [];
  }
  return entries.filter(
    (entry) => !names.includes(entry) && Object.values(STACK_FILES).some((file) => existsSync(join(stacksDir, entry, file))),
  );
}

/**
 * Stack folders of an earlier synth whose stack the configuration no longer has (see
 * {@link removedStacks}): what they made stays in AWS, unmanaged, and nothing would plan it again.
 * The folder is kept (not in the manifest) and the warning repeats until the stack is retired or
 * the folder deleted. The caller leaves out those that were {@link neverApplicable} (the shipped
 * sample, before the first synth of one's own configuration): nothing of them is in AWS.
 */
export function removedStackWarnings(entries: readonly string[]): SynthWarning[] {
  return entries.map((entry) => ({
    path: entry,
    id: "stack-removed" as const,
    kind: "action" as const,
    message: withId(
      "stack-removed",
      `stack ${entry} was synthesized before and is no longer in the configuration: the users, keys and group (or the ` +
        "Identity Center users, permission set and assignments) it made, if it was ever applied, STAY in AWS, unmanaged, " +
        `and no plan covers them. To take it out, put the entry back with "retire": true, apply its plan, then delete ` +
        `the entry. npm run synth keeps its folder ${join("stacks", entry)} for that (the cdktf CLI deletes it); delete ` +
        "the folder once the stack is retired or destroyed, or at once if it was never applied.",
    ),
  }));
}

/** A synth into a folder that the last synth filled from another configuration file (a missing SETUP_CONFIG, say). */
export function configFileWarnings(outdir: string, configFile: string, source: SynthSource | undefined): SynthWarning[] {
  const previous = source?.configFile;
  if (previous === undefined || previous === resolve(configFile)) return [];
  // A folder that held only stacks that were never applicable (the shipped sample): nothing to mix up.
  const stacksDir = join(outdir, "stacks");
  const earlier = removedStacks(stacksDir, []);
  if (earlier.length > 0 && earlier.every((entry) => neverApplicable(join(stacksDir, entry)))) return [];
  return [
    {
      path: basename(outdir),
      id: "config-file-changed",
      kind: "action",
      message: withId(
        "config-file-changed",
        `${basename(outdir)} was last synthesized from ${previous}; this synth reads ${resolve(configFile)} and replaces the ` +
          "stacks they share. If that is not what you meant, set SETUP_CONFIG to your configuration and synthesize again " +
          `before you plan. A deliberate switch: synthesize once without --strict, or delete ${basename(outdir)}.`,
      ),
    },
  ];
}

type StackJson = StackTarget & { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** The text of each stack's JSON left by the previous synth in the output folder (read before it is replaced). */
export function previousStackJson(outdir: string, names: readonly string[]): Map<string, string> {
  const previous = new Map<string, string>();
  for (const name of names) {
    try {
      previous.set(name, readFileSync(join(outdir, "stacks", name, STACK_FILES.json), "utf8"));
    } catch {
      // no previous JSON synth of this stack: nothing to compare with
    }
  }
  return previous;
}

/**
 * The resources the new synth makes Terraform replace (or changes it ignores), compared with the
 * previous synth in the same folder: synth knows no deployed state. Run after synth, from the JSON
 * just written (an unchanged stack costs one string comparison); the arguments that force
 * replacement are the provider's (see replacements.ts). Not in the manifest: they compare two
 * synths, not the stack.
 */
export function replacementWarnings(
  outdir: string,
  names: readonly string[],
  previous: ReadonlyMap<string, string>,
  config: SetupConfig,
  hclJson: ReadonlyMap<string, string>,
  users: { readonly before: SynthSource | undefined; readonly after: ResourceUsers },
): SynthWarning[] {
  const warnings: SynthWarning[] = [];
  const recorded = recordedUsers(users.before);
  for (const name of names) {
    const before = previous.get(name);
    if (before === undefined) continue;
    const after = hclJson.get(name) ?? readFileSync(join(outdir, "stacks", name, STACK_FILES.json), "utf8");
    if (after === before) continue;
    const old = JSON.parse(before) as StackJson;
    const current = JSON.parse(after) as StackJson;
    // The sample's stack, now with one's own account: nothing of the sample was applied to replace or delete.
    if (pinsOnlyExampleAccount(old) && !pinsOnlyExampleAccount(current)) continue;
    // The construct path CDKTF records on each resource (`prod/AdminUser-bob/Resource`), shown as the
    // warning's place; the user whose resource it is (an acknowledgement scoped to a user matches the
    // changes of that user's resources) as this synth's stack placed it, or the previous one for a departed user.
    const pathOf = (body: Record<string, unknown>) =>
      String((body["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? name);
    const warn = (id: "replacement" | "ignored-change" | "deletion", message: string, body: Record<string, unknown>, address: string) => {
      const path = pathOf(body);
      const user = users.after[name]?.[address] ?? recorded[name]?.[address];
      const ack = acknowledgementOf(config, { stack: name, user }, id);
      const decided = ack === undefined ? {} : { reason: config.acknowledge[ack].reason };
      warnings.push({
        path,
        message: withId(id, message),
        id,
        kind: ack === undefined ? "action" : "acknowledged",
        ...decided,
        stack: name,
        ...(user !== undefined ? { user } : {}),
      });
    };
    for (const [type, consequence] of Object.entries(DELETION_CONSEQUENCE)) {
      for (const [gone, body] of Object.entries(old.resource?.[type] ?? {}).filter(([n]) => !current.resource?.[type]?.[n])) {
        warn(
          "deletion",
          `${type}.${gone} is no longer in the stack, so Terraform DELETES it: ${consequence}. Check the plan before you apply.`,
          body,
          `${type}.${gone}`,
        );
      }
    }
    for (const [type, byName] of Object.entries(current.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const was = old.resource?.[type]?.[name];
        if (!was) continue;
        const consequence = REPLACEMENT_CONSEQUENCE[type];
        const causes = replacementCauses(type, was, body);
        if (causes.length > 0) {
          warn(
            "replacement",
            `${type}.${name}: ${causes.join(", ")} changed since the last synth, which makes Terraform REPLACE it` +
              `${consequence ? `: ${consequence}` : ""}. Check the plan before you apply.`,
            body,
            `${type}.${name}`,
          );
        }
        const ignored = ignoredChanges(was, body);
        if (ignored.length > 0) {
          warn(
            "ignored-change",
            `${type}.${name}: ${ignored.join(", ")} changed since the last synth, but lifecycle.ignore_changes keeps an existing ` +
              `resource as it is, so this has no effect on it. To apply it, replace the resource once: ` +
              `terraform apply -replace=${type}.${name}${consequence ? ` (${consequence})` : ""}.`,
            body,
            `${type}.${name}`,
          );
        }
      }
    }
  }
  return warnings;
}
