import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import type { SessionUser } from "~/models/accounts/auth-session.server";
import { threadCapabilities } from "~/models/community/thread.server";
import { POSTS_PER_PAGE } from "~/utils/urls";
import { isRemoved } from "~/models/community/visibility.server";
import { activeTicketOnThreadWhere, supportThreadSelect, threadSupport } from "~/models/escalation/escalation.server";
import { unreadWhere } from "~/models/notifications/notification.server";
import { isModerator } from "~/models/viewer";

// What one signed-in member adds to a thread page that is otherwise the same for everyone (docs/decisions/042).
// On the embedded database one thread runs the app and every statement, and a statement's fixed cost (Prisma,
// the driver, the socket) was most of this page: so what is the same for every member is read once per content
// version, and what is the member's own comes with their session, in the statement that signs them in.

const sharedSelect = (page: number) =>
  ({
    ...supportThreadSelect,
    authorId: true,
    locked: true,
    acceptedPostId: true,
    posts: {
      where: { number: { gte: (page - 1) * POSTS_PER_PAGE, lt: page * POSTS_PER_PAGE } },
      select: { id: true, authorId: true, hidden: true, deletedAt: true },
    },
  }) satisfies Prisma.ThreadSelect;

/** The thread's row and the posts of one page: the same for every member while the content version stands. */
export type SharedThreadPage = Prisma.ThreadGetPayload<{ select: ReturnType<typeof sharedSelect> }>;

// Pages read under the content version the page cache served last; a new version starts afresh. Bounded, since
// a crawler signed in could walk every page of every thread under one version.
const MAX_SHARED_PAGES = 1_000;
let shared: { version: string; pages: Map<string, Promise<SharedThreadPage | null>> } | null = null;

/** The shared part of a thread page under `version` (null: unknown, read afresh); null when the thread does not exist. */
export function sharedThreadPage(threadId: string, page: number, version: string | null): Promise<SharedThreadPage | null> {
  const read = () => db.thread.findUnique({ where: { id: threadId }, select: sharedSelect(page) });
  if (version === null) return read();
  if (shared?.version !== version) shared = { version, pages: new Map() };
  const { pages } = shared;
  const key = `${page}:${threadId}`;
  let entry = pages.get(key);
  if (!entry) {
    if (pages.size >= MAX_SHARED_PAGES) pages.clear();
    entry = read();
    pages.set(key, entry);
    // A failed read is not kept for the next member.
    entry.catch(() => pages.get(key) === entry && pages.delete(key));
  }
  return entry;
}

/** What of the member's own a thread page shows, read in the statement that finds them by their session. */
export const memberOnThreadSelect = (threadId: string, thread: SharedThreadPage) =>
  ({
    _count: { select: { notifications: { where: unreadWhere } } },
    // The accepted answer shows on page 1 wherever its number puts it.
    votes: {
      where: { postId: { in: [...thread.posts.map((p) => p.id), ...(thread.acceptedPostId ? [thread.acceptedPostId] : [])] } },
      select: { postId: true },
    },
    ticketsOwned: { where: activeTicketOnThreadWhere(threadId), take: 1, select: { id: true } },
  }) satisfies Prisma.UserSelect;

export type MemberOnThread = SessionUser & Prisma.UserGetPayload<{ select: ReturnType<typeof memberOnThreadSelect> }>;

/** The signed-in member with `also` read along: their session look-up (userForSessionWith), or null. */
export type FindMember = (also: ReturnType<typeof memberOnThreadSelect>) => Promise<MemberOnThread | null>;

/**
 * The member's state on page `page` of a thread: their capabilities, the posts on the page they voted for, the
 * support state and their unread count. Null when the page they see is not the shared one: nobody is signed in,
 * a moderator sees removed posts and their controls, an author sees their own removed posts, and nobody but
 * those two sees a removed thread. `version` is the page cache's content version.
 */
export async function threadViewerState(threadId: string, page: number, version: string | null, findMember: FindMember) {
  const thread = await sharedThreadPage(threadId, page, version);
  if (!thread || isRemoved(thread)) return null;
  const viewer = await findMember(memberOnThreadSelect(threadId, thread));
  if (!viewer || isModerator(viewer)) return null;
  if (thread.posts.some((p) => p.authorId === viewer.id && isRemoved(p))) return null;
  return {
    viewer,
    capabilities: threadCapabilities(viewer, thread),
    votedPostIds: [...new Set(viewer.votes.map((v) => v.postId))],
    support: await threadSupport(threadId, viewer, { thread, version, ownTicketId: viewer.ticketsOwned[0]?.id ?? null }),
    unreadCount: viewer._count.notifications,
  };
}
