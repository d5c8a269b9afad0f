import { createHash } from "node:crypto";
import { tagsInTypedOrder } from "~/models/community/thread-tags";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { SITE_NAME } from "~/utils/seo";
import { siteOrigin } from "~/utils/url.server";
import { parseOrThrow } from "~/utils/validation";
import { el, wrap, XML_DECLARATION } from "~/utils/xml";
import { postUrl } from "~/models/community/post.server";
import { threadUrl } from "~/models/community/thread.server";
import { notRemovedWhere } from "~/models/community/visibility.server";

// Feeds and sitemaps are read by anyone: only public, visible content goes in.
// Tickets live in their own tables and are never read here.
const visibleThread = { ...notRemovedWhere } satisfies Prisma.ThreadWhereInput;
const visiblePost = { ...notRemovedWhere } satisfies Prisma.PostWhereInput;

export const FEED_SIZE = 30;
export const THREAD_FEED_SIZE = 50;

export type FeedEntry = {
  id: string;
  title: string;
  url: string;
  author: string;
  published: Date;
  updated: Date;
  html: string;
  categories: string[];
};

export type Feed = {
  title: string;
  description: string;
  /** The HTML page this feed mirrors. */
  pageUrl: string;
  /** The feed's own URL without its extension; ".rss" / ".atom" are appended. */
  feedBase: string;
  updated: Date;
  entries: FeedEntry[];
};

// Stored HTML links within the site with paths ("/u/ada"); feed readers need absolute URLs.
const absolutize = (html: string, origin: string) => html.replace(/(\s(?:href|src))="\/(?!\/)/g, `$1="${origin}/`);

const threadFeedSelect = {
  id: true,
  slug: true,
  title: true,
  createdAt: true,
  lastPostAt: true,
  author: { select: { username: true } },
  category: { select: { name: true } },
  tags: tagsInTypedOrder,
  posts: { where: { number: 0, ...visiblePost }, select: { bodyHtml: true } },
} satisfies Prisma.ThreadSelect;

type ThreadFeedRow = Prisma.ThreadGetPayload<{ select: typeof threadFeedSelect }>;

const threadEntry = (t: ThreadFeedRow, origin: string): FeedEntry => ({
  id: `${origin}/t/${t.id}`,
  title: t.title,
  url: `${origin}${threadUrl(t)}`,
  author: t.author.username,
  published: t.createdAt,
  updated: t.lastPostAt,
  html: absolutize(t.posts[0]?.bodyHtml ?? "", origin),
  categories: [t.category.name, ...t.tags.map((x) => x.tag.name)],
});

// Newest activity first: the order of the "latest" lists, served by their index.
const recentThreads = (where: Prisma.ThreadWhereInput) =>
  db.thread.findMany({
    where: { ...where, ...visibleThread },
    orderBy: [{ lastPostAt: "desc" }, { id: "desc" }],
    take: FEED_SIZE,
    select: threadFeedSelect,
  });

const newest = (entries: FeedEntry[], fallback: Date) =>
  entries.reduce((max, e) => (e.updated > max ? e.updated : max), entries.length ? entries[0]!.updated : fallback);

export async function latestFeed(): Promise<Feed> {
  const origin = siteOrigin();
  const entries = (await recentThreads({})).map((t) => threadEntry(t, origin));
  return {
    title: `${SITE_NAME}: latest threads`,
    description: "The most recently active public threads.",
    pageUrl: `${origin}/latest`,
    feedBase: `${origin}/latest`,
    updated: newest(entries, new Date(0)),
    entries,
  };
}

export async function categoryFeed(slug: string): Promise<Feed> {
  const origin = siteOrigin();
  const category = await db.category.findUnique({
    where: { slug },
    select: { id: true, slug: true, name: true, description: true, createdAt: true },
  });
  if (!category) throw notFound("No such category.");
  const entries = (await recentThreads({ categoryId: category.id })).map((t) => threadEntry(t, origin));
  return {
    title: `${SITE_NAME}: ${category.name}`,
    description: category.description || `Latest threads in ${category.name}.`,
    pageUrl: `${origin}/c/${category.slug}`,
    feedBase: `${origin}/c/${category.slug}/feed`,
    updated: newest(entries, category.createdAt),
    entries,
  };
}

/** The question and its newest replies; a hidden or deleted thread has no feed. */
export async function threadFeed(threadId: string): Promise<Feed> {
  const origin = siteOrigin();
  const thread = await db.thread.findFirst({
    where: { id: threadId, ...visibleThread },
    select: { id: true, slug: true, title: true, lastPostAt: true, category: { select: { name: true } } },
  });
  if (!thread) throw notFound("This thread does not exist or was removed.");
  const posts = await db.post.findMany({
    where: { threadId: thread.id, ...visiblePost },
    orderBy: { number: "desc" },
    take: THREAD_FEED_SIZE,
    select: { id: true, number: true, bodyHtml: true, createdAt: true, editedAt: true, author: { select: { username: true } } },
  });
  const entries = posts.map<FeedEntry>((p) => ({
    id: `${origin}/t/${thread.id}#post-${p.number}`,
    title: p.number === 0 ? thread.title : `Re: ${thread.title}`,
    url: `${origin}${postUrl(thread, p.number)}`,
    author: p.author.username,
    published: p.createdAt,
    updated: p.editedAt && p.editedAt > p.createdAt ? p.editedAt : p.createdAt,
    html: absolutize(p.bodyHtml, origin),
    categories: [thread.category.name],
  }));
  return {
    title: `${SITE_NAME}: ${thread.title}`,
    description: `Posts in “${thread.title}”.`,
    pageUrl: `${origin}${threadUrl(thread)}`,
    feedBase: `${origin}/t/${thread.id}/feed`,
    updated: newest(entries, thread.lastPostAt),
    entries,
  };
}

