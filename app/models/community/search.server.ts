import { z } from "zod";
import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { AppError } from "~/utils/errors";
import { postUrl, threadUrl } from "~/utils/urls";
import { cleanLine } from "~/utils/text";
import { parseOrThrow } from "~/utils/validation";
import { htmlToText } from "#search/documents.server";
import { SearchEngineError, type Facets, type SearchFilters, type SearchHit, type Visibility } from "#search/engine";
import { getSearchEngine } from "#search/index.server";
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from "#search/settings";
import { enforce } from "~/models/rate-limit.server";
import type { Viewer } from "~/models/viewer";
import { isRemoved, notRemovedWhere } from "~/models/community/visibility.server";

// Forum search and "similar threads" (docs/product.md §3). The index answers; the
// database has the last word on what may be shown, so a post hidden a moment
// ago never appears even before the worker has updated the index.

const optionalText = (max: number) =>
  z
    .string()
    .overwrite(cleanLine)
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2025-01-31.")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), "Not a real date.")
  .optional()
  .or(z.literal("").transform(() => undefined));

export const searchQuerySchema = z
  .object({
    // Longer text is accepted and cut: a pasted error message is a fair query.
    q: z
      .string()
      .optional()
      .transform((v) => (v ?? "").slice(0, 2000)),
    category: optionalText(100).describe("Category slug"),
    tag: optionalText(60),
    solved: z
      .enum(["true", "false", ""])
      .optional()
      .transform((v) => (v === "true" ? true : v === "false" ? false : undefined)),
    author: optionalText(60).describe("Username"),
    from: day.describe("Posts written on or after this day (YYYY-MM-DD, UTC)"),
    to: day.describe("Posts written on or before this day (YYYY-MM-DD, UTC)"),
    sort: z.enum(["relevance", "newest"]).default("relevance"),
    page: z.coerce.number().int().min(1).max(1000).default(1),
    perPage: z.coerce.number().int().min(1).max(MAX_PER_PAGE).default(DEFAULT_PER_PAGE),
  })
  // No schema id: the OpenAPI builder turns the properties of an inline query schema into parameters.
  .describe("Search parameters");

export type SearchParams = z.output<typeof searchQuerySchema>;
export const parseSearchParams = (input: unknown): SearchParams => parseOrThrow(searchQuerySchema, input);

export const similarQuerySchema = z
  .object({
    title: z
      .string()
      .optional()
      .transform((v) => (v ?? "").slice(0, 300)),
    excludeThreadId: optionalText(64).describe("Leave this thread out (e.g. the one being escalated)"),
  })
  .describe("Similar-thread parameters");

export type SimilarParams = z.output<typeof similarQuerySchema>;
export const parseSimilarParams = (input: unknown): SimilarParams => parseOrThrow(similarQuerySchema, input);

/**
 * Every search runs a full-text query: one member, or one anonymous client
 * address, gets SEARCH_RATE_PER_MINUTE of them (page and API together), so a
 * scraper or a runaway script cannot starve everyone else.
 */
export async function enforceSearchRate(subject: { key: string; from: string }) {
  const max = getEnv().SEARCH_RATE_PER_MINUTE;
  if (max > 0) await enforce({ key: `search:${subject.key}`, max, windowSeconds: 60, what: `searches from ${subject.from}` });
}

/** Everyone searches public content here; private tickets will have their own, maintainer-only search. */
const FORUM_VISIBILITY: Visibility[] = ["public"];

const unavailable = (error: unknown) => {
  logger.warn(`search unavailable: ${error instanceof Error ? error.message : String(error)}`);
  return new AppError(503, "search_unavailable", "Search is not available right now. Try again in a minute.", undefined, {
    "Retry-After": "30",
  });
};

function toFilters(p: SearchParams): SearchFilters {
  const to = p.to ? new Date(Date.parse(`${p.to}T00:00:00Z`) + 86_400_000) : undefined;
  return {
    category: p.category,
    tags: p.tag ? [p.tag.toLowerCase()] : undefined,
    solved: p.solved,
    author: p.author,
    from: p.from ? new Date(`${p.from}T00:00:00Z`) : undefined,
    to,
  };
}

export type ForumSearchHit = {
  threadId: string;
  postId: string;
  title: string;
  titleHtml: string;
  snippet: string;
  url: string;
  category: { slug: string; name: string };
  tags: string[];
  solved: boolean;
  isAccepted: boolean;
  author: string;
  createdAt: string;
};

export type ForumSearchResult = {
  hits: ForumSearchHit[];
  facets: Facets;
  total: number;
  page: number;
  perPage: number;
  pages: number;
  sort: "relevance" | "newest";
};

