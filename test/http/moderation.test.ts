import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let visitor: Client;
let moderator: Client;
let ada: Client; // seeded member who asks
let grace: Client; // seeded member who answers
let member: Client; // a fresh member (trust level 0) who signs up through the API

type ApiPost = { id: string; number: number; author: string; hidden: boolean; deleted: boolean };
type ApiThread = { id: string; url: string; locked: boolean; category: { slug: string }; posts: ApiPost[] };

/** A fresh thread by ada with one reply by grace. */
async function conversation(title = "Retries arrive twice after upgrading") {
  const created = await ada.post("/api/v1/threads", { category: "pro", title, body: "Every webhook arrives twice since 3.2. Expected?" });
  expect(created.status).toBe(201);
  const thread = await created.json();
  const replied = await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: "Retries are normal; dedupe on the event id." });
  expect(replied.status).toBe(201);
  return { thread: thread as { id: string; postId: string; url: string }, reply: (await replied.json()) as { id: string } };
}

const getThread = async (client: Client, id: string) => {
  const res = await client.get(`/api/v1/threads/${id}`);
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as ApiThread) : null };
};

const expectError = async (res: Response, status: number, code?: string) => {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body).toMatchObject({ error: { code: code ?? expect.any(String), message: expect.any(String) } });
  return body.error as { code: string; message: string; fields?: Record<string, string> };
};

beforeAll(async () => {
  server = await startServer({ seed: true });
  visitor = new Client(server.url);
  moderator = await signIn(server, "moderator@backline.local");
  ada = await signIn(server, "member@backline.local");
  grace = await signIn(server, "member2@backline.local");
  const signup = await new Client(server.url).post("/api/v1/users", {
    username: "flagger_http",
    email: "flagger@example.com",
    password: TEST_PASSWORD,
  });
  expect(signup.status).toBe(201);
  member = await signIn(server, "flagger@example.com", TEST_PASSWORD);
});
afterAll(async () => {
  await server?.stop();
});

describe("flagging over the API", () => {
  it("a member flags a post once (201, then 409), never their own (403), with a valid reason (400)", async () => {
    const { thread, reply } = await conversation();
    const flagged = await member.post(`/api/v1/posts/${thread.postId}/flags`, { reason: "off-topic", details: "Not about our product" });
    expect(flagged.status).toBe(201);
    expect(await flagged.json()).toMatchObject({
      id: expect.any(String),
      postId: thread.postId,
      reason: "off-topic",
      details: "Not about our product",
    });

    await expectError(await member.post(`/api/v1/posts/${thread.postId}/flags`, { reason: "spam" }), 409, "conflict");
    const mine = await (await member.post(`/api/v1/threads/${thread.id}/posts`, { body: "Same here, twice each time." })).json();
    await expectError(await member.post(`/api/v1/posts/${mine.id}/flags`, { reason: "spam" }), 403, "forbidden");
    const bad = await expectError(await ada.post(`/api/v1/posts/${reply.id}/flags`, { reason: "boring" }), 400, "invalid_request");
    expect(bad.fields).toHaveProperty("reason");
    const noDetails = await expectError(await ada.post(`/api/v1/posts/${reply.id}/flags`, { reason: "needs-moderator" }), 400);
    expect(noDetails.fields).toHaveProperty("details");
    await expectError(await ada.post("/api/v1/posts/no-such-post/flags", { reason: "spam" }), 404, "not_found");
    await expectError(await visitor.post(`/api/v1/posts/${reply.id}/flags`, { reason: "spam" }), 401, "unauthorized");
  });

  it("moderators read the queue and dismiss flags; members get 403 and visitors 401", async () => {
    const { reply } = await conversation("A thread whose reply gets flagged");
    const flag = await (await ada.post(`/api/v1/posts/${reply.id}/flags`, { reason: "spam" })).json();

    const queue = await moderator.get("/api/v1/flags");
    expect(queue.status).toBe(200);
    const body = await queue.json();
    const item = body.items.find((i: { post: { id: string } }) => i.post.id === reply.id);
    expect(item).toMatchObject({
      post: { author: "grace", excerpt: expect.stringContaining("dedupe"), url: expect.stringContaining("#post-1") },
      thread: { title: "A thread whose reply gets flagged" },
      flags: [{ reporter: "ada", reason: "spam" }],
    });
    expect(body).toMatchObject({ state: "open", page: 1, total: expect.any(Number) });
    await expectError(await moderator.get("/api/v1/flags?state=sideways"), 400);

    await expectError(await member.get("/api/v1/flags"), 403, "forbidden");
    await expectError(await visitor.get("/api/v1/flags"), 401, "unauthorized");
    await expectError(await member.post(`/api/v1/flags/${flag.id}/dismiss`, {}), 403, "forbidden");
    await expectError(await visitor.post(`/api/v1/flags/${flag.id}/dismiss`, {}), 401);

    const dismissed = await moderator.post(`/api/v1/flags/${flag.id}/dismiss`, { reason: "Not spam" });
    expect(dismissed.status).toBe(200);
    expect(await dismissed.json()).toEqual({ id: flag.id, postId: reply.id, resolution: "dismissed" });
    await expectError(await moderator.post(`/api/v1/flags/${flag.id}/dismiss`, {}), 409);
    await expectError(await moderator.post("/api/v1/flags/nope/dismiss", {}), 404);
    const resolved = await (await moderator.get("/api/v1/flags?state=resolved")).json();
    expect(resolved.items.map((i: { post: { id: string } }) => i.post.id)).toContain(reply.id);
  });
});

