import Stripe from "stripe";
import { getEnv } from "~/env.server";
import {
  PaymentProviderError,
  WebhookSignatureError,
  type CheckoutRequest,
  type CheckoutSessionInfo,
  type PaymentEvent,
  type PaymentIntentInfo,
  type PaymentProvider,
  type ProviderRefund,
  type SubscriptionCheckoutRequest,
} from "./types";
import { assertPriceMatches } from "./stripe-prices.server";
import { subscriptionState } from "./stripe-subscriptions.server";

// Stripe Checkout in payment mode with manual capture (docs/decisions/005): the
// card is only authorised at checkout; accepting the ticket captures it.

let cached: { key: string; client: Stripe } | undefined;

/** The SDK, pointed at STRIPE_API_URL (a local Stripe-compatible server) when set. */
export function stripeClient(): Stripe {
  const env = getEnv();
  if (!env.STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set: Stripe payments are not configured.");
  const cacheKey = `${env.STRIPE_SECRET_KEY}|${env.STRIPE_API_URL ?? ""}`;
  if (cached?.key === cacheKey) return cached.client;
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Backline" },
  };
  if (env.STRIPE_API_URL) {
    const url = new URL(env.STRIPE_API_URL);
    const protocol = url.protocol === "http:" ? "http" : "https";
    config.host = url.hostname;
    config.port = url.port || (protocol === "http" ? 80 : 443);
    config.protocol = protocol;
  }
  cached = { key: cacheKey, client: new Stripe(env.STRIPE_SECRET_KEY, config) };
  return cached.client;
}

function toInfo(pi: Stripe.PaymentIntent): PaymentIntentInfo {
  // Checkout creates the PaymentIntent when the member confirms, so its `created` is the authorisation
  // unless the charge itself was expanded.
  const charge = typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  const authorisedAt = new Date((charge?.created ?? pi.created) * 1000);
  // Stripe releases an uncaptured card authorisation after about 7 days; the charge says exactly when.
  const captureBeforeS = charge?.payment_method_details?.card?.capture_before;
  const captureBefore = captureBeforeS ? new Date(captureBeforeS * 1000) : null;
  return { id: pi.id, status: pi.status, amount: pi.amount, currency: pi.currency, metadata: { ...(pi.metadata ?? {}) }, authorisedAt, captureBefore };
}

/** Stripe's errors, sorted into "try again later" and "this will not work". */
function providerError(error: unknown): PaymentProviderError {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode ?? 0;
    const retryable =
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      status === 409 ||
      status >= 500;
    return new PaymentProviderError(`Stripe: ${error.message}`, error.code ?? error.type, retryable);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError(`Stripe: ${message}`, undefined, true);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw providerError(error);
  }
}

