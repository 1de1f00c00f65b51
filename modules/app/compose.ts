// Composition of the app: one stack per account, then Identity Center, or a retired stack in their place.
import { App, AppConfig } from "cdktf";
import { SetupConfig, assignedAccounts } from "./config";
import { IdentityCenterStack } from "./stacks/identity-center-stack";
import { IncidentManagerSetupStack } from "./stacks/setup-stack";
import { RetiredStack } from "./stacks/retired-stack";
import { labelWarnings } from "./warnings";

/** Context that keeps stack traces (absolute paths) out of the synthesized metadata. */
export const DETERMINISTIC_CONTEXT = { "@cdktf/disable_stack_trace_in_metadata": true };

/** The names of the stacks a configuration makes, in order: the accounts, then Identity Center. */
export function stackNames(config: SetupConfig): string[] {
  return [...config.accounts.map((a) => a.name), ...(config.identityCenter ? [config.identityCenter.name] : [])];
}

/**
 * Builds the app: one {@link IncidentManagerSetupStack} per `accounts[]` entry, in order, then
 * the {@link IdentityCenterStack} when the configuration has `identityCenter`. With `only`, just
 * that stack (synthesize builds one stack at a time, so memory does not grow with the accounts).
 */
export function createApp(config: SetupConfig, options: AppConfig = {}, only?: string): App {
  const app = new App({ ...options, context: { ...DETERMINISTIC_CONTEXT, ...options.context } });
  config.accounts.forEach((account, a) => {
    if (only !== undefined && only !== account.name) return;
    if (!account.retire) {
      new IncidentManagerSetupStack(app, account.name, { account, backend: config.backend });
      return;
    }
    // What the live stack would be, built aside: the addresses to forget are its own.
    const live = new IncidentManagerSetupStack(new App({ context: DETERMINISTIC_CONTEXT, skipValidation: true }), account.name, {
      account,
      backend: config.backend,
    });
    new RetiredStack(app, account.name, {
      target: account,
      backend: config.backend,
      forget: live.keepOnRetire(),
      entry: `accounts[${a}] (${account.name})`,
    });
  });
  const ic = config.identityCenter;
  if (ic?.retire && (only === undefined || only === ic.name)) {
    // Nothing to forget: what the stack only reads (an existing group or permission set) is no resource.
    new RetiredStack(app, ic.name, { target: ic, backend: config.backend, forget: [], entry: `identityCenter (${ic.name})` });
  } else if (config.identityCenter && (only === undefined || only === config.identityCenter.name)) {
    // The schema requires an accountId of every assigned account.
    const accounts = assignedAccounts(config).map((a) => ({ name: a.name, accountId: a.accountId ?? "" }));
    new IdentityCenterStack(app, config.identityCenter.name, { identityCenter: config.identityCenter, accounts, backend: config.backend });
  }
  labelWarnings(app, config);
  return app;
}
