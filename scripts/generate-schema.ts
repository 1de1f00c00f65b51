// Writes setup.schema.json (the JSON Schema of setup.config.json, for editors) from the same
// zod schema that validates the configuration. `npm run schema`; a test fails when it is stale.
import { PROJECT_ROOT } from "./lib/cli";
import { writeFileSync } from "fs";
import { resolve } from "path";
import { configJsonSchema } from "../modules/app/config";

export const SCHEMA_FILE = resolve(PROJECT_ROOT, "setup.schema.json");

export function renderSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
