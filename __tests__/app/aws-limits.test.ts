// The hand-written rules of the configuration, each tested at AWS's documented bounds (not at the
// bounds of our own regexes): the value at the limit is accepted, one past it is rejected. The
// source of each limit is named in the row and in docs/configuration-guide.md ("Rules checked
// before anything is built").
import { ConfigError, SetupConfigInput, parseConfig } from "../../modules";
import { minimalConfig } from "../support/configs";

type Change = (config: SetupConfigInput) => void;

function accepts(change: Change): boolean {
  const config = minimalConfig();
  change(config);
  try {
    parseConfig(config);
    return true;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return false;
  }
}

const account = (c: SetupConfigInput) => c.accounts[0] as Record<string, unknown>;
const user = (c: SetupConfigInput) => c.accounts[0].adminUsers[0] as Record<string, unknown>;

/** [limit, value AWS accepts, value AWS rejects, how to put it in the configuration] */
const LIMITS: [string, unknown, unknown, (value: any) => Change][] = [
  // IAM API Reference, CreateUser, UserName: length 1-64, pattern [\w+=,.@-]+
  ["user name: at most 64 characters", "u".repeat(64), "u".repeat(65), (v) => (c) => (user(c).name = v)],
  ["user name: at least 1 character", "u", "", (v) => (c) => (user(c).name = v)],
  ["user name: [\\w+=,.@-] only", "a_b+c=d,e.f@g-h", "a b", (v) => (c) => (user(c).name = v)],
  // IAM API Reference, CreateGroup, GroupName: length 1-128, pattern [\w+=,.@-]+
  ["group name: at most 128 characters", "g".repeat(128), "g".repeat(129), (v) => (c) => (account(c).adminGroup = { name: v })],
  // IAM API Reference, CreateUser, Path: length 1-512, (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
  ["path: at most 512 characters", `/${"p".repeat(510)}/`, `/${"p".repeat(511)}/`, (v) => (c) => (user(c).path = v)],
  ["path: printable ASCII between slashes", "/a~!b/", "/a b/", (v) => (c) => (user(c).path = v)],
  // IAM API Reference, CreateAccountAlias, AccountAlias: length 3-63, ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$
  ["account alias: at most 63 characters", "a".repeat(63), "a".repeat(64), (v) => (c) => (account(c).accountAlias = v)],
  ["account alias: at least 3 characters", "abc", "ab", (v) => (c) => (account(c).accountAlias = v)],
  ["account alias: no double hyphen", "a-b-c", "a--bc", (v) => (c) => (account(c).accountAlias = v)],
  // IAM API Reference, UpdateAccountPasswordPolicy: MinimumPasswordLength 6-128
  ["password length: at most 128", 128, 129, (v) => (c) => (account(c).passwordPolicy = { minimumLength: v })],
  ["password length: at least 6", 6, 5, (v) => (c) => (account(c).passwordPolicy = { minimumLength: v })],
  // ... PasswordReusePrevention 1-24, MaxPasswordAge 1-1095
  ["password reuse prevention: at most 24", 24, 25, (v) => (c) => (account(c).passwordPolicy = { passwordReusePrevention: v })],
  ["password age: at most 1095 days", 1095, 1096, (v) => (c) => (account(c).passwordPolicy = { maxPasswordAge: v })],
  // IAM User Guide, "IAM and AWS STS quotas": access keys assigned to an IAM user: 2
  [
    "access keys per user: at most 2",
    [{ id: "1", status: "Inactive" }, { id: "2" }],
    [{ id: "1", status: "Inactive" }, { id: "2", status: "Inactive" }, { id: "3" }],
    (v) => (c) => (user(c).accessKeys = v),
  ],
  // IAM User Guide, "Tagging IAM resources", tag naming rules: 50 tags; key 1-128, value 0-256
  // Unicode characters; letters, digits, spaces and _ . : / = + - @; no "aws:" prefix.
  ["tags: at most 50", tags(50), tags(51), (v) => (c) => (account(c).tags = v)],
  ["tag key: at most 128 characters", { ["k".repeat(128)]: "v" }, { ["k".repeat(129)]: "v" }, (v) => (c) => (account(c).tags = v)],
  ["tag value: at most 256 characters", { k: "é".repeat(256) }, { k: "é".repeat(257) }, (v) => (c) => (account(c).tags = v)],
  ["tag value: may be empty", { k: "" }, { k: "#" }, (v) => (c) => (account(c).tags = v)],
  ["tag key: not aws:", { "aws-team": "v" }, { "AWS:team": "v" }, (v) => (c) => (account(c).tags = v)],
  // AWS account ids are 12 digits (AWS Account Management Reference Guide, "View AWS account identifiers").
  ["account id: 12 digits", "012345678901", "12345678901", (v) => (c) => (account(c).accountId = v)],
];

function tags(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));
}

describe("each hand-written rule at AWS's documented bound", () => {
  test.each(LIMITS)("%s", (_limit, ok, bad, put) => {
    expect([accepts(put(ok)), accepts(put(bad))]).toEqual([true, false]);
  });
});
