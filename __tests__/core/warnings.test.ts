// What synthesis prints: only what needs action; the guide's own deviations as notes (review and
// docs/operating.md "Warnings"); `acknowledge` in the configuration; `--strict` (or SYNTH_STRICT=1)
// fails on what is not acknowledged, having written nothing.
import { existsSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, WARNINGS, parseConfig, synthesize } from "../../modules";
import { MANY_WARNINGS, SynthWarning, warningLines } from "../../modules/app";
import { WarningId } from "../../modules/core/warnings";
import { shippedConfig } from "../support/configs";
import { ACKNOWLEDGEABLE } from "../../modules/core/warnings";
import { SYNTH_USAGE, main, strictRequested } from "../../modules/app/main";

function run(config: unknown, argv: string[] = [], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "warnings-"));
  const file = join(dir, "setup.config.json");
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  // CDKTF_OUTDIR unset, as `npm run synth` runs it (the cdktf CLI prints from the manifest itself):
  // main() then writes ./cdktf.out, so it runs in the temp folder.
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const printed: string[] = [];
    const status = main(
      { SETUP_CONFIG: file, ...env },
      "unused",
      (l) => lines.push(l),
      argv,
      (t) => printed.push(t),
    );
    // CDKTF's App makes the empty output folders when it is built; no stack file means nothing written.
    return { status, lines, printed, written: existsSync(join(dir, "cdktf.out", "stacks", "incident-manager", "cdk.tf.json")) };
  } finally {
    process.chdir(cwd);
  }
}

const ACKS = [
  { id: "plaintext-password-in-state", reason: "bootstrap only: the password is changed at first sign-in" },
  { id: "plaintext-secret-in-state", reason: "the state is in an encrypted bucket only admins read" },
  { id: "example-account-id", reason: "the shipped sample, never applied" },
];

const ids = (lines: string[]) => lines.filter((l) => l.startsWith("Warning: ")).map((l) => /\[([a-z-]+)\]$/.exec(l)?.[1]);

describe("the shipped configuration's synth", () => {
  test("prints only the warnings that need action, each with its id, and counts the rest", () => {
    const { status, lines, written } = run(shippedConfig());
    expect([status, written]).toEqual([0, true]);
    expect(ids(lines)).toEqual([
      "example-account-id",
      "password-policy-unmanaged",
      "plaintext-password-in-state",
      "plaintext-secret-in-state",
    ]);
    expect(lines).toContain(
      'Not printed: 3 note(s) on deviations the guide asks for, 0 acknowledged warning(s) (npm run review lists them; docs/operating.md "Warnings")',
    );
  });

  test("acknowledged warnings are no longer printed, and counted", () => {
    const config = { ...shippedConfig(), acknowledge: ACKS };
    const { status, lines } = run(config);
    expect(status).toBe(0);
    expect(ids(lines)).toEqual(["password-policy-unmanaged"]);
    expect(lines).toContain(
      'Not printed: 3 note(s) on deviations the guide asks for, 3 acknowledged warning(s) (npm run review lists them; docs/operating.md "Warnings")',
    );
  });
});

describe("--strict", () => {
  test("fails on an unacknowledged warning, names the ids to acknowledge, writes nothing", () => {
    const { status, lines, written } = run(shippedConfig(), ["--strict"]);
    expect(status).toBe(1);
    expect(written).toBe(false);
    expect(lines[0]).toMatch(
      /^Error: --strict: 4 warnings not acknowledged, nothing written\n {2}- \[incident-manager\] accountId 111122223333/,
    );
    expect(lines[0]).toContain('"acknowledge": [{"id":"example-account-id","reason":"<why the team accepts it>"},');
  });

  test("passes when every warning is acknowledged or acted on; SYNTH_STRICT=1 does the same for CI", () => {
    const config = { ...shippedConfig(), acknowledge: ACKS };
    (config.accounts[0] as any).passwordPolicy = true;
    expect(run(config, ["--strict"]).status).toBe(0);
    expect(run(shippedConfig(), [], { SYNTH_STRICT: "1" }).status).toBe(1);
    expect(strictRequested([], { SYNTH_STRICT: "true" })).toBe(true);
    expect(strictRequested([], {})).toBe(false);
  });

  test("an unknown argument is a usage error (exit 2), nothing written", () => {
    const { status, lines, written } = run(shippedConfig(), ["--strcit"]);
    expect([status, written]).toEqual([2, false]);
    expect(lines).toEqual(['synth: unknown argument "--strcit"; see --help\nusage: npm run synth [-- --strict] [--json]']);
  });

  test("--help prints the usage with the exit codes on stdout and exits 0, writing nothing", () => {
    const { status, lines, printed, written } = run(shippedConfig(), ["--help"]);
    expect([status, written, lines]).toEqual([0, false, []]);
    expect(printed).toEqual([`${SYNTH_USAGE}\n`]);
    expect(SYNTH_USAGE).toContain("exit codes: 0 done, 1 bad input");
  });
});

