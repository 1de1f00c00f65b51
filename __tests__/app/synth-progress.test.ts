// Progress of a synth: "stack n of N" on a terminal's stderr only, cleared at the end.
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { synthesize } from "../../modules";
import { terminalProgress } from "../../modules/app/main";
import { accountsConfig } from "../support/configs";

describe("synth progress", () => {
  test("synthesize reports each stack taken, of how many, ending with all of them", () => {
    const dir = mkdtempSync(join(tmpdir(), "progress-"));
    const configFile = join(dir, "setup.config.json");
    writeFileSync(configFile, JSON.stringify(accountsConfig()));
    const calls: [number, number][] = [];
    const { stacks } = synthesize({ configFile, outdir: join(dir, "cdktf.out"), progress: (done, total) => calls.push([done, total]) });
    expect(stacks.length).toBeGreaterThan(1);
    expect(calls).toEqual(stacks.map((_, i) => [i + 1, stacks.length]));
  });

  test("on a terminal: rewritten in place, then the line cleared", () => {
    const written: string[] = [];
    const progress = terminalProgress({ isTTY: true, write: (text: string) => written.push(text) > 0 });
    progress?.(1, 3);
    progress?.(3, 3);
    expect(written).toEqual(["\rstack 1 of 3", "\r\x1b[K"]);
  });

  test("not on a terminal (a log, a pipe, CI): nothing at all", () => {
    expect(terminalProgress({ isTTY: false, write: () => true })).toBeUndefined();
  });
});
