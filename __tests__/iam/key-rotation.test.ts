// The key rotation of docs/operating.md ("Rotating access keys"), as config edits: each step is
// synthesized and what changes is checked.
import { SetupConfigInput } from "../../modules";
import { synthJson } from "../support/configs";

type Keys = NonNullable<NonNullable<SetupConfigInput["accounts"][number]["adminUsers"]>[number]["accessKeys"]>;

function step(accessKeys: Keys, keyRotationInProgress = false): Record<string, any> {
  return synthJson({
    accounts: [{ name: "prod", region: "us-east-1", adminUsers: [{ name: "alice", keyRotationInProgress, accessKeys }] }],
  });
}

/** The access keys of a stack: address -> status. */
function keys(stack: Record<string, any>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stack.resource.aws_iam_access_key ?? {}).map(([name, key]) => [
      `aws_iam_access_key.${name}`,
      (key as { status: string }).status,
    ]),
  );
}

/** Resource addresses added, removed and changed from one step to the next. */
function changes(before: Record<string, any>, after: Record<string, any>) {
  const flat = (stack: Record<string, any>) =>
    new Map(
      Object.entries(stack.resource as Record<string, Record<string, unknown>>).flatMap(([type, resources]) =>
        Object.entries(resources).map(([name, body]) => [`${type}.${name}`, JSON.stringify(body)] as [string, string]),
      ),
    );
  const [a, b] = [flat(before), flat(after)];
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
  };
}

const KEY_1 = "aws_iam_access_key.AdminUser-alice_AccessKey-1_12C5B579";
const KEY_2 = "aws_iam_access_key.AdminUser-alice_AccessKey-2_34004F82";

describe("rotating an access key with config edits", () => {
  const start = step([{ id: "1" }]);
  const added = step([{ id: "1" }, { id: "2" }], true);
  const switched = step([{ id: "1" }, { id: "2" }], true);
  const deactivated = step([{ id: "1", status: "Inactive" }, { id: "2" }]);
  const deleted = step([{ id: "2" }]);

  test("start: one Active key", () => {
    expect(keys(start)).toEqual({ [KEY_1]: "Active" });
  });

  test("1. add the second key (keyRotationInProgress: true): only key 2 is added, key 1 stays", () => {
    expect(changes(start, added)).toEqual({ added: [KEY_2], removed: [], changed: [] });
    expect(keys(added)).toEqual({ [KEY_1]: "Active", [KEY_2]: "Active" });
  });

  test("2. switch clients to the new key: nothing changes in Terraform", () => {
    expect(changes(added, switched)).toEqual({ added: [], removed: [], changed: [] });
  });

  test("3. deactivate the old key: key 1 becomes Inactive in place", () => {
    expect(changes(switched, deactivated)).toEqual({ added: [], removed: [], changed: [KEY_1] });
    expect(keys(deactivated)).toEqual({ [KEY_1]: "Inactive", [KEY_2]: "Active" });
  });

  test("4. delete the old key: key 1 is removed, key 2 keeps its address (and its secret)", () => {
    expect(changes(deactivated, deleted)).toEqual({ added: [], removed: [KEY_1], changed: [] });
    expect(keys(deleted)).toEqual({ [KEY_2]: "Active" });
  });

  test("without explicit ids, removing the first key from the list would destroy the second key and change the first: ids keep addresses stable", () => {
    const implicit = step([{}, { status: "Inactive" }]);
    const afterDelete = step([{ status: "Inactive" }]);
    expect(changes(implicit, afterDelete)).toEqual({ added: [], removed: [KEY_2], changed: [KEY_1] });
  });

  test("two Active keys without keyRotationInProgress are rejected (CIS 1.13)", () => {
    expect(() => step([{ id: "1" }, { id: "2" }])).toThrow("has two Active keys: at most one may be Active outside a rotation (CIS 1.13)");
  });
});
