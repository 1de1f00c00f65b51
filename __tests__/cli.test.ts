// The command-line kit the scripts share (scripts/lib/cli.ts): node:util's parseArgs, worded as our usage errors;
// and the exit codes of every command: 0 success, 1 bad input, 2 usage.
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { main as synth } from "../modules";
import { run as credentials } from "../scripts/credentials";
import { CommandIo, EXIT, UsageError, parseCommandLine } from "../scripts/lib/cli";
import { run as plan } from "../scripts/plan";
import { run as planOffline } from "../scripts/plan-offline";
import { run as review } from "../scripts/review";
import { run as ssoProfiles } from "../scripts/sso-profiles";
import { run as stacks } from "../scripts/stacks";

describe("parseCommandLine", () => {
  test("string options in both spellings, flags, positionals anywhere, -- ends the options", () => {
    const line = parseCommandLine(["a", "--key", "1", "--out=x.csv", "--quick", "--", "--b"], ["key", "out"], 2, ["quick"]);
    expect(line).toEqual({ options: { key: "1", out: "x.csv" }, flags: new Set(["quick"]), positionals: ["a", "--b"] });
  });

  test("-h and --help", () => {
    expect(parseCommandLine(["-h"], [], 0)).toBe("help");
    expect(parseCommandLine(["x", "--help"], [], 1)).toBe("help");
  });

  test.each([
    [["--nope"], "unknown option --nope"],
    [["--key"], "--key needs a value"],
    [["--key", "--out", "x"], "--key needs a value"],
    [["--key="], "--key needs a value"],
    [["--key", "1", "--key", "2"], "--key given twice"],
    [["a", "b"], 'unexpected argument "b"'],
  ])("fails on %j: %s", (argv, message) => {
    expect(() => parseCommandLine(argv, ["key", "out"], 1)).toThrow(new UsageError(message));
  });
});

describe("exit codes of every command (0 success, 1 bad input, 2 usage)", () => {
  type Command = (argv: string[], io: CommandIo) => number | Promise<number>;
  /** Each command of package.json, in-process; `valued` is one of its options that takes a value. */
  const commands: [name: string, command: Command, valued?: string][] = [
    ["synth", (argv, io) => synth(io.env, join(io.root, "setup.config.json"), io.err, argv)],
    [
      "credentials",
      (argv, io) => credentials(["prod", "alice", ...argv], { ...io, cwd: io.root }),
      "--key",
    ],
    ["sso-profiles", ssoProfiles, "--session"],
    ["review", (argv, io) => review(argv, { ...io, cwd: io.root }), "--base"],
    ["plan", plan],
    ["plan:offline", planOffline],
    ["stacks", stacks, "--batch-size"],
  ];

  /** Runs a command with SETUP_CONFIG set to a folder (a configuration that cannot be read) and the project root in a temp folder. */
  async function run(command: Command, argv: string[]) {
    const root = mkdtempSync(join(tmpdir(), "cli-"));
    const out: string[] = [];
    const err: string[] = [];
    const env = { PATH: process.env.PATH, SETUP_CONFIG: root };
    const code = await command(argv, { env, root, out: (t) => out.push(t), err: (l) => err.push(l) });
    return { code, out: out.join(""), err: err.join("\n") };
  }

  test.each(commands)("%s: --help and -h print the usage and exit 0", async (_name, command) => {
    for (const flag of ["--help", "-h"]) {
      const result = await run(command, [flag]);
      expect(result.code).toBe(EXIT.ok);
      expect(`${result.out}${result.err}`).toMatch(/^usage: /m);
    }
  });

  test.each(commands)("%s: an unknown option exits 2 with the usage", async (_name, command) => {
    const result = await run(command, ["--bogus"]);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toMatch(/unknown (option|argument) "?--bogus/);
    expect(result.err).toMatch(/^usage: /m);
    expect(result.out).toBe("");
  });

  test.each(commands.filter(([, , valued]) => valued !== undefined))(
    "%s: an option without its value exits 2",
    async (_name, command, valued) => {
      const result = await run(command, [valued!]);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toContain(`${valued} needs a value`);
    },
  );

  test.each(commands)("%s: a configuration (or outputs file) that cannot be read exits 1", async (name, command) => {
    // credentials reads no configuration: its input is the outputs file.
    const result = await run(command, name === "credentials" ? ["--outputs-json", "."] : []);
    expect(result.code).toBe(EXIT.failed);
    expect(result.out).toBe("");
    if (name === "credentials") expect(result.err).toContain("cannot read");
    else if (name !== "plan:offline") expect(result.err).toContain("is a directory, not a configuration file");
  });
});
