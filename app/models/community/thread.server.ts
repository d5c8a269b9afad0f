import { z } from "zod";
import { tagsInTypedOrder } from "~/models/community/thread-tags";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { extractMentions } from "~/services/markdown.server";
import { badRequest } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { enqueueSearchSync } from "#search/outbox.server";
import { enforcePostingRate, renderForAuthor } from "~/models/community/content-policy.server";
import { notify } from "~/models/notifications/notification.server";
import { refreshTrustLevel } from "~/models/community/reputation.server";
import { isModerator, type Viewer } from "~/models/viewer";
import { can } from "~/models/permissions";
import { findVisibleThread, isRemoved, isVisibleTo, notRemovedWhere } from "~/models/community/visibility.server";
import { POSTS_PER_PAGE, threadUrl } from "~/utils/urls";
import { cleanLine, withoutNulls, hasVisibleText, NOTHING_VISIBLE, showsAtLeast } from "~/utils/text";
import { usernameIs } from "~/models/accounts/user.server";
import type { Author } from "~/models/types";
import { STANDING_TICKET_STATES } from "~/models/tickets/state";

export { POSTS_PER_PAGE, threadUrl };

export const THREADS_PER_PAGE = 30;

export const bodySchema = z
  .string()
  .overwrite(withoutNulls)
  .trim()
  .min(10, "Write at least 10 characters.")
  .max(50_000, "At most 50,000 characters.")
  .refine(hasVisibleText, NOTHING_VISIBLE)
  .refine(showsAtLeast(10), "Write at least 10 characters.");

export const titleSchema = z
  .string()
  .overwrite(cleanLine)
  .min(8, "Write a title of at least 8 characters.")
  .max(150, "At most 150 characters.")
  .refine(hasVisibleText, NOTHING_VISIBLE)
  .refine(showsAtLeast(8), "Write a title of at least 8 characters.");

const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9+#.-]{0,29}$/, "Tags are 1–30 letters, digits, dashes or dots.");

export const tagsSchema = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) => (typeof v === "string" ? v.split(/[,\s]+/) : (v ?? [])).map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(tagSchema).max(5, "At most 5 tags."))
  // In the order typed (the asker's first tag is their main one); tagSchema lower-cases, so "Redis, redis" is one tag.
  .transform((tags) => [...new Set(tags)]);

export const createThreadSchema = z
  .object({
    category: z.string().trim().min(1, "Choose a category."),
    title: titleSchema,
    body: bodySchema,
    tags: tagsSchema,
  })
  .meta({ id: "CreateThread" });

export const listThreadsSchema = z
  .object({
    category: z.string().optional(),
    tag: z.string().optional(),
    solved: z
      .enum(["true", "false"])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "true")),
    sort: z.enum(["latest", "top", "unanswered"]).default("latest"),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    cursor: z.string().max(200).optional(),
  })
  .meta({ id: "ListThreadsQuery" });

// Parsed once, where the request comes in (endpoint or page loader): the schema transforms, so its output is not valid input.
export type ListThreadsQuery = z.output<typeof listThreadsSchema>;
export const parseListThreadsQuery = (input: unknown): ListThreadsQuery => parseOrThrow(listThreadsSchema, input);

export const slugify = (title: string) =>
  title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80) || "thread";

export async function createThread(author: Author, input: unknown) {
  const data = parseOrThrow(createThreadSchema, input);
  const category = await db.category.findUnique({ where: { slug: data.category }, select: { id: true } });
  if (!category) throw badRequest("That category does not exist.", { category: "Choose an existing category." });
  await enforcePostingRate(author);
  const bodyHtml = renderForAuthor(author, data.body);
  const now = new Date();
  const thread = await db.$transaction(async (tx) => {
    // connectOrCreate reads, then inserts: two questions introducing the same new tag at once would
    // both insert it and one would fail on the unique name. ON CONFLICT DO NOTHING lets both through.
    // Sorted, so two transactions inserting the same names wait on each other instead of deadlocking.
    if (data.tags.length) await tx.tag.createMany({ data: [...data.tags].sort().map((name) => ({ name })), skipDuplicates: true });
    const thread = await tx.thread.create({
      data: {
        slug: slugify(data.title),
        title: data.title,
        categoryId: category.id,
        authorId: author.id,
        lastPostAt: now,
        createdAt: now,
        posts: { create: { number: 0, authorId: author.id, body: data.body, bodyHtml, createdAt: now } },
        tags: { create: data.tags.map((name, position) => ({ position, tag: { connect: { name } } })) },
      },
      select: { id: true, slug: true, title: true, createdAt: true, posts: { select: { id: true } } },
    });
    if (data.tags.length) await tx.tag.updateMany({ where: { name: { in: data.tags } }, data: { count: { increment: 1 } } });
    await tx.category.update({ where: { id: category.id }, data: { threadCount: { increment: 1 }, postCount: { increment: 1 } } });
    await notifyMentions(tx, author, data.body, `${author.username} mentioned you in “${data.title}”`, threadUrl(thread));
    await refreshTrustLevel(tx, author.id);
    await enqueueSearchSync(tx, thread.id);
    return thread;
  });
  return {
    id: thread.id,
    slug: thread.slug,
    title: thread.title,
    url: threadUrl(thread),
    postId: thread.posts[0]!.id,
    createdAt: thread.createdAt,
  };
}

