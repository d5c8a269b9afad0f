import { describe, it, expect } from "vitest";
import { containsLinksOrImages, extractMentions, quoteMarkdown, renderMarkdown } from "../../app/services/markdown.server";
import { XSS_PAYLOADS } from "../fixtures/xss-payloads";
import { expectNoExecutableContent, parseTags } from "../helpers/xss-checker";

const SITE = "https://backline.example";
const trusted = { allowLinks: true, allowImages: true, siteOrigin: SITE };
const untrusted = { allowLinks: false, allowImages: false, siteOrigin: SITE };

describe("renderMarkdown XSS corpus", () => {
  for (const payload of XSS_PAYLOADS) {
    for (const [label, opts] of [
      ["trusted", trusted],
      ["untrusted", untrusted],
    ] as const) {
      it(`${label}: ${JSON.stringify(payload)}`, () => {
        expectNoExecutableContent(renderMarkdown(payload, opts));
      });
    }
  }

  it("renders the whole corpus in one document without executable content", () => {
    const all = XSS_PAYLOADS.join("\n\n");
    expectNoExecutableContent(renderMarkdown(all, trusted));
    expectNoExecutableContent(renderMarkdown(all, untrusted));
  });

  it("keeps HTML in a link title as inert attribute text", () => {
    const html = renderMarkdown(`[x](https://ok.example "<img src=x onerror=alert(1)>")`, trusted);
    expect(html).toContain('title="&lt;img src=x onerror=alert(1)&gt;"');
    expect(parseTags(html).map((t) => t.name)).toEqual(["p", "a"]);
  });
});

