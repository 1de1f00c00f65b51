// The command-line kit the scripts share (scripts/lib/cli.ts): node:util's parseArgs, worded as our usage errors.
import { UsageError, parseCommandLine } from "../scripts/lib/cli";

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
