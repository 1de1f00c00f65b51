// Entry point of the app (`npm run synth`, and cdktf's "app" in cdktf.json): reads the
// configuration named by SETUP_CONFIG (default setup.config.json in the project folder, where
// npm and cdktf run the app) and synthesizes one stack per account. All behaviour lives in modules/.
import { resolve } from "path";
import { main } from "./modules/app";
import { inWorkerPart } from "./modules/app/synth/parallel";

// A worker thread of the synthesis runs this bundle too: its share is done when modules/app loads.
if (!inWorkerPart())
  process.exitCode = main(process.env, resolve("setup.config.json"), (line) => console.error(line), process.argv.slice(2));
