// The logic of `npm run review` (scripts/review.ts): what a reviewer of a pull request needs to
// know about the synthesized stacks, as Markdown. Everything here works on the synthesized JSON
// (`cdktf.out/stacks/<name>/cdk.tf.json`), the synth warnings and, when there is one, the JSON
// of an offline plan (`terraform show -json`); only loadOutdir and loadPlan read files.
//
// Secrets: the synthesized JSON holds no secret values, yet nothing here prints the value of a
// sensitive output, nor in full any attribute named like a secret, a password or a PGP key
// (a PGP key is shown as `keybase:<user>` or `(base64 PGP key, N chars, sha256 <8 hex>)`).
//
// The parts live in scripts/review/: types, helpers, read (the stack JSON), summary (plans and
// per-stack summaries), diff (comparison with a base), render (Markdown), comment (the bounded
// comment and job summary), files (cdktf.out, plans).
export { countPlannedChanges, plannedChangesText } from "./lib/plan-json";
export * from "./review/access";
export * from "./review/comment";
export * from "./review/diff";
export * from "./review/files";
export { describePgpKey, isSecretAttribute, showValue } from "./review/helpers";
export { adminModel, existingAdministratorsOf, retiredOf, stackName } from "./review/read";
export type { AccessKeyModel, AdminModel, AdminUserModel } from "./review/read";
export * from "./review/render";
export { forceDestroyNotes, plannedAction, summarizeStack } from "./review/summary";
export type * from "./review/types";
