// Hands an access key over the way the AWS console does: a .csv file with the header
// `Access key ID,Secret access key` and one row, written once, readable by the owner only.
//
//   npm run credentials -- <stack> <user> [--key <id>] [--out <file>] [--outputs-json <file>]
//
// The key comes from the stack's Terraform outputs (`terraform output -json` in
// cdktf.out/stacks/<stack>, or a recorded copy of that document with --outputs-json):
// `<prefix>_access_key_<id>_id` plus the secret as `..._secret` (plain), `..._encrypted_secret`
// (PGP: decrypted here with gpg) or `..._secret_arn` (AWS Secrets Manager: not written; the
// command that reads it is printed instead). The secret is never printed.
import { spawnSync } from "child_process";
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from "fs";
import { basename, dirname, resolve } from "path";
import { accessKeyId, outputPrefix, userCwd } from "../modules/config";
import { UsageError } from "./lib/cli";

/** The project root (the folder that holds cdktf.out/). */
export const PROJECT_ROOT = resolve(__dirname, "..");

/** The header of the console's access key file. */
export const CSV_HEADER = ["Access key ID", "Secret access key"] as const;

export const USAGE = [
  "usage: npm run credentials -- <stack> <user> [--key <id>] [--out <file>] [--outputs-json <file>]",
  "",
  "Writes the access key of an IAM user as the AWS console offers it: a .csv file with the header",
  '"Access key ID,Secret access key" and one row, mode 0600, never overwriting an existing file.',
  "",
  "  <stack>                a stack (account) name, e.g. incident-manager",
  "  <user>                 the IAM user name, e.g. incident-admin",
  `  --key <id>             the key's id in the configuration (accessKeys[].id; by default ${accessKeyId({}, 0)} and ${accessKeyId({}, 1)});`,
  "                         needed only when the user has two keys",
  "  --out <file>           where to write (default: ./credentials-<stack>-<user>-<key>.csv)",
  "  --outputs-json <file>  read a saved `terraform output -json` instead of running",
  "                         terraform -chdir=cdktf.out/stacks/<stack> output -json",
  "",
  "PGP-encrypted secrets (pgpKey) are decrypted with gpg (GNUPGHOME is honoured).",
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

export interface Args {
  readonly stack: string;
  readonly user: string;
  readonly key?: string;
  readonly out?: string;
  readonly outputsJson?: string;
}

/** `--help` / `-h`, or the parsed arguments. Throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Args | "help" {
  const positional: string[] = [];
  const options: { key?: string; out?: string; outputsJson?: string } = {};
  const names: Record<string, keyof typeof options> = { "--key": "key", "--out": "out", "--outputs-json": "outputsJson" };
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositional || !arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositional = true;
      continue;
    }
    if (arg === "--help" || arg === "-h") return "help";
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const field = names[name];
    if (!field) throw new UsageError(`unknown option ${name}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${name} needs a value`);
      i++;
    }
    if (value === "") throw new UsageError(`${name} needs a value`);
    if (options[field] !== undefined) throw new UsageError(`${name} given twice`);
    options[field] = value;
  }
  if (positional.length < 2) {
    throw new UsageError(positional.length === 0 ? "missing <stack> and <user>" : "missing <user>");
  }
  if (positional.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positional[2])}`);
  const [stack, user] = positional;
  if (stack === "") throw new UsageError("<stack> is empty");
  if (user === "") throw new UsageError("<user> is empty");
  return { stack, user, ...options };
}

/** One output of `terraform output -json`. */
export interface TerraformOutputValue {
  readonly sensitive?: boolean;
  readonly type?: unknown;
  readonly value: unknown;
}

/** The document `terraform output -json` prints: output name -> output. */
export type TerraformOutputs = Record<string, TerraformOutputValue>;

/** Checks the shape of a `terraform output -json` document (never echoes values: they hold secrets). */
export function parseOutputs(text: string, source: string): TerraformOutputs {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CredentialsError(`${source} is not JSON (${(e as Error).message.replace(/ in JSON at .*/s, "")}); expected the output of \`terraform output -json\``);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new CredentialsError(`${source} is not a \`terraform output -json\` document (expected an object of outputs)`);
  }
  for (const [name, output] of Object.entries(data)) {
    if (output === null || typeof output !== "object" || !("value" in output)) {
      throw new CredentialsError(`${source}: output ${JSON.stringify(name)} has no "value" (expected the output of \`terraform output -json\`)`);
    }
  }
  return data as TerraformOutputs;
}

/** Where the secret of a key is. */
export type SecretSource =
  | { readonly kind: "plain"; readonly output: string; readonly secret: string }
  | { readonly kind: "pgp"; readonly output: string; readonly encrypted: string; readonly fingerprint?: string }
  | { readonly kind: "secrets-manager"; readonly output: string; readonly arn: string };