/** Drops hits whose thread or post the database now says are hidden, deleted or gone. */
async function visibleOnly(hits: SearchHit[]) {
  if (!hits.length) return [];
  // Rooted at the posts (one key look-up each), not at their threads: a thread's lateral join would read every
  // post of a long thread to find the one hit on it.
  const removable = { hidden: true, deletedAt: true } as const;
  const posts = await db.post.findMany({
    where: { id: { in: hits.map((h) => h.postId) } },
    select: { id: true, threadId: true, ...removable, thread: { select: { slug: true, ...removable } } },
  });
  const byId = new Map(posts.map((p) => [p.id, p]));
  return hits.flatMap((h) => {
    const post = byId.get(h.postId);
    if (!post || post.threadId !== h.threadId || isRemoved(post, post.thread)) return [];
    return [{ hit: h, slug: post.thread.slug }];
  });
}

/** Parameters come parsed (parseSearchParams, or the API endpoint's query schema). */
export async function searchForum(params: SearchParams, _viewer: Viewer): Promise<ForumSearchResult> {
  let result;
  try {
    result = await getSearchEngine().search({
      q: params.q,
      filters: toFilters(params),
      sort: params.sort,
      page: params.page,
      perPage: params.perPage,
      visibility: FORUM_VISIBILITY,
    });
  } catch (error) {
    if (error instanceof SearchEngineError) throw unavailable(error);
    throw error;
  }
  const visible = await visibleOnly(result.hits);
  // Hits the index still had but the database no longer shows are not counted either.
  const dropped = result.hits.length - visible.length;
  const total = Math.max(visible.length, result.total - dropped);
  return {
    hits: visible.map(({ hit, slug }) => ({
      threadId: hit.threadId,
      postId: hit.postId,
      title: hit.title,
      titleHtml: hit.titleHtml,
      snippet: hit.snippetHtml,
      url: hit.postNumber > 0 ? postUrl({ id: hit.threadId, slug }, hit.postNumber) : threadUrl({ id: hit.threadId, slug }),
      category: { slug: hit.categorySlug, name: hit.categoryName },
      tags: hit.tags,
      solved: hit.solved,
      isAccepted: hit.isAccepted,
      author: hit.authorUsername,
      createdAt: new Date(hit.createdAt).toISOString(),
    })),
    facets: result.facets,
    total,
    page: result.page,
    perPage: result.perPage,
    pages: Math.ceil(total / result.perPage),
    sort: params.sort,
  };
}

export type SimilarThreadResult = {
  threadId: string;
  title: string;
  url: string;
  solved: boolean;
  category: { slug: string; name: string };
  replyCount: number;
  acceptedAnswer: { postId: string; author: string; excerpt: string; url: string } | null;
};

export const SIMILAR_LIMIT = 5;

/** The first lines of an answer, as plain text. */
function firstLines(html: string, maxChars = 220): string {
  const lines = htmlToText(html)
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, 3)
    .join(" ");
  if (lines.length <= maxChars) return lines;
  const cut = lines.slice(0, maxChars);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), maxChars / 2))}…`;
}

/** Up to five existing threads close to a draft title, solved ones first, each with its accepted answer's first lines. */
export async function similarThreads({ title, excludeThreadId }: SimilarParams, _viewer: Viewer): Promise<SimilarThreadResult[]> {
  if (title.trim().length < 3) return [];
  let found;
  try {
    found = await getSearchEngine().similar({ title, limit: 12, excludeThreadId, visibility: FORUM_VISIBILITY });
  } catch (error) {
    if (error instanceof SearchEngineError) throw unavailable(error);
    throw error;
  }
  if (!found.length) return [];
  const threads = await db.thread.findMany({
    where: { id: { in: found.map((f) => f.threadId) }, ...notRemovedWhere },
    select: {
      id: true,
      slug: true,
      title: true,
      replyCount: true,
      category: { select: { slug: true, name: true } },
      acceptedPost: {
        select: { id: true, number: true, bodyHtml: true, hidden: true, deletedAt: true, author: { select: { username: true } } },
      },
    },
  });
  const byId = new Map(threads.map((t) => [t.id, t]));
  const results = found.flatMap((f): SimilarThreadResult[] => {
    const t = byId.get(f.threadId);
    if (!t) return [];
    const accepted = t.acceptedPost && !t.acceptedPost.hidden && !t.acceptedPost.deletedAt ? t.acceptedPost : null;
    return [
      {
        threadId: t.id,
        title: t.title,
        url: threadUrl(t),
        solved: accepted !== null,
        category: t.category,
        replyCount: t.replyCount,
        acceptedAnswer: accepted
          ? {
              postId: accepted.id,
              author: accepted.author.username,
              excerpt: firstLines(accepted.bodyHtml),
              url: postUrl(t, accepted.number),
            }
          : null,
      },
    ];
  });
  // Stable: within solved and unsolved, the engine's order (closest first) is kept.
  return [...results.filter((r) => r.solved), ...results.filter((r) => !r.solved)].slice(0, SIMILAR_LIMIT);
}
