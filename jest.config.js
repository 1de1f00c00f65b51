// Two jest projects, by folder:
// - unit: __tests__/**/*.test.ts outside integration/ (folders mirror modules/ and scripts/), in the
//   test process only (constructs, configuration, rules, the review's rendering): `npm run test:unit`,
//   the inner loop. It runs on jest-light-runner (child processes): test files load in plain Node.js
//   (TypeScript through tsx, __tests__/support/light-setup.mjs), so cdktf's 373 modules, zod and the
//   provider's classes load once per worker, not once per file (jest's own runner gives every file a
//   fresh module registry: 11.4 s against 7.2 s for the unit run). What it does not isolate: files of
//   one worker share process.env, the cwd and module state, so a test restores what it changes.
// - integration: __tests__/integration/, the real clients in child processes (terraform and the
//   provider, the AWS CLI, npm pack, node and git as the commands run), and runs at scale, on
//   jest's own runner.
// `npm test` type-checks (`tsc --noEmit`: @swc/jest and tsx strip types without checking them) and runs both.
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
      runner: "jest-light-runner/child-process",
      setupFiles: ["<rootDir>/__tests__/support/light-setup.mjs"],
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/integration/"],
    },
    { ...shared, displayName: "integration", testMatch: ["<rootDir>/__tests__/integration/*.test.ts"] },
  ],
};
