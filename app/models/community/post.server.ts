import { z } from "zod";
import { emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";
import { db } from "~/services/db.server";
import { conflict, forbidden } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { enqueueSearchSync } from "#search/outbox.server";
import { enforceEditRate, enforcePostingRate, renderForAuthor } from "~/models/community/content-policy.server";
import { notify } from "~/models/notifications/notification.server";
import { can } from "~/models/permissions";
import { enforce } from "~/models/rate-limit.server";
import { settleAcceptance } from "~/models/community/acceptance.server";
import { refreshTrustLevel, syncReputation, voteCountsTowardReputation } from "~/models/community/reputation.server";
import { postUrl } from "~/utils/urls";
import { bodySchema, notifyMentions, titleSchema } from "~/models/community/thread.server";

import { findVisiblePost, findVisibleThread, isRemoved } from "~/models/community/visibility.server";

export { postUrl };
import type { Author, Tx } from "~/models/types";

export const replySchema = z.object({ body: bodySchema }).meta({ id: "CreatePost" });
export const editPostSchema = z
  .object({
    body: bodySchema,
    title: titleSchema.optional(),
    reason: z.string().trim().max(200).refine(emptyOrVisible, NOTHING_VISIBLE).optional(),
  })
  .meta({ id: "EditPost" });

export const visiblePost = (postId: string, viewer: Author) =>
  findVisiblePost(viewer, postId, {
    id: true,
    number: true,
    body: true,
    threadId: true,
    thread: { select: { id: true, slug: true, title: true, authorId: true, locked: true, acceptedPostId: true, categoryId: true } },
  });

export async function createReply(author: Author, threadId: string, input: unknown) {
  const { body } = parseOrThrow(replySchema, input);
  const thread = await findVisibleThread(author, threadId, { id: true, slug: true, title: true, locked: true, categoryId: true });
  if (thread.locked) throw conflict("This thread is locked; it no longer takes replies.");
  await enforcePostingRate(author);
  const bodyHtml = renderForAuthor(author, body);
  return db.$transaction(async (tx) => {
    // Locking the thread row first serialises concurrent replies, so numbers stay unique. The clock is
    // read only once this reply's turn has come (and never behind the thread's last post, whatever another
    // server's clock said): a reply read before the lock could get a later number but an earlier time,
    // and move the thread's last activity backwards.
    const [locked] = await tx.$queryRaw<{ lastPostAt: Date }[]>`
      select "lastPostAt" from "Thread" where "id" = ${thread.id} for update`;
    const now = new Date(Math.max(Date.now(), locked?.lastPostAt.getTime() ?? 0));
    await tx.thread.update({ where: { id: thread.id }, data: { replyCount: { increment: 1 }, lastPostAt: now } });
    const last = await tx.post.aggregate({ where: { threadId: thread.id }, _max: { number: true } });
    const number = (last._max.number ?? 0) + 1;
    const post = await tx.post.create({
      data: { threadId: thread.id, number, authorId: author.id, body, bodyHtml, createdAt: now },
      select: { id: true, number: true, body: true, bodyHtml: true, createdAt: true },
    });
    // Category counters count public content only.
    if (!thread.hidden && !thread.deletedAt) {
      await tx.category.update({ where: { id: thread.categoryId }, data: { postCount: { increment: 1 } } });
    }
    const url = postUrl(thread, number);
    await notify(tx, [thread.authorId], {
      kind: "reply",
      title: `${author.username} replied to “${thread.title}”`,
      url,
      actorId: author.id,
    });
    await notifyMentions(tx, author, body, `${author.username} mentioned you in “${thread.title}”`, url, [thread.authorId]);
    await refreshTrustLevel(tx, author.id);
    await enqueueSearchSync(tx, thread.id);
    return { ...post, threadId: thread.id, author: author.username, url };
  });
}

/**
 * The post if this actor may edit or delete it: 404 when the actor cannot see
 * it, 403 when it is someone else's and the actor does not moderate.
 */
export async function authorizePostChange(actor: Author, postId: string, action: "edit" | "delete") {
  const post = await visiblePost(postId, actor);
  if (!can(actor, `post:${action}`, post.authorId)) throw forbidden(`You can only ${action} your own posts.`);
  return post;
}

/** Edits keep the previous body as a revision; the thread title can change with the first post. */
export async function editPost(editor: Author, postId: string, input: unknown) {
  const post = await authorizePostChange(editor, postId, "edit");
  const data = parseOrThrow(editPostSchema, input);
  if (post.thread.locked && !can(editor, "thread:lock:any")) throw conflict("This thread is locked; its posts can no longer be edited.");
  await enforceEditRate(editor);
  const bodyHtml = renderForAuthor(editor, data.body);
  return db.$transaction(async (tx) => {
    const titleChanges = data.title !== undefined && post.number === 0 && data.title !== post.thread.title;
    await tx.postRevision.create({
      data: { postId, editorId: editor.id, body: post.body, title: titleChanges ? post.thread.title : null, reason: data.reason },
    });
    const updated = await tx.post.update({
      where: { id: postId },
      data: { body: data.body, bodyHtml, editedAt: new Date() },
      select: { id: true, number: true, body: true, bodyHtml: true, createdAt: true, editedAt: true, threadId: true },
    });
    if (titleChanges) await tx.thread.update({ where: { id: post.threadId }, data: { title: data.title } });
    if (editor.id !== post.authorId) {
      await tx.auditLog.create({
        data: { actorId: editor.id, action: "post.edit", targetType: "post", targetId: postId, reason: data.reason ?? null },
      });
    }
    await enqueueSearchSync(tx, post.threadId);
    return updated;
  });
}

/** Revisions are for the author and moderators: who changed what, when. */
export async function listRevisions(viewer: Author, postId: string) {
  const post = await visiblePost(postId, viewer);
  if (!(viewer.id === post.authorId || can(viewer, "revision:read:any"))) throw forbidden("Only the author and moderators see revisions.");
  const revisions = await db.postRevision.findMany({
    where: { postId },
    orderBy: { createdAt: "asc" },
    select: { id: true, body: true, title: true, reason: true, createdAt: true, editor: { select: { username: true } } },
  });
  return { post: { id: post.id, body: post.body, threadId: post.threadId }, revisions };
}

/**
 * The thread's author or a moderator marks one reply as the answer (and may change it).
 * Concurrent accepts on one thread are applied one after the other and the last one wins;
 * each answer says which post it replaced. Reputation is recomputed from the result, so a
 * thread pays for one acceptance however often it is moved, undone or repeated.
 */
export async function acceptAnswer(actor: Author, postId: string) {
  const post = await visiblePost(postId, actor);
  if (!can(actor, "answer:accept", post.thread.authorId)) {
    throw forbidden("Only the person who asked, or a moderator, can accept an answer.");
  }
  if (post.number === 0) throw conflict("The question itself cannot be its answer; accept a reply.");
  if (isRemoved(post)) throw hiddenAnswer();
  return db.$transaction(async (tx) => {
    // What was read before this point may be stale (a concurrent accept, or a moderator hiding the
    // post): lock the thread row, which moderation also locks, and read both again.
    const [locked] = await tx.$queryRaw<{ acceptedPostId: string | null; chosenAnswerId: string | null }[]>`
      select "acceptedPostId", "chosenAnswerId" from "Thread" where "id" = ${post.threadId} for update`;
    const previousId = locked?.acceptedPostId ?? null;
    const now = await tx.post.findUniqueOrThrow({ where: { id: post.id }, select: { hidden: true, deletedAt: true } });
    if (isRemoved(now)) throw hiddenAnswer();
    if (locked?.chosenAnswerId === post.id && previousId === post.id) {
      return { threadId: post.threadId, acceptedPostId: post.id, previousAcceptedPostId: post.id };
    }
    const previous = locked?.chosenAnswerId
      ? await tx.post.findUnique({ where: { id: locked.chosenAnswerId }, select: { authorId: true } })
      : null;
    await tx.thread.update({ where: { id: post.threadId }, data: { chosenAnswerId: post.id } });
    await settleAcceptance(tx, post.threadId);
    await syncReputation(tx, previous ? [previous.authorId, post.authorId] : [post.authorId]);
    await notify(tx, [post.authorId], {
      kind: "accepted",
      title: `Your answer in “${post.thread.title}” was accepted`,
      url: postUrl(post.thread, post.number),
      actorId: actor.id,
    });
    if (actor.id !== post.thread.authorId) {
      await tx.auditLog.create({ data: { actorId: actor.id, action: "answer.accept", targetType: "post", targetId: post.id } });
    }
    await enqueueSearchSync(tx, post.threadId);
    return { threadId: post.threadId, acceptedPostId: post.id, previousAcceptedPostId: previousId };
  });
}

const hiddenAnswer = () => conflict("A hidden or deleted post cannot be the answer.");

/**
 * One "helpful" vote per member and post, never on one's own post. Every vote shows in the score; whether
 * it earns the author reputation is decided now, from the voter's trust (voteCountsTowardReputation).
 */
export async function votePost(voter: Author, postId: string) {
  const post = await votablePost(voter, postId);
  return db.$transaction(async (tx) => {
    await lockForVote(tx, voter, post);
    const standing = await tx.user.findUniqueOrThrow({ where: { id: voter.id }, select: { role: true, trustLevel: true } });
    const created = await tx.vote.createMany({
      data: [{ postId, userId: voter.id, countsTowardReputation: voteCountsTowardReputation(standing) }],
      skipDuplicates: true,
    });
    if (created.count === 0) throw conflict("You already voted for this post.");
    const updated = await tx.post.update({ where: { id: postId }, data: { score: { increment: 1 } }, select: { score: true } });
    if (post.number === 0) await tx.thread.update({ where: { id: post.threadId }, data: { score: { increment: 1 } } });
    await syncReputation(tx, [post.authorId]);
    return { postId, score: updated.score, voted: true };
  });
}

/**
 * The post a member may vote on, or undo their vote on (404 when invisible, 403 when their own). Casting and
 * taking back share one rate limit, so toggling cannot move a score more often than voting could.
 */
export async function votablePost(voter: Author, postId: string) {
  const post = await visiblePost(postId, voter);
  if (post.authorId === voter.id) throw forbidden("You cannot vote on your own post.");
  await enforce({ key: `vote:${voter.id}`, max: 60, windowSeconds: 3600, what: "votes" });
  return post;
}

/**
 * Thread, then posts, then users, as moderation and accepting lock them (docs/decisions/028): a vote
 * that held the post while waiting for the thread would deadlock with a moderator hiding the thread.
 * The post is read again once the thread is ours: it may have been hidden meanwhile (404).
 */
export async function lockForVote(tx: Tx, voter: Author, post: { id: string; threadId: string }) {
  await tx.$queryRaw`select "id" from "Thread" where "id" = ${post.threadId} for no key update`;
  await findVisiblePost(voter, post.id, undefined, tx);
}

export async function getPostForQuote(viewer: Author, postId: string) {
  const post = await visiblePost(postId, viewer);
  const author = await db.user.findUnique({ where: { id: post.authorId }, select: { username: true } });
  return { body: post.body, author: author?.username ?? "someone", threadId: post.threadId };
}
