import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { db } from "~/services/db.server";
import { testRefundId, testSubscriptionEvents } from "~/services/payments/test-mode.server";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { makeUser } from "../helpers/factories";
import { startServer, type TestServer } from "../helpers/server";
import { gate, supportWorld } from "../helpers/support-world";
import { useTestDatabase } from "../helpers/database";

// Double checkout (issue 13 §7) with the local test-mode payments a fresh
// clone runs: the superseded tab's test checkout page can no longer be paid,
// and two tabs at once leave one payable checkout.

const database = useTestDatabase();
let server: TestServer;
let world: Awaited<ReturnType<typeof supportWorld>>;

beforeAll(async () => {
  world = await supportWorld();
  server = await startServer({ databaseUrl: database.url, env: { BACKLINE_JOBS: "off" } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

async function member() {
  const who = await makeUser({ role: "member", trustLevel: 0 });
  const client = new Client(server.url);
  expect((await client.post("/api/v1/session", { email: who.email, password: TEST_PASSWORD })).status).toBe(200);
  return { who, client };
}

const escalate = (client: Client) => client.post(`/api/v1/threads/${world.thread.id}/escalations`, gate());
const authorize = (client: Client, escalationId: string) =>
  client.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });

describe("escalating one thread from two tabs in test mode", () => {
  it("closes the first tab's test checkout when the second opens, so only one can be paid", async () => {
    const { who, client } = await member();
    const first = (await (await escalate(client)).json()).escalationId as string;
    const second = (await (await escalate(client)).json()).escalationId as string;
    expect((await authorize(client, first)).status).toBe(409);
    expect((await authorize(client, second)).status).toBe(302);
    expect(await db.ticket.count({ where: { ownerId: who.id } })).toBe(1);
    const again = await escalate(client);
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/\/tickets\//);
  });

  it("leaves one payable checkout when four tabs submit at the same moment", async () => {
    const { who, client } = await member();
    const responses = await Promise.all(Array.from({ length: 4 }, () => escalate(client)));
    expect(responses.filter((r) => r.status >= 500)).toEqual([]);
    const ids = await Promise.all(responses.filter((r) => r.status === 201).map(async (r) => (await r.json()).escalationId as string));
    const outcomes = [];
    for (const id of ids) outcomes.push((await authorize(client, id)).status);
    expect(outcomes.filter((s) => s === 302)).toHaveLength(1);
    expect(await db.ticket.count({ where: { ownerId: who.id } })).toBe(1);
  }, 60_000);

  it("keeps one plan checkout open for two insurance tabs", async () => {
    const plan = await db.insurancePlan.create({
      data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true },
    });
    const { who, client } = await member();
    const buy = () => client.request("POST", "/insurance", { form: { intent: "buy", planId: plan.id } });
    const first = (await buy()).headers.get("location")!;
    const second = (await buy()).headers.get("location")!;
    const subscribe = (url: string) => client.request("POST", new URL(url).pathname, { form: { intent: "subscribe" } });
    expect((await subscribe(first)).status).toBe(409);
    expect((await subscribe(second)).status).toBeLessThan(400);
    expect(await db.insuranceSubscription.count({ where: { userId: who.id, status: "active" } })).toBe(1);
  });

  it("refunds, once, a second test plan whose checkout went through anyway", async () => {
    const plan = await db.insurancePlan.create({
      data: { name: "Yearly", priceCents: 50000, coverageCents: 20000, currency: "usd", active: true },
    });
    const { who, client } = await member();
    const page = (await client.request("POST", "/insurance", { form: { intent: "buy", planId: plan.id } })).headers.get("location")!;
    expect((await client.request("POST", new URL(page).pathname, { form: { intent: "subscribe" } })).status).toBeLessThan(400);
    // A second test checkout that was paid in the same moment (the race the page's lock cannot see):
    // its events arrive while the first plan is live.
    const second = await db.insuranceSubscription.create({
      data: {
        userId: who.id,
        planId: plan.id,
        status: "incomplete",
        provider: "test",
        checkoutSessionId: `cs_test_local_sub_race_${who.id}`,
        currentPeriodEnd: new Date(),
      },
    });
    await applyPaymentEvent(testSubscriptionEvents.completed(second.checkoutSessionId!, second.id));
    const invoice = testSubscriptionEvents.invoicePaid(second.id, 50000, new Date(Date.now() + 365 * 86_400_000));
    if (invoice.type !== "invoice.paid") throw new Error("unexpected event");
    // Delivered, redelivered, and sent again under a new event id: one refund.
    await Promise.all([
      applyPaymentEvent(invoice),
      applyPaymentEvent(invoice),
      applyPaymentEvent({ ...invoice, id: `${invoice.id}_again` }),
    ]);

    expect(await db.insuranceSubscription.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({ status: "refused" });
    expect(await db.coverageEntry.count({ where: { subscriptionId: second.id } })).toBe(0);
    const refunds = await db.testPaymentIntent.findMany({ where: { status: "refunded", escalationId: { in: [second.id] } } });
    expect(refunds).toMatchObject([{ id: testRefundId(invoice.invoiceId), amountCents: 50000, currency: "usd" }]);
    const kept = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: who.id, status: "active" } });
    expect(await db.testPaymentIntent.count({ where: { status: "refunded", escalationId: kept.id } })).toBe(0);
  });
});
