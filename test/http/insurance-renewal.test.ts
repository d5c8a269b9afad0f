import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { Client, signIn, TEST_PASSWORD } from "../helpers/http";
import { makeUser, type TestUser } from "../helpers/factories";
import { gate } from "../helpers/support-world";
import { buyPlan, deliverEvent, useInsuranceApp } from "../helpers/insurance-app";

// Issue 14, defects 6–8 over HTTP against the built app, with Stripe faked
// locally: "don't renew" and its confirmation, what Stripe says about a
// subscription between invoices (in the basil and the older payload shapes), and
// Stripe Prices that must say what Backline shows.

const app = useInsuranceApp();
const fake = app.fake;
const deliver = (event: object) => deliverEvent(app, event);
const form = (client: Client, path: string, fields: Record<string, string>) => client.request("POST", path, { form: fields });

/** A member buys the plan on Stripe's page and the first invoice is paid: covered for a year. */
async function insured(member: TestUser) {
  const { client, subscriptionId } = await buyPlan(app, member);
  expect((await deliver(fake.stripe.event("invoice.paid", fake.stripe.payInvoice(subscriptionId, { amount: 50000 })))).status).toBe(200);
  return { client, subscriptionId };
}

const plan = async (client: Client) => (await (await client.get("/api/v1/insurance")).json()).subscription;

