import { db } from "~/services/db.server";
import { threadCapabilities } from "~/models/community/thread.server";
import { POSTS_PER_PAGE } from "~/utils/urls";
import { isRemoved } from "~/models/community/visibility.server";
import { supportThreadSelect, threadSupport } from "~/models/escalation/escalation.server";
import { isModerator } from "~/models/viewer";
import type { Actor } from "~/models/types";

/**
 * What one signed-in member adds to a thread page that is otherwise the same for everyone: their capabilities,
 * the posts on the page they voted for, and the support state (docs/decisions/042). Null when the page they
 * see is not the shared one: a moderator sees removed posts and their controls, an author sees their own
 * removed posts, and nobody but those two sees a removed thread. `version` is the page cache's content version.
 */
export async function threadViewerState(viewer: Actor, threadId: string, page: number, version: string | null) {
  if (isModerator(viewer)) return null;
  const thread = await db.thread.findUnique({
    where: { id: threadId },
    select: { ...supportThreadSelect, authorId: true, locked: true, acceptedPostId: true },
  });
  if (!thread || isRemoved(thread)) return null;
  const numbers = { gte: (page - 1) * POSTS_PER_PAGE, lt: page * POSTS_PER_PAGE };
  const ownRemoved = await db.post.count({
    where: { threadId, authorId: viewer.id, number: numbers, OR: [{ hidden: true }, { deletedAt: { not: null } }] },
  });
  if (ownRemoved > 0) return null;
  // The accepted answer shows on page 1 wherever its number puts it.
  const onPage = thread.acceptedPostId ? [{ number: numbers }, { id: thread.acceptedPostId }] : [{ number: numbers }];
  const votes = await db.vote.findMany({
    where: { userId: viewer.id, post: { threadId, OR: onPage } },
    select: { postId: true },
  });
  return {
    capabilities: threadCapabilities(viewer, thread),
    votedPostIds: votes.map((v) => v.postId),
    support: await threadSupport(threadId, viewer, { thread, version }),
  };
}
