// scripts/credentials.ts: the access key handed over as the AWS console's .csv file.
// Only AWS's documented example key (AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY);
// the fixture reuses it for every key. The PGP key is generated here, in a throwaway GNUPGHOME.
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import {
  CredentialsError,
  TerraformOutputs,
  csvField,
  decryptPgp,
  defaultFileName,
  parseArgs,
  renderCsv,
  run,
  selectKey,
  writeCsv,
} from "../../scripts/credentials";
import { parseOutputs } from "../../scripts/lib/terraform-output";
import { ROOT } from "../support/configs";

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const EXPECTED_CSV = `Access key ID,Secret access key\n${ACCESS_KEY_ID},${SECRET}\n`;

const FIXTURE = join(ROOT, "__tests__", "fixtures", "credentials", "outputs.json");
const STACK = "incident-manager";
const outputs = (): TerraformOutputs => JSON.parse(readFileSync(FIXTURE, "utf8"));

const scratch = (name: string) => mkdtempSync(join(tmpdir(), `credentials-${name}-`));

/** Runs the command in-process, capturing what it prints. */
function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; root?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(argv, {
    env: options.env ?? process.env,
    cwd: options.cwd ?? scratch("cwd"),
    root: options.root ?? ROOT,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  const result = { code, stdout: out.join("").trimEnd(), stderr: err.join("\n") };
  expectNoSecret(result);
  return result;
}

/** The secret is never printed (checked on every run). */
function expectNoSecret(result: { stdout: string; stderr: string }) {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
  expect(result.stdout + result.stderr).not.toContain("EXAMPLEKEY");
}

const fileMode = (file: string) => statSync(file).mode & 0o777;

/** A `terraform output -json` document with one user and one key with a plain-text secret. */
function keyDocument(user: string, keyId = "1"): TerraformOutputs {
  return {
    admin_users: {
      sensitive: false,
      value: {
        [user]: {
          arn: `arn:aws:iam::111122223333:user/${user}`,
          console: false,
          access_keys: { [keyId]: { id: ACCESS_KEY_ID, status: "Active" } },
        },
      },
    },
    admin_user_secrets: { sensitive: true, value: { [user]: { access_keys: { [keyId]: SECRET } } } },
  };
}

function writeDocument(doc: unknown): string {
  const file = join(scratch("outputs"), "outputs.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe("command line", () => {
  test("parseArgs: positional stack and user, options in both spellings, anywhere", () => {
    expect(parseArgs(["prod", "alice"])).toEqual({ stack: "prod", user: "alice" });
    expect(parseArgs(["--key", "2", "prod", "alice", "--out=x.csv", "--outputs-json", "o.json"])).toEqual({
      stack: "prod",
      user: "alice",
      key: "2",
      out: "x.csv",
      outputsJson: "o.json",
    });
    expect(parseArgs(["--", "prod", "alice"])).toEqual({ stack: "prod", user: "alice" });
    expect(parseArgs(["-h"])).toBe("help");
  });

  test.each([
    [[], "missing <stack> and <user>"],
    [["prod"], "missing <user>"],
    [["prod", "alice", "extra"], 'unexpected argument "extra"'],
    [["prod", "alice", "--key"], "--key needs a value"],
    [["prod", "alice", "--key", "--out", "x"], "--key needs a value"],
    [["prod", "alice", "--keys", "1"], "unknown option --keys"],
    [["prod", "alice", "--key", "1", "--key", "2"], "--key given twice"],
  ])("usage error %j: exit 2, usage printed", (argv, message) => {
    const result = cli(argv as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("usage: npm run credentials -- <stack> <user>");
    expect(result.stdout).toBe("");
  });

  test("--help: usage on stdout, exit 0", () => {
    const result = cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: npm run credentials");
    expect(result.stdout).toContain("by default 1 and 2");
  });
});

describe("CSV", () => {
  test("the console's header and one row; fields quoted only when needed (RFC 4180)", () => {
    expect(renderCsv(ACCESS_KEY_ID, SECRET)).toBe(EXPECTED_CSV);
    expect(csvField(SECRET)).toBe(SECRET);
    expect(csvField('a,b"c')).toBe('"a,b""c"');
    expect(csvField("a\nb")).toBe('"a\nb"');
  });

  test("writeCsv: mode 0600 even with a permissive umask, refuses to overwrite", () => {
    const file = join(scratch("write"), "k.csv");
    const umask = process.umask(0);
    try {
      writeCsv(file, ACCESS_KEY_ID, SECRET);
    } finally {
      process.umask(umask);
    }
    expect(fileMode(file)).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(EXPECTED_CSV);
    expect(() => writeCsv(file, ACCESS_KEY_ID, "other")).toThrow(/already exists; refusing to overwrite/);
    expect(readFileSync(file, "utf8")).toBe(EXPECTED_CSV);
    expect(() => writeCsv(join(file, "..", "missing", "k.csv"), ACCESS_KEY_ID, SECRET)).toThrow(/does not exist/);
  });

  test("default file name: credentials-<stack>-<user>-<key>.csv, safe on every file system", () => {
    expect(defaultFileName("prod", "alice", "1")).toBe("credentials-prod-alice-1.csv");
    expect(defaultFileName("prod", "bob.smith+ops@example.com", "break-glass")).toBe(
      "credentials-prod-bob.smith_ops_example.com-break-glass.csv",
    );
    expect(defaultFileName("prod", "../x", "1")).toBe("credentials-prod-__x-1.csv");
  });
});

describe("a plain secret (recorded terraform output -json)", () => {
  test("writes the console's CSV, mode 0600, to the default file in the current folder", () => {
    const cwd = scratch("plain");
    const result = cli([STACK, "incident-admin", "--outputs-json", FIXTURE], { cwd });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const file = join(cwd, "credentials-incident-manager-incident-admin-1.csv");
    expect(readFileSync(file, "utf8")).toBe(EXPECTED_CSV);
    expect(fileMode(file)).toBe(0o600);
    expect(result.stdout).toContain(`to ${file} (mode 0600)`);
    expect(result.stdout).toMatch(/move it to a safe place/);
    expect(result.stdout).toContain("then delete credentials-incident-manager-incident-admin-1.csv");
  });

  test("refuses to overwrite an existing file and leaves it unchanged", () => {
    const cwd = scratch("overwrite");
    const file = join(cwd, "mine.csv");
    writeFileSync(file, "keep me\n", { mode: 0o644 });
    const result = cli([STACK, "incident-admin", "--outputs-json", FIXTURE, "--out", "mine.csv"], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} already exists; refusing to overwrite`);
    expect(result.stderr).toContain("key 1 of user incident-admin in stack incident-manager");
    expect(result.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
    expect(fileMode(file)).toBe(0o644);
  });

  test("--key chooses one of two keys; --out relative to the current folder", () => {
    const cwd = scratch("key2");
    mkdirSync(join(cwd, "sub"));
    const result = cli([STACK, "alice", "--key", "2", "--outputs-json", FIXTURE, "--out", "sub/alice.csv"], { cwd });
    expect(result.code).toBe(0);
    expect(readFileSync(join(cwd, "sub", "alice.csv"), "utf8")).toBe(EXPECTED_CSV);
    expect(result.stdout).toContain("Wrote access key 2 of user alice (stack incident-manager)");
  });

  test("user names are the keys of the map, whatever their characters", () => {
    const doc = keyDocument("bob.smith@example.com");
    const cwd = scratch("bob");
    const result = cli(["prod", "bob.smith@example.com", "--outputs-json", writeDocument(doc)], { cwd });
    expect(result.code).toBe(0);
    expect(readFileSync(join(cwd, "credentials-prod-bob.smith_example.com-1.csv"), "utf8")).toBe(EXPECTED_CSV);
  });
});

describe("which key", () => {
  test("selectKey: the only key, by default; a key id as configured, hyphens and all", () => {
    expect(selectKey(outputs(), "incident-admin")).toEqual({
      keyId: "1",
      accessKeyId: ACCESS_KEY_ID,
      secret: { kind: "plain", secret: SECRET },
    });
    for (const key of [undefined, "break-glass"]) {
      expect(selectKey(outputs(), "carol", key)).toMatchObject({ keyId: "break-glass", secret: { kind: "secrets-manager" } });
    }
    expect(selectKey(outputs(), "dave")).toMatchObject({
      secret: { kind: "pgp", fingerprint: "0123456789ABCDEF0123456789ABCDEF01234567" },
    });
  });

  test("two keys without --key: asks for --key and lists the ids", () => {
    const result = cli([STACK, "alice", "--outputs-json", FIXTURE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("credentials: user alice in stack incident-manager has 2 access keys (1, 2); choose one with --key <id>");
  });

  test("unknown user: says so and lists the users of the stack", () => {
    const result = cli([STACK, "mallory", "--outputs-json", FIXTURE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("user mallory in stack incident-manager: no such user in output admin_users");
    expect(result.stderr).toContain("users found: alice, bob.smith@example.com, carol, dave, incident-admin");
  });

  test("a user without keys: says so", () => {
    const result = cli([STACK, "bob.smith@example.com", "--outputs-json", FIXTURE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("credentials: user bob.smith@example.com in stack incident-manager has no access keys");
  });

  test("unknown key id: lists the ids found", () => {
    const result = cli([STACK, "alice", "--key", "3", "--outputs-json", FIXTURE]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("user alice in stack incident-manager has no access key 3 (keys found: 1, 2)");
  });

  test("secret in AWS Secrets Manager: prints the command that reads it, writes nothing, exit 1", () => {
    const cwd = scratch("sm");
    const result = cli([STACK, "carol", "--outputs-json", FIXTURE], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("key break-glass of user carol in stack incident-manager is in AWS Secrets Manager");
    expect(result.stderr).toContain(
      "\n  aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-west-1:111122223333:secret:incident-manager/carol/break-glass-AbCdEf --query SecretString --output text\n",
    );
    expect(existsSync(join(cwd, "credentials-incident-manager-carol-break-glass.csv"))).toBe(false);
  });

  test("a document of the outputs before they were maps: says the stack is older", () => {
    const old = { user_a_arn: { value: "arn:aws:iam::111122223333:user/a" }, admin_users: { value: "not a map" } };
    expect(() => selectKey(old, "a")).toThrow("output admin_users is not a map (is this stack from an older version?");
  });

  test("an empty output document: the stack has not been deployed", () => {
    const result = cli([STACK, "alice", "--outputs-json", writeDocument({})]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stack incident-manager has no outputs: has it been deployed?");
    expect(result.stderr).toContain("user alice");
  });

  test("an unreadable or malformed document", () => {
    const missing = cli([STACK, "alice", "--outputs-json", join(scratch("none"), "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^credentials: stack incident-manager, user alice: .*nope\.json not found/);
    const bad = cli([STACK, "alice", "--outputs-json", writeDocument([1])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a `terraform output -json` document");
    const noId = keyDocument("a");
    (noId.admin_users.value as any).a.access_keys["1"].id = 1;
    expect(() => selectKey(noId, "a")).toThrow(CredentialsError);
  });
});

describe("terraform output -json (default source)", () => {
  /** A project root with cdktf.out/stacks/<stack>/ and a fake terraform that prints the fixture. */
  function fakeProject() {
    const root = scratch("project");
    mkdirSync(join(root, "cdktf.out", "stacks", STACK), { recursive: true });
    const bin = join(root, "bin");
    mkdirSync(bin);
    const log = join(root, "terraform.log");
    writeFileSync(
      join(bin, "terraform"),
      `#!/bin/sh\necho "$CHECKPOINT_DISABLE $*" > '${log}'\nif [ -n "$FAIL" ]; then echo "Error: $FAIL" >&2; exit 1; fi\ncat '${FIXTURE}'\n`,
    );
    chmodSync(join(bin, "terraform"), 0o755);
    return { root, log, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } };
  }

  test("runs terraform -chdir=cdktf.out/stacks/<stack> output -json with CHECKPOINT_DISABLE=1", () => {
    const { root, log, env } = fakeProject();
    const cwd = scratch("tf");
    const result = cli([STACK, "incident-admin"], { env, root, cwd });
    expect(result.code).toBe(0);
    expect(readFileSync(log, "utf8").trim()).toBe(`1 -chdir=${join(root, "cdktf.out", "stacks", STACK)} output -json -no-color`);
    expect(readFileSync(join(cwd, "credentials-incident-manager-incident-admin-1.csv"), "utf8")).toBe(EXPECTED_CSV);
  });

  test("terraform fails: its error is shown, with the stack", () => {
    const { root, env } = fakeProject();
    const result = cli([STACK, "incident-admin"], { env: { ...env, FAIL: "Backend initialization required" }, root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `stack ${STACK}, user incident-admin: terraform -chdir=cdktf.out/stacks/${STACK} output -json failed (exit 1)`,
    );
    expect(result.stderr).toContain("Error: Backend initialization required");
  });

  test("a stack that is not synthesized: lists the stacks", () => {
    const { root, env } = fakeProject();
    const result = cli(["staging", "incident-admin"], { env, root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stack staging is not synthesized");
    expect(result.stderr).toContain(`stacks found: ${STACK}`);
  });

  test("terraform not on PATH: says so, and how to pass a recorded document", () => {
    const { root } = fakeProject();
    const result = cli([STACK, "incident-admin"], { env: { ...process.env, PATH: scratch("empty-path") }, root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("terraform not found on PATH");
    expect(result.stderr).toContain("--outputs-json");
  });
});

const gpgFound = !spawnSync("gpg", ["--version"], { encoding: "utf8" }).error;
const MANUAL =
  'terraform -chdir=cdktf.out/stacks/incident-manager output -json admin_users | jq -r \'.["dave"].access_keys["1"].encrypted_secret\' | base64 --decode | gpg --decrypt';

/** Runs a gpg command in a GNUPGHOME; throws with gpg's stderr when it fails. */
function gpg(home: string, args: string[], input?: string | Buffer): Buffer {
  const result = spawnSync("gpg", ["--batch", "--no-tty", ...args], { env: { ...process.env, GNUPGHOME: home }, input, timeout: 60_000 });
  if (result.error || result.status !== 0) throw new Error(`gpg ${args.join(" ")}: ${result.error ?? result.stderr.toString()}`);
  return result.stdout;
}

/** A new GNUPGHOME (mode 0700, as gpg wants). */
function gnupgHome(): string {
  const home = scratch("gnupg");
  chmodSync(home, 0o700);
  return home;
}

/** Stops the gpg-agent that gpg started for a GNUPGHOME, then removes it. */
function removeGnupgHome(home: string): void {
  spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { ...process.env, GNUPGHOME: home }, timeout: 30_000 });
  rmSync(home, { recursive: true, force: true });
}

if (!gpgFound) {
  // Never a silent pass: the report shows a skipped test that says why.
  console.warn("PGP-encrypted secrets — skipped: gpg not on PATH (install gnupg to run them)");
  test.skip("PGP-encrypted secrets — skipped: gpg not on PATH", () => undefined);
} else
  describe("a PGP-encrypted secret (throwaway key in a temp GNUPGHOME)", () => {
    const homes: string[] = [];
    let home: string;
    let document: string;

    beforeAll(() => {
      home = gnupgHome();
      homes.push(home);
      gpg(home, ["--passphrase", "", "--quick-gen-key", "Test <test@example.com>", "rsa2048", "encr", "never"]);
      const fingerprint = gpg(home, ["--with-colons", "--list-keys", "test@example.com"])
        .toString()
        .split("\n")
        .find((line) => line.startsWith("fpr:"))
        ?.split(":")[9];
      const encrypted = gpg(home, ["--trust-model", "always", "--encrypt", "--recipient", "test@example.com"], SECRET);
      expect(encrypted.includes(Buffer.from(SECRET))).toBe(false);
      document = writeDocument({
        admin_users: {
          sensitive: false,
          value: {
            dave: {
              arn: "arn:aws:iam::111122223333:user/dave",
              console: false,
              access_keys: {
                "1": {
                  id: ACCESS_KEY_ID,
                  status: "Active",
                  encrypted_secret: encrypted.toString("base64"),
                  key_fingerprint: fingerprint ?? "",
                },
              },
            },
          },
        },
        admin_user_secrets: { sensitive: true, value: {} },
      });
    }, 120_000);

    afterAll(() => homes.forEach(removeGnupgHome), 60_000);

    test("decrypts with gpg (GNUPGHOME from the environment) into the CSV", () => {
      const cwd = scratch("pgp");
      const result = cli([STACK, "dave", "--outputs-json", document], { env: { ...process.env, GNUPGHOME: home }, cwd });
      expect(result).toMatchObject({ code: 0, stderr: "" });
      const file = join(cwd, "credentials-incident-manager-dave-1.csv");
      expect(readFileSync(file, "utf8")).toBe(EXPECTED_CSV);
      expect(fileMode(file)).toBe(0o600);
    }, 60_000);

    test("decryptPgp returns the plaintext", () => {
      const encrypted = gpg(home, ["--trust-model", "always", "--encrypt", "--recipient", "test@example.com"], SECRET);
      expect(decryptPgp(encrypted.toString("base64"), { ...process.env, GNUPGHOME: home })).toBe(SECRET);
    }, 60_000);

    test("gpg fails (no private key): gpg's stderr and the manual command are shown", () => {
      const empty = gnupgHome();
      homes.push(empty);
      const result = cli([STACK, "dave", "--outputs-json", document], { env: { ...process.env, GNUPGHOME: empty } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("key 1 of user dave in stack incident-manager (encrypted for PGP key ");
      expect(result.stderr).toContain("gpg --decrypt failed (exit 2)");
      expect(result.stderr).toMatch(/No secret key/);
      expect(result.stderr).toContain(MANUAL);
    }, 60_000);

    test("not a PGP message: gpg's stderr is shown", () => {
      const result = cli([STACK, "dave", "--outputs-json", FIXTURE], { env: { ...process.env, GNUPGHOME: home } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("gpg --decrypt failed");
      expect(result.stderr).toMatch(/gpg: /);
    }, 60_000);
  });

describe("gpg not on PATH", () => {
  test("in-process: exit 1, how to decrypt by hand and how to install gpg", () => {
    const result = cli([STACK, "dave", "--outputs-json", FIXTURE], { env: { ...process.env, PATH: scratch("empty-path") } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("key 1 of user dave in stack incident-manager");
    expect(result.stderr).toContain("gpg not found on PATH");
    expect(result.stderr).toContain(MANUAL);
    expect(result.stderr).toContain("keybase pgp decrypt");
    expect(result.stderr).toContain("apt-get install gnupg");
  });

  test("as a process with a PATH without gpg", () => {
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/credentials.ts", STACK, "dave", "--outputs-json", FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, PATH: scratch("empty-path") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(MANUAL);
    expect(result.stdout).toBe("");
  }, 60_000);
});

describe("end to end: node -r tsx/cjs scripts/credentials.ts", () => {
  test("writes the CSV, prints where, never the secret", () => {
    const out = join(scratch("e2e"), "incident-admin.csv");
    const result = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", "scripts/credentials.ts", STACK, "incident-admin", "--outputs-json", FIXTURE, "--out", out],
      { cwd: ROOT, env: process.env, encoding: "utf8", timeout: 60_000 },
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    expect(result.stdout).toContain(`to ${out} (mode 0600)`);
    expectNoSecret(result);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_CSV);
    expect(fileMode(out)).toBe(0o600);

    const again = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", "scripts/credentials.ts", STACK, "incident-admin", "--outputs-json", FIXTURE, "--out", out],
      { cwd: ROOT, env: process.env, encoding: "utf8", timeout: 60_000 },
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("already exists; refusing to overwrite");
    expectNoSecret(again);
  }, 60_000);

  test("usage error: exit 2", () => {
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", "scripts/credentials.ts", STACK], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage: npm run credentials");
  }, 60_000);
});

describe("terraform output that is not JSON", () => {
  // AWS's documented example secret, where a value breaks the JSON: JSON.parse's own message would quote it.
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  test("fails naming the line, column and problem, never the text near it (it holds secrets)", () => {
    const text = `{\n  "admin_user_secrets": { "sensitive": true, "value": ${SECRET} }\n}`;
    let message = "";
    try {
      parseOutputs(text, "outputs.json");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("outputs.json is not JSON (InvalidSymbol at line 2, column 55); expected the output of `terraform output -json`");
    expect(message).not.toContain(SECRET.slice(0, 6));
  });
});
