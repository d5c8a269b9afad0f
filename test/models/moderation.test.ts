import { describe, expect, it } from "vitest";
import { listAudit } from "~/models/moderation/audit.server";
import {
  AUTO_HIDE_FLAGS,
  dismissFlag,
  dismissFlagsOnPost,
  FLAG_RATE,
  flagPost,
  listFlagQueue,
  parseFlagQueueQuery,
} from "~/models/moderation/flag.server";
import { deletePost, hidePost, restorePost, unhidePost } from "~/models/moderation/post-moderation.server";
import {
  deleteThread,
  hideThread,
  lockThread,
  moveThread,
  restoreThread,
  unhideThread,
  unlockThread,
} from "~/models/moderation/thread-moderation.server";
import { createReply } from "~/models/community/post.server";
import { createThread, getThread, listThreads, parseListThreadsQuery } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

useTestDatabase();

type User = Awaited<ReturnType<typeof makeUser>>;

/** A category with one thread by `asker` and one reply by `helper`. */
async function conversation() {
  const category = await makeCategory();
  const [asker, helper, moderator] = await Promise.all([makeUser(), makeUser(), makeUser({ role: "moderator" })]);
  const thread = await createThread(asker, {
    category: category.slug,
    title: "Webhook retries arrive twice after the upgrade",
    body: "Since 3.2 every webhook is delivered twice. Is that expected?",
  });
  const reply = await createReply(helper, thread.id, { body: "Retries are expected; make your handler idempotent by event id." });
  return { category, asker, helper, moderator, thread, reply };
}

const counts = async (categoryId: string) =>
  db.category.findUniqueOrThrow({ where: { id: categoryId }, select: { threadCount: true, postCount: true } });

const visiblePostIds = async (threadId: string, viewer: User | null) => (await getThread(threadId, viewer)).posts.map((p) => p.id);

/** Clears the thread's pending search jobs, runs `fn`, and says whether it queued a new one. */
async function queuesSearchSync(threadId: string, fn: () => Promise<unknown>) {
  await db.job.deleteMany({ where: { queue: "search", dedupeKey: `thread:${threadId}` } });
  await fn();
  return (await db.job.count({ where: { queue: "search", dedupeKey: `thread:${threadId}`, state: "pending" } })) === 1;
}

const auditFor = (targetId: string) => db.auditLog.findMany({ where: { targetId }, orderBy: { createdAt: "asc" } });

