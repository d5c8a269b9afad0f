import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { acceptTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { simulateCheckout } from "~/services/payments/test-mode.server";
import { signIn, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, makeThread, supportWorld } from "../helpers/support-world";
import { deliverWebhook, startFakeStripe, type FakeStripe } from "../mocks/stripe";
import { useTestDatabase } from "../helpers/database";

// Issue 14 §2: a database that ran the test checkout in development is switched
// to BACKLINE_MODE=production. Its test plan, test tickets and test "captured"
// payments are no money: production draws on none, counts none, accepts none,
// and applies no Stripe event sent from Stripe's test mode (livemode false).

const database = useTestDatabase();
const secret = "whsec_backline_live_secret";
let stripe: FakeStripe;
let server: TestServer;
let world: Awaited<ReturnType<typeof supportWorld>>;
let testTicketId: string;
let coveredThreadId: string;
let planId: string;

/** In development with no Stripe keys (test mode): a ticket paid on the test checkout page, through the real fulfilment. */
async function testModeTicket(member: typeof world.owner, threadId: string) {
  const { escalationId } = await startEscalation(member, threadId, { ...gate(), payWith: "card" });
  await applyPaymentEvent(await simulateCheckout(member.id, escalationId, "authorize"));
  return db.ticket.findUniqueOrThrow({ where: { escalationId } });
}

beforeAll(async () => {
  stripe = await startFakeStripe();
  resetEnvForTests();
  world = await supportWorld();
  // The owner buys support insurance on the test checkout...
  const plan = await db.insurancePlan.create({
    data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true },
  });
  planId = plan.id;
  await startInsuranceCheckout(world.owner, plan.id);
  const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: world.owner.id } });
  await completeTestInsuranceCheckout(world.owner.id, sub.id, "subscribe");
  expect(await db.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({ provider: "test", status: "active" });
  // ...another member pays a test ticket the maintainer accepts (test "captured")...
  const accepted = await testModeTicket(
    world.other,
    (await makeThread(world.pro.id, world.other, world.owner, "Accepted in test mode")).id,
  );
  await acceptTicket(world.maintainer, accepted.id);
  expect(await db.payment.findFirstOrThrow({ where: { ticketId: accepted.id } })).toMatchObject({
    provider: "test",
    status: "captured",
    amountCents: 4900,
  });
  // ...and one test ticket still waits for the maintainer.
  testTicketId = (await testModeTicket(world.owner, world.thread.id)).id;
  coveredThreadId = (await makeThread(world.pro.id, world.owner, world.other, "Escalated after going live")).id;

  server = await startServer({
    databaseUrl: database.url,
    env: {
      BACKLINE_MODE: "production",
      BACKLINE_JOBS: "off",
      PUBLIC_URL: "http://forum.example.test",
      SESSION_SECRET: "s".repeat(40),
      STRIPE_SECRET_KEY: "sk_live_backline_fake",
      STRIPE_WEBHOOK_SECRET: secret,
      STRIPE_API_URL: stripe.url,
    },
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await stripe?.stop();
});

describe("test-mode money after switching the same database to production", () => {
  it("refuses to draw on a test-mode plan, says so, and opens no card checkout instead", async () => {
    const owner = await signIn(server, world.owner, TEST_PASSWORD);
    const res = await owner.post(`/api/v1/threads/${coveredThreadId}/escalations`, gate());
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/bought in the test checkout.*pay by card/);
    expect(stripe.sessions.size).toBe(0);
    expect(await db.insuranceDraw.count()).toBe(0);
    expect(await db.ticket.count({ where: { threadId: coveredThreadId } })).toBe(0);
    const status = await (await owner.get("/api/v1/insurance")).json();
    expect(status.subscription.covered).toBe(false);
    // The gate page says so before the member submits, with the card chosen and the plan not selectable.
    const page = await (await owner.get(`/escalate/${coveredThreadId}`)).text();
    expect(page).toContain("bought in the test checkout and does not pay on this live forum");
    expect(page).toMatch(/<input type="radio" name="payWith" disabled="" value="coverage"\/>/);
    expect(page).toMatch(/<input type="radio" name="payWith" checked="" value="card"\/>/);
  });

  it("lets the member buy a real plan over the test one, and that plan pays", async () => {
    const owner = await signIn(server, world.owner, TEST_PASSWORD);
    expect((await owner.request("POST", "/insurance", { form: { intent: "buy", planId } })).status).toBe(302);
    const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: world.owner.id, provider: "stripe" } });
    const session = [...stripe.sessions.values()].find((s) => s.mode === "subscription" && s.metadata.insuranceId === sub.id)!;
    const completed = stripe.completeSession(session.id);
    expect(
      (await (await deliverWebhook(server.url, stripe.liveEvent("checkout.session.completed", completed), secret)).json()).outcome,
    ).toBe("applied");
    const invoice = stripe.payInvoice(completed.subscription!, { amount: 50000 });
    expect((await (await deliverWebhook(server.url, stripe.liveEvent("invoice.paid", invoice), secret)).json()).outcome).toBe("applied");
    // Not "refused" for the test plan still marked active: that one is no cover in production.
    expect(await db.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({ status: "active" });

    const res = await owner.post(`/api/v1/threads/${coveredThreadId}/escalations`, gate());
    expect(res.status).toBe(201);
    expect((await res.json()).paidFromCoverage).toBe(true);
    expect(await db.insuranceDraw.findFirstOrThrow()).toMatchObject({ subscriptionId: sub.id, amountCents: 4900 });
  });

  it("counts no test-mode payment in the desk numbers", async () => {
    const maintainer = await signIn(server, world.maintainer, TEST_PASSWORD);
    const res = await maintainer.get("/desk/numbers.csv");
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).not.toContain("captured_revenue_cents");
    expect(csv).toMatch(/tickets_by_state,open,,,0/);
    // Only the ticket paid from the real plan; the two test-mode tickets are not counted.
    expect(csv).toMatch(/tickets_by_state,awaiting_acceptance,,,1/);
  });

  it("answers 409 to accepting a ticket paid in test mode, and captures nothing", async () => {
    const maintainer = await signIn(server, world.maintainer, TEST_PASSWORD);
    const res = await maintainer.post(`/api/v1/tickets/${testTicketId}/accept`, {});
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/paid in test mode.*demo:purge/);
    expect(await db.ticket.findUniqueOrThrow({ where: { id: testTicketId } })).toMatchObject({
      state: "awaiting_acceptance",
      acceptedAt: null,
    });
    expect(await db.payment.findFirstOrThrow({ where: { ticketId: testTicketId } })).toMatchObject({ status: "authorized" });
  });

  it("rejects a ticket paid in test mode without calling any provider: the test hold is released at once, in the money trail", async () => {
    const maintainer = await signIn(server, world.maintainer, TEST_PASSWORD);
    const res = await maintainer.post(`/api/v1/tickets/${testTicketId}/reject`, {
      reason: "out_of_scope",
      message: "Opened in test mode before going live.",
    });
    expect(res.status).toBe(200);
    expect((await res.json()).state).toBe("rejected");
    const payment = await db.payment.findFirstOrThrow({ where: { ticketId: testTicketId } });
    expect(payment).toMatchObject({ status: "canceled", lastError: null });
    expect(await db.moneyEvent.findFirst({ where: { paymentId: payment.id, kind: "released" } })).toMatchObject({
      amountCents: 4900,
      reason: expect.stringMatching(/test-mode/i),
    });
  });

  it("keeps the test checkout pages at 404", async () => {
    const owner = await signIn(server, world.owner, TEST_PASSWORD);
    const escalation = await db.escalation.findFirstOrThrow({ where: { ticket: { id: testTicketId } } });
    expect((await owner.get(`/test-checkout/${escalation.id}`)).status).toBe(404);
  });

  it("records a livemode:false webhook as ignored and creates no ticket; the live event does", async () => {
    const member = await signIn(server, world.other, TEST_PASSWORD);
    const threadId = (await makeThread(world.pro.id, world.other, world.owner, "Paid by card in production")).id;
    const res = await member.post(`/api/v1/threads/${threadId}/escalations`, gate());
    expect(res.status).toBe(201);
    const { escalationId } = await res.json();
    const session = [...stripe.sessions.values()].find((s) => s.client_reference_id === escalationId)!;
    const completed = stripe.completeSession(session.id);

    const test = stripe.event("checkout.session.completed", completed);
    const ignored = await deliverWebhook(server.url, test, secret);
    expect(ignored.status).toBe(200);
    expect((await ignored.json()).outcome).toBe("ignored");
    expect(await db.ticket.count({ where: { escalationId } })).toBe(0);
    expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: test.id } })).toMatchObject({
      type: "checkout.completed (livemode false)",
    });
    expect(server.output()).toContain(`stripe webhook ${test.id}`);

    const live = await deliverWebhook(server.url, stripe.liveEvent("checkout.session.completed", completed), secret);
    expect((await live.json()).outcome).toBe("applied");
    expect(await db.ticket.count({ where: { escalationId } })).toBe(1);
  });
});
