import { Testing } from "cdktf";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { Construct } from "constructs";
import { AccountPasswordPolicy, CIS_PASSWORD_POLICY, PasswordPolicySettings } from "../../modules";

const synth = (settings?: PasswordPolicySettings) =>
  Testing.synthScope((scope: Construct) => {
    new AccountPasswordPolicy(scope, "PasswordPolicy", { settings });
  });

describe("AccountPasswordPolicy", () => {
  test("applies the CIS values by default (length 14, all classes, reuse 24, age 90, users may change)", () => {
    expect(synth()).toHaveResourceWithProperties(IamAccountPasswordPolicy, {
      minimum_password_length: 14,
      require_lowercase_characters: true,
      require_uppercase_characters: true,
      require_numbers: true,
      require_symbols: true,
      password_reuse_prevention: 24,
      max_password_age: 90,
      allow_users_to_change_password: true,
      hard_expiry: false,
    });
  });

  test("applies overridden values", () => {
    expect(synth({ ...CIS_PASSWORD_POLICY, minimumLength: 20, hardExpiry: true })).toHaveResourceWithProperties(IamAccountPasswordPolicy, {
      minimum_password_length: 20,
      hard_expiry: true,
    });
  });

  test.each([
    ["minimumLength", 5, 6, 128],
    ["minimumLength", 129, 6, 128],
    ["passwordReusePrevention", 0, 1, 24],
    ["passwordReusePrevention", 25, 1, 24],
    ["maxPasswordAge", 0, 1, 1095],
    ["maxPasswordAge", 1096, 1, 1095],
  ] as const)("fails if %s is %d (AWS allows %d-%d)", (field, value, min, max) => {
    expect(() => synth({ ...CIS_PASSWORD_POLICY, [field]: value })).toThrow(
      `settings.${field}: ${value} must be a whole number from ${min} to ${max}`,
    );
  });
});
