import { viewerPayload } from "../helpers/viewer-payload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { getSearchEngine } from "#search/index.server";
import { SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, useFakeStripeWorld } from "../helpers/support-world";
import { signedHeader } from "../mocks/stripe";
import { makeCategory, makeUser, type TestUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";

// Hostile world, concurrency (issue 8): many people, or one person's double
// click, hit the same thing at the same moment. Everything goes through the
// built server over HTTP; the server shares this file's database, so the
// outcome is checked row by row. On PGlite requests interleave between
// queries; on PostgreSQL (READ COMMITTED) they also run truly in parallel.

const database = useTestDatabase();
const fake = useFakeStripeWorld();
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    databaseUrl: database.url,
    // This file runs the background queue itself, between bursts: two processes on one PGlite socket must
    // not interleave their statements (see the report), and the outbox is then checked row by row.
    env: {
      BACKLINE_JOBS: "off",
      STRIPE_SECRET_KEY: "sk_test_backline_fake",
      STRIPE_WEBHOOK_SECRET: "whsec_backline_test_secret",
      STRIPE_API_URL: fake.stripe.url,
    },
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Nothing answered 5xx and the server logged no error while it was hit. */
function expectNoServerErrors(statuses: number[]) {
  expect(
    statuses.filter((s) => s >= 500),
    server.output().slice(-4000),
  ).toEqual([]);
  expect(server.output()).not.toMatch(/ ERROR /);
}

async function askQuestion(asker: Client, category: string, title: string) {
  const res = await asker.post("/api/v1/threads", { category, title, body: "The importer stops at row 1000 without an error." });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; postId: string };
}

async function reply(client: Client, threadId: string, body: string) {
  const res = await client.post(`/api/v1/threads/${threadId}/posts`, { body });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; number: number };
}

/** The hidden one-time token a page rendered into its form. */
async function formToken(client: Client, path: string) {
  const res = await client.get(path);
  expect(res.status).toBe(200);
  const html = await res.text();
  // A member's thread page carries the reply form's token in their own state (ADR 042); other pages in the form.
  const token = html.match(/name="formToken" value="([^"]+)"/)?.[1] ?? viewerPayload(html)?.thread?.replyToken;
  expect(token, `no form token on ${path}`).toBeDefined();
  return token!;
}

describe("50 members replying to one thread at the same moment", () => {
  it("stores every reply with unique, contiguous numbers and keeps the thread's counters and search index right", async () => {
    const category = await makeCategory();
    const askerUser = await makeUser();
    const asker = await signIn(server, askerUser, TEST_PASSWORD);
    const thread = await askQuestion(asker, category.slug, "Importer stops at row 1000 under load");
    const repliers = await Promise.all(Array.from({ length: 10 }, () => makeUser()));
    const clients: Client[] = [];
    for (const r of repliers) clients.push(await signIn(server, r, TEST_PASSWORD));

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        clients[i % clients.length]!.post(`/api/v1/threads/${thread.id}/posts`, { body: `Reply number ${i}: raise the batch size.` }),
      ),
    );
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const answered = (await Promise.all(responses.map((r) => r.json()))) as { id: string; number: number }[];
    expect(new Set(answered.map((p) => p.number)).size).toBe(50);

    const posts = await db.post.findMany({
      where: { threadId: thread.id },
      orderBy: { number: "asc" },
      select: { number: true, body: true, createdAt: true },
    });
    expect(posts.map((p) => p.number)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(new Set(posts.slice(1).map((p) => p.body)).size).toBe(50);
    const row = await db.thread.findUniqueOrThrow({ where: { id: thread.id }, select: { replyCount: true, lastPostAt: true } });
    expect(row.replyCount).toBe(50);
    expect(row.lastPostAt.getTime()).toBe(Math.max(...posts.map((p) => p.createdAt.getTime())));
    // Later numbers never carry earlier times: the thread reads in the order it was written.
    const times = posts.map((p) => p.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const counted = await db.category.findUniqueOrThrow({ where: { id: category.id }, select: { threadCount: true, postCount: true } });
    expect(counted).toEqual({ threadCount: 1, postCount: 51 });
    // The asker hears about every reply, once each.
    expect(await db.notification.count({ where: { userId: askerUser.id, kind: "reply" } })).toBe(50);

    // The search outbox: the 51 changes of one thread collapse into one pending job (the worker reads the
    // thread's current state), and working the queue puts all 51 posts in the index.
    const jobs = await db.job.findMany({ where: { queue: SEARCH_QUEUE, dedupeKey: `thread:${thread.id}` }, select: { state: true } });
    expect(jobs).toEqual([{ state: "pending" }]);
    await getSearchEngine().prepare();
    while (await runOnce(SEARCH_QUEUE, searchJobHandler(getSearchEngine))) {
      // until the queue is empty
    }
    expect(await db.job.findMany({ where: { queue: SEARCH_QUEUE, dedupeKey: `thread:${thread.id}` }, select: { state: true } })).toEqual([
      { state: "done" },
    ]);
    expect(await db.searchDocument.count({ where: { threadId: thread.id } })).toBe(51);
    const found = await (await asker.get(`/api/v1/search?q=${encodeURIComponent("importer row 1000")}`)).json();
    expect(found.hits.map((h: { threadId: string }) => h.threadId)).toContain(thread.id);

    // The page everyone reads shows the count the database holds.
    const api = await (await asker.get(`/api/v1/threads/${thread.id}`)).json();
    expect(api.replyCount).toBe(50);
  }, 180_000);
});

