// The AWS stub's IAM Identity Center APIs (SSO Admin ListInstances, Identity Store GetGroupId /
// DescribeGroup, AWS JSON 1.1 protocol) on their own. The real provider's plans against them (one
// instance, none, two, an unknown group) are in identity-center-plan.test.ts, with the app's own stacks.
import { useAwsStubs } from "../support/aws-stubs";
import {
  AMZ_JSON_1_1,
  AwsStub,
  STUB_ACCOUNT_ID,
  STUB_GROUP_ID,
  STUB_IDENTITY_STORE_ID,
  STUB_SSO_INSTANCE_ARN,
  stubIdentityStoreId,
  stubSsoInstanceArn,
} from "../../scripts/lib/aws-stub";
import { callNames, offlineOverride, usesIdentityCenter } from "../../scripts/lib/offline-plan";

// ----- the stub on its own -----

/** A JSON 1.1 request as the AWS SDK for Go v2 sends it, signed for `region`/`signingName`. */
async function json11(
  stub: AwsStub,
  target: string,
  body: unknown,
  signingName: string,
  region = "us-east-1",
): Promise<{ status: number; errorType: string | null; contentType: string | null; body: any }> {
  const response = await fetch(stub.endpoint + "/", {
    method: "POST",
    headers: {
      "Content-Type": AMZ_JSON_1_1,
      "X-Amz-Target": target,
      Authorization:
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240115/${region}/${signingName}/aws4_request, ` +
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000",
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    contentType: response.headers.get("content-type"),
    body: JSON.parse(await response.text()),
  };
}

const byDisplayName = (name: string, identityStoreId = STUB_IDENTITY_STORE_ID) => ({
  IdentityStoreId: identityStoreId,
  AlternateIdentifier: { UniqueAttribute: { AttributePath: "DisplayName", AttributeValue: name } },
});

describe("AWS stub (JSON 1.1: SSO Admin, Identity Store)", () => {
  const start = useAwsStubs();

  test("ListInstances lists one instance of the stub's account, in the partition of the signing region", async () => {
    const stub = await start();

    const commercial = await json11(stub, "SWBExternalService.ListInstances", {}, "sso");
    const govCloud = await json11(stub, "SWBExternalService.ListInstances", {}, "sso", "us-gov-west-1");

    expect(commercial.status).toBe(200);
    expect(commercial.contentType).toBe("application/x-amz-json-1.1");
    expect(commercial.body).toEqual({
      Instances: [
        {
          InstanceArn: "arn:aws:sso:::instance/ssoins-1111111111111111",
          IdentityStoreId: "d-1111111111",
          OwnerAccountId: STUB_ACCOUNT_ID,
          Status: "ACTIVE",
          CreatedDate: 1705312800,
        },
      ],
    });
    expect(STUB_SSO_INSTANCE_ARN).toBe("arn:aws:sso:::instance/ssoins-1111111111111111");
    expect(govCloud.body.Instances[0].InstanceArn).toBe("arn:aws-us-gov:sso:::instance/ssoins-1111111111111111");
    expect(stub.requests.map((r) => [r.service, r.action, r.region])).toEqual([
      ["sso", "ListInstances", "us-east-1"],
      ["sso", "ListInstances", "us-gov-west-1"],
    ]);
    expect(stub.unexpected).toEqual([]);
  });

  test.each([
    [0, []],
    [2, [stubSsoInstanceArn(1), stubSsoInstanceArn(2)]],
  ])("ListInstances with ssoInstances: %d", async (ssoInstances, arns) => {
    const stub = await start({ ssoInstances });

    const { body } = await json11(stub, "SWBExternalService.ListInstances", {}, "sso");

    expect(body.Instances.map((i: { InstanceArn: string }) => i.InstanceArn)).toEqual(arns);
    expect(stub.ssoInstances).toBe(ssoInstances);
    expect(stubSsoInstanceArn(2)).toBe("arn:aws:sso:::instance/ssoins-2222222222222222");
    expect(stubIdentityStoreId(2)).toBe("d-2222222222");
  });

  test("GetGroupId and DescribeGroup serve a group for any display name", async () => {
    const stub = await start();

    const id = await json11(stub, "AWSIdentityStore.GetGroupId", byDisplayName("Ops Admins"), "identitystore");
    const group = await json11(
      stub,
      "AWSIdentityStore.DescribeGroup",
      { IdentityStoreId: STUB_IDENTITY_STORE_ID, GroupId: STUB_GROUP_ID },
      "identitystore",
    );

    expect([id.status, id.body]).toEqual([200, { GroupId: STUB_GROUP_ID, IdentityStoreId: STUB_IDENTITY_STORE_ID }]);
    expect(group.body).toEqual({
      GroupId: STUB_GROUP_ID,
      DisplayName: "Ops Admins",
      ExternalIds: [],
      IdentityStoreId: STUB_IDENTITY_STORE_ID,
    });
    expect(callNames(stub.requests)).toEqual(["identitystore:GetGroupId", "identitystore:DescribeGroup"]);
    expect(stub.requests[0].body).toEqual(byDisplayName("Ops Admins"));
    expect(stub.unexpected).toEqual([]);
  });

  test("knowing no groups, GetGroupId answers ResourceNotFoundException as Identity Store does (an expected answer)", async () => {
    const stub = await start({ groups: "none" });

    const { status, errorType, body } = await json11(stub, "AWSIdentityStore.GetGroupId", byDisplayName("Ops Admins"), "identitystore");

    expect([status, errorType, body.__type, body.ResourceType]).toEqual([
      400,
      "ResourceNotFoundException",
      "ResourceNotFoundException",
      "GROUP",
    ]);
    expect(body.message).toContain('"Ops Admins"');
    expect(stub.unexpected).toEqual([]);
  });

  test("answers and records any other JSON call as an error", async () => {
    const stub = await start();

    const create = await json11(stub, "SWBExternalService.CreatePermissionSet", { InstanceArn: STUB_SSO_INSTANCE_ARN, Name: "X" }, "sso");
    const otherStore = await json11(stub, "AWSIdentityStore.GetGroupId", byDisplayName("Ops Admins", "d-9999999999"), "identitystore");
    const wrongSigner = await json11(stub, "SWBExternalService.ListInstances", {}, "ssoadmin");

    expect([create.status, create.errorType, create.body.__type]).toEqual([400, "UnexpectedCall", "UnexpectedCall"]);
    expect(create.body.message).toContain("sso:CreatePermissionSet");
    expect([otherStore.errorType, otherStore.body.ResourceType]).toEqual(["ResourceNotFoundException", "IDENTITY_STORE"]);
    expect(wrongSigner.body.message).toContain("signed for service ssoadmin");
    expect(callNames(stub.unexpected)).toEqual(["sso:CreatePermissionSet", "identitystore:GetGroupId", "sso:ListInstances"]);
  });

  test("the offline override sends SSO Admin and Identity Store to the stub only for a stack that uses them", () => {
    const override = (identityCenter: boolean) =>
      JSON.parse(offlineOverride({ endpoint: "http://127.0.0.1:4567", assumeRole: false, identityCenter })).provider.aws[0].endpoints;

    expect(override(true)).toEqual([
      {
        sts: "http://127.0.0.1:4567",
        iam: "http://127.0.0.1:4567",
        ssoadmin: "http://127.0.0.1:4567",
        identitystore: "http://127.0.0.1:4567",
      },
    ]);
    expect(override(false)).toEqual([{ sts: "http://127.0.0.1:4567", iam: "http://127.0.0.1:4567" }]);
    expect(usesIdentityCenter(JSON.parse(identityCenterStack()))).toBe(true);
    expect(usesIdentityCenter({ resource: { aws_iam_group: {} }, data: { aws_caller_identity: {} } })).toBe(false);
  });
});

// ----- terraform plan -----

const GROUP_NAME = "Ops Admins";
const INSTANCE_MESSAGE =
  "IAM Identity Center has no instance in this account and region (or more than one): " +
  "enable IAM Identity Center in the management account's console first";

/** A small Identity Center stack as CDKTF would synthesize it (Terraform JSON). */
function identityCenterStack(): string {
  return JSON.stringify({
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
    provider: { aws: [{ region: "us-east-1" }] },
    data: {
      aws_ssoadmin_instances: {
        Instances: { lifecycle: { postcondition: [{ condition: "${length(self.arns) == 1}", error_message: INSTANCE_MESSAGE }] } },
      },
      aws_identitystore_group: {
        Admins: {
          identity_store_id: "${one(data.aws_ssoadmin_instances.Instances.identity_store_ids)}",
          alternate_identifier: [{ unique_attribute: [{ attribute_path: "DisplayName", attribute_value: GROUP_NAME }] }],
        },
      },
    },
    resource: {
      aws_ssoadmin_permission_set: {
        Administrator: { name: "IncidentAdministrator", instance_arn: "${one(data.aws_ssoadmin_instances.Instances.arns)}" },
      },
    },
    output: { admin_group_id: { value: "${data.aws_identitystore_group.Admins.group_id}" } },
  });
}
