import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import type { PaymentEvent } from "~/services/payments/payments.server";
import { authorisationCanceled } from "~/models/payments/authorisation-canceled.server";
import { closeCheckout, fulfilCheckout, paymentIntentReady } from "~/models/payments/checkout-fulfilment.server";
import type { EventOutcome } from "~/models/payments/event-outcome";
import { disputeChanged, providerRefundsChanged } from "~/models/payments/refund-dispute-events.server";
import { honoursProvider } from "~/models/payments/test-money.server";
import { insuranceInvoicePaid, insuranceSubscriptionDeleted, subscriptionCheckoutCompleted } from "~/models/insurance/insurance.server";
import { insuranceInvoiceFailed, insuranceSubscriptionUpdated } from "~/models/insurance/renewal.server";

// The one fulfilment path (docs/product.md §4.5): a verified Stripe webhook and the
// test-mode checkout page both end here. Every event is recorded by id and
// applied once; every step is also idempotent by checkout session, backed by
// unique constraints (Escalation.checkoutSessionId, Ticket.escalationId).

export async function applyPaymentEvent(event: PaymentEvent, now = new Date()): Promise<EventOutcome> {
  const type = event.type === "ignored" ? event.sourceType : event.type;
  const inserted = await db.$executeRaw`
    insert into "WebhookEvent" ("id", "provider", "type", "receivedAt") values (${event.id}, ${event.provider}, ${type}, ${now})
    on conflict ("id") do nothing`;
  if (inserted === 0) {
    const seen = await db.webhookEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
    if (seen?.processedAt) return "duplicate";
    // Not yet processed: an earlier attempt failed, or a concurrent delivery is running. Applying again
    // is safe because every step below is idempotent by checkout session.
  }
  try {
    const outcome = honoursProvider(event.provider) ? await dispatch(event, now) : ignoreTestModeEvent(event);
    await db.webhookEvent.update({ where: { id: event.id }, data: { processedAt: new Date(), error: null } });
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.webhookEvent.update({ where: { id: event.id }, data: { error: message.slice(0, 500) } }).catch(() => undefined);
    throw error;
  }
}

function ignoreTestModeEvent(event: PaymentEvent): EventOutcome {
  logger.warn(`payment event ${event.id} (${event.type}) comes from the test mode; production applies none (docs/decisions/038)`);
  return "ignored";
}

function dispatch(event: PaymentEvent, now: Date): Promise<EventOutcome> {
  switch (event.type) {
    case "checkout.completed":
      return fulfilCheckout(event, now);
    case "payment_intent.ready":
      return paymentIntentReady(event, now);
    case "checkout.expired":
      return closeCheckout(event, "expired");
    case "checkout.declined":
      return closeCheckout(event, "declined");
    case "payment_intent.canceled":
      return authorisationCanceled(event, now);
    case "subscription.checkout.completed":
      return subscriptionCheckoutCompleted(event);
    case "invoice.paid":
      return insuranceInvoicePaid(event, now);
    case "subscription.deleted":
      return insuranceSubscriptionDeleted(event, now);
    case "subscription.updated":
      return insuranceSubscriptionUpdated(event);
    case "invoice.payment_failed":
      return insuranceInvoiceFailed(event);
    case "refunds.changed":
      return providerRefundsChanged(event, now);
    case "dispute.opened":
    case "dispute.updated":
    case "dispute.closed":
      return disputeChanged(event, now);
    case "ignored":
      return Promise.resolve("ignored");
  }
}