describe("two answers accepted at the same moment", () => {
  async function threadWithTwoAnswers(asker: { email: string }) {
    const category = await makeCategory();
    const [helperA, helperB] = [await makeUser(), await makeUser()];
    const askerClient = await signIn(server, asker, TEST_PASSWORD);
    const thread = await askQuestion(askerClient, category.slug, "Which index speeds up the report query?");
    const a = await reply(await signIn(server, helperA, TEST_PASSWORD), thread.id, "Add a composite index on (account, created_at).");
    const b = await reply(await signIn(server, helperB, TEST_PASSWORD), thread.id, "Partition the table by month instead.");
    return { askerClient, thread, a: { ...a, author: helperA }, b: { ...b, author: helperB } };
  }

  const reputation = async (id: string) => (await db.user.findUniqueOrThrow({ where: { id }, select: { reputation: true } })).reputation;

  it("ends with exactly one accepted answer and 15 points for its author only, round after round", async () => {
    for (let round = 0; round < 5; round++) {
      const asker = await makeUser();
      const { askerClient, thread, a, b } = await threadWithTwoAnswers(asker);
      const [ra, rb] = await Promise.all([
        askerClient.post(`/api/v1/posts/${a.id}/accept`),
        askerClient.post(`/api/v1/posts/${b.id}/accept`),
      ]);
      expectNoServerErrors([ra.status, rb.status]);
      // Documented last-wins: both are applied in turn; each answer says what it replaced.
      expect([ra.status, rb.status]).toEqual([200, 200]);
      const bodies = [await ra.json(), await rb.json()] as { acceptedPostId: string; previousAcceptedPostId: string | null }[];
      const final = (await db.thread.findUniqueOrThrow({ where: { id: thread.id }, select: { acceptedPostId: true } })).acceptedPostId;
      const [first, last] = bodies[0]!.previousAcceptedPostId === null ? bodies : [bodies[1]!, bodies[0]!];
      expect(first!.previousAcceptedPostId).toBeNull();
      expect(last!.previousAcceptedPostId).toBe(first!.acceptedPostId);
      expect(last!.acceptedPostId).toBe(final);

      const winner = final === a.id ? a : b;
      const loser = final === a.id ? b : a;
      expect(await reputation(winner.author.id)).toBe(15);
      expect(await reputation(loser.author.id)).toBe(0);
      const page = await (await askerClient.get(`/api/v1/threads/${thread.id}`)).json();
      expect(page.acceptedPostId).toBe(final);
      expect(page.solved).toBe(true);
    }
  }, 180_000);

  it("applies the asker's and a moderator's simultaneous accepts in turn, with no double award", async () => {
    const asker = await makeUser();
    const moderator = await makeUser({ role: "moderator" });
    const modClient = await signIn(server, moderator, TEST_PASSWORD);
    const { askerClient, thread, a, b } = await threadWithTwoAnswers(asker);
    const [byAsker, byMod] = await Promise.all([
      askerClient.post(`/api/v1/posts/${a.id}/accept`),
      modClient.post(`/api/v1/posts/${b.id}/accept`),
    ]);
    expectNoServerErrors([byAsker.status, byMod.status]);
    expect([byAsker.status, byMod.status]).toEqual([200, 200]);
    const final = (await db.thread.findUniqueOrThrow({ where: { id: thread.id }, select: { acceptedPostId: true } })).acceptedPostId;
    expect([a.id, b.id]).toContain(final);
    expect((await reputation(a.author.id)) + (await reputation(b.author.id))).toBe(15);
    expect(await reputation(final === a.id ? a.author.id : b.author.id)).toBe(15);
    // The moderator's accept is in the audit log exactly once.
    expect(await db.auditLog.count({ where: { action: "answer.accept", targetId: b.id } })).toBe(1);
  }, 60_000);

  it("awards an answer accepted by ten clicks at once a single time", async () => {
    const asker = await makeUser();
    const moderator = await makeUser({ role: "moderator" });
    const modClient = await signIn(server, moderator, TEST_PASSWORD);
    const { askerClient, a } = await threadWithTwoAnswers(asker);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? modClient : askerClient).post(`/api/v1/posts/${a.id}/accept`)),
    );
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await reputation(a.author.id)).toBe(15);
    expect(await db.notification.count({ where: { userId: a.author.id, kind: "accepted" } })).toBe(1);
  }, 60_000);
});

