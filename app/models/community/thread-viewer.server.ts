import { db } from "~/services/db.server";
import { threadCapabilities } from "~/models/community/thread.server";
import { POSTS_PER_PAGE } from "~/utils/urls";
import { isRemoved, removedWhere } from "~/models/community/visibility.server";
import { ownActiveTicketWhere, supportThreadSelect, threadSupport } from "~/models/escalation/escalation.server";
import { unreadWhere } from "~/models/notifications/notification.server";
import { isModerator } from "~/models/viewer";
import type { Actor } from "~/models/types";

/**
 * What one signed-in member adds to a thread page that is otherwise the same for everyone: their capabilities,
 * the posts on the page they voted for, the support state and their unread count (docs/decisions/042). Null when
 * the page they see is not the shared one: a moderator sees removed posts and their controls, an author sees their
 * own removed posts, and nobody but those two sees a removed thread. `version` is the page cache's content version.
 *
 * Two statements (relations load in their parent's statement, `relationJoins`): one rooted at the thread for what
 * the member did on this page, one rooted at the member for what is theirs. Every statement counts here: on the
 * embedded database one thread runs them all, and this is the page members load most.
 */
export async function threadViewerState(viewer: Actor, threadId: string, page: number, version: string | null) {
  if (isModerator(viewer)) return null;
  const numbers = { gte: (page - 1) * POSTS_PER_PAGE, lt: page * POSTS_PER_PAGE };
  const voted = { votes: { some: { userId: viewer.id } } };
  const thread = await db.thread.findUnique({
    where: { id: threadId },
    select: {
      ...supportThreadSelect,
      authorId: true,
      locked: true,
      acceptedPostId: true,
      _count: {
        select: { posts: { where: { authorId: viewer.id, number: numbers, ...removedWhere } } },
      },
      posts: { where: { number: numbers, ...voted }, select: { id: true } },
      // The accepted answer shows on page 1 wherever its number puts it.
      acceptedPost: { select: { id: true, votes: { where: { userId: viewer.id }, select: { postId: true } } } },
    },
  });
  if (!thread || isRemoved(thread) || thread._count.posts > 0) return null;
  const own = await db.user.findUnique({
    where: { id: viewer.id },
    select: {
      _count: { select: { notifications: { where: unreadWhere } } },
      ticketsOwned: { where: ownActiveTicketWhere(threadId, viewer.id), take: 1, select: { id: true } },
    },
  });
  const votedPostIds = new Set([...thread.posts.map((p) => p.id), ...(thread.acceptedPost?.votes.map((v) => v.postId) ?? [])]);
  return {
    capabilities: threadCapabilities(viewer, thread),
    votedPostIds: [...votedPostIds],
    support: await threadSupport(threadId, viewer, { thread, version, ownTicketId: own?.ticketsOwned[0]?.id ?? null }),
    unreadCount: own?._count.notifications ?? 0,
  };
}
