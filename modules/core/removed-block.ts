import { Construct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";

/** Properties of a {@link RemovedBlocks}. */
export interface RemovedBlocksProps {
  /**
   * Addresses (`<type>.<name>`) of resources the state holds and the configuration no longer
   * declares, which Terraform must forget rather than destroy.
   */
  readonly addresses: readonly string[];
}

/**
 * Terraform `removed` blocks with `lifecycle { destroy = false }` (Terraform 1.7 or later): the
 * plan forgets each resource ("will no longer be managed by Terraform") and leaves it in AWS.
 * CDKTF 0.21 has no construct for them, so this one writes them into the stack's JSON (a stack
 * override) and renders them as HCL for `cdktf synth --hcl`, whose renderer drops stack overrides.
 */
export class RemovedBlocks extends Construct {
  /** The forgotten addresses, sorted. */
  public readonly addresses: readonly string[];

  constructor(scope: Construct, id: string, props: RemovedBlocksProps) {
    super(scope, id);
    for (const address of props.addresses) {
      if (!/^[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*$/.test(address)) {
        throw new Error(`addresses: ${JSON.stringify(address)} is not a resource address (<type>.<name>)`);
      }
    }
    this.addresses = [...new Set(props.addresses)].sort();
    if (this.addresses.length > 0) {
      // removed blocks: Terraform 1.7.
      TerraformStack.of(this).addOverride("terraform.required_version", ">= 1.7.0");
      TerraformStack.of(this).addOverride(
        "removed",
        this.addresses.map((from) => ({ from, lifecycle: { destroy: false } })),
      );
    }
  }

  /** The address of a resource, as a `removed` block names it. */
  public static addressOf(resource: TerraformResource): string {
    return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
  }

  /** The blocks in HCL. */
  public toHcl(): string {
    return this.addresses.map((from) => `\nremoved {\n  from = ${from}\n\n  lifecycle {\n    destroy = false\n  }\n}\n`).join("");
  }

  /** The removed blocks under a scope, in tree order, as HCL. */
  public static hclOf(scope: Construct): string {
    return scope.node
      .findAll()
      .filter((c): c is RemovedBlocks => c instanceof RemovedBlocks)
      .map((c) => c.toHcl())
      .join("");
  }
}
