// scripts/sso-profiles.ts: the ~/.aws/config sections for IAM Identity Center. The rendering and every
// error run in-process (run(argv, io)); then the real client, the AWS CLI v2, reads what was printed.
// Only example values: the access portal d-1111111111, the accounts of examples/identity-center.config.json.
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { delimiter, join } from "path";
import { parseConfig } from "../../modules/app/config";
import { terraformRequired } from "../../scripts/lib/terraform";
import { Io, parseArgs, renderSsoConfig, run, ssoConfig } from "../../scripts/sso-profiles";
import { ROOT, SHIPPED_CONFIG_FILE } from "../support/configs";

const EXAMPLE = join(ROOT, "examples", "identity-center.config.json");
const START_URL = "https://d-1111111111.awsapps.com/start";

/** What the command prints for the example configuration and START_URL, with the defaults. */
const EXPECTED = `# AWS CLI v2 configuration for IAM Identity Center (npm run sso-profiles), for ~/.aws/config.
# Sign in with: aws sso login --sso-session incident-manager

[sso-session incident-manager]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile incident-manager-prod]
sso_session = incident-manager
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = us-east-1

[profile incident-manager-dev]
sso_session = incident-manager
sso_account_id = 444455556666
sso_role_name = AdministratorAccess
region = us-east-1
`;

const scratch = (name: string) => mkdtempSync(join(tmpdir(), `sso-profiles-${name}-`));
const example = (): any => JSON.parse(readFileSync(EXAMPLE, "utf8"));