describe("flagging a post", () => {
  it("a member flags a reply with a reason; moderators see it in the queue grouped by post", async () => {
    const { helper, moderator, thread, reply } = await conversation();
    const [reporterA, reporterB] = await Promise.all([makeUser(), makeUser()]);
    const flag = await flagPost(reporterA, reply.id, { reason: "off-topic" });
    expect(flag).toMatchObject({ postId: reply.id, reason: "off-topic", details: null });
    await flagPost(reporterB, reply.id, { reason: "needs-moderator", details: "Links to a paid competitor." });

    const queue = await listFlagQueue(moderator, parseFlagQueueQuery({}));
    const item = queue.items.find((i) => i.post.id === reply.id)!;
    expect(item.post).toMatchObject({ author: helper.username, excerpt: expect.stringContaining("idempotent"), hidden: false });
    expect(item.post.url).toContain(`/t/${thread.id}/`);
    expect(item.thread).toMatchObject({ id: thread.id, title: thread.title, url: thread.url });
    expect(item.flags.map((f) => [f.reporter, f.reason])).toEqual([
      [reporterA.username, "off-topic"],
      [reporterB.username, "needs-moderator"],
    ]);
    expect(item.flags[1]!.details).toBe("Links to a paid competitor.");
    expect(item.reasons).toEqual({ "off-topic": 1, "needs-moderator": 1 });
  });

  it("refuses a second flag from the same member with 409", async () => {
    const { reply } = await conversation();
    const reporter = await makeUser();
    await flagPost(reporter, reply.id, { reason: "spam" });
    await expect(flagPost(reporter, reply.id, { reason: "offensive" })).rejects.toMatchObject({ status: 409 });
    expect(await db.flag.count({ where: { postId: reply.id } })).toBe(1);
  });

  it("refuses flagging one's own post with 403", async () => {
    const { helper, reply } = await conversation();
    await expect(flagPost(helper, reply.id, { reason: "spam" })).rejects.toMatchObject({ status: 403 });
  });

  it("refuses a missing or unknown reason, and 'something else' without details, with field errors", async () => {
    const { reply } = await conversation();
    const reporter = await makeUser();
    await expect(flagPost(reporter, reply.id, {})).rejects.toMatchObject({ status: 400, fields: { reason: expect.any(String) } });
    await expect(flagPost(reporter, reply.id, { reason: "boring" })).rejects.toMatchObject({
      status: 400,
      fields: { reason: expect.any(String) },
    });
    await expect(flagPost(reporter, reply.id, { reason: "needs-moderator" })).rejects.toMatchObject({
      status: 400,
      fields: { details: expect.any(String) },
    });
  });

  it("answers 404 for a post that does not exist or that the member cannot see, and 401 to visitors", async () => {
    const { moderator, reply } = await conversation();
    const reporter = await makeUser();
    await expect(flagPost(reporter, "no-such-post", { reason: "spam" })).rejects.toMatchObject({ status: 404 });
    await hidePost(moderator, reply.id, { reason: "Spam link" });
    await expect(flagPost(reporter, reply.id, { reason: "spam" })).rejects.toMatchObject({ status: 404 });
    await expect(flagPost(null as never, reply.id, { reason: "spam" })).rejects.toMatchObject({ status: 401 });
  });

  it("limits how many flags a member raises, with 429 and Retry-After", async () => {
    const { reply } = await conversation();
    const reporter = await makeUser();
    const now = new Date();
    await db.rateLimit.create({
      data: {
        key: `flag:${reporter.id}`,
        count: FLAG_RATE.max,
        windowStart: now,
        expiresAt: new Date(now.getTime() + FLAG_RATE.windowSeconds * 1000),
      },
    });
    const error = await flagPost(reporter, reply.id, { reason: "spam" }).catch((e) => e);
    expect(error).toMatchObject({ status: 429, message: expect.stringMatching(/Too many flags\. Try again in/) });
    expect(Number(error.headers["Retry-After"])).toBeGreaterThan(0);
    expect(await db.flag.count({ where: { postId: reply.id } })).toBe(0);
  });

  it(`hides a member's post after ${AUTO_HIDE_FLAGS} spam flags until a moderator reviews it; staff posts stay`, async () => {
    const { category, moderator, thread, reply } = await conversation();
    const reporters = await Promise.all(Array.from({ length: AUTO_HIDE_FLAGS }, () => makeUser()));
    const before = await counts(category.id);
    for (const r of reporters) await flagPost(r, reply.id, { reason: "spam" });
    expect(await visiblePostIds(thread.id, null)).not.toContain(reply.id);
    expect((await counts(category.id)).postCount).toBe(before.postCount - 1);
    const [entry] = await auditFor(reply.id);
    expect(entry).toMatchObject({ action: "post.auto_hide", actorId: null, reason: expect.stringContaining("flags") });
    expect((await listFlagQueue(moderator, parseFlagQueueQuery({}))).items.find((i) => i.post.id === reply.id)?.flags).toHaveLength(
      AUTO_HIDE_FLAGS,
    );

    const staffReply = await createReply(moderator, thread.id, { body: "Please keep this thread about webhooks." });
    for (const r of reporters) await flagPost(r, staffReply.id, { reason: "offensive" });
    expect(await visiblePostIds(thread.id, null)).toContain(staffReply.id);
  });
});

