// For a test file that needs Terraform (see scripts/lib/terraform.ts for how it runs).
import { TerraformSetup, detectTerraform, terraformRequired } from "../../scripts/lib/terraform";

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
