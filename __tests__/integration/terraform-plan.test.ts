// `terraform plan` of every stack of the shipped, minimal, full and accounts configurations with
// the real hashicorp/aws provider (5.100.0 from the local mirror), offline: the AWS reads of a
// plan go to a local stub (scripts/lib/aws-stub.ts) through the plan runner that
// `npm run plan:offline` uses (scripts/lib/offline-plan.ts). Asserts that each plan does exactly
// what the configuration asks (create / import / nothing else), which AWS calls it makes, that
// sensitive outputs stay redacted, and that the root-user check warns only for the root user.
//
// The stub's own tests always run; the plans are reported as skipped without terraform or the
// mirror, or fail when REQUIRE_TERRAFORM=1 (see ./support/terraform-gate.ts).
import { readFileSync } from "fs";
import { join } from "path";
import { Testing } from "cdktf";
import { IncidentManagerSetupStack, SetupConfigInput, createApp, parseConfig } from "../../modules";
import {
  AwsStub,
  IAM_NAMESPACE,
  STS_NAMESPACE,
  STUB_ACCOUNT_ID,
  STUB_ROLE,
  STUB_SECRET_ACCESS_KEY,
  StubIdentity,
  startAwsStub,
  stubCallerArn,
  stubRoleArn,
} from "../../scripts/lib/aws-stub";
import { accountsConfig, fullConfig, shippedConfig } from "../support/configs";
import { AWS_PROVIDER, PLAN_TIMEOUT_MS, STACK_FILE } from "../../scripts/lib/terraform";
import { describeWithTerraform, useOfflinePlanner } from "../support/terraform-gate";
import {
  PlanJson,
  SENSITIVE_PLACEHOLDER,
  StackJson,
  StackPlan,
  assertPlanned,
  callNames,
  failedChecks,
  isOfflineOverrideWarning,
  offlineEnv,
  offlineOverride,
  offlineProvider,
  planChanges,
  priorStateResources,
  redactSensitive,
} from "../../scripts/lib/offline-plan";

jest.setTimeout(PLAN_TIMEOUT_MS);

const CONFIGS: ReadonlyArray<readonly [string, () => SetupConfigInput]> = [
  ["shipped", shippedConfig],
  ["full", fullConfig],
  ["accounts", accountsConfig],
];

/** What Terraform prints per stack (the counts are also derived from the stacks below). */
const EXPECTED_SUMMARIES: Record<string, string> = {
  // The auto role mode, and the stub's account has the role: imported, not added.
  "shipped/incident-manager": "Plan: 1 to import, 7 to add, 0 to change, 0 to destroy.",
  "full/ops-prod": "Plan: 15 to add, 0 to change, 0 to destroy.",
  "accounts/adopt-tagged": "Plan: 1 to import, 11 to add, 0 to change, 0 to destroy.",
  "accounts/adopt-govcloud": "Plan: 1 to import, 8 to add, 0 to change, 0 to destroy.",
  "accounts/reference-role": "Plan: 9 to add, 0 to change, 0 to destroy.",
};

const ROLE_ADDRESS = "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3";
const ROLE_DATA_ADDRESS = "data.aws_iam_role.IncidentManagerServiceLinkedRole_84057CB3";
const ROOT_CHECK = "deploying_identity_is_not_root";

// ----- the stub on its own -----

