// `terraform plan` of synthesized stacks with the real hashicorp/aws provider, offline: the few
// AWS calls a plan makes go to the stub of scripts/lib/aws-stub/. Used by
// scripts/plan-offline.ts (`npm run plan:offline`) and __tests__/integration/terraform-plan.test.ts.
//
// Per plan, a folder of its own with:
// - cdk.tf.json: the stack as synthesized (unchanged);
// - zz_offline_override.tf.json ({@link offlineOverride}): pins hashicorp/aws to the mirrored
//   version, replaces the backend with `local` (terraform.tfstate in the folder; plan never
//   writes it), and points provider "aws" at the stub: example static keys, STS and IAM
//   endpoints (plus SSO Admin and Identity Store for a stack that uses IAM Identity Center,
//   see {@link usesIdentityCenter}), no EC2 metadata. The provider still validates the
//   credentials and reads the account id (STS GetCallerIdentity), so `allowed_account_ids` is
//   checked for real.
//   An `assume_role` block is neutralized with `role_arn = ""` (see {@link offlineOverride});
// - .terraform (a symlink) and .terraform.lock.hcl of ONE `terraform init` per provider set
//   (a {@link TerraformWorkspace}), so a plan costs no init.
// Terraform runs without any TF_* or AWS_* variable of the caller's environment (no profile,
// keys or endpoints leak in), with empty shared config/credentials files.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { availableParallelism } from "os";
import { join } from "path";
import { AwsStubOptions, StubIdentity, StubRequest, callNames, startAwsStub } from "./aws-stub";
import {
  OFFLINE_OVERRIDE_FILE,
  PLAN_FILE,
  STATE_FILE,
  StackJson,
  offlineEnv,
  offlineOverride,
  offlineProvider,
  stubAccountFor,
  usesIdentityCenter,
} from "./offline-override";
import { PlanCounts, PlanDiagnostic, PlanJson, PlanMessages, PlannedChange, countPlannedChanges, readPlanMessages } from "./plan-json";
import {
  PLAN_TIMEOUT_MS,
  STACK_FILE,
  TerraformRun,
  TerraformSetup,
  TerraformWorkspace,
  assertSucceeded,
  requiredProviders,
  runTerraformAsync,
} from "./terraform";

// What the planner's users read of overrides, plans and stubs, from here as before.
export * from "./offline-override";
export * from "./plan-json";
export { callNames };

// ----- the planner -----

/** A stack to plan: its name and its cdk.tf.json (file or text). */
export type OfflineStack = { readonly name: string } & ({ readonly file: string } | { readonly json: string });

/** Options of one offline plan. */
export interface OfflinePlanOptions {
  /** Who the stub says the caller is. @default "user" */
  readonly identity?: StubIdentity;
  /** The stub's account. @default {@link stubAccountFor} the stack */
  readonly account?: string;
  /** How many IAM Identity Center instances the stub lists (see {@link AwsStubOptions}). @default 1 */
  readonly ssoInstances?: number;
  /** Whether the stub's Identity Store knows a group for every display name, or none. @default "any" */
  readonly groups?: AwsStubOptions["groups"];
  /** Whether the stub's Identity Store knows a user for every user name, or none. @default "any" */
  readonly users?: AwsStubOptions["users"];
  /** Whether the stub's account has the Incident Manager service-linked role (see {@link AwsStubOptions}). @default true */
  readonly serviceLinkedRole?: boolean;
  /** The IAM groups and users the stub's account has (see {@link AwsStubOptions}). @default - none */
  readonly existingIam?: AwsStubOptions["existingIam"];
  /** Gets one line per AWS request (discovery, debugging). */
  readonly log?: (line: string) => void;
  /** Terraform variables of the plan (`-var name=value`), e.g. `assume_role_arn: ""` as a CI job sets it. @default none */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * Leave the stack's `assume_role` as it is (the provider then assumes the role through the stub's
   * STS, which answers no AssumeRole: the request is recorded, and the plan fails) instead of
   * neutralizing it. With `variables: { assume_role_arn: "" }` it shows what a CI job's plan does.
   * @default false
   */
  readonly keepAssumeRole?: boolean;
  /**
   * A Terraform state (JSON) the plan starts from, e.g. to show what a moved block does.
   * @default - an empty state
   */
  readonly priorState?: string;
  /**
   * Whether to read the saved plan back as JSON (`terraform show -json`: the provider starts again
   * for its schema, about 3 s of CPU). Off where only the summary, the messages or the plan file
   * itself are used. @default true
   */
  readonly showJson?: boolean;
  /**
   * Whether the plan refreshes existing resources (reads them from AWS: the stub serves only
   * the few reads listed in aws-stub/index.ts, so a prior state usually goes with refresh: false).
   * @default true
   */
  readonly refresh?: boolean;
}

