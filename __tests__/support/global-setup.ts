// cdktf's Testing helpers write a `cdktf.outdir.*` folder into the system temp folder for
// every synth and never remove it. The tests get a temp folder of their own (TMPDIR, which
// os.tmpdir() and the jest workers inherit); global-teardown removes it.
// The provider that terraform starts for every plan, show and validate is a Go program that spends
// much of its time collecting garbage: GOGC=200 (Go's default is 100) lets its heap grow twice as far
// between collections. The plan suite of the Identity Center example: 75-81 CPU-s and 41-45 s
// became 69-71 CPU-s and 38-39 s, its largest process 336 -> 350 MB (GOGC=400 gave no more). A
// GOGC of the caller's is kept.
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), "incident-manager-setup-tests."));
  process.env.INCIDENT_MANAGER_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  process.env.GOGC ??= "200";
}
