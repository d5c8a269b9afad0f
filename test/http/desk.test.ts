import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { gate, STRIPE_TEST_ENV } from "../helpers/support-world";
import { FakeStripe, signedHeader, startFakeStripe, deliverWebhook } from "../mocks/stripe";

// The desk and support insurance over HTTP on the built server: who sees the
// desk, internal notes kept out of the owner's HTML and JSON, the CSV export,
// and the Stripe subscription webhooks signed like Stripe signs them.

const NOTE = "INTERNAL-desk-note-5e1f";

describe("the desk in test mode", () => {
  let server: TestServer;
  let owner: Client, maintainer: Client, moderator: Client;
  let ticketId: string;

  beforeAll(async () => {
    server = await startServer({ seed: true });
    const thread = (await (await new Client(server.url).get("/api/v1/threads?category=pro")).json()).threads[0];
    [owner, maintainer, moderator] = await Promise.all([
      signIn(server, "member@backline.local"),
      signIn(server, "maintainer@backline.local"),
      signIn(server, "moderator@backline.local"),
    ]);
    const { escalationId } = await (await owner.post(`/api/v1/threads/${thread.id}/escalations`, gate())).json();
    const authorized = await owner.request("POST", `/test-checkout/${escalationId}`, { form: { intent: "authorize" } });
    const back = await owner.get(authorized.headers.get("location")!.replace(server.url, ""));
    ticketId = back.headers.get("location")!.split("/tickets/")[1]!;
    expect((await maintainer.post(`/api/v1/tickets/${ticketId}/messages`, { body: NOTE, internal: true })).status).toBe(201);
  });
  afterAll(async () => server?.stop());

  it("keeps internal notes out of the owner's ticket page and API, and shows them to the maintainer", async () => {
    const ownerPage = await owner.get(`/tickets/${ticketId}`);
    expect(ownerPage.status).toBe(200);
    expect(await ownerPage.text()).not.toContain(NOTE);
    const ownerJson = await (await owner.get(`/api/v1/tickets/${ticketId}`)).text();
    expect(ownerJson).not.toContain(NOTE);
    // Remix's data request for the same route is the browser's other way in.
    const ownerData = await owner.get(`/tickets/${ticketId}?_data=routes%2Ftickets.%24id`);
    expect(await ownerData.text()).not.toContain(NOTE);

    expect(await (await maintainer.get(`/tickets/${ticketId}`)).text()).toContain(NOTE);
    expect(await (await maintainer.get(`/api/v1/tickets/${ticketId}`)).text()).toContain(NOTE);
  });

  it("shows the desk, its API and its numbers to maintainers only (404 for everyone else)", async () => {
    const page = await maintainer.get("/desk");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Paid support queue");
    expect(html).toContain(`/tickets/${ticketId}`);
    for (const client of [owner, moderator, new Client(server.url)]) {
      expect((await client.get("/desk")).status).toBe(404);
      expect((await client.get("/desk/numbers")).status).toBe(404);
      expect((await client.get("/desk/numbers.csv")).status).toBe(404);
    }
    expect((await owner.get("/api/v1/desk/queue")).status).toBe(404);
    const api = await (await maintainer.get("/api/v1/desk/queue?state=awaiting_acceptance")).json();
    expect(api.items.map((i: { id: string }) => i.id)).toContain(ticketId);
    expect(api.counts.awaiting_acceptance).toBeGreaterThanOrEqual(1);
    expect((await maintainer.get("/api/v1/desk/queue?state=resolved")).status).toBe(400);
  });

  it("exports the numbers as CSV and draws the chart with a title and description", async () => {
    const csv = await maintainer.get("/desk/numbers.csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="desk-numbers-/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("metric,group,month,currency,value");
    expect(text).toContain("tickets_by_state,awaiting_acceptance,,,1");
    const html = await (await maintainer.get("/desk/numbers")).text();
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain('<title id="revenue-chart-title">');
    expect(html).toContain('<desc id="revenue-chart-desc">');
  });

  it("lists the insurance API and the desk queue in the OpenAPI document", async () => {
    const doc = await (await new Client(server.url).get("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/desk/queue", "/api/v1/insurance"]));
    const insurance = await (await owner.get("/api/v1/insurance")).json();
    expect(insurance).toMatchObject({ subscription: null, pendingCheckout: false });
  });
});

