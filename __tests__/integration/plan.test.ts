// `npm run plan` (scripts/plan.ts) against a terraform that records its arguments: the real one needs
// the Terraform registry and AWS credentials. What a CI log gets: plain text, and a last line naming the
// stacks that failed.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { delimiter, join } from "path";
import { CommandIo, EXIT } from "../../scripts/lib/cli";
import { run as plan } from "../../scripts/plan";
import { accountsConfig } from "../support/configs";

function fakeTerraform(failOn: string): { bin: string; log: string } {
  const bin = mkdtempSync(join(tmpdir(), "fake-terraform-"));
  const log = join(bin, "calls.log");
  // Exits 1 for a plan in a stack folder whose path contains `failOn`.
  writeFileSync(join(bin, "terraform"), `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *"${failOn}"*" plan "*) exit 1;; esac\nexit 0\n`);
  chmodSync(join(bin, "terraform"), 0o755);
  return { bin, log };
}

function io(bin: string, config: string, isTTY: boolean, outIsTTY = isTTY): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  const root = mkdtempSync(join(tmpdir(), "plan-"));
  return {
    env: { PATH: `${bin}${delimiter}${process.env.PATH}`, SETUP_CONFIG: config },
    root,
    cwd: root,
    out: () => undefined,
    err: (line) => lines.push(line),
    isTTY,
    outIsTTY,
    lines,
  };
}

describe("npm run plan, with a terraform that records its arguments", () => {
  const config = join(mkdtempSync(join(tmpdir(), "plan-config-")), "setup.config.json");
  writeFileSync(config, JSON.stringify(accountsConfig()));

  test("in a log or a pipe: -no-color on init and plan; a failed stack is named in the last line, exit 1", () => {
    const { bin, log } = fakeTerraform("stacks/adopt-govcloud");
    const run = io(bin, config, false);
    expect(plan([], run)).toBe(EXIT.failed);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.every((c) => c.endsWith(" -no-color"))).toBe(true);
    expect(run.lines[run.lines.length - 1]).toMatch(/^plan: 1 of 3 stack\(s\) failed: adopt-govcloud \(terraform's output above\)$/);
  });

  test("stdout into a file (`npm run plan > plan.log` on a terminal): -no-color", () => {
    const { bin, log } = fakeTerraform("no stack has this name");
    expect(plan([], io(bin, config, true, false))).toBe(EXIT.ok);
    expect(
      readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .every((c) => c.endsWith(" -no-color")),
    ).toBe(true);
  });

  test("on a terminal: terraform's colours; every stack planned, exit 0, no failure line", () => {
    const { bin, log } = fakeTerraform("no stack has this name");
    const run = io(bin, config, true);
    expect(plan([], run)).toBe(EXIT.ok);
    expect(readFileSync(log, "utf8")).not.toContain("-no-color");
    expect(run.lines.filter((l) => l.includes("failed"))).toEqual([]);
  });
});