/**
 * Mentions notify each named member once. `notified` are members this post already notified another way
 * (the asker, of a reply): one reply that also mentions them is one notification, not two.
 */
export async function notifyMentions(
  tx: Prisma.TransactionClient,
  author: Author,
  body: string,
  title: string,
  url: string,
  notified: string[] = [],
) {
  const names = extractMentions(body).slice(0, 20);
  if (!names.length) return;
  const users = await tx.user.findMany({
    where: { OR: names.map((n) => ({ username: usernameIs(n) })), id: { notIn: notified } },
    select: { id: true },
  });
  await notify(
    tx,
    users.map((u) => u.id),
    { kind: "mention", title, url, actorId: author.id },
  );
}

export const threadListSelect = {
  id: true,
  slug: true,
  title: true,
  replyCount: true,
  score: true,
  locked: true,
  hidden: true,
  acceptedPostId: true,
  lastPostAt: true,
  createdAt: true,
  escalatedAt: true,
  resolvedViaSupportAt: true,
  // A declined, expired or withdrawn request leaves no "escalated" badge behind.
  _count: { select: { tickets: { where: { state: { in: [...STANDING_TICKET_STATES] } } } } },
  category: { select: { slug: true, name: true, supported: true } },
  author: { select: { username: true } },
  tags: tagsInTypedOrder,
} satisfies Prisma.ThreadSelect;

type ListRow = Prisma.ThreadGetPayload<{ select: typeof threadListSelect }>;

export const toListItem = (t: ListRow) => ({
  id: t.id,
  title: t.title,
  slug: t.slug,
  url: threadUrl(t),
  category: t.category,
  author: t.author.username,
  replyCount: t.replyCount,
  score: t.score,
  solved: t.acceptedPostId !== null,
  locked: t.locked,
  tags: t.tags.map((x) => x.tag.name),
  lastPostAt: t.lastPostAt,
  createdAt: t.createdAt,
  escalated: t.escalatedAt !== null && t._count.tickets > 0,
  resolvedViaSupport: t.resolvedViaSupportAt !== null,
});

export type ThreadListItem = ReturnType<typeof toListItem>;

// Keyset cursors: "<lastPostAt ms>_<id>" for latest/unanswered, "<score>_<lastPostAt ms>_<id>" for top.
function decodeCursor(cursor: string | undefined, sort: string): Prisma.ThreadWhereInput | undefined {
  if (!cursor) return undefined;
  const parts = cursor.split("_");
  if (sort === "top" && parts.length === 3) {
    const [score, ms, id] = [Number(parts[0]), Number(parts[1]), parts[2]!];
    if (!Number.isFinite(score) || !Number.isFinite(ms)) throw badRequest("Invalid cursor.", { cursor: "Invalid cursor." });
    const at = new Date(ms);
    // The leading range bound lets the index seek straight to the cursor; the OR alone scans from the top.
    return {
      score: { lte: score },
      OR: [{ score: { lt: score } }, { score, lastPostAt: { lt: at } }, { score, lastPostAt: at, id: { lt: id } }],
    };
  }
  if (sort !== "top" && parts.length === 2) {
    const [ms, id] = [Number(parts[0]), parts[1]!];
    if (!Number.isFinite(ms)) throw badRequest("Invalid cursor.", { cursor: "Invalid cursor." });
    const at = new Date(ms);
    return { lastPostAt: { lte: at }, OR: [{ lastPostAt: { lt: at } }, { lastPostAt: at, id: { lt: id } }] };
  }
  throw badRequest("Invalid cursor.", { cursor: "Invalid cursor." });
}

const encodeCursor = (t: ListRow, sort: string) =>
  sort === "top" ? `${t.score}_${t.lastPostAt.getTime()}_${t.id}` : `${t.lastPostAt.getTime()}_${t.id}`;

