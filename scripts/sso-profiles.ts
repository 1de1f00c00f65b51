// `npm run sso-profiles`: AWS CLI v2 configuration for IAM Identity Center, to paste into ~/.aws/config
// (USAGE; https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html, manual configuration).
// Exit codes: 0 printed; 1 the configuration or the start URL is missing or wrong; 2 usage.
import { AccountConfig, ConfigError, SetupConfig, assignedAccounts, loadConfig } from "../modules/app/config";
import { IDENTITY_CENTER_OUTPUTS } from "../modules/app/stacks/identity-center-stack";
import { CommandError, CommandIo, EXIT, UsageError, configFileOf, main, parseCommandLine, processIo, runCommand } from "./lib/cli";
import { TerraformOutputError, outputCommand, terraformOutputs } from "./lib/terraform-output";

/** The default name of the [sso-session] section. */
export const DEFAULT_SESSION = "incident-manager";

/** The scope the AWS CLI registers for: listing and using the accounts and roles of the user. */
export const REGISTRATION_SCOPES = "sso:account:access";

/** Profile and session names: one word the AWS CLI's INI reader and shells take as it is. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const NAME_RULE = "letters, digits, -, _ and . only";

export const USAGE = [
  "usage: npm run sso-profiles [-- --start-url <url>] [--session <name>] [--prefix <text>]",
  "",
  "Prints AWS CLI v2 configuration for IAM Identity Center, to paste into ~/.aws/config: one",
  "[sso-session] section and one [profile] per account identityCenter assigns the permission set in",
  "(its accounts[] name, in configuration order). Then: aws sso login --sso-session <name>.",
  "",
  "  --start-url <url>  the AWS access portal URL (https). Default: identityCenter.accessPortalUrl,",
  "                     else the output access_portal_url of the deployed Identity Center stack",
  "                     (terraform -chdir=cdktf.out/stacks/<identityCenter.name> output -json)",
  `  --session <name>   the sso-session name (default: ${DEFAULT_SESSION})`,
  '  --prefix <text>    prepended to every profile name (default: "")',
  "",
  `Names: ${NAME_RULE}. The configuration is SETUP_CONFIG (default: setup.config.json).`,
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class SsoProfilesError extends CommandError {
  override name = "SsoProfilesError";
}

export interface Args {
  readonly startUrl?: string;
  readonly session: string;
  readonly prefix: string;
}

/**
 * Whether `text` is an https URL that fits on one INI line as it is (no whitespace or control
 * characters, which the URL parser would drop silently).
 */
