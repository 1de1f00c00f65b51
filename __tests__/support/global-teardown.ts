import { rmSync } from "fs";

export default function globalTeardown(): void {
  const dir = process.env.INCIDENT_MANAGER_TEST_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
