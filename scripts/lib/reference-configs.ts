// Reference configurations: the shipped one, the Identity Center example, and the richer ones the
// tests and the engine checks (scripts/engines) synthesize. Only AWS's documented example values.
import { readFileSync } from "fs";
import { resolve } from "path";
import { SetupConfigInput } from "../../modules/app/config";
import { PROJECT_ROOT } from "./cli";

export const ROOT = PROJECT_ROOT;
export const SHIPPED_CONFIG_FILE = resolve(ROOT, "setup.config.json");
export const PGP_KEY = "mQENBGV4YW1wbGVwdWJsaWNrZXlub3RyZWFsAAAAAAAAAAAAAAAA";

/** The configuration shipped at the repository root. */
export function shippedConfig(): SetupConfigInput {
  return JSON.parse(readFileSync(SHIPPED_CONFIG_FILE, "utf8"));
}

/** The smallest valid configuration. */
export function minimalConfig(): SetupConfigInput {
  return { accounts: [{ name: "prod", region: "us-east-1", adminUsers: [{ name: "alice" }] }] };
}

/** Every field of the contract used: two users, PGP keys, no console, two keys, tags, role. */
export function fullConfig(): SetupConfigInput {
  return {
    backend: { type: "local" },
    accounts: [
      {
        name: "ops-prod",
        region: "eu-west-1",
        accountId: "111122223333",
        assumeRoleArn: "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole",
        tags: { team: "ops", "cost-center": "1234" },
        adminGroup: { name: "IncidentAdmins", path: "/ops/" },
        adminUsers: [
          {
            name: "alice",
            path: "/ops/",
            console: { passwordResetRequired: true, pgpKey: "keybase:alice" },
            accessKeys: [
              { id: "1", status: "Inactive", pgpKey: PGP_KEY },
              { id: "2", status: "Active", pgpKey: PGP_KEY },
            ],
          },
          { name: "bob.smith@example.com", console: false, accessKeys: [] },
          { name: "carol", console: { passwordResetRequired: false } },
        ],
        incidentManager: { serviceLinkedRole: "create" },
      },
    ],
  };
}

/** Three accounts using the fields of real accounts: adopt (with default tags, and in GovCloud), reference, alias, password policy, secret store. */
export function accountsConfig(): SetupConfigInput {
  return {
    accounts: [
      {
        name: "adopt-tagged",
        region: "us-east-1",
        accountId: "111122223333",
        // default_tags must not re-tag an adopted role (the import stays a no-op)
        tags: { team: "ops" },
        accountAlias: "example-ops",
        passwordPolicy: true,
        adminUsers: [
          {
            name: "alice",
            keyRotationInProgress: true,
            accessKeys: [
              { id: "1", status: "Active", pgpKey: PGP_KEY },
              { id: "2", status: "Active", pgpKey: PGP_KEY },
            ],
          },
        ],
        incidentManager: { serviceLinkedRole: "adopt", setupPolicy: true },
      },
      {
        name: "adopt-govcloud",
        region: "us-gov-west-1",
        accountId: "111122223333",
        // above the provider's 20: the password must be generated longer
        passwordPolicy: { minimumLength: 32, maxPasswordAge: 30, hardExpiry: true },
        adminGroup: { enforceMfa: false },
        adminUsers: [
          {
            name: "bob",
            console: false,
            accessKeys: [{ secretStore: "secretsmanager", kmsKeyId: "alias/incident-manager" }],
          },
        ],
        incidentManager: { serviceLinkedRole: "adopt" },
      },
      {
        name: "reference-role",
        region: "eu-central-1",
        adminUsers: [{ name: "carol", console: { pgpKey: "keybase:carol" }, accessKeys: [{ secretStore: "secretsmanager" }] }],
        incidentManager: { serviceLinkedRole: "reference" },
      },
    ],
  };
}

/** An AWS Organization: three member accounts, one management role each, state in S3. */
export function organizationConfig(): SetupConfigInput {
  const member = (name: string, accountId: string, region: string) => ({
    name,
    region,
    accountId,
    assumeRoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
    tags: { "managed-by": "incident-manager-setup", account: name },
    adminUsers: [
      { name: "incident-admin", accessKeys: [] },
      { name: "oncall-lead", console: false as const },
    ],
    incidentManager: { serviceLinkedRole: "create" as const },
  });
  return {
    backend: {
      type: "s3",
      bucket: "example-org-terraform-state",
      key: "incident-manager/{stack}.tfstate",
      region: "us-east-1",
      dynamodbTable: "terraform-locks",
    },
    accounts: [
      member("security", "111122223333", "us-east-1"),
      member("workloads-prod", "444455556666", "eu-west-1"),
      member("workloads-dev", "777788889999", "eu-west-1"),
    ],
  };
}

export const IDENTITY_CENTER_CONFIG_FILE = resolve(ROOT, "examples", "identity-center.config.json");

/** The Identity Center example: a created group with two users, one account with a break-glass IAM user, one without IAM users. */
export function identityCenterConfig(): SetupConfigInput {
  return JSON.parse(readFileSync(IDENTITY_CENTER_CONFIG_FILE, "utf8"));
}

/** Identity Center with an external IdP's group (looked up, no users created), assigned to every account by default. */
export function identityCenterExistingGroupConfig(): SetupConfigInput {
  return {
    accounts: [
      { name: "prod", region: "eu-west-1", accountId: "444455556666", adminUsers: [] },
      { name: "dev", region: "eu-west-1", accountId: "777788889999", adminUsers: [] },
    ],
    identityCenter: {
      region: "eu-west-1",
      accountId: "111122223333",
      group: { name: "aws-incident-admins", existing: true },
    },
  };
}
