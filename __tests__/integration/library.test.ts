// The construct library: its public API documented, package.json shaped for consumers, and the packed
// package checked by publint and attw and installed into a throwaway consumer app (scripts/check-library.ts,
// `npm run check:library`), with the example and tsconfig of docs/library.md.
import { spawnSync } from "child_process";
import { readFileSync, readdirSync } from "fs";
import { join, relative } from "path";
import * as ts from "typescript";
import { codeBlock } from "../../scripts/check-library";

const ROOT = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const PEERS = ["cdktf", "constructs", "@cdktf/provider-aws"];

/** Exported declarations of modules/index.ts, and public members of exported classes and interfaces, without a doc comment. */
function undocumentedExports(): string[] {
  const index = join(ROOT, "modules", "index.ts");
  const program = ts.createProgram([index], { strict: true, types: ["node"], skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const documented = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).length > 0;
  const where = (node: ts.Node) => {
    const file = node.getSourceFile();
    return `${relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const decl of symbol.declarations ?? []) {
      const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
      if (!documented(node)) missing.push(`${where(decl)} ${exported.name}`);
      if (!ts.isClassDeclaration(decl) && !ts.isInterfaceDeclaration(decl)) continue;
      for (const member of decl.members) {
        if (ts.isConstructorDeclaration(member) || (member.name && ts.isPrivateIdentifier(member.name))) continue;
        const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
        if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (!documented(member)) missing.push(`${where(member)} ${exported.name}.${member.name?.getText() ?? "?"}`);
      }
    }
  }
  return missing;
}

/** The packages the library's sources import (not relative, not Node's own). */
function packagesImportedByModules(): string[] {
  const builtins = new Set(require("module").builtinModules as string[]);
  const names = new Set<string>();
  for (const file of readdirSync(join(ROOT, "modules"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"))) {
    for (const [, spec] of readFileSync(join(ROOT, "modules", file), "utf8").matchAll(/^import (?!type )[^;]*? from "([^".][^"]*)"/gm)) {
      if (spec.startsWith("node:") || builtins.has(spec)) continue;
      const parts = spec.split("/");
      names.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
    }
  }
  return [...names].sort();
}

describe("the public API", () => {
  test("every export of modules/index.ts, and every public member of its classes and interfaces, has a doc comment", () => {
    expect(undocumentedExports()).toEqual([]);
  }, 30_000);
});

describe("package.json, for consumers", () => {
  test("cdktf, constructs and the provider are peer dependencies, installed here for development", () => {
    for (const peer of PEERS) {
      expect(pkg.peerDependencies[peer]).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(pkg.dependencies[peer]).toBeUndefined();
      // The development copy is the lowest version the range allows: what we test is what we promise.
      expect(`^${pkg.devDependencies[peer]}`).toBe(pkg.peerDependencies[peer]);
    }
  });

  test("the dependencies are exactly the packages modules/ imports, besides the peers", () => {
    const imported = packagesImportedByModules();
    expect(imported.filter((name) => !PEERS.includes(name))).toEqual(Object.keys(pkg.dependencies).sort());
  });

  test("main, types and exports point into lib/, and files ship lib/ only", () => {
    expect(pkg.main).toBe("lib/index.js");
    expect(pkg.types).toBe("lib/index.d.ts");
    expect(pkg.exports["."]).toEqual({ types: "./lib/index.d.ts", default: "./lib/index.js" });
    expect(pkg.files).toEqual(["lib/**/*.js", "lib/**/*.d.ts"]);
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8"));
    expect(build.compilerOptions).toMatchObject({ rootDir: "modules", outDir: "lib", declaration: true });
    expect(build.include).toEqual(["modules/**/*.ts"]);
  });

  test("docs/library.md's example, the one the check type-checks, imports the package by its name", () => {
    const doc = readFileSync(join(ROOT, "docs", "library.md"), "utf8");
    const example = codeBlock(doc, "ts");
    expect(example).toContain(`from "${pkg.name}"`);
    expect(example.trim().split("\n").length).toBeLessThanOrEqual(30);
    expect(JSON.parse(codeBlock(doc, "json")).compilerOptions).toMatchObject({ strict: true, module: "node16" });
  });

  test("publishable: a scoped name, public access, not private, the tarball ignored by git", () => {
    expect(pkg.name).toBe("@incident-manager-setup/cdktf");
    expect(pkg.private).toBeUndefined();
    expect(pkg.publishConfig).toEqual({ access: "public" });
    expect(readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n")).toContain("*.tgz");
  });
});

describe("npm run check:library", () => {
  // Slow: npm pack (with the build), publint, attw, two npm installs from the cache, tsc and a synth in the consumer.
  test("packs, lints the tarball, installs it into a throwaway consumer app, type-checks and synthesizes there", () => {
    const result = spawnSync(process.execPath, ["-r", "tsx/cjs", join("scripts", "check-library.ts")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      timeout: 280_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    if (result.status !== 0) throw new Error(`check:library exited ${result.status ?? result.signal}:\n${output}`);
    expect(output).toMatch(/ok {2}npm pack/);
    expect(output).toMatch(/ok {2}publint --strict/);
    expect(output).toMatch(/ok {2}attw: /);
    expect(output).toMatch(/ok {2}tsc: docs\/library\.md's example with its tsconfig\.json/);
    expect(output).toMatch(/ok {4}a stack of AdminGroup, AdminUser, AccessKey and the role/);
    expect(output).toMatch(/ok {4}createApp\(parseConfig\(\{\.\.\.\}\)\): stacks prod and dev/);
    expect(output).toMatch(/library check passed in/);
  }, 300_000);
});
