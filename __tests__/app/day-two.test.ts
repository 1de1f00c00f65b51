// Issue 15, what comes after the first apply, as synthesized: offboarding (force_destroy), retiring
// a stack (removed blocks, nothing else), adopting what exists (import blocks, existing permission
// set, administrators managed elsewhere), renames named by synth, the policy attachment ordered
// after the assignments, and the sample that cannot reach a real account. The real terraform's
// view of the same stacks is in day-two-plan.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AdminGroup, AdminUser, ConfigError, SetupConfigInput, parseConfig, synthesize } from "../../modules";
import { StackJson, adoptedIam } from "../../scripts/lib/offline-plan";
import { summarizeStack } from "../../scripts/review-lib";
import { neverApplicable } from "../../modules/app/synth/compare";
import { identityCenterConfig, shippedConfig } from "../support/configs";

type Json = Record<string, any>;

/** Synthesizes a configuration into a fresh folder (or `outdir`); returns the stacks' JSON and the warnings. */
function synth(config: SetupConfigInput, outdir = mkdtempSync(join(tmpdir(), "day-two-"))) {
  const file = join(outdir, "..", `${outdir.split("/").pop()}.config.json`);
  writeFileSync(file, JSON.stringify(config));
  const result = synthesize({ configFile: file, outdir });
  const stack = (name: string): Json => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  return { ...result, stack, outdir };
}

