// The barrel import of @cdktf/provider-aws loads every AWS resource class: about two seconds and
// half a gigabyte in every process and test file. Only deep imports are allowed.
import { readFileSync, readdirSync, statSync } from "fs";
import { join, relative } from "path";
import { ROOT } from "../support/configs";

/** Import or require statements of the package root (or a path of it outside lib/<module>). */
export function barrelImports(source: string): string[] {
  const pattern = /(?:from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-aws(?:\/lib)?\/?["']/g;
  return source.match(pattern) ?? [];
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === "node_modules" || entry === "cdktf.out" || entry.startsWith(".")) return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return /\.(ts|js)$/.test(entry) ? [path] : [];
  });
}

describe("provider imports", () => {
  test("no file imports the @cdktf/provider-aws barrel", () => {
    const offenders = typeScriptFiles(ROOT)
      .filter((file) => file !== __filename) // its examples below are meant to be found
      .map((file) => [relative(ROOT, file), barrelImports(readFileSync(file, "utf8"))] as const)
      .filter(([, found]) => found.length > 0);
    expect(offenders).toEqual([]);
  });

  test("the check finds a barrel import, and lets deep imports through", () => {
    expect(barrelImports('import { IamUser } from "@cdktf/provider-aws";')).toHaveLength(1);
    expect(barrelImports("const aws = require('@cdktf/provider-aws');")).toHaveLength(1);
    expect(barrelImports('import * as aws from "@cdktf/provider-aws/lib";')).toHaveLength(1);
    expect(barrelImports('import { IamUser } from "@cdktf/provider-aws/lib/iam-user";')).toEqual([]);
  });
});

describe("the AGPL-3.0 policy simulator stays a test tool", () => {
  test("@cloud-copilot/iam-simulate is a devDependency, and only tests import it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.dependencies["@cloud-copilot/iam-simulate"]).toBeUndefined();
    expect(pkg.devDependencies["@cloud-copilot/iam-simulate"]).toMatch(/^\d+\.\d+\.\d+$/);
    const importers = typeScriptFiles(ROOT)
      .filter((file) => /@cloud-copilot\//.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file))
      .filter((file) => !file.startsWith("__tests__/"));
    expect(importers).toEqual([]);
  });
});
