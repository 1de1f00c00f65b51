// The command-line kit the scripts share (scripts/lib/cli.ts): node:util's parseArgs, worded as our usage errors;
// and the exit codes of every command: 0 success, 1 bad input, 2 usage.
import { mkdtempSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { main as synth } from "../../modules/app/main";
import { run as credentials } from "../../scripts/credentials";
import { run as schema } from "../../scripts/generate-schema";
import { CommandError, CommandIo, EXIT, UsageError, parseCommandLine, progress, runCommand } from "../../scripts/lib/cli";
import { run as plan } from "../../scripts/plan";
import { run as planOffline } from "../../scripts/plan-offline";
import { run as review } from "../../scripts/review";
import { run as ssoProfiles } from "../../scripts/sso-profiles";
import { run as stacks } from "../../scripts/stacks";
import { ROOT, shippedConfig } from "../support/configs";

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
    ["synth", (argv, io) => synth(io.env, join(io.root, "setup.config.json"), io.err, argv, io.out)],
    ["credentials", (argv, io) => credentials(["prod", "alice", ...argv], { ...io, cwd: io.root }), "--key"],
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

  test.each(commands)("%s: --help and -h print the usage on stdout and exit 0", async (_name, command) => {
    for (const flag of ["--help", "-h"]) {
      const result = await run(command, [flag]);
      expect(result.code).toBe(EXIT.ok);
      expect(result.out).toMatch(/^usage: /m);
      expect(result.err).toBe("");
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

describe("runCommand: one way for every command", () => {
  const spec = {
    name: "demo",
    usage: "usage: npm run demo [-- --n <n>]\n\nMore.",
    parse: (argv: readonly string[]) => parseCommandLine(argv, ["n"], 0),
  };
  function capture(body: () => number, argv: string[] = []) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCommand(spec, argv, { env: {}, root: ROOT, out: (t) => out.push(t), err: (l) => err.push(l) }, body);
    return { code, out: out.join(""), err: err.join("\n") };
  }

  test("a usage error is one line naming the option and its value, see --help, then the synopsis; exit 2", () => {
    expect(capture(() => 0, ["--n", "1", "--n", "2"])).toEqual({
      code: EXIT.usage,
      out: "",
      err: "demo: --n given twice; see --help\nusage: npm run demo [-- --n <n>]",
    });
  });

  test("a CommandError exits 1 with the command's name and the message; any other error is a bug and is thrown", () => {
    expect(
      capture(() => {
        throw new CommandError("no such stack");
      }),
    ).toEqual({ code: EXIT.failed, out: "", err: "demo: no such stack" });
    expect(() =>
      capture(() => {
        throw new TypeError("bug");
      }),
    ).toThrow("bug");
  });

  test("--help prints the whole usage on stdout, exit 0, without running the command", () => {
    const body = jest.fn(() => 0);
    expect(capture(body, ["--help"])).toEqual({ code: EXIT.ok, out: `${spec.usage}\n`, err: "" });
    expect(body).not.toHaveBeenCalled();
  });
});

test("npm run schema goes through the kit too: --help exits 0, an unknown option 2 naming it, and it writes nothing then", () => {
  const root = mkdtempSync(join(tmpdir(), "cli-schema-"));
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { env: {}, root, out: (t) => out.push(t), err: (l) => err.push(l) };
  expect(schema(["--help"], io)).toBe(EXIT.ok);
  expect(out.join("")).toMatch(/^usage: npm run schema\n/);
  expect(schema(["--bogus"], io)).toBe(EXIT.usage);
  expect(err).toEqual(["schema: unknown option --bogus; see --help\nusage: npm run schema"]);
  expect(readdirSync(root)).toEqual([]);
  expect(schema([], io)).toBe(EXIT.ok);
  expect(readdirSync(root)).toEqual(["docs", "setup.schema.json"]);
  expect(readdirSync(join(root, "docs"))).toEqual(["configuration.md"]);
});

describe("progress: on stderr, only on a terminal", () => {
  test("counts the steps with their labels on a terminal, prints nothing otherwise", () => {
    const lines: string[] = [];
    const tty = progress("plan", { err: (l) => lines.push(l), isTTY: true }, "plan", 2);
    tty("prod");
    tty("staging");
    const piped = progress("plan", { err: (l) => lines.push(`piped: ${l}`) }, "plan", 2);
    piped("prod");
    expect(lines).toEqual(["plan: plan 1 of 2: prod", "plan: plan 2 of 2: staging"]);
  });

  /** The review of the shipped configuration (one acknowledgement added), in-process, into a temp folder. */
  function review_(argv: string[], isTTY: boolean) {
    const dir = mkdtempSync(join(tmpdir(), "cli-review-"));
    const config = join(dir, "setup.config.json");
    const input = {
      ...shippedConfig(),
      acknowledge: [{ id: "password-policy-unmanaged", reason: "the organization manages it", account: "incident-manager" }],
    };
    writeFileSync(config, JSON.stringify(input));
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = { env: { SETUP_CONFIG: config }, root: ROOT, cwd: dir, out: (t) => out.push(t), err: (l) => err.push(l), isTTY };
    const code = review(["--outdir", join(dir, "out"), ...argv], io);
    return { code, stdout: out.join(""), stderr: err };
  }

  test("the review prints stack n of N on a terminal (isTTY), and not without one", () => {
    expect(review_([], true).stderr).toContain("review: stack 1 of 1: incident-manager");
    expect(review_([], false).stderr.filter((l) => / of \d+/.test(l) && l.includes("stack 1"))).toEqual([]);
  });

  test("review --json: one JSON object on stdout, with counts, warnings with ids, acknowledgements and the stacks", () => {
    const { code, stdout } = review_(["--json"], false);
    expect(code).toBe(EXIT.ok);
    expect(stdout.endsWith("}\n")).toBe(true);
    expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    const summary = JSON.parse(stdout);
    expect(summary.counts).toEqual({ stacks: 1, resources: 8, warnings: 3, acknowledged: 1, notes: 3, changedStacks: 0 });
    expect(summary.warnings.filter((w: any) => w.kind === "action").map((w: any) => w.id)).toEqual([
      "example-account-id",
      "plaintext-password-in-state",
      "plaintext-secret-in-state",
    ]);
    expect(summary.acknowledgements).toEqual([
      { stack: "incident-manager", path: "incident-manager", id: "password-policy-unmanaged", reason: "the organization manages it" },
    ]);
    expect(summary.stacks).toEqual([
      { name: "incident-manager", source: "synth", resources: 8, retired: false, planned: null, warnings: 3, change: null, changes: [] },
    ]);
    expect(summary.files.review).toMatch(/review\.md$/);
  });
});