const resourceTypes = (stack: Json) => Object.keys(stack.resource ?? {}).sort();
const problems = (config: unknown) => {
  try {
    parseConfig(config as SetupConfigInput);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
};

function account(extra: Json = {}): any {
  return {
    name: "prod",
    region: "us-east-1",
    accountId: "123456789012",
    adminUsers: [{ name: "alice", accessKeys: [] }],
    ...extra,
  };
}

describe("offboarding", () => {
  test("every admin user has force_destroy, so removing one deletes it even with an MFA device enrolled", () => {
    const { stack } = synth({ accounts: [account()] });
    const users = Object.values(stack("prod").resource.aws_iam_user) as Json[];
    expect(users.map((u) => [u.name, u.force_destroy])).toEqual([["alice", true]]);
  });

  test("removing a user since the last synth is a deletion warning that says what goes with it", () => {
    const first = synth({
      accounts: [
        account({
          adminUsers: [
            { name: "alice", accessKeys: [] },
            { name: "bob", accessKeys: [] },
          ],
        }),
      ],
    });
    const second = synth({ accounts: [account()] }, first.outdir);
    const deletion = second.replacements.filter((w) => w.id === "deletion").map((w) => w.message);
    expect(deletion).toEqual([
      "aws_iam_user.AdminUser-bob_E3C55712 is no longer in the stack, so Terraform DELETES it: the IAM user is deleted, and with " +
        "force_destroy its access keys, login profile, MFA devices, SSH keys, signing certificates and service-specific " +
        "credentials (a renamed user is a new user). Check the plan before you apply. [deletion]",
    ]);
  });
});

describe("retire", () => {
  test("a retired account's stack has the provider and backend, no resource, and forgets the service-linked role", () => {
    const { stack, warnings } = synth({ accounts: [account({ retire: true })] });
    const retired = stack("prod");
    expect(retired.resource).toBeUndefined();
    expect(retired.data).toBeUndefined();
    expect(retired.output).toBeUndefined();
    expect(retired.provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
    expect(retired.terraform.backend.local.path).toBe("../../../terraform.prod.tfstate");
    expect(retired.terraform.required_version).toBe(">= 1.7.0");
    expect(retired.removed).toEqual([
      { from: "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3", lifecycle: { destroy: false } },
    ]);
    expect(warnings.filter((w) => w.id === "stack-retired").map((w) => w.message)).toEqual([
      "accounts[0] (prod) is retired: its plan DESTROYS what this app made there and forgets, leaving them in AWS: " +
        "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3. Review the plan; after the apply, delete the " +
        "entry from the configuration. [stack-retired]",
    ]);
  });

  test("the forgotten addresses are those of the live stack, so a retire forgets exactly what the state holds", () => {
    const live = synth({ accounts: [account({ adminGroup: { adopt: true }, adminUsers: [{ name: "alice", adopt: true }] })] });
    const retired = synth({
      accounts: [account({ retire: true, adminGroup: { adopt: true }, adminUsers: [{ name: "alice", adopt: true }] })],
    });
    const addresses = (retired.stack("prod").removed as Json[]).map((r) => r.from);
    const liveAddresses = Object.entries(live.stack("prod").resource as Json).flatMap(([type, byName]) =>
      Object.keys(byName as Json).map((name) => `${type}.${name}`),
    );
    expect(addresses.every((a) => liveAddresses.includes(a))).toBe(true);
    // The adopted group with its attachment, the adopted user with its login profile and membership, the role;
    // not the MFA policy or the access key, which this app made.
    expect(addresses.map((a) => a.split(".")[0])).toEqual([
      "aws_iam_group",
      "aws_iam_group_policy_attachment",
      "aws_iam_service_linked_role",
      "aws_iam_user",
      "aws_iam_user_group_membership",
      "aws_iam_user_login_profile",
    ]);
  });

  test("an adopted user in a group the app made leaves the group on retire (IAM refuses to delete a group with members)", () => {
    const { stack } = synth({ accounts: [account({ retire: true, adminUsers: [{ name: "alice", adopt: true }] })] });
    expect((stack("prod").removed as Json[]).map((r) => r.from.split(".")[0])).toEqual([
      "aws_iam_service_linked_role",
      "aws_iam_user",
      "aws_iam_user_login_profile",
    ]);
  });

  test("a role that is only read (reference) leaves nothing to forget", () => {
    const { stack } = synth({ accounts: [account({ retire: true, incidentManager: { serviceLinkedRole: "reference" } })] });
    expect(stack("prod").removed).toBeUndefined();
  });

  test("a retired Identity Center stack has no resource and nothing to forget; no account is assigned any more", () => {
    const config = identityCenterConfig() as Json;
    config.identityCenter.retire = true;
    config.accounts[1].existingAdministrators = "Okta SAML role OrgAdmin";
    const { stack } = synth(config as SetupConfigInput);
    const ic = stack("identity-center");
    expect([ic.resource, ic.data, ic.removed]).toEqual([undefined, undefined, undefined]);
    expect(ic.provider.aws[0].allowed_account_ids).toEqual(["111111111111"]);
  });

  test("a retired account is no longer assigned by Identity Center, and naming it in assignTo is an error", () => {
    const config = identityCenterConfig() as Json;
    config.accounts[1].retire = true;
    delete config.identityCenter.assignTo;
    const { stack } = synth(config as SetupConfigInput);
    const targets = Object.values(stack("identity-center").resource.aws_ssoadmin_account_assignment).map((a: any) => a.target_id);
    expect(targets).toEqual(["111122223333"]);
    config.identityCenter.assignTo = ["incident-manager-prod", "incident-manager-dev"];
    expect(problems(config)).toEqual([
      'identityCenter.assignTo[1]: "incident-manager-dev" is retired (retire: true): take it out of assignTo, which removes its assignment',
    ]);
  });

  test("fails if retiring Identity Center leaves an account with nobody to administer it", () => {
    const config = identityCenterConfig() as Json;
    config.identityCenter.retire = true;
    expect(problems(config)).toEqual([
      "accounts[1].adminUsers: [] is empty, and identityCenter does not assign this account: nobody could administer it " +
        "(list an admin user, add the account to identityCenter.assignTo, or, when its administrators exist already, " +
        "say who they are in existingAdministrators)",
    ]);
  });
});

describe("acknowledging a change since the last synth", () => {
  const twoUsers = {
    accounts: [
      account({
        adminUsers: [
          { name: "alice", accessKeys: [] },
          { name: "bob", accessKeys: [] },
        ],
      }),
    ],
  };
  const reason = "bob left the team on 2026-12-01";

  test("an acknowledgement scoped to the departed user matches the deletion of that user's resources", () => {
    const first = synth(twoUsers);
    const second = synth(
      { accounts: [account()], acknowledge: [{ id: "deletion", reason, account: "prod", user: "bob" }] } as SetupConfigInput,
      first.outdir,
    );
    expect(second.replacements.map((w) => [w.id, w.kind, w.path])).toEqual([["deletion", "acknowledged", "prod/AdminUser-bob/Resource"]]);
  });

  test("the departed user is known from the place the previous synth recorded (synth-source.json), not from a construct id", () => {
    // The previous synth, with bob's resources recorded as carol's: an acknowledgement for carol matches, one for bob does not.
    const previousSynthSayingCarol = () => {
      const { outdir } = synth(twoUsers);
      const sourceFile = join(outdir, "synth-source.json");
      const source = JSON.parse(readFileSync(sourceFile, "utf8"));
      // Only the types a deletion warning names are recorded: the user (and keys, none here), not its membership or profile.
      expect(source.users.prod.bob.map((address: string) => address.split(".")[0])).toEqual(["aws_iam_user"]);
      source.users.prod.carol = source.users.prod.bob;
      delete source.users.prod.bob;
      writeFileSync(sourceFile, JSON.stringify(source));
      return outdir;
    };
    const ack = (user: string) =>
      ({ accounts: [account()], acknowledge: [{ id: "deletion", reason, account: "prod", user }] }) as SetupConfigInput;
    const forCarol = synth(ack("carol"), previousSynthSayingCarol());
    expect(forCarol.replacements.map((w) => [w.id, w.kind, w.user])).toEqual([["deletion", "acknowledged", "carol"]]);
    const forBob = synth(ack("bob"), previousSynthSayingCarol());
    expect(forBob.replacements.map((w) => [w.id, w.kind])).toEqual([
      ["deletion", "action"],
      ["stale-acknowledgement", "action"],
    ]);
  });

  test("a synth-source.json of another shape (hand-edited) is read as recording no user: the deletion is still warned of", () => {
    const { outdir } = synth(twoUsers);
    writeFileSync(join(outdir, "synth-source.json"), JSON.stringify({ configFile: "x", users: { prod: { bob: 5 }, staging: null } }));
    const next = synth(
      { accounts: [account()], acknowledge: [{ id: "deletion", reason, account: "prod", user: "bob" }] } as SetupConfigInput,
      outdir,
    );
    expect(next.replacements.map((w) => [w.id, w.kind])).toEqual([
      ["deletion", "action"],
      ["stale-acknowledgement", "action"],
    ]);
  });

  test("left in place, it is stale at the next synth, which has no such change (it would hide the next deletion)", () => {
    const first = synth(twoUsers);
    const config = { accounts: [account()], acknowledge: [{ id: "deletion", reason, user: "bob" }] } as SetupConfigInput;
    synth(config, first.outdir);
    const third = synth(config, first.outdir);
    expect(third.replacements.map((w) => [w.id, w.path])).toEqual([["stale-acknowledgement", "acknowledge[0]"]]);
  });

  test("a password policy no longer managed is a deletion warning: IAM's defaults apply", () => {
    const first = synth({ accounts: [account({ passwordPolicy: true })] });
    const second = synth({ accounts: [account()] }, first.outdir);
    expect(second.replacements.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^aws_iam_account_password_policy\.\S+ is no longer in the stack, so Terraform DELETES it: the account's password policy is deleted/,
      ),
    ]);
  });
});

