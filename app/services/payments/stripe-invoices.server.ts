import Stripe from "stripe";
import { call, idOf, providerError, stripeClient } from "./stripe-client.server";

// Stripe invoices as webhooks and the API send them, in every API version's shape.

type Ref = string | { id: string; metadata?: Stripe.Metadata | null } | null | undefined;
type LegacyInvoice = {
  subscription?: Ref;
  subscription_details?: { metadata?: Stripe.Metadata | null } | null;
  lines?: {
    data?: Array<{
      subscription?: Ref;
      period?: { end?: number } | null;
      parent?: { subscription_item_details?: { subscription?: string | null } | null } | null;
    }>;
  };
};

/**
 * The subscription an invoice bills, its metadata and the end of the period it pays for.
 * Webhooks use the API version of their endpoint, so every shape Stripe has sent is read:
 * 2025-03-31.basil on `parent.subscription_details`, before it `subscription` and
 * `subscription_details` on the invoice itself, and the line items in both.
 */
export function invoiceSubscription(invoice: Stripe.Invoice) {
  const legacy = invoice as unknown as LegacyInvoice;
  const details = invoice.parent?.subscription_details ?? null;
  const lines = legacy.lines?.data ?? [];
  const refOf = (r: Ref) => (typeof r === "string" ? r : (r?.id ?? null));
  const subscriptionId =
    refOf(details?.subscription as Ref) ??
    refOf(legacy.subscription) ??
    lines.map((l) => l.parent?.subscription_item_details?.subscription ?? refOf(l.subscription)).find(Boolean) ??
    null;
  const expanded = [details?.subscription, legacy.subscription].find(
    (r): r is { id: string; metadata?: Stripe.Metadata | null } => typeof r === "object" && !!r,
  );
  const metadata =
    [details?.metadata, legacy.subscription_details?.metadata, expanded?.metadata].find((m) => m && Object.keys(m).length > 0) ?? null;
  // The line's period is the subscription's (an invoice's own period_end is when it was drafted).
  const periodEnd = lines.map((l) => l.period?.end).find((e): e is number => typeof e === "number") ?? null;
  return { subscriptionId, metadata, periodEnd };
}

/**
 * The PaymentIntent that paid an invoice. From API version 2025-03-31.basil on, an invoice's
 * payments are listed in `payments` (includable: retrieve with expand[]=payments), each
 * `payment.payment_intent`; older versions carry a single `payment_intent` on the invoice.
 */
export function invoicePaymentIntent(invoice: Stripe.Invoice): string | null {
  const paid = invoice.payments?.data?.find((p) => p.status === "paid" && p.payment?.type === "payment_intent");
  const fromPayments = idOf(paid?.payment?.payment_intent);
  if (fromPayments) return fromPayments;
  const legacy = (invoice as unknown as { payment_intent?: string | { id: string } | null }).payment_intent;
  return idOf(legacy);
}

/** Asks Stripe which PaymentIntent paid an invoice, in whichever shape the account's API version answers. */
export async function paymentIntentOfInvoice(invoiceId: string): Promise<string | null> {
  const stripe = stripeClient();
  try {
    return invoicePaymentIntent(await stripe.invoices.retrieve(invoiceId, { expand: ["payments"] }));
  } catch (error) {
    // Before basil there is no `payments` to expand (400): the invoice names its PaymentIntent itself.
    if (!(error instanceof Stripe.errors.StripeInvalidRequestError) || error.code === "resource_missing") throw providerError(error);
    return invoicePaymentIntent(await call(() => stripe.invoices.retrieve(invoiceId)));
  }
}
