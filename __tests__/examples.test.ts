// The example CI workflow cannot run here; it must at least be valid and do what the README says.
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { parseConfig } from "../modules";
import { ROOT } from "./support/configs";

describe("examples/ci/github-pull-request.yml", () => {
  const text = readFileSync(join(ROOT, "examples", "ci", "github-pull-request.yml"), "utf8");
  const workflow = parse(text, { strict: true, uniqueKeys: true });
  const steps: { name?: string; run?: string; uses?: string; if?: string }[] = workflow.jobs.review.steps;
  const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts);

  test("is valid YAML for a pull_request workflow", () => {
    expect(workflow.on).toHaveProperty("pull_request");
    expect(workflow.jobs.review["runs-on"]).toBe("ubuntu-latest");
  });

  test("installs, tests, synthesizes, reviews and posts the summary, in that order", () => {
    const runs = steps.filter((s) => s.run).map((s) => s.run);
    expect(runs.slice(0, 4)).toEqual(["npm ci", "npm test", "npm run synth", 'npm run review -- --base "origin/${{ github.base_ref }}"']);
    expect(steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"))).toMatchObject({
      with: { path: "cdktf.out/review.md" },
    });
  });

  test("plans only where the pipeline has AWS credentials", () => {
    const plan = steps.find((s) => s.run === "npm run plan");
    expect(plan?.if).toBe("${{ vars.PLAN_ROLE_ARN != '' }}");
  });

  test("only runs npm scripts that exist", () => {
    for (const step of steps.filter((s) => s.run?.startsWith("npm run "))) {
      expect(scripts).toContain(step.run!.split(" ")[2]);
    }
  });
});

describe("README's sample configuration error", () => {
  test("is what the app prints for that configuration (but for the file's path)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /```text\n\$ SETUP_CONFIG=setup\.config\.json npm run synth\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const [first, ...problems] = block![1].trimEnd().split("\n");
    const config = JSON.parse(readFileSync(join(ROOT, "setup.config.json"), "utf8"));
    config.accounts[0].region = "us-east";
    config.accounts[0].adminUser = [];
    let message = "";
    try {
      parseConfig(config, "/home/me/setup.config.json");
    } catch (e) {
      message = `Error: ${(e as Error).message}`;
    }
    expect(message.split("\n")).toEqual([first, ...problems]);
  });
});