function writeConfig(config: unknown): string {
  const file = join(scratch("config"), "setup.config.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs the command in-process, capturing what it prints. */
function cli(argv: string[], options: { config?: string; env?: NodeJS.ProcessEnv; root?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    env: { ...(options.env ?? process.env), SETUP_CONFIG: options.config ?? EXAMPLE },
    root: options.root ?? ROOT,
    out: (text) => out.push(text),
    err: (line) => err.push(line),
  };
  const code = run(argv, io);
  return { code, stdout: out.join(""), stderr: err.join("\n") };
}

describe("command line", () => {
  test("parseArgs: defaults, options in both spellings", () => {
    expect(parseArgs([])).toEqual({ session: "incident-manager", prefix: "" });
    expect(parseArgs(["--start-url", START_URL, "--session=ops", "--prefix", "im-"])).toEqual({
      startUrl: START_URL,
      session: "ops",
      prefix: "im-",
    });
    expect(parseArgs(["-h"])).toBe("help");
  });

  test("-h prints the usage, exit 0", () => {
    const result = cli(["-h"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run sso-profiles \[-- --start-url <url>\] \[--session <name>\] \[--prefix <text>\]/);
    expect(result.stderr).toBe("");
  });

  test.each([
    [["--start-url", "http://d-1111111111.awsapps.com/start"], '--start-url "http://d-1111111111.awsapps.com/start" is not an https URL'],
    [["--start-url", "d-1111111111.awsapps.com/start"], '--start-url "d-1111111111.awsapps.com/start" is not an https URL'],
    [["--start-url", "ftp://d-1111111111.awsapps.com/start"], '--start-url "ftp://d-1111111111.awsapps.com/start" is not an https URL'],
    [["--start-url", `${START_URL}\n[profile injected]`], `--start-url "${START_URL}\\n[profile injected]" is not an https URL`],
    [
      ["--start-url", "https://d-1111111111.awsapps.com/st art"],
      '--start-url "https://d-1111111111.awsapps.com/st art" is not an https URL',
    ],
    [["--session", "my session"], '--session "my session": letters, digits, -, _ and . only'],
    [["--session", "a]b"], '--session "a]b": letters, digits, -, _ and . only'],
    [["--prefix", "team/"], '--prefix "team/": letters, digits, -, _ and . only'],
    [["--prefix", "x=y"], '--prefix "x=y": letters, digits, -, _ and . only'],
    [["--nope"], "unknown option --nope"],
    [["--session"], "--session needs a value"],
    [["extra"], 'unexpected argument "extra"'],
  ])("usage error %j: exit 2, %s, with the usage", (argv, message) => {
    const result = cli(argv, { config: join(scratch("none"), "never-read.json") });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(/^sso-profiles: /);
    expect(result.stderr.split("\n")[0]).toContain(message);
    expect(result.stderr).toContain("usage: npm run sso-profiles");
    expect(result.stdout).toBe("");
  });
});

describe("rendering", () => {
  test("the example configuration: one sso-session, a profile per assigned account in configuration order", () => {
    const result = cli(["--start-url", START_URL]);
    expect(result).toEqual({
      code: 0,
      stdout: EXPECTED,
      stderr: "sso-profiles: 2 profile(s) in session incident-manager; start URL from --start-url",
    });
  });

  test("deterministic: the same input prints the same bytes", () => {
    expect(cli(["--start-url", START_URL]).stdout).toBe(cli(["--start-url", START_URL]).stdout);
  });

  test("--session and --prefix name the sections and the profiles' sso_session", () => {
    const { code, stdout } = cli(["--start-url", START_URL, "--session", "acme.sso", "--prefix", "im_"]);
    expect(code).toBe(0);
    // the session's name where it stands alone (not the account names, which merely start alike)
    expect(stdout).toBe(EXPECTED.replace(/incident-manager(?=\n|\])/g, "acme.sso").replace(/\[profile /g, "[profile im_"));
    expect(stdout).toContain("[sso-session acme.sso]\n");
    expect(stdout).toContain("[profile im_incident-manager-dev]\nsso_session = acme.sso\n");
    expect(stdout).toContain("aws sso login --sso-session acme.sso\n");
  });

  test("assignTo: only the accounts it names, in the order of accounts[]; the role is the permission set; each account's region", () => {
    const config = example();
    config.accounts.push({ name: "incident-manager-eu", region: "eu-west-1", accountId: "777788889999", adminUsers: [] });
    config.accounts[1].adminUsers = [{ name: "dev-admin" }]; // not assigned: it needs an IAM admin
    config.identityCenter.assignTo = ["incident-manager-eu", "incident-manager-prod"];
    config.identityCenter.permissionSet.name = "IncidentAdmins";
    config.identityCenter.region = "eu-central-1";
    const sso = ssoConfig(parseConfig(config), { session: "s", prefix: "", startUrl: START_URL });
    expect(sso).toEqual({
      session: "s",
      startUrl: START_URL,
      ssoRegion: "eu-central-1",
      profiles: [
        { name: "incident-manager-prod", accountId: "111122223333", roleName: "IncidentAdmins", region: "us-east-1" },
        { name: "incident-manager-eu", accountId: "777788889999", roleName: "IncidentAdmins", region: "eu-west-1" },
      ],
    });
    const text = renderSsoConfig(sso);
    expect(text.match(/^\[.*\]$/gm)).toEqual(["[sso-session s]", "[profile incident-manager-prod]", "[profile incident-manager-eu]"]);
    expect(text).toContain(
      "[profile incident-manager-eu]\nsso_session = s\nsso_account_id = 777788889999\nsso_role_name = IncidentAdmins\n",
    );
  });

  test("without --start-url: identityCenter.accessPortalUrl; --start-url wins over it", () => {
    const config = example();
    config.identityCenter.accessPortalUrl = "https://acme.awsapps.com/start";
    const file = writeConfig(config);
    const fromConfig = cli([], { config: file });
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stdout).toBe(EXPECTED.replace(START_URL, "https://acme.awsapps.com/start"));
    expect(fromConfig.stderr).toContain("start URL from identityCenter.accessPortalUrl");
    expect(cli(["--start-url", START_URL], { config: file }).stdout).toBe(EXPECTED);
  });

  test("renderSsoConfig refuses names and URLs that would make the INI ambiguous", () => {
    const sso = ssoConfig(parseConfig(example()), { session: "s", prefix: "", startUrl: START_URL });
    expect(() => renderSsoConfig({ ...sso, session: "a b" })).toThrow('"a b" is not a profile or session name');
    expect(() => renderSsoConfig({ ...sso, profiles: [{ ...sso.profiles[0], name: "x]" }] })).toThrow('"x]" is not a profile');
    expect(() => renderSsoConfig({ ...sso, startUrl: "http://example.com" })).toThrow("is not an https URL");
  });
});

describe("the start URL from terraform output -json of the Identity Center stack", () => {
  /** A project root with cdktf.out/stacks/identity-center/ and a fake terraform that prints `outputs`. */
  function fakeProject(outputs: unknown) {
    const root = scratch("project");
    mkdirSync(join(root, "cdktf.out", "stacks", "identity-center"), { recursive: true });
    const bin = join(root, "bin");
    mkdirSync(bin);
    const log = join(root, "terraform.log");
    const document = join(root, "outputs.json");
    writeFileSync(document, JSON.stringify(outputs));
    writeFileSync(
      join(bin, "terraform"),
      [
        "#!/bin/sh",
        `echo "$CHECKPOINT_DISABLE $*" > '${log}'`,
        'if [ -n "$FAIL" ]; then echo "Error: $FAIL" >&2; exit 1; fi',
        `cat '${document}'`,
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "terraform"), 0o755);
    return { root, log, env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } };
  }

  const deployed = {
    access_portal_url: { sensitive: false, type: "string", value: START_URL },
    sso_region: { sensitive: false, type: "string", value: "us-east-1" },
    permission_set_name: { sensitive: false, type: "string", value: "AdministratorAccess" },
    assigned_accounts: { sensitive: false, value: { "incident-manager-prod": "111122223333", "incident-manager-dev": "444455556666" } },
  };

  test("reads access_portal_url in cdktf.out/stacks/<identityCenter.name>", () => {
    const { root, log, env } = fakeProject(deployed);
    const result = cli([], { env, root });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(EXPECTED);
    expect(result.stderr).toContain("start URL from output access_portal_url of stack identity-center");
    expect(readFileSync(log, "utf8").trim()).toBe(
      `1 -chdir=${join(root, "cdktf.out", "stacks", "identity-center")} output -json -no-color`,
    );
  });

  /** Every "no start URL" error names the three ways to give it. */
  function expectNoStartUrl(result: { code: number; stdout: string; stderr: string }, reason: string) {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("sso-profiles: no access portal URL: ");
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toContain("--start-url <url>");
    expect(result.stderr).toContain("identityCenter.accessPortalUrl in the configuration");
    expect(result.stderr).toContain(
      "deploy the Identity Center stack (npx cdktf deploy identity-center) so that " +
        "`terraform -chdir=cdktf.out/stacks/identity-center output -json` has access_portal_url",
    );
  }

  test("the stack is not synthesized", () => {
    const root = scratch("empty-project");
    expectNoStartUrl(cli([], { root }), "stack identity-center is not synthesized");
  });

  test("terraform output fails (not deployed, not initialized)", () => {
    const { root, env } = fakeProject(deployed);
    const result = cli([], { env: { ...env, FAIL: "Backend initialization required" }, root });
    expectNoStartUrl(result, "terraform -chdir=cdktf.out/stacks/identity-center output -json failed (exit 1)");
    expect(result.stderr).toContain("Error: Backend initialization required");
  });

  test("terraform is not on PATH", () => {
    const { root } = fakeProject(deployed);
    expectNoStartUrl(cli([], { env: { ...process.env, PATH: scratch("empty-path") }, root }), "terraform not found on PATH");
  });

  test("no outputs (no state yet), or an access_portal_url that is not https", () => {
    expectNoStartUrl(cli([], fakeProject({})), "stack identity-center has no output access_portal_url (has it been deployed?)");
    const bad = fakeProject({ ...deployed, access_portal_url: { value: "http://d-1111111111.awsapps.com/start" } });
    expectNoStartUrl(cli([], bad), "output access_portal_url of stack identity-center is not an https URL");
  });
});

describe("configuration errors (exit 1)", () => {
  test("no identityCenter in the configuration", () => {
    const result = cli(["--start-url", START_URL], { config: SHIPPED_CONFIG_FILE });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `sso-profiles: ${SHIPPED_CONFIG_FILE} has no identityCenter: there is no permission set to make profiles for ` +
        "(add identityCenter, see examples/identity-center.config.json, or set SETUP_CONFIG to a configuration that has it)",
    );
  });

  test("a configuration that is missing or invalid", () => {
    const missing = cli(["--start-url", START_URL], { config: join(scratch("none"), "nope.json") });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.json: 1 problem");
    const config = example();
    config.identityCenter.assignTo = ["staging"];
    const invalid = cli(["--start-url", START_URL], { config: writeConfig(config) });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("identityCenter.assignTo[0]");
    expect(invalid.stdout).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------
// The real client: the AWS CLI v2 reads the printed file.

/** An AWS CLI v2 binary: /usr/bin/aws (Debian's awscli), else the first `aws` on PATH that is v2. */
function findAwsCliV2(): { path: string; version: string } | { reason: string; detail: string } {
  const candidates = ["/usr/bin/aws", "/usr/local/bin/aws", ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "aws"))];
  const seen: string[] = [];
  for (const path of [...new Set(candidates)]) {
    const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 60_000 });
    if (run.error) continue;
    const version = `${run.stdout}${run.stderr}`.trim().split("\n")[0];
    if (version.startsWith("aws-cli/2")) return { path, version };
    seen.push(`${path}: ${version || `exit ${run.status}`}`);
  }
  return {
    reason: "AWS CLI v2 not found",
    detail:
      `no aws binary whose \`aws --version\` starts with aws-cli/2 (${seen.length ? `found: ${seen.join("; ")}` : "no aws found"}). ` +
      "Install it (Debian: apt-get install awscli), as .ci/run does",
  };
}