export function isHttpsUrl(text: string): boolean {
  if (/[\s\p{Cc}]/u.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** `--help` / `-h`, or the parsed arguments. Throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Args | "help" {
  const line = parseCommandLine(argv, ["start-url", "session", "prefix"], 0);
  if (line === "help") return "help";
  const { "start-url": startUrl, session = DEFAULT_SESSION, prefix = "" } = line.options;
  if (startUrl !== undefined && !isHttpsUrl(startUrl)) {
    throw new UsageError(`--start-url ${JSON.stringify(startUrl)} is not an https URL (such as https://d-1234567890.awsapps.com/start)`);
  }
  if (!NAME_PATTERN.test(session)) throw new UsageError(`--session ${JSON.stringify(session)}: ${NAME_RULE}`);
  if (prefix !== "" && !NAME_PATTERN.test(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: ${NAME_RULE}`);
  return { ...(startUrl !== undefined ? { startUrl } : {}), session, prefix };
}

/** One [profile] section. */
export interface SsoProfile {
  readonly name: string;
  readonly accountId: string;
  readonly roleName: string;
  readonly region: string;
}

/** What is printed: the session and its profiles. */
export interface SsoConfig {
  readonly session: string;
  readonly startUrl: string;
  readonly ssoRegion: string;
  readonly profiles: readonly SsoProfile[];
}

/** The session and profiles for a validated configuration with identityCenter. */
export function ssoConfig(config: SetupConfig, args: { session: string; prefix: string; startUrl: string }): SsoConfig {
  const ic = config.identityCenter;
  if (!ic) throw new SsoProfilesError("the configuration has no identityCenter");
  const profiles = assignedAccounts(config).map((account: AccountConfig): SsoProfile => {
    if (account.accountId === undefined) {
      throw new SsoProfilesError(`accounts[] entry ${account.name} has no accountId (identityCenter assigns to it, so it needs one)`);
    }
    return { name: `${args.prefix}${account.name}`, accountId: account.accountId, roleName: ic.permissionSet.name, region: account.region };
  });
  if (profiles.length === 0) throw new SsoProfilesError("identityCenter assigns the permission set in no account");
  return { session: args.session, startUrl: args.startUrl, ssoRegion: ic.region, profiles };
}

/** The ~/.aws/config text: the [sso-session] section, then the profiles in order. */
export function renderSsoConfig(sso: SsoConfig): string {
  for (const name of [sso.session, ...sso.profiles.map((p) => p.name)]) {
    if (!NAME_PATTERN.test(name)) throw new SsoProfilesError(`${JSON.stringify(name)} is not a profile or session name (${NAME_RULE})`);
  }
  if (!isHttpsUrl(sso.startUrl)) throw new SsoProfilesError(`${JSON.stringify(sso.startUrl)} is not an https URL`);
  const section = (header: string, entries: [string, string][]) => [`[${header}]`, ...entries.map(([k, v]) => `${k} = ${v}`)].join("\n");
  return [
    "# AWS CLI v2 configuration for IAM Identity Center (npm run sso-profiles), for ~/.aws/config.\n" +
      `# Sign in with: aws sso login --sso-session ${sso.session}`,
    section(`sso-session ${sso.session}`, [
      ["sso_start_url", sso.startUrl],
      ["sso_region", sso.ssoRegion],
      ["sso_registration_scopes", REGISTRATION_SCOPES],
    ]),
    ...sso.profiles.map((p) =>
      section(`profile ${p.name}`, [
        ["sso_session", sso.session],
        ["sso_account_id", p.accountId],
        ["sso_role_name", p.roleName],
        ["region", p.region],
      ]),
    ),
  ].join("\n\n");
}

/** The three ways to give the access portal URL, for the error when none is available. */
function startUrlWays(stack: string): string {
  return (
    "give the AWS access portal URL in one of three ways: --start-url <url>; identityCenter.accessPortalUrl in the configuration; " +
    `or deploy the Identity Center stack (npx cdktf deploy ${stack}) so that \`${outputCommand(stack)}\` has access_portal_url`
  );
}

/** The access portal URL: the flag, the configuration, or the stack's output; and where it came from. */
export function startUrl(args: Args, config: SetupConfig, io: Pick<Io, "env" | "root">): { url: string; source: string } {
  const ic = config.identityCenter;
  if (!ic) throw new SsoProfilesError("the configuration has no identityCenter");
  if (args.startUrl !== undefined) return { url: args.startUrl, source: "--start-url" };
  if (ic.accessPortalUrl !== undefined) return { url: ic.accessPortalUrl, source: "identityCenter.accessPortalUrl" };
  const stack = ic.name;
  const output = IDENTITY_CENTER_OUTPUTS.accessPortalUrl;
  let reason: string;
  try {
    const value = terraformOutputs(stack, io.root, io.env, "use --start-url")[output]?.value;
    if (typeof value === "string" && isHttpsUrl(value)) return { url: value, source: `output ${output} of stack ${stack}` };
    reason =
      value === undefined
        ? `stack ${stack} has no output ${output} (has it been deployed?)`
        : `output ${output} of stack ${stack} is not an https URL`;
  } catch (e) {
    if (!(e instanceof TerraformOutputError)) throw e;
    reason = e.message;
  }
  throw new SsoProfilesError(`no access portal URL: ${reason}\nTo fix it, ${startUrlWays(stack)}.`);
}

/** Where the script reads and writes. */
export type Io = CommandIo;

const SPEC = { name: "sso-profiles", usage: USAGE, parse: parseArgs, failures: [ConfigError] };

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: Io = processIo()): number {
  return runCommand(SPEC, argv, io, (args) => {
    const configFile = configFileOf(io);
    const config = loadConfig(configFile);
    if (!config.identityCenter) {
      throw new SsoProfilesError(
        `${configFile} has no identityCenter: there is no permission set to make profiles for ` +
          "(add identityCenter, see examples/identity-center.config.json, or set SETUP_CONFIG to a configuration that has it)",
      );
    }
    const { url, source } = startUrl(args, config, io);
    const sso = ssoConfig(config, { session: args.session, prefix: args.prefix, startUrl: url });
    io.out(`${renderSsoConfig(sso)}\n`);
    io.err(`sso-profiles: ${sso.profiles.length} profile(s) in session ${sso.session}; start URL from ${source}`);
    return EXIT.ok;
  });
}

if (require.main === module) main(run);
