// For a describe block that starts AWS stubs: `start(options)` starts one, and all are closed after the block.
import { AwsStub, AwsStubOptions, startAwsStub } from "../../scripts/lib/aws-stub";

export function useAwsStubs(): (options?: AwsStubOptions) => Promise<AwsStub> {
  const stubs: AwsStub[] = [];
  afterAll(() => Promise.all(stubs.map((s) => s.close())));
  return async (options: AwsStubOptions = {}) => {
    const stub = await startAwsStub(options);
    stubs.push(stub);
    return stub;
  };
}
