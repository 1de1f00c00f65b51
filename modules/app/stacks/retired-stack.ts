import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { BackendConfig } from "../config";
import { RemovedBlocks } from "../../core/removed-block";
import { StackTarget, addProviderAndBackend } from "./foundation";
import { warn } from "../../core/warnings";

/** Properties of a {@link RetiredStack}. */
export interface RetiredStackProps {
  /** The account (or Identity Center) the stack ran in, as before: the provider must reach the same account. */
  readonly target: StackTarget;
  /** Where the stack keeps its state (the same state as before). */
  readonly backend: BackendConfig;
  /**
   * Addresses of what the stack is to forget rather than destroy: the service-linked role
   * (deleting it cuts Incident Manager off) and what was adopted (it existed before this app).
   */
  readonly forget: readonly string[];
  /** What the warning calls the stack's configuration entry, e.g. `accounts[2] (old)`. */
  readonly entry: string;
}

/**
 * A stack taken out of service (`retire: true`): the provider and the backend of its state, no
 * resource, and `removed` blocks for what must stay in AWS. Its plan destroys everything else the
 * state holds, in the order of the dependencies the state recorded; after that apply the entry can
 * be deleted from the configuration.
 */
export class RetiredStack extends TerraformStack {
  /** The `removed` blocks. */
  public readonly forgotten: RemovedBlocks;

  constructor(scope: Construct, id: string, props: RetiredStackProps) {
    super(scope, id);
    addProviderAndBackend(this, id, props.target, props.backend);
    this.forgotten = new RemovedBlocks(this, "Forget", { addresses: props.forget });
    warn(
      this,
      "stack-retired",
      `${props.entry} is retired: its plan DESTROYS what this app made there` +
        (props.forget.length > 0 ? ` and forgets, leaving them in AWS: ${this.forgotten.addresses.join(", ")}` : "") +
        ". Review the plan; after the apply, delete the entry from the configuration.",
    );
  }
}
