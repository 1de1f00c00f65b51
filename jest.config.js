// Tests run TypeScript through @swc/jest (no type-checking at test time: `npm test` runs
// `tsc --noEmit` first, so types are still checked).
/** @type {import('jest').Config} */
module.exports = {
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