describe("support insurance with Stripe (webhooks signed by the SDK)", () => {
  let server: TestServer;
  let stripe: FakeStripe;
  let member: Client;
  const secret = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    server = await startServer({ seed: true, env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url } });
    const admin = await signIn(server, "admin@backline.local");
    const created = await admin.request("POST", "/admin/insurance", {
      form: { intent: "create", name: "Yearly cover", priceCents: "50000", coverageCents: "20000", currency: "usd", active: "on" },
    });
    expect(created.status).toBe(200);
    member = await signIn(server, "member2@backline.local");
  });
  afterAll(async () => {
    await server?.stop();
    await stripe?.stop();
  });

  const deliver = (event: object) => deliverWebhook(server.url, event, secret);
  const outcome = async (res: Response) => {
    expect(res.status).toBe(200);
    return (await res.json()).outcome;
  };
  const insurance = async () => await (await member.get("/api/v1/insurance")).json();

  it("sells the plan through Checkout in subscription mode, renews on invoice.paid once per invoice, and ends on customer.subscription.deleted", async () => {
    const plan = (await insurance()).plans[0];
    const buy = await member.request("POST", "/insurance", { form: { intent: "buy", planId: plan.id } });
    expect(buy.status).toBe(302);
    const session = [...stripe.sessions.values()].find((s) => s.mode === "subscription")!;
    expect(buy.headers.get("location")).toBe(session.url);
    const request = stripe.calls("POST", /^\/v1\/checkout\/sessions$/).at(-1)!;
    expect(request.body).toMatchObject({
      mode: "subscription",
      line_items: [{ price_data: { unit_amount: "50000", currency: "usd", recurring: { interval: "year" } }, quantity: "1" }],
      subscription_data: { metadata: { insuranceId: session.metadata.insuranceId } },
    });
    const insuranceId = session.metadata.insuranceId!;

    const completed = stripe.event("checkout.session.completed", {
      ...stripe.publicSession(session),
      status: "complete",
      subscription: "sub_backline_1",
    });
    expect(await outcome(await deliver(completed))).toBe("applied");
    expect((await insurance()).subscription).toBeNull();

    const periodEnd = Math.floor(Date.now() / 1000) + 365 * 86_400;
    const invoice = (id: string, end: number) => ({
      id,
      object: "invoice",
      amount_paid: 50000,
      currency: "usd",
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: "sub_backline_1", metadata: { insuranceId } },
      },
      lines: { object: "list", data: [{ id: `il_${id}`, period: { start: end - 365 * 86_400, end } }] },
    });
    const first = stripe.event("invoice.paid", invoice("in_first", periodEnd));
    expect(await outcome(await deliver(first))).toBe("applied");
    expect(await outcome(await deliver(first))).toBe("duplicate");
    let status = await insurance();
    expect(status.subscription).toMatchObject({ status: "active", covered: true, balanceCents: 20000 });
    expect(new Date(status.subscription.renewsAt).getTime()).toBe(periodEnd * 1000);

    // The same invoice in another event (Stripe may send both invoice.paid and a retry) credits nothing twice.
    expect(await outcome(await deliver(stripe.event("invoice.paid", invoice("in_first", periodEnd))))).toBe("duplicate");
    const renewal = stripe.event("invoice.paid", invoice("in_second", periodEnd + 365 * 86_400));
    expect(await outcome(await deliver(renewal))).toBe("applied");
    status = await insurance();
    expect(status.subscription.balanceCents).toBe(20000);
    expect(status.subscription.ledger.filter((e: { kind: string }) => e.kind === "credit")).toHaveLength(2);

    // An invoice about a subscription that is not a Backline plan is acknowledged and ignored.
    const foreign = {
      ...invoice("in_foreign", periodEnd),
      parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: "sub_other", metadata: {} } },
    };
    expect(await outcome(await deliver(stripe.event("invoice.paid", foreign)))).toBe("ignored");

    const deleted = stripe.event("customer.subscription.deleted", {
      id: "sub_backline_1",
      object: "subscription",
      status: "canceled",
      metadata: { insuranceId },
    });
    expect(await outcome(await deliver(deleted))).toBe("applied");
    status = await insurance();
    expect(status.subscription).toMatchObject({ status: "canceled", covered: false, balanceCents: 0, renewsAt: null });
  });

  it("refuses a forged subscription webhook and changes nothing", async () => {
    const payload = JSON.stringify(
      stripe.event("customer.subscription.deleted", { id: "sub_backline_1", object: "subscription", metadata: {} }),
    );
    const res = await fetch(`${server.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": signedHeader(payload, "whsec_not_ours") },
      body: payload,
    });
    expect(res.status).toBe(400);
  });
});