export async function listThreads(q: ListThreadsQuery) {
  const where: Prisma.ThreadWhereInput = { ...notRemovedWhere };
  if (q.category) {
    const category = await db.category.findUnique({ where: { slug: q.category }, select: { id: true } });
    if (!category) throw badRequest("That category does not exist.", { category: "Unknown category." });
    where.categoryId = category.id;
  }
  if (q.tag) where.tags = { some: { tag: { name: q.tag.toLowerCase() } } };
  if (q.solved !== undefined) where.acceptedPostId = q.solved ? { not: null } : null;
  if (q.sort === "unanswered") where.replyCount = 0;
  const orderBy: Prisma.ThreadOrderByWithRelationInput[] =
    q.sort === "top" ? [{ score: "desc" }, { lastPostAt: "desc" }, { id: "desc" }] : [{ lastPostAt: "desc" }, { id: "desc" }];
  const keyset = decodeCursor(q.cursor, q.sort);
  const [rows, total] = await Promise.all([
    db.thread.findMany({
      where: keyset ? { AND: [where, keyset] } : where,
      orderBy,
      take: THREADS_PER_PAGE + 1,
      skip: keyset ? 0 : (q.page - 1) * THREADS_PER_PAGE,
      select: threadListSelect,
    }),
    db.thread.count({ where }),
  ]);
  const more = rows.length > THREADS_PER_PAGE;
  const page = rows.slice(0, THREADS_PER_PAGE);
  return {
    threads: page.map(toListItem),
    page: q.page,
    total,
    pageSize: THREADS_PER_PAGE,
    nextCursor: more ? encodeCursor(page[page.length - 1]!, q.sort) : null,
  };
}

const postSelect = {
  id: true,
  number: true,
  body: true,
  bodyHtml: true,
  score: true,
  hidden: true,
  deletedAt: true,
  editedAt: true,
  createdAt: true,
  fromTicketId: true,
  authorId: true,
  author: { select: { username: true, reputation: true, role: true } },
} satisfies Prisma.PostSelect;

type PostRow = Prisma.PostGetPayload<{ select: typeof postSelect }>;
export type PostView = Omit<PostRow, "fromTicketId"> & { fromSupport: boolean; votedByViewer: boolean };

// Page data is public: a published-back answer says it came from paid support,
// never which ticket (its id leads to the private ticket and its owner).
const publicPost = ({ fromTicketId, ...post }: PostRow, votedByViewer: boolean): PostView => ({
  ...post,
  fromSupport: fromTicketId !== null,
  votedByViewer,
});

/**
 * What this viewer may do on the thread page, from the rules the actions apply: createReply refuses
 * every reply to a locked thread (moderators included), acceptAnswer takes the asker or a moderator.
 * A visitor's capabilities are all false, so the cached anonymous page is the same for every visitor.
 */
export const threadCapabilities = (viewer: Viewer, thread: { authorId: string; locked: boolean }) => ({
  canReply: Boolean(viewer && can(viewer, "post:create") && !thread.locked),
  canAccept: Boolean(viewer && can(viewer, "answer:accept", thread.authorId)),
  canModerate: isModerator(viewer),
});

export type ThreadCapabilities = ReturnType<typeof threadCapabilities>;

/** A thread as this viewer may see it, with one page of posts (404 when they may not see it). */
export async function getThread(id: string, viewer: Viewer, page = 1) {
  const thread = await findVisibleThread(viewer, id, { ...threadListSelect, categoryId: true, acceptedPost: { select: postSelect } });
  const from = (page - 1) * POSTS_PER_PAGE;
  // Pages follow post numbers, which stay fixed when replies are hidden or deleted.
  const last = await db.post.aggregate({ where: { threadId: id }, _max: { number: true } });
  const posts = await db.post.findMany({
    where: { threadId: id, number: { gte: from, lt: from + POSTS_PER_PAGE } },
    orderBy: { number: "asc" },
    select: postSelect,
  });
  const visible = posts.filter((p) => isVisibleTo(viewer, p.authorId, p));
  const ids = visible.map((p) => p.id).concat(thread.acceptedPost ? [thread.acceptedPost.id] : []);
  const votes = viewer
    ? new Set(
        (await db.vote.findMany({ where: { userId: viewer.id, postId: { in: ids } }, select: { postId: true } })).map((v) => v.postId),
      )
    : new Set<string>();
  const accepted = thread.acceptedPost && !isRemoved(thread.acceptedPost) ? thread.acceptedPost : null;
  return {
    ...toListItem(thread),
    categoryId: thread.categoryId,
    authorId: thread.authorId,
    hidden: thread.hidden,
    deleted: thread.deletedAt !== null,
    acceptedPostId: accepted?.id ?? null,
    acceptedPost: accepted ? publicPost(accepted, votes.has(accepted.id)) : null,
    posts: visible.map((p) => publicPost(p, votes.has(p.id))),
    page,
    pages: Math.max(1, Math.ceil(((last._max.number ?? 0) + 1) / POSTS_PER_PAGE)),
    capabilities: threadCapabilities(viewer, thread),
  };
}

export type ThreadView = Awaited<ReturnType<typeof getThread>>;
