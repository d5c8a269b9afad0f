import { paidTicket as paidTicketOverHttp } from "../helpers/paid-ticket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, TEST_PASSWORD, signIn } from "../helpers/http";
import { viewerPayload } from "../helpers/viewer-payload";
import { startServer, type TestServer } from "../helpers/server";
import { gate } from "../helpers/support-world";

// The paid lane over HTTP on the built server in test mode: the API contract
// (docs/product.md §7), bad input, signed-out callers, and who may see what.

let server: TestServer;
let proThread: { id: string; url: string };
let communityThread: { id: string; url: string };
const SECRET = "PRIVATE-gate-text-7f3a";
const NOTE = "INTERNAL-note-text-91cd";
const REPLY = "PRIVATE-reply-text-c0de";

let owner: Client, other: Client, moderator: Client, maintainer: Client, visitor: Client;
let ticketId: string;
let escalationId: string;

const paidTicket = (client: Client, threadId: string, answers = gate()) => paidTicketOverHttp(server, client, threadId, answers);

beforeAll(async () => {
  server = await startServer({ seed: true });
  const anon = new Client(server.url);
  proThread = (await (await anon.get("/api/v1/threads?category=pro")).json()).threads[0];
  communityThread = (await (await anon.get("/api/v1/threads?category=community")).json()).threads[0];
  [owner, other, moderator, maintainer] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "member2@backline.local"),
    signIn(server, "moderator@backline.local"),
    signIn(server, "maintainer@backline.local"),
  ]);
  visitor = new Client(server.url);
  ({ ticketId, escalationId } = await paidTicket(
    owner,
    proThread.id,
    gate({ stepsToReproduce: `1. Start the app\n2. Send a webhook\n3. ${SECRET}` }),
  ));
  expect((await owner.post(`/api/v1/tickets/${ticketId}/messages`, { body: REPLY })).status).toBe(201);
  expect((await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: NOTE, internal: true })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

describe("the support API", () => {
  it("lists the tiers for anyone", async () => {
    const tiers = await (await visitor.get("/api/v1/tiers")).json();
    expect(tiers).toEqual([
      { id: expect.any(String), slug: "standard", name: "Standard", responseHours: 48, priceCents: 4900, currency: "usd" },
      { id: expect.any(String), slug: "priority", name: "Priority", responseHours: 12, priceCents: 14900, currency: "usd" },
    ]);
  });

  it("answers bad escalation requests with the right status and field errors", async () => {
    const incomplete = await other.post(`/api/v1/threads/${proThread.id}/escalations`, { tier: "standard", productVersion: "3.2" });
    expect(incomplete.status).toBe(400);
    expect((await incomplete.json()).error).toMatchObject({
      code: "invalid_request",
      fields: {
        environment: expect.any(String),
        stepsToReproduce: expect.any(String),
        alreadyTried: expect.any(String),
        acceptScope: expect.any(String),
      },
    });
    const noScope = await other.post(`/api/v1/threads/${proThread.id}/escalations`, gate({ acceptScope: false }));
    expect((await noScope.json()).error.fields).toEqual({ acceptScope: "Tick the box to confirm you read what paid support covers." });
    const notJson = await other.request("POST", `/api/v1/threads/${proThread.id}/escalations`, {
      headers: { "Content-Type": "application/json" },
    });
    expect(notJson.status).toBe(400);

    const community = await other.post(`/api/v1/threads/${communityThread.id}/escalations`, gate());
    expect(community.status).toBe(403);
    expect((await community.json()).error.message).toMatch(/community support only/);
    expect((await other.post("/api/v1/threads/nope/escalations", gate())).status).toBe(404);
    expect((await visitor.post(`/api/v1/threads/${proThread.id}/escalations`, gate())).status).toBe(401);
    expect((await owner.post(`/api/v1/threads/${proThread.id}/escalations`, gate())).status).toBe(409);
  });

  it("slows escalation down with 429 and Retry-After", async () => {
    const client = new Client(server.url);
    await client.post("/api/v1/users", { username: "eager_payer", email: "eager@example.com", password: TEST_PASSWORD });
    await client.post("/api/v1/session", { email: "eager@example.com", password: TEST_PASSWORD });
    for (let i = 0; i < 10; i++) expect((await client.post(`/api/v1/threads/${proThread.id}/escalations`, gate())).status).toBe(201);
    const limited = await client.post(`/api/v1/threads/${proThread.id}/escalations`, gate());
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).error.message).toMatch(/Try again in/);
  });

  it("answers bad ticket input with 400 and illegal transitions with 409", async () => {
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: "" })).status).toBe(400);
    const badReason = await maintainer.post(`/api/v1/tickets/${ticketId}/reject`, { reason: "rude", message: "x" });
    expect(badReason.status).toBe(400);
    expect(Object.keys((await badReason.json()).error.fields).sort()).toEqual(["message", "reason"]);
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/resolve`)).status).toBe(409);
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/withdraw`, {})).status).toBe(403);
    expect((await maintainer.get("/api/v1/tickets?state=bogus")).status).toBe(400);
  });

  it("documents every support endpoint in the OpenAPI document", async () => {
    const doc = await (await visitor.get("/api/v1/openapi.json")).json();
    for (const [path, method] of [
      ["/api/v1/tiers", "get"],
      ["/api/v1/threads/{id}/escalations", "post"],
      ["/api/v1/tickets", "get"],
      ["/api/v1/tickets/{id}", "get"],
      ["/api/v1/tickets/{id}/messages", "post"],
      ["/api/v1/tickets/{id}/accept", "post"],
      ["/api/v1/tickets/{id}/reject", "post"],
      ["/api/v1/tickets/{id}/request-info", "post"],
      ["/api/v1/tickets/{id}/resolve", "post"],
      ["/api/v1/tickets/{id}/withdraw", "post"],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths["/api/v1/threads/{id}/escalations"].post.responses["403"]).toBeDefined();
  });
});

