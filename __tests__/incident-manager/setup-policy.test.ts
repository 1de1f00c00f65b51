import { Testing } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { IncidentManagerSetupPolicy } from "../../modules";

describe("IncidentManagerSetupPolicy", () => {
  const json = JSON.parse(
    Testing.synthScope((scope: Construct) => {
      new IncidentManagerSetupPolicy(scope, "IncidentManagerSetupPolicy", { partition: "aws" });
    }),
  );

  test("creates a customer managed policy from a policy document", () => {
    expect(JSON.stringify(json)).toHaveResourceWithProperties(IamPolicy, {
      name: "IncidentManagerServiceLinkedRoleSetup",
      policy: "${data.aws_iam_policy_document.IncidentManagerSetupPolicy_Document_79C5C891.json}",
    });
  });

  test("allows only iam:CreateServiceLinkedRole, on Incident Manager's role, for ssm-incidents.amazonaws.com", () => {
    expect((Object.values(json.data.aws_iam_policy_document)[0] as any).statement).toEqual([
      {
        sid: "CreateIncidentManagerServiceLinkedRole",
        effect: "Allow",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: ["arn:aws:iam::*:role/aws-service-role/ssm-incidents.amazonaws.com/AWSServiceRoleForIncidentManager"],
        condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["ssm-incidents.amazonaws.com"] }],
      },
    ]);
  });
});
