// `npm run schema`: writes setup.schema.json (the JSON Schema of setup.config.json, for editors) and
// docs/configuration.md (the reference) from the same zod schema that validates the configuration.
// A test fails when either is stale.
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { resolve } from "path";
import { configJsonSchema } from "../modules/app/config";
import { ConfigExample, renderConfigurationDoc } from "./lib/config-doc";
import { CommandIo, EXIT, PROJECT_ROOT, main, parseCommandLine, processIo, runCommand } from "./lib/cli";

export const SCHEMA_FILE = resolve(PROJECT_ROOT, "setup.schema.json");

export const CONFIG_DOC_FILE = resolve(PROJECT_ROOT, "docs", "configuration.md");

export const USAGE =
  "usage: npm run schema\n\nWrites setup.schema.json, the JSON Schema of setup.config.json, and docs/configuration.md, its reference,\n" +
  "from the configuration's schema.";

/** The reference's examples: the smallest configuration, then the shipped one and the Identity Center example as they are. */
export function configExamples(root = PROJECT_ROOT): ConfigExample[] {
  const file = (rel: string) => JSON.parse(readFileSync(resolve(root, rel), "utf8")) as unknown;
  return [
    {
      title: "The smallest configuration",
      config: { accounts: [{ name: "prod", region: "us-east-1", adminUsers: [{ name: "alice" }] }] },
    },
    { title: "The shipped setup.config.json", config: file("setup.config.json") },
    {
      title: "Identity Center for people, an IAM break-glass user (examples/identity-center.config.json)",
      config: file("examples/identity-center.config.json"),
    },
  ];
}

/** docs/configuration.md as the schema renders it. */
export function renderConfigDoc(root = PROJECT_ROOT): string {
  return renderConfigurationDoc(configJsonSchema(), configExamples(root));
}

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
    const doc = resolve(io.root, "docs", "configuration.md");
    mkdirSync(resolve(io.root, "docs"), { recursive: true });
    writeFileSync(doc, renderConfigDoc());
    io.out(`wrote ${doc}\n`);
    return EXIT.ok;
  });
}

if (require.main === module) main(run);
