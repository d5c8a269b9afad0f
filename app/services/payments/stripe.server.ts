import Stripe from "stripe";
import { getEnv } from "~/env.server";
import {
  PaymentProviderError,
  WebhookSignatureError,
  type CheckoutSessionInfo,
  type PaymentEvent,
  type PaymentIntentInfo,
  type PaymentProvider,
  type ProviderDispute,
  type ProviderRefund,
} from "./types";
import { checkoutSessionParams, subscriptionCheckoutParams } from "./stripe-checkout.server";
import { call, idOf, providerError, stripeClient } from "./stripe-client.server";
import { invoicePaymentIntent, invoiceSubscription, paymentIntentOfInvoice } from "./stripe-invoices.server";
import { assertPriceMatches, type PriceExpectation } from "./stripe-prices.server";
import { subscriptionState } from "./stripe-subscriptions.server";

// Stripe Checkout in payment mode with manual capture (docs/decisions/005): the
// card is only authorised at checkout; accepting the ticket captures it.
// This file holds the provider and the webhook parser; the SDK client, the
// Checkout parameters and invoice reading sit beside it in stripe-*.server.ts.

function toInfo(pi: Stripe.PaymentIntent): PaymentIntentInfo {
  // Checkout creates the PaymentIntent when the member confirms, so its `created` is the authorisation
  // unless the charge itself was expanded.
  const charge = typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  const authorisedAt = new Date((charge?.created ?? pi.created) * 1000);
  // Stripe releases an uncaptured card authorisation after about 7 days; the charge says exactly when.
  const captureBeforeS = charge?.payment_method_details?.card?.capture_before;
  const captureBefore = captureBeforeS ? new Date(captureBeforeS * 1000) : null;
  return {
    id: pi.id,
    status: pi.status,
    amount: pi.amount,
    currency: pi.currency,
    metadata: { ...(pi.metadata ?? {}) },
    authorisedAt,
    captureBefore,
  };
}

const escalationIdOf = (o: { metadata?: Stripe.Metadata | null; client_reference_id?: string | null }) =>
  o.metadata?.escalationId ?? o.client_reference_id ?? null;

/** Verifies a webhook on its raw bytes and turns it into a PaymentEvent. */
export function parseStripeWebhook(rawBody: Buffer | string, signature: string | null): PaymentEvent {
  const secret = getEnv().STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new Error("STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks cannot be verified.");
  if (!signature) throw new WebhookSignatureError("Missing Stripe-Signature header.");
  let event: Stripe.Event;
  try {
    event = stripeClient().webhooks.constructEvent(rawBody, signature, secret);
  } catch (error) {
    throw new WebhookSignatureError(error instanceof Error ? error.message : "Invalid signature.");
  }
  const base = { id: event.id, provider: "stripe" as const };
  switch (event.type) {
    case "checkout.session.completed": {
      const s = event.data.object;
      if (s.mode === "subscription") {
        return {
          ...base,
          type: "subscription.checkout.completed",
          sessionId: s.id,
          subscriptionId: idOf(s.subscription),
          insuranceId: s.metadata?.insuranceId ?? s.client_reference_id ?? null,
        };
      }
      if (s.mode !== "payment") return { ...base, type: "ignored", sourceType: event.type };
      const pi = typeof s.payment_intent === "string" ? s.payment_intent : (s.payment_intent?.id ?? null);
      const occurredAt = new Date(event.created * 1000);
      return { ...base, type: "checkout.completed", sessionId: s.id, paymentIntentId: pi, escalationId: escalationIdOf(s), occurredAt };
    }
    case "payment_intent.amount_capturable_updated":
    case "payment_intent.succeeded": {
      const pi = event.data.object;
      const escalationId = pi.metadata?.escalationId ?? null;
      // Only a support checkout's PaymentIntent is ours; insurance invoices are paid through invoice.paid.
      if (!escalationId) return { ...base, type: "ignored", sourceType: event.type };
      return { ...base, type: "payment_intent.ready", paymentIntentId: pi.id, escalationId, occurredAt: new Date(event.created * 1000) };
    }
    case "checkout.session.expired": {
      const s = event.data.object;
      return { ...base, type: "checkout.expired", sessionId: s.id, escalationId: escalationIdOf(s) };
    }
    case "payment_intent.canceled": {
      const pi = event.data.object;
      return { ...base, type: "payment_intent.canceled", paymentIntentId: pi.id, escalationId: pi.metadata?.escalationId ?? null };
    }
    case "invoice.paid": {
      const invoice = event.data.object;
      const { subscriptionId, metadata, periodEnd } = invoiceSubscription(invoice);
      // Not a subscription invoice (a one-off invoice): nothing of ours.
      if (!subscriptionId && !metadata?.insuranceId) return { ...base, type: "ignored", sourceType: event.type };
      return {
        ...base,
        type: "invoice.paid",
        invoiceId: invoice.id!,
        subscriptionId,
        insuranceId: metadata?.insuranceId ?? null,
        amountPaid: invoice.amount_paid,
        paymentIntentId: invoicePaymentIntent(invoice),
        periodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
        billingReason: invoice.billing_reason ?? null,
        occurredAt: new Date(event.created * 1000),
      };
    }
    case "invoice.payment_failed": {
      const invoice = event.data.object;
      const { subscriptionId, metadata } = invoiceSubscription(invoice);
      if (!subscriptionId && !metadata?.insuranceId) return { ...base, type: "ignored", sourceType: event.type };
      return {
        ...base,
        type: "invoice.payment_failed",
        invoiceId: invoice.id!,
        subscriptionId,
        insuranceId: metadata?.insuranceId ?? null,
        occurredAt: new Date(event.created * 1000),
      };
    }
    case "customer.subscription.updated": {
      const sub = event.data.object;
      return {
        ...base,
        type: "subscription.updated",
        subscriptionId: sub.id,
        ...subscriptionState(sub),
        occurredAt: new Date(event.created * 1000),
      };
    }
    case "customer.subscription.deleted": {
      const sub = event.data.object;
      return { ...base, type: "subscription.deleted", subscriptionId: sub.id, insuranceId: sub.metadata?.insuranceId ?? null };
    }
    case "charge.refunded":
    case "refund.created":
    case "refund.updated":
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
      return refundOrDisputeEvent(base, event);
    default:
      return { ...base, type: "ignored", sourceType: event.type };
  }
}

