// The payment port (docs/decisions/005, 014): what the escalation flow needs
// from a payment provider, with Stripe and the local test mode behind it.
export type ProviderName = "stripe" | "test" | "insurance";

export type CheckoutRequest = {
  escalationId: string;
  amountCents: number;
  currency: string;
  // When the admin set a Stripe Price on the tier, Checkout charges that Price.
  stripePriceId: string | null;
  productName: string;
  productDescription: string;
  customerEmail: string;
  successUrl: string;
  cancelUrl: string;
};

export type CheckoutSession = { sessionId: string; url: string };

export type PaymentIntentInfo = {
  id: string;
  // Stripe's PaymentIntent statuses; an authorised, uncaptured card is "requires_capture".
  status: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  // When the card was authorised (or coverage drawn), if the provider knows; the response clock starts there.
  authorisedAt: Date | null;
  // The last moment the authorisation can be captured (Stripe: the charge's capture_before); null when it never lapses.
  captureBefore: Date | null;
};

/** A checkout as the provider sees it now: what the sweep of unconfirmed checkouts reads (docs/decisions/035). */
export type CheckoutSessionInfo = {
  id: string;
  status: "open" | "complete" | "expired";
  paymentIntentId: string | null;
  escalationId: string | null;
  // When the member paid, if known (the PaymentIntent's authorisation).
  occurredAt: Date | null;
};

export type SettleOptions = { idempotencyKey: string };

export interface PaymentProvider {
  readonly name: ProviderName;
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;
  /**
   * Closes a checkout nobody may pay any more (a newer one replaced it). "complete" means it was
   * paid before the expiry took effect: its completion event follows and fulfilment decides.
   */
  expireCheckout(sessionId: string): Promise<"expired" | "complete">;
  retrievePaymentIntent(id: string): Promise<PaymentIntentInfo>;
  /** Reads a payment checkout again, for a completion or expiry whose event never arrived. */
  retrieveCheckoutSession?(sessionId: string): Promise<CheckoutSessionInfo>;
  /** Moves the authorised money. */
  capture(paymentIntentId: string, opts: SettleOptions): Promise<PaymentIntentInfo>;
  /** Releases the authorisation: the member is not charged. */
  cancel(paymentIntentId: string, opts: SettleOptions): Promise<PaymentIntentInfo>;
  /** Support insurance: a yearly subscription (not offered by the coverage provider itself). */
  createSubscriptionCheckout?(request: SubscriptionCheckoutRequest): Promise<CheckoutSession>;
  /** Ends a subscription now; the provider confirms with a subscription.deleted event. */
  cancelSubscription?(subscriptionId: string): Promise<void>;
  /** "Don't renew" (false) or "resume renewal" (true): the subscription runs to its period end either way. */
  setRenewal?(subscriptionId: string, renew: boolean): Promise<void>;
  /**
   * Gives back everything a paid subscription invoice took (a plan refused as a second live plan).
   * Refunding an invoice that is already fully refunded is success, so a retry after a lost answer is safe.
   */
  refundInvoice?(request: InvoiceRefundRequest, opts: SettleOptions): Promise<void>;
  /** Gives back part or all of a captured payment (docs/decisions/036). */
  refundPayment?(request: PaymentRefundRequest, opts: SettleOptions): Promise<ProviderRefund>;
  /** The refunds the provider holds for a payment, to adopt one whose answer was lost and to reconcile. */
  listRefunds?(paymentIntentId: string): Promise<ProviderRefund[]>;
  /** The chargebacks against a payment, to reconcile a dispute whose webhook was lost. */
  listDisputes?(paymentIntentId: string): Promise<ProviderDispute[]>;
  /** A subscription's invoices, to reconcile coverage credits with what the provider billed. */
  listSubscriptionInvoices?(subscriptionId: string): Promise<{ id: string; status: string; amountPaid: number }[]>;
}

export type PaymentRefundRequest = {
  // Our Refund row: the provider keeps it in metadata so a lost answer is found again.
  refundId: string;
  ticketId: string;
  paymentIntentId: string;
  amountCents: number;
  currency: string;
};

