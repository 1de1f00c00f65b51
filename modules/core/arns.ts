// Regions, partitions and the ARNs the constructs need as literals. The region list is the AWS
// SDK for JavaScript's partition data (@aws-sdk/util-endpoints, pinned): AWS maintains it with
// every new region, so no hand-written list or regex decides what a region is.
import { partition } from "@aws-sdk/util-endpoints";

/** Real region names only: the SDK's data also lists pseudo-regions such as "aws-global". */
const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/**
 * The partition ("aws", "aws-cn", "aws-us-gov", "aws-iso", ...) of a region the AWS SDK lists,
 * else undefined. The SDK's `partition()` falls back to a pattern (and finally to "aws") for any
 * name; only a region of its explicit list carries a `description`, which is what tells them apart.
 */
export function partitionOf(region: string): string | undefined {
  if (!REGION_SHAPE.test(region)) return undefined;
  const found = partition(region) as ReturnType<typeof partition> & { description?: string };
  return found.description !== undefined ? found.name : undefined;
}

/** The AWS partition of a region (see {@link partitionOf}); "aws" for a region the SDK does not list. */
export function partitionOfRegion(region: string): string {
  return partitionOf(region) ?? "aws";
}

/** The partition of an ARN (`arn:<partition>:...`), or undefined if it is not an ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([a-z0-9-]+):/.exec(arn)?.[1];
}
