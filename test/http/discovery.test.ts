import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Lists, profiles, feeds and the sitemap, as visitors, crawlers and feed readers see them.
let server: TestServer;
let browser: Browser;
let page: Page;
let ada: Client;
let grace: Client;
let moderator: Client;

async function ask(client: Client, input: { category?: string; title: string; body?: string; tags?: string[] }) {
  const res = await client.post("/api/v1/threads", {
    category: input.category ?? "community",
    title: input.title,
    body: input.body ?? "Some details about the problem, with enough words to count.",
    tags: input.tags ?? [],
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; postId: string };
}

const html = async (path: string, client = new Client(server.url)) => {
  const res = await client.get(path);
  return { status: res.status, body: await res.text() };
};
const rows = (body: string) =>
  [...body.matchAll(/<li class="thread-row[^"]*">[\s\S]*?<h3 class="thread-title"><a [^>]*href="([^"]+)"/g)].map((m) => m[1]!);
const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
const nextLink = (body: string) => {
  const m = body.match(/<a [^>]*href="([^"]+)"[^>]*>Next page/) ?? body.match(/<a [^>]*rel="next"[^>]*href="([^"]+)"/);
  return m ? unescapeHtml(m[1]!) : null;
};

/** Parses with Chromium's strict XML parser: a feed reader's view of the document. */
async function parseXml(xml: string) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const error = doc.getElementsByTagName("parsererror")[0];
    const texts = (name: string) => [...doc.getElementsByTagNameNS("*", name)].map((e) => e.textContent ?? "");
    return {
      error: error ? error.textContent : null,
      root: doc.documentElement.localName,
      namespace: doc.documentElement.namespaceURI,
      itemTitles: [...doc.querySelectorAll("item > title, entry > title")].map((e) => e.textContent ?? ""),
      contents: [...texts("description"), ...texts("content")],
      locs: texts("loc"),
    };
  }, xml);
}

beforeAll(async () => {
  server = await startServer({ seed: true });
  browser = await launchBrowser();
  page = await browser.newPage();
  [ada, grace, moderator] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "member2@backline.local"),
    signIn(server, "moderator@backline.local"),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("thread lists", () => {
  it("shows latest, top, unanswered, category and tag lists, each with the solved filter", async () => {
    const latest = await html("/latest");
    expect(latest.status).toBe(200);
    for (const title of ["Webhook signature fails after upgrading to 3.2", "Dark mode for the dashboard?"])
      expect(latest.body).toContain(title);
    expect(latest.body).toMatch(/<a [^>]*href="\/latest"[^>]*>Latest<\/a>/);
    for (const nav of ["/top", "/unanswered", "/tags"]) expect(latest.body).toContain(`href="${nav}"`);
    expect(latest.body).toContain("✓ Solved");

    const solved = await html("/latest?solved=true");
    expect(solved.body).toContain("Webhook signature fails after upgrading to 3.2");
    expect(solved.body).not.toContain("Dark mode for the dashboard?");
    expect(solved.body).toContain('<meta name="robots" content="noindex, follow"/>');
    const unsolved = await html("/latest?solved=false");
    expect(unsolved.body).toContain("Dark mode for the dashboard?");
    expect(unsolved.body).not.toContain("Webhook signature fails after upgrading to 3.2");

    const unanswered = await html("/unanswered");
    expect(unanswered.body).toContain("Dark mode for the dashboard?");
    expect(unanswered.body).not.toContain("How do I rotate API keys without downtime?");

    expect((await html("/top")).status).toBe(200);

    const pro = await html("/c/pro");
    expect(pro.body).toContain("How do I rotate API keys without downtime?");
    expect(pro.body).not.toContain("Installation on Debian 12 fails with EACCES");
    expect(pro.body).toContain("Paid support available");
    const proUnsolved = await html("/c/pro?solved=false&sort=top");
    expect(proUnsolved.body).toContain("How do I rotate API keys without downtime?");
    expect(proUnsolved.body).not.toContain("Webhook signature fails");

    const tag = await html("/tags/webhooks");
    expect(tag.body).toContain("Webhook signature fails after upgrading to 3.2");
    expect(tag.body).not.toContain("Dark mode for the dashboard?");
    const tags = await html("/tags");
    expect(tags.body).toContain('href="/tags/webhooks"');
    expect((await html("/tags?q=webh")).body).not.toContain('href="/tags/linux"');

    expect((await html("/c/no-such-category")).status).toBe(404);
    expect((await html("/tags/no-such-tag")).status).toBe(404);
    expect((await html("/latest?cursor=garbage")).status).toBe(400);
  });

  it("pages through a long list with the keyset cursor: no repeats, nothing skipped", async () => {
    const created: string[] = [];
    for (let i = 0; i < 34; i++) created.push((await ask(ada, { title: `Paging question number ${i}`, tags: ["paging"] })).url);

    const first = await html("/tags/paging");
    const firstRows = rows(first.body);
    expect(firstRows).toHaveLength(30);
    expect(firstRows[0]).toBe(created[33]);
    expect(first.body).toContain("34 threads");
    const next = nextLink(first.body);
    expect(next).toMatch(/^\/tags\/paging\?cursor=\d+_\w+$/);
    expect(next).not.toContain("page=");

    const second = await html(next!);
    const secondRows = rows(second.body);
    expect(secondRows).toEqual([created[3], created[2], created[1], created[0]]);
    expect(nextLink(second.body)).toBeNull();
    expect(second.body).toContain("First page");
    expect(second.body).toMatch(/<link rel="canonical" href="[^"]+\/tags\/paging\?cursor=/);

    // The home page's latest section shows the newest threads too.
    expect((await html("/")).body).toContain("Paging question number 33");
    // Deep pages of the latest list are reached the same way.
    const latest = await html("/latest");
    expect(nextLink(latest.body)).toMatch(/^\/latest\?cursor=/);
  });
});

