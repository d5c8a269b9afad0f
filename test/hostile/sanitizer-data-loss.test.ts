import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMarkdown } from "~/services/markdown.server";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";
import { expectNoExecutableContent } from "../helpers/xss-checker";
import { until } from "../helpers/wait";

// A member writes about HTML without backticks ("I use a <textarea> for the key
// field… Full log: …"). The tag is not allowed, so it is shown as the text they
// typed, and nothing after it is lost: not in the stored HTML, the thread page,
// the feed, search, or the paid ticket's snapshot (issue 13, §4).

const SITE = "https://backline.example";
const POLICIES = {
  trusted: { allowLinks: true, allowImages: true, siteOrigin: SITE },
  newAccount: { allowLinks: false, allowImages: false, siteOrigin: SITE },
  ticket: { allowLinks: true, allowImages: false, siteOrigin: SITE },
} as const;

/** What a reader sees: markup removed, entities decoded, whitespace folded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
const fold = (text: string) => text.replace(/\s+/g, " ").trim();

// Elements whose content an HTML parser or the old sanitizer treats specially
// (raw text, foreign content, dropped content), and ordinary disallowed ones.
const TAGS = [
  "textarea",
  "style",
  "title",
  "noscript",
  "option",
  "template",
  "xmp",
  "plaintext",
  "iframe",
  "noembed",
  "noframes",
  "script",
  "select",
  "math",
  "svg",
  "object",
  "embed",
  "form",
  "button",
  "input",
  "div",
  "span",
  "center",
  "font",
  "head",
  "body",
  "html",
  "frameset",
  "listing",
  "base",
  "meta",
  "link",
  "marquee",
  "my-widget",
  "TEXTAREA",
  "Style",
];

// Everything else that opens with "<" and is not an allowed, complete tag.
const OTHER_OPENINGS = [
  "<!-- note to self",
  "<!-- a closed comment -->",
  "<![CDATA[ raw",
  "<!DOCTYPE html>",
  "<?php echo 1 ?>",
  "</textarea>",
  "</ p>",
  '<textarea rows="3" name=key>',
  '<p title="never closed',
  '<a href="https://x.example',
  "<img",
  "<script src=//evil.example/x.js>",
];

describe("the renderer keeps every character after a tag it does not allow", () => {
  for (const [label, policy] of Object.entries(POLICIES)) {
    for (const tag of TAGS) {
      it(`${label}: <${tag}> in a sentence and at the start of a line`, () => {
        const inline = `I use a <${tag}> for the key field… Full log: XYZ-${tag}`;
        const html = renderMarkdown(inline, policy);
        expect(visibleText(html)).toBe(fold(inline));
        expect(html).toContain(`&lt;${tag}&gt;`);
        expectNoExecutableContent(html);

        const block = `<${tag}>\nkey field\n\nFull log: **XYZ-${tag}**\n\n- one\n- two`;
        const blockHtml = renderMarkdown(block, policy);
        expect(visibleText(blockHtml)).toBe(`<${tag}> key field Full log: XYZ-${tag} one two`);
        // The Markdown after the tag still renders.
        expect(blockHtml).toContain(`<strong>XYZ-${tag}</strong>`);
        expect(blockHtml).toContain("<li>two</li>");
        expectNoExecutableContent(blockHtml);
      });
    }

    for (const opening of OTHER_OPENINGS) {
      it(`${label}: ${JSON.stringify(opening)} keeps what follows`, () => {
        const source = `Before ${opening} Full log: XYZ and more`;
        const html = renderMarkdown(source, policy);
        expect(visibleText(html)).toBe(fold(source));
        expectNoExecutableContent(html);
      });
    }
  }

  it("keeps a closing tag's text too, with the allowed tags around it working", () => {
    const html = renderMarkdown("<details><summary>Logs</summary>\n<textarea>\n\n**Full log**: XYZ\n</details>", POLICIES.trusted);
    expect(html).toContain("<summary>Logs</summary>");
    expect(html).toContain("&lt;textarea&gt;");
    expect(html).toContain("<strong>Full log</strong>: XYZ");
  });

  it("leaves code spans and blocks as they were", () => {
    expect(renderMarkdown("I use a `<textarea>` for the key. Full log: XYZ", POLICIES.trusted)).toBe(
      "<p>I use a <code>&lt;textarea&gt;</code> for the key. Full log: XYZ</p>\n",
    );
    expect(renderMarkdown("```html\n<style>p{}</style>\n<textarea>\n```\nFull log: XYZ", POLICIES.trusted)).toBe(
      '<pre><code class="language-html">&lt;style&gt;p{}&lt;/style&gt;\n&lt;textarea&gt;\n</code></pre>\n<p>Full log: XYZ</p>\n',
    );
  });
});

describe("over HTTP: the page, the feed, search and the paid ticket", () => {
  const BODY = "I use a <textarea> for the key field… Full log: zebraquux-7741 and <style> after it.";
  let server: TestServer;
  let member: Client;
  let thread: { id: string; url: string };

  beforeAll(async () => {
    server = await startServer({ seed: true });
    member = await signIn(server, "member@backline.local");
    thread = (await (await member.get("/api/v1/threads?category=pro")).json()).threads[0];
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("stores, shows, syndicates, indexes and snapshots the whole reply", async () => {
    // The first word comes before the tag, the second after it: both are in one search document.
    const reply = await member.post(`/api/v1/threads/${thread.id}/posts`, { body: `kiwiberry ${BODY}` });
    expect(reply.status).toBe(201);
    const stored = await reply.json();
    expect(visibleText(stored.bodyHtml)).toBe(`kiwiberry ${BODY}`);

    const visitor = new Client(server.url);
    const page = await (await visitor.get(new URL(thread.url, server.url).pathname)).text();
    expect(page).toContain("I use a &lt;textarea&gt; for the key field… Full log: zebraquux-7741 and &lt;style&gt; after it.");

    const feed = await (await visitor.get(`/t/${thread.id}/feed.rss`)).text();
    expect(feed).toContain("Full log: zebraquux-7741 and");

    // The words after the tag are in the search document: found once the reply is indexed (the index is updated
    // by a background job, so wait for that event; a reply that lost its text would time out here).
    const threadsFor = async (q: string) =>
      ((await (await visitor.get(`/api/v1/search?q=${q}`)).json()).hits as { threadId: string }[]).map((h) => h.threadId);
    await until("the reply's first word to be indexed", async () => (await threadsFor("kiwiberry")).includes(thread.id), 30_000, 200);
    await until("the words after the tag to be found", async () => (await threadsFor("zebraquux")).includes(thread.id), 30_000, 200);

    // The member pays for support on this thread: the snapshot and ticket messages keep everything too.
    const res = await member.post(`/api/v1/threads/${thread.id}/escalations`, gate());
    expect(res.status).toBe(201);
    const { escalationId } = await res.json();
    const authorized = await member.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
    expect(authorized.status).toBe(302);
    const back = await member.get(authorized.headers.get("location")!.replace(server.url, ""));
    const ticketId = back.headers.get("location")!.split("/tickets/")[1]!;
    expect((await member.post(`/api/v1/tickets/${ticketId}/messages`, { body: `More: ${BODY}` })).status).toBe(201);

    const ticket = await (await member.get(`/api/v1/tickets/${ticketId}`)).json();
    const snapshotted = ticket.snapshot.posts.find((p: { id: string }) => p.id === stored.id);
    expect(visibleText(snapshotted.bodyHtml)).toBe(`kiwiberry ${BODY}`);
    expect(visibleText(ticket.messages.at(-1).bodyHtml)).toBe(`More: ${BODY}`);
    const ticketPage = await (await member.get(`/tickets/${ticketId}`)).text();
    expect(ticketPage).toContain("Full log: zebraquux-7741 and &lt;style&gt; after it.");
  });
});
