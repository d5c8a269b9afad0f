import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { conflict } from "~/utils/errors";
import { enqueueSearchSync } from "#search/outbox.server";
import { notify } from "~/models/notifications/notification.server";
import { writeAudit, type AuditEntry } from "~/models/moderation/audit.server";
import { can } from "~/models/permissions";
import { postUrl } from "~/models/community/post.server";
import { threadUrl } from "~/models/community/thread.server";
import { findVisiblePost, findVisibleThread, postNotFound, threadNotFound, notRemovedWhere } from "~/models/community/visibility.server";
import { settleAcceptance } from "~/models/community/acceptance.server";
import { syncThreadReputation } from "~/models/community/reputation.server";
import type { Actor, Tx } from "~/models/types";

// Moderation of public content. A thread and its question (post 0) are one
// unit: hiding, deleting or restoring either changes both, so a thread never
// shows without its question nor a question without its thread. This file
// holds the unit and the transaction around it; post-moderation and
// thread-moderation hold the actions.

const threadSelect = {
  id: true,
  slug: true,
  title: true,
  authorId: true,
  categoryId: true,
  hidden: true,
  deletedAt: true,
  locked: true,
  category: { select: { slug: true } },
} satisfies Prisma.ThreadSelect;

export type ThreadRow = Prisma.ThreadGetPayload<{ select: typeof threadSelect }>;

export const postSelect = {
  id: true,
  number: true,
  authorId: true,
  hidden: true,
  deletedAt: true,
  threadId: true,
  thread: { select: threadSelect },
} satisfies Prisma.PostSelect;

export type PostRow = Prisma.PostGetPayload<{ select: typeof postSelect }>;

export type PostState = { id: string; threadId: string; number: number; hidden: boolean; deleted: boolean; changed: boolean };
export type ThreadState = { id: string; category: string; hidden: boolean; deleted: boolean; locked: boolean; changed: boolean };

export const postState = (
  p: { id: string; threadId: string; number: number; hidden: boolean; deletedAt: Date | null },
  changed: boolean,
): PostState => ({
  id: p.id,
  threadId: p.threadId,
  number: p.number,
  hidden: p.hidden,
  deleted: p.deletedAt !== null,
  changed,
});

export const threadState = (t: ThreadRow, changed: boolean): ThreadState => ({
  id: t.id,
  category: t.category.slug,
  hidden: t.hidden,
  deleted: t.deletedAt !== null,
  locked: t.locked,
  changed,
});

const threadContext = (t: ThreadRow) => ({ threadId: t.id, title: t.title, category: t.category.slug, url: threadUrl(t) });
const postContext = (p: PostRow) => ({ threadId: p.threadId, title: p.thread.title, number: p.number, url: postUrl(p.thread, p.number) });

// ---------------------------------------------------------------------------
// Transactions around one thread: row lock, category counters, search outbox.

/** What a thread adds to its category's public counters. */
async function share(tx: Tx, threadId: string) {
  const t = await tx.thread.findUniqueOrThrow({ where: { id: threadId }, select: { categoryId: true, hidden: true, deletedAt: true } });
  if (t.hidden || t.deletedAt) return { categoryId: t.categoryId, threads: 0, posts: 0 };
  const posts = await tx.post.count({ where: { threadId, ...notRemovedWhere } });
  return { categoryId: t.categoryId, threads: 1, posts };
}

type Share = Awaited<ReturnType<typeof share>>;

async function settleCounts(tx: Tx, before: Share, after: Share) {
  const deltas = new Map<string, { threads: number; posts: number }>();
  const add = (s: Share, sign: 1 | -1) => {
    const d = deltas.get(s.categoryId) ?? { threads: 0, posts: 0 };
    deltas.set(s.categoryId, { threads: d.threads + sign * s.threads, posts: d.posts + sign * s.posts });
  };
  add(before, -1);
  add(after, 1);
  // Sorted so two moves in opposite directions lock categories in the same order.
  for (const [id, d] of [...deltas].sort(([a], [b]) => a.localeCompare(b))) {
    if (d.threads === 0 && d.posts === 0) continue;
    await tx.category.update({ where: { id }, data: { threadCount: { increment: d.threads }, postCount: { increment: d.posts } } });
  }
}

