import type { Tx } from "~/models/types";

/**
 * The one rule for "solved": a thread's accepted answer is the chosen answer while that post is
 * visible, and none while it is hidden or deleted. The choice itself is kept, so the acceptance
 * comes back when the post does (docs/decisions/028).
 * Call with the thread row locked.
 * Returns whether the visible acceptance changed.
 */
export async function settleAcceptance(tx: Tx, threadId: string): Promise<boolean> {
  const thread = await tx.thread.findUniqueOrThrow({
    where: { id: threadId },
    select: { acceptedPostId: true, chosenAnswer: { select: { id: true, hidden: true, deletedAt: true } } },
  });
  const chosen = thread.chosenAnswer;
  const accepted = chosen && !chosen.hidden && !chosen.deletedAt ? chosen.id : null;
  if (accepted === thread.acceptedPostId) return false;
  await tx.thread.update({ where: { id: threadId }, data: { acceptedPostId: accepted } });
  return true;
}
