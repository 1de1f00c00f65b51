// The layering rules of docs/architecture.md, checked by dependency-cruiser (npm run lint:deps, part of
// npm test) instead of hand-written tests: the house reads top-down, constructs never reach up into the
// app, product code never imports tests, and the provider is imported module by module.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No import circles.", from: {}, to: { circular: true } },
    {
      name: "constructs-not-app",
      severity: "error",
      comment: "Constructs (core, iam, identity-center, incident-manager) never import the app or the library's index.",
      from: { path: "^modules/(core|iam|identity-center|incident-manager)/" },
      to: { path: "^modules/(app/|index\\.ts$)" },
    },
    {
      name: "core-is-the-ground",
      severity: "error",
      comment: "modules/core/ is what every construct shares: it imports no construct folder.",
      from: { path: "^modules/core/" },
      to: { path: "^modules/(iam|identity-center|incident-manager|app)/" },
    },
    {
      name: "product-not-tools",
      severity: "error",
      comment: "modules/ and main.ts (what ships and runs) import neither the commands, the bench nor the tests.",
      from: { path: "^(modules/|main\\.ts$)" },
      to: { path: "^(scripts|bench|__tests__)/" },
    },
    {
      name: "commands-not-tests",
      severity: "error",
      comment: "Tests may import scripts/lib, never the reverse.",
      from: { path: "^(scripts|bench)/" },
      to: { path: "^__tests__/" },
    },
    {
      name: "no-provider-barrel",
      severity: "error",
      comment: "Deep imports only (@cdktf/provider-aws/lib/<resource>): the barrel loads every AWS resource, seconds per process.",
      from: {},
      to: { path: "node_modules/@cdktf/provider-aws/lib/index\\.js$" },
    },
    {
      name: "simulator-in-tests-only",
      severity: "error",
      comment: "@cloud-copilot/iam-simulate (AGPL-3.0) is a devDependency that only tests import.",
      from: { pathNot: "^__tests__/" },
      to: { path: "@cloud-copilot/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|lib|cdktf\\.out|\\.cdktn|\\.node22)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
