import { db } from "~/services/db.server";
import type { SearchDocument, ThreadDocuments } from "./engine";
import { stripMarkers } from "./highlight";
import { MAX_BODY_CHARS } from "./settings";

// The only place search documents are made. Only public forum content passes
// through here: a thread or post that is hidden or deleted yields nothing, and
// private tickets are never read (docs/product.md §3).

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

/** Sanitized post HTML → the plain text that is indexed and excerpted. */
export function htmlToText(html: string): string {
  const text = decodeEntities(
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
      .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|pre|blockquote|tr|table|ul|ol|details|summary)>/gi, "\n")
      .replace(/<\/t[dh]>/gi, " ")
      .replace(/<[^>]*>/g, ""),
  );
  return cleanText(text).slice(0, MAX_BODY_CHARS);
}

/** No control characters (PostgreSQL rejects NUL), no highlight markers, tidy whitespace. */
export function cleanText(text: string): string {
  return stripMarkers(text)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ")
    .replace(/[ \t\u00a0]+/g, " ")
    .replace(/ ?\n[\s]*/g, "\n")
    .trim();
}

const threadSelect = {
  id: true,
  title: true,
  hidden: true,
  deletedAt: true,
  acceptedPostId: true,
  category: { select: { slug: true, name: true } },
  tags: { select: { tag: { select: { name: true } } } },
  posts: {
    where: { hidden: false, deletedAt: null },
    orderBy: { number: "asc" as const },
    select: { id: true, number: true, bodyHtml: true, createdAt: true, author: { select: { username: true } } },
  },
} as const;

type ThreadRow = {
  id: string;
  title: string;
  hidden: boolean;
  deletedAt: Date | null;
  acceptedPostId: string | null;
  category: { slug: string; name: string };
  tags: { tag: { name: string } }[];
  posts: { id: string; number: number; bodyHtml: string; createdAt: Date; author: { username: string } }[];
};

function toDocuments(thread: ThreadRow): SearchDocument[] {
  if (thread.hidden || thread.deletedAt) return [];
  const title = cleanText(thread.title);
  const tags = thread.tags.map((t) => t.tag.name).sort();
  const acceptedVisible = thread.posts.some((p) => p.id === thread.acceptedPostId);
  return thread.posts.map((post) => ({
    id: post.id,
    threadId: thread.id,
    postId: post.id,
    postNumber: post.number,
    title,
    body: htmlToText(post.bodyHtml),
    categorySlug: thread.category.slug,
    categoryName: thread.category.name,
    tags,
    // An accepted answer that was hidden since no longer makes the thread solved in search.
    solved: acceptedVisible,
    isAccepted: post.id === thread.acceptedPostId,
    authorUsername: post.author.username,
    createdAt: post.createdAt.getTime(),
    visibility: "public",
  }));
}

/** The current public documents of each thread; a missing, hidden or deleted thread has none. */
export async function loadThreadDocuments(threadIds: string[]): Promise<ThreadDocuments[]> {
  const ids = [...new Set(threadIds)];
  if (!ids.length) return [];
  const rows = (await db.thread.findMany({ where: { id: { in: ids } }, select: threadSelect })) as ThreadRow[];
  const byId = new Map(rows.map((t) => [t.id, t]));
  return ids.map((threadId) => {
    const thread = byId.get(threadId);
    return { threadId, documents: thread ? toDocuments(thread) : [] };
  });
}

/** How many documents a full reindex will write (for its progress bar). */
export function countIndexablePosts(): Promise<number> {
  return db.post.count({ where: { hidden: false, deletedAt: null, thread: { hidden: false, deletedAt: null } } });
}

/** Every visible thread's documents, a batch of threads at a time, in id order. */
export async function* allThreadDocuments(threadsPerBatch = 200): AsyncGenerator<ThreadDocuments[]> {
  let cursor: string | undefined;
  for (;;) {
    const rows = (await db.thread.findMany({
      where: { hidden: false, deletedAt: null, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: threadsPerBatch,
      select: threadSelect,
    })) as ThreadRow[];
    if (!rows.length) return;
    cursor = rows[rows.length - 1]!.id;
    yield rows.map((t) => ({ threadId: t.id, documents: toDocuments(t) }));
  }
}
