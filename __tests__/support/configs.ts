// Configurations the tests synthesize (scripts/lib/reference-configs.ts), and helpers that
// synthesize one account with CDKTF's Testing. Only AWS's documented example values.
import { Testing } from "cdktf";
import { IncidentManagerSetupStack, SetupConfigInput, parseConfig } from "../../modules";

export * from "../../scripts/lib/reference-configs";

/** Synthesizes the stack of the first account of a configuration (Testing.synth: no metadata). */
export function synthAccount(input: SetupConfigInput, index = 0): string {
  const account = parseConfig(input).accounts[index];
  const stack = new IncidentManagerSetupStack(Testing.app(), account.name, { account });
  return Testing.synth(stack);
}

/** The synthesized JSON of a stack, parsed. */
export function synthJson(input: SetupConfigInput, index = 0): Record<string, any> {
  return JSON.parse(synthAccount(input, index));
}
