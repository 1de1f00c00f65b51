// The README is the newcomer's page: the two commands first, the commands table and `help` naming
// exactly the npm scripts there are, and a quick-start configuration that the app accepts as it is.
import { readFileSync } from "fs";
import { join } from "path";
import { parseConfig } from "../modules";

const ROOT = join(__dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const HELP = readFileSync(join(ROOT, "help"), "utf8");
const SCRIPTS = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>);

/** The scripts a text runs: `npm run <name>` and `npm test`. */
function npmRuns(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bnpm run (?:--silent )?([a-z][\w:.-]*)/g)) names.add(m[1]);
  if (/\bnpm test\b/.test(text)) names.add("test");
  return names;
}

/** The section of the README under `## <title>`, up to the next `## `. */
function section(title: string): string {
  const text = new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, "m").exec(README)?.[1];
  if (text === undefined) throw new Error(`README.md has no section "## ${title}"`);
  return text;
}

describe("README: the first lines", () => {
  test("the two commands a newcomer needs on a fresh machine come first", () => {
    const first = /^# .*\n\n```sh\n([\s\S]*?)```/.exec(README)?.[1];
    expect(first?.trim().split("\n")).toEqual(["npm ci && npm run synth", "npm test"]);
  });

  test("tells the facts a user must know: Incident Manager closed to new customers, CDKTF archived, CDK Terrain", () => {
    const top = README.slice(0, README.indexOf("## Contents"));
    expect(top).toContain("2025-11-07");
    expect(top).toContain("AWSServiceRoleForIncidentManager");
    expect(top).toContain("2025-12-10");
    expect(top).toContain("CDK Terrain");
  });
});

describe("the commands: package.json, help and the README agree", () => {
  test("help names every npm script, in a line of its own", () => {
    const lines = HELP.split("\n");
    for (const name of SCRIPTS) {
      const own = lines.filter((l) => new RegExp(`^\\s+npm run ${name.replace(/[.:]/g, "\\$&")}\\s`).test(l));
      expect([name, own.length]).toEqual([name, 1]);
    }
  });

  test("every npm run named in help or in the README is a script of package.json", () => {
    for (const name of [...npmRuns(HELP), ...npmRuns(README)]) expect([name, SCRIPTS.includes(name)]).toEqual([name, true]);
  });

  test("the README's commands table has a row for every script, and `npm run help` prints help", () => {
    const rows = section("Commands")
      .split("\n")
      .filter((l) => l.startsWith("| `npm "));
    const named = new Set(rows.flatMap((row) => [...npmRuns(row.split(" | ")[0])]));
    expect([...named].sort()).toEqual([...SCRIPTS].sort());
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.help).toContain("readFileSync('help'");
  });
});

describe("README: the quick start", () => {
  test("follows the first deploy: configure, synth, review, plan, deploy, credentials", () => {
    const steps = [...section("Quick start").matchAll(/^### \d\. (.*)$/gm)].map((m) => m[1]);
    expect(steps).toEqual(["Configure", "Synth", "Review", "Plan", "Deploy", "Credentials"]);
  });

  test("its configuration is accepted as it is, PGP keys on the password and the key", () => {
    const json = /^### 1\. Configure\n[\s\S]*?```json\n([\s\S]*?)```/m.exec(README)?.[1];
    const config = parseConfig(JSON.parse(json!), "README.md");
    expect(config.accounts.map((a) => a.name)).toEqual(["prod"]);
    const [alice] = config.accounts[0].adminUsers;
    expect(alice.console).toMatchObject({ pgpKey: "keybase:alice" });
    expect(alice.accessKeys.map((k) => k.pgpKey)).toEqual(["keybase:alice"]);
  });

  test("stays a newcomer's page: about 200 lines", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(240);
  });
});
