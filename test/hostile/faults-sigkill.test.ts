import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, newMember } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, STRIPE_TEST_ENV } from "../helpers/support-world";
import { until } from "../helpers/wait";

import { FakeMeilisearch } from "../mocks/meilisearch";
import { signedHeader, startFakeStripe, type FakeStripe } from "../mocks/stripe";

// The process is killed with SIGKILL (OOM killer, power loss of a container)
// at the worst moments: while the outbox is writing to the search engine, and
// while a paid checkout is being turned into a ticket. The same app is started
// again on the same data folder (embedded PGlite) or database (PostgreSQL).
// Nothing acknowledged may be lost and nothing may be applied twice. The slow
// moments are real ones: the fake Meilisearch and fake Stripe hold a request
// until the test has killed the process.

const INDEX = "backline_posts";
let meili: FakeMeilisearch;
let stripe: FakeStripe;
let server: TestServer;
// Failures show the end of the server's log: what it did around the kill.
const withLog = (what: string) => () => `${what}\n${server.output().slice(-3000)}`;
let kills = 0;

beforeAll(async () => {
  meili = await new FakeMeilisearch().start();
  stripe = await startFakeStripe();
  server = await startServer({ seed: true, env: { MEILI_HOST: meili.url, ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url } });
  await until(
    withLog("the seeded forum to be indexed"),
    async () => meili.documents(INDEX).length > 0 && (await openJobs("search")) === 0,
    60_000,
  );
});
afterAll(async () => {
  meili?.release();
  stripe?.release();
  await server?.stop();
  await meili?.stop();
  await stripe?.stop();
});

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const openJobs = async (queue: string) =>
  Number((await sql<{ n: string }>(`select count(*)::text as n from "Job" where queue = $1 and state <> 'done'`, [queue]))[0]!.n);

