// `npm run credentials`: an access key handed over as the AWS console does (USAGE), from the stack's
// outputs `admin_users` and the sensitive `admin_user_secrets`; PGP secrets decrypted with gpg; a key in
// Secrets Manager is not written (the command that reads it is printed). The secret is never printed.
import { closeSync, fchmodSync, openSync, readFileSync, unlinkSync, writeSync } from "fs";
import { basename, dirname, resolve } from "path";
import { accessKeyId } from "../modules/app/config";
import { SECRETS_OUTPUT, USERS_OUTPUT } from "../modules/app/stacks/setup-stack";
import { CommandError, CommandIo, EXIT, UsageError, main, parseCommandLine, processIo, runCommand } from "./lib/cli";
import { Json, isObject } from "./lib/json";
import { runProcess } from "./lib/proc";
import { TerraformOutputs, outputCommand, parseOutputs, terraformOutputs } from "./lib/terraform-output";

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
  "  --key <id>             the key's id in the configuration " +
    `(accessKeys[].id; by default ${accessKeyId({}, 0)} and ${accessKeyId({}, 1)});`,
  "                         needed only when the user has two keys",
  "  --out <file>           where to write (default: ./credentials-<stack>-<user>-<key>.csv)",
  "  --outputs-json <file>  read a saved `terraform output -json` instead of running",
  "                         terraform -chdir=cdktf.out/stacks/<stack> output -json",
  "",
  "PGP-encrypted secrets (pgpKey) are decrypted with gpg (GNUPGHOME is honoured).",
].join("\n");

export { UsageError };

/** A failure with a message for the user (exit 1). */
export class CredentialsError extends CommandError {
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
  const line = parseCommandLine(argv, ["key", "out", "outputs-json"], 2);
  if (line === "help") return "help";
  const { positionals, options } = line;
  if (positionals.length < 2) {
    throw new UsageError(positionals.length === 0 ? "missing <stack> and <user>" : "missing <user>");
  }
  const [stack, user] = positionals;
  if (stack === "") throw new UsageError("<stack> is empty");
  if (user === "") throw new UsageError("<user> is empty");
  return {
    stack,
    user,
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.out !== undefined ? { out: options.out } : {}),
    ...(options["outputs-json"] !== undefined ? { outputsJson: options["outputs-json"] } : {}),
  };
}

export type { TerraformOutputs, TerraformOutputValue } from "./lib/terraform-output";
export { parseOutputs };

/** Where the secret of a key is. */
export type SecretSource =
  | { readonly kind: "plain"; readonly secret: string }
  | { readonly kind: "pgp"; readonly encrypted: string; readonly fingerprint?: string }
  | { readonly kind: "secrets-manager"; readonly arn: string };

/** The access key chosen from the outputs. */
export interface SelectedKey {
  /** The key id as configured (accessKeys[].id). */
  readonly keyId: string;
  /** The access key id (AKIA...). */
  readonly accessKeyId: string;
  readonly secret: SecretSource;
}

/** An object-valued output of the stack (admin_users, admin_user_secrets), or {} when it is absent. */
function mapOutput(outputs: TerraformOutputs, name: string): Json {
  const output = outputs[name];
  if (output === undefined) return {};
  if (!isObject(output.value))
    throw new CredentialsError(`output ${name} is not a map (is this stack from an older version? run npm run synth and deploy)`);
  return output.value;
}

function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "")
    throw new CredentialsError(`${what} is ${value === "" ? "empty" : "missing"} in the outputs`);
  return value;
}

/**
 * The access key of `user` in the outputs `admin_users` and `admin_user_secrets`: `keyId`, or the
 * user's only key. Throws a {@link CredentialsError} naming the stack, user and key.
 */
export function selectKey(outputs: TerraformOutputs, user: string, keyId?: string, stack = "the stack"): SelectedKey {
  if (Object.keys(outputs).length === 0) {
    throw new CredentialsError(`stack ${stack} has no outputs: has it been deployed? (npx cdktf deploy ${stack})`);
  }
  const users = mapOutput(outputs, USERS_OUTPUT);
  const where = `user ${user} in stack ${stack}`;
  const entry = users[user];
  if (!isObject(entry)) {
    const names = Object.keys(users).sort();
    throw new CredentialsError(
      `${where}: no such user in output ${USERS_OUTPUT} (${names.length ? `users found: ${names.join(", ")}` : "no users found"})`,
    );
  }
  const keys = isObject(entry.access_keys) ? entry.access_keys : {};
  const ids = Object.keys(keys).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (ids.length === 0) throw new CredentialsError(`${where} has no access keys`);
  let id: string;
  if (keyId !== undefined) {
    if (!ids.includes(keyId)) throw new CredentialsError(`${where} has no access key ${keyId} (keys found: ${ids.join(", ")})`);
    id = keyId;
  } else if (ids.length === 1) {
    id = ids[0];
  } else {
    throw new CredentialsError(`${where} has ${ids.length} access keys (${ids.join(", ")}); choose one with --key <id>`);
  }

  const found = keys[id];
  const key: Json = isObject(found) ? found : {};
  const what = `key ${id} of ${where}`;
  const base = { keyId: id, accessKeyId: nonEmpty(key.id, `the access key id of ${what}`) };
  const secrets = mapOutput(outputs, SECRETS_OUTPUT)[user];
  const plain = isObject(secrets) && isObject(secrets.access_keys) ? secrets.access_keys[id] : undefined;
  if (plain !== undefined) return { ...base, secret: { kind: "plain", secret: nonEmpty(plain, `the secret of ${what}`) } };
  if (key.encrypted_secret !== undefined) {
    const fingerprint = typeof key.key_fingerprint === "string" && key.key_fingerprint !== "" ? key.key_fingerprint : undefined;
    return { ...base, secret: { kind: "pgp", encrypted: nonEmpty(key.encrypted_secret, `the encrypted secret of ${what}`), fingerprint } };
  }
  if (key.secret_arn !== undefined)
    return { ...base, secret: { kind: "secrets-manager", arn: nonEmpty(key.secret_arn, `the secret ARN of ${what}`) } };
  throw new CredentialsError(
    `${what}: no secret in the outputs (neither ${SECRETS_OUTPUT}["${user}"].access_keys["${id}"] ` +
      `nor encrypted_secret or secret_arn in ${USERS_OUTPUT})`,
  );
}

