// The identityCenter configuration: defaults, and every rejected input with the field, the value
// and the rule. The identity store and permission set rules are the service models' (aws-rules.ts).
import { ConfigError, SetupConfigInput, parseConfig } from "../../modules";
import { identityCenterConfig, identityCenterExistingGroupConfig } from "../support/configs";
import { assignedAccounts } from "../../modules/app/config/schema";

function problems(input: unknown): string[] {
  try {
    parseConfig(input as SetupConfigInput);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** The example with a change to identityCenter. */
function withIdentityCenter(change: Record<string, unknown>): SetupConfigInput {
  const config = identityCenterConfig() as any;
  return { ...config, identityCenter: { ...config.identityCenter, ...change } };
}

const alice = { userName: "alice", givenName: "Alice", familyName: "Doe", email: "alice@example.com" };

/** The example with a change to its first Identity Center user. */
function withUser(change: Record<string, unknown>): SetupConfigInput {
  return withIdentityCenter({ users: [{ ...alice, ...change }] });
}

describe("identityCenter: defaults", () => {
  test("stack name, group, permission set and assignment default as documented", () => {
    const config = parseConfig({
      accounts: [{ name: "prod", region: "us-east-1", accountId: "444455556666", adminUsers: [] }],
      identityCenter: { region: "us-east-1", accountId: "111122223333", users: [alice] },
    });
    expect(config.identityCenter).toMatchObject({
      name: "identity-center",
      group: { name: "IncidentManagerAdministrators", existing: false },
      permissionSet: { name: "AdministratorAccess", sessionDuration: "PT1H" },
      tags: {},
    });
    expect(assignedAccounts(config).map((a) => a.name)).toEqual(["prod"]);
  });

  test("the examples are valid: an existing group may have no users; assignTo defaults to every account", () => {
    expect(problems(identityCenterConfig())).toEqual([]);
    const existing = parseConfig(identityCenterExistingGroupConfig());
    expect(existing.identityCenter?.users).toEqual([]);
    expect(assignedAccounts(existing).map((a) => a.name)).toEqual(["prod", "dev"]);
  });

  test("session durations from 1 to 12 hours, in hours or minutes, are accepted", () => {
    for (const sessionDuration of ["PT1H", "PT12H", "PT60M", "PT1H30M", "PT720M"]) {
      expect([sessionDuration, problems(withIdentityCenter({ permissionSet: { sessionDuration } }))]).toEqual([sessionDuration, []]);
    }
  });
});

describe("identityCenter: bad input names the field, the value and the rule", () => {
  const DURATION_RULE = 'is not a session duration of 1 to 12 hours in ISO-8601 ("PT1H" to "PT12H", or with minutes, e.g. "PT1H30M")';

  test.each([["PT13H"], ["PT59M"], ["PT0H"], ["1h"], ["P1D"], ["PT"], ["PT4h"]])("session duration %j", (sessionDuration) => {
    expect(problems(withIdentityCenter({ permissionSet: { sessionDuration } }))).toEqual([
      `identityCenter.permissionSet.sessionDuration: ${JSON.stringify(sessionDuration)} ${DURATION_RULE}`,
    ]);
  });

  test.each([["Admin Access"], ["a".repeat(33)], [""]])("permission set name %j", (name) => {
    expect(problems(withIdentityCenter({ permissionSet: { name } }))).toEqual([
      `identityCenter.permissionSet.name: ${JSON.stringify(name)} is not a valid permission set name (1-32 of letters, digits and +=,.@_-)`,
    ]);
  });

  test.each([["alice smith"], [""], ["a".repeat(129)]])("user name the identity store rejects: %j", (userName) => {
    // Long values are shortened in the message (80 characters, then "...").
    const shown = JSON.stringify(userName).length > 80 ? `${JSON.stringify(userName).slice(0, 77)}...` : JSON.stringify(userName);
    expect(problems(withUser({ userName }))).toEqual([
      `identityCenter.users[0].userName: ${shown} is not a valid Identity Center user name ` +
        "(1-128 letters, digits, symbols and punctuation, no spaces)",
    ]);
  });

  test.each([["Administrator"], ["awsadministrators"]])("reserved user name %j", (userName) => {
    expect(problems(withUser({ userName }))).toEqual([
      `identityCenter.users[0].userName: ${JSON.stringify(userName)} is reserved by IAM Identity Center (Administrator, AWSAdministrators)`,
    ]);
  });

  test("reserved group name", () => {
    expect(problems(withIdentityCenter({ group: { name: "AWSAdministrators" } }))).toEqual([
      'identityCenter.group.name: "AWSAdministrators" is reserved by IAM Identity Center (Administrator, AWSAdministrators)',
    ]);
  });

  test.each([["alice"], ["alice@"], ["@example.com"], ["alice@example"]])("email %j", (email) => {
    expect(problems(withUser({ email }))).toEqual([`identityCenter.users[0].email: ${JSON.stringify(email)} is not an email address`]);
  });

  test("missing name parts and unknown keys", () => {
    expect(problems(withUser({ givenName: undefined, mail: "x" }))).toEqual([
      "identityCenter.users[0].givenName: missing (required: string)",
      'identityCenter.users[0].mail: unknown key "mail" (allowed here: userName, givenName, familyName, displayName, email)',
    ]);
  });

  test("duplicate users, ignoring case", () => {
    expect(problems(withIdentityCenter({ users: [alice, { ...alice, userName: "Alice", email: "a2@example.com" }] }))).toEqual([
      'identityCenter.users[1].userName: "Alice" is the same user as users[0].userName (Identity Center user names are unique ignoring case)',
    ]);
  });

  test("a created group with no users", () => {
    expect(problems(withIdentityCenter({ users: [] }))).toEqual([
      "identityCenter.users: [] must list at least one user when the group is created (group.existing: false): an empty group gives nobody access",
    ]);
  });

  test("an unknown account name in assignTo, and one listed twice", () => {
    expect(problems(withIdentityCenter({ assignTo: ["incident-manager-prod", "prod", "incident-manager-prod"] }))).toEqual([
      'identityCenter.assignTo[1]: "prod" is not the name of an entry of accounts[] (names: "incident-manager-prod", "incident-manager-dev")',
      'identityCenter.assignTo[2]: "incident-manager-prod" is listed twice',
      // incident-manager-dev is no longer assigned, and has no IAM admin user:
      "accounts[1].adminUsers: [] is empty, and identityCenter does not assign this account: nobody could administer it " +
        "(list an admin user, add the account to identityCenter.assignTo, or, when its administrators exist already, " +
        "say who they are in existingAdministrators)",
    ]);
  });

  test("an account with neither IAM admin users nor an assignment (no identityCenter at all)", () => {
    expect(problems({ accounts: [{ name: "prod", region: "us-east-1", adminUsers: [] }] })).toEqual([
      "accounts[0].adminUsers: [] is empty, and identityCenter does not assign this account: nobody could administer it " +
        "(list an admin user, add the account to identityCenter.assignTo, or, when its administrators exist already, " +
        "say who they are in existingAdministrators)",
    ]);
  });

  test("an assigned account without accountId", () => {
    const config = identityCenterConfig() as any;
    delete config.accounts[1].accountId;
    expect(problems(config)).toEqual([
      "accounts[1].accountId: missing (required: identityCenter assigns the permission set in this account, " +
        "and an assignment targets the account id)",
    ]);
  });

  test("missing region and accountId of identityCenter", () => {
    expect(problems(withIdentityCenter({ region: undefined, accountId: undefined }))).toEqual([
      "identityCenter.region: missing (required: string)",
      "identityCenter.accountId: missing (required: string)",
    ]);
  });

  test("a stack name already taken by an account", () => {
    expect(problems(withIdentityCenter({ name: "incident-manager-dev" }))).toEqual([
      'identityCenter.name: "incident-manager-dev" is already the name of accounts[1] (stack names must be unique)',
    ]);
  });

  test("an assume-role ARN of another account", () => {
    expect(problems(withIdentityCenter({ assumeRoleArn: "arn:aws:iam::444455556666:role/Admin" }))).toEqual([
      'identityCenter.assumeRoleArn: "arn:aws:iam::444455556666:role/Admin" is a role in account 444455556666, not in accountId 111111111111',
    ]);
  });

  test("an assigned account in another partition than Identity Center", () => {
    const config = identityCenterConfig() as any;
    config.accounts[1].region = "us-gov-west-1";
    config.accounts[1].assumeRoleArn = "arn:aws-us-gov:iam::444455556666:role/OrganizationAccountAccessRole";
    config.accounts[1].planRoleArn = "arn:aws-us-gov:iam::444455556666:role/incident-manager-plan";
    expect(problems(config)).toEqual([
      'accounts[1].region: "us-gov-west-1" is in partition aws-us-gov, but identityCenter.region us-east-1 is in partition aws ' +
        "(Identity Center assigns only accounts of its own partition)",
    ]);
  });

  test("outside the commercial partition the portal URL must be given; it must be https", () => {
    const gov = {
      accounts: [{ name: "gov", region: "us-gov-west-1", accountId: "444455556666", adminUsers: [] }],
      identityCenter: { region: "us-gov-west-1", accountId: "111122223333", users: [alice] },
    };
    expect(problems(gov)).toEqual([
      "identityCenter.accessPortalUrl: missing (required in partition aws-us-gov: the default https://<identity store id>.awsapps.com/start " +
        "is the commercial partition's form; copy the URL from the Identity Center console, Settings)",
    ]);
    expect(problems({ ...gov, identityCenter: { ...gov.identityCenter, accessPortalUrl: "http://example.com/start" } })).toEqual([
      'identityCenter.accessPortalUrl: "http://example.com/start" is not an https URL',
    ]);
  });
});
