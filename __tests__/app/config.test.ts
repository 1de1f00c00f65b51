import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, SetupConfigInput, loadConfig, parseConfig } from "../../modules";
import { CONFIG_DOC_FILE, configExamples, renderConfigDoc, renderSchema, SCHEMA_FILE } from "../../scripts/generate-schema";
import { minimalConfig, shippedConfig } from "../support/configs";
import { configFileFromEnv, userCwd } from "../../modules/app/config/load";
import { partitionOf } from "../../modules/core/arns";

/** The problems reported for a configuration (fails the test if it is accepted). */
function problems(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("the configuration was accepted");
}

/** A minimal configuration with one change to the first account. */
function withAccount(change: Record<string, unknown>): SetupConfigInput {
  const config = minimalConfig();
  return { ...config, accounts: [{ ...config.accounts[0], ...change } as SetupConfigInput["accounts"][number]] };
}

function withUser(change: Record<string, unknown>): SetupConfigInput {
  return withAccount({ adminUsers: [{ name: "alice", ...change }] });
}

describe("configuration defaults follow the guide", () => {
  const account = parseConfig(minimalConfig()).accounts[0];

  test("the group is Administrators at path /, with MFA enforced", () => {
    expect(account.adminGroup).toEqual({ name: "Administrators", path: "/", enforceMfa: true, adopt: false });
  });

  test("a user gets console access with a password reset at first sign-in, and one active key", () => {
    expect(account.adminUsers[0]).toEqual({
      name: "alice",
      path: "/",
      console: { passwordResetRequired: true },
      accessKeys: [{ status: "Active" }],
      keyRotationInProgress: false,
      requireMfa: true,
      adopt: false,
    });
  });

  test("the service-linked role is imported if it exists, else created (auto); the backend is local; no tags, alias or password policy", () => {
    expect(account.incidentManager).toEqual({ serviceLinkedRole: "auto", setupPolicy: false });
    expect(account.passwordPolicy).toBe(false);
    expect(account.accountAlias).toBeUndefined();
    expect(account.tags).toEqual({});
    expect(parseConfig(minimalConfig()).backend).toEqual({ type: "local" });
  });

  test("the shipped setup.config.json is valid", () => {
    expect(() => parseConfig(shippedConfig())).not.toThrow();
  });
});

