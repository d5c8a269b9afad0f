import { describe, expect, it } from "vitest";
import type { Client } from "../helpers/http";
import { makeUser, type TestUser } from "../helpers/factories";
import { buyPlan, deliverEvent, useInsuranceApp } from "../helpers/insurance-app";

// Issue 14 §1: webhook payloads use the API version of the webhook endpoint, so
// an invoice.paid arrives in the shape of whatever version the maintainer set.
// Every shape must start the coverage; a Backline invoice we cannot apply must
// never be answered 200 (Stripe would stop retrying with the member charged).

const app = useInsuranceApp();
const fake = app.fake;
const deliver = (event: object) => deliverEvent(app, event);

/** A member buys a plan and Stripe bills it; returns the invoice as the basil API version sends it. */
async function boughtPlan(member: TestUser) {
  const { client, sub, subscriptionId } = await buyPlan(app, member);
  const invoice = fake.stripe.payInvoice(subscriptionId, { amount: 50000, legacy: true });
  return { client, sub, invoice, subscriptionId };
}

/** The same invoice as API versions before 2025-03-31.basil sent it (e.g. 2024-06-20). */
function preBasil(invoice: ReturnType<typeof fake.stripe.payInvoice>, subscription: unknown) {
  const { parent, lines, ...rest } = invoice as Record<string, unknown> & {
    parent: { subscription_details: { metadata: object } };
    lines: { data: Array<Record<string, unknown>> };
  };
  return {
    ...rest,
    subscription,
    subscription_details: { metadata: parent.subscription_details.metadata },
    lines: { ...lines, data: lines.data.map((l) => ({ ...l, subscription: typeof subscription === "string" ? subscription : null })) },
  };
}

async function expectActive(client: Client) {
  const status = await (await client.get("/api/v1/insurance")).json();
  expect(status.subscription).toMatchObject({ status: "active", balanceCents: 20000 });
}

describe("invoice.paid in every API version's shape", () => {
  it("activates the plan from a pre-basil invoice (top-level subscription id)", async () => {
    const { client, invoice, subscriptionId } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    const res = await deliver(fake.stripe.event("invoice.paid", preBasil(invoice, subscriptionId)));
    expect(res.status).toBe(200);
    expect((await res.json()).outcome).toBe("applied");
    await expectActive(client);
  }, 60_000);

  it("activates the plan from a pre-basil invoice with the subscription expanded", async () => {
    const { client, invoice, subscriptionId } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    const expanded = { id: subscriptionId, object: "subscription", metadata: {} };
    const res = await deliver(fake.stripe.event("invoice.paid", preBasil(invoice, expanded)));
    expect(res.status).toBe(200);
    await expectActive(client);
  }, 60_000);

  it("activates the plan from a basil invoice whose subscription is only on its lines", async () => {
    const { client, invoice, subscriptionId } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    const { parent: _, lines, ...rest } = invoice as Record<string, unknown> & { lines: { data: Array<Record<string, unknown>> } };
    const onLines = {
      ...rest,
      parent: null,
      lines: {
        ...lines,
        data: lines.data.map((l) => ({
          ...l,
          parent: { type: "subscription_item_details", subscription_item_details: { subscription: subscriptionId } },
        })),
      },
    };
    expect((await deliver(fake.stripe.event("invoice.paid", onLines))).status).toBe(200);
    await expectActive(client);
  }, 60_000);

  it("still activates the plan from the basil shape", async () => {
    const { client, invoice } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    expect((await deliver(fake.stripe.event("invoice.paid", invoice))).status).toBe(200);
    await expectActive(client);
  }, 60_000);

  it("answers non-2xx and logs a Backline invoice whose plan cannot be found, so Stripe retries", async () => {
    const { invoice } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    const lost = preBasil(invoice, "sub_never_recorded");
    (lost.subscription_details.metadata as Record<string, string>).insuranceId = "ins_does_not_exist";
    const event = fake.stripe.event("invoice.paid", lost);
    const res = await deliver(event);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(app.server.output()).toContain(event.id);
    expect(app.server.output()).toMatch(/ins_does_not_exist/);
  }, 60_000);

  it("ignores with 200 an invoice of a subscription that Backline never created", async () => {
    const { invoice } = await boughtPlan(await makeUser({ role: "member", trustLevel: 0 }));
    const foreign = preBasil(invoice, "sub_from_another_product");
    foreign.subscription_details = { metadata: {} };
    const res = await deliver(fake.stripe.event("invoice.paid", foreign));
    expect(res.status).toBe(200);
    expect((await res.json()).outcome).toBe("ignored");
  }, 60_000);
});

describe("customer.subscription.deleted", () => {
  it("answers non-2xx for a Backline plan that cannot be found and 200 for a foreign subscription", async () => {
    const lost = { id: "sub_never_recorded_2", object: "subscription", status: "canceled", metadata: { insuranceId: "ins_gone_missing" } };
    const event = fake.stripe.event("customer.subscription.deleted", lost);
    expect((await deliver(event)).status).toBeGreaterThanOrEqual(400);
    expect(app.server.output()).toContain(event.id);
    const foreign = { id: "sub_other_product", object: "subscription", status: "canceled", metadata: {} };
    const res = await deliver(fake.stripe.event("customer.subscription.deleted", foreign));
    expect(res.status).toBe(200);
    expect((await res.json()).outcome).toBe("ignored");
  }, 60_000);
});