describe("adopt", () => {
  test("an account whose administrators exist already: adminUsers [] with existingAdministrators, said in an output", () => {
    const { stack } = synth({ accounts: [account({ adminUsers: [], existingAdministrators: "Okta SAML role OrgAdmin" })] });
    expect(resourceTypes(stack("prod"))).toEqual(["aws_iam_service_linked_role"]);
    expect(stack("prod").output.existing_administrators.value).toBe("Okta SAML role OrgAdmin");
  });

  test("an adopted group and its AdministratorAccess attachment are imported, with the literal partition of the region", () => {
    const { stack } = synth({ accounts: [account({ region: "us-gov-west-1", adminGroup: { adopt: true } })] });
    const imports = (stack("prod").import as Json[]).filter((i) => /aws_iam_group/.test(i.to));
    expect(imports).toEqual([
      { id: "Administrators", to: "aws_iam_group.AdminGroup_CD52047A" },
      {
        id: "Administrators/arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
        to: "aws_iam_group_policy_attachment.AdminGroup_AdministratorAccess_3E3326B0",
      },
    ]);
  });

  test("an adopted user and its login profile are imported by name; the password is not touched; keys are new", () => {
    const { stack, warnings } = synth({ accounts: [account({ adminUsers: [{ name: "alice", adopt: true }] })] });
    const imports = (stack("prod").import as Json[]).filter((i) => /aws_iam_user/.test(i.to)).map((i) => [i.to.split(".")[0], i.id]);
    expect(imports).toEqual([
      ["aws_iam_user", "alice"],
      ["aws_iam_user_login_profile", "alice"],
    ]);
    const profile = Object.values(stack("prod").resource.aws_iam_user_login_profile)[0] as Json;
    expect(profile.lifecycle.ignore_changes).toEqual(["password_reset_required", "password_length", "pgp_key"]);
    expect(Object.keys(stack("prod").resource.aws_iam_access_key)).toHaveLength(1);
    // An imported password was never in this state: no plain-text password warning for it.
    expect(warnings.filter((w) => w.id === "plaintext-password-in-state")).toEqual([]);
  });

  test("npm run plan:offline assumes what a stack adopts exists in the stubbed account (else its imports fail offline)", () => {
    const { stack } = synth({
      accounts: [
        account({
          adminGroup: { adopt: true },
          adminUsers: [
            { name: "alice", adopt: true },
            { name: "bot", adopt: true, console: false },
          ],
        }),
      ],
    });
    expect(adoptedIam(stack("prod") as StackJson)).toEqual({
      groups: ["Administrators"],
      users: [
        { name: "alice", loginProfile: true },
        { name: "bot", loginProfile: false },
      ],
    });
    expect(adoptedIam(synth({ accounts: [account()] }).stack("prod") as StackJson)).toEqual({});
  });

  test("the review says what is adopted, and that an adopted password is not in the state", () => {
    const { stack } = synth({ accounts: [account({ adminGroup: { adopt: true }, adminUsers: [{ name: "alice", adopt: true }] })] });
    const rows = summarizeStack(stack("prod"), [], undefined, "prod").resources;
    const settings = (type: string) => rows.filter((r) => r.address.startsWith(`${type}.`)).map((r) => r.settings);
    expect(settings("aws_iam_group")[0]).toContain("**adopted**: it exists and is imported (id `Administrators`)");
    expect(settings("aws_iam_user_login_profile")).toEqual([
      "console password of `alice` · the existing password, not in the state · **adopted**: it exists and is imported (id `alice`)",
    ]);
  });

  test("fails if something is adopted in an account without accountId", () => {
    const config = {
      accounts: [{ ...account({ adminGroup: { adopt: true }, adminUsers: [{ name: "alice", adopt: true }] }), accountId: undefined }],
    };
    const rule =
      "needs accountId on the account: an import takes over whatever has this name in the account the credentials reach, " +
      "and accountId (allowed_account_ids) makes sure that is this account";
    expect(problems(config)).toEqual([`accounts[0].adminGroup.adopt: true ${rule}`, `accounts[0].adminUsers[0].adopt: true ${rule}`]);
  });

  test("fails if existingAdministrators is empty", () => {
    expect(problems({ accounts: [account({ adminUsers: [], existingAdministrators: "" })] })).toEqual([
      'accounts[0].existingAdministrators: "" must not be empty: say who administers the account and how (e.g. "Okta SAML role OrgAdmin")',
    ]);
  });

  test("an existing permission set is read by name: no permission set or attachment is created; assignments use its ARN", () => {
    const config = identityCenterConfig() as Json;
    config.identityCenter.permissionSet.existing = true;
    const ic = synth(config as SetupConfigInput).stack("identity-center");
    expect(resourceTypes(ic)).not.toContain("aws_ssoadmin_permission_set");
    expect(resourceTypes(ic)).not.toContain("aws_ssoadmin_managed_policy_attachment");
    const read = Object.entries(ic.data.aws_ssoadmin_permission_set as Json);
    expect(read.map(([, body]) => body.name)).toEqual(["AdministratorAccess"]);
    const arns = Object.values(ic.resource.aws_ssoadmin_account_assignment).map((a: any) => a.permission_set_arn);
    expect(new Set(arns)).toEqual(new Set([`\${data.aws_ssoadmin_permission_set.${read[0][0]}.arn}`]));
  });
});

