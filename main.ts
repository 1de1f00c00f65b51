// Entry point of the app (`npm run synth`, and cdktf's "app" in cdktf.json): reads the
// configuration named by SETUP_CONFIG (default setup.config.json) and synthesizes one stack per
// account. All behaviour lives in modules/.
import { resolve } from "path";
import { synthesize } from "./modules/app";

const configFile = process.env.SETUP_CONFIG || resolve(__dirname, "setup.config.json");
try {
  const { app, warnings } = synthesize({ configFile, outdir: process.env.CDKTF_OUTDIR });
  // Under the cdktf CLI (which sets CDKTF_OUTDIR) the CLI prints warnings itself.
  if (!process.env.CDKTF_OUTDIR) {
    for (const w of warnings) console.error(`Warning: [${w.path}] ${w.message}`);
    console.error(`Synthesized ${app.node.children.length} stack(s) into ${app.outdir}/stacks`);
  }
} catch (error) {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