describe("the moderation queue", () => {
  it("is for moderators only: 403 for members, 401 for visitors", async () => {
    const member = await makeUser();
    await expect(listFlagQueue(member, parseFlagQueueQuery({}))).rejects.toMatchObject({ status: 403 });
    await expect(listFlagQueue(null, parseFlagQueueQuery({}))).rejects.toMatchObject({ status: 401 });
    await expect(dismissFlagsOnPost(member, "anything")).rejects.toMatchObject({ status: 403 });
  });

  it("dismissing flags resolves them, keeps the post, and writes the audit log", async () => {
    const { moderator, thread, reply } = await conversation();
    const reporter = await makeUser();
    await flagPost(reporter, reply.id, { reason: "off-topic" });
    const result = await dismissFlagsOnPost(moderator, reply.id, { reason: "On topic: it answers the question." });
    expect(result).toEqual({ postId: reply.id, dismissed: 1 });
    expect((await listFlagQueue(moderator, parseFlagQueueQuery({ state: "open" }))).items.map((i) => i.post.id)).not.toContain(reply.id);
    const resolved = (await listFlagQueue(moderator, parseFlagQueueQuery({ state: "resolved" }))).items.find(
      (i) => i.post.id === reply.id,
    )!;
    expect(resolved.flags[0]).toMatchObject({ resolution: "dismissed", resolvedBy: moderator.username });
    expect(await visiblePostIds(thread.id, null)).toContain(reply.id);
    expect(await auditFor(reply.id)).toMatchObject([
      { action: "flag.dismiss", actorId: moderator.id, reason: "On topic: it answers the question.", targetType: "post" },
    ]);
    await expect(dismissFlagsOnPost(moderator, reply.id)).rejects.toMatchObject({ status: 409 });
  });

  it("dismisses a single flag by id, once", async () => {
    const { moderator, reply } = await conversation();
    const flag = await flagPost(await makeUser(), reply.id, { reason: "spam" });
    await expect(dismissFlag(await makeUser(), flag.id)).rejects.toMatchObject({ status: 403 });
    expect(await dismissFlag(moderator, flag.id)).toMatchObject({ id: flag.id, resolution: "dismissed" });
    await expect(dismissFlag(moderator, flag.id)).rejects.toMatchObject({ status: 409 });
    await expect(dismissFlag(moderator, "no-such-flag")).rejects.toMatchObject({ status: 404 });
  });

  it("hiding a flagged post resolves its flags as 'hidden'", async () => {
    const { moderator, reply } = await conversation();
    await flagPost(await makeUser(), reply.id, { reason: "spam" });
    await flagPost(await makeUser(), reply.id, { reason: "offensive" });
    await hidePost(moderator, reply.id, { reason: "Spam: affiliate links" });
    const flags = await db.flag.findMany({ where: { postId: reply.id } });
    expect(flags.every((f) => f.resolution === "hidden" && f.resolvedById === moderator.id && f.resolvedAt)).toBe(true);
    const [entry] = await auditFor(reply.id);
    expect((entry!.data as { flagIds: string[] }).flagIds).toHaveLength(2);
  });
});

describe("hiding and unhiding posts", () => {
  it("refuses members (403) and visitors (401), and moderators without a reason (400)", async () => {
    const { asker, moderator, reply } = await conversation();
    await expect(hidePost(asker, reply.id, { reason: "I do not like it" })).rejects.toMatchObject({ status: 403 });
    await expect(hidePost(null, reply.id, { reason: "x" })).rejects.toMatchObject({ status: 401 });
    await expect(hidePost(moderator, reply.id, {})).rejects.toMatchObject({ status: 400, fields: { reason: expect.any(String) } });
    await expect(hidePost(moderator, reply.id, { reason: "  " })).rejects.toMatchObject({
      status: 400,
      fields: { reason: expect.any(String) },
    });
    await expect(hidePost(moderator, "no-such-post", { reason: "Spam link" })).rejects.toMatchObject({ status: 404 });
    await expect(unhidePost(asker, reply.id)).rejects.toMatchObject({ status: 403 });
  });

  it("a hidden reply disappears for others, stays for its author and moderators, and leaves the search index", async () => {
    const { category, asker, helper, moderator, thread, reply } = await conversation();
    const before = await counts(category.id);
    const queued = await queuesSearchSync(thread.id, async () => {
      expect(await hidePost(moderator, reply.id, { reason: "Rude tone" })).toMatchObject({ id: reply.id, hidden: true, changed: true });
    });
    expect(queued).toBe(true);
    expect(await visiblePostIds(thread.id, null)).not.toContain(reply.id);
    expect(await visiblePostIds(thread.id, asker)).not.toContain(reply.id);
    expect(await visiblePostIds(thread.id, helper)).toContain(reply.id);
    expect(await visiblePostIds(thread.id, moderator)).toContain(reply.id);
    expect((await counts(category.id)).postCount).toBe(before.postCount - 1);
    expect(await auditFor(reply.id)).toMatchObject([
      {
        action: "post.hide",
        actorId: moderator.id,
        targetType: "post",
        reason: "Rude tone",
        data: expect.objectContaining({ threadId: thread.id, number: 1 }),
      },
    ]);

    // Hiding again changes nothing and logs nothing.
    expect(await hidePost(moderator, reply.id, { reason: "Rude tone" })).toMatchObject({ changed: false });
    expect(await auditFor(reply.id)).toHaveLength(1);

    expect(await queuesSearchSync(thread.id, () => unhidePost(moderator, reply.id, { reason: "Edited politely" }))).toBe(true);
    expect(await visiblePostIds(thread.id, null)).toContain(reply.id);
    expect(await counts(category.id)).toEqual(before);
    expect((await auditFor(reply.id)).map((e) => e.action)).toEqual(["post.hide", "post.unhide"]);
  });

  it("hiding the question hides the whole thread", async () => {
    const { category, moderator, thread } = await conversation();
    await hidePost(moderator, thread.postId, { reason: "Spam thread" });
    await expect(getThread(thread.id, null)).rejects.toMatchObject({ status: 404 });
    expect(await counts(category.id)).toEqual({ threadCount: 0, postCount: 0 });
    expect(await auditFor(thread.id)).toMatchObject([{ action: "thread.hide", reason: "Spam thread" }]);
    await unhidePost(moderator, thread.postId);
    expect((await getThread(thread.id, null)).posts).toHaveLength(2);
    expect(await counts(category.id)).toEqual({ threadCount: 1, postCount: 2 });
  });
});