async function kill() {
  expect(await server.signal("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
  kills++;
}

describe("SIGKILL in the middle of outbox processing", () => {
  it("after a restart the index gets every post, from the same job, and the posts are all there", { timeout: 120_000 }, async () => {
    const member = await signIn(server, "member@backline.local");
    meili.hold(/^POST \/indexes\/[^/]+\/documents$/);
    const created = await member.post("/api/v1/threads", {
      category: "community",
      title: "Written just before the crash",
      body: "The search job for this thread is running when the process dies.",
    });
    expect(created.status).toBe(201);
    const thread = await created.json();
    const reply = await member.post(`/api/v1/threads/${thread.id}/posts`, { body: "A reply acknowledged before the crash." });
    expect(reply.status).toBe(201);
    const replyId = (await reply.json()).id;

    // The worker has claimed the thread's job and is sending its documents when the process dies.
    await until(withLog("the outbox to send the documents"), () => meili.held >= 1, 60_000);
    const [running] = await sql<{ id: string; state: string; attempts: number }>(
      `select id::text, state, attempts from "Job" where queue = 'search' and "dedupeKey" = $1 and state = 'running'`,
      [`thread:${thread.id}`],
    );
    expect(running?.attempts).toBe(1);
    await kill();
    meili.release();
    const indexed = () => new Set(meili.documents(INDEX).map((d) => d.postId));
    expect(indexed().has(thread.postId)).toBe(false);

    await server.restart();
    await until(withLog("the index to catch up after the restart"), () => indexed().has(thread.postId) && indexed().has(replyId), 60_000);
    await until(withLog("the outbox to empty"), async () => (await openJobs("search")) === 0, 60_000);

    // The killed job itself finished, on its second attempt, rather than being copied or lost. (A reply
    // written while it ran has a job of its own: a running job absorbs no new changes.)
    const jobs = await sql<{ id: string; state: string; attempts: number }>(
      `select id::text, state, attempts from "Job" where queue = 'search' and "dedupeKey" = $1 order by "Job".id`,
      [`thread:${thread.id}`],
    );
    expect(jobs.find((j) => j.id === running!.id)).toEqual({ id: running!.id, state: "done", attempts: 2 });
    expect(jobs.filter((j) => j.state !== "done")).toEqual([]);
    const posts = await sql<{ id: string }>(`select id from "Post" where "threadId" = $1 order by number`, [thread.id]);
    expect(posts.map((p) => p.id)).toEqual([thread.postId, replyId]);
    expect(server.output()).toMatch(/1 job\(s\) left running by a stopped process were put back in the queue/);

    const found = await fetch(`${server.url}/api/v1/search?q=${encodeURIComponent("acknowledged before the crash")}`);
    expect(found.status).toBe(200);
    expect((await found.json()).hits.map((h: { threadId: string }) => h.threadId)).toEqual([thread.id]);
  });
});

describe("SIGKILL during ticket fulfilment", () => {
  /** A member escalates a supported thread and pays on Stripe; returns the webhook Stripe would send. */
  async function paidCheckout() {
    const client = await newMember(server, "killpayer");
    const threads = await (await client.get("/api/v1/threads?category=pro")).json();
    const res = await client.post(`/api/v1/threads/${threads.threads[0].id}/escalations`, gate());
    expect(res.status).toBe(201);
    const { escalationId } = await res.json();
    const sessionId = [...stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!.id;
    const payload = JSON.stringify(stripe.event("checkout.session.completed", stripe.completeSession(sessionId)));
    const deliver = () =>
      fetch(`${server.url}/webhooks/stripe`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET) },
        body: payload,
      });
    return { client, escalationId, deliver };
  }

  async function ticketsOf(escalationId: string) {
    const [row] = await sql<{ tickets: number; payments: number; paid: number; notices: number }>(
      `select (select count(*)::int from "Ticket" where "escalationId" = $1) as tickets,
              (select count(*)::int from "Payment" where "escalationId" = $1) as payments,
              (select count(*)::int from "Escalation" where id = $1 and state = 'paid') as paid,
              (select count(*)::int from "Notification" n join "Ticket" t on n.url like '%' || t.id where t."escalationId" = $1
                 and n."userId" = t."ownerId" and n.kind = 'ticket') as notices`,
      [escalationId],
    );
    return row!;
  }

  it("killed while the webhook is being applied: Stripe's redelivery creates the one ticket", { timeout: 120_000 }, async () => {
    const { client, escalationId, deliver } = await paidCheckout();
    stripe.hold("GET", /^\/v1\/payment_intents\//);
    const before = stripe.held;
    const first = deliver().then(
      (r) => r.status,
      () => "connection lost" as const,
    );
    await until(withLog("fulfilment to ask Stripe about the payment"), () => stripe.held > before, 60_000);
    await kill();
    // Stripe saw no answer, so it will deliver the event again.
    expect(await first).toBe("connection lost");
    stripe.release();

    await server.restart();
    expect(await ticketsOf(escalationId)).toEqual({ tickets: 0, payments: 0, paid: 0, notices: 0 });
    const again = await deliver();
    expect(again.status).toBe(200);
    expect((await again.json()).outcome).toBe("applied");
    const late = await deliver();
    expect((await late.json()).outcome).toBe("duplicate");

    expect(await ticketsOf(escalationId)).toEqual({ tickets: 1, payments: 1, paid: 1, notices: 1 });
    expect(await (await client.get("/api/v1/tickets")).json()).toHaveLength(1);
  });

  it(
    "killed right after the webhook was acknowledged: the ticket survives and a redelivery changes nothing",
    { timeout: 120_000 },
    async () => {
      const { client, escalationId, deliver } = await paidCheckout();
      const res = await deliver();
      expect(res.status).toBe(200);
      expect((await res.json()).outcome).toBe("applied");
      await kill();

      await server.restart();
      expect(await ticketsOf(escalationId)).toEqual({ tickets: 1, payments: 1, paid: 1, notices: 1 });
      // Stripe may deliver again when its own request timed out before our 200 arrived.
      const again = await deliver();
      expect((await again.json()).outcome).toBe("duplicate");
      expect(await ticketsOf(escalationId)).toEqual({ tickets: 1, payments: 1, paid: 1, notices: 1 });
      const tickets = await (await client.get("/api/v1/tickets")).json();
      expect(tickets).toHaveLength(1);
      expect(tickets[0].state).toBe("awaiting_acceptance");
    },
  );
});

it("survived every kill without a corrupt database or an error in the log", () => {
  expect(kills).toBe(3);
  expect(server.output()).not.toMatch(/ ERROR |Unhandled|uncaught/i);
});