describe("moderating posts over the API", () => {
  it("hides and unhides a post: reason required, visible only to moderators and the author meanwhile", async () => {
    const { thread, reply } = await conversation("A thread with a reply to hide");
    await expectError(await visitor.post(`/api/v1/posts/${reply.id}/hide`, { reason: "Spam" }), 401, "unauthorized");
    await expectError(await ada.post(`/api/v1/posts/${reply.id}/hide`, { reason: "Spam" }), 403, "forbidden");
    await expectError(await ada.post(`/api/v1/posts/${reply.id}/hide`, {}), 403, "forbidden");
    const missing = await expectError(await moderator.post(`/api/v1/posts/${reply.id}/hide`, {}), 400, "invalid_request");
    expect(missing.fields).toHaveProperty("reason");
    await expectError(await moderator.post("/api/v1/posts/no-such-post/hide", { reason: "Spam" }), 404);

    const hidden = await moderator.post(`/api/v1/posts/${reply.id}/hide`, { reason: "Affiliate links" });
    expect(hidden.status).toBe(200);
    expect(await hidden.json()).toMatchObject({ id: reply.id, threadId: thread.id, hidden: true, deleted: false, changed: true });

    expect((await getThread(visitor, thread.id)).body!.posts.map((p) => p.id)).not.toContain(reply.id);
    expect((await getThread(ada, thread.id)).body!.posts.map((p) => p.id)).not.toContain(reply.id);
    expect((await getThread(member, thread.id)).body!.posts.map((p) => p.id)).not.toContain(reply.id);
    expect((await getThread(grace, thread.id)).body!.posts.find((p) => p.id === reply.id)).toMatchObject({ hidden: true });
    expect((await getThread(moderator, thread.id)).body!.posts.find((p) => p.id === reply.id)).toMatchObject({ hidden: true });

    await expectError(await member.post(`/api/v1/posts/${reply.id}/unhide`, {}), 403);
    expect((await moderator.post(`/api/v1/posts/${reply.id}/unhide`, {})).status).toBe(200);
    expect((await getThread(visitor, thread.id)).body!.posts.map((p) => p.id)).toContain(reply.id);
  });

  it("soft-deletes: own post by its author, others' only by a moderator with a reason; restore by moderators", async () => {
    const { thread, reply } = await conversation("A thread with a reply to delete");
    const mine = (await (await member.post(`/api/v1/threads/${thread.id}/posts`, { body: "Oops, wrong thread for this one." })).json()) as {
      id: string;
    };
    await expectError(await visitor.request("DELETE", `/api/v1/posts/${mine.id}`), 401);
    await expectError(await ada.request("DELETE", `/api/v1/posts/${mine.id}`), 403, "forbidden");
    await expectError(await ada.request("DELETE", `/api/v1/posts/${thread.postId}`), 409, "conflict");
    await expectError(await moderator.request("DELETE", `/api/v1/posts/${reply.id}`), 400);

    const own = await member.request("DELETE", `/api/v1/posts/${mine.id}`);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: mine.id, deleted: true });
    expect((await getThread(visitor, thread.id)).body!.posts.map((p) => p.id)).not.toContain(mine.id);
    expect((await getThread(member, thread.id)).body!.posts.find((p) => p.id === mine.id)).toMatchObject({ deleted: true });
    expect((await getThread(moderator, thread.id)).body!.posts.find((p) => p.id === mine.id)).toMatchObject({ deleted: true });

    await expectError(await member.post(`/api/v1/posts/${mine.id}/restore`, {}), 403);
    expect((await moderator.post(`/api/v1/posts/${mine.id}/restore`, { reason: "Deleted by mistake" })).status).toBe(200);
    expect((await getThread(visitor, thread.id)).body!.posts.map((p) => p.id)).toContain(mine.id);

    const byModerator = await moderator.request("DELETE", `/api/v1/posts/${reply.id}`, { json: { reason: "Advertising" } });
    expect(byModerator.status).toBe(200);
    expect((await getThread(visitor, thread.id)).body!.posts.map((p) => p.id)).not.toContain(reply.id);
  });
});

