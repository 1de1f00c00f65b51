// Deviations from Checkov's rules that the guide asks for, recorded where Checkov really applies
// them. What Checkov reads (bridgecrewio/checkov 3.3.13, read at commit 03d5fdad):
//
// - cdk.tf.json (framework terraform_json): no in-file skip at all. TerraformJsonRunner scans each
//   resource with an empty skip list (checkov/terraform_json/runner.py:
//   `registry.scan(scanned_file, entity, [], runner_filter, ...)`), and its parser copies a `"//"`
//   key without reading it. What does apply is `skip-check` in a `.checkov.yaml` that Checkov finds
//   by itself in the folder given with `-d` (checkov/common/util/config_utils.py,
//   get_default_config_paths: the `-d` folder, the working directory, the home folder). That skip
//   holds for the whole scan, so the app writes one such file per stack folder, listing only the
//   checks that stack deviates from: the finest scope Checkov offers for Terraform JSON.
// - cdk.tf (`cdktf synth --hcl`): `checkov:skip=<id>:<reason>` on a line strictly inside the
//   resource block (checkov/terraform/context_parsers/base_parser.py, COMMENT_REGEX of
//   checkov/common/comment/enum.py), which skips that check for that resource only, reason kept.
//
// The same records also go into the resource's `"//"` object as `deviations`, for people reading
// the JSON or `npm run review`; Checkov does not read that.
import { TerraformResource, TerraformStack } from "cdktf";

/** A Checkov check that a resource fails on purpose, with the reason a reviewer reads. */
export interface CheckovSkip {
  /** Checkov check id, e.g. CKV_AWS_273. */
  readonly id: string;
  /** Why the deviation is intended (one line). */
  readonly comment: string;
}

/** The skips of one resource, by its Terraform address. */
export interface ResourceCheckovSkips {
  /** Terraform address, `<type>.<name>`. */
  readonly address: string;
  /** Resource type, e.g. aws_iam_user. */
  readonly type: string;
  /** Resource name in the stack (its logical id). */
  readonly name: string;
  /** The checks it deviates from, with the reasons. */
  readonly skips: readonly CheckovSkip[];
}

/** Name of the Checkov configuration file written into each JSON stack folder. */
export const CHECKOV_CONFIG_FILE = ".checkov.yaml";

const skips = new WeakMap<TerraformResource, CheckovSkip[]>();

/** Records Checkov skips on a resource (added to those already recorded). */
export function skipCheckov(resource: TerraformResource, ...add: CheckovSkip[]): void {
  for (const skip of add) {
    if (/[\r\n]/.test(skip.comment)) throw new Error(`checkov skip ${skip.id}: the reason must be one line`);
  }
  const all = [...(skips.get(resource) ?? []), ...add];
  skips.set(resource, all);
  resource.addOverride(
    "//.deviations",
    all.map((s) => ({ checkov: s.id, reason: s.comment })),
  );
}

/** The skips recorded on the resources of a stack, sorted by address. */
export function checkovSkipsOf(stack: TerraformStack): ResourceCheckovSkips[] {
  return stack.node
    .findAll()
    .filter((c): c is TerraformResource => c instanceof TerraformResource && skips.has(c))
    .map((r) => ({
      address: `${r.terraformResourceType}.${r.friendlyUniqueId}`,
      type: r.terraformResourceType,
      name: r.friendlyUniqueId,
      skips: skips.get(r) ?? [],
    }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/**
 * The `.checkov.yaml` of a JSON stack folder: `skip-check` with each check the stack deviates from,
 * the resources and reasons as YAML comments. Undefined when the stack skips nothing.
 */
export function checkovConfig(resources: readonly ResourceCheckovSkips[]): string | undefined {
  const byCheck = new Map<string, string[]>();
  for (const r of resources) {
    for (const s of r.skips) byCheck.set(s.id, [...(byCheck.get(s.id) ?? []), `${r.address}: ${s.comment}`]);
  }
  if (byCheck.size === 0) return undefined;
  const lines = [
    "# Written by incident-manager-setup at synth: Checkov reads this file when it scans this folder",
    "# (checkov -d <this folder>). For Terraform JSON, Checkov applies no skip written in the file",
    "# itself, so these skips hold for every resource of this stack; the reasons are per resource.",
    "skip-check:",
  ];
  for (const id of [...byCheck.keys()].sort()) {
    lines.push(`  - ${id}`);
    for (const why of byCheck.get(id) ?? []) lines.push(`    # ${why}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The HCL of a stack (`cdktf synth --hcl`) with a `# checkov:skip=<id>:<reason>` line as the first
 * line inside each resource block that has skips. Throws if a block is not found.
 */
export function withCheckovSkipComments(hcl: string, resources: readonly ResourceCheckovSkips[]): string {
  let out = hcl;
  for (const r of resources) {
    const header = `resource "${r.type}" "${r.name}" {\n`;
    const at = out.indexOf(header);
    if (at < 0) throw new Error(`checkov skips: no block ${r.address} in the HCL output`);
    const comments = r.skips.map((s) => `  # checkov:skip=${s.id}:${s.comment}\n`).join("");
    out = out.slice(0, at + header.length) + comments + out.slice(at + header.length);
  }
  return out;
}
