// Tests run TypeScript through @swc/jest (no type-checking at test time: `npm test` runs
// `tsc --noEmit` first, so types are still checked).
// `npm run test:unit` (TEST_SCOPE=unit): the inner loop, without the suites that run terraform or
// another real client (AWS CLI, Mermaid, npm pack) in child processes. `npm test` runs everything.
const CLIENT_SUITES = [
  "terraform-validate",
  "terraform-plan",
  "plan-from-state",
  "identity-center-plan",
  "effective-permissions",
  "sso-profiles",
  "review-access",
  "library",
  "main",
  "credentials",
  "examples",
];

/** @type {import('jest').Config} */
module.exports = {
  testPathIgnorePatterns:
    process.env.TEST_SCOPE === "unit"
      ? ["/node_modules/", ...CLIENT_SUITES.map((name) => `/__tests__/${name}\\.test\\.ts$`)]
      : ["/node_modules/"],
  testEnvironment: "node",
  // Most of the time goes to terraform child processes; two workers keep both cores busy.
  maxWorkers: 2,
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json", "node"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
};