describe("moderating threads over the API", () => {
  it("locks a thread so replies get 409, and unlocks it", async () => {
    const { thread } = await conversation("A thread to lock for a while");
    await expectError(await visitor.post(`/api/v1/threads/${thread.id}/lock`, {}), 401);
    await expectError(await ada.post(`/api/v1/threads/${thread.id}/lock`, {}), 403);
    const locked = await moderator.post(`/api/v1/threads/${thread.id}/lock`, { reason: "Heated" });
    expect(locked.status).toBe(200);
    expect(await locked.json()).toMatchObject({ id: thread.id, locked: true, category: "pro" });
    await expectError(
      await member.post(`/api/v1/threads/${thread.id}/posts`, { body: "Another reply to a locked thread." }),
      409,
      "conflict",
    );
    await expectError(await moderator.post(`/api/v1/threads/${thread.id}/lock`, { reason: 42 }), 400);
    expect((await moderator.post(`/api/v1/threads/${thread.id}/unlock`, {})).status).toBe(200);
    expect((await member.post(`/api/v1/threads/${thread.id}/posts`, { body: "Now the thread takes replies again." })).status).toBe(201);
  });

  it("hides a thread from everyone but moderators and its author, then shows it again", async () => {
    const { thread } = await conversation("A thread to hide and bring back");
    await expectError(await member.post(`/api/v1/threads/${thread.id}/hide`, { reason: "Spam" }), 403);
    await expectError(await moderator.post(`/api/v1/threads/${thread.id}/hide`, {}), 400);
    expect((await moderator.post(`/api/v1/threads/${thread.id}/hide`, { reason: "Duplicate" })).status).toBe(200);
    expect((await getThread(visitor, thread.id)).status).toBe(404);
    expect((await getThread(member, thread.id)).status).toBe(404);
    expect((await getThread(ada, thread.id)).status).toBe(200);
    expect((await getThread(moderator, thread.id)).status).toBe(200);
    const list = await (await visitor.get("/api/v1/threads?category=pro")).json();
    expect(list.threads.map((t: { id: string }) => t.id)).not.toContain(thread.id);
    expect((await moderator.post(`/api/v1/threads/${thread.id}/unhide`, {})).status).toBe(200);
    expect((await getThread(visitor, thread.id)).status).toBe(200);
  });

  it("moves a thread between categories and keeps the counts right; unknown categories get 400", async () => {
    const { thread } = await conversation("A thread in the wrong category");
    const before = await (await visitor.get("/api/v1/categories")).json();
    const count = (list: { slug: string; threadCount: number; postCount: number }[], slug: string) => list.find((c) => c.slug === slug)!;

    await expectError(await member.post(`/api/v1/threads/${thread.id}/move`, { category: "community", reason: "Belongs there" }), 403);
    await expectError(await visitor.post(`/api/v1/threads/${thread.id}/move`, { category: "community", reason: "Belongs there" }), 401);
    const unknown = await expectError(
      await moderator.post(`/api/v1/threads/${thread.id}/move`, { category: "nowhere", reason: "Belongs there" }),
      400,
    );
    expect(unknown.fields).toHaveProperty("category");
    const noReason = await expectError(await moderator.post(`/api/v1/threads/${thread.id}/move`, { category: "community" }), 400);
    expect(noReason.fields).toHaveProperty("reason");

    const moved = await moderator.post(`/api/v1/threads/${thread.id}/move`, {
      category: "community",
      reason: "About the community edition",
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ category: "community", changed: true });
    const after = await (await visitor.get("/api/v1/categories")).json();
    expect(count(after, "pro").threadCount).toBe(count(before, "pro").threadCount - 1);
    expect(count(after, "pro").postCount).toBe(count(before, "pro").postCount - 2);
    expect(count(after, "community").threadCount).toBe(count(before, "community").threadCount + 1);
    expect(count(after, "community").postCount).toBe(count(before, "community").postCount + 2);
    expect((await getThread(visitor, thread.id)).body!.category.slug).toBe("community");
  });

  it("deletes a thread: 400 without a reason for moderators, 409 for an author with replies, restore brings it back", async () => {
    const { thread } = await conversation("A thread to delete and restore");
    await expectError(await visitor.request("DELETE", `/api/v1/threads/${thread.id}`), 401);
    await expectError(await member.request("DELETE", `/api/v1/threads/${thread.id}`), 403);
    await expectError(await ada.request("DELETE", `/api/v1/threads/${thread.id}`), 409);
    await expectError(await moderator.request("DELETE", `/api/v1/threads/${thread.id}`), 400);
    const deleted = await moderator.request("DELETE", `/api/v1/threads/${thread.id}`, { json: { reason: "Spam wave" } });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ deleted: true });
    expect((await getThread(visitor, thread.id)).status).toBe(404);
    await expectError(await member.post(`/api/v1/threads/${thread.id}/restore`, {}), 403);
    expect((await moderator.post(`/api/v1/threads/${thread.id}/restore`, {})).status).toBe(200);
    expect((await getThread(visitor, thread.id)).status).toBe(200);
  });
});