describe("the same request sent twice (a double click, a client retry)", () => {
  let member: Awaited<ReturnType<typeof makeUser>>;
  let client: Client;
  let category: Awaited<ReturnType<typeof makeCategory>>;
  beforeAll(async () => {
    member = await makeUser();
    client = await signIn(server, member, TEST_PASSWORD);
    category = await makeCategory();
  });

  const newThread = { title: "Exports time out after 30 seconds", body: "Large exports stop with a gateway timeout." };

  it("creates one thread for ten parallel API calls with one Idempotency-Key, and replays it to the other nine", async () => {
    const key = `export-timeout-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.post("/api/v1/threads", { ...newThread, category: category.slug }, { "Idempotency-Key": key }),
      ),
    );
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).id as string)));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(9);
    expect(await db.thread.count({ where: { authorId: member.id, categoryId: category.id } })).toBe(1);
    // A later retry with the same key still gets the same thread.
    const later = await client.post("/api/v1/threads", { ...newThread, category: category.slug }, { "Idempotency-Key": key });
    expect(later.status).toBe(201);
    expect((await later.json()).id).toBe([...ids][0]);
    expect(await db.thread.count({ where: { authorId: member.id, categoryId: category.id } })).toBe(1);
  }, 60_000);

  it("refuses a key reused for a different request with 409, and keeps keys apart per member", async () => {
    const key = `reused-${Date.now()}`;
    const first = await client.post(
      "/api/v1/threads",
      { ...newThread, title: "Webhooks arrive twice after a deploy", category: category.slug },
      { "Idempotency-Key": key },
    );
    expect(first.status).toBe(201);
    const different = await client.post(
      "/api/v1/threads",
      { ...newThread, title: "A completely different question", category: category.slug },
      { "Idempotency-Key": key },
    );
    expect(different.status).toBe(409);
    expect((await different.json()).error.message).toMatch(/already used for a different request/);
    // Another member's request with the same key is theirs, not a replay of someone else's thread.
    const other = await signIn(server, await makeUser(), TEST_PASSWORD);
    const theirs = await other.post(
      "/api/v1/threads",
      { ...newThread, title: "Webhooks arrive twice after a deploy", category: category.slug },
      { "Idempotency-Key": key },
    );
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await theirs.json()).id).not.toBe((await first.json()).id);
    const bad = await client.post("/api/v1/threads", { ...newThread, category: category.slug }, { "Idempotency-Key": "x".repeat(300) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/Idempotency-Key must be 1 to 255/);
  }, 60_000);

  it("documents the Idempotency-Key header on the API's POST operations", async () => {
    const doc = await (await client.get("/api/v1/openapi.json")).json();
    for (const path of ["/api/v1/threads", "/api/v1/threads/{id}/posts", "/api/v1/threads/{id}/escalations"]) {
      const names = (doc.paths[path].post.parameters ?? []).map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
      expect(names).toContain("header:Idempotency-Key");
    }
  });

  it("never stores an API token's secret for a replay: a token request ignores Idempotency-Key and is not documented with it", async () => {
    const key = `token-${Date.now()}`;
    const first = await client.post("/api/v1/tokens", { name: "ci" }, { "Idempotency-Key": key });
    const second = await client.post("/api/v1/tokens", { name: "ci" }, { "Idempotency-Key": key });
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = [await first.json(), await second.json()];
    expect(a.token).not.toBe(b.token);
    expect(await db.idempotencyKey.count({ where: { key } })).toBe(0);
    const doc = await (await client.get("/api/v1/openapi.json")).json();
    const names = (doc.paths["/api/v1/tokens"].post.parameters ?? []).map((p: { name: string }) => p.name);
    expect(names).not.toContain("Idempotency-Key");
  });

  it("lets a refused request be corrected and sent again with the same key", async () => {
    const key = `corrected-${Date.now()}`;
    const tooShort = await client.post(
      "/api/v1/threads",
      { ...newThread, title: "short", category: category.slug },
      { "Idempotency-Key": key },
    );
    expect(tooShort.status).toBe(400);
    const fixed = await client.post(
      "/api/v1/threads",
      { ...newThread, title: "Scheduled reports run twice on DST change", category: category.slug },
      { "Idempotency-Key": key },
    );
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("Idempotent-Replayed")).toBeNull();
  }, 60_000);

  it("stores one reply for five parallel API calls with one key", async () => {
    const thread = await askQuestion(client, category.slug, "Reply twice by accident over the API");
    const replier = await signIn(server, await makeUser(), TEST_PASSWORD);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        replier.post(`/api/v1/threads/${thread.id}/posts`, { body: "Retry with a longer timeout." }, { "Idempotency-Key": "reply-once" }),
      ),
    );
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(await Promise.all(responses.map(async (r) => (await r.json()).id))).size).toBe(1);
    expect(await db.post.count({ where: { threadId: thread.id } })).toBe(2);
    expect((await db.thread.findUniqueOrThrow({ where: { id: thread.id } })).replyCount).toBe(1);
  }, 60_000);

  it("posts the new-thread form once when it is submitted five times at once with its token", async () => {
    const token = await formToken(client, "/new");
    const form = {
      formToken: token,
      category: category.slug,
      title: "Double-clicked question about backups",
      body: "Backups fail when the disk is nearly full.",
      tags: "",
    };
    const responses = await Promise.all(Array.from({ length: 5 }, () => client.request("POST", "/new", { form })));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(302));
    const locations = new Set(responses.map((r) => r.headers.get("Location")));
    expect(locations.size).toBe(1);
    expect([...locations][0]).toMatch(/^\/t\/[^/]+\/double-clicked-question-about-backups$/);
    expect(await db.thread.count({ where: { title: form.title } })).toBe(1);
    // The page renders a new token every time, so the next question is not taken for a repeat.
    expect(await formToken(client, "/new")).not.toBe(token);
  }, 60_000);

  it("keeps a form's token usable after a refused submission, for the corrected one", async () => {
    const token = await formToken(client, "/new");
    const refused = await client.request("POST", "/new", {
      form: { formToken: token, category: category.slug, title: "short", body: "Too short a title.", tags: "" },
    });
    expect(refused.status).toBe(400);
    const fixed = await client.request("POST", "/new", {
      form: {
        formToken: token,
        category: category.slug,
        title: "Corrected question about log rotation",
        body: "Logs are never rotated.",
        tags: "",
      },
    });
    expect(fixed.status).toBe(302);
    expect(await db.thread.count({ where: { title: "Corrected question about log rotation" } })).toBe(1);
    const tampered = await client.request("POST", "/new", {
      form: { formToken: "../../etc", category: category.slug, title: "Tampered token question", body: "Token is not ours.", tags: "" },
    });
    expect(tampered.status).toBe(400);
  }, 60_000);

  it("posts the reply form once when it is submitted five times at once", async () => {
    const thread = await askQuestion(client, category.slug, "Reply form double click on a slow network");
    const replier = await signIn(server, await makeUser(), TEST_PASSWORD);
    const token = await formToken(replier, thread.url);
    const form = { formToken: token, intent: "reply", body: "Clear the cache and try again." };
    const responses = await Promise.all(Array.from({ length: 5 }, () => replier.request("POST", thread.url, { form })));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(302));
    expect(new Set(responses.map((r) => r.headers.get("Location"))).size).toBe(1);
    expect(await db.post.count({ where: { threadId: thread.id } })).toBe(2);
    // The next render carries a new token: a second, different reply is posted.
    const next = await formToken(replier, thread.url);
    expect(next).not.toBe(token);
    const second = await replier.request("POST", thread.url, {
      form: { formToken: next, intent: "reply", body: "Also check the proxy timeout." },
    });
    expect(second.status).toBe(302);
    expect(await db.post.count({ where: { threadId: thread.id } })).toBe(3);
  }, 60_000);

  describe("paid support", () => {
    let payer: TestUser;
    let payerClient: Client;
    beforeAll(async () => {
      payer = await makeUser({ role: "member", trustLevel: 0 });
      payerClient = await signIn(server, payer, TEST_PASSWORD);
    });

    it("opens one escalation and one checkout for five parallel API calls with one key", async () => {
      const threadId = fake.world.thread.id;
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          payerClient.post(`/api/v1/threads/${threadId}/escalations`, gate(), { "Idempotency-Key": "pay-once" }),
        ),
      );
      expectNoServerErrors(responses.map((r) => r.status));
      expect(responses.map((r) => r.status)).toEqual(Array(5).fill(201));
      const bodies = await Promise.all(responses.map((r) => r.json()));
      expect(new Set(bodies.map((b) => b.checkoutUrl)).size).toBe(1);
      expect(await db.escalation.count({ where: { userId: payer.id, threadId } })).toBe(1);
      expect([...fake.stripe.sessions.values()].filter((s) => s.client_reference_id === bodies[0].escalationId)).toHaveLength(1);
      expect(fake.stripe.calls("POST", /^\/v1\/checkout\/sessions$/)).toHaveLength(1);
    }, 60_000);

    it("opens one escalation and one checkout when the gate form is submitted five times at once", async () => {
      const other = await makeUser({ role: "member", trustLevel: 0 });
      const otherClient = await signIn(server, other, TEST_PASSWORD);
      const threadId = fake.world.thread.id;
      const token = await formToken(otherClient, `/escalate/${threadId}`);
      const answers = gate();
      const form = {
        formToken: token,
        tier: "standard",
        productVersion: String(answers.productVersion),
        environment: String(answers.environment),
        stepsToReproduce: String(answers.stepsToReproduce),
        alreadyTried: String(answers.alreadyTried),
        acceptScope: "on",
      };
      const responses = await Promise.all(Array.from({ length: 5 }, () => otherClient.request("POST", `/escalate/${threadId}`, { form })));
      expectNoServerErrors(responses.map((r) => r.status));
      expect(responses.map((r) => r.status)).toEqual(Array(5).fill(302));
      expect(new Set(responses.map((r) => r.headers.get("Location"))).size).toBe(1);
      expect(await db.escalation.count({ where: { userId: other.id, threadId } })).toBe(1);
      expect(fake.stripe.calls("POST", /^\/v1\/checkout\/sessions$/)).toHaveLength(1);
    }, 60_000);
  });
});

describe("Stripe delivering the same payment many times at once", () => {
  const secret = "whsec_backline_test_secret";
  const deliver = (payload: string) =>
    fetch(`${server.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, secret) },
      body: payload,
    });

  async function checkout() {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    const res = await client.post(`/api/v1/threads/${fake.world.thread.id}/escalations`, gate());
    expect(res.status).toBe(201);
    const { escalationId } = await res.json();
    const session = [...fake.stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!;
    return { member, escalationId, session: fake.stripe.completeSession(session.id) };
  }

  async function expectOneFulfilment(member: TestUser, escalationId: string) {
    const tickets = await db.ticket.findMany({ where: { escalationId }, select: { id: true } });
    expect(tickets).toHaveLength(1);
    expect(await db.payment.count({ where: { escalationId } })).toBe(1);
    const ticketUrl = { contains: tickets[0]!.id };
    // One notice for the payer, one for each maintainer: not one per delivery.
    expect(await db.notification.count({ where: { userId: member.id, url: ticketUrl } })).toBe(1);
    expect(await db.notification.count({ where: { userId: fake.world.maintainer.id, url: ticketUrl } })).toBe(1);
    expect((await db.escalation.findUniqueOrThrow({ where: { id: escalationId } })).state).toBe("paid");
  }

  it("creates one ticket, one payment and one set of notifications from ten parallel deliveries of one event", async () => {
    const { member, escalationId, session } = await checkout();
    const event = fake.stripe.event("checkout.session.completed", session);
    const payload = JSON.stringify(event);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(payload)));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const outcomes = (await Promise.all(responses.map((r) => r.json()))).map((b) => b.outcome).sort();
    expect(outcomes).toEqual(["applied", ...Array(9).fill("duplicate")]);
    await expectOneFulfilment(member, escalationId);
    expect(await db.webhookEvent.count({ where: { id: event.id, processedAt: { not: null } } })).toBe(1);
  }, 60_000);

  it("creates one ticket from two different events for one checkout session, each delivered five times at once", async () => {
    const { member, escalationId, session } = await checkout();
    const events = [fake.stripe.event("checkout.session.completed", session), fake.stripe.event("checkout.session.completed", session)];
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(JSON.stringify(events[i % 2]))));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const outcomes = (await Promise.all(responses.map((r) => r.json()))).map((b) => b.outcome);
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(1);
    await expectOneFulfilment(member, escalationId);
  }, 60_000);
});