describe("npm run synth -- --json", () => {
  test("prints one JSON object on stdout: the stacks and every warning with its id, kind, place and stack; nothing on stderr", () => {
    const { status, lines, printed, written } = run(shippedConfig(), ["--json"]);
    expect([status, written, lines]).toEqual([0, true, []]);
    expect(printed).toHaveLength(1);
    const result = JSON.parse(printed[0]);
    expect(result).toMatchObject({ ok: true, outdir: "cdktf.out", stacks: ["incident-manager"], threads: 1 });
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        id: "plaintext-secret-in-state",
        kind: "action",
        stack: "incident-manager",
        user: "incident-admin",
        path: "incident-manager/AdminUser-incident-admin/AccessKey-1",
        message: expect.stringMatching(/^adminUsers\[0\]\.accessKeys\[0\] \(incident-admin, key 1\): /),
      }),
    );
    expect(result.warnings.filter((w: { kind: string }) => w.kind === "note")).toHaveLength(3);
  });

  test("with --strict and an unacknowledged warning: exit 1, the error on stderr, nothing on stdout, nothing written", () => {
    const { status, lines, printed, written } = run(shippedConfig(), ["--json", "--strict"]);
    expect([status, written]).toEqual([1, false]);
    expect(printed).toEqual([]);
    expect(lines[0]).toMatch(/^Error: --strict: \d+ warnings not acknowledged, nothing written/);
  });
});

