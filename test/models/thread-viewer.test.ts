import { beforeAll, describe, expect, it } from "vitest";
import { createAuthSession, userForSessionWith } from "~/models/accounts/auth-session.server";
import { threadViewerState } from "~/models/community/thread-viewer.server";
import { acceptAnswer, createReply, votePost } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { deletePost } from "~/models/moderation/post-moderation.server";
import { notify } from "~/models/notifications/notification.server";
import { db } from "~/services/db.server";
import { POSTS_PER_PAGE } from "~/utils/urls";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

// A member's own state on the shared thread page (ADR 042): what is the same for everyone is read once per content
// version, what is the member's own comes with their session. Each part of it is checked here against the member
// it belongs to, on the page it belongs to.

useTestDatabase();

type Member = Awaited<ReturnType<typeof makeUser>>;

/** The member's state as their own browser session finds it; `version` null reads everything afresh. */
async function stateOf(member: Member, page: number, version: string | null = null, threadId = thread.id) {
  const session = await createAuthSession(member.id);
  return threadViewerState(threadId, page, version, (also) => userForSessionWith(session.id, also));
}
let thread: { id: string; postId: string };
let author: Member;
let voter: Member;
let stranger: Member;
const replies: string[] = [];

beforeAll(async () => {
  const category = await makeCategory();
  [author, voter, stranger] = await Promise.all([makeUser(), makeUser(), makeUser()]);
  const helpers = await Promise.all([1, 2, 3].map(() => makeUser()));
  thread = await createThread(author, {
    category: category.slug,
    title: "Which proxy header carries the client address?",
    body: "Asking for a friend.",
  });
  // Two pages: the question and POSTS_PER_PAGE replies.
  for (let i = 0; i < POSTS_PER_PAGE; i++) {
    const reply = await createReply(helpers[i % 3]!, thread.id, { body: `Try the forwarded header, variant ${i}.` });
    replies.push(reply.id);
  }
});

describe("threadViewerState", () => {
  it("lists the posts of this page the member voted for, and the accepted answer wherever it is, never another member's votes", async () => {
    const onPage2 = replies.at(-1)!;
    const onPage1 = replies[0]!;
    await votePost(voter, onPage1);
    await votePost(voter, onPage2);
    await votePost(stranger, replies[1]!);
    expect((await stateOf(voter, 1))!.votedPostIds).toEqual([onPage1]);
    expect((await stateOf(voter, 2))!.votedPostIds).toEqual([onPage2]);
    // The accepted answer shows on page 1 wherever its number puts it: the member's vote on it comes along.
    await acceptAnswer(author, onPage2);
    expect((await stateOf(voter, 1))!.votedPostIds.sort()).toEqual([onPage1, onPage2].sort());
    expect((await stateOf(stranger, 1))!.votedPostIds).toEqual([replies[1]!]);
    expect((await stateOf(author, 1))!.votedPostIds).toEqual([]);
  });

  it("counts the member's own unread notifications only", async () => {
    const before = (await stateOf(stranger, 1))!.unreadCount;
    await notify(db, [stranger.id], { kind: "mention", title: "You were mentioned", url: `/t/${thread.id}` });
    expect((await stateOf(stranger, 1))!.unreadCount).toBe(before + 1);
    expect((await stateOf(voter, 1))!.unreadCount).toBe(0);
    await db.notification.updateMany({ where: { userId: stranger.id }, data: { readAt: new Date() } });
    expect((await stateOf(stranger, 1))!.unreadCount).toBe(0);
  });

  it("is null on a page that holds a removed post of the member's own, and only there", async () => {
    const mine = await createReply(voter, thread.id, { body: "A reply I will take back." });
    expect(await stateOf(voter, 2)).not.toBeNull();
    await deletePost(voter, mine.id);
    expect(await stateOf(voter, 2)).toBeNull();
    expect(await stateOf(voter, 1)).not.toBeNull();
    expect(await stateOf(stranger, 2)).not.toBeNull();
  });

  it("reads what every member shares once per content version, and afresh under the next", async () => {
    const mine = await createReply(stranger, thread.id, { body: "Another reply on page two." });
    expect(await stateOf(stranger, 2, "version-a")).not.toBeNull();
    await deletePost(stranger, mine.id);
    // The removal moves the content version in the database: under the version the page was served with, the
    // page and the member's state still agree (both before it); the next version's page sees it.
    expect(await stateOf(stranger, 2, "version-a")).not.toBeNull();
    expect(await stateOf(stranger, 2, "version-b")).toBeNull();
    // The member's own rows are never reused: they come with the session, on every request.
    await votePost(stranger, replies[2]!);
    expect((await stateOf(stranger, 1, "version-b"))!.votedPostIds).toContain(replies[2]!);
  });

  it("is null for an expired session", async () => {
    const session = await createAuthSession(voter.id);
    await db.session.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await threadViewerState(thread.id, 1, null, (also) => userForSessionWith(session.id, also))).toBeNull();
  });

  it("is null for a moderator and for a thread that does not exist", async () => {
    expect(await stateOf(await makeUser({ role: "moderator" }), 1)).toBeNull();
    expect(await stateOf(voter, 1, null, "no-such-thread")).toBeNull();
  });
});