/** The exact Checkout Session parameters; exported so the provider tests can read them as a spec. */
export function checkoutSessionParams(req: CheckoutRequest): Stripe.Checkout.SessionCreateParams {
  const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = req.stripePriceId
    ? { price: req.stripePriceId, quantity: 1 }
    : {
        price_data: {
          currency: req.currency,
          unit_amount: req.amountCents,
          product_data: { name: req.productName, description: req.productDescription },
        },
        quantity: 1,
      };
  return {
    mode: "payment",
    line_items: [lineItem],
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
  const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = req.stripePriceId
    ? { price: req.stripePriceId, quantity: 1 }
    : {
        price_data: {
          currency: req.currency,
          unit_amount: req.amountCents,
          recurring: { interval: "year" },
          product_data: { name: req.planName },
        },
        quantity: 1,
      };
  return {
    mode: "subscription",
    line_items: [lineItem],
    client_reference_id: req.insuranceId,
    metadata: { insuranceId: req.insuranceId },
    // Copied onto every invoice (parent.subscription_details.metadata), so a renewal finds its plan.
    subscription_data: { metadata: { insuranceId: req.insuranceId } },
    customer_email: req.customerEmail,
    success_url: req.successUrl,
    cancel_url: req.cancelUrl,
  };
}

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === "string" ? v : (v?.id ?? null));

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
        ...base, type: "invoice.payment_failed", invoiceId: invoice.id!, subscriptionId,
        insuranceId: metadata?.insuranceId ?? null, occurredAt: new Date(event.created * 1000),
      };
    }
    case "customer.subscription.updated": {
      const sub = event.data.object;
      return { ...base, type: "subscription.updated", subscriptionId: sub.id, ...subscriptionState(sub), occurredAt: new Date(event.created * 1000) };
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

type Ref = string | { id: string; metadata?: Stripe.Metadata | null } | null | undefined;
type LegacyInvoice = {
  subscription?: Ref;
  subscription_details?: { metadata?: Stripe.Metadata | null } | null;
  lines?: { data?: Array<{ subscription?: Ref; period?: { end?: number } | null; parent?: { subscription_item_details?: { subscription?: string | null } | null } | null }> };
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
  const expanded = [details?.subscription, legacy.subscription].find((r): r is { id: string; metadata?: Stripe.Metadata | null } => typeof r === "object" && !!r);
  const metadata = [details?.metadata, legacy.subscription_details?.metadata, expanded?.metadata].find((m) => m && Object.keys(m).length > 0) ?? null;
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
async function paymentIntentOfInvoice(invoiceId: string): Promise<string | null> {
  const stripe = stripeClient();
  try {
    return invoicePaymentIntent(await stripe.invoices.retrieve(invoiceId, { expand: ["payments"] }));
  } catch (error) {
    // Before basil there is no `payments` to expand (400): the invoice names its PaymentIntent itself.
    if (!(error instanceof Stripe.errors.StripeInvalidRequestError) || error.code === "resource_missing") throw providerError(error);
    return invoicePaymentIntent(await call(() => stripe.invoices.retrieve(invoiceId)));
  }
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
    const type = event.type === "charge.dispute.created" ? "dispute.opened" : event.type === "charge.dispute.closed" ? "dispute.closed" : "dispute.updated";
    return { ...base, type, paymentIntentId, disputeId: dispute.id, status: dispute.status, amountCents: dispute.amount, currency: dispute.currency };
  }
  return { ...base, type: "refunds.changed", paymentIntentId };
}

const toRefund = (r: Stripe.Refund): ProviderRefund => ({
  id: r.id,
  amountCents: r.amount,
  status: r.status ?? "pending",
  refundId: r.metadata?.refundId ?? null,
});

export function stripeProvider(): PaymentProvider {
  const stripe = stripeClient();
  return {
    name: "stripe",
    async createCheckout(req) {
      // Never a checkout whose Price charges something else than what the member was shown.
      if (req.stripePriceId) {
        await assertPriceMatches(stripe, { stripePriceId: req.stripePriceId, amountCents: req.amountCents, currency: req.currency, billing: "one_time", what: "the tier" });
      }
      const session = await call(() =>
        stripe.checkout.sessions.create(checkoutSessionParams(req), { idempotencyKey: `checkout-${req.escalationId}` }),
      );
      if (!session.url) throw new PaymentProviderError("Stripe returned a Checkout Session without a URL.", undefined, true);
      return { sessionId: session.id, url: session.url };
    },
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
    async createSubscriptionCheckout(req) {
      // Never a checkout whose Price charges something else than what the member was shown.
      if (req.stripePriceId) {
        await assertPriceMatches(stripe, { stripePriceId: req.stripePriceId, amountCents: req.amountCents, currency: req.currency, billing: "yearly", what: "the plan" });
      }
      const session = await call(() =>
        stripe.checkout.sessions.create(subscriptionCheckoutParams(req), { idempotencyKey: `insurance-checkout-${req.insuranceId}` }),
      );
      if (!session.url) throw new PaymentProviderError("Stripe returned a Checkout Session without a URL.", undefined, true);
      return { sessionId: session.id, url: session.url };
    },
    async cancelSubscription(id) {
      await call(() => stripe.subscriptions.cancel(id));
    },
    async setRenewal(id, renew) {
      await call(() => stripe.subscriptions.update(id, { cancel_at_period_end: !renew }));
    },
    async refundInvoice(req, opts) {
      const paymentIntent = req.paymentIntentId ?? (await paymentIntentOfInvoice(req.invoiceId));
      if (!paymentIntent) throw new PaymentProviderError(`Stripe: invoice ${req.invoiceId} has no paid PaymentIntent to refund.`, "no_payment", true);
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
