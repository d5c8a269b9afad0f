import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gate } from "../helpers/support-world";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// A paid ticket is private. When its answer is published back to the public
// thread, the post says it came from paid support, but no public page, page
// data, API answer, search hit or feed names the ticket or its escalation: the
// id would lead to the ticket (and its owner) and say who paid for support.
// Over HTTP against the built app, as a visitor and as another member.

const ANSWER = "Mount the webhook route before the JSON body parser, then rotate the signing secret once.";
let server: TestServer;
let owner: Client, maintainer: Client, member: Client, visitor: Client;
let thread: { id: string; slug: string };
let ticketId: string;
let escalationId: string;

const form = (client: Client, path: string, fields: Record<string, string>) =>
  client.request("POST", path, { form: fields, headers: { Origin: server.url } });

beforeAll(async () => {
  server = await startServer({ seed: true });
  [owner, maintainer, member] = await Promise.all([
    signIn(server, "member@backline.local"),
    signIn(server, "maintainer@backline.local"),
    signIn(server, "member2@backline.local"),
  ]);
  visitor = new Client(server.url);
  thread = (await (await visitor.get("/api/v1/threads?category=pro")).json()).threads[0];

  // The member pays for support, the maintainer answers, and the member agrees to publish the answer.
  const escalated = await owner.post(`/api/v1/threads/${thread.id}/escalations`, gate());
  expect(escalated.status).toBe(201);
  ({ escalationId } = await escalated.json());
  const authorized = await form(owner, `/test-checkout/${escalationId}`, { intent: "authorize" });
  expect(authorized.status).toBe(302);
  const back = await owner.get(
    new URL(authorized.headers.get("location")!, server.url).pathname + new URL(authorized.headers.get("location")!, server.url).search,
  );
  ticketId = back.headers.get("location")!.split("/tickets/")[1]!;
  expect(ticketId).toBeTruthy();
  expect((await maintainer.post(`/api/v1/tickets/${ticketId}/accept`, {})).status).toBe(200);
  expect((await maintainer.post(`/api/v1/tickets/${ticketId}/resolve`, {})).status).toBe(200);
  expect((await form(maintainer, `/tickets/${ticketId}`, { intent: "publish-draft", body: ANSWER })).status).toBeLessThan(400);
  const draftHash = createHash("sha256").update(ANSWER).digest("hex").slice(0, 32);
  expect((await form(owner, `/tickets/${ticketId}`, { intent: "publish-consent", draftHash })).status).toBeLessThan(400);
  const published = await (await visitor.get(`/api/v1/threads/${thread.id}`)).json();
  expect(published.posts.map((p: { body: string }) => p.body)).toContain(ANSWER);
});
afterAll(async () => {
  await server?.stop();
});

describe("a published-back answer in public", () => {
  const expectNoTicketIds = (text: string, what: string) => {
    expect(text, what).not.toContain(ticketId);
    expect(text, what).not.toContain(escalationId);
    expect(text, what).not.toMatch(/fromTicketId|ticketId|escalationId/);
  };

  it("the thread page and its page data name no ticket or escalation, for visitors and other members", async () => {
    const page = `/t/${thread.id}/${thread.slug}`;
    for (const [who, client] of [
      ["visitor", visitor],
      ["member", member],
    ] as const) {
      const html = await (await client.get(page)).text();
      expect(html, who).toContain("From paid support");
      expectNoTicketIds(html, `${who} ${page}`);
      // Single fetch: the loader JSON a client-side navigation reads.
      for (const data of [`${page}.data`, `${page}.data?_routes=routes%2Ft.%24id.(%24slug)`]) {
        const res = await client.get(data);
        expect(res.status, data).toBe(200);
        const body = await res.text();
        expect(body, data).toContain(ANSWER.slice(0, 30));
        expectNoTicketIds(body, `${who} ${data}`);
      }
    }
  });

  it("the public API, search, feeds and the maintainer's profile name no ticket or escalation", async () => {
    const paths = [
      `/api/v1/threads/${thread.id}`,
      "/api/v1/threads?category=pro",
      "/api/v1/search?q=webhook%20route%20parser",
      `/api/v1/similar?title=${encodeURIComponent("webhook signature rejected")}`,
      "/api/v1/users/maya",
      `/t/${thread.id}/feed.rss`,
      `/t/${thread.id}/feed.atom`,
      "/latest.atom",
      "/u/maya",
      "/u/maya.data",
      "/search?q=webhook%20route%20parser",
      "/search.data?q=webhook%20route%20parser",
    ];
    for (const [who, client] of [
      ["visitor", visitor],
      ["member", member],
    ] as const) {
      for (const p of paths) {
        const res = await client.get(p);
        expect(res.status, `${who} ${p}`).toBe(200);
        expectNoTicketIds(await res.text(), `${who} ${p}`);
      }
    }
  });

  it("the ticket's owner still finds the ticket from their own view", async () => {
    const res = await owner.get(`/api/v1/tickets/${ticketId}`);
    expect(res.status).toBe(200);
    expect((await member.get(`/api/v1/tickets/${ticketId}`)).status).toBe(404);
  });
});