describe("acknowledge in the configuration", () => {
  /** The problems parseConfig reports for the shipped configuration with this `acknowledge`. */
  const problems = (acknowledge: unknown) => {
    try {
      parseConfig({ ...shippedConfig(), acknowledge } as any);
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };

  test("only ids of warnings that need action; a note or an unknown id is an error naming the ids", () => {
    const reason = "decided in the security review of 2026-11";
    expect(problems([{ id: "plaintext-secret-in-state", reason }])).toEqual([]);
    const rule = `is not a warning id that can be acknowledged (ids: ${ACKNOWLEDGEABLE.join(", ")})`;
    expect(problems([{ id: "admin-access", reason }])).toEqual([`acknowledge[0].id: "admin-access" ${rule}`]);
    expect(problems([{ id: "plaintext-secrets", reason }])).toEqual([`acknowledge[0].id: "plaintext-secrets" ${rule}`]);
    // About the run, not the configuration: never acknowledged.
    expect(problems([{ id: "stack-removed", reason }])).toEqual([`acknowledge[0].id: "stack-removed" ${rule}`]);
  });

  test("fails if an acknowledgement has no reason, or is a bare id as before", () => {
    expect(problems([{ id: "plaintext-secret-in-state" }])).toEqual(["acknowledge[0].reason: missing (required: string)"]);
    expect(problems([{ id: "plaintext-secret-in-state", reason: "  ok  " }])).toEqual([
      'acknowledge[0].reason: "  ok  " must say why the team accepts this warning (at least 10 characters)',
    ]);
    expect(problems(["plaintext-secret-in-state"])[0]).toMatch(
      /^acknowledge\[0\]: "plaintext-secret-in-state" must be an object \{ "id", "reason", "account"\?, "user"\? \}/,
    );
  });

  test("fails if an acknowledgement's account is not a stack, or its user not a user of that stack", () => {
    const reason = "decided in the security review of 2026-11";
    expect(() =>
      parseConfig({
        ...shippedConfig(),
        acknowledge: [
          { id: "plaintext-secret-in-state", reason, account: "prodd" },
          { id: "plaintext-secret-in-state", reason, account: "incident-manager", user: "bob" },
        ],
      } as any),
    ).toThrow(
      'acknowledge[0].account: "prodd" is not the name of a stack (stacks: "incident-manager")\n' +
        '  - acknowledge[1].user: "bob" is not a user of stack "incident-manager" (adminUsers[].name or identityCenter.users[].userName)',
    );
  });
});

describe("acknowledgements with a place and a reason", () => {
  const twoUsers = () => {
    const config = shippedConfig() as any;
    config.accounts[0].passwordPolicy = true;
    config.accounts[0].adminUsers.push({ name: "bob", console: { passwordResetRequired: true }, accessKeys: [] });
    return config;
  };
  const reason = "bootstrap only: changed at first sign-in";

  test("an acknowledgement scoped to a user hides that user's warning only", () => {
    const config = { ...twoUsers(), acknowledge: [{ id: "plaintext-password-in-state", reason, user: "bob" }] };
    const { status, lines } = run(config);
    expect(status).toBe(0);
    const password = lines.filter((l) => l.endsWith("[plaintext-password-in-state]"));
    expect(password).toHaveLength(1);
    expect(password[0]).toContain("adminUsers[0] (incident-admin)");
  });

  test("an acknowledgement scoped to the account hides the warning of every user there", () => {
    const config = { ...twoUsers(), acknowledge: [{ id: "plaintext-password-in-state", reason, account: "incident-manager" }] };
    expect(run(config).lines.filter((l) => l.endsWith("[plaintext-password-in-state]"))).toEqual([]);
  });

  test("synthesize returns each acknowledged warning with its reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "warnings-"));
    const file = join(dir, "setup.config.json");
    writeFileSync(file, JSON.stringify({ ...twoUsers(), acknowledge: [{ id: "plaintext-password-in-state", reason, user: "bob" }] }));
    const { warnings } = synthesize({ configFile: file, outdir: join(dir, "out") });
    expect(warnings.filter((w) => w.kind === "acknowledged")).toEqual([
      expect.objectContaining({ path: "incident-manager/AdminUser-bob", id: "plaintext-password-in-state", reason }),
    ]);
  });

  test("a stale acknowledgement (matching no warning) is reported, and --strict fails on it having written nothing", () => {
    const config = { ...twoUsers(), acknowledge: [...ACKS, { id: "mfa-not-enforced", reason: "the group used to have MFA off" }] };
    const { status, lines } = run(config);
    expect(status).toBe(0);
    expect(lines).toContain(
      'Warning: [acknowledge[3]] acknowledge[3]: "mfa-not-enforced" matches no warning of this configuration any more: remove the ' +
        "entry (or fix its id, account or user), so that it cannot hide a new warning [stale-acknowledgement]",
    );
    const strict = run(config, ["--strict"]);
    expect([strict.status, strict.written]).toEqual([1, false]);
    expect(strict.lines[0]).toContain("[acknowledge[3]]");
  });

  test('every warning id is documented in docs/operating.md ("Warnings"), with its kind', () => {
    const operating = require("fs").readFileSync(join(__dirname, "..", "..", "docs", "operating.md"), "utf8") as string;
    for (const [id, { kind }] of Object.entries(WARNINGS)) {
      expect([id, operating.includes(`| \`${id}\` | ${kind} |`)]).toEqual([id, true]);
    }
  });
});

describe("many warnings are printed once per id", () => {
  const warning = (i: number, id: WarningId | undefined): SynthWarning => ({
    path: `account-${i}/AdminUser-alice`,
    message: `adminUsers[0] (alice) of account-${i}: something to act on${id ? ` [${id}]` : ""}`,
    kind: "action",
    ...(id ? { id } : {}),
  });

  test(`below ${MANY_WARNINGS}: every warning in full`, () => {
    const few = Array.from({ length: MANY_WARNINGS - 1 }, (_, i) => warning(i, "plaintext-password-in-state"));
    expect(warningLines(few)).toEqual(few.map((w) => `Warning: [${w.path}] ${w.message}`));
  });

  test("from there on: the first of an id in full, then the count and the next three places; small groups and warnings without id in full", () => {
    const many = [
      ...Array.from({ length: 3000 }, (_, i) => warning(i, "plaintext-password-in-state")),
      warning(1, "password-policy-unmanaged"),
      warning(2, "password-policy-unmanaged"),
      warning(7, undefined),
    ];
    const lines = warningLines(many);
    expect(lines).toEqual([
      `Warning: [account-0/AdminUser-alice] ${many[0].message}\n` +
        "  ... and 2999 more [plaintext-password-in-state] warnings, at account-1/AdminUser-alice, account-2/AdminUser-alice, " +
        "account-3/AdminUser-alice and 2996 other places (npm run review lists every one)",
      `Warning: [account-1/AdminUser-alice] ${many[3000].message}`,
      `Warning: [account-2/AdminUser-alice] ${many[3001].message}`,
      `Warning: [account-7/AdminUser-alice] ${many[3002].message}`,
    ]);
  });
});