describe("renderMarkdown", () => {
  it("keeps the language class of fenced code", () => {
    const html = renderMarkdown("```ts\nconst a: number = 1;\n```", trusted);
    expect(html).toContain('<code class="language-ts">');
  });

  it("drops code classes that are not language hints", () => {
    const html = renderMarkdown('<code class="evil language-ts">x</code>', trusted);
    expect(html).toContain('<code class="language-ts">');
    expect(html).not.toContain("evil");
  });

  it("marks external links nofollow and drops target", () => {
    const html = renderMarkdown(
      '[out](https://elsewhere.example/x) <a href="https://elsewhere.example" target="_blank" rel="me">raw</a>',
      trusted,
    );
    expect(html).toContain('<a href="https://elsewhere.example/x" rel="nofollow ugc noopener">out</a>');
    expect(html).toContain('<a href="https://elsewhere.example" rel="nofollow ugc noopener">raw</a>');
    expect(html).not.toContain("target");
  });

  it("treats backslash tricks that browsers resolve off-site as external", () => {
    const html = renderMarkdown('<a href="/\\elsewhere.example">x</a>', trusted);
    expect(html).toContain('rel="nofollow ugc noopener"');
  });

  it("leaves internal links without nofollow", () => {
    const html = renderMarkdown("[topic](/t/123) and [abs](https://backline.example/t/9)", trusted);
    expect(html).toContain('<a href="/t/123">topic</a>');
    expect(html).toContain('<a href="https://backline.example/t/9">abs</a>');
    expect(html).not.toContain("nofollow");
  });

  it("renders links as text when links are not allowed", () => {
    const html = renderMarkdown("see [the docs](https://docs.example) and `code` and https://bare.example/x", {
      ...trusted,
      allowLinks: false,
    });
    expect(html).toBe("<p>see the docs and <code>code</code> and https://bare.example/x</p>\n");
  });

  it("renders images as escaped alt text when images are not allowed", () => {
    const html = renderMarkdown("![a <b>cat</b>](https://img.example/cat.png)", { ...trusted, allowImages: false });
    expect(html).not.toContain("<img");
    expect(html).toContain("a &lt;b&gt;cat&lt;/b&gt;");
  });

  it("drops raw HTML images when images are not allowed", () => {
    const html = renderMarkdown('<img src="https://img.example/cat.png" alt="cat">', { ...trusted, allowImages: false });
    expect(html).not.toContain("<img");
  });

  it("keeps https images when allowed", () => {
    const html = renderMarkdown("![cat](https://img.example/cat.png)", trusted);
    expect(html).toContain('<img alt="cat" src="https://img.example/cat.png" />');
  });

  it("only accepts absolute http(s) image URLs", () => {
    const html = renderMarkdown("![local](/uploads/a.png) ![rel](a.png)", trusted);
    expect(html).not.toContain("<img");
    expect(html).toContain("local");
  });

  it("turns @mentions into profile links, but not in code, emails or URLs", () => {
    const html = renderMarkdown("hi @alice, mail bob@example.com, see https://medium.com/@carol and `@dave`\n\n```\n@erin\n```", trusted);
    expect(html).toContain('<a href="/u/alice" class="mention">@alice</a>');
    for (const name of ["bob", "example", "carol", "dave", "erin"]) {
      expect(html).not.toContain(`href="/u/${name}"`);
    }
    expect(html).toContain("<code>@dave</code>");
  });

  it("keeps mentions for accounts that may not post links", () => {
    const html = renderMarkdown("thanks @alice", untrusted);
    expect(html).toContain('<a href="/u/alice" class="mention">@alice</a>');
  });

  it("does not let raw HTML pass itself off as a mention", () => {
    const html = renderMarkdown('<a class="mention" href="https://evil.example">x</a>', trusted);
    expect(html).not.toContain("mention");
    expect(renderMarkdown('<a class="mention" href="https://evil.example">x</a>', untrusted)).toBe("<p>x</p>\n");
  });

  it("does not nest mentions inside links or image alt text", () => {
    const html = renderMarkdown("[@alice](https://x.example) ![@bob](https://x.example/a.png)", trusted);
    expect(html).not.toContain("/u/");
  });

  it("renders GFM task lists without <input>", () => {
    const html = renderMarkdown("- [ ] todo\n- [x] done", trusted);
    expect(html).toContain("<li>☐ todo</li>");
    expect(html).toContain("<li>☑ done</li>");
  });

  it("stays fast on adversarial @-heavy input", () => {
    const started = performance.now();
    renderMarkdown("a@".repeat(50_000), trusted);
    extractMentions("x.@bob ".repeat(15_000));
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe("extractMentions", () => {
  it("returns unique lowercase usernames outside code", () => {
    const md = [
      "@Alice and @alice and @bob_2",
      "`@carol`",
      "```\n@dave\n```",
      "    @erin",
      "> @frank",
      "- item for @gina",
      "| who |\n|-----|\n| @hank |",
      "<code>@ivan</code>",
    ].join("\n\n");
    expect(extractMentions(md)).toEqual(["alice", "bob_2", "frank", "gina", "hank"]);
  });

  it("ignores emails, too-short and too-long names", () => {
    expect(extractMentions(`me@example.com @ab @${"x".repeat(31)} @${"y".repeat(30)}`)).toEqual(["y".repeat(30)]);
  });
});

describe("containsLinksOrImages", () => {
  it("detects bare URLs", () => {
    expect(containsLinksOrImages("go to https://spam.example now")).toEqual({ links: true, images: false });
    expect(containsLinksOrImages("go to www.spam.example")).toEqual({ links: true, images: false });
  });

  it("detects markdown, reference and raw HTML links", () => {
    expect(containsLinksOrImages("[x](https://a.example)").links).toBe(true);
    expect(containsLinksOrImages("[x][1]\n\n[1]: https://a.example").links).toBe(true);
    expect(containsLinksOrImages('<a href="https://a.example">x</a>').links).toBe(true);
  });

  it("detects markdown and raw HTML images", () => {
    expect(containsLinksOrImages("![x](https://a.example/i.png)")).toEqual({ links: false, images: true });
    expect(containsLinksOrImages('<img src="https://a.example/i.png">').images).toBe(true);
  });

  it("ignores plain text, mentions and code", () => {
    expect(containsLinksOrImages("hello @alice, `https://a.example`\n\n```\n![x](y)\n```")).toEqual({
      links: false,
      images: false,
    });
  });
});

describe("quoteMarkdown", () => {
  it("prefixes every line and renders as an attributed blockquote", () => {
    const md = quoteMarkdown("alice", "first line\nsecond line\n\nnew para");
    expect(md.startsWith("> **@alice wrote:**\n")).toBe(true);
    for (const line of md.trimEnd().split("\n")) expect(line.startsWith(">")).toBe(true);

    const html = renderMarkdown(md, trusted);
    expect(html.startsWith("<blockquote>")).toBe(true);
    expect(html).toContain('<strong><a href="/u/alice" class="mention">@alice</a> wrote:</strong>');
    expect(html).toContain("<p>first line\nsecond line</p>");
    expect(html).toContain("<p>new para</p>");
    expect(html.trimEnd().endsWith("</blockquote>")).toBe(true);
  });

  it("nests existing quotes and keeps the author out of the Markdown", () => {
    const md = quoteMarkdown("bob](javascript:x)", "> older\r\nreply");
    expect(md.split("\n")[0]).toBe("> **@bobjavascriptx wrote:**");
    expect(md).toContain("> > older\n");
    expect(renderMarkdown(md, trusted)).toContain("<blockquote>\n<p><strong>");
  });
});