/** The outcome of one offline plan. */
export interface StackPlan {
  readonly stack: string;
  /** The plan folder (removed by {@link OfflinePlanner.dispose}). */
  readonly dir: string;
  readonly identity: StubIdentity;
  readonly account: string;
  /** `terraform plan`. */
  readonly run: TerraformRun;
  /** Whether terraform plan exited 0. */
  readonly ok: boolean;
  /** terraform plan's change summary: `Plan: ...` / `No changes. ...` (its `change_summary` message). */
  readonly summary?: string;
  /** Terraform's counts, from the plan's JSON (the same numbers as {@link summary}). */
  readonly counts?: PlanCounts;
  /** The warnings and errors terraform plan reported (its `diagnostic` messages). */
  readonly diagnostics: readonly PlanDiagnostic[];
  /** Its `planned_change` messages. */
  readonly changes: readonly PlannedChange[];
  /** Its `outputs` message. */
  readonly outputs: PlanMessages["outputs"];
  /** `terraform show -json` of the saved plan (when the plan succeeded), as Terraform wrote it. */
  readonly json?: PlanJson;
  /** Every AWS request of the plan, in order. */
  readonly requests: readonly StubRequest[];
  /** The requests the stub did not expect (answered with an error). */
  readonly unexpectedRequests: readonly StubRequest[];
}

/** Throws with Terraform's output unless the plan succeeded without unexpected AWS calls. */
export function assertPlanned(plan: StackPlan): PlanJson {
  const problems: string[] = [];
  if (!plan.ok) problems.push(`terraform plan exited ${plan.run.status}`);
  if (plan.unexpectedRequests.length > 0) {
    problems.push(`unexpected AWS calls: ${callNames(plan.unexpectedRequests).join(", ")}`);
  }
  if (!plan.json && plan.ok) problems.push("no plan JSON (planned with showJson: false)");
  if (problems.length > 0 || !plan.json) {
    throw new Error(
      `offline plan of stack "${plan.stack}": ${problems.join("; ")}` +
        `\n--- stderr ---\n${plan.run.stderr}\n--- stdout ---\n${plan.run.stdout}`,
    );
  }
  return plan.json;
}

/**
 * Plans stacks offline under `root` (created; removed by {@link dispose}): one `terraform init`
 * per provider set, then a folder and a stub per plan.
 */
export class OfflinePlanner {
  private readonly workspaces = new Map<string, TerraformWorkspace>();
  private readonly awsDir: string;
  private plans = 0;

  constructor(
    readonly setup: TerraformSetup,
    readonly root: string,
  ) {
    this.awsDir = join(root, "aws");
    mkdirSync(this.awsDir, { recursive: true });
    writeFileSync(join(this.awsDir, "config"), "");
    writeFileSync(join(this.awsDir, "credentials"), "");
  }

  /** How many times `terraform init` ran. */
  get inits(): number {
    return this.workspaces.size;
  }

  /** The initialized workspace for the stack's provider set (runs init the first time). */
  private workspaceFor(json: string, assumeRole: boolean): TerraformWorkspace {
    const key = requiredProviders(json).join(",");
    let workspace = this.workspaces.get(key);
    if (!workspace) {
      workspace = new TerraformWorkspace(this.setup, join(this.root, `init-${this.workspaces.size + 1}`));
      // The endpoint does not matter to init (it configures no provider).
      writeFileSync(join(workspace.workDir, OFFLINE_OVERRIDE_FILE), offlineOverride({ endpoint: "http://127.0.0.1:9", assumeRole }));
      workspace.init({ json }, { backend: true });
      this.workspaces.set(key, workspace);
    }
    return workspace;
  }

