// The configurations both engine checks synthesize: the shipped setup.config.json, the Identity
// Center example, and the tests' full, Organization and accounts configurations
// (scripts/lib/reference-configs.ts, the same objects the tests use), written to JSON files.
import { writeFileSync } from "fs";
import { join } from "path";
import { IDENTITY_CENTER_CONFIG_FILE, SHIPPED_CONFIG_FILE, accountsConfig, fullConfig, organizationConfig } from "../lib/reference-configs";

export interface NamedConfig {
  name: string;
  /** An absolute path. */
  file: string;
}

/** The configurations, the tests' ones written into `dir` as JSON. */
export function checkedConfigs(dir: string): NamedConfig[] {
  const written = (name: string, config: unknown): NamedConfig => {
    const file = join(dir, `${name}.config.json`);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    return { name, file };
  };
  return [
    { name: "shipped", file: SHIPPED_CONFIG_FILE },
    { name: "identity-center", file: IDENTITY_CENTER_CONFIG_FILE },
    written("full", fullConfig()),
    written("organization", organizationConfig()),
    written("accounts", accountsConfig()),
  ];
}
