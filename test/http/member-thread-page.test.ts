import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, newMember, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { until } from "../helpers/wait";
import { viewerPayload } from "../helpers/viewer-payload";

// A member's thread page is the shared, cached page plus a private payload of their own state
// (docs/decisions/042): the shared part is the page a visitor gets, the payload is theirs alone.

let server: TestServer;
let visitor: Client;
let ada: Client;
let grace: Client;
let moira: Client;
let thread: { id: string; url: string };
let question: string;
let reply: string;

const get = async (client: Client, path: string) => {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  return { res, html: await res.text() };
};

beforeAll(async () => {
  server = await startServer({ seed: true });
  visitor = new Client(server.url);
  ada = await signIn(server, "member@backline.local");
  grace = await signIn(server, "member2@backline.local");
  moira = await signIn(server, "moderator@backline.local");
  const created = await ada.post("/api/v1/threads", {
    category: "pro",
    title: "Member page state for the shared thread page",
    body: "How does the shared page carry my own state?",
  });
  expect(created.status).toBe(201);
  const body = await created.json();
  thread = { id: body.id, url: body.url };
  question = body.postId;
  const answered = await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: "It carries it in a private payload of its own." });
  expect(answered.status).toBe(201);
  reply = (await answered.json()).id;
  // The page cache serves nothing until it has read the content version once.
  await until("the shared thread page is cached", async () => (await visitor.get(thread.url)).headers.get("x-cache") === "HIT");
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe("a member's thread page", () => {
  it("is the cached shared page with the member's own state, sent privately", async () => {
    // Background jobs (the search index) may empty the cache now and then: the page is asked for until a hit.
    const { res, html } = await until("a member's page from the shared cache", async () => {
      const page = await get(ada, thread.url);
      return page.res.headers.get("x-cache") === "HIT" && page;
    });
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("vary")).toMatch(/Cookie/);
    expect(res.headers.get("etag")).toBeNull();
    const own = viewerPayload(html)!;
    expect(own.root.user.username).toBe("ada");
    // Grace's reply notified the asker.
    expect(own.root.unreadCount).toBeGreaterThan(0);
    expect(own.thread.viewer.username).toBe("ada");
    expect(own.thread.capabilities).toEqual({ canReply: true, canAccept: true, canModerate: false });
    expect(own.thread.support.escalateUrl).toMatch(/^\/escalate\//);
    expect(own.thread.replyToken).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    // Without JavaScript the browser is sent to the page rendered whole.
    expect(html).toContain(`<noscript><meta http-equiv="refresh" content="0; url=${thread.url}?view=full"></noscript>`);
  });

  it("gives visitors no payload, and each member only their own", async () => {
    expect(viewerPayload((await get(visitor, thread.url)).html)).toBeNull();
    expect((await ada.post(`/api/v1/posts/${reply}/votes`)).status).toBeLessThan(300);
    const mine = viewerPayload((await get(ada, thread.url)).html)!;
    const hers = viewerPayload((await get(grace, thread.url)).html)!;
    expect(mine.thread.votedPostIds).toEqual([reply]);
    expect(hers.thread.votedPostIds).toEqual([]);
    expect(hers.root.user.username).toBe("grace");
    expect(hers.thread.capabilities.canAccept).toBe(false);
    expect(JSON.stringify(hers)).not.toContain("ada");
    expect(hers.thread.replyToken).not.toBe(mine.thread.replyToken);
  });

  it("shows the member's own reply and vote on the very next page", async () => {
    const text = `A reply written just now ${Date.now().toString(36)}`;
    expect((await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: text })).status).toBe(201);
    const after = await get(grace, thread.url);
    expect(after.html).toContain(text);
    expect((await grace.post(`/api/v1/posts/${question}/votes`)).status).toBeLessThan(300);
    expect(viewerPayload((await get(grace, thread.url)).html)!.thread.votedPostIds).toEqual([question]);
  });

  it("names nobody for a session that ended, even when its cookie is sent again", async () => {
    const leaving = await newMember(server, "leaving");
    expect(viewerPayload((await get(leaving, thread.url)).html)!.root.user.username).toMatch(/^leaving_/);
    const cookie = leaving.cookieHeader();
    expect((await leaving.request("DELETE", "/api/v1/session")).status).toBe(204);
    const replayed = await fetch(new URL(thread.url, server.url), { headers: { Cookie: cookie } });
    const html = await replayed.text();
    expect(viewerPayload(html)).toBeNull();
    expect(html).not.toMatch(/leaving_\d+/);
  });

  it("shows a suspended member the page a visitor gets, with no payload", async () => {
    const suspended = await newMember(server, "suspended");
    const username = viewerPayload((await get(suspended, thread.url)).html)!.root.user.username;
    const admin = await signIn(server, "admin@backline.local");
    const suspension = { suspendedUntil: "2099-03-01T12:00:00Z", reason: "Spam links in three threads" };
    expect((await admin.request("PATCH", `/api/v1/users/${username}`, { json: suspension })).status).toBe(200);
    const { html } = await get(suspended, thread.url);
    expect(viewerPayload(html)).toBeNull();
    expect(html).not.toContain(`Account settings for ${username}`);
  });

  it("is rendered whole for a moderator, with the moderation controls and no payload", async () => {
    const { res, html } = await get(moira, thread.url);
    expect(res.headers.get("cache-control")).toMatch(/private/);
    expect(res.headers.get("x-cache")).toBeNull();
    expect(viewerPayload(html)).toBeNull();
    expect(html).toContain('aria-label="Moderation"');
    expect(html).toContain("Account settings for moira");
  });

  it("is rendered whole for the author of a hidden post, who still sees it", async () => {
    const text = `A reply the moderators will hide ${Date.now().toString(36)}`;
    const posted = await grace.post(`/api/v1/threads/${thread.id}/posts`, { body: text });
    const hidden = await moira.post(`/api/v1/posts/${(await posted.json()).id}/hide`, { reason: "Off topic for this thread." });
    expect(hidden.status).toBeLessThan(300);
    expect((await get(visitor, thread.url)).html).not.toContain(text);
    const { html } = await get(grace, thread.url);
    expect(viewerPayload(html)).toBeNull();
    expect(html).toContain(text);
    // Ada has no hidden post here: her page is still the shared one.
    expect(viewerPayload((await get(ada, thread.url)).html)).not.toBeNull();
  });

  it("is rendered whole on ?view=full, the page a browser without JavaScript is sent to", async () => {
    const { res, html } = await get(ada, `${thread.url}?view=full`);
    expect(res.headers.get("cache-control")).toMatch(/private/);
    expect(viewerPayload(html)).toBeNull();
    expect(html).toContain("Post reply");
    expect(html).toContain("Account settings for ada");
  });
});