function checkoutSessionInfo(s: Stripe.Checkout.Session): CheckoutSessionInfo {
  const pi = typeof s.payment_intent === "object" ? s.payment_intent : null;
  return {
    id: s.id,
    status: s.status ?? "open",
    paymentIntentId: idOf(s.payment_intent),
    escalationId: escalationIdOf(s),
    occurredAt: pi ? new Date(pi.created * 1000) : null,
  };
}

/**
 * Refunds and chargebacks. A charge no longer lists its refunds in webhooks (API 2022-11-15 on),
 * so the event only names the PaymentIntent; what was refunded is read back from Stripe.
 */
function refundOrDisputeEvent(base: { id: string; provider: "stripe" }, event: Stripe.Event): PaymentEvent {
  const object = event.data.object as unknown as { payment_intent?: string | { id: string } | null };
  const paymentIntentId = idOf(object.payment_intent);
  if (!paymentIntentId) return { ...base, type: "ignored", sourceType: event.type };
  if (event.type.startsWith("charge.dispute.")) {
    const dispute = event.data.object as Stripe.Dispute;
    const type =
      event.type === "charge.dispute.created"
        ? "dispute.opened"
        : event.type === "charge.dispute.closed"
          ? "dispute.closed"
          : "dispute.updated";
    return {
      ...base,
      type,
      paymentIntentId,
      disputeId: dispute.id,
      status: dispute.status,
      amountCents: dispute.amount,
      currency: dispute.currency,
    };
  }
  return { ...base, type: "refunds.changed", paymentIntentId };
}

const toRefund = (r: Stripe.Refund): ProviderRefund => ({
  id: r.id,
  amountCents: r.amount,
  status: r.status ?? "pending",
  refundId: r.metadata?.refundId ?? null,
});

/** Opens a Checkout Session, never one whose linked Price charges something else than what the member was shown. */
async function openCheckout(
  stripe: Stripe,
  shown: Omit<PriceExpectation, "stripePriceId"> & { stripePriceId?: string | null },
  params: Stripe.Checkout.SessionCreateParams,
  idempotencyKey: string,
) {
  if (shown.stripePriceId) await assertPriceMatches(stripe, { ...shown, stripePriceId: shown.stripePriceId });
  const session = await call(() => stripe.checkout.sessions.create(params, { idempotencyKey }));
  if (!session.url) throw new PaymentProviderError("Stripe returned a Checkout Session without a URL.", undefined, true);
  return { sessionId: session.id, url: session.url };
}

