import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { priceMismatch, type PriceExpectation } from "~/services/payments/stripe-prices.server";
import { subscriptionState } from "~/services/payments/stripe-subscriptions.server";

// The pure halves of the Stripe Price check and of reading a subscription (docs/decisions/037).

const price = (p: Partial<Stripe.Price>) =>
  ({ id: "price_1", active: true, unit_amount: 4900, currency: "usd", recurring: null, ...p }) as Stripe.Price;
const tier: PriceExpectation = { stripePriceId: "price_1", amountCents: 4900, currency: "usd", billing: "one_time", what: "this tier" };
const plan: PriceExpectation = { ...tier, amountCents: 50000, billing: "yearly", what: "this plan" };
const yearly = { interval: "year", interval_count: 1 } as Stripe.Price.Recurring;

describe("a Stripe Price against what Backline shows", () => {
  it("accepts the same amount and currency, one-time for a tier and yearly for a plan", () => {
    expect(priceMismatch(price({}), tier)).toBeNull();
    expect(priceMismatch(price({ unit_amount: 50000, recurring: yearly }), plan)).toBeNull();
  });

  it("names both amounts, in whole units of each currency", () => {
    expect(priceMismatch(price({ unit_amount: 5900 }), tier)).toBe("Stripe Price price_1 is 59.00 USD; this tier says 49.00 USD.");
    expect(priceMismatch(price({ unit_amount: 4900, currency: "eur" }), tier)).toBe(
      "Stripe Price price_1 is 49.00 EUR; this tier says 49.00 USD.",
    );
    const yen = { ...tier, amountCents: 4900, currency: "jpy" };
    expect(priceMismatch(price({ unit_amount: 5900, currency: "jpy" }), yen)).toBe(
      "Stripe Price price_1 is 5900 JPY; this tier says 4900 JPY.",
    );
  });

  it("refuses archived, amount-less, recurring-for-a-ticket and not-yearly-for-a-plan Prices", () => {
    expect(priceMismatch(price({ active: false }), tier)).toMatch(/archived/);
    expect(priceMismatch(price({ unit_amount: null }), tier)).toMatch(/no fixed amount/);
    expect(priceMismatch(price({ recurring: yearly }), tier)).toMatch(/one-time/);
    const twoYears = { interval: "year", interval_count: 2 } as Stripe.Price.Recurring;
    expect(priceMismatch(price({ unit_amount: 50000, recurring: twoYears }), plan)).toMatch(/once a year/);
    expect(priceMismatch(price({ unit_amount: 50000 }), plan)).toMatch(/once a year/);
  });
});

describe("a subscription in every API version's shape", () => {
  const sub = (s: Record<string, unknown>) =>
    ({
      id: "sub_1",
      status: "active",
      cancel_at_period_end: false,
      cancel_at: null,
      metadata: { insuranceId: "ins_1" },
      items: { data: [] },
      ...s,
    }) as unknown as Stripe.Subscription;

  it("reads the period end from the items (basil on) or the subscription (before)", () => {
    expect(subscriptionState(sub({ items: { data: [{ current_period_end: 1_800_000_000 }] } })).currentPeriodEnd).toEqual(
      new Date(1_800_000_000_000),
    );
    expect(subscriptionState(sub({ current_period_end: 1_700_000_000 })).currentPeriodEnd).toEqual(new Date(1_700_000_000_000));
  });

  it("takes an earlier cancel_at as the end, without renewal", () => {
    const state = subscriptionState(sub({ cancel_at: 1_750_000_000, items: { data: [{ current_period_end: 1_800_000_000 }] } }));
    expect(state).toMatchObject({ cancelAtPeriodEnd: true, currentPeriodEnd: new Date(1_750_000_000_000), insuranceId: "ins_1" });
  });
});