describe("bad input is rejected with the field, the value and the rule", () => {
  test("fails if a key is unknown (a typo such as adminUser)", () => {
    expect(problems(withAccount({ adminUser: [] }))).toEqual([
      'accounts[0].adminUser: unknown key "adminUser" (allowed here: name, region, accountId, assumeRoleArn, planRoleArn, tags, accountAlias, passwordPolicy, adminGroup, adminUsers, existingAdministrators, retire, incidentManager)',
    ]);
  });

  test("fails if a nested key is unknown", () => {
    expect(problems(withUser({ console: { passwordReset: true } }))).toEqual([
      'accounts[0].adminUsers[0].console.passwordReset: unknown key "passwordReset" (allowed here: passwordResetRequired, pgpKey)',
    ]);
    expect(problems(withUser({ accessKeys: [{ state: "Active" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[0].state: unknown key "state" (allowed here: id, status, pgpKey, secretStore, kmsKeyId)',
    ]);
  });

  test("fails if console is neither false nor an object", () => {
    expect(problems(withUser({ console: true }))).toEqual([
      "accounts[0].adminUsers[0].console: true must be false (no console access) or an object { passwordResetRequired?, pgpKey? }",
    ]);
  });

  test.each([["bad name!"], [""], ["a".repeat(65)]])("fails if a user name is outside 1-64 of [A-Za-z0-9+=,.@_-]: %j", (name) => {
    expect(problems(withUser({ name }))).toEqual([
      `accounts[0].adminUsers[0].name: ${JSON.stringify(name)} is not a valid IAM user name (1-64 of letters, digits and +=,.@_-)`,
    ]);
  });

  test("accepts every character IAM allows in a user name", () => {
    expect(() => parseConfig(withUser({ name: "a+b=c,d.e@f_g-H9" }))).not.toThrow();
  });

  test.each([["Admins!"], [""], ["G".repeat(129)]])("fails if the group name is outside 1-128 of [A-Za-z0-9+=,.@_-]: %j", (name) => {
    const shown = name.length > 70 ? `${JSON.stringify(name).slice(0, 77)}...` : JSON.stringify(name);
    expect(problems(withAccount({ adminGroup: { name } }))).toEqual([
      `accounts[0].adminGroup.name: ${shown} is not a valid IAM group name (1-128 of letters, digits and +=,.@_-)`,
    ]);
  });

  test.each([["ops"], ["/ops"], ["ops/"], ["//"], ["/a b/"]])("fails if a path is not / or /.../: %j", (path) => {
    expect(problems(withAccount({ adminGroup: { path } }))).toEqual([
      `accounts[0].adminGroup.path: ${JSON.stringify(path)} is not a valid IAM path ("/" or "/" + printable ASCII + "/", at most 512 characters)`,
    ]);
    expect(problems(withUser({ path }))[0]).toMatch(/^accounts\[0\]\.adminUsers\[0\]\.path: .* is not a valid IAM path/);
  });

  test("fails if a user has more than two access keys", () => {
    expect(problems(withUser({ accessKeys: [{ status: "Inactive" }, { status: "Inactive" }, {}] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys: [{"status":"Inactive"},{"status":"Inactive"},{}] has more than two access keys (IAM allows at most 2 per user)',
    ]);
  });

  test("fails if two users' names differ only in case (IAM names are case-insensitive)", () => {
    expect(problems(withAccount({ adminUsers: [{ name: "alice" }, { name: "Alice" }] }))).toEqual([
      'accounts[0].adminUsers[1].name: "Alice" is the same IAM user as adminUsers[0].name "alice" (IAM user names are case-insensitive)',
    ]);
  });

  test("accepts user names that differ only in characters an output name could not hold (outputs are maps by name)", () => {
    expect(parseConfig(withAccount({ adminUsers: [{ name: "a.b" }, { name: "a_b" }] })).accounts[0].adminUsers.map((u) => u.name)).toEqual([
      "a.b",
      "a_b",
    ]);
  });

  test("fails if two stacks have the same name", () => {
    const account = minimalConfig().accounts[0];
    expect(problems({ accounts: [account, { ...account }] })).toEqual([
      'accounts[1].name: "prod" is already the name of accounts[0] (stack names must be unique)',
    ]);
  });

  test.each([["Prod"], ["prod_1"], ["-prod"], ["prod-"], [""], ["p".repeat(65)]])("fails if a stack name is malformed: %j", (name) => {
    expect(problems(withAccount({ name }))).toEqual([
      `accounts[0].name: ${JSON.stringify(name)} is not a valid stack name (1-64 of lowercase letters, digits and hyphens, not starting or ending with a hyphen)`,
    ]);
  });

  test.each([["12345678901"], ["1111222233334"], ["11112222333a"]])("fails if the account id is not 12 digits: %j", (accountId) => {
    expect(problems(withAccount({ accountId }))).toEqual([
      `accounts[0].accountId: ${JSON.stringify(accountId)} is not an AWS account id (12 digits)`,
    ]);
  });

  test("fails if the account id is a JSON number (it would lose leading zeros)", () => {
    expect(problems(withAccount({ accountId: 111122223333 }))).toEqual([
      'accounts[0].accountId: 111122223333 must be a string of 12 digits (quote it: "111122223333")',
    ]);
  });

  test.each([
    ["arn:aws:iam::111122223333:user/alice"],
    ["arn:aws:sts::111122223333:assumed-role/Admin/session"],
    ["arn:aws:iam::1111:role/Admin"],
    ["OrganizationAccountAccessRole"],
  ])("fails if the assume-role ARN is not an IAM role ARN: %j", (assumeRoleArn) => {
    expect(problems(withAccount({ assumeRoleArn }))).toEqual([
      `accounts[0].assumeRoleArn: ${JSON.stringify(assumeRoleArn)} is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)`,
    ]);
  });

  test("fails if the assume-role ARN is in another account than accountId", () => {
    expect(problems(withAccount({ accountId: "111122223333", assumeRoleArn: "arn:aws:iam::444455556666:role/Admin" }))).toEqual([
      'accounts[0].assumeRoleArn: "arn:aws:iam::444455556666:role/Admin" is a role in account 444455556666, not in accountId 111122223333',
    ]);
  });

  test("accepts role ARNs with a path and in other partitions", () => {
    expect(() =>
      parseConfig(withAccount({ region: "us-gov-west-1", assumeRoleArn: "arn:aws-us-gov:iam::111122223333:role/ops/Admin" })),
    ).not.toThrow();
  });

  test.each([["useast1"], ["us-east"], ["US-EAST-1"], ["us_east_1"], ["us-east-9"], ["eu-mars-1"], ["aws-global"]])(
    "fails if the region is not one the AWS SDK lists: %j",
    (region) => {
      expect(problems(withAccount({ region }))).toEqual([
        `accounts[0].region: ${JSON.stringify(region)} is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK's partition data)`,
      ]);
    },
  );

  test.each([
    ["us-east-1", "aws"],
    ["ap-southeast-7", "aws"],
    ["mx-central-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["us-isof-south-1", "aws-iso-f"],
    ["eusc-de-east-1", "aws-eusc"],
  ])("accepts %s, in partition %s", (region, partition) => {
    expect(parseConfig(withAccount({ region })).accounts[0].region).toBe(region);
    expect(partitionOf(region)).toBe(partition);
  });

  test("fails if an ARN is in another partition than the account's region", () => {
    expect(problems(withAccount({ region: "cn-north-1", assumeRoleArn: "arn:aws:iam::111122223333:role/Admin" }))).toEqual([
      'accounts[0].assumeRoleArn: "arn:aws:iam::111122223333:role/Admin" is in partition aws, but region cn-north-1 is in partition aws-cn',
    ]);
    const kmsKeyId = "arn:aws:kms:us-gov-west-1:111122223333:alias/ops";
    expect(
      problems(
        withAccount({ region: "us-gov-west-1", adminUsers: [{ name: "a", accessKeys: [{ secretStore: "secretsmanager", kmsKeyId }] }] }),
      ),
    ).toEqual([
      `accounts[0].adminUsers[0].accessKeys[0].kmsKeyId: "${kmsKeyId}" is in partition aws, but region us-gov-west-1 is in partition aws-us-gov`,
    ]);
  });

  test.each([["useast1"], ["us-east"], ["US-EAST-1"], ["us_east_1"]])("fails if the region is not of the form us-east-1: %j", (region) => {
    expect(problems(withAccount({ region }))).toEqual([
      `accounts[0].region: ${JSON.stringify(region)} is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK's partition data)`,
    ]);
  });

  test.each([["Enabled"], ["active"], [true]])("fails if a key status is neither Active nor Inactive: %j", (status) => {
    expect(problems(withUser({ accessKeys: [{ status }] }))).toEqual([
      `accounts[0].adminUsers[0].accessKeys[0].status: ${JSON.stringify(status)} must be "Active" or "Inactive"`,
    ]);
  });

  test("fails if two keys of a user have the same id", () => {
    expect(problems(withUser({ accessKeys: [{ id: "2" }, { status: "Inactive" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[1]: {"status":"Inactive"} has the id "2" (the default for key 2), which accessKeys[0] already has (key ids must be unique per user; set "id" on both keys)',
    ]);
  });

  test.each([["Primary"], ["key_1"], ["-1"], [""]])("fails if a key id is malformed: %j", (id) => {
    expect(problems(withUser({ accessKeys: [{ id }] }))).toEqual([
      `accounts[0].adminUsers[0].accessKeys[0].id: ${JSON.stringify(id)} is not a valid key id (1-32 of lowercase letters, digits and -, starting with a letter or digit)`,
    ]);
  });

  test("fails if a PGP key is neither keybase:<user> nor base64", () => {
    expect(problems(withUser({ console: { pgpKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----" } }))).toEqual([
      'accounts[0].adminUsers[0].console.pgpKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----" is not a PGP public key ("keybase:<username>" or a base64-encoded public key without armor)',
    ]);
  });

  test("fails if a tag key starts with aws:", () => {
    expect(problems(withAccount({ tags: { "aws:owner": "ops" } }))).toEqual([
      'accounts[0].tags: key "aws:owner" is not a valid tag key (must not start with "aws:", reserved by AWS)',
    ]);
  });

  test("fails naming the rule a tag breaks: characters or length (counted in characters, not bytes)", () => {
    expect(problems(withAccount({ tags: { team: "\u{1F680}", long: "x".repeat(257), "": "empty key", ["k".repeat(129)]: "v" } }))).toEqual([
      'accounts[0].tags.team: "\u{1F680}" is not a valid tag value (only letters, digits, spaces and _ . : / = + - @)',
      `accounts[0].tags.long: "${"x".repeat(76)}... is not a valid tag value (at most 256 characters)`,
      'accounts[0].tags: key "" is not a valid tag key (1-128 characters)',
      `accounts[0].tags: key "${"k".repeat(77)}..." is not a valid tag key (1-128 characters)`,
    ]);
    // IAM counts Unicode characters: 256 accented letters are a valid value.
    expect(() => parseConfig(withAccount({ tags: { team: "é".repeat(256), équipe: "ops" } }))).not.toThrow();
  });

  test("fails if a required field is missing", () => {
    expect(problems({ accounts: [{ name: "prod" }] })).toEqual([
      "accounts[0].region: missing (required: string)",
      "accounts[0].adminUsers: missing (required: array)",
    ]);
  });

  test("fails if adopt has no accountId (the import id must be a literal ARN in a pinned account)", () => {
    expect(problems(withAccount({ incidentManager: { serviceLinkedRole: "adopt" } }))).toEqual([
      'accounts[0].accountId: missing (required when incidentManager.serviceLinkedRole is "adopt": the import id is the role\'s ARN in that account, and the provider then refuses credentials of any other account through allowed_account_ids)',
    ]);
  });

  test("fails naming the field when a value inside passwordPolicy or console has the wrong type", () => {
    expect(problems(withAccount({ passwordPolicy: { requireSymbols: "yes", minimumLength: "14" } }))).toEqual([
      'accounts[0].passwordPolicy.minimumLength: "14" must be a whole number from 6 to 128',
      'accounts[0].passwordPolicy.requireSymbols: "yes" must be true or false',
    ]);
    expect(problems(withUser({ console: { passwordResetRequired: "no" } }))).toEqual([
      'accounts[0].adminUsers[0].console.passwordResetRequired: "no" must be true or false',
    ]);
  });

  test("fails if a user with console access opts out of MFA (requireMfa: false needs console: false)", () => {
    expect(problems(withUser({ requireMfa: false }))).toEqual([
      "accounts[0].adminUsers[0].requireMfa: false is only allowed for a user without console access (console: false): an administrator who signs in to the console must use MFA",
    ]);
    expect(parseConfig(withUser({ console: false, requireMfa: false })).accounts[0].adminUsers[0].requireMfa).toBe(false);
  });

  test("fails if the service-linked role mode is not auto, create, adopt or reference", () => {
    expect(problems(withAccount({ incidentManager: { serviceLinkedRole: "delete" } }))).toEqual([
      'accounts[0].incidentManager.serviceLinkedRole: "delete" must be "auto", "create", "adopt" or "reference"',
    ]);
  });

  test.each([["ab"], ["Example-Ops"], ["ex--ops"], ["-ops"], ["ops-"], ["111122223333"], ["a".repeat(64)]])(
    "fails if the account alias breaks IAM's rule: %j",
    (accountAlias) => {
      expect(problems(withAccount({ accountAlias }))).toEqual([
        `accounts[0].accountAlias: ${JSON.stringify(accountAlias)} is not a valid account alias (3-63 of lowercase letters, digits and single hyphens inside, not 12 digits)`,
      ]);
    },
  );

  test.each([
    ["minimumLength", 5, "must be from 6 to 128 (AWS allows 6-128 characters)"],
    ["minimumLength", 129, "must be from 6 to 128 (AWS allows 6-128 characters)"],
    ["passwordReusePrevention", 0, "must be from 1 to 24 (AWS remembers 1-24 passwords)"],
    ["passwordReusePrevention", 25, "must be from 1 to 24 (AWS remembers 1-24 passwords)"],
    ["maxPasswordAge", 0, "must be from 1 to 1095 (days; AWS allows 1-1095)"],
    ["maxPasswordAge", 1096, "must be from 1 to 1095 (days; AWS allows 1-1095)"],
    ["maxPasswordAge", 1.5, "must be a whole number from 1 to 1095"],
  ])("fails if passwordPolicy.%s is %j", (field, value, rule) => {
    expect(problems(withAccount({ passwordPolicy: { [field]: value } }))).toEqual([
      `accounts[0].passwordPolicy.${field}: ${JSON.stringify(value)} ${rule}`,
    ]);
  });

  test("fails if passwordPolicy is neither a boolean nor an object of known settings", () => {
    expect(problems(withAccount({ passwordPolicy: "cis" }))[0]).toMatch(
      /^accounts\[0\]\.passwordPolicy: "cis" must be true \(the CIS values\), false \(not managed\) or an object of minimumLength, /,
    );
    expect(problems(withAccount({ passwordPolicy: { minLength: 14 } }))).toEqual([
      'accounts[0].passwordPolicy.minLength: unknown key "minLength" (allowed here: minimumLength, requireLowercase, requireUppercase, requireNumbers, requireSymbols, passwordReusePrevention, maxPasswordAge, allowUsersToChangePassword, hardExpiry)',
    ]);
  });

  test("passwordPolicy true means the CIS values; an object overrides some of them", () => {
    expect(parseConfig(withAccount({ passwordPolicy: true })).accounts[0].passwordPolicy).toBe(true);
    expect(parseConfig(withAccount({ passwordPolicy: { minimumLength: 20 } })).accounts[0].passwordPolicy).toEqual({
      minimumLength: 20,
      requireLowercase: true,
      requireUppercase: true,
      requireNumbers: true,
      requireSymbols: true,
      passwordReusePrevention: 24,
      maxPasswordAge: 90,
      allowUsersToChangePassword: true,
      hardExpiry: false,
    });
  });

  test.each([["root"], ["ROOT"], ["Root"]])("fails if a user is named %j (never keys for root: CIS 1.4, CKV_AWS_348)", (name) => {
    expect(problems(withUser({ name }))).toEqual([
      `accounts[0].adminUsers[0].name: ${JSON.stringify(name)} is reserved: the root user is not an IAM user, and it must never get access keys (CIS 1.4, Checkov CKV_AWS_348)`,
    ]);
  });

  test("fails if a user has two Active keys outside a rotation (CIS 1.13)", () => {
    expect(problems(withUser({ accessKeys: [{ id: "1" }, { id: "2" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys: [{"id":"1"},{"id":"2"}] has two Active keys: at most one may be Active outside a rotation (CIS 1.13); set keyRotationInProgress: true while clients switch, or make the old key Inactive',
    ]);
    expect(() => parseConfig(withUser({ keyRotationInProgress: true, accessKeys: [{ id: "1" }, { id: "2" }] }))).not.toThrow();
    expect(() => parseConfig(withUser({ accessKeys: [{ id: "1", status: "Inactive" }, { id: "2" }] }))).not.toThrow();
  });

  test("fails if secretStore is combined with pgpKey, or kmsKeyId is given without secretStore", () => {
    expect(problems(withUser({ accessKeys: [{ secretStore: "secretsmanager", pgpKey: "keybase:alice" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[0].secretStore: "secretsmanager" cannot be combined with pgpKey (Secrets Manager would get the encrypted secret); use one of them',
    ]);
    expect(problems(withUser({ accessKeys: [{ kmsKeyId: "alias/ops" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[0].kmsKeyId: "alias/ops" is only used with secretStore: "secretsmanager"',
    ]);
  });

  test("fails if secretStore or kmsKeyId is malformed", () => {
    expect(problems(withUser({ accessKeys: [{ secretStore: "vault" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[0].secretStore: "vault" must be "secretsmanager"',
    ]);
    expect(problems(withUser({ accessKeys: [{ secretStore: "secretsmanager", kmsKeyId: "my key" }] }))).toEqual([
      'accounts[0].adminUsers[0].accessKeys[0].kmsKeyId: "my key" is not a KMS key id, key ARN, alias name (alias/...) or alias ARN',
    ]);
  });

  test.each([
    [{ adminGroup: { enforceMfa: "yes" } }, 'accounts[0].adminGroup.enforceMfa: "yes" must be true or false'],
    [{ incidentManager: { setupPolicy: 1 } }, "accounts[0].incidentManager.setupPolicy: 1 must be true or false"],
    [
      { adminUsers: [{ name: "alice", keyRotationInProgress: "no" }] },
      'accounts[0].adminUsers[0].keyRotationInProgress: "no" must be true or false',
    ],
  ])("fails if a switch is not a boolean: %j", (change, message) => {
    expect(problems(withAccount(change))).toEqual([message]);
  });

  test("accepts an S3 backend and fills in encrypt and useLockfile", () => {
    const config = parseConfig({
      ...minimalConfig(),
      backend: { type: "s3", bucket: "example-state", key: "im/{stack}.tfstate", region: "us-east-1" },
    });
    expect(config.backend).toEqual({
      type: "s3",
      bucket: "example-state",
      key: "im/{stack}.tfstate",
      region: "us-east-1",
      encrypt: true,
      useLockfile: true,
    });
  });

  test.each([
    [
      { bucket: "Example_State" },
      'backend.bucket: "Example_State" is not a valid S3 bucket name (3-63 of lowercase letters, digits, dots and hyphens)',
    ],
    [
      { region: "east" },
      'backend.region: "east" is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK\'s partition data)',
    ],
    [{ dynamodbTable: "x" }, 'backend.dynamodbTable: "x" is not a valid DynamoDB table name (3-255 of letters, digits and _.-)'],
    [{ encrypt: "yes" }, 'backend.encrypt: "yes" must be true or false'],
    [{ bucket: undefined }, "backend.bucket: missing (required: string)"],
    [{ lock: true }, 'backend.lock: unknown key "lock" (allowed here: type, bucket, key, region, encrypt, useLockfile, dynamodbTable)'],
  ])("fails if the S3 backend is malformed: %j", (change, message) => {
    const backend = { type: "s3", bucket: "example-state", key: "im/{stack}.tfstate", region: "us-east-1", ...change };
    expect(problems({ ...minimalConfig(), backend })).toEqual([message]);
  });

  test("fails if the backend type is unknown", () => {
    expect(problems({ ...minimalConfig(), backend: { type: "gcs" } })[0]).toMatch(
      /^backend(\.type)?: .* must be \{ "type": "local" \} or \{ "type": "s3"/,
    );
  });

  test("fails if the S3 key has no {stack} while there are several accounts", () => {
    const account = minimalConfig().accounts[0];
    const backend = { type: "s3", bucket: "example-state", key: "im/state.tfstate", region: "us-east-1" };
    expect(problems({ backend, accounts: [account, { ...account, name: "dev" }] })).toEqual([
      'backend.key: "im/state.tfstate" must contain "{stack}" when there is more than one account (each stack needs its own state), e.g. "incident-manager/{stack}.tfstate"',
    ]);
    expect(() => parseConfig({ backend, accounts: [account] })).not.toThrow();
  });

  test("reports every problem at once, field checks and rules across entries alike", () => {
    const config = {
      accounts: [
        { name: "prod", region: "us-east-1", adminUsers: [{ name: "alice" }, { name: "ALICE" }] },
        {
          name: "prod",
          region: "nowhere",
          adminUsers: [{ name: "bad name!", accessKeys: [{ status: "Inactive" }, { status: "Inactive" }, {}] }],
        },
      ],
    };
    expect(problems(config)).toEqual([
      'accounts[1].region: "nowhere" is not an AWS region (a name such as "us-east-1", as listed in the AWS SDK\'s partition data)',
      'accounts[1].adminUsers[0].name: "bad name!" is not a valid IAM user name (1-64 of letters, digits and +=,.@_-)',
      'accounts[1].adminUsers[0].accessKeys: [{"status":"Inactive"},{"status":"Inactive"},{}] has more than two access keys (IAM allows at most 2 per user)',
      'accounts[0].adminUsers[1].name: "ALICE" is the same IAM user as adminUsers[0].name "alice" (IAM user names are case-insensitive)',
      'accounts[1].name: "prod" is already the name of accounts[0] (stack names must be unique)',
    ]);
  });
});

describe("loading the configuration file", () => {
  const dir = mkdtempSync(join(tmpdir(), "config-"));

  test("fails if the file is missing, naming it and SETUP_CONFIG", () => {
    const file = join(dir, "missing.json");
    expect(() => loadConfig(file)).toThrow(
      `${file}: 1 problem\n  - file not found (set SETUP_CONFIG to the path of your configuration, or create ${file})`,
    );
  });

  test("fails if the JSON is malformed, saying where", () => {
    const file = join(dir, "malformed.json");
    writeFileSync(file, '{\n  "accounts": [\n    { "name": "prod", }\n  ]\n}\n');
    expect(() => loadConfig(file)).toThrow(
      '  - the file is not valid JSON: a property name in double quotes was expected (JSON allows no trailing comma) at line 3, column 23:     { "name": "prod", }',
    );
  });

  test("fails if the file is empty, saying so (not a trailing comma)", () => {
    const file = join(dir, "empty.json");
    writeFileSync(file, "\n");
    expect(() => loadConfig(file)).toThrow(`${file}: 1 problem\n  - is empty (expected a JSON object such as { "accounts": [ ... ] }`);
  });

  test("accepts a UTF-8 byte order mark before the JSON", () => {
    const file = join(dir, "bom.json");
    writeFileSync(file, `\uFEFF${JSON.stringify(minimalConfig())}`);
    expect(loadConfig(file).accounts[0].name).toBe("prod");
  });

  test("fails if a key is written twice in an object, naming both places (JSON.parse would keep the last)", () => {
    const file = join(dir, "duplicate.json");
    writeFileSync(
      file,
      '{\n  "accounts": [\n    { "name": "prod", "region": "us-east-1",\n      "region": "eu-west-1",\n' +
        '      "adminUsers": [{ "name": "alice", "console": false, "console": {} }] }\n  ]\n}\n',
    );
    expect(() => loadConfig(file)).toThrow(
      `${file}: 2 problems\n` +
        '  - accounts[0].region: duplicate key "region" at line 4, column 7 (first at line 3, column 23); JSON keeps only the last one, so remove one of them\n' +
        '  - accounts[0].adminUsers[0].console: duplicate key "console" at line 5, column 59 (first at line 5, column 41); JSON keeps only the last one, so remove one of them',
    );
  });

  test("reports a key written twice together with the file's other problems", () => {
    const file = join(dir, "duplicate-and-more.json");
    writeFileSync(file, '{"accounts": [{"name": "prod", "region": "us-east-9", "adminUsers": [{"name": "a", "name": "b"}]}]}');
    expect(() => loadConfig(file)).toThrow(
      `${file}: 2 problems\n` +
        '  - accounts[0].adminUsers[0].name: duplicate key "name" at line 1, column 84 (first at line 1, column 71); JSON keeps only the last one, so remove one of them\n' +
        '  - accounts[0].region: "us-east-9" is not an AWS region',
    );
  });

  test("names the file in every problem report", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(withAccount({ region: "mars-1" })));
    expect(() => loadConfig(file)).toThrow(`${file}: 1 problem\n  - accounts[0].region: "mars-1" is not an AWS region`);
  });
});

describe("paths a user gives are relative to the folder npm was run from", () => {
  test("SETUP_CONFIG resolves against INIT_CWD (set by npm), else the working directory", () => {
    expect(configFileFromEnv({ SETUP_CONFIG: "mine.json", INIT_CWD: "/home/me/infra" }, "/project/setup.config.json")).toBe(
      "/home/me/infra/mine.json",
    );
    expect(configFileFromEnv({ SETUP_CONFIG: "/abs/mine.json", INIT_CWD: "/home/me" }, "/project/setup.config.json")).toBe(
      "/abs/mine.json",
    );
    expect(configFileFromEnv({}, "/project/setup.config.json")).toBe("/project/setup.config.json");
    expect(userCwd({})).toBe(process.cwd());
  });
});

describe("docs/configuration.md", () => {
  test("is generated from the schema and up to date (run `npm run schema` when this fails)", () => {
    expect(readFileSync(CONFIG_DOC_FILE, "utf8")).toBe(renderConfigDoc());
  });

  test("every JSON example in it is a valid configuration", () => {
    const blocks = [...readFileSync(CONFIG_DOC_FILE, "utf8").matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toHaveLength(configExamples().length);
    for (const block of blocks) expect(() => parseConfig(JSON.parse(block))).not.toThrow();
  });

  test("lists each default once, as the schema fills it in, beside each field", () => {
    const doc = readFileSync(CONFIG_DOC_FILE, "utf8");
    expect(doc).toContain("| `enforceMfa` | boolean | `true` |");
    expect(doc).toContain('| `sessionDuration` | string | `"PT1H"` |');
    expect(doc).toContain('| `status` | `"Active"` or `"Inactive"` | `"Active"` |');
    expect(doc).toMatch(/\| `name` \| string \| required \| IAM user name/);
  });
});

describe("setup.schema.json", () => {
  test("is generated from the schema and up to date (run `npm run schema` when this fails)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(renderSchema());
  });

  test("rejects unknown keys and lists the defaults for editors", () => {
    const schema = JSON.parse(renderSchema());
    const account = schema.properties.accounts.items;
    expect(schema.additionalProperties).toBe(false);
    expect(account.additionalProperties).toBe(false);
    expect(account.required).toEqual(["name", "region", "adminUsers"]);
    expect(account.properties.adminGroup.properties.name.default).toBe("Administrators");
    expect(account.properties.adminUsers.items.properties.accessKeys.maxItems).toBe(2);
  });
});
