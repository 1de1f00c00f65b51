// Documented deviations from scanner rules, recorded where Checkov reads them in CDKTF output:
// the resource's "//" object, beside CDKTF's own "metadata":
//   "//": { "checkov": { "skip": [ { "id": "CKV_AWS_274", "comment": "..." } ] }, "metadata": {...} }
import { TerraformResource } from "cdktf";

/** A Checkov check skipped on purpose, with the reason a reviewer reads. */
export interface CheckovSkip {
  /** Checkov check id, e.g. CKV_AWS_274. */
  readonly id: string;
  /** Why the deviation is intended. */
  readonly comment: string;
}

const skips = new WeakMap<TerraformResource, CheckovSkip[]>();

/** Records Checkov skips on a resource (added to those already recorded). */
export function skipCheckov(resource: TerraformResource, ...add: CheckovSkip[]): void {
  const all = [...(skips.get(resource) ?? []), ...add];
  skips.set(resource, all);
  resource.addOverride("//.checkov.skip", all);
}
