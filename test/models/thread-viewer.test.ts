import { beforeAll, describe, expect, it } from "vitest";
import { threadViewerState } from "~/models/community/thread-viewer.server";
import { acceptAnswer, createReply, votePost } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { deletePost } from "~/models/moderation/post-moderation.server";
import { notify } from "~/models/notifications/notification.server";
import { db } from "~/services/db.server";
import { POSTS_PER_PAGE } from "~/utils/urls";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

// A member's own state on the shared thread page (ADR 042) is read in two statements; each part of it is checked
// here against the member it belongs to, on the page it belongs to.

useTestDatabase();

const VERSION = "content-version-test";
let thread: { id: string; postId: string };
let author: Awaited<ReturnType<typeof makeUser>>;
let voter: Awaited<ReturnType<typeof makeUser>>;
let stranger: Awaited<ReturnType<typeof makeUser>>;
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
    expect((await threadViewerState(voter, thread.id, 1, VERSION))!.votedPostIds).toEqual([onPage1]);
    expect((await threadViewerState(voter, thread.id, 2, VERSION))!.votedPostIds).toEqual([onPage2]);
    // The accepted answer shows on page 1 wherever its number puts it: the member's vote on it comes along.
    await acceptAnswer(author, onPage2);
    expect((await threadViewerState(voter, thread.id, 1, VERSION))!.votedPostIds.sort()).toEqual([onPage1, onPage2].sort());
    expect((await threadViewerState(stranger, thread.id, 1, VERSION))!.votedPostIds).toEqual([replies[1]!]);
    expect((await threadViewerState(author, thread.id, 1, VERSION))!.votedPostIds).toEqual([]);
  });

  it("counts the member's own unread notifications only", async () => {
    const before = (await threadViewerState(stranger, thread.id, 1, VERSION))!.unreadCount;
    await notify(db, [stranger.id], { kind: "mention", title: "You were mentioned", url: `/t/${thread.id}` });
    expect((await threadViewerState(stranger, thread.id, 1, VERSION))!.unreadCount).toBe(before + 1);
    expect((await threadViewerState(voter, thread.id, 1, VERSION))!.unreadCount).toBe(0);
    await db.notification.updateMany({ where: { userId: stranger.id }, data: { readAt: new Date() } });
    expect((await threadViewerState(stranger, thread.id, 1, VERSION))!.unreadCount).toBe(0);
  });

  it("is null on a page that holds a removed post of the member's own, and only there", async () => {
    const mine = await createReply(voter, thread.id, { body: "A reply I will take back." });
    expect(await threadViewerState(voter, thread.id, 2, VERSION)).not.toBeNull();
    await deletePost(voter, mine.id);
    expect(await threadViewerState(voter, thread.id, 2, VERSION)).toBeNull();
    expect(await threadViewerState(voter, thread.id, 1, VERSION)).not.toBeNull();
    expect(await threadViewerState(stranger, thread.id, 2, VERSION)).not.toBeNull();
  });

  it("is null for a moderator and for a thread that does not exist", async () => {
    expect(await threadViewerState(await makeUser({ role: "moderator" }), thread.id, 1, VERSION)).toBeNull();
    expect(await threadViewerState(voter, "no-such-thread", 1, VERSION)).toBeNull();
  });
});
