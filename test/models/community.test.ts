import { describe, expect, it } from "vitest";
import { acceptAnswer, createReply, editPost, listRevisions, votePost } from "~/models/community/post.server";
import { createThread, getThread, listThreads, parseListThreadsQuery } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

useTestDatabase();

const question = (category: string, extra: Record<string, unknown> = {}) => ({
  category,
  title: "How do I configure webhooks behind a proxy?",
  body: "My proxy rewrites the body and the signature check fails. What should I change?",
  tags: "webhooks, proxy",
  ...extra,
});

describe("asking and answering", () => {
  it("a member asks, another answers, the asker accepts; the thread is solved in lists", async () => {
    const cat = await makeCategory();
    const asker = await makeUser();
    const helper = await makeUser();
    const thread = await createThread(asker, question(cat.slug));
    expect(thread.url).toMatch(/^\/t\/\w+\/how-do-i-configure-webhooks-behind-a-proxy$/);

    const reply = await createReply(helper, thread.id, { body: "Verify the **raw** body before any parser touches it." });
    expect(reply.bodyHtml).toContain("<strong>raw</strong>");
    expect(reply.number).toBe(1);

    await acceptAnswer(asker, reply.id);
    const view = await getThread(thread.id, null);
    expect(view.solved).toBe(true);
    expect(view.acceptedPost?.id).toBe(reply.id);

    const solved = await listThreads(parseListThreadsQuery({ category: cat.slug, solved: "true" }));
    expect(solved.threads.map((t) => t.id)).toContain(thread.id);
    const unsolved = await listThreads(parseListThreadsQuery({ category: cat.slug, solved: "false" }));
    expect(unsolved.threads.map((t) => t.id)).not.toContain(thread.id);

    const helperRow = await db.user.findUnique({ where: { id: helper.id } });
    expect(helperRow!.reputation).toBe(15);
    const notes = await db.notification.findMany({ where: { userId: { in: [asker.id, helper.id] } } });
    expect(notes.map((n) => n.kind).sort()).toEqual(["accepted", "reply"]);
  });

  it("stores tags and finds the thread by tag; refuses unknown categories and short titles with field errors", async () => {
    const cat = await makeCategory();
    const asker = await makeUser();
    const t = await createThread(asker, question(cat.slug));
    expect((await listThreads(parseListThreadsQuery({ tag: "proxy" }))).threads.map((x) => x.id)).toContain(t.id);
    await expect(createThread(asker, question("no-such-category"))).rejects.toMatchObject({
      status: 400,
      fields: { category: expect.any(String) },
    });
    await expect(createThread(asker, question(cat.slug, { title: "short" }))).rejects.toMatchObject({
      status: 400,
      fields: { title: expect.any(String) },
    });
    await expect(createThread(asker, question(cat.slug, { tags: "a,b,c,d,e,f" }))).rejects.toMatchObject({
      status: 400,
      fields: { tags: expect.any(String) },
    });
  });

  it("lets the asker change the accepted answer and moves the reputation with it", async () => {
    const cat = await makeCategory();
    const [asker, a, b] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const t = await createThread(asker, question(cat.slug));
    const first = await createReply(a, t.id, { body: "Try turning off the proxy buffering." });
    const second = await createReply(b, t.id, { body: "Use the raw body middleware before JSON parsing." });
    await acceptAnswer(asker, first.id);
    await acceptAnswer(asker, second.id);
    const [ra, rb] = await Promise.all([db.user.findUnique({ where: { id: a.id } }), db.user.findUnique({ where: { id: b.id } })]);
    expect(ra!.reputation).toBe(0);
    expect(rb!.reputation).toBe(15);
  });

  it("refuses accepting in someone else's thread (403), but a moderator may", async () => {
    const cat = await makeCategory();
    const [asker, helper, stranger] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const t = await createThread(asker, question(cat.slug));
    const reply = await createReply(helper, t.id, { body: "Here is a detailed answer for you." });
    await expect(acceptAnswer(stranger, reply.id)).rejects.toMatchObject({ status: 403 });
    await expect(acceptAnswer(asker, t.postId)).rejects.toMatchObject({ status: 409 });
    await expect(acceptAnswer(moderator, reply.id)).resolves.toMatchObject({ acceptedPostId: reply.id });
  });

  it("numbers concurrent replies without collisions", async () => {
    const cat = await makeCategory();
    const asker = await makeUser();
    const helpers = await Promise.all([makeUser(), makeUser(), makeUser(), makeUser()]);
    const t = await createThread(asker, question(cat.slug));
    const replies = await Promise.all(helpers.map((h, i) => createReply(h, t.id, { body: `Concurrent answer number ${i}` })));
    expect(new Set(replies.map((r) => r.number)).size).toBe(4);
    expect((await getThread(t.id, null)).replyCount).toBe(4);
  });
});

