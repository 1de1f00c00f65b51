// Files a newcomer gives as the configuration that are not a JSON configuration (issue 15): each is
// one ConfigError in the user's terms (the file, what was found, what is expected), and synth
// writes nothing.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, loadConfig } from "../../modules";
import { main } from "../../modules/app/main";

const ACCOUNT = '"name": "prod", "region": "us-east-1", "adminUsers": [{ "name": "alice" }]';

/** A file in a new temp folder with these contents. */
function file(content: string | Buffer, name = "setup.config.json"): string {
  const path = join(mkdtempSync(join(tmpdir(), "config-load-")), name);
  writeFileSync(path, content);
  return path;
}

/** The message of the ConfigError loadConfig throws. */
function failure(path: string): string {
  try {
    loadConfig(path);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).source).toBe(path);
    return (e as Error).message;
  }
  throw new Error(`${path} was accepted`);
}

const one = (path: string, problem: string) => `${path}: 1 problem\n  - ${problem}`;

describe("loadConfig", () => {
  test("fails if the file is Latin-1, not UTF-8", () => {
    const path = file(Buffer.from('{\n  "accounts": [],\n  "x": "caf\xe9"\n}\n', "latin1"));
    expect(failure(path)).toBe(
      one(path, "is not UTF-8 text (byte 0xE9 at line 3, column 12 is not UTF-8, as in Latin-1 or Windows-1252 text; save it as UTF-8)"),
    );
  });

  test("fails if the file is UTF-16 with a byte order mark", () => {
    const path = file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`{"accounts": [{${ACCOUNT}}]}`, "utf16le")]));
    expect(failure(path)).toBe(
      one(
        path,
        "is not UTF-8 text (it starts with the UTF-16 byte order mark FF FE, as Windows PowerShell's > and Out-File write; " +
          "save it as UTF-8, e.g. with Out-File -Encoding utf8 or your editor's encoding setting)",
      ),
    );
  });

  test("fails if the file is YAML", () => {
    const path = file("# the accounts\naccounts:\n  - name: prod\n", "setup.config.yaml");
    const json = path.replace(/\.yaml$/, ".json");
    expect(failure(path)).toBe(
      one(
        path,
        'the file is YAML, not JSON (found the YAML key "accounts" at line 2); this app reads JSON only: convert it with ' +
          `\`npx yaml --json --single --indent 2 < ${path} > ${json}\` and set SETUP_CONFIG to ${json}, or keep the configuration in JSON`,
      ),
    );
  });

  test("fails if the file is a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-load-"));
    expect(failure(dir)).toBe(
      one(dir, `is a directory, not a configuration file (set SETUP_CONFIG to the JSON file, e.g. ${join(dir, "setup.config.json")})`),
    );
  });

  test("fails if the file is a device, such as /dev/zero, which would be read without end", () => {
    expect(failure("/dev/zero")).toBe(
      one("/dev/zero", "is not a regular file (a device, a pipe or a socket): set SETUP_CONFIG to the JSON file"),
    );
  });

  test("fails if the file is larger than a configuration can be (10 MiB), before reading it", () => {
    const path = file(Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    expect(failure(path)).toBe(one(path, "is 10485761 bytes: a configuration is at most 10485760 bytes (10 MiB)"));
  });

  test("fails if lists or objects nest thousands deep, naming the line (not a stack overflow)", () => {
    const path = file(`{"accounts": [{${ACCOUNT}}],\n"tags": ${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(failure(path)).toBe(
      one(path, "nests objects and lists deeper than 64 levels (from line 2); a configuration nests at most a few"),
    );
  });

  test("fails if a number is too large to be finite", () => {
    const path = file(`{"accounts": [{${ACCOUNT}, "passwordPolicy": {"minimumLength": 1e400}}]}`);
    expect(failure(path)).toBe(
      one(path, "accounts[0].passwordPolicy.minimumLength: 1e400 is too large a number (JSON numbers here must be finite)"),
    );
  });

  test.each([
    [
      "an optional object",
      `{"accounts": [{${ACCOUNT}, "adminGroup": null}]}`,
      "accounts[0].adminGroup: null must be an object (leave the key out for the default)",
    ],
    ["a list entry", '{"accounts": [null]}', "accounts[0]: null must be an object (remove the null from the list)"],
    ["the whole file", "null", '(root): null must be an object (the configuration is a JSON object such as { "accounts": [ ... ] })'],
  ])("fails if null stands for %s", (_where, content, problem) => {
    const path = file(content);
    expect(failure(path)).toBe(one(path, problem));
  });
});

describe("main", () => {
  test("fails if SETUP_CONFIG is a directory: exit code 1, the problem, no stack written", () => {
    // The real path: process.cwd() gives it after chdir (macOS links /var to /private/var).
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "config-load-")));
    const configDir = join(dir, "config");
    mkdirSync(configDir);
    const lines: string[] = [];
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(main({ SETUP_CONFIG: "config" }, "unused", (l) => lines.push(l))).toBe(1);
    } finally {
      process.chdir(cwd);
    }
    expect(lines).toEqual([
      `Error: ${one(configDir, `is a directory, not a configuration file (set SETUP_CONFIG to the JSON file, e.g. ${join(configDir, "setup.config.json")})`)}`,
    ]);
    expect(existsSync(join(dir, "cdktf.out", "stacks"))).toBe(false);
  });
});

// The fuzzer's classes (issue 18): huge strings and keys, wrong types everywhere. Each is a problem
// in the user's terms, naming the field, and no message echoes a huge value or key whole.
describe("fuzzed configurations: huge strings and keys, wrong types", () => {
  const huge = "x".repeat(200_000);
  const account = { name: "prod", region: "us-east-1", adminUsers: [{ name: "alice" }] };
  const cases: Array<[string, unknown, string]> = [
    ["a huge stack name", { accounts: [{ ...account, name: huge }] }, "accounts[0].name"],
    ["a huge user name", { accounts: [{ ...account, adminUsers: [{ name: huge }] }] }, "accounts[0].adminUsers[0].name"],
    ["a huge tag key", { accounts: [{ ...account, tags: { [huge]: "v" } }] }, "accounts[0].tags"],
    ["a huge unknown key", { accounts: [{ ...account, [huge]: 1 }] }, "accounts[0]"],
    ["a huge tag value", { accounts: [{ ...account, tags: { team: huge } }] }, "accounts[0].tags"],
    ["accounts as a string", { accounts: huge }, "accounts"],
    ["a user as a number", { accounts: [{ ...account, adminUsers: [42] }] }, "accounts[0].adminUsers[0]"],
    ["a region as an array", { accounts: [{ ...account, region: ["us-east-1"] }] }, "accounts[0].region"],
    [
      "console as a string",
      { accounts: [{ ...account, adminUsers: [{ name: "alice", console: "yes" }] }] },
      "accounts[0].adminUsers[0].console",
    ],
    ["the root as an array", [account], "(root)"],
  ];

  test.each(cases)("%s: a ConfigError naming the field, under 2,000 characters", (_name, content, field) => {
    const file = join(mkdtempSync(join(tmpdir(), "config-fuzz-")), "setup.config.json");
    writeFileSync(file, JSON.stringify(content));
    let error: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(field);
    expect(message.length).toBeLessThan(2_000);
    expect(message).not.toContain("x".repeat(100));
  });
});
