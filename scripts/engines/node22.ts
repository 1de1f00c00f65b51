// `npm run --silent node22`: Node.js 22 from the npm registry, into .node22/ (git-ignored) unless it
// is there already; prints the binary's path on stdout (what it did goes to stderr). For CI and for
// running anything on Node 22: `"$(npm run --silent node22)" cdktf.out/app/main.js`. Exit 1 when it
// cannot (the registry unreachable is said so).
import { relative } from "path";
import { NODE22_DIR, NODE22_VERSION, ROOT, RegistryUnreachable, ensureNode22, nodeBinaryPackage } from "./run";

async function main(): Promise<number> {
  try {
    const { bin, state } = await ensureNode22();
    const where = relative(ROOT, NODE22_DIR);
    console.error(
      `node22: Node.js v${NODE22_VERSION} (${nodeBinaryPackage()}) ${state === "current" ? "already in" : "installed into"} ${where}/`,
    );
    console.log(bin);
    return 0;
  } catch (error) {
    const why = error instanceof RegistryUnreachable ? error.message : error instanceof Error ? error.message : String(error);
    console.error(`node22: FAILED: ${why}`);
    return 1;
  }
}

if (require.main === module) main().then((code) => (process.exitCode = code));