export type ProviderRefund = {
  id: string;
  amountCents: number;
  // Stripe's refund statuses: pending | requires_action | succeeded | failed | canceled.
  status: string;
  refundId: string | null;
};

/** A chargeback as the provider holds it. */
export type ProviderDispute = {
  id: string;
  // Stripe's dispute statuses: warning_needs_response, warning_under_review, warning_closed, needs_response,
  // under_review, won, lost.
  status: string;
  amountCents: number;
  currency: string;
  created: Date;
};

export type InvoiceRefundRequest = {
  invoiceId: string;
  insuranceId: string;
  amountCents: number;
  currency: string;
  // The invoice's PaymentIntent when the event carried it; otherwise the provider looks it up.
  paymentIntentId?: string | null;
};

/**
 * Payment events after verification, whatever their source: a signed Stripe
 * webhook or the test-mode checkout page. Fulfilment only ever sees these.
 */
type EventBase = { id: string; provider: ProviderName };
export type PaymentEvent =
  | (EventBase & {
      type: "checkout.completed";
      sessionId: string;
      paymentIntentId: string | null;
      escalationId: string | null;
      // When the provider says the payment happened (a Stripe event's `created`); a late delivery keeps it.
      occurredAt?: Date | null;
    })
  | (EventBase & { type: "checkout.expired" | "checkout.declined"; sessionId: string; escalationId: string | null })
  // A PaymentIntent that was still processing at checkout became capturable (or was captured): fulfilment finishes.
  | (EventBase & { type: "payment_intent.ready"; paymentIntentId: string; escalationId: string | null; occurredAt?: Date | null })
  | (EventBase & { type: "payment_intent.canceled"; paymentIntentId: string; escalationId: string | null })
  | (EventBase & { type: "ignored"; sourceType: string })
  // Support insurance (docs/decisions/016): the yearly subscription and its invoices.
  | (EventBase & { type: "subscription.checkout.completed"; sessionId: string; subscriptionId: string | null; insuranceId: string | null })
  | (EventBase & {
      type: "invoice.paid";
      invoiceId: string;
      subscriptionId: string | null;
      insuranceId: string | null;
      amountPaid: number;
      periodEnd: Date | null;
      // Only when the event itself names it (webhook endpoints on API versions before basil).
      paymentIntentId?: string | null;
      // Stripe's billing_reason: subscription_create, subscription_cycle, subscription_update, manual…
      billingReason?: string | null;
      occurredAt?: Date | null;
    })
  | (EventBase & { type: "subscription.deleted"; subscriptionId: string; insuranceId: string | null })
  // Don't renew, past due, a changed period (docs/decisions/037).
  | (EventBase & {
      type: "subscription.updated";
      subscriptionId: string;
      insuranceId: string | null;
      status: string;
      cancelAtPeriodEnd: boolean;
      // The end of the period paid for, or the date Stripe will cancel at when that is earlier.
      currentPeriodEnd: Date | null;
      occurredAt: Date;
    })
  | (EventBase & {
      type: "invoice.payment_failed";
      invoiceId: string;
      subscriptionId: string | null;
      insuranceId: string | null;
      occurredAt: Date;
    })
  // Refunds made anywhere (here or in Stripe's dashboard) and chargebacks (docs/decisions/036).
  | (EventBase & { type: "refunds.changed"; paymentIntentId: string })
  | (EventBase & {
      type: "dispute.opened" | "dispute.updated" | "dispute.closed";
      paymentIntentId: string;
      disputeId: string;
      // needs_response, under_review, won, lost, ...
      status: string;
      amountCents: number;
      currency: string;
    });

/** A subscription checkout for a support insurance plan (Checkout in subscription mode). */
export type SubscriptionCheckoutRequest = {
  insuranceId: string;
  planName: string;
  amountCents: number;
  currency: string;
  stripePriceId: string | null;
  customerEmail: string;
  successUrl: string;
  cancelUrl: string;
};

/** A provider call that failed; `retryable` says whether trying again can help. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    public code: string | undefined,
    public retryable: boolean,
  ) {
    super(message);
    this.name = "PaymentProviderError";
  }
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookSignatureError";
  }
}
