import { Testing } from "cdktf";
import { DataAwsIamRole } from "@cdktf/provider-aws/lib/data-aws-iam-role";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { Construct } from "constructs";
import { IncidentManagerServiceLinkedRole, IncidentManagerServiceLinkedRoleProps, incidentManagerRoleArn } from "../../modules";

const ROLE_ARN = "arn:aws:iam::111122223333:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager";
const ADDRESS = "aws_iam_service_linked_role.IncidentManagerServiceLinkedRole_84057CB3";

function synthRole(props: IncidentManagerServiceLinkedRoleProps = {}): Record<string, any> {
  return JSON.parse(
    Testing.synthScope((scope: Construct) => {
      new IncidentManagerServiceLinkedRole(scope, "IncidentManagerServiceLinkedRole", props);
    }),
  );
}

describe("IncidentManagerServiceLinkedRole", () => {
  test("auto (the default): imports the role when the account lists it, else creates it, at one address", () => {
    const synth = synthRole();
    expect(JSON.stringify(synth)).toHaveResourceWithProperties(IamServiceLinkedRole, { aws_service_name: "ssm-incidents.amazonaws.com" });
    const lookup = Object.keys(synth.data.aws_iam_roles);
    expect(Object.values(synth.data.aws_iam_roles).map((d: any) => d.path_prefix)).toEqual([
      "/aws-service-role/ssm-incidents.amazonaws.com/",
    ]);
    expect(synth.import).toEqual([{ for_each: `\${data.aws_iam_roles.${lookup[0]}.arns}`, id: "${each.value}", to: ADDRESS }]);
    // import with for_each (and removed blocks, on retire) need Terraform 1.7.
    expect(synth.terraform.required_version).toBe(">= 1.7.0");
  });

  test("create: creates the role, no lookup and no import", () => {
    const synth = synthRole({ mode: "create" });
    expect(JSON.stringify(synth)).toHaveResourceWithProperties(IamServiceLinkedRole, { aws_service_name: "ssm-incidents.amazonaws.com" });
    expect([synth.import, synth.data]).toEqual([undefined, undefined]);
  });

  test("protects the role with prevent_destroy; an imported role keeps its description and tags", () => {
    expect(JSON.stringify(synthRole({ mode: "create" }))).toHaveResourceWithProperties(IamServiceLinkedRole, {
      lifecycle: { prevent_destroy: true },
    });
    expect(JSON.stringify(synthRole())).toHaveResourceWithProperties(IamServiceLinkedRole, {
      lifecycle: { prevent_destroy: true, ignore_changes: ["description", "tags", "tags_all"] },
    });
  });

  test("builds the role's ARN as IAM names it", () => {
    expect(incidentManagerRoleArn("aws", "111122223333")).toBe(ROLE_ARN);
  });

  test("adopt: imports the existing role at the same address as create, still protected from destroy", () => {
    const synth = synthRole({ mode: "adopt", importArn: ROLE_ARN });
    expect(synth.import).toEqual([{ id: ROLE_ARN, to: ADDRESS }]);
    expect(Object.keys(synth.resource.aws_iam_service_linked_role)).toEqual([ADDRESS.split(".")[1]]);
    expect(JSON.stringify(synth)).toHaveResourceWithProperties(IamServiceLinkedRole, {
      lifecycle: { prevent_destroy: true, ignore_changes: ["description", "tags", "tags_all"] },
    });
  });

  test("reference: reads the role with a data source and creates nothing", () => {
    const synth = synthRole({ mode: "reference" });
    expect(synth.resource).toBeUndefined();
    expect(synth.import).toBeUndefined();
    expect(JSON.stringify(synth)).toHaveDataSourceWithProperties(DataAwsIamRole, { name: "AWSServiceRoleForIncidentManager" });
  });

  test("fails if adopt has no ARN to import", () => {
    expect(() => synthRole({ mode: "adopt" })).toThrow(
      'importArn: missing (required when mode is "adopt": the literal ARN of the existing role',
    );
  });
});