describe("votes and reputation", () => {
  it("counts one helpful vote per member, refuses a second (409) and one's own post (403)", async () => {
    const cat = await makeCategory();
    const [asker, voter] = await Promise.all([makeUser(), makeUser()]);
    const t = await createThread(asker, question(cat.slug));
    await expect(votePost(voter, t.postId)).resolves.toMatchObject({ score: 1 });
    await expect(votePost(voter, t.postId)).rejects.toMatchObject({ status: 409 });
    await expect(votePost(asker, t.postId)).rejects.toMatchObject({ status: 403 });
    expect((await db.user.findUnique({ where: { id: asker.id } }))!.reputation).toBe(10);
    expect((await listThreads(parseListThreadsQuery({ category: cat.slug, sort: "top" }))).threads[0]!.score).toBe(1);
  });
});

describe("editing", () => {
  it("keeps every earlier version; the author and moderators see revisions, others do not", async () => {
    const cat = await makeCategory();
    const [author, other] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const t = await createThread(author, question(cat.slug));
    await editPost(author, t.postId, { body: "Second version of the question body.", title: "A better title for this question" });
    await editPost(moderator, t.postId, { body: "Third version, tidied by a moderator.", reason: "formatting" });
    const { revisions } = await listRevisions(author, t.postId);
    expect(revisions.map((r) => r.body)).toEqual([question(cat.slug).body, "Second version of the question body."]);
    expect((await getThread(t.id, null)).title).toBe("A better title for this question");
    await expect(listRevisions(other, t.postId)).rejects.toMatchObject({ status: 403 });
    await expect(listRevisions(moderator, t.postId)).resolves.toBeTruthy();
    const audit = await db.auditLog.findMany({ where: { targetId: t.postId } });
    expect(audit).toHaveLength(1);
  });

  it("refuses editing another member's post (403)", async () => {
    const cat = await makeCategory();
    const [author, other] = await Promise.all([makeUser(), makeUser()]);
    const t = await createThread(author, question(cat.slug));
    await expect(editPost(other, t.postId, { body: "I should not be able to do this." })).rejects.toMatchObject({ status: 403 });
  });
});

