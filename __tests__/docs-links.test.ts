// The README and docs/ link to each other by relative path and #anchor. A page that moves or a heading
// that is renamed must not leave a link that leads nowhere: every relative link of README.md and
// docs/*.md must name a file that exists, and every #anchor a heading of that file, by GitHub's rules.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, relative, resolve } from "path";

const ROOT = join(__dirname, "..");

/** The anchor GitHub gives a heading: lower case, punctuation removed, spaces to hyphens (github-slugger). */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link shows its text
    .replace(/<[^>]+>/g, "") // inline HTML shows nothing
    .replace(/(^|\W)[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?=\W|$)/g, "$1"); // emphasis markers are not text
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Lines outside fenced code blocks, with inline code spans blanked (a link inside code is no link). */
function prose(markdown: string): string[] {
  let fence: string | undefined;
  const lines: string[] = [];
  for (const line of markdown.split("\n")) {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) {
      fence = fence ? undefined : marker;
      lines.push("");
      continue;
    }
    lines.push(fence ? "" : line);
  }
  return lines;
}

/** Every anchor a page offers: its headings' slugs (repeats get -1, -2, ...) and explicit `<a id>`/`<a name>`. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      result.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) result.add(m[1]);
  }
  return result;
}

/** The targets of a page's inline links and images, outside code. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of prose(markdown)) {
    const text = line.replace(/`[^`]*`/g, (code) => " ".repeat(code.length));
    for (const m of text.matchAll(/!?\[(?:[^\]]|\\\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
  }
  return targets;
}

/** What is wrong with one page's links, as `file: target: why`, relative to `root`. */
function brokenLinks(root: string, file: string): string[] {
  const problems: string[] = [];
  const page = join(root, file);
  for (const target of linkTargets(readFileSync(page, "utf8"))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...: not a file of this repository
    const [path, anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = path === "" ? page : resolve(dirname(page), decodeURIComponent(path));
    const name = relative(root, resolved).split("\\").join("/");
    if (!existsSync(resolved)) {
      problems.push(`${file}: ${target}: no file ${name}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith(".md")) problems.push(`${file}: ${target}: an anchor into ${name}, which is not Markdown`);
    else if (!anchors(readFileSync(resolved, "utf8")).has(anchor)) problems.push(`${file}: ${target}: no heading "#${anchor}" in ${name}`);
  }
  return problems;
}

const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("the documentation's links resolve", () => {
  test.each(PAGES)("%s: every relative link names a file, every #anchor a heading", (file) => {
    expect(brokenLinks(ROOT, file)).toEqual([]);
  });

  test("the README links to every page of docs/", () => {
    const linked = new Set(
      linkTargets(readFileSync(join(ROOT, "README.md"), "utf8")).map((t) => relative(ROOT, resolve(ROOT, t.split("#")[0]))),
    );
    for (const page of PAGES.filter((p) => p !== "README.md")) expect([page, linked.has(page)]).toEqual([page, true]);
  });
});

describe("the link check itself", () => {
  test("slugs follow GitHub: lower case, punctuation dropped, spaces to hyphens, code and links as text", () => {
    expect(slug("Identity Center or IAM users?")).toBe("identity-center-or-iam-users");
    expect(slug("What a synth guarantees about `cdktf.out`")).toBe("what-a-synth-guarantees-about-cdktfout");
    expect(slug("The Incident Manager role: auto, create, adopt or reference")).toBe(
      "the-incident-manager-role-auto-create-adopt-or-reference",
    );
    expect(slug("1. Configure")).toBe("1-configure");
    expect(slug("State: local or S3")).toBe("state-local-or-s3");
    expect(slug("See [the guide](https://example.com) and **this**")).toBe("see-the-guide-and-this");
    expect(slug("test_watch and snake_case")).toBe("test_watch-and-snake_case");
  });

  test("a repeated heading gets -1, -2; headings inside code fences are no anchors", () => {
    const found = anchors("# Cost\n\n## Cost\n\n```sh\n# not a heading\n```\n\n### Cost\n");
    expect([...found]).toEqual(["cost", "cost-1", "cost-2"]);
  });

  test("fails on a missing file, a missing anchor and an anchor into a file that is not Markdown; skips URLs and code", () => {
    const root = mkdtempSync(join(tmpdir(), "docs-links-"));
    try {
      mkdirSync(join(root, "docs"));
      writeFileSync(join(root, "help"), "text\n");
      writeFileSync(join(root, "docs", "a.md"), "# A page\n\n## Its part\n");
      writeFileSync(
        join(root, "README.md"),
        [
          "# Top",
          "[ok](docs/a.md) [ok](docs/a.md#its-part) [ok](#top) [ok](https://example.com/x#y) `[code](nowhere.md)`",
          "[gone](docs/gone.md) [no anchor](docs/a.md#no-such-part) [no anchor here](#bottom) [not md](help#x)",
          "[missing](docs/library.md) [missing, with an anchor](docs/configuration.md#fields)",
          "```md",
          "[in a fence](fenced.md)",
          "```",
        ].join("\n"),
      );
      expect(brokenLinks(root, "README.md")).toEqual([
        "README.md: docs/gone.md: no file docs/gone.md",
        'README.md: docs/a.md#no-such-part: no heading "#no-such-part" in docs/a.md',
        'README.md: #bottom: no heading "#bottom" in README.md',
        "README.md: help#x: an anchor into help, which is not Markdown",
        "README.md: docs/library.md: no file docs/library.md",
        "README.md: docs/configuration.md#fields: no file docs/configuration.md",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
