import { db } from "~/services/db.server";
import { forbidden } from "~/utils/errors";
import { enqueueSearchSync } from "#search/outbox.server";
import { can } from "~/models/permissions";
import { settleAcceptance } from "~/models/community/acceptance.server";
import { lockForVote, votablePost, visiblePost } from "~/models/community/post.server";
import { writeAudit } from "~/models/moderation/audit.server";
import { syncReputation } from "~/models/community/reputation.server";
import type { Author } from "~/models/types";

// Taking back a vote or an acceptance is the forward action in reverse: the same locks in the same order,
// the same scores, and reputation recomputed from the rows (docs/decisions/028), so an undo cannot leave a
// figure the rules would not give. Undoing what is not there changes nothing and says so (`undone: false`):
// a repeated DELETE, or a second click that crossed the first, answers like the first (docs/decisions/047).

/** Takes back the member's "helpful" vote on a post: 404 when they cannot see it, 403 on their own post. */
export async function unvotePost(voter: Author, postId: string) {
  const post = await votablePost(voter, postId);
  return db.$transaction(async (tx) => {
    await lockForVote(tx, voter, post);
    const removed = await tx.vote.deleteMany({ where: { postId, userId: voter.id } });
    if (removed.count === 0) {
      const { score } = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: { score: true } });
      return { postId, score, voted: false, undone: false };
    }
    const updated = await tx.post.update({ where: { id: postId }, data: { score: { decrement: 1 } }, select: { score: true } });
    if (post.number === 0) await tx.thread.update({ where: { id: post.threadId }, data: { score: { decrement: 1 } } });
    await syncReputation(tx, [post.authorId]);
    return { postId, score: updated.score, voted: false, undone: true };
  });
}

/**
 * The asker or a moderator takes back the acceptance of this reply: the thread is unsolved again and the
 * answerer loses the acceptance's reputation. Nothing changes when this reply is not the chosen answer
 * (another reply may be: that acceptance stays).
 */
export async function unacceptAnswer(actor: Author, postId: string) {
  const post = await visiblePost(postId, actor);
  if (!can(actor, "answer:accept", post.thread.authorId)) {
    throw forbidden("Only the person who asked, or a moderator, can take back an accepted answer.");
  }
  return db.$transaction(async (tx) => {
    // Locked as acceptAnswer and moderation lock it, then read again: a concurrent accept may have moved the choice.
    const [locked] = await tx.$queryRaw<{ acceptedPostId: string | null; chosenAnswerId: string | null }[]>`
      select "acceptedPostId", "chosenAnswerId" from "Thread" where "id" = ${post.threadId} for update`;
    if (locked?.chosenAnswerId !== post.id) {
      return { threadId: post.threadId, acceptedPostId: locked?.acceptedPostId ?? null, undone: false };
    }
    await tx.thread.update({ where: { id: post.threadId }, data: { chosenAnswerId: null } });
    await settleAcceptance(tx, post.threadId);
    await syncReputation(tx, [post.authorId]);
    if (actor.id !== post.thread.authorId) {
      await writeAudit(tx, { actorId: actor.id, action: "answer.unaccept", targetType: "post", targetId: post.id });
    }
    await enqueueSearchSync(tx, post.threadId);
    return { threadId: post.threadId, acceptedPostId: null, undone: true };
  });
}