/** A Query-protocol request as the AWS SDK sends it, signed for `region`/`service`. */
async function query(
  stub: AwsStub,
  service: "sts" | "iam",
  params: Record<string, string>,
  region = "us-east-1",
): Promise<{ status: number; body: string }> {
  const version = service === "sts" ? "2011-06-15" : "2010-05-08";
  const response = await fetch(stub.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
      Authorization:
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240115/${region}/${service}/aws4_request, ` +
        "SignedHeaders=host;x-amz-date, Signature=0000",
    },
    body: new URLSearchParams({ Version: version, ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** The text of `<tag>` in `xml` (first occurrence). */
function element(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

describe("AWS stub (Query protocol)", () => {
  const stubs: AwsStub[] = [];
  const start = async (identity: StubIdentity) => {
    const stub = await startAwsStub({ identity });
    stubs.push(stub);
    return stub;
  };
  afterAll(() => Promise.all(stubs.map((s) => s.close())));

  test.each([
    ["user", `arn:aws:iam::${STUB_ACCOUNT_ID}:user/incident-admin`, "AIDAIOSFODNN7EXAMPLE"],
    ["root", `arn:aws:iam::${STUB_ACCOUNT_ID}:root`, STUB_ACCOUNT_ID],
  ] as const)("GetCallerIdentity as the %s identity", async (identity, arn, userId) => {
    const stub = await start(identity);

    const { status, body } = await query(stub, "sts", { Action: "GetCallerIdentity" });

    expect(status).toBe(200);
    expect(body).toContain(`<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">`);
    expect(body).toMatch(
      /<GetCallerIdentityResult>[\s\S]*<\/GetCallerIdentityResult>\s*<ResponseMetadata>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>/,
    );
    expect(element(body, "Arn")).toBe(arn);
    expect(element(body, "UserId")).toBe(userId);
    expect(element(body, "Account")).toBe(STUB_ACCOUNT_ID);
    expect(stub.calls()).toEqual(["sts:GetCallerIdentity"]);
    expect(stub.unexpected).toEqual([]);
  });

  test("GetRole of the Incident Manager role, with the partition of the signing region", async () => {
    const stub = await start("user");

    const commercial = await query(stub, "iam", { Action: "GetRole", RoleName: STUB_ROLE.name });
    const govCloud = await query(stub, "iam", { Action: "GetRole", RoleName: STUB_ROLE.name }, "us-gov-west-1");

    expect(commercial.status).toBe(200);
    expect(commercial.body).toContain(`<GetRoleResponse xmlns="${IAM_NAMESPACE}">`);
    expect(element(commercial.body, "Arn")).toBe(
      "arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager",
    );
    expect(element(govCloud.body, "Arn")).toBe(stubRoleArn("aws-us-gov"));
    expect(element(commercial.body, "Path")).toBe("/aws-service-role/ssm-incidents.amazonaws.com/");
    expect(element(commercial.body, "RoleId")).toBe("AROAIOSFODNN7EXAMPLE");
    expect(element(commercial.body, "CreateDate")).toBe(STUB_ROLE.createDate);
    // IAM returns policy documents URL-encoded.
    const document = element(commercial.body, "AssumeRolePolicyDocument") ?? "";
    expect(document).not.toContain("{");
    expect(JSON.parse(decodeURIComponent(document))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ssm-incidents.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(stub.requests.map((r) => r.region)).toEqual(["us-east-1", "us-gov-west-1"]);
    expect(stub.unexpected).toEqual([]);
  });

  test("answers and records any other call as an error", async () => {
    const stub = await start("user");

    const assume = await query(stub, "sts", { Action: "AssumeRole", RoleArn: "arn:aws:iam::111122223333:role/X" });
    const otherRole = await query(stub, "iam", { Action: "GetRole", RoleName: "SomeOtherRole" });
    const createRole = await query(stub, "iam", { Action: "CreateServiceLinkedRole" });

    expect(assume.status).toBe(400);
    expect(assume.body).toContain(`<ErrorResponse xmlns="${STS_NAMESPACE}">`);
    expect(element(assume.body, "Type")).toBe("Sender");
    expect(element(assume.body, "Code")).toBe("UnexpectedCall");
    expect(element(assume.body, "Message")).toContain("sts:AssumeRole");
    expect(element(assume.body, "RequestId")).toMatch(/^[0-9a-f-]{36}$/);
    expect([otherRole.status, element(otherRole.body, "Code")]).toEqual([404, "NoSuchEntity"]);
    expect([createRole.status, element(createRole.body, "Code")]).toEqual([400, "UnexpectedCall"]);
    expect(stub.unexpected.map((r) => `${r.service}:${r.action}`)).toEqual([
      "sts:AssumeRole",
      "iam:GetRole",
      "iam:CreateServiceLinkedRole",
    ]);
  });

  test("stops serving when closed", async () => {
    const stub = await startAwsStub();
    await stub.close();

    await expect(query(stub, "sts", { Action: "GetCallerIdentity" })).rejects.toThrow();
  });
});

