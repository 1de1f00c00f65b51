// For a test file that needs Terraform (see scripts/lib/terraform.ts for how it runs).
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { OfflinePlanner } from "../../scripts/lib/offline-plan";
import { AWS_PROVIDER, TerraformSetup, detectTerraform, terraformRequired } from "../../scripts/lib/terraform";

/**
 * For a test file that needs Terraform: returns the setup when terraform and the mirror are
 * there. Otherwise registers, per missing piece, a test named `<title> — skipped: <reason>`
 * with `test.skip` (and warns the same), or, when REQUIRE_TERRAFORM=1, a test that FAILS with
 * the reason; and returns undefined (the caller then registers nothing else).
 */
export function terraformTestGate(title: string, env: NodeJS.ProcessEnv = process.env): TerraformSetup | undefined {
  const detected = detectTerraform(env);
  if (!Array.isArray(detected)) return detected;
  for (const { reason, detail } of detected) {
    if (terraformRequired(env)) {
      test(`${title} — ${reason} (REQUIRE_TERRAFORM=1)`, () => {
        throw new Error(`${reason}: ${detail}. REQUIRE_TERRAFORM=1 is set, so this is a failure, not a skip.`);
      });
    } else {
      const name = `${title} — skipped: ${reason}`;
      console.warn(`${name}\n  ${detail}\n  (set REQUIRE_TERRAFORM=1 to make this a failure)`);
      test.skip(name, () => undefined);
    }
  }
  return undefined;
}

/**
 * `describe` for tests that need Terraform: gated by {@link terraformTestGate} (skipped or failing
 * with the reason when terraform or the mirror is missing), titled with the versions it runs.
 */
export function describeWithTerraform(title: string, body: (setup: TerraformSetup) => void): void {
  const setup = terraformTestGate(title);
  if (setup) describe(`${title} (terraform ${setup.terraformVersion}, ${AWS_PROVIDER.source} ${AWS_PROVIDER.version})`, () => body(setup));
}

/**
 * A scratch folder and an {@link OfflinePlanner} in it for the current `describe`: created before
 * the block's own `beforeAll` hooks run, removed (provider symlinks, not the mirror) after it.
 */
export function useOfflinePlanner(setup: TerraformSetup, prefix: string): { readonly scratch: string; readonly planner: OfflinePlanner } {
  const state: { scratch?: string; planner?: OfflinePlanner } = {};
  beforeAll(() => {
    state.scratch = mkdtempSync(join(tmpdir(), `${prefix}.`));
    state.planner = new OfflinePlanner(setup, join(state.scratch, "planner"));
  });
  afterAll(() => {
    state.planner?.dispose();
    if (state.scratch) rmSync(state.scratch, { recursive: true, force: true });
  });
  return {
    get scratch() {
      if (!state.scratch) throw new Error("useOfflinePlanner: used outside a test or hook");
      return state.scratch;
    },
    get planner() {
      if (!state.planner) throw new Error("useOfflinePlanner: used outside a test or hook");
      return state.planner;
    },
  };
}
