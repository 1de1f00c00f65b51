import { Testing } from "cdktf";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { Construct } from "constructs";
import { IncidentManagerServiceLinkedRole } from "../modules";

describe("IncidentManagerServiceLinkedRole", () => {
  const synth = () =>
    Testing.synthScope((scope: Construct) => {
      new IncidentManagerServiceLinkedRole(scope, "IncidentManagerServiceLinkedRole");
    });

  test("creates the service-linked role of ssm-incidents.amazonaws.com", () => {
    expect(synth()).toHaveResourceWithProperties(IamServiceLinkedRole, {
      aws_service_name: "ssm-incidents.amazonaws.com",
    });
  });

  test("protects the role with prevent_destroy", () => {
    expect(synth()).toHaveResourceWithProperties(IamServiceLinkedRole, { lifecycle: { prevent_destroy: true } });
  });
});