// RFC 822 dates as RSS 2.0 requires; toUTCString() produces exactly that form.
const rfc822 = (d: Date) => d.toUTCString();

export function renderRss(feed: Feed): string {
  const items = feed.entries.map((e) =>
    wrap("item", null, [
      el("title", null, e.title),
      el("link", null, e.url),
      el("guid", { isPermaLink: "false" }, e.id),
      el("pubDate", null, rfc822(e.published)),
      el("dc:creator", null, e.author),
      ...e.categories.map((c) => el("category", null, c)),
      // HTML travels as escaped text, which is safe whatever the post contains (even "]]>").
      el("description", null, e.html),
    ]),
  );
  const channel = wrap("channel", null, [
    el("title", null, feed.title),
    el("link", null, feed.pageUrl),
    el("description", null, feed.description),
    el("language", null, "en"),
    el("lastBuildDate", null, rfc822(feed.updated)),
    el("generator", null, SITE_NAME),
    el("atom:link", { href: `${feed.feedBase}.rss`, rel: "self", type: "application/rss+xml" }),
    ...items,
  ]);
  return `${XML_DECLARATION}\n${wrap(
    "rss",
    { version: "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom", "xmlns:dc": "http://purl.org/dc/elements/1.1/" },
    [channel],
  )}\n`;
}

export function renderAtom(feed: Feed): string {
  const entries = feed.entries.map((e) =>
    wrap("entry", null, [
      el("id", null, e.id),
      el("title", { type: "text" }, e.title),
      el("link", { rel: "alternate", type: "text/html", href: e.url }),
      el("published", null, e.published.toISOString()),
      el("updated", null, e.updated.toISOString()),
      wrap("author", null, [el("name", null, e.author)]),
      ...e.categories.map((c) => el("category", { term: c })),
      el("content", { type: "html" }, e.html),
    ]),
  );
  return `${XML_DECLARATION}\n${wrap("feed", { xmlns: "http://www.w3.org/2005/Atom" }, [
    el("id", null, `${feed.feedBase}.atom`),
    el("title", { type: "text" }, feed.title),
    el("subtitle", { type: "text" }, feed.description),
    el("link", { rel: "self", type: "application/atom+xml", href: `${feed.feedBase}.atom` }),
    el("link", { rel: "alternate", type: "text/html", href: feed.pageUrl }),
    el("updated", null, feed.updated.toISOString()),
    el("generator", null, SITE_NAME),
    ...entries,
  ])}\n`;
}

const FEED_CONTENT_TYPES = { rss: "application/rss+xml; charset=utf-8", atom: "application/atom+xml; charset=utf-8" } as const;

/**
 * An XML answer with an ETag of its bytes: feed readers poll often and get a
 * 304 while nothing changed. (Not Last-Modified: hiding a thread changes the
 * feed without changing any date in it.)
 */