describe("hiding, locking, moving and deleting threads", () => {
  it("a hidden thread is gone from lists and pages for others but not for its author and moderators", async () => {
    const { category, asker, helper, moderator, thread } = await conversation();
    await expect(hideThread(helper, thread.id, { reason: "Off-topic" })).rejects.toMatchObject({ status: 403 });
    await expect(hideThread(moderator, thread.id, {})).rejects.toMatchObject({ status: 400, fields: { reason: expect.any(String) } });
    expect(await queuesSearchSync(thread.id, () => hideThread(moderator, thread.id, { reason: "Duplicate of an older thread" }))).toBe(
      true,
    );

    await expect(getThread(thread.id, null)).rejects.toMatchObject({ status: 404 });
    await expect(getThread(thread.id, helper)).rejects.toMatchObject({ status: 404 });
    expect((await getThread(thread.id, asker)).hidden).toBe(true);
    expect((await getThread(thread.id, moderator)).posts).toHaveLength(2);
    expect((await listThreads(parseListThreadsQuery({ category: category.slug }))).threads).toHaveLength(0);
    expect(await counts(category.id)).toEqual({ threadCount: 0, postCount: 0 });
    await expect(createReply(helper, thread.id, { body: "Replying to a hidden thread." })).rejects.toMatchObject({ status: 404 });

    await unhideThread(moderator, thread.id);
    expect((await listThreads(parseListThreadsQuery({ category: category.slug }))).threads.map((t) => t.id)).toEqual([thread.id]);
    expect(await counts(category.id)).toEqual({ threadCount: 1, postCount: 2 });
    expect((await auditFor(thread.id)).map((e) => [e.action, e.actorId])).toEqual([
      ["thread.hide", moderator.id],
      ["thread.unhide", moderator.id],
    ]);
  });

  it("a locked thread refuses replies with 409 until it is unlocked; members cannot lock", async () => {
    const { asker, helper, moderator, thread } = await conversation();
    await expect(lockThread(asker, thread.id)).rejects.toMatchObject({ status: 403 });
    expect(await lockThread(moderator, thread.id, { reason: "Resolved; please open a new thread" })).toMatchObject({
      locked: true,
      changed: true,
    });
    await expect(createReply(helper, thread.id, { body: "One more thing about retries." })).rejects.toMatchObject({ status: 409 });
    expect((await getThread(thread.id, null)).locked).toBe(true);
    await expect(unlockThread(helper, thread.id)).rejects.toMatchObject({ status: 403 });
    await unlockThread(moderator, thread.id);
    await expect(createReply(helper, thread.id, { body: "One more thing about retries." })).resolves.toMatchObject({ number: 2 });
    expect(await auditFor(thread.id)).toMatchObject([
      { action: "thread.lock", reason: "Resolved; please open a new thread" },
      { action: "thread.unlock", reason: null },
    ]);
    await expect(lockThread(moderator, "no-such-thread")).rejects.toMatchObject({ status: 404 });
  });

  it("moves a thread to another category and keeps both categories' counts right", async () => {
    const { category, helper, moderator, thread, reply } = await conversation();
    const target = await makeCategory();
    await expect(moveThread(helper, thread.id, { category: target.slug, reason: "Belongs there" })).rejects.toMatchObject({ status: 403 });
    await expect(moveThread(moderator, thread.id, { category: "no-such-category", reason: "Belongs there" })).rejects.toMatchObject({
      status: 400,
      fields: { category: expect.any(String) },
    });
    await expect(moveThread(moderator, thread.id, { category: target.slug })).rejects.toMatchObject({
      status: 400,
      fields: { reason: expect.any(String) },
    });

    // A hidden reply is not counted anywhere, before or after the move.
    await hidePost(moderator, reply.id, { reason: "Spam link" });
    expect(
      await queuesSearchSync(thread.id, () =>
        moveThread(moderator, thread.id, { category: target.slug, reason: "About the community edition" }),
      ),
    ).toBe(true);
    expect(await counts(category.id)).toEqual({ threadCount: 0, postCount: 0 });
    expect(await counts(target.id)).toEqual({ threadCount: 1, postCount: 1 });
    expect((await getThread(thread.id, null)).category.slug).toBe(target.slug);
    expect((await listThreads(parseListThreadsQuery({ category: target.slug }))).threads.map((t) => t.id)).toEqual([thread.id]);
    await unhidePost(moderator, reply.id);
    expect(await counts(target.id)).toEqual({ threadCount: 1, postCount: 2 });

    const move = (await auditFor(thread.id)).find((e) => e.action === "thread.move")!;
    expect(move).toMatchObject({
      actorId: moderator.id,
      reason: "About the community edition",
      data: expect.objectContaining({ from: category.slug, to: target.slug }),
    });
    expect(await moveThread(moderator, thread.id, { category: target.slug, reason: "Again" })).toMatchObject({ changed: false });
  });

  it("a moderator deletes and restores a thread with a reason; counts and visibility follow", async () => {
    const { category, asker, helper, moderator, thread, reply } = await conversation();
    await flagPost(await makeUser(), reply.id, { reason: "spam" });
    await expect(deleteThread(helper, thread.id, { reason: "Not mine" })).rejects.toMatchObject({ status: 403 });
    await expect(deleteThread(moderator, thread.id)).rejects.toMatchObject({ status: 400, fields: { reason: expect.any(String) } });
    expect(await deleteThread(moderator, thread.id, { reason: "Spam wave" })).toMatchObject({ deleted: true });
    await expect(getThread(thread.id, helper)).rejects.toMatchObject({ status: 404 });
    expect((await getThread(thread.id, asker)).deleted).toBe(true);
    expect(await counts(category.id)).toEqual({ threadCount: 0, postCount: 0 });
    expect((await db.flag.findFirstOrThrow({ where: { postId: reply.id } })).resolution).toBe("deleted");

    await expect(restoreThread(asker, thread.id)).rejects.toMatchObject({ status: 403 });
    await restoreThread(moderator, thread.id, { reason: "Not spam after all" });
    expect((await getThread(thread.id, null)).posts).toHaveLength(2);
    expect(await counts(category.id)).toEqual({ threadCount: 1, postCount: 2 });
    expect((await auditFor(thread.id)).map((e) => [e.action, e.reason])).toEqual([
      ["thread.delete", "Spam wave"],
      ["thread.restore", "Not spam after all"],
    ]);
  });
});