describe("don't renew", () => {
  it("asks for confirmation, tells Stripe, and keeps the balance usable until the period ends; resume undoes it", async () => {
    const { client, subscriptionId } = await insured(await makeUser({ role: "member", trustLevel: 0 }));
    const page = await (await client.get("/insurance")).text();
    expect(page).toContain("Don&#x27;t renew…");
    expect(page).not.toContain("Cancel the plan now");
    const confirm = await (await client.get("/insurance?confirm=dont-renew")).text();
    expect(confirm).toContain("Stop the plan from renewing?");

    // Without the confirmation step's field: refused, and Stripe is not asked.
    const unconfirmed = await form(client, "/insurance", { intent: "dont-renew" });
    expect(unconfirmed.status).toBe(400);
    expect(fake.stripe.calls("POST", /^\/v1\/subscriptions\//)).toHaveLength(0);

    expect((await form(client, "/insurance", { intent: "dont-renew", confirm: "yes" })).status).toBe(302);
    const [update] = fake.stripe.calls("POST", new RegExp(`^/v1/subscriptions/${subscriptionId}$`));
    expect(update!.body).toMatchObject({ cancel_at_period_end: "true" });
    const off = await plan(client);
    expect(off).toMatchObject({ status: "active", covered: true, cancelAtPeriodEnd: true, renewsAt: null, balanceCents: 20000 });
    expect(new Date(off.endsAt).getTime()).toBeGreaterThan(Date.now() + 360 * 86_400_000);
    // Stripe's own customer.subscription.updated for that change, arriving afterwards, agrees.
    const echo = fake.stripe.event("customer.subscription.updated", fake.stripe.subscriptionObject(subscriptionId));
    expect((await deliver(echo)).status).toBe(200);
    expect(await plan(client)).toMatchObject({ cancelAtPeriodEnd: true });

    expect((await form(client, "/insurance", { intent: "resume-renewal" })).status).toBe(200);
    expect(fake.stripe.subscriptions.get(subscriptionId)!.cancel_at_period_end).toBe(false);
    expect(await plan(client)).toMatchObject({ cancelAtPeriodEnd: false, endsAt: null, renewsAt: off.endsAt });
  }, 60_000);

  it("is also an API call: PUT /api/v1/insurance/renewal turns renewal off and on, telling Stripe each time", async () => {
    const { client, subscriptionId } = await insured(await makeUser({ role: "member", trustLevel: 0 }));
    const put = (body: unknown) => client.request("PUT", "/api/v1/insurance/renewal", { json: body });

    const wrong = await put({ renew: "no" });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(await wrong.json())).toMatch(/true or false/);
    expect(fake.stripe.calls("POST", new RegExp(`^/v1/subscriptions/${subscriptionId}$`))).toHaveLength(0);

    const off = await put({ renew: false });
    expect(off.status).toBe(200);
    const status = await off.json();
    expect(status.subscription).toMatchObject({ covered: true, cancelAtPeriodEnd: true, renewsAt: null, balanceCents: 20000 });
    expect(fake.stripe.subscriptions.get(subscriptionId)!.cancel_at_period_end).toBe(true);

    const on = await put({ renew: true });
    expect(on.status).toBe(200);
    expect((await on.json()).subscription).toMatchObject({ cancelAtPeriodEnd: false, endsAt: null, renewsAt: status.subscription.endsAt });
    expect(fake.stripe.subscriptions.get(subscriptionId)!.cancel_at_period_end).toBe(false);

    // Someone without a plan gets a conflict that says so.
    const nobody = await signIn(app.server, await makeUser({ role: "member" }), TEST_PASSWORD);
    const none = await nobody.request("PUT", "/api/v1/insurance/renewal", { json: { renew: false } });
    expect(none.status).toBe(409);
    expect((await none.json()).error.message).toMatch(/no support insurance/i);
  }, 60_000);

  it("ends the plan on customer.subscription.deleted at the period end: the rest lapses", async () => {
    const { client, subscriptionId } = await insured(await makeUser({ role: "member", trustLevel: 0 }));
    expect((await form(client, "/insurance", { intent: "dont-renew", confirm: "yes" })).status).toBe(302);
    fake.stripe.subscriptions.get(subscriptionId)!.status = "canceled";
    expect((await deliver(fake.stripe.event("customer.subscription.deleted", fake.stripe.subscriptionObject(subscriptionId)))).status).toBe(
      200,
    );
    const ended = await plan(client);
    expect(ended).toMatchObject({ status: "canceled", covered: false, balanceCents: 0 });
    expect(ended.ledger.map((e: { kind: string }) => e.kind)).toContain("lapse");
  }, 60_000);
});

describe("customer.subscription.updated", () => {
  for (const legacy of [false, true]) {
    it(`reads a renewal turned off in Stripe from the ${legacy ? "pre-basil" : "basil"} shape; an older event arriving later changes nothing`, async () => {
      const { client, subscriptionId } = await insured(await makeUser({ role: "member", trustLevel: 0 }));
      const stripeSub = fake.stripe.subscriptions.get(subscriptionId)!;
      const before = fake.stripe.event("customer.subscription.updated", fake.stripe.subscriptionObject(subscriptionId, { legacy }));
      before.created -= 60;
      stripeSub.cancel_at_period_end = true;
      const now = fake.stripe.event("customer.subscription.updated", fake.stripe.subscriptionObject(subscriptionId, { legacy }));
      const res = await deliver(now);
      expect(res.status).toBe(200);
      expect((await res.json()).outcome).toBe("applied");
      expect(await plan(client)).toMatchObject({ cancelAtPeriodEnd: true, renewsAt: null, covered: true });
      expect((await (await deliver(before)).json()).outcome).toBe("ignored");
      expect(await plan(client)).toMatchObject({ cancelAtPeriodEnd: true });
    }, 60_000);
  }

  it("shortens the plan to a cancel_at date set in Stripe, never lengthens it", async () => {
    const { client, subscriptionId } = await insured(await makeUser({ role: "member", trustLevel: 0 }));
    const renewsAt = new Date((await plan(client)).renewsAt);
    const cancelAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
    fake.stripe.subscriptions.get(subscriptionId)!.cancel_at = cancelAt;
    expect((await deliver(fake.stripe.event("customer.subscription.updated", fake.stripe.subscriptionObject(subscriptionId)))).status).toBe(
      200,
    );
    expect(await plan(client)).toMatchObject({ cancelAtPeriodEnd: true, endsAt: new Date(cancelAt * 1000).toISOString() });
    expect(new Date((await plan(client)).endsAt).getTime()).toBeLessThan(renewsAt.getTime());
  }, 60_000);
});

describe("an event for a Backline plan that cannot be found", () => {
  it("answers non-2xx and logs it, so Stripe retries; a foreign subscription's event is 200 ignored", async () => {
    const lost = {
      id: "sub_never_recorded_3",
      object: "subscription",
      status: "past_due",
      cancel_at_period_end: false,
      cancel_at: null,
      metadata: { insuranceId: "ins_lost_plan" },
      items: { object: "list", data: [] },
    };
    const updated = fake.stripe.event("customer.subscription.updated", lost);
    expect((await deliver(updated)).status).toBeGreaterThanOrEqual(400);
    expect(app.server.output()).toContain(updated.id);
    const foreign = await deliver(fake.stripe.event("customer.subscription.updated", { ...lost, id: "sub_other_product_2", metadata: {} }));
    expect(foreign.status).toBe(200);
    expect((await foreign.json()).outcome).toBe("ignored");
  }, 60_000);
});

describe("invoice.payment_failed", () => {
  for (const legacy of [false, true]) {
    it(`makes the plan past due (${legacy ? "pre-basil" : "basil"} shape): no coverage draws until an invoice is paid`, async () => {
      const member = await makeUser({ role: "member", trustLevel: 0 });
      const { client, subscriptionId } = await insured(member);
      const res = await deliver(
        fake.stripe.event("invoice.payment_failed", fake.stripe.failInvoice(subscriptionId, { amount: 50000, legacy })),
      );
      expect(res.status).toBe(200);
      expect(await plan(client)).toMatchObject({ status: "past_due", covered: false });
      expect(await (await client.get("/insurance")).text()).toContain("Past due");
      // Escalating now goes to the card checkout: nothing is drawn from the paused coverage.
      const escalated = await client.post(`/api/v1/threads/${fake.world.thread.id}/escalations`, gate());
      expect(escalated.status).toBe(201);
      expect((await escalated.json()).checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.test\//);
      expect(await db.insuranceDraw.count({ where: { subscription: { userId: member.id } } })).toBe(0);

      const renewal = fake.stripe.payInvoice(subscriptionId, { amount: 50000, billingReason: "subscription_cycle" });
      expect((await deliver(fake.stripe.event("invoice.paid", renewal))).status).toBe(200);
      expect(await plan(client)).toMatchObject({ status: "active", covered: true, balanceCents: 20000 });
    }, 60_000);
  }
});

describe("Stripe Prices", () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await signIn(app.server, await makeUser({ role: "admin", trustLevel: 0 }), TEST_PASSWORD);
  });
  const tierFields = (slug: string, stripePriceId: string) => ({
    intent: "create",
    slug,
    name: `Tier ${slug}`,
    responseHours: "24",
    priceCents: "4900",
    currency: "usd",
    stripePriceId,
    position: "5",
    active: "",
  });

  it("refuses to save a tier whose Stripe Price says another amount, or is recurring; saves a matching one", async () => {
    const dearer = fake.stripe.createPrice({ unit_amount: 5900, currency: "usd" });
    const res = await form(admin, "/admin/tiers", tierFields("mismatch-1", dearer.id));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`Stripe Price ${dearer.id} is 59.00 USD; this tier says 49.00 USD.`);
    expect(await db.tier.count({ where: { slug: "mismatch-1" } })).toBe(0);

    const monthly = fake.stripe.createPrice({ unit_amount: 4900, currency: "usd", recurring: { interval: "month" } });
    expect((await form(admin, "/admin/tiers", tierFields("mismatch-2", monthly.id))).status).toBe(400);
    expect((await form(admin, "/admin/tiers", tierFields("match-1", "price_nosuchprice"))).status).toBe(400);

    const right = fake.stripe.createPrice({ unit_amount: 4900, currency: "usd" });
    expect((await form(admin, "/admin/tiers", tierFields("match-1", right.id))).status).toBe(200);
    expect(await db.tier.findUniqueOrThrow({ where: { slug: "match-1" } })).toMatchObject({ stripePriceId: right.id });
  }, 60_000);

  it("refuses a plan whose Stripe Price is not yearly", async () => {
    const monthly = fake.stripe.createPrice({ unit_amount: 50000, currency: "usd", recurring: { interval: "month" } });
    const res = await form(admin, "/admin/insurance", {
      intent: "create",
      name: "Monthly by mistake",
      priceCents: "50000",
      coverageCents: "20000",
      currency: "usd",
      stripePriceId: monthly.id,
      active: "on",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("yearly recurring Price");
  }, 60_000);

  it("never opens a checkout whose Stripe Price differs from the tier's price", async () => {
    // Saved unchecked (e.g. in test mode, before Stripe was configured).
    const dearer = fake.stripe.createPrice({ unit_amount: 5900, currency: "usd" });
    await db.tier.create({
      data: {
        slug: "drifted",
        name: "Drifted",
        responseHours: 24,
        priceCents: 4900,
        currency: "usd",
        stripePriceId: dearer.id,
        position: 9,
      },
    });
    const client = await signIn(app.server, await makeUser({ role: "member", trustLevel: 0 }), TEST_PASSWORD);
    const res = await client.post(`/api/v1/threads/${fake.world.thread.id}/escalations`, gate({ tier: "drifted" }));
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toContain(`Stripe Price ${dearer.id} is 59.00 USD; the tier says 49.00 USD.`);
    expect(fake.stripe.calls("POST", /^\/v1\/checkout\/sessions$/)).toHaveLength(0);
  }, 60_000);
});