describe("Identity Center renames and ordering", () => {
  test("the policy attachment depends on every account assignment of its permission set (provider docs, #33337)", () => {
    const ic = synth(identityCenterConfig()).stack("identity-center");
    const assignments = Object.keys(ic.resource.aws_ssoadmin_account_assignment).map((n) => `aws_ssoadmin_account_assignment.${n}`);
    const attachment = Object.values(ic.resource.aws_ssoadmin_managed_policy_attachment)[0] as Json;
    expect(assignments).toHaveLength(2);
    expect([...attachment.depends_on].sort()).toEqual(assignments.sort());
  });

  test("a renamed permission set is a replacement warning that says every administrator loses access", () => {
    const first = synth(identityCenterConfig());
    const config = identityCenterConfig() as Json;
    config.identityCenter.permissionSet.name = "IncidentAdmins";
    const second = synth(config as SetupConfigInput, first.outdir);
    const messages = second.replacements.map((w) => w.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^aws_ssoadmin_permission_set\.PermissionSet_[0-9A-F]+: name changed since the last synth, which makes Terraform REPLACE it: a new permission set: its policy attachment and EVERY account assignment of it are replaced too, so every Identity Center administrator loses access/,
      ),
    ]);
    expect(second.replacements.map((w) => [w.id, w.kind])).toEqual([["replacement", "action"]]);
  });

  test("a changed users[].userName is named: the old Identity Center user is deleted (a new user, a new invitation)", () => {
    const first = synth(identityCenterConfig());
    const config = identityCenterConfig() as Json;
    config.identityCenter.users[1].userName = "robert";
    const second = synth(config as SetupConfigInput, first.outdir);
    expect(second.replacements.filter((w) => w.message.startsWith("aws_identitystore_user.")).map((w) => w.message)).toEqual([
      expect.stringContaining("User-bob_") && expect.stringContaining("a changed userName makes a new user, with a new invitation"),
    ]);
  });
});