describe("soft-deleting posts", () => {
  it("a member deletes their own reply: gone for others, still there for them and for moderators", async () => {
    const { category, asker, helper, moderator, thread, reply } = await conversation();
    const before = await counts(category.id);
    expect(await queuesSearchSync(thread.id, () => deletePost(helper, reply.id))).toBe(true);
    expect(await visiblePostIds(thread.id, null)).not.toContain(reply.id);
    expect(await visiblePostIds(thread.id, asker)).not.toContain(reply.id);
    expect(await visiblePostIds(thread.id, helper)).toContain(reply.id);
    expect(await visiblePostIds(thread.id, moderator)).toContain(reply.id);
    expect((await counts(category.id)).postCount).toBe(before.postCount - 1);
    expect(await auditFor(reply.id)).toMatchObject([
      { action: "post.delete", actorId: helper.id, data: expect.objectContaining({ byAuthor: true }) },
    ]);
  });

  it("refuses deleting someone else's post (403) and a visitor (401)", async () => {
    const { asker, reply } = await conversation();
    await expect(deletePost(asker, reply.id)).rejects.toMatchObject({ status: 403 });
    await expect(deletePost(null, reply.id)).rejects.toMatchObject({ status: 401 });
  });

  it("refuses deleting one's own question once others replied (409); without replies it deletes the thread", async () => {
    const { asker, thread, category } = await conversation();
    await expect(deletePost(asker, thread.postId)).rejects.toMatchObject({ status: 409 });
    await expect(deleteThread(asker, thread.id)).rejects.toMatchObject({ status: 409 });

    const lonely = await createThread(asker, {
      category: category.slug,
      title: "Never mind, found it myself",
      body: "Posted too fast, sorry about that.",
    });
    expect(await deletePost(asker, lonely.postId)).toMatchObject({ number: 0, deleted: true });
    await expect(getThread(lonely.id, null)).rejects.toMatchObject({ status: 404 });
    expect((await getThread(lonely.id, asker)).deleted).toBe(true);
    expect(await auditFor(lonely.id)).toMatchObject([{ action: "thread.delete", actorId: asker.id }]);
  });

  it("refuses a member's deletion in a locked thread with 409", async () => {
    const { helper, moderator, thread, reply } = await conversation();
    await lockThread(moderator, thread.id);
    await expect(deletePost(helper, reply.id)).rejects.toMatchObject({ status: 409 });
  });

  it("a moderator deletes another's post only with a reason, resolving its flags; restoring brings it back", async () => {
    const { category, moderator, thread, reply } = await conversation();
    await flagPost(await makeUser(), reply.id, { reason: "spam" });
    const before = await counts(category.id);
    await expect(deletePost(moderator, reply.id)).rejects.toMatchObject({ status: 400, fields: { reason: expect.any(String) } });
    await deletePost(moderator, reply.id, { reason: "Advertising" });
    expect((await db.flag.findFirstOrThrow({ where: { postId: reply.id } })).resolution).toBe("deleted");
    expect((await listFlagQueue(moderator, parseFlagQueueQuery({}))).items.map((i) => i.post.id)).not.toContain(reply.id);

    await expect(restorePost(await makeUser(), reply.id)).rejects.toMatchObject({ status: 403 });
    expect(await queuesSearchSync(thread.id, () => restorePost(moderator, reply.id, { reason: "Wrong post" }))).toBe(true);
    expect(await visiblePostIds(thread.id, null)).toContain(reply.id);
    expect(await counts(category.id)).toEqual(before);
    expect((await auditFor(reply.id)).map((e) => [e.action, e.actorId, e.reason])).toEqual([
      ["post.delete", moderator.id, "Advertising"],
      ["post.restore", moderator.id, "Wrong post"],
    ]);
  });
});

