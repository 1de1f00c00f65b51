// Where a construct's settings come from in the configuration, as the user wrote them. The stack that
// creates a construct from an entry of the configuration records its place (placeIn); the warnings
// recorded on it or under it are told with that place (placeOf), and no code reads a construct id back.
import { IConstruct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";

/** A construct's place in the configuration. */
export interface ConfigPlace {
  /** As the user reads it: `adminGroup`, `adminUsers[1] (bob)`, `adminUsers[1].accessKeys[0] (bob, key 1)`. */
  readonly where: string;
  /** The user the construct belongs to (an `acknowledge` entry's `user` matches it). */
  readonly user?: string;
}

const places = new WeakMap<IConstruct, ConfigPlace>();

/** Records the place of a construct the stack has just created from the configuration; returns the construct. */
export function placeIn<T extends IConstruct>(construct: T, place: ConfigPlace): T {
  places.set(construct, place);
  return construct;
}

/** The place of a construct: its own, else its nearest scope's; undefined outside any placed construct. */
export function placeOf(construct: IConstruct): ConfigPlace | undefined {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    const place = places.get(c);
    if (place) return place;
  }
  return undefined;
}

/** The user of each resource of a stack that belongs to one, by address (`aws_iam_user.<name>`), in tree order. */
export function resourceUsers(stack: TerraformStack): Record<string, string> {
  const users: Record<string, string> = {};
  for (const c of stack.node.findAll()) {
    const user = c instanceof TerraformResource ? placeOf(c)?.user : undefined;
    if (user !== undefined) users[`${(c as TerraformResource).terraformResourceType}.${(c as TerraformResource).friendlyUniqueId}`] = user;
  }
  return users;
}