/** The access key chosen from the outputs. */
export interface SelectedKey {
  /** The key id as configured (accessKeys[].id). */
  readonly keyId: string;
  /** The name of the output with the access key id. */
  readonly idOutput: string;
  /** The access key id (AKIA...). */
  readonly accessKeyId: string;
  readonly secret: SecretSource;
}

const IAM_USER_ARN = /^arn:[a-z-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/;

/** The IAM users of the outputs: output prefix -> user name (from the `user_*_arn` outputs). */
export function usersInOutputs(outputs: TerraformOutputs): Map<string, string> {
  const users = new Map<string, string>();
  for (const [name, output] of Object.entries(outputs)) {
    if (!name.startsWith("user_") || !name.endsWith("_arn")) continue;
    const prefix = name.slice(0, -"_arn".length);
    const match = typeof output.value === "string" ? IAM_USER_ARN.exec(output.value) : null;
    if (match) users.set(prefix, match[1]);
    // Without a readable ARN, still a user unless it is the ARN of a key's secret.
    else if (!/_access_key_[a-z0-9_]+_secret$/.test(prefix)) users.set(prefix, prefix.slice("user_".length));
  }
  return users;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The key ids (output form) of the user with output prefix `prefix`, sorted. */
export function keyIdsInOutputs(outputs: TerraformOutputs, prefix: string): string[] {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}_access_key_([a-z0-9][a-z0-9_]*)_id$`);
  // Another user whose prefix extends this one (user "a" and user "a_access_key_1") owns its outputs.
  const longer = [...usersInOutputs(outputs).keys()].filter((p) => p !== prefix && p.startsWith(`${prefix}_`));
  const ids: string[] = [];
  for (const name of Object.keys(outputs)) {
    const match = pattern.exec(name);
    if (!match) continue;
    if (longer.some((p) => name.startsWith(`${p}_access_key_`))) continue;
    ids.push(match[1]);
  }
  return ids.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** A key id as it appears in the output names (the configuration's hyphens become "_"). */
export function outputKeyId(keyId: string): string {
  return keyId.replace(/-/g, "_");
}

/** A key id of the output names as configured (ids cannot contain "_", so every "_" was a "-"). */
export function configKeyId(outputId: string): string {
  return outputId.replace(/_/g, "-");
}

function stringValue(outputs: TerraformOutputs, name: string, what: string): string | undefined {
  const output = outputs[name];
  if (output === undefined) return undefined;
  if (typeof output.value !== "string" || output.value === "") {
    throw new CredentialsError(`${what}: output ${name} is ${output.value === "" ? "empty" : "not a string"}`);
  }
  return output.value;
}

/**
 * The access key of `user` in the outputs: `keyId` (configuration or output form), or the
 * user's only key. Throws a {@link CredentialsError} naming the stack, user and key.
 */
export function selectKey(outputs: TerraformOutputs, user: string, keyId?: string, stack = "the stack"): SelectedKey {
  const prefix = outputPrefix(user);
  const users = usersInOutputs(outputs);
  const ids = keyIdsInOutputs(outputs, prefix);
  const shown = ids.map(configKeyId).join(", ");
  const where = `user ${user} in stack ${stack}`;
  const usersFound = () => {
    const names = [...users.values()].sort();
    return names.length ? `users found: ${names.join(", ")}` : "no users found in the outputs";
  };

  if (Object.keys(outputs).length === 0) {
    throw new CredentialsError(`stack ${stack} has no outputs: has it been deployed? (npx cdktf deploy ${stack})`);
  }
  if (ids.length === 0) {
    const known = users.has(prefix) ? `${where} has no access key outputs` : `${where}: no such user, and no access key outputs for it`;
    throw new CredentialsError(`${known} (${usersFound()}; outputs looked for: ${prefix}_access_key_<id>_id)`);
  }

  let id: string;
  if (keyId !== undefined) {
    id = outputKeyId(keyId);
    if (!ids.includes(id)) {
      throw new CredentialsError(`${where} has no access key ${keyId} (keys found: ${shown}; output ${prefix}_access_key_${id}_id is missing)`);
    }
  } else if (ids.length === 1) {
    id = ids[0];
  } else {
    throw new CredentialsError(`${where} has ${ids.length} access keys (${shown}); choose one with --key <id>`);
  }

  const keyPrefix = `${prefix}_access_key_${id}`;
  const what = `key ${configKeyId(id)} of ${where}`;
  const accessKeyIdValue = stringValue(outputs, `${keyPrefix}_id`, what) as string;
  const plain = stringValue(outputs, `${keyPrefix}_secret`, what);
  const encrypted = stringValue(outputs, `${keyPrefix}_encrypted_secret`, what);
  const arn = stringValue(outputs, `${keyPrefix}_secret_arn`, what);
  const base = { keyId: configKeyId(id), idOutput: `${keyPrefix}_id`, accessKeyId: accessKeyIdValue };
  if (plain !== undefined) return { ...base, secret: { kind: "plain", output: `${keyPrefix}_secret`, secret: plain } };
  if (encrypted !== undefined) {
    const fingerprint = stringValue(outputs, `${keyPrefix}_key_fingerprint`, what);
    return { ...base, secret: { kind: "pgp", output: `${keyPrefix}_encrypted_secret`, encrypted, fingerprint } };
  }
  if (arn !== undefined) return { ...base, secret: { kind: "secrets-manager", output: `${keyPrefix}_secret_arn`, arn } };
  throw new CredentialsError(
    `${what}: no secret in the outputs (none of ${keyPrefix}_secret, ${keyPrefix}_encrypted_secret, ${keyPrefix}_secret_arn)`,
  );
}

/** The command that decrypts an encrypted output by hand. */
export function manualDecryptCommand(stack: string, output: string): string {
  return `terraform -chdir=cdktf.out/stacks/${stack} output -raw ${output} | base64 --decode | gpg --decrypt`;
}

/**
 * Decrypts a base64-encoded binary PGP message with `gpg --batch --quiet --decrypt` (GNUPGHOME
 * and PATH from `env`). Throws a {@link CredentialsError} when gpg is missing or fails; `context`
 * names the stack, user and key, `manual` is the command that does it by hand.
 */
export function decryptPgp(base64: string, env: NodeJS.ProcessEnv = process.env, context = "the secret", manual?: string): string {
  const byHand = manual
    ? `\nTo decrypt it by hand:\n  ${manual}\n  (for a keybase:<user> key: ${manual.replace(/gpg --decrypt$/, "keybase pgp decrypt")})`
    : "";
  const compact = base64.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new CredentialsError(`${context}: the encrypted secret is not base64`);
  }
  const run = spawnSync("gpg", ["--batch", "--quiet", "--decrypt"], {
    input: Buffer.from(compact, "base64"),
    env,
    encoding: "buffer",
    timeout: 120_000,
    maxBuffer: 1024 * 1024,
  });
  if (run.error) {
    if ((run.error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CredentialsError(
        `${context}: gpg not found on PATH, so the PGP-encrypted secret cannot be decrypted here. ` +
          `Install GnuPG (e.g. apt-get install gnupg, or brew install gnupg) and run this again.${byHand}`,
      );
    }
    throw new CredentialsError(`${context}: gpg could not run: ${run.error.message}${byHand}`);
  }
  if (run.status !== 0) {
    const stderr = run.stderr.toString("utf8").trim();
    throw new CredentialsError(
      `${context}: gpg --decrypt failed (${run.status === null ? `killed by ${run.signal}` : `exit ${run.status}`})` +
        (stderr ? `:\n${stderr.replace(/^/gm, "  ")}` : "") +
        `\nIs the private key in the keyring (GNUPGHOME=${env.GNUPGHOME ?? "~/.gnupg"})?${byHand}`,
    );
  }
  const secret = run.stdout.toString("utf8").trim();
  if (secret === "") throw new CredentialsError(`${context}: gpg decrypted an empty secret`);
  return secret;
}

/** A CSV field, quoted per RFC 4180 only when it has to be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The console's access key file: the header and one row. */
export function renderCsv(accessKeyIdValue: string, secret: string): string {
  return `${CSV_HEADER.map(csvField).join(",")}\n${csvField(accessKeyIdValue)},${csvField(secret)}\n`;
}

/** Writes the CSV file with mode 0600; refuses to overwrite an existing file. */
export function writeCsv(file: string, accessKeyIdValue: string, secret: string): void {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CredentialsError(`${file} already exists; refusing to overwrite (move it away, or choose another file with --out)`);
    if (code === "ENOENT") throw new CredentialsError(`cannot write ${file}: folder ${dirname(file)} does not exist`);
    throw new CredentialsError(`cannot write ${file}: ${(e as Error).message}`);
  }
  try {
    fchmodSync(fd, 0o600); // whatever the umask
    writeSync(fd, renderCsv(accessKeyIdValue, secret));
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      // reported below
    }
    throw new CredentialsError(`cannot write ${file}: ${(e as Error).message}`);
  }
  closeSync(fd);
}

/** A file name part that is safe on every file system. */
function fileNamePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
}

/** The default file name: credentials-<stack>-<user>-<key>.csv. */
export function defaultFileName(stack: string, user: string, keyId: string): string {
  return `credentials-${fileNamePart(stack)}-${fileNamePart(user)}-${fileNamePart(keyId)}.csv`;
}

/** The stacks synthesized in cdktf.out/stacks. */
function stacksIn(stacksDir: string): string[] {
  try {
    return readdirSync(stacksDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** `terraform -chdir=cdktf.out/stacks/<stack> output -json`, parsed. */
export function terraformOutputs(stack: string, root: string, env: NodeJS.ProcessEnv): TerraformOutputs {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(stack) || stack.includes("..")) {
    throw new CredentialsError(`${JSON.stringify(stack)} is not a stack name`);
  }
  const stacksDir = resolve(root, "cdktf.out", "stacks");
  const dir = resolve(stacksDir, stack);
  if (!existsSync(dir)) {
    const stacks = stacksIn(stacksDir);
    throw new CredentialsError(
      `stack ${stack} is not synthesized: ${dir} does not exist (run npm run synth; ` +
        `${stacks.length ? `stacks found: ${stacks.join(", ")}` : "no stacks in cdktf.out/stacks"})`,
    );
  }
  const command = `terraform -chdir=cdktf.out/stacks/${stack} output -json`;
  const run = spawnSync("terraform", [`-chdir=${dir}`, "output", "-json", "-no-color"], {
    cwd: root,
    env: { ...env, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new CredentialsError(
      code === "ENOENT"
        ? `terraform not found on PATH (install Terraform, or pass --outputs-json <file> with the output of \`${command}\`)`
        : `${command} could not run: ${run.error.message}`,
    );
  }
  if (run.status !== 0) {
    // stderr only: stdout may hold secrets.
    throw new CredentialsError(
      `${command} failed (exit ${run.status ?? run.signal}):\n${run.stderr.trim().replace(/^/gm, "  ")}\n` +
        `Has the stack been deployed from this folder (npx cdktf deploy ${stack}), and initialized (terraform -chdir=cdktf.out/stacks/${stack} init)?`,
    );
  }
  return parseOutputs(run.stdout, `the output of ${command}`);
}

