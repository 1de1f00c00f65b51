// Entry point of the app (`npm run synth`, and cdktf's "app" in cdktf.json): reads the
// configuration named by SETUP_CONFIG (default setup.config.json beside this file) and
// synthesizes one stack per account. All behaviour lives in modules/.
import { resolve } from "path";
import { main } from "./modules/app";

process.exitCode = main(process.env, resolve(__dirname, "setup.config.json"), (line) => console.error(line));
