// What synthesis prints: only what needs action; the guide's own deviations as notes (review and
// README); `acknowledge` in the configuration; `--strict` (or SYNTH_STRICT=1) fails on what is not
// acknowledged, having written nothing.
import { existsSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ACKNOWLEDGEABLE, ConfigError, WARNINGS, main, parseConfig, strictRequested } from "../modules";
import { shippedConfig } from "./support/configs";

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
    const status = main({ SETUP_CONFIG: file, ...env }, "unused", (l) => lines.push(l), argv);
    // CDKTF's App makes the empty output folders when it is built; no stack file means nothing written.
    return { status, lines, written: existsSync(join(dir, "cdktf.out", "stacks", "incident-manager", "cdk.tf.json")) };
  } finally {
    process.chdir(cwd);
  }
}

const ids = (lines: string[]) => lines.filter((l) => l.startsWith("Warning: ")).map((l) => /\[([a-z-]+)\]$/.exec(l)?.[1]);

describe("the shipped configuration's synth", () => {
  test("prints only the warnings that need action, each with its id, and counts the rest", () => {
    const { status, lines, written } = run(shippedConfig());
    expect([status, written]).toEqual([0, true]);
    expect(ids(lines)).toEqual(["password-policy-unmanaged", "plaintext-password-in-state", "plaintext-secret-in-state"]);
    expect(lines).toContain(
      'Not printed: 3 note(s) on deviations the guide asks for, 0 acknowledged warning(s) (npm run review lists them; README "Warnings")',
    );
  });

  test("acknowledged warnings are no longer printed, and counted", () => {
    const config = { ...shippedConfig(), acknowledge: ["plaintext-password-in-state", "plaintext-secret-in-state"] };
    const { status, lines } = run(config);
    expect(status).toBe(0);
    expect(ids(lines)).toEqual(["password-policy-unmanaged"]);
    expect(lines).toContain(
      'Not printed: 3 note(s) on deviations the guide asks for, 2 acknowledged warning(s) (npm run review lists them; README "Warnings")',
    );
  });
});

describe("--strict", () => {
  test("fails on an unacknowledged warning, names the ids to acknowledge, writes nothing", () => {
    const { status, lines, written } = run(shippedConfig(), ["--strict"]);
    expect(status).toBe(1);
    expect(written).toBe(false);
    expect(lines[0]).toMatch(/^Error: --strict: 3 warnings not acknowledged, nothing written\n {2}- \[incident-manager\] passwordPolicy/);
    expect(lines[0]).toContain('"acknowledge": ["password-policy-unmanaged","plaintext-password-in-state","plaintext-secret-in-state"]');
  });

  test("passes when every warning is acknowledged or acted on; SYNTH_STRICT=1 does the same for CI", () => {
    const config = { ...shippedConfig(), acknowledge: ["plaintext-password-in-state", "plaintext-secret-in-state"] };
    (config.accounts[0] as any).passwordPolicy = true;
    expect(run(config, ["--strict"]).status).toBe(0);
    expect(run(shippedConfig(), [], { SYNTH_STRICT: "1" }).status).toBe(1);
    expect(strictRequested([], { SYNTH_STRICT: "true" })).toBe(true);
    expect(strictRequested([], {})).toBe(false);
  });

  test("an unknown argument is a usage error (exit 2), nothing written", () => {
    const { status, lines, written } = run(shippedConfig(), ["--strcit"]);
    expect([status, written]).toEqual([2, false]);
    expect(lines).toEqual(['Error: unknown argument "--strcit" (usage: npm run synth [-- --strict])']);
  });
});

describe("acknowledge in the configuration", () => {
  test("only ids of warnings that need action; a note or an unknown id is an error naming the ids", () => {
    const problems = (acknowledge: unknown) => {
      try {
        parseConfig({ ...shippedConfig(), acknowledge } as any);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems(["plaintext-secret-in-state"])).toEqual([]);
    const rule = `is not a warning id that can be acknowledged (ids: ${ACKNOWLEDGEABLE.join(", ")})`;
    expect(problems(["admin-access"])).toEqual([`acknowledge[0]: "admin-access" ${rule}`]);
    expect(problems(["plaintext-secrets"])).toEqual([`acknowledge[0]: "plaintext-secrets" ${rule}`]);
  });

  test("every warning id is documented in the README, with its kind", () => {
    const readme = require("fs").readFileSync(join(__dirname, "..", "README.md"), "utf8") as string;
    for (const [id, { kind }] of Object.entries(WARNINGS)) {
      expect([id, readme.includes(`| \`${id}\` | ${kind} |`)]).toEqual([id, true]);
    }
  });
});
