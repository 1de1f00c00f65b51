import { Construct } from "constructs";
import { Token } from "cdktf";
import { IamAccountAlias } from "@cdktf/provider-aws/lib/iam-account-alias";

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
    if (!Token.isUnresolved(alias) && !/^(?!\d{12}$)[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(alias)) {
      throw new Error(
        `accountAlias: ${JSON.stringify(alias)} is not a valid account alias (3-63 of lowercase letters, digits and single hyphens inside, not 12 digits)`,
      );
    }
    this.resource = new IamAccountAlias(this, "Resource", { accountAlias: alias });
    this.accountAlias = this.resource.accountAlias;
  }
}