export function stripeProvider(): PaymentProvider {
  const stripe = stripeClient();
  return {
    name: "stripe",
    createCheckout: (req) =>
      openCheckout(stripe, { ...req, billing: "one_time", what: "the tier" }, checkoutSessionParams(req), `checkout-${req.escalationId}`),
    async expireCheckout(id) {
      try {
        await stripe.checkout.sessions.expire(id);
        return "expired";
      } catch (error) {
        // Stripe refuses to expire a session that is no longer open (400); its status says why.
        const session = await call(() => stripe.checkout.sessions.retrieve(id)).catch(() => null);
        if (session?.status === "complete") return "complete";
        if (session?.status === "expired") return "expired";
        throw providerError(error);
      }
    },
    createSubscriptionCheckout: (req) =>
      openCheckout(
        stripe,
        { ...req, billing: "yearly", what: "the plan" },
        subscriptionCheckoutParams(req),
        `insurance-checkout-${req.insuranceId}`,
      ),
    async cancelSubscription(id) {
      await call(() => stripe.subscriptions.cancel(id));
    },
    async setRenewal(id, renew) {
      await call(() => stripe.subscriptions.update(id, { cancel_at_period_end: !renew }));
    },
    async refundInvoice(req, opts) {
      const paymentIntent = req.paymentIntentId ?? (await paymentIntentOfInvoice(req.invoiceId));
      if (!paymentIntent)
        throw new PaymentProviderError(`Stripe: invoice ${req.invoiceId} has no paid PaymentIntent to refund.`, "no_payment", true);
      try {
        await stripe.refunds.create(
          { payment_intent: paymentIntent, reason: "duplicate", metadata: { insuranceId: req.insuranceId, invoiceId: req.invoiceId } },
          { idempotencyKey: opts.idempotencyKey },
        );
      } catch (error) {
        // An earlier attempt whose answer was lost already gave the money back.
        if (error instanceof Stripe.errors.StripeError && error.code === "charge_already_refunded") return;
        throw providerError(error);
      }
    },
    async refundPayment(req, opts) {
      const refund = await call(() =>
        stripe.refunds.create(
          { payment_intent: req.paymentIntentId, amount: req.amountCents, metadata: { refundId: req.refundId, ticketId: req.ticketId } },
          { idempotencyKey: opts.idempotencyKey },
        ),
      );
      return toRefund(refund);
    },
    async listRefunds(paymentIntentId) {
      const out: ProviderRefund[] = [];
      try {
        for await (const r of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) out.push(toRefund(r));
      } catch (error) {
        throw providerError(error);
      }
      return out;
    },
    async listDisputes(paymentIntentId) {
      const out: ProviderDispute[] = [];
      try {
        for await (const d of stripe.disputes.list({ payment_intent: paymentIntentId, limit: 100 })) {
          out.push({ id: d.id, status: d.status, amountCents: d.amount, currency: d.currency, created: new Date(d.created * 1000) });
        }
      } catch (error) {
        throw providerError(error);
      }
      return out;
    },
    async listSubscriptionInvoices(subscriptionId) {
      const out: { id: string; status: string; amountPaid: number }[] = [];
      try {
        for await (const inv of stripe.invoices.list({ subscription: subscriptionId, limit: 100 })) {
          out.push({ id: inv.id!, status: inv.status ?? "draft", amountPaid: inv.amount_paid });
        }
      } catch (error) {
        throw providerError(error);
      }
      return out;
    },
    async retrievePaymentIntent(id) {
      return toInfo(await call(() => stripe.paymentIntents.retrieve(id, { expand: ["latest_charge"] })));
    },
    async retrieveCheckoutSession(id) {
      return checkoutSessionInfo(await call(() => stripe.checkout.sessions.retrieve(id, { expand: ["payment_intent"] })));
    },
    async capture(id, opts) {
      return toInfo(await call(() => stripe.paymentIntents.capture(id, {}, { idempotencyKey: opts.idempotencyKey })));
    },
    async cancel(id, opts) {
      return toInfo(await call(() => stripe.paymentIntents.cancel(id, {}, { idempotencyKey: opts.idempotencyKey })));
    },
  };
}