export function xmlResponse(request: Request, body: string, contentType: string, maxAgeSeconds: number): Response {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers = { "Content-Type": contentType, "Cache-Control": `public, max-age=${maxAgeSeconds}`, ETag: etag };
  const known = request.headers
    .get("If-None-Match")
    ?.split(",")
    .map((t) => t.trim().replace(/^W\//, ""));
  if (known?.includes(etag) || known?.includes("*")) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
}

export function feedResponse(request: Request, feed: Feed, format: "rss" | "atom"): Response {
  return xmlResponse(request, format === "rss" ? renderRss(feed) : renderAtom(feed), FEED_CONTENT_TYPES[format], 300);
}

// ---- sitemap.xml --------------------------------------------------------

/** The sitemaps.org limit per file; bigger forums get a sitemap index. */
export const SITEMAP_LIMIT = 50_000;

export const sitemapQuerySchema = z.object({
  section: z.enum(["pages", "threads"]).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

type UrlEntry = { loc: string; lastmod?: Date };

async function pageUrls(origin: string): Promise<UrlEntry[]> {
  const [categories, activity] = await Promise.all([
    db.category.findMany({ orderBy: [{ position: "asc" }, { name: "asc" }], select: { id: true, slug: true, updatedAt: true } }),
    db.thread.groupBy({ by: ["categoryId"], where: visibleThread, _max: { lastPostAt: true } }),
  ]);
  const lastByCategory = new Map(activity.map((a) => [a.categoryId, a._max.lastPostAt]));
  const latest = activity.reduce<Date | undefined>(
    (max, a) => (a._max.lastPostAt && (!max || a._max.lastPostAt > max) ? a._max.lastPostAt : max),
    undefined,
  );
  return [
    { loc: `${origin}/`, lastmod: latest },
    { loc: `${origin}/latest`, lastmod: latest },
    { loc: `${origin}/top` },
    { loc: `${origin}/unanswered` },
    { loc: `${origin}/tags` },
    ...categories.map((c) => ({ loc: `${origin}/c/${c.slug}`, lastmod: lastByCategory.get(c.id) ?? c.updatedAt })),
  ];
}

async function threadUrls(origin: string, page: number, limit: number): Promise<UrlEntry[]> {
  const threads = await db.thread.findMany({
    where: visibleThread,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    skip: (page - 1) * limit,
    take: limit,
    select: { id: true, slug: true, lastPostAt: true },
  });
  return threads.map((t) => ({ loc: `${origin}${threadUrl(t)}`, lastmod: t.lastPostAt }));
}

const urlset = (urls: UrlEntry[]) =>
  `${XML_DECLARATION}\n${wrap(
    "urlset",
    { xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9" },
    urls.map((u) => wrap("url", null, [el("loc", null, u.loc), ...(u.lastmod ? [el("lastmod", null, u.lastmod.toISOString())] : [])])),
  )}\n`;

/**
 * One urlset while everything fits in `limit` URLs; beyond that an index of
 * sitemap.xml?section=pages and sitemap.xml?section=threads&page=N files.
 */
export async function sitemap(input: unknown, limit = SITEMAP_LIMIT): Promise<string> {
  const origin = siteOrigin();
  const q = parseOrThrow(sitemapQuerySchema, input);
  if (q.section === "pages") return urlset(await pageUrls(origin));
  if (q.section === "threads") {
    const urls = await threadUrls(origin, q.page, limit);
    if (!urls.length && q.page > 1) throw notFound("No such sitemap page.");
    return urlset(urls);
  }
  const [pages, threadCount] = await Promise.all([pageUrls(origin), db.thread.count({ where: visibleThread })]);
  if (pages.length + threadCount <= limit) return urlset([...pages, ...(await threadUrls(origin, 1, limit))]);
  const threadPages = Math.ceil(threadCount / limit);
  const sitemaps = [
    `${origin}/sitemap.xml?section=pages`,
    ...Array.from({ length: threadPages }, (_, i) => `${origin}/sitemap.xml?section=threads&page=${i + 1}`),
  ];
  return `${XML_DECLARATION}\n${wrap(
    "sitemapindex",
    { xmlns: "http://www.sitemaps.org/schemas/sitemap/0.9" },
    sitemaps.map((loc) => wrap("sitemap", null, [el("loc", null, loc)])),
  )}\n`;
}
