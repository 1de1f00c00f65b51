import { Testing } from "cdktf";
import { IamAccountAlias } from "@cdktf/provider-aws/lib/iam-account-alias";
import { Construct } from "constructs";
import { AccountAlias } from "../../modules";

const synth = (alias: string) =>
  Testing.synthScope((scope: Construct) => {
    new AccountAlias(scope, "AccountAlias", { alias });
  });

describe("AccountAlias", () => {
  test("sets the account alias", () => {
    expect(synth("example-ops")).toHaveResourceWithProperties(IamAccountAlias, { account_alias: "example-ops" });
  });

  test.each([["ab"], ["Example"], ["ex--ops"], ["-ops"], ["ops-"], ["111122223333"], ["a".repeat(64)]])(
    "fails if the alias breaks IAM's rule: %j",
    (alias) => {
      expect(() => synth(alias)).toThrow(
        `alias: ${JSON.stringify(alias)} is not a valid account alias (3-63 of lowercase letters, digits and single hyphens inside, not 12 digits)`,
      );
    },
  );
});
