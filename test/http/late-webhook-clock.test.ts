import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDate } from "~/components/time";
import { Client, newMember } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, STRIPE_TEST_ENV } from "../helpers/support-world";
import { until } from "../helpers/wait";
import { FakeStripe, signedHeader, startFakeStripe } from "../mocks/stripe";

// Defect: the response clock started when the checkout.session.completed webhook
// was processed, not when the member paid. Stripe retries a failed delivery for
// days, so a late webhook moved paidAt and the deadline with it. Here the built
// app gets signed events whose `created` lies in the past, from the Stripe fake.

const HOUR = 3_600_000;
let server: TestServer;
let stripe: FakeStripe;
let threads: { id: string; title: string; url: string }[];
const secret = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET;

beforeAll(async () => {
  stripe = await startFakeStripe();
  server = await startServer({ seed: true, env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url } });
  threads = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads;
});
afterAll(async () => {
  await server?.stop();
  await stripe?.stop();
});

async function escalate(threadId: string, tier: "standard" | "priority") {
  const client = await newMember(server, "late");
  const res = await client.post(`/api/v1/threads/${threadId}/escalations`, gate({ tier }));
  expect(res.status).toBe(201);
  const { escalationId } = await res.json();
  const sessionId = [...stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!.id;
  return { client, sessionId };
}

/** The member paid at `paidAt`; Stripe delivers the event now (a retry is signed afresh, `created` stays). */
async function deliverPaidAt(sessionId: string, paidAt: Date) {
  const event = {
    ...stripe.event("checkout.session.completed", stripe.completeSession(sessionId)),
    created: Math.floor(paidAt.getTime() / 1000),
  };
  const payload = JSON.stringify(event);
  const res = await fetch(`${server.url}/webhooks/stripe`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, secret) },
    body: payload,
  });
  expect(res.status).toBe(200);
  expect((await res.json()).outcome).toBe("applied");
}

async function onlyTicket(client: Client) {
  const list = (await (await client.get("/api/v1/tickets")).json()) as { id: string }[];
  expect(list).toHaveLength(1);
  return (await (await client.get(`/api/v1/tickets/${list[0]!.id}`)).json()) as {
    id: string;
    state: string;
    paidAt: string;
    deadlineAt: string;
    clock: { timeLeftMs: number | null };
  };
}

const seconds = (d: Date | string) => Math.floor(new Date(d).getTime() / 1000);

describe("a checkout webhook delivered late", () => {
  it.each([
    ["standard", 48],
    ["priority", 12],
  ] as const)(
    "three days late (%s, %i h): the clock counts from payment, the ticket expires at once and the hold is released",
    async (tier, hours) => {
      const thread = threads[0]!;
      const { client, sessionId } = await escalate(thread.id, tier);
      const paidAt = new Date(Date.now() - 72 * HOUR);
      await deliverPaidAt(sessionId, paidAt);

      const ticket = await onlyTicket(client);
      expect(seconds(ticket.paidAt)).toBe(seconds(paidAt));
      expect(new Date(ticket.deadlineAt).getTime() - new Date(ticket.paidAt).getTime()).toBe(hours * HOUR);

      // The clock job runs at once: the member pays nothing for a promise nobody could keep.
      const expired = await until("the clock job to expire the ticket", async () => {
        const t = await onlyTicket(client);
        return t.state === "expired" ? t : undefined;
      });
      expect(expired.paidAt).toBe(ticket.paidAt);
      const intentId = stripe.sessions.get(sessionId)!.payment_intent as string;
      await until("the hold to be released", () => stripe.intents.get(intentId)!.status === "canceled");
      expect(stripe.calls("POST", new RegExp(`/v1/payment_intents/${intentId}/capture`))).toHaveLength(0);

      const inbox = JSON.stringify(await (await client.get("/api/v1/notifications")).json());
      expect(inbox).toContain("not be charged");
      expect(inbox).not.toContain("is waiting for the maintainer");

      // The public stub says what became of the request: expired, nothing charged (never "escalated" for a dead request).
      const page = (await (await new Client(server.url).get(thread.url)).text()).replaceAll("<!-- -->", "");
      expect(page).toContain("A request for paid support expired unanswered; no charge was made.");
      expect(page).not.toContain(`Escalated to paid support on ${formatDate(paidAt)}.`);
    },
  );

  it("two hours late: paidAt is two hours ago and the deadline two hours earlier", async () => {
    const thread = threads[1]!;
    const { client, sessionId } = await escalate(thread.id, "standard");
    const paidAt = new Date(Date.now() - 2 * HOUR);
    const before = Date.now();
    await deliverPaidAt(sessionId, paidAt);

    const ticket = await onlyTicket(client);
    expect(ticket.state).toBe("awaiting_acceptance");
    expect(seconds(ticket.paidAt)).toBe(seconds(paidAt));
    expect(seconds(ticket.deadlineAt)).toBe(seconds(paidAt) + 48 * 3600);
    // What processing time would give is at least two hours later.
    expect(new Date(ticket.deadlineAt).getTime()).toBeLessThanOrEqual(before + 46 * HOUR);
    expect(ticket.clock.timeLeftMs).toBeLessThanOrEqual(46 * HOUR);
  });

  it("an event stamped in the future (clock skew) starts the clock now, never later", async () => {
    const { client, sessionId } = await escalate(threads[1]!.id, "priority");
    const before = Date.now();
    await deliverPaidAt(sessionId, new Date(Date.now() + 5 * HOUR));
    const ticket = await onlyTicket(client);
    expect(new Date(ticket.paidAt).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(ticket.paidAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});
