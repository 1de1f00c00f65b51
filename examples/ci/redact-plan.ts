// Reads `terraform show -json <plan file>` on stdin and writes it to stdout with every sensitive value
// replaced by "(sensitive value)": the redaction `npm run plan:offline` applies to cdktf.out/plans
// (scripts/lib/offline-plan.ts redactSensitive). `terraform show -json` prints known sensitive values
// in plain text, e.g. the secret of an access key in the state, and a plan job uploads its plan as an
// artifact that anyone who can read the repository can download.
//
// The stacks job of github-pull-request.yml bundles this file with esbuild into one JavaScript file,
// so the plan jobs run it with plain node, without `npm ci`. Exit codes: 0 written; 1 not a plan.
import { readFileSync } from "fs";
import { PlanJson, redactSensitive } from "../../scripts/lib/offline-plan";

function main(): number {
  const text = readFileSync(0, "utf8");
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    // Not JSON.parse's message: it quotes the text near the error, and an unredacted plan holds secrets.
    process.stderr.write("redact-plan: stdin is not JSON (expected terraform show -json; its text is not shown: it may hold secrets)\n");
    return 1;
  }
  if (typeof plan !== "object" || plan === null || !Array.isArray((plan as PlanJson).resource_changes)) {
    process.stderr.write("redact-plan: stdin is not a terraform show -json plan (no resource_changes)\n");
    return 1;
  }
  const { plan: redacted, redacted: paths } = redactSensitive(plan as PlanJson);
  process.stdout.write(JSON.stringify(redacted, null, 2) + "\n");
  process.stderr.write(`redact-plan: ${paths.length} sensitive value(s) redacted\n`);
  return 0;
}

process.exitCode = main();
