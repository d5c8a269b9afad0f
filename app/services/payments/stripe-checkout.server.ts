import type Stripe from "stripe";
import type { CheckoutRequest, SubscriptionCheckoutRequest } from "./types";

// The Checkout Sessions Backline asks Stripe for: a support ticket (payment mode, manual capture)
// and a yearly insurance plan (subscription mode).

type Priced = { stripePriceId: string | null; amountCents: number; currency: string };

/**
 * What the member pays for: the Stripe Price the tier or plan is linked to, else the amount shown to
 * the member (assertPriceMatches has checked that a linked Price charges the same).
 */
function lineItem(
  req: Priced,
  product: { name: string; description?: string },
  recurring?: { interval: "year" },
): Stripe.Checkout.SessionCreateParams.LineItem {
  if (req.stripePriceId) return { price: req.stripePriceId, quantity: 1 };
  return {
    price_data: { currency: req.currency, unit_amount: req.amountCents, ...(recurring && { recurring }), product_data: product },
    quantity: 1,
  };
}

/** The exact Checkout Session parameters; exported so the provider tests can read them as a spec. */
export function checkoutSessionParams(req: CheckoutRequest): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [lineItem(req, { name: req.productName, description: req.productDescription })],
    // Authorise only: the money moves when the maintainer accepts the ticket.
    payment_intent_data: {
      capture_method: "manual",
      metadata: { escalationId: req.escalationId },
      description: req.productName,
    },
    client_reference_id: req.escalationId,
    metadata: { escalationId: req.escalationId },
    customer_email: req.customerEmail,
    success_url: req.successUrl,
    cancel_url: req.cancelUrl,
  };
}

/** Support insurance: Checkout in subscription mode for a yearly plan (docs/decisions/016). */
export function subscriptionCheckoutParams(req: SubscriptionCheckoutRequest): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "subscription",
    line_items: [lineItem(req, { name: req.planName }, { interval: "year" })],
    client_reference_id: req.insuranceId,
    metadata: { insuranceId: req.insuranceId },
    // Copied onto every invoice (parent.subscription_details.metadata), so a renewal finds its plan.
    subscription_data: { metadata: { insuranceId: req.insuranceId } },
    customer_email: req.customerEmail,
    success_url: req.successUrl,
    cancel_url: req.cancelUrl,
  };
}
