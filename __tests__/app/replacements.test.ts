// Changes that make Terraform replace a resource are named as such: by synth (against the previous
// synth in the same folder) and by the review's diff. The provider's own verdict on pgp_key is
// checked in plan-from-state.test.ts.
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { SetupConfigInput, synthesize } from "../../modules";
import { PGP_KEY } from "../support/configs";
import { replacementCauses } from "../../modules/app/synth/replacements";

const OTHER_PGP_KEY = PGP_KEY.replace(/A{16}$/, "B".repeat(16));

function config(pgpKey: string, status: "Active" | "Inactive" = "Active"): SetupConfigInput {
  return {
    accounts: [
      { name: "prod", region: "us-east-1", adminUsers: [{ name: "alice", console: false, accessKeys: [{ id: "1", pgpKey, status }] }] },
    ],
  };
}

function synthInto(outdir: string, input: SetupConfigInput): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "config-")), "setup.config.json");
  writeFileSync(file, JSON.stringify(input));
  return synthesize({ configFile: file, outdir }).warnings.map((w) => w.message);
}

describe("replacementCauses", () => {
  test("names pgp_key of an access key, not its status", () => {
    expect(replacementCauses("aws_iam_access_key", { pgp_key: "a", status: "Active" }, { pgp_key: "b", status: "Inactive" })).toEqual([
      "pgp_key",
    ]);
  });

  test("leaves out arguments in lifecycle.ignore_changes (they never reach the provider)", () => {
    const after = { pgp_key: "b", lifecycle: { ignore_changes: ["pgp_key"] } };
    expect(replacementCauses("aws_iam_user_login_profile", { pgp_key: "a" }, after)).toEqual([]);
  });

  test("knows nothing of types it has no entry for", () => {
    expect(replacementCauses("aws_iam_user", { name: "a" }, { name: "b" })).toEqual([]);
  });
});

describe("synth warns of a replacement it can see (against the previous synth in the folder)", () => {
  test("a changed pgpKey: the key will be replaced, named with its address", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "replace-")), "cdktf.out");
    expect(synthInto(outdir, config(PGP_KEY)).filter((w) => w.includes("REPLACE"))).toEqual([]);

    const warnings = synthInto(outdir, config(OTHER_PGP_KEY)).filter((w) => w.includes("REPLACE"));

    expect(warnings).toEqual([
      "aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579: pgp_key changed since the last synth, which makes Terraform REPLACE it: " +
        "a new access key id and secret; the old key is deleted and stops working. Check the plan before you apply. [replacement]",
    ]);
  });

  test("also when the new synth is HCL (cdktf synth --hcl) and the previous one JSON", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "replace-hcl-")), "cdktf.out");
    synthInto(outdir, config(PGP_KEY));
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      expect(synthInto(outdir, config(OTHER_PGP_KEY)).filter((w) => w.includes("REPLACE"))).toHaveLength(1);
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
  });

  test("a status change is made in place: no warning", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "replace-")), "cdktf.out");
    synthInto(outdir, config(PGP_KEY));
    expect(synthInto(outdir, config(PGP_KEY, "Inactive")).filter((w) => w.includes("REPLACE"))).toEqual([]);
  });
});

describe("synth warns of a change that lifecycle.ignore_changes will not apply", () => {
  test("adding console.pgpKey to an existing user: no effect on the password until the profile is replaced", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ignored-")), "cdktf.out");
    const user = (console: { pgpKey?: string }) => ({
      accounts: [{ name: "prod", region: "us-east-1", adminUsers: [{ name: "alice", console, accessKeys: [] }] }],
    });
    synthInto(outdir, user({}));

    const warnings = synthInto(outdir, user({ pgpKey: PGP_KEY })).filter((w) => w.includes("ignore_changes"));

    expect(warnings).toEqual([
      "aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C: pgp_key changed since the last synth, but lifecycle.ignore_changes " +
        "keeps an existing resource as it is, so this has no effect on it. To apply it, replace the resource once: " +
        "terraform apply -replace=aws_iam_user_login_profile.AdminUser-alice_LoginProfile_A867EC4C " +
        "(a new initial password; the current one stops working). [ignored-change]",
    ]);
  });
});