// ----- the plan runner's pure parts -----

describe("offline plan setup", () => {
  test("Terraform gets no AWS_* or TF_* variable of the caller's environment", () => {
    const env = offlineEnv(
      { PATH: "/usr/bin", AWS_PROFILE: "prod", AWS_ACCESS_KEY_ID: "AKIA0000", AWS_ENDPOINT_URL_STS: "http://x", TF_CLI_CONFIG_FILE: "/rc" },
      "/scratch/aws",
    );

    expect(env).toEqual({
      PATH: "/usr/bin",
      TF_CLI_CONFIG_FILE: "/rc",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/scratch/aws/config",
      AWS_SHARED_CREDENTIALS_FILE: "/scratch/aws/credentials",
    });
  });

  test("the override points the provider at the stub and replaces assume_role and the backend", () => {
    const override = JSON.parse(offlineOverride({ endpoint: "http://127.0.0.1:4567", assumeRole: true }));

    expect(override.terraform).toEqual({
      required_providers: { aws: AWS_PROVIDER },
      backend: { local: { path: "terraform.tfstate" } },
    });
    expect(override.provider.aws).toEqual([
      expect.objectContaining({
        access_key: "AKIAIOSFODNN7EXAMPLE",
        secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        skip_metadata_api_check: true,
        skip_region_validation: true,
        endpoints: [{ sts: "http://127.0.0.1:4567", iam: "http://127.0.0.1:4567" }],
        assume_role: [{ role_arn: "" }],
      }),
    ]);
    expect(JSON.parse(offlineOverride({ endpoint: "http://127.0.0.1:1", assumeRole: false })).provider.aws[0]).not.toHaveProperty(
      "assume_role",
    );
  });

  test("refuses a provider that would reach for real credentials", () => {
    expect(() => offlineProvider({ provider: { aws: [{ region: "us-east-1", profile: "prod" }] } })).toThrow(/provider "aws" sets profile/);
  });

  test("redacts a known sensitive value from a plan's JSON", () => {
    const plan = {
      format_version: "1.2",
      terraform_version: "1.11.4",
      resource_changes: [
        {
          address: "aws_iam_access_key.k",
          mode: "managed",
          type: "aws_iam_access_key",
          name: "k",
          change: {
            actions: ["update"],
            before: { id: "AKIA", secret: "s3cr3t" },
            after: { id: "AKIA", secret: "s3cr3t" },
            before_sensitive: { secret: true },
            after_sensitive: { secret: true },
          },
        },
      ],
      planned_values: { outputs: { secret: { sensitive: true, value: "s3cr3t" }, id: { sensitive: false, value: "AKIA" } } },
    } as PlanJson;

    const { plan: redacted, redacted: paths } = redactSensitive(plan);

    expect(JSON.stringify(redacted)).not.toContain("s3cr3t");
    expect(redacted.planned_values?.outputs?.secret.value).toBe(SENSITIVE_PLACEHOLDER);
    expect(redacted.planned_values?.outputs?.id.value).toBe("AKIA");
    expect(paths).toEqual([
      "resource_changes[0].change.before.secret",
      "resource_changes[0].change.after.secret",
      "planned_values.outputs.secret.value",
    ]);
  });
});

// ----- terraform plan -----