describe("the audit log over the API", () => {
  it("lists who did what, when and why, with filters; moderators only", async () => {
    const { thread } = await conversation("A thread for the audit log");
    await moderator.post(`/api/v1/threads/${thread.id}/lock`, { reason: "Audit me" });
    const res = await moderator.get(`/api/v1/audit?targetType=thread&targetId=${thread.id}`);
    expect(res.status).toBe(200);
    const log = await res.json();
    expect(log).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    expect(log.entries[0]).toMatchObject({
      action: "thread.lock",
      actor: "moira",
      targetType: "thread",
      targetId: thread.id,
      reason: "Audit me",
      url: thread.url,
      createdAt: expect.any(String),
    });
    const byAction = await (await moderator.get("/api/v1/audit?action=thread.&actor=moira")).json();
    expect(byAction.entries.length).toBeGreaterThan(0);
    expect(byAction.entries.every((e: { action: string }) => e.action.startsWith("thread."))).toBe(true);

    await expectError(await moderator.get("/api/v1/audit?from=not-a-date"), 400);
    await expectError(await moderator.get("/api/v1/audit?page=0"), 400);
    await expectError(await member.get("/api/v1/audit"), 403, "forbidden");
    await expectError(await visitor.get("/api/v1/audit"), 401, "unauthorized");
  });

  it("documents every moderation endpoint in the OpenAPI description", async () => {
    const doc = await (await visitor.get("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths["/api/v1/posts/{id}"])).toEqual(expect.arrayContaining(["patch", "delete"]));
    expect(Object.keys(doc.paths["/api/v1/threads/{id}"])).toEqual(expect.arrayContaining(["get", "delete"]));
    for (const path of [
      "/api/v1/posts/{id}/flags",
      "/api/v1/posts/{id}/hide",
      "/api/v1/posts/{id}/unhide",
      "/api/v1/posts/{id}/restore",
      "/api/v1/threads/{id}/lock",
      "/api/v1/threads/{id}/unlock",
      "/api/v1/threads/{id}/hide",
      "/api/v1/threads/{id}/unhide",
      "/api/v1/threads/{id}/move",
      "/api/v1/threads/{id}/restore",
      "/api/v1/flags",
      "/api/v1/flags/{id}/dismiss",
      "/api/v1/audit",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths["/api/v1/posts/{id}/flags"].post.responses).toHaveProperty("201");
    expect(doc.paths["/api/v1/posts/{id}/flags"].post.responses).toHaveProperty("429");
  });
});

describe("moderation pages", () => {
  it("a locked thread's page offers nobody a reply form, moderators included, since every reply would get 409", async () => {
    const { thread } = await conversation("A locked thread seen by a moderator");
    expect((await moderator.post(`/api/v1/threads/${thread.id}/lock`, { reason: "Settled" })).status).toBe(200);
    await expectError(
      await moderator.post(`/api/v1/threads/${thread.id}/posts`, { body: "A moderator's reply to a locked thread." }),
      409,
      "conflict",
    );
    for (const client of [moderator, ada, member]) {
      const page = await client.get(thread.url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain('id="reply-body"');
      expect(html).toContain("This thread is locked and takes no new replies.");
    }
    // The moderator still gets the thread's moderation controls, which unlock it.
    expect(await (await moderator.get(thread.url)).text()).toContain("Moderate this thread");
    expect((await moderator.post(`/api/v1/threads/${thread.id}/unlock`, {})).status).toBe(200);
    expect(await (await moderator.get(thread.url)).text()).toContain('id="reply-body"');
  });

  it("the queue and the audit log are for moderators; members get 403 and visitors are sent to sign in", async () => {
    const { reply } = await conversation("A thread flagged through the browser form");
    // The flag form without JavaScript: a plain POST that redirects back.
    const flagged = await member.request("POST", "/mod/actions", {
      form: { intent: "flag", id: reply.id, reason: "spam", redirectTo: "/t/x" },
    });
    expect(flagged.status).toBe(302);
    expect(flagged.headers.get("location")).toBe("/t/x");

    const page = await moderator.get("/mod");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Moderation");
    expect(html).toContain("A thread flagged through the browser form");
    expect(html).toContain("Dismiss flags");
    expect((await moderator.get("/mod?state=resolved")).status).toBe(200);
    const audit = await moderator.get("/mod/audit?action=thread.lock");
    expect(audit.status).toBe(200);
    expect(await audit.text()).toContain("Audit log");

    expect((await member.get("/mod")).status).toBe(403);
    expect((await member.get("/mod/audit")).status).toBe(403);
    const out = await visitor.get("/mod");
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(await (await ada.get("/")).text()).not.toContain('href="/mod"');
    expect(await (await moderator.get("/")).text()).toContain('href="/mod"');
  });

  it("the browser's action route answers JSON for scripted forms and refuses members' moderator actions", async () => {
    const { thread, reply } = await conversation("A thread moderated from its page");
    const refused = await member.request("POST", "/mod/actions", {
      form: { intent: "hide-post", id: reply.id, reason: "Nope", _response: "json" },
    });
    expect(refused.status).toBe(403);
    const hidden = await moderator.request("POST", "/mod/actions", {
      form: { intent: "hide-post", id: reply.id, reason: "Spam link", _response: "json" },
    });
    expect(hidden.status).toBe(200);
    expect(await hidden.json()).toEqual({ ok: true, message: "Post hidden." });
    const page = await (await moderator.get(thread.url)).text();
    expect(page).toContain("Moderate this thread");
    expect(page).toContain("Unhide");
    // A member's own controls come with their state (ADR 042); the page rendered whole for them shows them in the HTML.
    expect(await (await member.get(thread.url)).text()).not.toContain("Moderate this thread");
    const asMember = await (await member.get(`${thread.url}?view=full`)).text();
    expect(asMember).not.toContain("Moderate this thread");
    expect(asMember).toContain("Flag");
    const unknown = await moderator.request("POST", "/mod/actions", { form: { intent: "explode", id: reply.id, _response: "json" } });
    expect(unknown.status).toBe(400);
  });
});