describe("the way in on the thread page", () => {
  it("offers “Get paid support” to signed-in members in supported categories only", async () => {
    // A member's page carries the way in in their own payload (docs/decisions/042); rendered whole, in its HTML.
    const pro = await (await other.get(proThread.url)).text();
    expect(viewerPayload(pro)?.thread.support.escalateUrl).toBe(`/escalate/${proThread.id}`);
    expect(await (await other.get(`${proThread.url}?view=full`)).text()).toContain("Get paid support");
    expect(await (await visitor.get(proThread.url)).text()).not.toContain("Get paid support");
    const community = await (await other.get(communityThread.url)).text();
    expect(viewerPayload(community)?.thread.support.escalateUrl).toBeNull();
    expect(await (await other.get(`${communityThread.url}?view=full`)).text()).not.toContain("Get paid support");
    const gatePage = await other.get(`/escalate/${communityThread.id}`);
    expect(gatePage.status).toBe(403);
    expect(await gatePage.text()).toContain("community support only");
  });
});

describe("privacy: who sees a ticket", () => {
  const denied = async (res: Response) => ({ status: res.status, body: await res.text() });

  it("GET /api/v1/tickets/:id: owner and maintainer only; internal notes for the maintainer only", async () => {
    const mine = await (await owner.get(`/api/v1/tickets/${ticketId}`)).json();
    expect(mine).toMatchObject({ id: ticketId, state: "awaiting_acceptance", threadId: proThread.id, tier: { slug: "standard" } });
    expect(mine.deadlineAt).toEqual(expect.any(String));
    expect(mine.snapshot.gate.stepsToReproduce).toContain(SECRET);
    expect(mine.snapshot.posts.length).toBeGreaterThan(1);
    expect(JSON.stringify(mine)).not.toContain(NOTE);
    expect(mine.messages.map((m: { body: string }) => m.body)).toEqual([REPLY]);

    const desk = await (await maintainer.get(`/api/v1/tickets/${ticketId}`)).json();
    expect(desk.messages.map((m: { body: string; internal: boolean }) => [m.body, m.internal])).toEqual([
      [REPLY, false],
      [NOTE, true],
    ]);

    for (const stranger of [other, moderator]) {
      const res = await denied(await stranger.get(`/api/v1/tickets/${ticketId}`));
      expect(res.status).toBe(404);
      expect(res.body).not.toContain(SECRET);
    }
    expect((await visitor.get(`/api/v1/tickets/${ticketId}`)).status).toBe(401);
  });

  it("GET /api/v1/tickets: own tickets, all for the maintainer, 401 for visitors", async () => {
    expect((await (await owner.get("/api/v1/tickets")).json()).map((t: { id: string }) => t.id)).toContain(ticketId);
    expect((await (await maintainer.get("/api/v1/tickets")).json()).map((t: { id: string }) => t.id)).toContain(ticketId);
    expect((await (await other.get("/api/v1/tickets")).json()).map((t: { id: string }) => t.id)).not.toContain(ticketId);
    expect(await (await moderator.get("/api/v1/tickets")).json()).toEqual([]);
    expect((await visitor.get("/api/v1/tickets")).status).toBe(401);
  });

  it("POST messages and decisions: strangers get 404, the owner may reply but not decide, visitors 401", async () => {
    for (const action of ["messages", "accept", "reject", "request-info", "resolve"]) {
      const body =
        action === "reject"
          ? { reason: "duplicate", message: "Duplicate of another ticket." }
          : { body: "hello there", message: "Tell me more please." };
      for (const stranger of [other, moderator]) {
        const res = await denied(await stranger.post(`/api/v1/tickets/${ticketId}/${action}`, body));
        expect(res.status, `${action} by a stranger`).toBe(404);
      }
      expect((await visitor.post(`/api/v1/tickets/${ticketId}/${action}`, body)).status, `${action} by a visitor`).toBe(401);
      if (action !== "messages")
        expect((await owner.post(`/api/v1/tickets/${ticketId}/${action}`, body)).status, `${action} by the owner`).toBe(403);
    }
    expect((await owner.post(`/api/v1/tickets/${ticketId}/messages`, { body: "an internal note?", internal: true })).status).toBe(403);
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: "Replying before accepting" })).status).toBe(409);
  });

  it("the ticket pages: owner and maintainer read them, strangers get 404, visitors are sent to sign in", async () => {
    const ownerPage = await owner.get(`/tickets/${ticketId}`);
    expect(ownerPage.status).toBe(200);
    const ownerHtml = await ownerPage.text();
    expect(ownerHtml).toContain(SECRET);
    expect(ownerHtml).not.toContain(NOTE);
    const deskHtml = await (await maintainer.get(`/tickets/${ticketId}`)).text();
    expect(deskHtml).toContain(NOTE);
    expect(deskHtml).toContain("Accept and charge the card");

    for (const stranger of [other, moderator]) {
      for (const res of [
        await stranger.get(`/tickets/${ticketId}`),
        await stranger.request("POST", `/tickets/${ticketId}`, { form: { intent: "reply", body: "let me in" } }),
        await stranger.request("POST", `/tickets/${ticketId}`, { form: { intent: "accept" } }),
      ]) {
        const page = await denied(res);
        expect(page.status).toBe(404);
        expect(page.body).not.toContain(SECRET);
      }
      expect(await (await stranger.get("/tickets")).text()).not.toContain(ticketId);
    }
    const ownerAccept = await owner.request("POST", `/tickets/${ticketId}`, { form: { intent: "accept" } });
    expect(ownerAccept.status).toBe(403);
    for (const path of [`/tickets/${ticketId}`, "/tickets"]) {
      const res = await visitor.get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    }
    expect((await other.get(`/test-checkout/${escalationId}`)).status).toBe(404);
    expect((await other.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } })).status).toBe(404);
  });

  it("keeps private text out of the public thread, the thread API, feeds, the sitemap and other people's notifications", async () => {
    const publicPages = [
      proThread.url,
      `/api/v1/threads/${proThread.id}`,
      `/t/${proThread.id}/feed.rss`,
      `/t/${proThread.id}/feed.atom`,
      "/latest.rss",
      "/sitemap.xml",
      "/api/v1/notifications",
    ];
    for (const path of publicPages) {
      for (const client of [visitor, other]) {
        const text = await (await client.get(path)).text();
        for (const secret of [SECRET, NOTE, REPLY]) expect(text, `${path} leaks`).not.toContain(secret);
      }
    }
    const search = await visitor.get(`/api/v1/search?q=${SECRET}`);
    if (search.status === 200) expect(await search.text()).not.toContain(SECRET);
    const stub = await (await visitor.get(proThread.url)).text();
    expect(stub).toMatch(/Escalated to paid support on/);
    for (const secret of [SECRET, NOTE, REPLY]) expect(server.output()).not.toContain(secret);
  });
});

