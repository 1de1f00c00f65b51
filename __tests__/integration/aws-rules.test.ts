// The Identity Center rules of modules/core/aws-rules.ts against the oracle that does not share our
// assumptions: the services' own models (botocore's service-2.json for identitystore and
// sso-admin, as shipped with the AWS CLI). Each sample value is accepted by our rule exactly when
// the model's pattern and length bounds accept it. Without a model on the machine the test is
// reported skipped with the reason, or fails when REQUIRE_TERRAFORM=1 (CI installs the AWS CLI).
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import {
  IDENTITY_STORE_TEXT,
  IDENTITY_STORE_USER_NAME,
  PERMISSION_SET_NAME,
  SESSION_DURATION,
  sessionDurationAllowed,
} from "../../modules/core/aws-rules";
import { terraformRequired } from "../../scripts/lib/terraform";

interface Shape {
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly members?: Record<string, { shape: string }>;
}
type Model = { shapes: Record<string, Shape> };

/** botocore data folders: the Debian awscli package's, and any Python's botocore. */
function botocoreDataDirs(): string[] {
  const dirs = ["/usr/lib/python3/dist-packages/awscli/botocore/data", "/usr/lib/python3/dist-packages/botocore/data"];
  for (const python of ["python3", "python"]) {
    try {
      const dir = execFileSync(python, ["-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      dirs.push(dir);
    } catch {
      // no such Python, or no botocore in it
    }
  }
  return [...new Set(dirs)].filter((d) => existsSync(join(d, "identitystore")) && existsSync(join(d, "sso-admin")));
}

function loadModel(dir: string, service: string, version: string): Model {
  const file = join(dir, service, version, "service-2.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  // botocore from pip ships the models gzipped.
  const gz = `${file}.gz`;
  return JSON.parse(require("zlib").gunzipSync(readFileSync(gz)).toString("utf8"));
}

function member(model: Model, shape: string, name: string): Shape {
  return model.shapes[model.shapes[shape].members![name].shape];
}

/** Whether the model accepts a value: its pattern (whole value, Unicode) and its length bounds. */
function modelAccepts(shape: Shape, value: string): boolean {
  const length = [...value].length;
  if (shape.min !== undefined && length < shape.min) return false;
  if (shape.max !== undefined && length > shape.max) return false;
  return shape.pattern === undefined || new RegExp(`^(?:${shape.pattern})$`, "u").test(value);
}

const NAME_SAMPLES = [
  "alice",
  "alice.doe@example.com",
  "x+y=z_1-2,3",
  "Zoë",
  "名前",
  "\u{1F680}",
  "alice smith",
  "a\tb",
  "",
  "a".repeat(128),
  "a".repeat(129),
  "a".repeat(1024),
  "a".repeat(1025),
  "<script>",
  "semi;colon",
];

const dirs = botocoreDataDirs();
if (dirs.length === 0) {
  const reason = "no botocore service models (install the AWS CLI: apt-get install awscli)";
  if (terraformRequired() || process.env.CI === "true") {
    test(`Identity Center rules against the service models — ${reason}`, () => {
      throw new Error(`${reason}; REQUIRE_TERRAFORM=1 or CI=true is set, so this is a failure, not a skip.`);
    });
  } else {
    console.warn(`Identity Center rules against the service models — skipped: ${reason}`);
    test.skip(`Identity Center rules against the service models — skipped: ${reason}`, () => undefined);
  }
}

describe.each(dirs.map((d) => [d]))("Identity Center rules against the service models in %s", (dir) => {
  const store = loadModel(dir, "identitystore", "2020-06-15");
  const admin = loadModel(dir, "sso-admin", "2020-07-20");

  test.each([
    ["user name (CreateUser UserName)", IDENTITY_STORE_USER_NAME.pattern, member(store, "CreateUserRequest", "UserName")],
    ["user display name (CreateUser DisplayName)", IDENTITY_STORE_TEXT.pattern, member(store, "CreateUserRequest", "DisplayName")],
    ["group display name (CreateGroup DisplayName)", IDENTITY_STORE_TEXT.pattern, member(store, "CreateGroupRequest", "DisplayName")],
    ["given name (Name GivenName)", IDENTITY_STORE_TEXT.pattern, member(store, "Name", "GivenName")],
    ["permission set name (CreatePermissionSet Name)", PERMISSION_SET_NAME.pattern, member(admin, "CreatePermissionSetRequest", "Name")],
  ])("%s: our rule accepts a sample exactly when the model does", (_name, ours, shape) => {
    const verdicts = NAME_SAMPLES.map((v) => [v.length > 20 ? `${v.slice(0, 10)}… (${v.length})` : v, ours.test(v)]);
    const model = NAME_SAMPLES.map((v) => [v.length > 20 ? `${v.slice(0, 10)}… (${v.length})` : v, modelAccepts(shape, v)]);
    expect(verdicts).toEqual(model);
  });

  test("every session duration we accept matches the model's ISO-8601 pattern, and the bounds are 1-12 hours", () => {
    const shape = member(admin, "CreatePermissionSetRequest", "SessionDuration");
    for (const duration of ["PT1H", "PT4H", "PT12H", "PT90M", "PT1H30M"]) {
      expect([duration, sessionDurationAllowed(duration), modelAccepts(shape, duration)]).toEqual([duration, true, true]);
    }
    // The model's pattern admits any ISO-8601 duration; the 1-12 h bounds are the User Guide's ("Set session duration").
    expect(modelAccepts(shape, "PT13H")).toBe(true);
    expect(sessionDurationAllowed("PT13H")).toBe(false);
    expect([SESSION_DURATION.minMinutes, SESSION_DURATION.maxMinutes]).toEqual([60, 720]);
  });
});
