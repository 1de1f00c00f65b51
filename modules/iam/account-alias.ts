import { Construct } from "constructs";
import { Token } from "cdktf";
import { IamAccountAlias } from "@cdktf/provider-aws/lib/iam-account-alias";
import { ACCOUNT_ALIAS_PATTERN, ACCOUNT_ALIAS_RULE } from "../core/aws-rules";

/** Properties of an {@link AccountAlias}. */
export interface AccountAliasProps {
  /** The alias: 3-63 of lowercase letters, digits and single hyphens inside, not 12 digits. */
  readonly alias: string;
}

/** The account's IAM alias, which the sign-in URL uses instead of the account id. */
export class AccountAlias extends Construct {
  /** The alias resource. */
  public readonly resource: IamAccountAlias;
  /** The alias (a reference, so that what uses it waits for it). */
  public readonly accountAlias: string;

  constructor(scope: Construct, id: string, props: AccountAliasProps) {
    super(scope, id);
    const alias = props.alias;
    if (!Token.isUnresolved(alias) && !ACCOUNT_ALIAS_PATTERN.test(alias)) {
      throw new Error(`alias: ${JSON.stringify(alias)} ${ACCOUNT_ALIAS_RULE}`);
    }
    this.resource = new IamAccountAlias(this, "Resource", { accountAlias: alias });
    this.accountAlias = this.resource.accountAlias;
  }
}
