// The layering rules (.dependency-cruiser.cjs, run by `npm test` as npm run lint:deps) hold on this
// repository, and they catch what they are for: dependency-cruiser run on a small tree that breaks each.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { spawnSync } from "child_process";
import { ROOT } from "../support/configs";

const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

function cruise(cwd: string, ...paths: string[]) {
  const run = spawnSync(DEPCRUISE, [...paths, "--config", CONFIG, "--output-type", "err"], { cwd, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the layering rules", () => {
  test("hold on this repository (npm run lint:deps)", () => {
    const { status, output } = cruise(ROOT, "modules", "scripts", "__tests__", "bench", "main.ts");
    expect([status, output]).toEqual([0, expect.stringContaining("no dependency violations found")]);
  }, 60_000);

  test("catch a construct importing the app, a circle, the provider's barrel, a test import and the simulator outside tests", () => {
    const tree = mkdtempSync(join(tmpdir(), "layering-"));
    const file = (path: string, text: string) => {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    };
    symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
    file("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", esModuleInterop: true } }));
    file("modules/iam/user.ts", 'import { compose } from "../app/compose";\nexport const user = compose;\n');
    file("modules/app/compose.ts", 'import { user } from "../iam/user";\nexport const compose = () => user;\n');
    file("modules/core/rules.ts", 'import { IamUser } from "@cdktf/provider-aws";\nexport const rules = IamUser;\n');
    file("modules/core/deep.ts", 'import { IamUser } from "@cdktf/provider-aws/lib/iam-user";\nexport const deep = IamUser;\n');
    file("scripts/lib/helper.ts", 'import { fixture } from "../../__tests__/support/fixture";\nexport const helper = fixture;\n');
    file("__tests__/support/fixture.ts", "export const fixture = 1;\n");
    file("scripts/simulate.ts", 'import * as sim from "@cloud-copilot/iam-simulate";\nexport const s = sim;\n');
    const { status, output } = cruise(tree, "modules", "scripts", "__tests__");
    expect(status).not.toBe(0);
    for (const rule of ["constructs-not-app", "no-circular", "no-provider-barrel", "commands-not-tests", "simulator-in-tests-only"]) {
      expect([rule, output.includes(rule)]).toEqual([rule, true]);
    }
    expect(output).not.toMatch(/modules\/core\/deep\.ts/); // a deep import is fine
  }, 60_000);
});
