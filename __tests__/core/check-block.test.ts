import { Testing, TerraformStack } from "cdktf";
import { CheckBlock } from "../../modules";

function stackWithCheck(name = "caller_is_not_root") {
  const stack = new TerraformStack(Testing.app(), "stack");
  const check = new CheckBlock(stack, "Check", { name, condition: "1 == 1", errorMessage: 'never "fails"' });
  return { stack, check };
}

describe("CheckBlock", () => {
  test("writes a check block with one assertion into the stack's JSON", () => {
    const { stack } = stackWithCheck();
    expect(JSON.parse(Testing.synth(stack)).check).toEqual({
      caller_is_not_root: { assert: [{ condition: "${1 == 1}", error_message: 'never "fails"' }] },
    });
  });

  test("renders the same block as HCL (cdktf's HCL renderer drops stack overrides)", () => {
    const { stack } = stackWithCheck();
    expect(CheckBlock.hclOf(stack)).toBe(
      '\ncheck "caller_is_not_root" {\n  assert {\n    condition     = 1 == 1\n    error_message = "never \\"fails\\""\n  }\n}\n',
    );
  });

  test("fails if the name is not a Terraform identifier", () => {
    expect(() => stackWithCheck("not root")).toThrow('name: "not root" is not a Terraform identifier');
  });
});
