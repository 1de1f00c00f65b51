// `npm run schema`: writes setup.schema.json (the JSON Schema of setup.config.json, for editors) from
// the same zod schema that validates the configuration. A test fails when it is stale.
import { writeFileSync } from "fs";
import { resolve } from "path";
import { configJsonSchema } from "../modules/app/config";
import { CommandIo, EXIT, PROJECT_ROOT, main, parseCommandLine, processIo, runCommand } from "./lib/cli";

export const SCHEMA_FILE = resolve(PROJECT_ROOT, "setup.schema.json");

export const USAGE =
  "usage: npm run schema\n\nWrites setup.schema.json, the JSON Schema of setup.config.json, from the configuration's schema.";

export function renderSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

const SPEC = { name: "schema", usage: USAGE, parse: (argv: readonly string[]) => parseCommandLine(argv, [], 0) };

/** The whole command; returns the exit code (0, 2: usage). */
export function run(argv: readonly string[], io: CommandIo = processIo()): number {
  return runCommand(SPEC, argv, io, () => {
    const file = resolve(io.root, "setup.schema.json");
    writeFileSync(file, renderSchema());
    io.out(`wrote ${file}\n`);
    return EXIT.ok;
  });
}

if (require.main === module) main(run);