/** Where the script writes its messages, and the folders it works in. */
export interface Io {
  /** The current folder: the default file goes here, relative paths start here. */
  readonly cwd: string;
  /** The project root (holds cdktf.out/). */
  readonly root: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo = (): Io => ({
  cwd: userCwd(),
  root: PROJECT_ROOT,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo()): number {
  let args: Args;
  try {
    const parsed = parseArgs(argv);
    if (parsed === "help") {
      io.out(USAGE);
      return 0;
    }
    args = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`credentials: ${e.message}\n\n${USAGE}`);
    return 2;
  }

  const { stack, user } = args;
  // Every message names the stack, the user and (once known) the key.
  let context = `stack ${stack}, user ${user}${args.key ? `, key ${args.key}` : ""}`;
  try {
    const outputs = args.outputsJson
      ? parseOutputs(readOutputsFile(resolve(io.cwd, args.outputsJson)), args.outputsJson)
      : terraformOutputs(stack, io.root, env);
    const key = selectKey(outputs, user, args.key, stack);
    context = `key ${key.keyId} of user ${user} in stack ${stack}`;

    let secret: string;
    switch (key.secret.kind) {
      case "plain":
        secret = key.secret.secret;
        break;
      case "pgp": {
        const fingerprint = key.secret.fingerprint ? ` (encrypted for PGP key ${key.secret.fingerprint})` : "";
        secret = decryptPgp(key.secret.encrypted, env, `${context}${fingerprint}`, manualDecryptCommand(stack, key.secret.output));
        break;
      }
      case "secrets-manager": {
        const region = key.secret.arn.split(":")[3];
        io.err(
          `credentials: the secret access key of ${context} is in AWS Secrets Manager, not in the Terraform outputs; no CSV written.\n` +
            `Read it with:\n  aws secretsmanager get-secret-value --secret-id ${key.secret.arn} --query SecretString --output text` +
            (region ? `\n(add --region ${region} if the AWS CLI's default region is another one)` : ""),
        );
        return 1;
      }
    }

    const file = resolve(io.cwd, args.out ?? defaultFileName(stack, user, key.keyId));
    writeCsv(file, key.accessKeyId, secret);
    io.out(
      `Wrote access key ${key.keyId} of user ${user} (stack ${stack}) to ${file} (mode 0600).\n` +
        `It holds the secret access key in plain text: move it to a safe place (such as the user's password manager), ` +
        `then delete ${basename(file)}.`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof CredentialsError)) throw e;
    const named = e.message.includes(`stack ${stack}`) && e.message.includes(`user ${user}`);
    io.err(`credentials: ${named ? "" : `${context}: `}${e.message}`);
    return 1;
  }
}

function readOutputsFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CredentialsError(code === "ENOENT" ? `${file} not found (--outputs-json)` : `cannot read ${file}: ${(e as Error).message}`);
  }
}

export function main(): void {
  process.exitCode = run(process.argv.slice(2));
}

if (require.main === module) main();