describe("the audit log", () => {
  it("lists moderator actions newest first with filters and pages, for moderators only", async () => {
    const { moderator, thread, reply } = await conversation();
    const other = await makeUser({ role: "moderator" });
    await lockThread(moderator, thread.id, { reason: "Cooling off" });
    await hidePost(other, reply.id, { reason: "Rude" });
    await unlockThread(moderator, thread.id);

    const all = await listAudit(moderator, { targetId: thread.id });
    expect(all.entries.map((e) => e.action)).toEqual(["thread.unlock", "thread.lock"]);
    expect(all.entries[1]).toMatchObject({ actor: moderator.username, reason: "Cooling off", targetType: "thread", url: thread.url });

    const byActor = await listAudit(moderator, { actor: other.username });
    expect(byActor.entries).toMatchObject([{ action: "post.hide", targetId: reply.id, reason: "Rude" }]);
    expect((await listAudit(moderator, { action: "thread.", actor: moderator.username })).total).toBe(2);
    expect((await listAudit(moderator, { action: "post.hide", targetType: "post", targetId: reply.id })).total).toBe(1);

    const today = new Date().toISOString().slice(0, 10);
    expect((await listAudit(moderator, { actor: moderator.username, from: today, to: today })).total).toBe(2);
    expect((await listAudit(moderator, { actor: moderator.username, to: "2000-01-01" })).total).toBe(0);
    await expect(listAudit(moderator, { from: "yesterday-ish" })).rejects.toMatchObject({
      status: 400,
      fields: { from: expect.any(String) },
    });

    await expect(listAudit(await makeUser(), {})).rejects.toMatchObject({ status: 403 });
    await expect(listAudit(null, {})).rejects.toMatchObject({ status: 401 });
  });

  it("pages through long logs", async () => {
    const { moderator, thread } = await conversation();
    for (let i = 0; i < 26; i++) {
      await lockThread(moderator, thread.id);
      await unlockThread(moderator, thread.id);
    }
    const first = await listAudit(moderator, { targetId: thread.id });
    const second = await listAudit(moderator, { targetId: thread.id, page: "2" });
    expect(first).toMatchObject({ total: 52, page: 1, pageSize: 50 });
    expect(first.entries).toHaveLength(50);
    expect(second.entries).toHaveLength(2);
    expect(new Set([...first.entries, ...second.entries].map((e) => e.id)).size).toBe(52);
  });
});
