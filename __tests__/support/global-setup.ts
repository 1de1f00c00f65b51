// cdktf's Testing helpers write a `cdktf.outdir.*` folder into the system temp folder for
// every synth and never remove it. The tests get a temp folder of their own (TMPDIR, which
// os.tmpdir() and the jest workers inherit); global-teardown removes it.
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), "incident-manager-setup-tests."));
  process.env.INCIDENT_MANAGER_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}
