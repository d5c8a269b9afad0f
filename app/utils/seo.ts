import type { MetaDescriptor } from "@remix-run/node";

export const SITE_NAME = "Backline";

export type FeedLink = { type: "rss" | "atom"; href: string; title: string };

export type SeoInput = {
  /** The page's own title; the document title gets " · Backline" appended. */
  title: string;
  description: string;
  /** Absolute canonical URL (origin from the loader, `siteOrigin()`). */
  url: string;
  type?: "website" | "article" | "profile";
  image?: string;
  /** Feeds announced with <link rel="alternate"> so readers and browsers find them. */
  feeds?: FeedLink[];
  /** Filtered or deep list pages: crawlers follow links but do not index them. */
  noindex?: boolean;
};

const FEED_TYPES = { rss: "application/rss+xml", atom: "application/atom+xml" } as const;

/** Canonical, description, OpenGraph and Twitter tags for one page, as Remix meta descriptors. */
export function seoMeta({ title, description, url, type = "website", image, feeds = [], noindex }: SeoInput): MetaDescriptor[] {
  const text = oneLine(description, 200);
  const tags: MetaDescriptor[] = [
    { title: `${title} · ${SITE_NAME}` },
    { name: "description", content: text },
    { tagName: "link", rel: "canonical", href: url },
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:type", content: type },
    { property: "og:title", content: title },
    { property: "og:description", content: text },
    { property: "og:url", content: url },
    { name: "twitter:card", content: image ? "summary_large_image" : "summary" },
    { name: "twitter:title", content: title },
    { name: "twitter:description", content: text },
  ];
  if (image) tags.push({ property: "og:image", content: image }, { name: "twitter:image", content: image });
  if (noindex) tags.push({ name: "robots", content: "noindex, follow" });
  for (const feed of feeds) {
    tags.push({ tagName: "link", rel: "alternate", type: FEED_TYPES[feed.type], title: feed.title, href: feed.href });
  }
  return tags;
}

/** RSS and Atom links for a feed base path such as "/c/pro/feed" or "/latest". */
export const feedLinks = (base: string, title: string): FeedLink[] => [
  { type: "rss", href: `${base}.rss`, title: `${title} (RSS)` },
  { type: "atom", href: `${base}.atom`, title: `${title} (Atom)` },
];

/** Joins the site origin and a path (or keeps an absolute URL as it is). */
export const absoluteUrl = (origin: string, path: string) => (/^https?:\/\//i.test(path) ? path : `${origin.replace(/\/$/, "")}${path}`);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'", nbsp: " " };

/** Plain text of stored post HTML, for descriptions and excerpts (never rendered as HTML). */
export function textExcerpt(html: string, max = 200): string {
  const text = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) => ENTITIES[e] ?? " ")
    .replace(/&#(\d+);/g, (_, n: string) => safeCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => safeCodePoint(parseInt(n, 16)));
  return oneLine(text, max);
}

function safeCodePoint(n: number) {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : " ";
}

/** Collapses whitespace and cuts at a word boundary with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
