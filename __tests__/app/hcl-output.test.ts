// `cdktf synth --hcl` (SYNTH_HCL_OUTPUT=true): the same stack as HCL, for pipelines that want .tf files.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { synthesize } from "../../modules";
import { SHIPPED_CONFIG_FILE } from "../support/configs";

function synthInto(outdir: string, hcl: boolean): void {
  const before = process.env.SYNTH_HCL_OUTPUT;
  if (hcl) process.env.SYNTH_HCL_OUTPUT = "true";
  else delete process.env.SYNTH_HCL_OUTPUT;
  try {
    synthesize({ configFile: SHIPPED_CONFIG_FILE, outdir });
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
  }
}

function synthHcl(): string {
  const outdir = join(mkdtempSync(join(tmpdir(), "hcl-")), "cdktf.out");
  synthInto(outdir, true);
  return readFileSync(join(outdir, "stacks", "incident-manager", "cdk.tf"), "utf8");
}

describe("each synth leaves exactly one form in a stack folder (terraform reads both: Duplicate resource)", () => {
  const outdir = join(mkdtempSync(join(tmpdir(), "forms-")), "cdktf.out");
  const files = () => readdirSync(join(outdir, "stacks", "incident-manager")).filter((f) => f.startsWith("cdk.tf"));

  test("JSON, then HCL: only cdk.tf is left", () => {
    synthInto(outdir, false);
    expect(files()).toEqual(["cdk.tf.json"]);
    synthInto(outdir, true);
    expect(files()).toEqual(["cdk.tf"]);
  });

  test("HCL, then JSON: only cdk.tf.json is left", () => {
    synthInto(outdir, true);
    synthInto(outdir, false);
    expect(files()).toEqual(["cdk.tf.json"]);
  });
});

describe("HCL output", () => {
  const hcl = synthHcl();

  test("holds every resource of the stack", () => {
    for (const block of [
      'resource "aws_iam_group" "AdminGroup_CD52047A"',
      'resource "aws_iam_group_policy_attachment" "AdminGroup_AdministratorAccess_3E3326B0"',
      'resource "aws_iam_group_policy" "AdminGroup_EnforceMfa_B77715BF"',
      'resource "aws_iam_user" "AdminUser-incident-admin_D23EE31F"',
      'resource "aws_iam_user_group_membership" "AdminUser-incident-admin_GroupMembership_39361C81"',
      'resource "aws_iam_user_login_profile" "AdminUser-incident-admin_LoginProfile_387F4A5B"',
      'resource "aws_iam_access_key" "AdminUser-incident-admin_AccessKey-1_34369652"',
      'resource "aws_iam_service_linked_role" "IncidentManagerServiceLinkedRole_84057CB3"',
    ]) {
      expect(hcl).toContain(block);
    }
  });

  test("the auto role mode's import iterates over the lookup, and the terraform block requires 1.7 in HCL's own syntax", () => {
    expect(hcl).toContain(
      "import {\nfor_each = data.aws_iam_roles.IncidentManagerServiceLinkedRole_Existing_C55F772A.arns\n" +
        "to = aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3\nid = each.value\n}",
    );
    expect(hcl).toMatch(/^terraform \{\n {2}required_version = ">= 1\.7\.0"\n/);
    // CDKTF's renderer writes the stack override as a list entry, which Terraform refuses.
    expect(hcl).not.toContain('"required_version"');
  });

  test("a retired stack keeps its removed blocks in HCL", () => {
    const dir = mkdtempSync(join(tmpdir(), "hcl-retired-"));
    const file = join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ accounts: [{ name: "old", region: "us-east-1", accountId: "123456789012", retire: true, adminUsers: [] }] }),
    );
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      synthesize({ configFile: file, outdir: join(dir, "cdktf.out") });
    } finally {
      delete process.env.SYNTH_HCL_OUTPUT;
    }
    const retired = readFileSync(join(dir, "cdktf.out", "stacks", "old", "cdk.tf"), "utf8");
    expect(retired).toContain(
      "removed {\n  from = aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3\n\n  lifecycle {\n    destroy = false\n  }\n}",
    );
    expect(retired).not.toMatch(/^resource /m);
  });

  test("keeps the root-user check block, which CDKTF's HCL renderer would drop", () => {
    expect(hcl).toContain(
      'check "deploying_identity_is_not_root" {\n  assert {\n    condition     = !endswith(data.aws_caller_identity.CallerIdentity.arn, ":root")\n',
    );
  });

  test("keeps the secrets' outputs sensitive and the role's prevent_destroy", () => {
    const start = hcl.indexOf('output "admin_user_secrets" {');
    // The renderer does not indent nested objects: the block ends where the next top-level block starts.
    const end = hcl.slice(start + 1).search(/\n(resource|output|data|check|terraform|provider) /);
    const block = hcl.slice(start, end < 0 ? undefined : start + 1 + end);
    expect(block).toMatch(/sensitive\s*=\s*true/);
    expect(hcl).toMatch(/prevent_destroy = true/);
  });
});