/**
 * Runs a change to one thread's public content: the thread row is locked (so
 * replies and other moderators wait), category counters follow what became
 * visible or invisible, and the search index is told in the same transaction.
 */
export async function changeThread<T extends { changed: boolean }>(threadId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`select "id" from "Thread" where "id" = ${threadId} for update`;
    const before = await share(tx, threadId);
    const result = await fn(tx);
    if (result.changed) {
      await settleCounts(tx, before, await share(tx, threadId));
      await settleThread(tx, threadId);
      await enqueueSearchSync(tx, threadId);
    }
    return result;
  });
}

/**
 * The reply count (which drives "unanswered") counts visible replies only; the thread is solved
 * only while its chosen answer is visible; and reputation follows what visitors can see, so
 * everyone who wrote in the thread is recomputed (docs/decisions/028).
 */
async function settleThread(tx: Tx, threadId: string) {
  const replyCount = await tx.post.count({ where: { threadId, number: { gt: 0 }, ...notRemovedWhere } });
  await tx.thread.update({ where: { id: threadId }, data: { replyCount } });
  await settleAcceptance(tx, threadId);
  await syncThreadReputation(tx, threadId);
}

export async function threadIdOfPost(postId: string) {
  const post = await db.post.findUnique({ where: { id: postId }, select: { threadId: true } });
  if (!post) throw postNotFound();
  return post.threadId;
}

export const loadPost = (tx: Tx, postId: string, viewer: Actor | null): Promise<PostRow> => findVisiblePost(viewer, postId, postSelect, tx);

export const loadThread = (tx: Tx, threadId: string, viewer: Actor | null): Promise<ThreadRow> =>
  findVisibleThread(viewer, threadId, threadSelect, tx);

export async function ensureThreadExists(threadId: string) {
  const found = await db.thread.findUnique({ where: { id: threadId }, select: { id: true } });
  if (!found) throw threadNotFound();
}
/** Closes open flags on the given posts; returns the ids it closed. */
export async function resolveOpenFlags(
  tx: Tx,
  postIds: string[],
  resolution: "dismissed" | "hidden" | "deleted",
  resolvedById: string | null,
) {
  if (!postIds.length) return [];
  const open = await tx.flag.findMany({ where: { postId: { in: postIds }, resolvedAt: null }, select: { id: true } });
  if (!open.length) return [];
  const ids = open.map((f) => f.id);
  await tx.flag.updateMany({ where: { id: { in: ids } }, data: { resolvedAt: new Date(), resolvedById, resolution } });
  return ids;
}

async function resolveThreadFlags(tx: Tx, threadId: string, resolution: "hidden" | "deleted", moderatorId: string) {
  const posts = await tx.post.findMany({ where: { threadId, flags: { some: { resolvedAt: null } } }, select: { id: true } });
  return resolveOpenFlags(
    tx,
    posts.map((p) => p.id),
    resolution,
    moderatorId,
  );
}

// ---------------------------------------------------------------------------
// The thread unit: the thread row and its question change together.

type UnitChange = { hidden?: boolean; deletedAt?: Date | null; locked?: boolean; categoryId?: string };

export async function updateUnit(tx: Tx, thread: ThreadRow, change: UnitChange) {
  const updated = await tx.thread.update({ where: { id: thread.id }, data: change, select: threadSelect });
  const { locked: _l, categoryId: _c, ...postChange } = change;
  if (Object.keys(postChange).length) await tx.post.updateMany({ where: { threadId: thread.id, number: 0 }, data: postChange });
  return updated;
}

export async function hideUnit(tx: Tx, actor: Actor, thread: ThreadRow, reason: string) {
  const flagIds = await resolveThreadFlags(tx, thread.id, "hidden", actor.id);
  if (thread.hidden) {
    // Already hidden by flags: the moderator confirms it, which closes the flags.
    if (flagIds.length) await audit(tx, actor, "thread.hide", thread, reason, { flagIds, confirmed: true });
    return threadState(thread, false);
  }
  const updated = await updateUnit(tx, thread, { hidden: true });
  await audit(tx, actor, "thread.hide", thread, reason, { flagIds });
  return threadState(updated, true);
}

