// What synthesis tells the user, by id. Two kinds:
// - "action": something to act on (or to acknowledge in the configuration, `acknowledge: [id]`,
//   once the team has decided on it). Printed on every synth until acknowledged; `--strict`
//   fails on an unacknowledged one.
// - "note": a deliberate deviation the guide itself asks for (AdministratorAccess, keys beside a
//   console password). Recorded once, in docs/operating.md ("Warnings") and in `npm run review`; never
//   printed on a synth. Kept out of CDKTF's manifest (a metadata type of our own), so `cdktf synth`
//   does not print it either.
import { Annotations } from "cdktf";
import { IConstruct } from "constructs";

/** Every warning and note the constructs record, by id: its kind and what it is about (docs/operating.md "Warnings"). */
export const WARNINGS = {
  "plaintext-password-in-state": {
    kind: "action",
    about: "A console password without console.pgpKey: the initial password is in plain text in the Terraform state.",
  },
  "plaintext-secret-in-state": {
    kind: "action",
    about: "An access key without pgpKey: the secret access key is in plain text in the Terraform state (also with secretStore).",
  },
  "password-policy-unmanaged": {
    kind: "action",
    about: "passwordPolicy is false while someone signs in to the console: the account's password policy is whatever it is.",
  },
  "mfa-not-enforced": { kind: "action", about: "adminGroup.enforceMfa: false: no administrator needs MFA." },
  "mfa-exempt-user": { kind: "action", about: "requireMfa: false: a programmatic user's keys alone are administrator access." },
  "key-rotation-in-progress": { kind: "action", about: "keyRotationInProgress: true: finish the rotation, then remove the flag." },
  replacement: { kind: "action", about: "A change since the last synth makes Terraform replace a resource (e.g. a new pgp_key)." },
  deletion: {
    kind: "action",
    about: "A resource of the last synth is no longer in its stack: Terraform deletes it (a person taken out, or a rename).",
  },
  "ignored-change": {
    kind: "action",
    about: "A change since the last synth falls under ignore_changes: it has no effect without -replace.",
  },
  "stack-retired": {
    kind: "action",
    about: "retire: true: the stack's plan destroys what the app made there and forgets the service-linked role and what was adopted.",
  },
  "example-account-id": {
    kind: "action",
    about: "accountId is AWS's documentation example 111122223333: the provider refuses every real account (the shipped sample).",
  },
  "stack-removed": {
    kind: "action",
    acknowledgeable: false,
    about: "A stack of the last synth is no longer configured: what it made stays in AWS, unmanaged (retire it instead).",
  },
  "config-file-changed": {
    kind: "action",
    acknowledgeable: false,
    about: "The output folder was last synthesized from another configuration file (SETUP_CONFIG set then, not now, or the reverse).",
  },
  "stale-acknowledgement": {
    kind: "action",
    acknowledgeable: false,
    about: "An acknowledge entry matches no warning: remove it, or fix its id, account or user.",
  },
  "admin-access": {
    kind: "note",
    about: "CIS 1.16: AdministratorAccess on the IAM group or the Identity Center permission set, as the guide asks.",
  },
  "keys-with-console": { kind: "note", about: "CIS 1.11: access keys beside a console password, as the guide creates them." },
  "key-needs-mfa-session": {
    kind: "note",
    about: "With the MFA policy, an access key works only through `aws sts get-session-token` with an MFA code.",
  },
} as const satisfies Record<string, { kind: "action" | "note"; acknowledgeable?: false; about: string }>;

/** The id of a warning or note (a key of {@link WARNINGS}). */
export type WarningId = keyof typeof WARNINGS;

/** The ids a configuration may acknowledge (the "action" ones, but those about the run rather than the configuration). */
export const ACKNOWLEDGEABLE = Object.keys(WARNINGS).filter((id) => {
  const warning: { kind: string; acknowledgeable?: false } = WARNINGS[id as WarningId];
  return warning.kind === "action" && warning.acknowledgeable !== false;
}) as WarningId[];

/**
 * Ids that compare this synth with the previous one: they come and go with one change, so an
 * acknowledgement of one is never reported stale.
 */
export const COMPARISON_IDS: readonly WarningId[] = ["replacement", "ignored-change", "deletion"];

/** Metadata types of our own: not CDKTF annotations, so neither the manifest nor `cdktf synth` prints them. */
export const NOTE_METADATA = "incident-manager/note";
/** Metadata type of a warning that the configuration acknowledges (see {@link NOTE_METADATA}). */
export const ACKNOWLEDGED_METADATA = "incident-manager/acknowledged";

/** The message as recorded: the text, then the id in brackets (so the manifest and the review keep it). */
export function withId(id: WarningId, message: string): string {
  return `${message} [${id}]`;
}

/** The id at the end of a recorded message, if any. */
export function warningIdOf(message: string): WarningId | undefined {
  const id = /\[([a-z-]+)\]$/.exec(message)?.[1];
  return id !== undefined && id in WARNINGS ? (id as WarningId) : undefined;
}

/** Records a warning (an "action") or a note on a construct, by id. */
export function warn(scope: IConstruct, id: WarningId, message: string): void {
  if (WARNINGS[id].kind === "note") scope.node.addMetadata(NOTE_METADATA, withId(id, message));
  else Annotations.of(scope).addWarning(withId(id, message));
}