describe("new questions introducing the same new tag at once", () => {
  it("all succeed and share one tag with the right count", async () => {
    const category = await makeCategory();
    const tag = `race-${Date.now().toString(36)}`;
    const authors = await Promise.all(Array.from({ length: 8 }, () => makeUser()));
    const clients: Client[] = [];
    for (const a of authors) clients.push(await signIn(server, a, TEST_PASSWORD));
    const responses = await Promise.all(
      clients.map((c, i) =>
        c.post("/api/v1/threads", {
          category: category.slug,
          title: `Question ${i} about the new tag`,
          body: "Does the new tag work for everyone?",
          tags: [tag, `${tag}-b`],
        }),
      ),
    );
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const rows = await db.tag.findMany({ where: { name: { in: [tag, `${tag}-b`] } }, select: { name: true, count: true } });
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: tag, count: 8 },
      { name: `${tag}-b`, count: 8 },
    ]);
  }, 60_000);
});

describe("votes and flags arriving together", () => {
  it("counts one vote per member however often it is clicked, and every member's vote once", async () => {
    const category = await makeCategory();
    const asker = await signIn(server, await makeUser(), TEST_PASSWORD);
    const thread = await askQuestion(asker, category.slug, "Votes from everyone at once");
    const author = await makeUser();
    const answer = await reply(await signIn(server, author, TEST_PASSWORD), thread.id, "Restart the worker after changing the queue.");
    const clicker = await signIn(server, await makeUser(), TEST_PASSWORD);
    const clicks = await Promise.all(Array.from({ length: 10 }, () => clicker.post(`/api/v1/posts/${answer.id}/votes`)));
    expectNoServerErrors(clicks.map((r) => r.status));
    expect(clicks.filter((r) => r.status === 200)).toHaveLength(1);
    expect(clicks.filter((r) => r.status === 409)).toHaveLength(9);

    const voters: Client[] = [];
    for (let i = 0; i < 12; i++) voters.push(await signIn(server, await makeUser(), TEST_PASSWORD));
    const votes = await Promise.all(voters.map((v) => v.post(`/api/v1/posts/${answer.id}/votes`)));
    expectNoServerErrors(votes.map((r) => r.status));
    expect(votes.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect((await db.post.findUniqueOrThrow({ where: { id: answer.id } })).score).toBe(13);
    expect(await db.vote.count({ where: { postId: answer.id } })).toBe(13);
    expect((await db.user.findUniqueOrThrow({ where: { id: author.id } })).reputation).toBe(130);
  }, 120_000);

  it("hides a post once when enough spam flags arrive at the same moment", async () => {
    const category = await makeCategory();
    const spammer = await signIn(server, await makeUser(), TEST_PASSWORD);
    const thread = await askQuestion(
      await signIn(server, await makeUser(), TEST_PASSWORD),
      category.slug,
      "Flags from several members at once",
    );
    const spam = await reply(spammer, thread.id, "Buy cheap watches at my shop today.");
    const reporters: Client[] = [];
    for (let i = 0; i < 6; i++) reporters.push(await signIn(server, await makeUser(), TEST_PASSWORD));
    const flags = await Promise.all(reporters.map((r) => r.post(`/api/v1/posts/${spam.id}/flags`, { reason: "spam" })));
    expectNoServerErrors(flags.map((r) => r.status));
    // The flags that arrive after the post was hidden are told so (409): nothing is lost or doubled.
    expect(flags.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(3);
    expect(flags.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await db.flag.count({ where: { postId: spam.id } })).toBe(flags.filter((r) => r.status === 201).length);
    expect((await db.post.findUniqueOrThrow({ where: { id: spam.id } })).hidden).toBe(true);
    expect(await db.auditLog.count({ where: { action: "post.auto_hide", targetId: spam.id } })).toBe(1);
    expect((await db.thread.findUniqueOrThrow({ where: { id: thread.id } })).replyCount).toBe(0);
  }, 120_000);
});
