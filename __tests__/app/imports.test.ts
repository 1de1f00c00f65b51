// What package.json must say of the policy simulator. The import rules themselves (no provider barrel,
// the simulator in tests only, the layers) are .dependency-cruiser.cjs's: __tests__/integration/layering.test.ts.
import { readFileSync } from "fs";
import { join } from "path";
import { ROOT } from "../support/configs";

describe("the AGPL-3.0 policy simulator stays a test tool", () => {
  // That only tests import it is a rule of .dependency-cruiser.cjs (simulator-in-tests-only).
  test("@cloud-copilot/iam-simulate is a devDependency", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.dependencies["@cloud-copilot/iam-simulate"]).toBeUndefined();
    expect(pkg.devDependencies["@cloud-copilot/iam-simulate"]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