describeWithTerraform("terraform plan (offline, AWS stubbed)", (setup) => {
  const offline = useOfflinePlanner(setup, "terraform-plan");
  const plans = new Map<string, StackPlan>();
  const stackFile = (config: string, stack: string) => join(offline.scratch, `synth-${config}`, "stacks", stack, STACK_FILE);
  const stackJson = (key: string): StackJson => {
    const [config, stack] = key.split("/");
    return JSON.parse(readFileSync(stackFile(config, stack), "utf8"));
  };
  const planOf = (key: string): StackPlan => {
    const plan = plans.get(key);
    if (!plan) throw new Error(`no plan ${key}`);
    return plan;
  };
  const STACKS = CONFIGS.flatMap(([config, input]) =>
    parseConfig(input()).accounts.map((a) => ({ key: `${config}/${a.name}`, config, stack: a.name, region: a.region })),
  );
  const ROOT_PLAN = "root:shipped/incident-manager";
  const MOVED_PLAN = "moved:shipped/incident-manager";
  // A refactor that moves an address carries a moved block (CDKTF moveFromId): here the group
  // as if it had been at aws_iam_group.Administrators, with that address in the prior state.
  const OLD_GROUP_ADDRESS = "aws_iam_group.Administrators";
  const movedStack = () => {
    const account = parseConfig(shippedConfig()).accounts[0];
    const stack = new IncidentManagerSetupStack(Testing.app(), account.name, { account });
    stack.adminGroup?.group.moveFromId(OLD_GROUP_ADDRESS);
    return Testing.synth(stack);
  };
  const priorGroupState = JSON.stringify({
    version: 4,
    terraform_version: setup.terraformVersion,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000000",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type: "aws_iam_group",
        name: "Administrators",
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [
          {
            schema_version: 0,
            attributes: {
              arn: `arn:aws:iam::${STUB_ACCOUNT_ID}:group/Administrators`,
              id: "Administrators",
              name: "Administrators",
              path: "/",
              unique_id: "AGPAIOSFODNN7EXAMPLE",
            },
            sensitive_attributes: [],
          },
        ],
      },
    ],
  });
  const FOREIGN_ACCOUNT_PLAN = "foreign-account:accounts/adopt-tagged";

  beforeAll(async () => {
    for (const [config, input] of CONFIGS) {
      createApp(parseConfig(input()), { outdir: join(offline.scratch, `synth-${config}`) }).synth();
    }
    const results = await offline.planner.planAll([
      ...STACKS.map(({ key, config, stack }) => ({ name: key, file: stackFile(config, stack) })),
      { name: ROOT_PLAN, file: stackFile("shipped", "incident-manager"), identity: "root" as const },
      { name: MOVED_PLAN, json: movedStack(), priorState: priorGroupState, refresh: false },
      // The stub is another account than the stack allows.
      { name: FOREIGN_ACCOUNT_PLAN, file: stackFile("accounts", "adopt-tagged"), account: "444455556666" },
    ]);
    for (const plan of results) plans.set(plan.stack, plan);
  }, 20 * PLAN_TIMEOUT_MS);

  test("one terraform init serves every plan (all stacks need the same provider)", () => {
    expect(offline.planner.inits).toBe(1);
  });

  describe.each(STACKS)("$key", ({ key, region }) => {
    test("plans exactly what the configuration asks for", () => {
      const plan = planOf(key);
      const json = assertPlanned(plan);
      const stack = stackJson(key);
      const imported = (stack.import ?? []).map((i) => i.to).sort();
      const resources = Object.entries(stack.resource ?? {})
        .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
        .sort();

      const changes = planChanges(json);

      expect({
        create: changes.create.sort(),
        import: changes.import.sort(),
        noop: changes.noop.sort(),
        update: changes.update,
        replace: changes.replace,
        delete: changes.delete,
      }).toEqual({
        create: resources.filter((r) => !imported.includes(r)),
        import: imported,
        noop: imported,
        update: [],
        replace: [],
        delete: [],
      });
      expect(plan.summary).toBe(EXPECTED_SUMMARIES[key]);
      expect(plan.counts).toEqual({ import: imported.length, add: resources.length - imported.length, change: 0, destroy: 0 });
      expect(json.errored).toBe(false);
    });

    test("makes only the expected AWS calls, in the stack's region", () => {
      const plan = planOf(key);
      const stack = stackJson(key);
      const readsRole = (stack.import ?? []).length > 0 || stack.data?.aws_iam_role !== undefined;
      // The auto mode lists the roles under the service's path first (data aws_iam_roles).
      const listsRoles = stack.data?.aws_iam_roles !== undefined;

      // The provider validates its credentials (GetCallerIdentity, which also gives the account
      // id for allowed_account_ids); data.aws_caller_identity reads it again; the import of an
      // adopted role and the data source of a referenced one read the role.
      expect(plan.unexpectedRequests).toEqual([]);
      expect(callNames(plan.requests).sort()).toEqual(
        [
          ...(readsRole ? ["iam:GetRole"] : []),
          ...(listsRoles ? ["iam:ListRoles"] : []),
          "sts:GetCallerIdentity",
          "sts:GetCallerIdentity",
        ].sort(),
      );
      expect(plan.requests.filter((r) => r.action === "GetRole").map((r) => r.params.RoleName)).toEqual(readsRole ? [STUB_ROLE.name] : []);
      expect(new Set(plan.requests.map((r) => r.region))).toEqual(new Set([region]));
    });

    test("warns about nothing (the root check passes for the admin user)", () => {
      const plan = planOf(key);
      const json = assertPlanned(plan);
      const hasAssumeRole = offlineProvider(stackJson(key)).assume_role !== undefined;

      expect(plan.diagnostics.map((d) => d.summary)).not.toContain("Check block assertion failed");
      expect(failedChecks(json)).toEqual([]);
      expect(json.checks?.map((c) => [c.address.name, c.status])).toEqual([[ROOT_CHECK, "pass"]]);
      expect(plan.diagnostics.filter((d) => !isOfflineOverrideWarning(d))).toEqual([]);
      // Only the override that neutralizes assume_role causes a (known) provider warning.
      expect(plan.diagnostics.filter(isOfflineOverrideWarning)).toHaveLength(hasAssumeRole ? 1 : 0);
    });

    test("keeps sensitive outputs and attributes redacted", () => {
      const plan = planOf(key);
      const json = assertPlanned(plan);
      const outputs = Object.entries(stackJson(key).output ?? {});
      const sensitive = outputs.filter(([, o]) => o.sensitive).map(([name]) => name);

      for (const [name, output] of outputs) {
        expect([name, json.planned_values?.outputs?.[name]?.sensitive]).toEqual([name, output.sensitive === true]);
      }
      for (const name of sensitive) {
        const planned = json.planned_values?.outputs?.[name];
        expect([name, planned?.sensitive]).toEqual([name, true]);
        // Unknown at plan time, so left out; known only when it is the empty map (no plain secret at all).
        if (planned && "value" in planned) expect([name, planned.value]).toEqual([name, {}]);
        expect([name, json.output_changes?.[name]?.after_sensitive]).toEqual([name, true]);
        expect([name, plan.outputs[name]]).toEqual([name, { sensitive: true, action: "create" }]);
      }
      // The provider marks each access key's secret sensitive, so terraform shows it as such.
      for (const rc of (json.resource_changes ?? []).filter((c) => c.type === "aws_iam_access_key")) {
        expect([rc.address, (rc.change.after_sensitive as Record<string, unknown>)?.secret]).toEqual([rc.address, true]);
      }
      // Nothing terraform plan printed carries the stub's secret key.
      expect(plan.run.stdout).not.toContain(STUB_SECRET_ACCESS_KEY);
      // The plan JSON holds no sensitive value of the stack (all unknown at plan time): what the
      // redaction finds is the override's example secret key, in `configuration`, and the map below.
      const { plan: redacted, redacted: paths } = redactSensitive(json);
      // The sensitive map's skeleton (user names, key ids; its values are unknown) is redacted as a whole.
      expect(paths.filter((p) => !p.includes("admin_user_secrets"))).toEqual([
        "configuration.provider_config.aws.expressions.secret_key.constant_value",
      ]);
      expect(paths.filter((p) => p.includes("admin_user_secrets")).length).toBeGreaterThan(0);
      expect(JSON.stringify(redacted)).not.toContain(STUB_SECRET_ACCESS_KEY);
    });
  });

  test.each([
    ["accounts/adopt-tagged", "aws"],
    ["accounts/adopt-govcloud", "aws-us-gov"],
  ])("%s: imports the existing role (import id in partition %s), creates no role", (key, partition) => {
    const plan = planOf(key);
    const json = assertPlanned(plan);
    const role = json.resource_changes?.find((rc) => rc.address === ROLE_ADDRESS);
    const arn = stubRoleArn(partition);

    expect(plan.summary).toMatch(/^Plan: 1 to import, /);
    expect(plan.changes.filter((c) => c.action === "import")).toEqual([{ address: ROLE_ADDRESS, action: "import", importId: arn }]);
    expect(role?.change.actions).toEqual(["no-op"]);
    expect(role?.change.importing).toEqual({ id: arn });
    expect(role?.change.after).toMatchObject({ arn, name: STUB_ROLE.name, path: STUB_ROLE.path, unique_id: STUB_ROLE.roleId });
    expect(json.planned_values?.outputs?.incident_manager_role_arn).toEqual({ sensitive: false, type: "string", value: arn });
  });

  test("accounts/reference-role: reads the role and manages no service-linked role", () => {
    const json = assertPlanned(planOf("accounts/reference-role"));
    const arn = stubRoleArn("aws");

    expect((json.resource_changes ?? []).filter((rc) => rc.type === "aws_iam_service_linked_role")).toEqual([]);
    expect(priorStateResources(json).find((r) => r.address === ROLE_DATA_ADDRESS)?.values).toMatchObject({
      name: STUB_ROLE.name,
      arn,
      path: STUB_ROLE.path,
      unique_id: STUB_ROLE.roleId,
    });
    expect(json.planned_values?.outputs?.incident_manager_role_arn).toEqual({ sensitive: false, type: "string", value: arn });
  });

  test("data.aws_caller_identity is the stub's admin user", () => {
    const json = assertPlanned(planOf("shipped/incident-manager"));

    expect(priorStateResources(json).find((r) => r.address === "data.aws_caller_identity.CallerIdentity")?.values).toMatchObject({
      account_id: STUB_ACCOUNT_ID,
      arn: stubCallerArn("user"),
    });
    expect(json.planned_values?.outputs?.signin_url?.value).toBe(`https://${STUB_ACCOUNT_ID}.signin.aws.amazon.com/console`);
  });

  test("as the account's root user, the plan warns through the root check (and still plans)", () => {
    const plan = planOf(ROOT_PLAN);
    const json = assertPlanned(plan);
    const message = stackJson("shipped/incident-manager").check?.[ROOT_CHECK].assert[0].error_message ?? "";
    const warning = plan.diagnostics.find((d) => d.summary === "Check block assertion failed");

    expect(message).toMatch(/^Terraform runs as the account's root user\./);
    expect(warning?.severity).toBe("warning");
    expect(warning?.detail).toBe(message);
    expect(warning?.snippet?.values).toContainEqual({
      traversal: "data.aws_caller_identity.CallerIdentity.arn",
      statement: `is "${stubCallerArn("root")}"`,
    });
    expect(failedChecks(json)).toEqual([{ check: ROOT_CHECK, message }]);
    expect(plan.summary).toBe(EXPECTED_SUMMARIES["shipped/incident-manager"]);
    expect(plan.unexpectedRequests).toEqual([]);
  });

  test("a moved block carries a resource to its new address: moved, not destroyed and re-created", () => {
    const plan = planOf(MOVED_PLAN);
    const json = assertPlanned(plan);
    const group = json.resource_changes?.find((c) => c.address === "aws_iam_group.AdminGroup_CD52047A");

    expect(JSON.parse(movedStack()).moved).toEqual([{ from: OLD_GROUP_ADDRESS, to: "aws_iam_group.AdminGroup_CD52047A" }]);
    expect(plan.changes.filter((c) => c.action === "move")).toEqual([
      { address: "aws_iam_group.AdminGroup_CD52047A", action: "move", previousAddress: OLD_GROUP_ADDRESS },
    ]);
    expect(group?.previous_address).toBe(OLD_GROUP_ADDRESS);
    expect(group?.change.actions).toEqual(["no-op"]);
    expect(plan.summary).toBe("Plan: 1 to import, 6 to add, 0 to change, 0 to destroy.");
  });

  test("allowed_account_ids is checked against the caller's account", () => {
    const plan = planOf(FOREIGN_ACCOUNT_PLAN);

    expect(plan.ok).toBe(false);
    expect(plan.diagnostics.filter((d) => d.severity === "error").map((d) => d.summary)).toEqual([
      "AWS account ID not allowed: 444455556666",
    ]);
    expect(callNames(plan.requests)).toEqual(["sts:GetCallerIdentity"]);
    expect(plan.unexpectedRequests).toEqual([]);
  });
});