/** Like terraformTestGate: a missing AWS CLI v2 is a reported skip, or a failure under REQUIRE_TERRAFORM=1 or CI=true. */
function describeWithAwsCliV2(title: string, body: (aws: string) => void): void {
  const found = findAwsCliV2();
  if ("path" in found) {
    describe(`${title} (${found.path}: ${found.version.split(" ")[0]})`, () => body(found.path));
    return;
  }
  const required = terraformRequired() || process.env.CI === "true";
  if (required) {
    test(`${title} — ${found.reason} (REQUIRE_TERRAFORM=1 or CI=true)`, () => {
      throw new Error(`${found.reason}: ${found.detail}. REQUIRE_TERRAFORM=1 or CI=true is set, so this is a failure, not a skip.`);
    });
  } else {
    const name = `${title} — skipped: ${found.reason}`;
    console.warn(`${name}\n  ${found.detail}\n  (set REQUIRE_TERRAFORM=1 or CI=true to make this a failure)`);
    test.skip(name, () => undefined);
  }
}

describeWithAwsCliV2("the AWS CLI v2 reads the printed configuration", (aws) => {
  jest.setTimeout(120_000);

  /** Writes `text` as the only config file and runs the CLI on it: no credentials file, no token cache, no instance metadata. */
  function awsWith(text: string, args: string[]) {
    const home = scratch("home");
    const configFile = join(home, "config");
    writeFileSync(configFile, text);
    const run = spawnSync(aws, args, {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_PAGER: "",
      },
    });
    if (run.error) throw run.error;
    return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
  }

  const printed = () => {
    const result = cli(["--start-url", START_URL]);
    expect(result.code).toBe(0);
    return result.stdout;
  };

  test("aws configure list-profiles lists every profile (and no sso-session as a profile)", () => {
    expect(awsWith(printed(), ["configure", "list-profiles"])).toEqual({
      status: 0,
      stdout: "incident-manager-prod\nincident-manager-dev",
      stderr: "",
    });
    const prefixed = cli(["--start-url", START_URL, "--prefix", "im.", "--session", "ops_sso"]).stdout;
    expect(awsWith(prefixed, ["configure", "list-profiles"]).stdout).toBe("im.incident-manager-prod\nim.incident-manager-dev");
  });

  test.each([
    ["incident-manager-prod", "111122223333"],
    ["incident-manager-dev", "444455556666"],
  ])("aws configure get, profile %s: sso_account_id %s, sso_role_name, region, sso_session", (profile, accountId) => {
    const text = printed();
    const get = (key: string) => awsWith(text, ["configure", "get", key, "--profile", profile]);
    expect(get("sso_account_id")).toEqual({ status: 0, stdout: accountId, stderr: "" });
    expect(get("sso_role_name")).toEqual({ status: 0, stdout: "AdministratorAccess", stderr: "" });
    expect(get("region")).toEqual({ status: 0, stdout: "us-east-1", stderr: "" });
    expect(get("sso_session")).toEqual({ status: 0, stdout: "incident-manager", stderr: "" });
  });

  // `aws configure get` reads a profile's own section only (CLI 2.9.19: neither
  // `configure get sso-session.<name>.sso_start_url` nor `configure get sso_start_url --profile <p>`
  // returns the session's values; both exit 1). The credential provider does read them: it merges
  // the profile's [sso-session] into the profile and refuses a profile whose own copy of a session
  // key differs, naming the session's value. So the session is read the way `aws ... --profile` reads it.
  test("the profile resolves its sso-session: complete, and only the sign-in is missing", () => {
    const result = awsWith(printed(), ["configure", "export-credentials", "--profile", "incident-manager-prod"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Token for incident-manager does not exist");
    expect(result.stderr).not.toMatch(/does not exist: "incident-manager"|missing|inconsistent/);
  });

  test.each([
    ["sso_start_url", START_URL],
    ["sso_region", "us-east-1"],
    ["sso_registration_scopes", "sso:account:access"],
  ])("the session's %s, as the credential provider reads it, is %s", (key, value) => {
    const probe = printed().replace("[profile incident-manager-prod]\n", `[profile incident-manager-prod]\n${key} = probe\n`);
    const result = awsWith(probe, ["configure", "export-credentials", "--profile", "incident-manager-prod"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`The value for ${key} is inconsistent between profile (probe) and sso-session (${value}).`);
  });
});
