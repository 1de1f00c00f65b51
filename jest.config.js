// Two jest projects, by folder:
// - unit: __tests__/**/*.test.ts outside integration/ (folders mirror modules/ and scripts/), in this process only (constructs, configuration, rules, the review's
//   rendering): `npm run test:unit`, the inner loop;
// - integration: __tests__/integration/, the real clients in child processes (terraform and the
//   provider, the AWS CLI, npm pack, node and git as the commands run), and runs at scale.
// `npm test` type-checks (`tsc --noEmit`: @swc/jest strips types without checking them) and runs both.
const shared = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json", "node"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
};

/** @type {import('jest').Config} */
module.exports = {
  // Most of the integration time goes to terraform child processes; two workers keep both cores busy.
  maxWorkers: 2,
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  projects: [
    {
      ...shared,
      displayName: "unit",
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/integration/"],
    },
    { ...shared, displayName: "integration", testMatch: ["<rootDir>/__tests__/integration/*.test.ts"] },
  ],
};
