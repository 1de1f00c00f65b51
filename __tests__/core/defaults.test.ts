// Each shared default lives once, in core/defaults.ts: the schema and the constructs read it there, and
// the constructs' `@default` docs (what a library user reads in an editor) must say the same value.
import { readFileSync } from "fs";
import { join } from "path";
import { parseConfig } from "../../modules";
import { DEFAULTS } from "../../modules/core/defaults";
import { ROOT } from "../support/configs";

/** The literal of the `@default` doc above `readonly <prop>` in a file of modules/. */
function documentedDefault(file: string, prop: string): string | undefined {
  const source = readFileSync(join(ROOT, "modules", file), "utf8");
  const match = new RegExp(
    `@default ([^\\n*]+?)(?: - [^\\n]*)?\\s*(?:\\*/)?\\s*(?:\\*/\\s*)?\\n(?:\\s*\\*[^\\n]*\\n|\\s*\\*/\\n)*\\s*readonly ${prop}\\?`,
  ).exec(source);
  return match?.[1].trim();
}

describe("defaults", () => {
  test.each([
    ["iam/admin-group.ts", "groupName", "adminGroupName"],
    ["iam/admin-group.ts", "path", "iamPath"],
    ["iam/admin-group.ts", "enforceMfa", "enforceMfa"],
    ["iam/admin-user.ts", "path", "iamPath"],
    ["iam/admin-user.ts", "requireMfa", "requireMfa"],
    ["iam/admin-user.ts", "adopt", "adopt"],
    ["iam/admin-user.ts", "passwordResetRequired", "passwordResetRequired"],
    ["iam/access-key.ts", "status", "accessKeyStatus"],
    ["identity-center/permission-set.ts", "name", "permissionSetName"],
    ["identity-center/permission-set.ts", "sessionDuration", "sessionDuration"],
    ["identity-center/permission-set.ts", "existing", "existing"],
    ["identity-center/group.ts", "existing", "existing"],
    ["incident-manager/service-linked-role.ts", "mode", "serviceLinkedRole"],
  ] as const)("%s %s: its @default is DEFAULTS.%s", (file, prop, key) => {
    expect(documentedDefault(file, prop)).toBe(JSON.stringify(DEFAULTS[key]));
  });

  test("the schema fills in the same values for a configuration that leaves them out", () => {
    const config = parseConfig({
      accounts: [{ name: "prod", region: "us-east-1", accountId: "111122223333", adminUsers: [{ name: "alice" }] }],
      identityCenter: {
        region: "us-east-1",
        accountId: "111111111111",
        users: [{ userName: "bob", givenName: "Bob", familyName: "Doe", email: "bob@example.com" }],
      },
    });
    const [account] = config.accounts;
    const [user] = account.adminUsers;
    expect(account.adminGroup).toEqual({
      name: DEFAULTS.adminGroupName,
      path: DEFAULTS.iamPath,
      enforceMfa: DEFAULTS.enforceMfa,
      adopt: DEFAULTS.adopt,
    });
    expect(user.console).toEqual({ passwordResetRequired: DEFAULTS.passwordResetRequired });
    expect([user.path, user.requireMfa, user.adopt, user.accessKeys]).toEqual([
      DEFAULTS.iamPath,
      DEFAULTS.requireMfa,
      DEFAULTS.adopt,
      [{ status: DEFAULTS.accessKeyStatus }],
    ]);
    expect(account.incidentManager.serviceLinkedRole).toBe(DEFAULTS.serviceLinkedRole);
    expect(config.identityCenter?.permissionSet).toEqual({
      name: DEFAULTS.permissionSetName,
      sessionDuration: DEFAULTS.sessionDuration,
      existing: DEFAULTS.existing,
    });
    expect(config.identityCenter?.group).toEqual({ name: DEFAULTS.identityCenterGroupName, existing: DEFAULTS.existing });
  });
});
