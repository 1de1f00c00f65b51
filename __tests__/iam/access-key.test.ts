import { TerraformStack, Testing } from "cdktf";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { AccessKey, AccessKeyProps, AccessKeyStatus, AdminGroup, AdminUser, IAdminUser } from "../../modules";

function synthKey(props: Partial<Omit<AccessKeyProps, "user">> = {}): string {
  return Testing.synthScope((scope: Construct) => {
    const group = new AdminGroup(scope, "AdminGroup", { partition: new DataAwsPartition(scope, "Partition") });
    const user = new AdminUser(scope, "AdminUser-alice", { userName: "alice", group });
    new AccessKey(user, "AccessKey-1", { user, ...props });
  });
}

describe("AccessKey", () => {
  test("creates an active key for the user by default", () => {
    expect(synthKey()).toHaveResourceWithProperties(IamAccessKey, {
      user: "${aws_iam_user.AdminUser-alice_2BAECF2A.name}",
      status: "Active",
    });
  });

  test("creates an inactive key when asked", () => {
    expect(synthKey({ status: "Inactive" })).toHaveResourceWithProperties(IamAccessKey, { status: "Inactive" });
  });

  test("encrypts the secret with the PGP key when one is given", () => {
    expect(synthKey({ pgpKey: "keybase:alice" })).toHaveResourceWithProperties(IamAccessKey, { pgp_key: "keybase:alice" });
  });

  test("sets no PGP key without one", () => {
    const key = Object.values(JSON.parse(synthKey()).resource.aws_iam_access_key)[0] as Record<string, unknown>;
    expect(key).not.toHaveProperty("pgp_key");
  });

  test("fails if the status is neither Active nor Inactive", () => {
    expect(() => synthKey({ status: "Enabled" as AccessKeyStatus })).toThrow('status: "Enabled" must be "Active" or "Inactive"');
  });
});

describe("AccessKey in Secrets Manager", () => {
  const synthStored = (kmsKeyId?: string) =>
    JSON.parse(synthKey({ secretStore: { namePrefix: "incident-manager-setup/alice/access-key-1-", kmsKeyId } }));

  test("stores the key pair as JSON in a secret version", () => {
    const json = synthStored();
    expect(Object.values(json.resource.aws_secretsmanager_secret_version)).toEqual([
      {
        secret_id: "${aws_secretsmanager_secret.AdminUser-alice_AccessKey-1_Secret_876E5469.id}",
        secret_string:
          '${jsonencode({"AccessKeyId" = aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579.id, "SecretAccessKey" = aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579.secret})}',
      },
    ]);
  });

  test("names the secret with a prefix and encrypts it with the KMS key given", () => {
    expect(JSON.stringify(synthStored("alias/incident-manager"))).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name_prefix: "incident-manager-setup/alice/access-key-1-",
      kms_key_id: "alias/incident-manager",
    });
  });

  test("fails if combined with a PGP key", () => {
    expect(() => synthKey({ pgpKey: "keybase:alice", secretStore: { namePrefix: "x-" } })).toThrow(
      "secretStore: cannot be combined with pgpKey",
    );
  });

  test("takes any IAdminUser: a user made elsewhere gets a key for its name, and warns once of keys beside its password", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const user: IAdminUser = Object.assign(new Construct(stack, "ExistingUser"), {
      userName: "bob",
      userArn: "arn:aws:iam::111122223333:user/bob",
      consoleAccess: true,
      mfaRequired: false,
    });
    new AccessKey(stack, "Key1", { user, pgpKey: "keybase:bob" });
    new AccessKey(stack, "Key2", { user, pgpKey: "keybase:bob" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(IamAccessKey, { user: "bob" });
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.map((m) => String(m.data)));
    expect(warnings.filter((w) => w.includes("[keys-with-console]"))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes("[key-needs-mfa-session]"))).toHaveLength(0);
  });
});
