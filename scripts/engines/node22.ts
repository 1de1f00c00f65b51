// `npm run --silent node22`: Node.js 22 from the npm registry, into .node22/ (git-ignored) unless it
// is there already; prints the binary's path on stdout (what it did goes to stderr), for CI and for
// `"$(npm run --silent node22)" cdktf.out/app/main.js`. Exit 1 when it cannot.
import { relative } from "path";
import { NODE22_DIR, NODE22_VERSION, ROOT, ensureNode22, nodeBinaryPackage } from "./run";

ensureNode22().then(
  ({ bin, state }) => {
    const done = state === "current" ? "already in" : "installed into";
    console.error(`node22: Node.js v${NODE22_VERSION} (${nodeBinaryPackage()}) ${done} ${relative(ROOT, NODE22_DIR)}/`);
    console.log(bin);
  },
  (error: Error) => {
    console.error(`node22: FAILED: ${error.message}`);
    process.exitCode = 1;
  },
);