describe("profiles", () => {
  it("shows reputation from helpful votes and accepted answers, in the page and the API", async () => {
    const thread = await ask(ada, { category: "pro", title: "Which port does the agent listen on?" });
    const reply = await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: "Port 8125 by default; set AGENT_PORT to change it." });
    const { id: replyId } = await reply.json();
    const before = await (await new Client(server.url).get("/api/v1/users/grace")).json();
    expect((await ada.post(`/api/v1/posts/${replyId}/votes`)).status).toBe(200);
    expect((await ada.post(`/api/v1/posts/${replyId}/accept`)).status).toBe(200);

    const res = await new Client(server.url).get("/api/v1/users/grace");
    expect(res.status).toBe(200);
    const profile = await res.json();
    expect(profile).toMatchObject({ username: "grace", role: "member", trustLevel: 2 });
    expect(profile.reputation).toBe(before.reputation + 25);
    expect(profile.counts.acceptedAnswers).toBe(before.counts.acceptedAnswers + 1);
    expect(profile.recentReplies[0]).toMatchObject({ threadTitle: "Which port does the agent listen on?", accepted: true, score: 1 });
    expect(profile).not.toHaveProperty("email");

    const pageHtml = await html("/u/grace");
    expect(pageHtml.status).toBe(200);
    expect(pageHtml.body).toMatch(new RegExp(`<strong>${profile.reputation}</strong> Reputation`));
    expect(pageHtml.body).toContain("Which port does the agent listen on?");
    expect(pageHtml.body).toContain("✓ Accepted answer");
    expect(pageHtml.body).toContain('<meta property="og:type" content="profile"/>');

    const missing = await new Client(server.url).get("/api/v1/users/nobody_here");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    expect((await html("/u/nobody_here")).status).toBe(404);
  });
});

