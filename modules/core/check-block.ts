import { Construct } from "constructs";
import { TerraformStack } from "cdktf";

/** Properties of a {@link CheckBlock}. */
export interface CheckBlockProps {
  /** Name of the check block (a Terraform identifier). */
  readonly name: string;
  /** The condition, a Terraform expression without `${}`, e.g. `!endswith(data.x.y.arn, ":root")`. */
  readonly condition: string;
  /** What Terraform prints when the condition is false (a warning; the plan goes on). */
  readonly errorMessage: string;
}

/**
 * A Terraform `check` block with one assertion: a warning at plan and apply time. CDKTF 0.21 has
 * no construct for check blocks, so this one writes it into the stack's JSON (a stack override)
 * and renders it as HCL for `cdktf synth --hcl`, whose renderer drops stack overrides.
 */
export class CheckBlock extends Construct {
  /** Name of the check block. */
  public readonly checkName: string;
  /** The condition, a Terraform expression without `${}`. */
  public readonly condition: string;
  /** What Terraform prints when the condition is false. */
  public readonly errorMessage: string;

  constructor(scope: Construct, id: string, props: CheckBlockProps) {
    super(scope, id);
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(props.name)) {
      throw new Error(
        `name: ${JSON.stringify(props.name)} is not a Terraform identifier (letters, digits, _ and -, not starting with a digit)`,
      );
    }
    this.checkName = props.name;
    this.condition = props.condition;
    this.errorMessage = props.errorMessage;
    TerraformStack.of(this).addOverride(`check.${props.name}`, {
      assert: [{ condition: `\${${props.condition}}`, error_message: props.errorMessage }],
    });
  }

  /** The block in HCL. */
  public toHcl(): string {
    return (
      `\ncheck ${JSON.stringify(this.checkName)} {\n  assert {\n    condition     = ${this.condition}\n` +
      `    error_message = ${JSON.stringify(this.errorMessage)}\n  }\n}\n`
    );
  }

  /** The check blocks under a scope, in tree order, as HCL. */
  public static hclOf(scope: Construct): string {
    return scope.node
      .findAll()
      .filter((c): c is CheckBlock => c instanceof CheckBlock)
      .map((c) => c.toHcl())
      .join("");
  }
}
