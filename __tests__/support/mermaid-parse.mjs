// Parses a Mermaid diagram (stdin) with Mermaid itself, the library GitHub uses to render it,
// under jsdom (Mermaid needs a DOM). Prints the diagram type; exits 1 with the parser's message.
// Run as a child process: Mermaid is ESM only, and jest runs the tests as CommonJS.
import { JSDOM } from "jsdom";
import { readFileSync } from "fs";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
try {
  const result = await mermaid.parse(readFileSync(0, "utf8"));
  console.log(result.diagramType);
} catch (error) {
  console.error(
    String(error?.message ?? error)
      .split("\n")
      .slice(0, 3)
      .join("\n"),
  );
  process.exit(1);
}