export async function unhideUnit(tx: Tx, actor: Actor, thread: ThreadRow, reason?: string) {
  if (!thread.hidden) return threadState(thread, false);
  const updated = await updateUnit(tx, thread, { hidden: false });
  await audit(tx, actor, "thread.unhide", thread, reason);
  return threadState(updated, true);
}

export async function deleteUnit(tx: Tx, actor: Actor, thread: ThreadRow, reason: string | undefined) {
  if (thread.deletedAt) return threadState(thread, false);
  const moderating = thread.authorId !== actor.id;
  if (!moderating && !can(actor, "post:delete:any")) {
    if (thread.locked) throw conflict("This thread is locked; ask a moderator to remove it.");
    const replies = await tx.post.count({ where: { threadId: thread.id, number: { gt: 0 }, deletedAt: null } });
    if (replies > 0) {
      throw conflict("Others have replied to this question, so it stays for them; edit it instead, or flag it for a moderator.");
    }
  }
  const updated = await updateUnit(tx, thread, { deletedAt: new Date() });
  const flagIds = moderating ? await resolveThreadFlags(tx, thread.id, "deleted", actor.id) : [];
  await audit(tx, actor, "thread.delete", thread, reason, { flagIds, byAuthor: !moderating });
  return threadState(updated, true);
}

export async function restoreUnit(tx: Tx, actor: Actor, thread: ThreadRow, reason?: string) {
  if (!thread.deletedAt) return threadState(thread, false);
  const updated = await updateUnit(tx, thread, { deletedAt: null });
  await audit(tx, actor, "thread.restore", thread, reason);
  return threadState(updated, true);
}

export async function audit(
  tx: Tx,
  actor: Actor | null,
  action: AuditEntry["action"],
  thread: ThreadRow,
  reason?: string,
  data: Prisma.InputJsonObject = {},
) {
  await writeAudit(tx, {
    actorId: actor?.id ?? null,
    action,
    targetType: "thread",
    targetId: thread.id,
    reason,
    data: { ...threadContext(thread), ...data },
  });
  await tellAuthor(tx, actor, action, thread.authorId, `your thread “${thread.title}”`, threadUrl(thread), reason);
}

export async function auditPost(
  tx: Tx,
  actor: Actor | null,
  action: AuditEntry["action"],
  post: PostRow,
  reason?: string,
  data: Prisma.InputJsonObject = {},
) {
  await writeAudit(tx, {
    actorId: actor?.id ?? null,
    action,
    targetType: "post",
    targetId: post.id,
    reason,
    data: { ...postContext(post), ...data },
  });
  await tellAuthor(tx, actor, action, post.authorId, `your post in “${post.thread.title}”`, postUrl(post.thread, post.number), reason);
}

const TOLD: Partial<Record<string, string>> = {
  "thread.hide": "A moderator hid",
  "post.hide": "A moderator hid",
  "thread.delete": "A moderator deleted",
  "post.delete": "A moderator deleted",
  "thread.lock": "A moderator locked",
  "thread.move": "A moderator moved",
};

/** Authors learn when a moderator acts on their content, and why (the reason is public to them only). */
async function tellAuthor(tx: Tx, actor: Actor | null, action: string, authorId: string, what: string, url: string, reason?: string) {
  const verb = TOLD[action];
  if (!verb || !actor || actor.id === authorId) return;
  await notify(tx, [authorId], { kind: "moderation", title: `${verb} ${what}${reason ? `: ${reason}` : ""}`, url, actorId: actor.id });
}

// The question's state mirrors its thread's, so post 0 answers with the unit's state.
export const questionState = (post: PostRow, t: ThreadState): PostState => ({
  id: post.id,
  threadId: post.threadId,
  number: 0,
  hidden: t.hidden,
  deleted: t.deleted,
  changed: t.changed,
});
