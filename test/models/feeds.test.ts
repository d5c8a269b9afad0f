import { describe, expect, it } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { categoryFeed, latestFeed, renderAtom, renderRss, sitemap, threadFeed } from "~/models/community/feed.server";
import { deleteThread, hideThread } from "~/models/moderation/thread-moderation.server";
import { hidePost } from "~/models/moderation/post-moderation.server";
import { createReply } from "~/models/community/post.server";
import { createThread, threadUrl } from "~/models/community/thread.server";
import { escapeXml } from "~/utils/xml";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

useTestDatabase();

const origin = "https://forum.example.com";
// Links come from the configured origin (PUBLIC_URL), never from a request.
process.env.PUBLIC_URL = origin;
resetEnvForTests();
const ask = (category: string, title: string) => ({ category, title, body: "What is the recommended way to do this in production?" });

describe("feeds", () => {
  it("lists only visible threads of a category, newest activity first, with absolute links", async () => {
    const cat = await makeCategory();
    const [author, helper] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const older = await createThread(author, ask(cat.slug, "Older question about backups"));
    const hidden = await createThread(author, ask(cat.slug, "Hidden question with spam links"));
    await createReply(helper, older.id, { body: "See @" + author.username + " for the backup script." });
    await hideThread(moderator, hidden.id, { reason: "Spam advertising a web shop" });

    const feed = await categoryFeed(cat.slug);
    expect(feed.entries.map((e) => e.title)).toEqual(["Older question about backups"]);
    expect(feed.entries[0]!.url).toBe(`${origin}${threadUrl(older)}`);
    expect(feed.feedBase).toBe(`${origin}/c/${cat.slug}/feed`);
    expect((await latestFeed()).entries.map((e) => e.title)).not.toContain("Hidden question with spam links");
    await expect(categoryFeed("no-such-category")).rejects.toMatchObject({ status: 404 });
  });

  it("gives a thread's visible posts, and no feed at all for a hidden or deleted thread", async () => {
    const cat = await makeCategory();
    const [author, helper] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const t = await createThread(author, ask(cat.slug, "Question with a hidden reply"));
    await createReply(helper, t.id, { body: "Ask @" + author.username + " about the [docs](/docs) page." });
    const bad = await createReply(helper, t.id, { body: "This reply gets hidden by a moderator." });
    await hidePost(moderator, bad.id, { reason: "Off-topic advertising" });

    const feed = await threadFeed(t.id);
    expect(feed.entries.map((e) => e.title)).toEqual(["Re: Question with a hidden reply", "Question with a hidden reply"]);
    expect(feed.entries[0]!.html).toContain(`href="${origin}/u/${author.username}"`);
    expect(feed.entries.map((e) => e.html).join("")).not.toContain("gets hidden");

    await deleteThread(moderator, t.id, { reason: "Duplicate of an older thread" });
    await expect(threadFeed(t.id)).rejects.toMatchObject({ status: 404 });
  });

  it("escapes titles and HTML so that any text stays well-formed XML", () => {
    const nasty = `Tom & Jerry's <script>alert("x")</script> ]]> \u0001done`;
    const feed = {
      title: nasty,
      description: nasty,
      pageUrl: `${origin}/c/x?a=1&b=2`,
      feedBase: `${origin}/c/x/feed`,
      updated: new Date("2026-01-02T03:04:05Z"),
      entries: [
        {
          id: `${origin}/t/1`,
          title: nasty,
          url: `${origin}/t/1/x`,
          author: "ada",
          published: new Date(0),
          updated: new Date(0),
          html: "<p>a ]]> b</p>",
          categories: ["C&C"],
        },
      ],
    };
    for (const xml of [renderRss(feed), renderAtom(feed)]) {
      expect(xml).not.toContain("<script>");
      expect(xml).not.toContain("]]>");
      expect(xml).not.toContain("\u0001");
      expect(xml).toContain("Tom &amp; Jerry&apos;s &lt;script&gt;");
      expect(xml).toContain("&lt;p&gt;a ]]&gt; b&lt;/p&gt;");
      expect(xml).toContain("?a=1&amp;b=2");
    }
    expect(renderRss(feed)).toContain("<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>");
    expect(escapeXml("\uD800 lone surrogate")).toBe(" lone surrogate");
  });
});

describe("sitemap.xml", () => {
  it("lists categories and visible threads with lastmod, never hidden or deleted ones", async () => {
    const cat = await makeCategory();
    const author = await makeUser();
    const moderator = await makeUser({ role: "moderator" });
    const shown = await createThread(author, ask(cat.slug, "A perfectly public question"));
    const hidden = await createThread(author, ask(cat.slug, "A question that gets hidden"));
    const deleted = await createThread(author, ask(cat.slug, "A question that gets deleted"));
    await hideThread(moderator, hidden.id, { reason: "Spam advertising a web shop" });
    await deleteThread(moderator, deleted.id, { reason: "Duplicate of an older thread" });

    const xml = await sitemap({});
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset /);
    expect(xml).toContain(`<loc>${origin}/c/${cat.slug}</loc>`);
    expect(xml).toMatch(new RegExp(`<loc>${origin}${threadUrl(shown)}</loc><lastmod>\\d{4}-\\d\\d-\\d\\dT`));
    expect(xml).not.toContain(hidden.id);
    expect(xml).not.toContain(deleted.id);
  });

  it("becomes an index of smaller sitemaps when there are more URLs than one file may hold", async () => {
    const cat = await makeCategory();
    const author = await makeUser();
    for (let i = 0; i < 5; i++) await createThread(author, ask(cat.slug, `Question number ${i} about sitemaps`));
    const limit = 3;
    const index = await sitemap({}, limit);
    expect(index).toContain("<sitemapindex ");
    const locs = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
    expect(locs[0]).toBe(`${origin}/sitemap.xml?section=pages`);
    expect(locs.slice(1).every((l) => /\?section=threads&page=\d+$/.test(l))).toBe(true);

    const threadLocs = new Set<string>();
    for (const loc of locs.slice(1)) {
      const query = Object.fromEntries(new URL(loc).searchParams);
      const part = await sitemap(query, limit);
      const urls = [...part.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
      expect(urls.length).toBeLessThanOrEqual(limit);
      urls.forEach((u) => threadLocs.add(u));
    }
    expect([...threadLocs].filter((u) => u.includes("question-number-"))).toHaveLength(5);
    expect(await sitemap({ section: "pages" }, limit)).toContain(`${origin}/c/${cat.slug}`);
    await expect(sitemap({ section: "threads", page: "999" }, limit)).rejects.toMatchObject({ status: 404 });
    await expect(sitemap({ section: "tickets" })).rejects.toMatchObject({ status: 400 });
  });
});