  /**
   * `terraform plan` of a stack against a fresh stub, then `terraform show -json` of the plan.
   * Resolves also when the plan fails (see {@link StackPlan.ok}, {@link assertPlanned}); rejects
   * when terraform cannot run, times out, or the stack cannot be planned offline.
   */
  async plan(stack: OfflineStack, options: OfflinePlanOptions = {}): Promise<StackPlan> {
    const json = "file" in stack ? readFileSync(stack.file, "utf8") : stack.json;
    const parsed = JSON.parse(json) as StackJson;
    const assumeRole = offlineProvider(parsed).assume_role !== undefined && !options.keepAssumeRole;
    const identityCenter = usesIdentityCenter(parsed);
    const account = options.account ?? stubAccountFor(parsed);
    const identity = options.identity ?? "user";
    const workspace = this.workspaceFor(json, assumeRole);

    const dir = join(this.root, "plans", `${++this.plans}-${stack.name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, STACK_FILE), json);
    if (options.priorState !== undefined) writeFileSync(join(dir, STATE_FILE), options.priorState);
    symlinkSync(join(workspace.workDir, ".terraform"), join(dir, ".terraform"), "dir");
    copyFileSync(join(workspace.workDir, ".terraform.lock.hcl"), join(dir, ".terraform.lock.hcl"));

    const stub = await startAwsStub({
      identity,
      account,
      ssoInstances: options.ssoInstances,
      groups: options.groups,
      users: options.users,
      serviceLinkedRole: options.serviceLinkedRole,
      existingIam: options.existingIam,
      log: options.log,
    });
    try {
      writeFileSync(join(dir, OFFLINE_OVERRIDE_FILE), offlineOverride({ endpoint: stub.endpoint, assumeRole, identityCenter }));
      const run = await runTerraformAsync(
        [
          "plan",
          "-json",
          "-input=false",
          "-lock=false",
          ...(options.refresh === false ? ["-refresh=false"] : []),
          ...Object.entries(options.variables ?? {}).map(([name, value]) => `-var=${name}=${value}`),
          `-out=${PLAN_FILE}`,
        ],
        { cwd: dir, env: offlineEnv(workspace.env, this.awsDir), timeoutMs: PLAN_TIMEOUT_MS },
      );
      const ok = run.status === 0 && existsSync(join(dir, PLAN_FILE));
      let planJson: PlanJson | undefined;
      if (ok && options.showJson !== false) {
        const show = assertSucceeded(
          await runTerraformAsync(["show", "-json", "-no-color", PLAN_FILE], {
            cwd: dir,
            env: offlineEnv(workspace.env, this.awsDir),
            timeoutMs: PLAN_TIMEOUT_MS,
          }),
        );
        planJson = JSON.parse(show.stdout) as PlanJson;
      }
      const { diagnostics, summary, changes, outputs } = readPlanMessages(run.stdout);
      return {
        stack: stack.name,
        dir,
        identity,
        account,
        run,
        ok,
        ...(summary ? { summary } : {}),
        ...(planJson ? { counts: countPlannedChanges(planJson) } : {}),
        diagnostics,
        changes,
        outputs,
        ...(planJson ? { json: planJson } : {}),
        requests: [...stub.requests],
        unexpectedRequests: [...stub.unexpected],
      };
    } finally {
      await stub.close();
    }
  }

  /**
   * Plans several stacks, `concurrency` at a time (default: the CPUs, at most 4; a plan is
   * mostly the provider's CPU time). A stack's own options (identity, account, ...) win over
   * `options`. Results in the order of `stacks`.
   */
  async planAll(
    stacks: ReadonlyArray<OfflineStack & OfflinePlanOptions>,
    options: OfflinePlanOptions & { concurrency?: number; onPlanned?: (plan: StackPlan) => void } = {},
  ): Promise<StackPlan[]> {
    const concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
    const results: StackPlan[] = new Array(stacks.length);
    let next = 0;
    const worker = async () => {
      while (next < stacks.length) {
        const index = next++;
        results[index] = await this.plan(stacks[index], { ...options, ...stacks[index] });
        options.onPlanned?.(results[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, stacks.length) }, worker));
    return results;
  }

  /** Removes every folder (the provider symlinks, not the mirror). */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
