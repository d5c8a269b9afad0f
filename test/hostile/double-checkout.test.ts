import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLAN_REFUND_QUEUE, runPlanRefundJobs } from "~/models/insurance/plan-refund.server";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { makeUser, type TestUser } from "../helpers/factories";
import { startServer, type TestServer } from "../helpers/server";
import { gate, useFakeStripeWorld } from "../helpers/support-world";
import { deliverWebhook } from "../mocks/stripe";
import { useTestDatabase } from "../helpers/database";

// Hostile world, double checkout (issue 13 §7): one member opens the
// escalation gate, or the insurance page, in two tabs, one after the other or
// at the same moment, and may even pay both. They must end with one live
// checkout, one ticket, one charge and one plan. Everything goes through the
// built server over HTTP and the Stripe SDK against the local fake; the rows
// are then checked in the shared database.

const database = useTestDatabase();
const fake = useFakeStripeWorld();
let server: TestServer;
const secret = "whsec_backline_test_secret";

beforeAll(async () => {
  server = await startServer({
    databaseUrl: database.url,
    // As in concurrency.test.ts: one process at a time on the embedded database's socket.
    env: {
      BACKLINE_JOBS: "off",
      STRIPE_SECRET_KEY: "sk_test_backline_fake",
      STRIPE_WEBHOOK_SECRET: secret,
      STRIPE_API_URL: fake.stripe.url,
    },
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const deliver = (event: object) => deliverWebhook(server.url, event, secret);

const escalate = (client: Client, tier = "standard") => client.post(`/api/v1/threads/${fake.world.thread.id}/escalations`, gate({ tier }));

const sessionOf = (escalationId: string) => [...fake.stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!;

/** The member's Checkout Sessions at Stripe that could still be paid. */
const openSessions = async (member: TestUser) => {
  const mine = await db.escalation.findMany({ where: { userId: member.id }, select: { id: true } });
  return mine.map((e) => sessionOf(e.id)).filter((s) => s && s.status === "open");
};

function expectNoServerErrors(statuses: number[]) {
  expect(
    statuses.filter((s) => s >= 500),
    server.output().slice(-4000),
  ).toEqual([]);
}

describe("escalating one thread from two tabs (Stripe)", () => {
  it("expires the first tab's Checkout Session at Stripe when the second tab opens checkout", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    const first = await escalate(client);
    expect(first.status).toBe(201);
    const { escalationId: firstId } = await first.json();
    // The member changed their mind about the tier in the second tab.
    const second = await escalate(client, "priority");
    expect(second.status).toBe(201);
    const { escalationId: secondId, checkoutUrl } = await second.json();

    expect(sessionOf(firstId).status).toBe("expired");
    expect(fake.stripe.calls("POST", new RegExp(`^/v1/checkout/sessions/${sessionOf(firstId).id}/expire$`))).toHaveLength(1);
    expect((await openSessions(member)).map((s) => s.url)).toEqual([checkoutUrl]);
    expect(sessionOf(secondId).amount_total).toBe(fake.world.tiers.priority!.priceCents);
    expect(await db.escalation.count({ where: { userId: member.id, state: "checkout_open" } })).toBe(1);
  });

  it("leaves one live checkout when four tabs submit the gate at the same moment", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    const responses = await Promise.all(Array.from({ length: 4 }, () => escalate(client)));
    const statuses = responses.map((r) => r.status);
    expectNoServerErrors(statuses);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(","),
    ).toBe(true);
    for (const r of responses.filter((r) => r.status === 409)) {
      expect((await r.json()).error).toMatchObject({ code: "conflict", message: expect.any(String) });
    }
    expect(await openSessions(member)).toHaveLength(1);
    expect(await db.escalation.count({ where: { userId: member.id, state: "checkout_open" } })).toBe(1);
  }, 60_000);

  it("creates one ticket when both tabs were paid anyway, releases the second card hold and charges once on accept", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    const first = (await (await escalate(client)).json()).escalationId as string;
    // Stripe does not answer the expiry: the first session stays payable.
    fake.stripe.failNext("POST", /\/expire$/, { status: 500, message: "Stripe is having a moment" });
    const secondRes = await escalate(client);
    expect(secondRes.status).toBe(201);
    const second = (await secondRes.json()).escalationId as string;

    const sessions = [fake.stripe.completeSession(sessionOf(first).id), fake.stripe.completeSession(sessionOf(second).id)];
    const responses = await Promise.all(sessions.map((s) => deliver(fake.stripe.event("checkout.session.completed", s))));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);

    const tickets = await db.ticket.findMany({ where: { ownerId: member.id }, select: { id: true, escalationId: true } });
    expect(tickets).toHaveLength(1);
    const kept = sessions.find((s) => sessionOf(tickets[0]!.escalationId).id === s.id)!;
    const other = sessions.find((s) => s !== kept)!;
    expect(fake.stripe.intents.get(other.payment_intent!)!.status).toBe("canceled");
    expect(fake.stripe.intents.get(kept.payment_intent!)!.status).toBe("requires_capture");

    // A late redelivery of the released checkout changes nothing.
    expect((await deliver(fake.stripe.event("checkout.session.completed", other))).status).toBe(200);
    expect(await db.ticket.count({ where: { ownerId: member.id } })).toBe(1);

    const maintainer = await signIn(server, fake.world.maintainer, TEST_PASSWORD);
    expect((await maintainer.post(`/api/v1/tickets/${tickets[0]!.id}/accept`, {})).status).toBe(200);
    expect(fake.stripe.calls("POST", /^\/v1\/payment_intents\/[^/]+\/capture$/).map((r) => r.path)).toEqual([
      `/v1/payment_intents/${kept.payment_intent}/capture`,
    ]);
    expect(fake.stripe.intents.get(other.payment_intent!)!.status).toBe("canceled");
  }, 60_000);

  it("answers 409 when the first tab was already paid, and refuses to escalate a thread with an open ticket", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    const first = (await (await escalate(client)).json()).escalationId as string;
    const paid = fake.stripe.completeSession(sessionOf(first).id);
    const sessionsBefore = fake.stripe.sessions.size;

    const second = await escalate(client);
    expect(second.status).toBe(409);
    expect((await second.json()).error.message).toMatch(/went through/);
    expect(fake.stripe.sessions.size).toBe(sessionsBefore);

    expect((await deliver(fake.stripe.event("checkout.session.completed", paid))).status).toBe(200);
    const ticket = await db.ticket.findFirstOrThrow({ where: { ownerId: member.id } });
    const third = await escalate(client, "priority");
    expect(third.status).toBe(409);
    expect((await third.json()).error.message).toContain(`/tickets/${ticket.id}`);
    expect(fake.stripe.sessions.size).toBe(sessionsBefore);
  });
});