/** The command that decrypts the encrypted secret of a key by hand. */
export function manualDecryptCommand(stack: string, user: string, keyId: string): string {
  const path = `.[${JSON.stringify(user)}].access_keys[${JSON.stringify(keyId)}].encrypted_secret`;
  return `terraform -chdir=cdktf.out/stacks/${stack} output -json ${USERS_OUTPUT} | jq -r '${path}' | base64 --decode | gpg --decrypt`;
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
  const run = runProcess("gpg", ["--batch", "--quiet", "--decrypt"], {
    input: Buffer.from(compact, "base64"),
    env,
    timeoutMs: 120_000,
    maxBuffer: 1024 * 1024,
  });
  if (run.error) {
    if (run.error.code === "ENOENT") {
      throw new CredentialsError(
        `${context}: gpg not found on PATH, so the PGP-encrypted secret cannot be decrypted here. ` +
          `Install GnuPG (e.g. apt-get install gnupg, or brew install gnupg) and run this again.${byHand}`,
      );
    }
    throw new CredentialsError(`${context}: gpg could not run: ${run.error.message}${byHand}`);
  }
  if (run.status !== 0) {
    const stderr = run.stderr.trim();
    throw new CredentialsError(
      `${context}: gpg --decrypt failed (${run.status === null ? `killed by ${run.signal}` : `exit ${run.status}`})` +
        (stderr ? `:\n${stderr.replace(/^/gm, "  ")}` : "") +
        `\nIs the private key in the keyring (GNUPGHOME=${env.GNUPGHOME ?? "~/.gnupg"})?${byHand}`,
    );
  }
  const secret = run.stdout.trim();
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
    if (code === "EEXIST")
      throw new CredentialsError(`${file} already exists; refusing to overwrite (move it away, or choose another file with --out)`);
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

/** Where the script reads and writes: the default file goes to `cwd`, relative paths start there. */
export type Io = CommandIo;

const SPEC = { name: "credentials", usage: USAGE, parse: parseArgs };

/** The whole command; returns the exit code (0, 1: failed, 2: usage). */
export function run(argv: readonly string[], io: Io = processIo()): number {
  return runCommand(SPEC, argv, io, (args) => {
    const { stack, user } = args;
    // Every message names the stack, the user and (once known) the key.
    let context = `stack ${stack}, user ${user}${args.key ? `, key ${args.key}` : ""}`;
    try {
      return writeKey(args, io, (c) => (context = c));
    } catch (e) {
      if (!(e instanceof CommandError) || (e.message.includes(`stack ${stack}`) && e.message.includes(`user ${user}`))) throw e;
      throw new CommandError(`${context}: ${e.message}`);
    }
  });
}

function writeKey(args: Args, io: Io, setContext: (context: string) => void): number {
  const { stack, user } = args;
  const cwd = io.cwd ?? io.root;
  const outputs = args.outputsJson
    ? parseOutputs(readOutputsFile(resolve(cwd, args.outputsJson)), args.outputsJson)
    : terraformOutputs(stack, io.root, io.env, `pass --outputs-json <file> with the output of \`${outputCommand(stack)}\``);
  const key = selectKey(outputs, user, args.key, stack);
  const context = `key ${key.keyId} of user ${user} in stack ${stack}`;
  setContext(context);
  let secret: string;
  switch (key.secret.kind) {
    case "plain":
      secret = key.secret.secret;
      break;
    case "pgp": {
      const fingerprint = key.secret.fingerprint ? ` (encrypted for PGP key ${key.secret.fingerprint})` : "";
      secret = decryptPgp(key.secret.encrypted, io.env, `${context}${fingerprint}`, manualDecryptCommand(stack, user, key.keyId));
      break;
    }
    case "secrets-manager": {
      const region = key.secret.arn.split(":")[3];
      io.err(
        `credentials: the secret access key of ${context} is in AWS Secrets Manager, not in the Terraform outputs; no CSV written.\n` +
          `Read it with:\n  aws secretsmanager get-secret-value --secret-id ${key.secret.arn} --query SecretString --output text` +
          (region ? `\n(add --region ${region} if the AWS CLI's default region is another one)` : ""),
      );
      return EXIT.failed;
    }
  }
  const file = resolve(cwd, args.out ?? defaultFileName(stack, user, key.keyId));
  writeCsv(file, key.accessKeyId, secret);
  io.out(
    `Wrote access key ${key.keyId} of user ${user} (stack ${stack}) to ${file} (mode 0600).\n` +
      `It holds the secret access key in plain text: move it to a safe place (such as the user's password manager), ` +
      `then delete ${basename(file)}.\n`,
  );
  return EXIT.ok;
}

function readOutputsFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CredentialsError(code === "ENOENT" ? `${file} not found (--outputs-json)` : `cannot read ${file}: ${(e as Error).message}`);
  }
}

if (require.main === module) main(run);