describe("feeds, sitemap and canonical URLs", () => {
  const nastyTitle = `Ampersands & <b>tags</b> "quotes" ]]> and 'apostrophes'`;
  let nasty: { id: string; url: string };
  let hidden: { id: string; url: string };

  beforeAll(async () => {
    nasty = await ask(ada, {
      title: nastyTitle,
      body: "Code that ends a CDATA section: `]]>` and markup <script>window.__pwned = 1</script> & more.",
      tags: ["feeds"],
    });
    await grace.post(`/api/v1/threads/${nasty.id}/posts`, { body: "A reply with <b>bold</b> & an ampersand." });
    hidden = await ask(ada, { title: "Hidden thread full of spam links", tags: ["feeds"] });
    const res = await moderator.post(`/api/v1/threads/${hidden.id}/hide`, { reason: "Spam advertising a web shop" });
    expect(res.status).toBe(200);
  });

  it("serves RSS 2.0 and Atom that parse as XML and hold only public content", async () => {
    const feeds = [
      ["/latest.rss", "rss"],
      ["/latest.atom", "feed"],
      ["/c/community/feed.rss", "rss"],
      ["/c/community/feed.atom", "feed"],
      [`/t/${nasty.id}/feed.rss`, "rss"],
      [`/t/${nasty.id}/feed.atom`, "feed"],
    ] as const;
    for (const [path, root] of feeds) {
      const res = await new Client(server.url).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe(
        root === "rss" ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8",
      );
      const doc = await parseXml(await res.text());
      expect(doc.error, path).toBeNull();
      expect(doc.root).toBe(root);
      if (root === "feed") expect(doc.namespace).toBe("http://www.w3.org/2005/Atom");
      expect(
        doc.itemTitles.some((t) => t.includes(nastyTitle)),
        path,
      ).toBe(true);
      expect(doc.itemTitles).not.toContain("Hidden thread full of spam links");
      // The body HTML arrives intact after unescaping, already sanitized: no script element.
      expect(doc.contents.join("\n")).toContain("]]&gt;");
      expect(doc.contents.join("\n")).not.toMatch(/<script/i);
    }
    const thread = await parseXml(await (await new Client(server.url).get(`/t/${nasty.id}/feed.rss`)).text());
    expect(thread.itemTitles).toEqual([`Re: ${nastyTitle}`, nastyTitle]);

    // Feed readers poll: an unchanged feed answers 304 to its ETag.
    const first = await new Client(server.url).get("/c/community/feed.atom");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await new Client(server.url).get("/c/community/feed.atom", { "If-None-Match": etag! });
    expect(again.status).toBe(304);

    expect((await new Client(server.url).get(`/t/${hidden.id}/feed.rss`)).status).toBe(404);
    expect((await new Client(server.url).get("/c/no-such-category/feed.atom")).status).toBe(404);
  });

  it("announces feeds and canonical URLs in the pages", async () => {
    const category = await html("/c/community");
    expect(category.body).toContain(
      '<link rel="alternate" type="application/rss+xml" title="Community Edition (RSS)" href="/c/community/feed.rss"/>',
    );
    expect(category.body).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Community Edition (Atom)" href="/c/community/feed.atom"/>',
    );
    expect(category.body).toMatch(/<link rel="canonical" href="http:\/\/[^"]+\/c\/community"\/>/);
    expect(category.body).toContain('<meta property="og:title" content="Community Edition"/>');
    expect(category.body).toContain('<meta name="twitter:card" content="summary"/>');
    expect((await html("/latest")).body).toContain('href="/latest.rss"');
    expect((await html("/")).body).toContain('href="/latest.atom"');
  });

  it("lists categories and public threads in sitemap.xml, never hidden ones", async () => {
    const res = await new Client(server.url).get("/sitemap.xml");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const doc = await parseXml(await res.text());
    expect(doc.error).toBeNull();
    expect(doc.root).toBe("urlset");
    const paths = doc.locs.map((l) => new URL(l).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/", "/latest", "/c/pro", "/c/community", nasty.url]));
    expect(paths.some((p) => p.includes(hidden.id))).toBe(false);
    expect(paths.some((p) => p.startsWith("/tickets"))).toBe(false);
  });
});