describe("locks, removal and trust", () => {
  it("refuses replies to a locked thread with 409", async () => {
    const cat = await makeCategory();
    const [author, other] = await Promise.all([makeUser(), makeUser()]);
    const t = await createThread(author, question(cat.slug));
    await db.thread.update({ where: { id: t.id }, data: { locked: true } });
    await expect(createReply(other, t.id, { body: "Can I still reply here?" })).rejects.toMatchObject({ status: 409 });
  });

  it("hides hidden threads and posts from everyone but moderators and the author", async () => {
    const cat = await makeCategory();
    const [author, other] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const t = await createThread(author, question(cat.slug));
    const reply = await createReply(other, t.id, { body: "This reply will be hidden." });
    await db.post.update({ where: { id: reply.id }, data: { hidden: true } });
    expect((await getThread(t.id, author)).posts.map((p) => p.id)).not.toContain(reply.id);
    expect((await getThread(t.id, other)).posts.map((p) => p.id)).toContain(reply.id);
    expect((await getThread(t.id, moderator)).posts.map((p) => p.id)).toContain(reply.id);

    await db.thread.update({ where: { id: t.id }, data: { deletedAt: new Date() } });
    await expect(getThread(t.id, null)).rejects.toMatchObject({ status: 404 });
    await expect(getThread(t.id, other)).rejects.toMatchObject({ status: 404 });
    await expect(getThread(t.id, author)).resolves.toBeTruthy();
    await expect(getThread(t.id, moderator)).resolves.toBeTruthy();
    expect((await listThreads(parseListThreadsQuery({ category: cat.slug }))).threads.map((x) => x.id)).not.toContain(t.id);
  });

  it("stops a new account from posting links or images, and allows them once trusted", async () => {
    const cat = await makeCategory();
    const newcomer = await makeUser({ trustLevel: 0 });
    await expect(
      createThread(newcomer, question(cat.slug, { body: "See https://example.com/help for details please" })),
    ).rejects.toMatchObject({
      status: 400,
      fields: { body: expect.stringContaining("links") },
    });
    await expect(
      createThread(newcomer, question(cat.slug, { body: "Look at ![shot](https://example.com/a.png) here" })),
    ).rejects.toMatchObject({ status: 400 });
    const trusted = await makeUser({ trustLevel: 2 });
    const t = await createThread(
      trusted,
      question(cat.slug, { body: "See [the docs](https://example.com/help) and ![shot](https://example.com/a.png)" }),
    );
    const html = (await getThread(t.id, null)).posts[0]!.bodyHtml;
    expect(html).toContain('rel="nofollow ugc noopener"');
    expect(html).toContain("<img");
  });

  it("limits a new account's posting rate with 429 and a retry time", async () => {
    const cat = await makeCategory();
    const newcomer = await makeUser({ trustLevel: 0 });
    const t = await createThread(newcomer, question(cat.slug));
    for (let i = 0; i < 4; i++) await createReply(newcomer, t.id, { body: `Follow-up number ${i} with detail.` });
    const error = await createReply(newcomer, t.id, { body: "One more follow-up that is too many." }).catch((e) => e);
    expect(error.status).toBe(429);
    expect(error.headers["Retry-After"]).toBeDefined();
  });

  it("notifies mentioned members once, not the author", async () => {
    const cat = await makeCategory();
    const author = await makeUser();
    const mentioned = await makeUser({ username: "mentioned_one" });
    await createThread(
      author,
      question(cat.slug, { body: `Hey @mentioned_one and @MENTIONED_ONE, and me @${author.username}: any idea?` }),
    );
    const notes = await db.notification.findMany({ where: { kind: "mention" } });
    expect(notes.map((n) => n.userId)).toEqual([mentioned.id]);
  });
});

describe("pagination", () => {
  it("pages through threads with a keyset cursor without repeats", async () => {
    const cat = await makeCategory();
    const author = await makeUser({ role: "moderator" });
    const base = Date.now();
    await db.thread.createMany({
      data: Array.from({ length: 65 }, (_, i) => ({
        slug: `t-${i}`,
        title: `Generated thread ${i}`,
        categoryId: cat.id,
        authorId: author.id,
        lastPostAt: new Date(base - i * 1000),
      })),
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listThreads(parseListThreadsQuery({ category: cat.slug, cursor }));
      seen.push(...page.threads.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(65);
    expect(new Set(seen).size).toBe(65);
    const third = await listThreads(parseListThreadsQuery({ category: cat.slug, page: "3" }));
    expect(third.threads).toHaveLength(5);
    expect(third.total).toBe(65);
    await expect(listThreads(parseListThreadsQuery({ cursor: "garbage" }))).rejects.toMatchObject({ status: 400 });
  });
});

describe("moderation keeps thread facts true", () => {
  it("hiding the accepted answer un-solves the thread and deleted replies leave the reply count", async () => {
    const { hidePost, deletePost } = await import("~/models/moderation/post-moderation.server");
    const cat = await makeCategory();
    const [asker, helper] = await Promise.all([makeUser(), makeUser()]);
    const moderator = await makeUser({ role: "moderator" });
    const t = await createThread(asker, question(cat.slug));
    const answer = await createReply(helper, t.id, { body: "An answer that turns out to be spam." });
    const other = await createReply(helper, t.id, { body: "A second reply that its author deletes." });
    await acceptAnswer(asker, answer.id);
    await hidePost(moderator, answer.id, { reason: "spam link" });
    let view = await getThread(t.id, null);
    expect(view.solved).toBe(false);
    await deletePost(helper, other.id, {});
    view = await getThread(t.id, null);
    expect(view.replyCount).toBe(0);
    expect((await listThreads(parseListThreadsQuery({ category: cat.slug, sort: "unanswered" }))).threads.map((x) => x.id)).toContain(t.id);
    expect(view.pages).toBe(1);
  });
});
