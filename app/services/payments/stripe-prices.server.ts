import Stripe from "stripe";
import { PaymentProviderError } from "./types";

// A tier or plan linked to a Stripe Price is charged that Price, so the Price must say
// what Backline shows (docs/decisions/037): same amount, same currency, a one-time
// price for a ticket, a yearly one for a plan. Checked when the admin saves and again
// before every checkout, because a Price can be edited in Stripe at any time.

export type PriceExpectation = {
  stripePriceId: string;
  amountCents: number;
  currency: string;
  billing: "one_time" | "yearly";
  /** "this tier", "this plan": how the message names what the admin edited. */
  what: string;
};

function show(amount: number, currency: string) {
  // Stripe keeps amounts in the smallest unit; ISO says how many decimals that is (none for JPY).
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency.toUpperCase()}`;
}

/** Why the Price does not fit, in words an admin can act on; null when it does. */
export function priceMismatch(price: Stripe.Price, expected: PriceExpectation): string | null {
  const id = expected.stripePriceId;
  if (!price.active) return `Stripe Price ${id} is archived; choose an active Price.`;
  if (price.unit_amount === null) return `Stripe Price ${id} has no fixed amount; ${expected.what} needs one.`;
  if (price.unit_amount !== expected.amountCents || price.currency !== expected.currency) {
    return `Stripe Price ${id} is ${show(price.unit_amount, price.currency)}; ${expected.what} says ${show(expected.amountCents, expected.currency)}.`;
  }
  if (expected.billing === "one_time" && price.recurring) {
    return `Stripe Price ${id} is recurring; a support ticket needs a one-time Price.`;
  }
  if (expected.billing === "yearly" && (price.recurring?.interval !== "year" || price.recurring.interval_count !== 1)) {
    return `Stripe Price ${id} is not billed once a year; a support insurance plan needs a yearly recurring Price.`;
  }
  return null;
}

/**
 * Retrieves the Price and throws a non-retryable PaymentProviderError (code
 * price_mismatch) when it does not fit. A Price Stripe does not know is a mismatch
 * too; an unreachable Stripe is a retryable error.
 */
export async function assertPriceMatches(stripe: Stripe, expected: PriceExpectation) {
  let price: Stripe.Price;
  try {
    price = await stripe.prices.retrieve(expected.stripePriceId);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing") {
      throw new PaymentProviderError(`Stripe has no Price ${expected.stripePriceId} (in this account and mode).`, "price_mismatch", false);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new PaymentProviderError(`Stripe: the Price could not be checked (${message})`, "price_unchecked", true);
  }
  const mismatch = priceMismatch(price, expected);
  if (mismatch) throw new PaymentProviderError(mismatch, "price_mismatch", false);
}
