import { getEnv } from "~/env.server";
import { PaymentProviderError } from "~/services/payments/types";
import { assertPriceMatches, type PriceExpectation } from "~/services/payments/stripe-prices.server";
import { stripeClient } from "~/services/payments/stripe-client.server";
import { AppError, badRequest, conflict } from "~/utils/errors";

// A tier or plan linked to a Stripe Price (docs/decisions/037): saved only if the
// Price says what Backline shows, and a checkout whose Price no longer does is
// never opened. Without Stripe keys (test mode) there is no Stripe to ask: the id
// is kept but not checked, the admin pages say so, and the check happens at the
// first checkout once Stripe is configured.

type Linked = { stripePriceId: string | null; priceCents: number; currency: string };

export const stripePricesChecked = () => getEnv().paymentsMode === "stripe";

/** On save: 400 on the Stripe Price field when it does not match, 502 when Stripe cannot be asked. */
export async function linkedPriceCheck(item: Linked, billing: PriceExpectation["billing"], what: string) {
  if (!item.stripePriceId || !stripePricesChecked()) return;
  try {
    await assertPriceMatches(stripeClient(), {
      stripePriceId: item.stripePriceId,
      amountCents: item.priceCents,
      currency: item.currency,
      billing,
      what,
    });
  } catch (error) {
    if (error instanceof PaymentProviderError && !error.retryable) throw badRequest(error.message, { stripePriceId: error.message });
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw new AppError(502, "payment_provider_error", `The Stripe Price could not be checked${reason}. Nothing was saved; try again.`);
  }
}

/** At checkout: a Price that no longer matches refuses the payment (409) instead of charging another amount. */
export function checkoutPriceRefusal(error: unknown): AppError | null {
  if (!(error instanceof PaymentProviderError) || error.code !== "price_mismatch") return null;
  return conflict(
    `This cannot be paid for right now: the price at Stripe differs from the price shown here (${error.message}) Nothing was charged; please tell the forum's admin.`,
  );
}
