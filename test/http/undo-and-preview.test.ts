import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { getSearchEngine } from "#search/index.server";
import { SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { PREVIEW_LIMIT } from "~/models/community/preview.server";
import { XSS_PAYLOADS } from "../fixtures/xss-payloads";
import { Client, TEST_PASSWORD, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { makeCategory, makeUser, type TestUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";
import { expectNoExecutableContent } from "../helpers/xss-checker";

// Issue 18: a vote and an acceptance can be taken back (DELETE, the forward action in reverse),
// a reply that mentions the asker notifies them once, the composer's preview is the stored render,
// and tags keep the order they were typed in.

const database = useTestDatabase();
let server: TestServer;
let category: { slug: string };

beforeAll(async () => {
  // The search outbox is run by this file, so the solved state in search is checked at a known point.
  server = await startServer({ databaseUrl: database.url, env: { BACKLINE_JOBS: "off" } });
  category = await makeCategory();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function ok(res: Response, status = 200) {
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json();
}

const member = async (opts: Parameters<typeof makeUser>[0] = {}): Promise<[TestUser, Client]> => {
  const user = await makeUser(opts);
  return [user, await signIn(server, user, TEST_PASSWORD)];
};

const reputationOf = async (user: TestUser) => (await ok(await new Client(server.url).get(`/api/v1/users/${user.username}`))).reputation;
const stored = async (user: TestUser) => (await db.user.findUniqueOrThrow({ where: { id: user.id } })).reputation;

/** A thread by `asker` with one reply by `helper`. */
async function threadWithReply(asker: Client, helper: Client, title: string) {
  const thread = await ok(
    await asker.post("/api/v1/threads", { category: category.slug, title, body: `${title}: what should I check first?` }),
    201,
  );
  const reply = await ok(await helper.post(`/api/v1/threads/${thread.id}/posts`, { body: "Check the logs first, then the config." }), 201);
  return { thread, reply };
}

describe("DELETE /api/v1/posts/:id/votes", () => {
  it("takes the vote back: score and reputation return, a repeat changes nothing, others get 401/403/404", async () => {
    const [, asker] = await member();
    const [helperUser, helper] = await member();
    const [, voter] = await member();
    const { thread, reply } = await threadWithReply(asker, helper, "Kestrel queue stalls at night");

    expect(await ok(await voter.post(`/api/v1/posts/${reply.id}/votes`))).toEqual({ postId: reply.id, score: 1, voted: true });
    expect(await reputationOf(helperUser)).toBe(10);

    const undone = await ok(await voter.request("DELETE", `/api/v1/posts/${reply.id}/votes`));
    expect(undone).toEqual({ postId: reply.id, score: 0, voted: false, undone: true });
    expect(await reputationOf(helperUser)).toBe(0);
    expect(await stored(helperUser)).toBe(0);
    // Idempotent: nothing left to undo answers the same state and changes nothing.
    expect(await ok(await voter.request("DELETE", `/api/v1/posts/${reply.id}/votes`))).toEqual({
      postId: reply.id,
      score: 0,
      voted: false,
      undone: false,
    });
    // The vote can be cast again after it was taken back.
    expect((await ok(await voter.post(`/api/v1/posts/${reply.id}/votes`))).score).toBe(1);

    // On the question the thread's score (the "top" sort) follows too.
    await ok(await voter.post(`/api/v1/posts/${thread.postId}/votes`));
    expect((await ok(await voter.get(`/api/v1/threads/${thread.id}`))).score).toBe(1);
    await ok(await voter.request("DELETE", `/api/v1/posts/${thread.postId}/votes`));
    expect((await ok(await voter.get(`/api/v1/threads/${thread.id}`))).score).toBe(0);

    expect((await new Client(server.url).request("DELETE", `/api/v1/posts/${reply.id}/votes`)).status).toBe(401);
    expect((await helper.request("DELETE", `/api/v1/posts/${reply.id}/votes`)).status).toBe(403);
    expect((await voter.request("DELETE", `/api/v1/posts/nope/votes`)).status).toBe(404);

    // A hidden post is invisible to the voter: 404, and its vote stays as the hide left it.
    const [, moderator] = await member({ role: "moderator" });
    await ok(await moderator.post(`/api/v1/posts/${reply.id}/hide`, { reason: "Checking the undo of a hidden post" }));
    const refused = await voter.request("DELETE", `/api/v1/posts/${reply.id}/votes`);
    expect(refused.status).toBe(404);
    expect(await db.vote.count({ where: { postId: reply.id } })).toBe(1);
  });
});

describe("DELETE /api/v1/posts/:id/accept", () => {
  it("unsolves the thread and takes the acceptance's reputation back, in the API, lists and search", async () => {
    const [, asker] = await member();
    const [helperUser, helper] = await member();
    const [, stranger] = await member();
    const { thread, reply } = await threadWithReply(asker, helper, "Pelican importer skips every header row");
    const solved = async () => {
      await runOnce(SEARCH_QUEUE, searchJobHandler(getSearchEngine));
      const json = await ok(await asker.get(`/api/v1/threads/${thread.id}`));
      const hits = (await ok(await asker.get(`/api/v1/search?q=pelican`))).hits as { threadId: string; solved: boolean }[];
      return { api: json.solved, acceptedPostId: json.acceptedPostId, search: hits.find((h) => h.threadId === thread.id)?.solved };
    };

    await ok(await asker.post(`/api/v1/posts/${reply.id}/accept`));
    expect(await reputationOf(helperUser)).toBe(15);
    expect(await solved()).toEqual({ api: true, acceptedPostId: reply.id, search: true });

    expect((await stranger.request("DELETE", `/api/v1/posts/${reply.id}/accept`)).status).toBe(403);
    expect((await helper.request("DELETE", `/api/v1/posts/${reply.id}/accept`)).status).toBe(403);
    expect((await new Client(server.url).request("DELETE", `/api/v1/posts/${reply.id}/accept`)).status).toBe(401);

    const undone = await ok(await asker.request("DELETE", `/api/v1/posts/${reply.id}/accept`));
    expect(undone).toEqual({ threadId: thread.id, acceptedPostId: null, undone: true });
    expect(await reputationOf(helperUser)).toBe(0);
    expect(await solved()).toEqual({ api: false, acceptedPostId: null, search: false });
    expect((await ok(await asker.request("DELETE", `/api/v1/posts/${reply.id}/accept`))).undone).toBe(false);

    // Undoing on a reply that is not the accepted one leaves the real acceptance alone.
    const other = await ok(await stranger.post(`/api/v1/threads/${thread.id}/posts`, { body: "Or turn off header detection." }), 201);
    await ok(await asker.post(`/api/v1/posts/${other.id}/accept`));
    expect(await ok(await asker.request("DELETE", `/api/v1/posts/${reply.id}/accept`))).toEqual({
      threadId: thread.id,
      acceptedPostId: other.id,
      undone: false,
    });

    // A moderator may take it back too, and that is in the audit log.
    const [, moderator] = await member({ role: "moderator" });
    expect((await ok(await moderator.request("DELETE", `/api/v1/posts/${other.id}/accept`))).undone).toBe(true);
    expect(await db.auditLog.count({ where: { action: "answer.unaccept", targetId: other.id } })).toBe(1);
    expect((await ok(await asker.get(`/api/v1/threads/${thread.id}`))).solved).toBe(false);
  });
});

describe("a reply that mentions the asker", () => {
  it("notifies them once; other mentioned members still hear about it", async () => {
    const [askerUser, asker] = await member();
    const [, helper] = await member();
    const [thirdUser, third] = await member();
    const thread = await ok(
      await asker.post("/api/v1/threads", { category: category.slug, title: "Heron sync loses tags", body: "Tags vanish after a sync." }),
      201,
    );
    await ok(
      await helper.post(`/api/v1/threads/${thread.id}/posts`, {
        body: `@${askerUser.username} try a full resync; @${thirdUser.username} saw it too.`,
      }),
      201,
    );
    const inbox = async (client: Client) =>
      ((await ok(await client.get("/api/v1/notifications"))).notifications as { kind: string; url: string }[]).filter((n) =>
        n.url.startsWith(`/t/${thread.id}`),
      );
    expect((await inbox(asker)).map((n) => n.kind)).toEqual(["reply"]);
    expect((await inbox(third)).map((n) => n.kind)).toEqual(["mention"]);
  });
});

describe("POST /api/v1/previews", () => {
  it("answers the HTML a post with that body stores, sanitized the same way", async () => {
    const [, asker] = await member();
    const thread = await ok(
      await asker.post("/api/v1/threads", {
        category: category.slug,
        title: "Preview matches posting",
        body: "A question for the preview test.",
      }),
      201,
    );
    const bodies = [
      "  **Bold**, `code`, a [link](https://example.com) and a list:\n\n- one\n- two\n\n```js\nconst x = 1;\n```",
      ...XSS_PAYLOADS.map((p) => `A hostile body follows. ${p}`),
    ];
    for (const body of bodies) {
      const { html } = await ok(await asker.post("/api/v1/previews", { body }));
      const post = await ok(await asker.post(`/api/v1/threads/${thread.id}/posts`, { body }), 201);
      expect(html).toBe(post.bodyHtml);
      expectNoExecutableContent(html);
    }
  });

  it("refuses visitors, a newcomer's link (as posting would), over-long text, and more than its rate", async () => {
    expect((await new Client(server.url).post("/api/v1/previews", { body: "Hello there" })).status).toBe(401);
    const [, newcomer] = await member({ trustLevel: 0 });
    const refused = await newcomer.post("/api/v1/previews", { body: "See [this](https://example.com) page." });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.fields.body).toMatch(/cannot post links yet/);
    expect((await newcomer.post("/api/v1/previews", { body: "x".repeat(50_001) })).status).toBe(400);

    const [, typist] = await member();
    for (let i = 0; i < PREVIEW_LIMIT.max; i++) await ok(await typist.post("/api/v1/previews", { body: `Draft number ${i}` }));
    const limited = await typist.post("/api/v1/previews", { body: "One draft too many" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBeTruthy();
  });
});

describe("tags", () => {
  it("keep the order typed, without case-insensitive duplicates", async () => {
    const [, asker] = await member();
    // The tags exist already, made in another order: rows read by tag id would come back in that one.
    await ok(
      await asker.post("/api/v1/threads", {
        category: category.slug,
        title: "An earlier thread with the same tags",
        body: "Its tags were made in another order.",
        tags: ["middle", "alpha", "zebra"],
      }),
      201,
    );
    const thread = await ok(
      await asker.post("/api/v1/threads", {
        category: category.slug,
        title: "Tags in the order I typed them",
        body: "The first tag is the one that matters most.",
        tags: "zebra, Alpha, middle, alpha",
      }),
      201,
    );
    expect((await ok(await asker.get(`/api/v1/threads/${thread.id}`))).tags).toEqual(["zebra", "alpha", "middle"]);
    const list = await ok(await asker.get(`/api/v1/threads?category=${category.slug}`));
    expect((list.threads as { id: string; tags: string[] }[]).find((t) => t.id === thread.id)?.tags).toEqual(["zebra", "alpha", "middle"]);
  });
});