describe("paying one thread from coverage in two tabs", () => {
  it("draws the price once and creates one ticket", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const plan = await db.insurancePlan.create({
      data: { name: "Cover", priceCents: 50000, coverageCents: 100000, currency: "usd", active: true },
    });
    const sub = await db.insuranceSubscription.create({
      data: {
        userId: member.id,
        planId: plan.id,
        status: "active",
        provider: "stripe",
        currentPeriodEnd: new Date(Date.now() + 86_400_000),
      },
    });
    await db.coverageEntry.create({ data: { subscriptionId: sub.id, amountCents: 100000, kind: "credit", reference: `credit:${sub.id}` } });
    const client = await signIn(server, member, TEST_PASSWORD);
    const responses = await Promise.all(Array.from({ length: 4 }, () => escalate(client)));
    expectNoServerErrors(responses.map((r) => r.status));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await db.ticket.count({ where: { ownerId: member.id } })).toBe(1);
    expect(await db.coverageEntry.count({ where: { subscriptionId: sub.id, kind: "debit" } })).toBe(1);
  }, 60_000);
});

describe("buying support insurance in two tabs (Stripe)", () => {
  let planId: string;
  beforeAll(async () => {
    planId = (
      await db.insurancePlan.create({ data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true } })
    ).id;
  });
  const buy = (client: Client) => client.request("POST", "/insurance", { form: { intent: "buy", planId } });
  const insuranceSessions = async (member: TestUser) => {
    const subs = await db.insuranceSubscription.findMany({ where: { userId: member.id }, select: { id: true } });
    const ids = new Set(subs.map((s) => s.id));
    return [...fake.stripe.sessions.values()].filter((s) => s.mode === "subscription" && ids.has(s.metadata.insuranceId!));
  };

  it("keeps one open checkout for two tabs, one after the other or at the same moment", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    expect((await buy(client)).status).toBe(302);
    const second = await buy(client);
    expect(second.status).toBe(302);
    let open = (await insuranceSessions(member)).filter((s) => s.status === "open");
    expect(open.map((s) => s.url)).toEqual([second.headers.get("location")]);

    const burst = await Promise.all(Array.from({ length: 4 }, () => buy(client)));
    expectNoServerErrors(burst.map((r) => r.status));
    open = (await insuranceSessions(member)).filter((s) => s.status === "open");
    expect(open).toHaveLength(1);
  }, 60_000);

  // Webhook endpoints keep the API version they were made with: invoices come in both shapes.
  it.each([
    ["API 2025-03-31.basil and later (invoice.payments)", false],
    ["older API versions (invoice.payment_intent)", true],
  ])(
    "ends a second plan paid anyway at Stripe, never credits it and refunds its invoice once: %s",
    async (_, legacy) => {
      const member = await makeUser({ role: "member", trustLevel: 0 });
      const client = await signIn(server, member, TEST_PASSWORD);
      expect((await buy(client)).status).toBe(302);
      fake.stripe.failNext("POST", /\/expire$/, { status: 500, message: "Stripe is having a moment" });
      expect((await buy(client)).status).toBe(302);
      const sessions = (await insuranceSessions(member)).map((s) => fake.stripe.completeSession(s.id));
      expect(sessions).toHaveLength(2);
      for (const s of sessions) expect((await deliver(fake.stripe.event("checkout.session.completed", s))).status).toBe(200);
      const invoices = sessions.map((s) => fake.stripe.payInvoice(s.subscription!, { amount: 50000, legacy }));
      const events = invoices.map((inv) => fake.stripe.event("invoice.paid", inv));
      const paid = await Promise.all(events.map((e) => deliver(e)));
      expectNoServerErrors(paid.map((r) => r.status));

      const subs = await db.insuranceSubscription.findMany({ where: { userId: member.id, stripeSubscriptionId: { not: null } } });
      expect(subs.map((s) => s.status).sort()).toEqual(["active", "refused"]);
      const refused = subs.find((s) => s.status === "refused")!;
      const kept = subs.find((s) => s.status === "active")!;
      expect(fake.stripe.subscriptions.get(refused.stripeSubscriptionId!)!.status).toBe("canceled");
      expect(await db.coverageEntry.count({ where: { subscriptionId: refused.id } })).toBe(0);
      const status = await (await client.get("/api/v1/insurance")).json();
      expect(status.subscription).toMatchObject({ status: "active", balanceCents: 20000 });

      // Stripe redelivers the refused plan's invoice, as the same event and as a new one.
      const refusedInvoice = invoices.find((inv) => inv.parent.subscription_details.subscription === refused.stripeSubscriptionId)!;
      const refusedEvent = events[invoices.indexOf(refusedInvoice)]!;
      const again = await Promise.all([
        deliver(refusedEvent),
        deliver(fake.stripe.event("invoice.paid", refusedInvoice)),
        deliver(refusedEvent),
      ]);
      expectNoServerErrors(again.map((r) => r.status));

      const chargeOf = (invoiceId: string) => {
        const pi = fake.stripe.invoices.get(invoiceId)!._paymentIntent;
        return fake.stripe.charges.get(fake.stripe.intents.get(pi)!.latest_charge!)!;
      };
      expect(chargeOf(refusedInvoice.id as string)).toMatchObject({ amount: 50000, amount_refunded: 50000, refunded: true });
      const keptInvoice = invoices.find((inv) => inv !== refusedInvoice)!;
      expect(kept.stripeSubscriptionId).toBe(keptInvoice.parent.subscription_details.subscription);
      expect(chargeOf(keptInvoice.id as string)).toMatchObject({ amount_refunded: 0, refunded: false });
      const refundCalls = fake.stripe.calls("POST", /^\/v1\/refunds$/);
      expect(refundCalls).toHaveLength(1);
      expect(refundCalls[0]!.body.payment_intent).toBe(fake.stripe.invoices.get(refusedInvoice.id as string)!._paymentIntent);
      expect(refundCalls[0]!.idempotencyKey).toEqual(expect.stringContaining(refusedInvoice.id as string));
      expect([...fake.stripe.refunds.values()].filter((r) => r.charge === chargeOf(refusedInvoice.id as string).id)).toHaveLength(1);
      // Covered now: a third tab is refused.
      expect((await buy(client)).status).toBe(409);
    },
    60_000,
  );

  it("retries the refund of a refused plan's invoice when Stripe fails, until it goes through", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const client = await signIn(server, member, TEST_PASSWORD);
    expect((await buy(client)).status).toBe(302);
    fake.stripe.failNext("POST", /\/expire$/, { status: 500, message: "Stripe is having a moment" });
    expect((await buy(client)).status).toBe(302);
    const sessions = (await insuranceSessions(member)).map((s) => fake.stripe.completeSession(s.id));
    for (const s of sessions) expect((await deliver(fake.stripe.event("checkout.session.completed", s))).status).toBe(200);
    const [first, second] = sessions.map((s) => fake.stripe.payInvoice(s.subscription!, { amount: 50000 }));
    expect((await deliver(fake.stripe.event("invoice.paid", first!))).status).toBe(200);
    // The refund is lost: Stripe applies it and the answer never arrives.
    fake.stripe.failNext("POST", /^\/v1\/refunds$/, { status: 500, message: "Stripe is having a moment", afterApplying: true });
    expect((await deliver(fake.stripe.event("invoice.paid", second!))).status).toBe(200);
    const job = await db.job.findFirstOrThrow({ where: { queue: PLAN_REFUND_QUEUE, dedupeKey: `refund:${second!.id}` } });
    expect(job).toMatchObject({ state: "pending", attempts: 1 });
    expect(job.lastError).toMatch(/having a moment/);

    // The worker's retry (run here by hand: jobs are off in this server) finds it already refunded.
    await db.job.update({ where: { id: job.id }, data: { runAt: new Date(0) } });
    expect(await runOnce(PLAN_REFUND_QUEUE, runPlanRefundJobs, 1)).toBe(1);
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ state: "done" });
    const pi = fake.stripe.invoices.get(second!.id as string)!._paymentIntent;
    expect(fake.stripe.charges.get(fake.stripe.intents.get(pi)!.latest_charge!)).toMatchObject({ amount_refunded: 50000, refunded: true });
    expect(fake.stripe.refunds.size).toBeGreaterThanOrEqual(1);
    expect([...fake.stripe.refunds.values()].filter((r) => r.payment_intent === pi)).toHaveLength(1);
  }, 60_000);
});