/** The shipped configuration with a real-looking account id instead of the example. */
function ownConfig(name = "incident-manager"): SetupConfigInput {
  const shipped = shippedConfig();
  return { ...shipped, accounts: shipped.accounts.map((a) => ({ ...a, name, accountId: "123456789012" })) };
}

describe("the sample cannot touch a real account", () => {
  test("the shipped configuration pins AWS's example account 111122223333, and synth says so", () => {
    const { stack, warnings } = synth(shippedConfig());
    expect(stack("incident-manager").provider.aws[0].allowed_account_ids).toEqual(["111122223333"]);
    expect(warnings.filter((w) => w.id === "example-account-id").map((w) => w.message)).toEqual([
      "accountId 111122223333 is AWS's documentation example, which no real account has: the provider's allowed_account_ids " +
        "refuses every real account's credentials, so this stack cannot be applied anywhere. Set accountId to the id of your " +
        "account (and SETUP_CONFIG to your configuration file). [example-account-id]",
    ]);
  });

  test("a synth from another configuration file than the last one into the same folder is a warning, and --strict fails on it", () => {
    const first = synth(ownConfig());
    const other = join(first.outdir, "..", "other.config.json");
    writeFileSync(other, JSON.stringify(ownConfig()));
    const second = synthesize({ configFile: other, outdir: first.outdir });
    expect(second.warnings.filter((w) => w.id === "config-file-changed").map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^\S+ was last synthesized from \S+\.config\.json; this synth reads \S+other\.config\.json and replaces the stacks they share\./,
      ),
    ]);
    expect(() =>
      synthesize({
        configFile: join(first.outdir, "..", `${first.outdir.split("/").pop()}.config.json`),
        outdir: first.outdir,
        strict: true,
      }),
    ).toThrow(/config-file-changed/);
  });

  // The README's order: `npm run synth` of the shipped sample, then one's own file with SETUP_CONFIG.
  test("the sample, then one's own configuration from another file: no stack-removed, no config-file-changed, the sample's folder gone; --strict as in a new folder", () => {
    const first = synth(shippedConfig());
    const own = join(first.outdir, "..", "own.config.json");
    writeFileSync(own, JSON.stringify(ownConfig("prod")));
    const strictOutcome = (outdir: string) => {
      try {
        synthesize({ configFile: own, outdir, strict: true });
        return "written";
      } catch (e) {
        return (e as Error).message;
      }
    };
    // --strict stops on the same warnings (the configuration's own) as in a folder no synth has used.
    expect(strictOutcome(first.outdir)).toBe(strictOutcome(mkdtempSync(join(tmpdir(), "day-two-fresh-"))));
    const { warnings } = synthesize({ configFile: own, outdir: first.outdir });
    expect(warnings.map((w) => w.id).filter((id) => id === "stack-removed" || id === "config-file-changed")).toEqual([]);
    expect(readdirSync(join(first.outdir, "stacks"))).toEqual(["prod"]);
  });

  test("the sample, then a copy of it with one's own account (the same stack name): no deletion, replacement or config-file-changed", () => {
    const first = synth(shippedConfig());
    const copy = join(first.outdir, "..", "copy.config.json");
    const own = shippedConfig();
    own.accounts[0].accountId = "123456789012";
    own.accounts[0].adminUsers = [{ name: "alice" }];
    writeFileSync(copy, JSON.stringify(own));
    const { warnings, replacements, removed } = synthesize({ configFile: copy, outdir: first.outdir });
    expect(replacements).toEqual([]);
    expect(
      warnings.map((w) => w.id).filter((id) => ["deletion", "replacement", "config-file-changed", "stack-removed"].includes(id!)),
    ).toEqual([]);
    expect(removed).toBeUndefined();
  });

  test("the sample's folder goes with a line saying so; one that cannot be removed is said, and the synth still succeeds", () => {
    const first = synth(shippedConfig());
    const own = join(first.outdir, "..", "own.config.json");
    writeFileSync(own, JSON.stringify(ownConfig("prod")));
    const fs = require("fs") as typeof import("fs");
    const rmSync = fs.rmSync;
    // Only the sample's folder is busy (a shell in it, a file another user owns); the lock and the staging folder go as usual.
    const rm = jest.spyOn(fs, "rmSync").mockImplementation((path, options) => {
      if (String(path).endsWith(join("stacks", "incident-manager"))) throw new Error("EBUSY: resource busy or locked");
      return rmSync(path, options);
    });
    try {
      const busy = synthesize({ configFile: own, outdir: first.outdir });
      expect(busy.removed).toEqual([
        "Could not remove stacks/incident-manager: no longer configured, and it pinned only AWS's example account 111122223333 " +
          "(never applied): EBUSY: resource busy or locked; delete the folder yourself",
      ]);
    } finally {
      rm.mockRestore();
    }
    expect(synthesize({ configFile: own, outdir: first.outdir }).removed).toEqual([
      "Removed stacks/incident-manager: no longer configured, and it pinned only AWS's example account 111122223333 (never applied)",
    ]);
    expect(readdirSync(join(first.outdir, "stacks"))).toEqual(["prod"]);
  });

  test("a sample's folder where Terraform ran, or whose local state exists, or with another backend, is not taken for never applied", () => {
    const sample = () => {
      const { outdir } = synth(shippedConfig());
      return join(outdir, "stacks", "incident-manager");
    };
    expect(neverApplicable(sample())).toBe(true);
    const initialized = sample();
    mkdirSync(join(initialized, ".terraform"));
    expect(neverApplicable(initialized)).toBe(false);
    const withState = sample();
    const backend = JSON.parse(readFileSync(join(withState, "cdk.tf.json"), "utf8")).terraform.backend.local.path as string;
    writeFileSync(join(withState, backend), "{}");
    expect(neverApplicable(withState)).toBe(false);
    const s3 = sample();
    const json = JSON.parse(readFileSync(join(s3, "cdk.tf.json"), "utf8"));
    json.terraform.backend = { s3: { bucket: "b", key: "k", region: "us-east-1" } };
    writeFileSync(join(s3, "cdk.tf.json"), JSON.stringify(json));
    expect(neverApplicable(s3)).toBe(false);
  });

  test("one's own configuration, then the sample's file (a forgotten SETUP_CONFIG): both warnings, and the folder of the real stack stays", () => {
    const first = synth(ownConfig("prod"));
    const sample = join(first.outdir, "..", "sample.config.json");
    writeFileSync(sample, JSON.stringify(shippedConfig()));
    const { warnings } = synthesize({ configFile: sample, outdir: first.outdir });
    expect(warnings.filter((w) => w.id === "stack-removed" || w.id === "config-file-changed").map((w) => [w.id, w.path])).toEqual([
      ["stack-removed", "prod"],
      ["config-file-changed", first.outdir.split("/").pop()],
    ]);
    expect(readdirSync(join(first.outdir, "stacks")).sort()).toEqual(["incident-manager", "prod"]);
  });

  test("a stack is never applicable only when every provider pins nothing but the example account", () => {
    const dir = mkdtempSync(join(tmpdir(), "never-applicable-"));
    const withProviders = (aws: unknown) => {
      writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ provider: { aws } }));
      return neverApplicable(dir);
    };
    expect(withProviders([{ allowed_account_ids: ["111122223333"] }])).toBe(true);
    expect(withProviders([{ allowed_account_ids: ["111122223333"] }, { alias: "b", allowed_account_ids: ["123456789012"] }])).toBe(false);
    expect(withProviders([{ allowed_account_ids: ["111122223333", "123456789012"] }])).toBe(false);
    expect(withProviders([{ region: "us-east-1" }])).toBe(false);
    expect(withProviders([])).toBe(false);
    writeFileSync(join(dir, "cdk.tf.json"), "{ not json");
    expect(neverApplicable(dir)).toBe(false);
  });
});

describe("the constructs are as safe as the app", () => {
  const build = (console: false | object, requireMfa?: boolean) =>
    Testing.synthScope((scope: Construct) => {
      const group = new AdminGroup(scope, "AdminGroup", {
        partition: new DataAwsPartition(scope, "Partition"),
        mfaNotRequiredFor: ["alice"],
      });
      new AdminUser(scope, "AdminUser-alice", { userName: "alice", group, console: console as false, requireMfa });
    });

  test("fails if the group exempts a console user from MFA", () => {
    expect(() => build({})).toThrow(
      'mfaNotRequiredFor: the group exempts "alice" from MFA, but that user signs in to the console (console access requires ' +
        "MFA: give the user console: false, or take the name out of mfaNotRequiredFor)",
    );
  });

  test("fails if the group exempts a user who still requires MFA (the default)", () => {
    expect(() => build(false)).toThrow(/^requireMfa: true \(the default\) for "alice", but the group exempts the user/);
  });

  test("an exempted programmatic user (console: false, requireMfa: false) is built", () => {
    expect(build(false, false)).toContain('"name": "alice"');
  });
});