describe("a ticket's life over the API", () => {
  it("accept captures, ask pauses, the member's reply resumes, resolve shows on the public thread", async () => {
    const accepted = await maintainer.post(`/api/v1/tickets/${ticketId}/accept`, { message: "On it." });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ state: "open", payment: { status: "captured" } });

    const asked = await (await maintainer.post(`/api/v1/tickets/${ticketId}/request-info`, { message: "Which proxy do you run?" })).json();
    expect(asked).toMatchObject({ state: "waiting_on_customer", clock: { paused: true } });
    const answered = await owner.post(`/api/v1/tickets/${ticketId}/messages`, { body: "nginx 1.24" });
    expect(answered.status).toBe(201);
    expect(await answered.json()).toMatchObject({ state: "open", clock: { paused: false } });
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: "Turn off request buffering." })).status).toBe(201);

    const resolved = await maintainer.post(`/api/v1/tickets/${ticketId}/resolve`);
    expect(await resolved.json()).toMatchObject({ state: "resolved" });
    const thread = await (await visitor.get(proThread.url)).text();
    expect(thread).toContain("Resolved via paid support");
    const mine = await (await owner.get(`/api/v1/tickets/${ticketId}`)).json();
    expect(mine.messages.map((m: { body: string }) => m.body)).toContain("Turn off request buffering.");
    const inbox = await (await owner.get("/api/v1/notifications")).json();
    expect(JSON.stringify(inbox)).toContain(`/tickets/${ticketId}`);
  });
});
