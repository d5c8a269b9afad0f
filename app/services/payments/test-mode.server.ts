import { randomBytes } from "node:crypto";
import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { conflict, notFound } from "~/utils/errors";
import { siteOrigin } from "~/utils/url.server";
import { localIntentInfo, type LocalIntentRow } from "./local-intent";
import { PaymentProviderError, type PaymentEvent, type PaymentProvider } from "./types";

// Local payments without Stripe keys (docs/product.md §4.12): a clearly labelled
// checkout page at /test-checkout/:escalationId. Its PaymentIntents live in the
// TestPaymentIntent table and follow Stripe's rules, and its "Authorize" and
// "Decline" buttons produce the same PaymentEvents a verified Stripe webhook does.

const token = () => randomBytes(9).toString("base64url");

export const testCheckoutPath = (escalationId: string) => `/test-checkout/${escalationId}`;
export const testInsuranceCheckoutPath = (insuranceId: string) => `/test-checkout/insurance/${insuranceId}`;

const testIntentId = (escalationId: string) => `pi_test_local_${escalationId}`;

export const testRefundId = (invoiceId: string) => `re_test_local_${invoiceId}`;
const TICKET_REFUND_PREFIX = "re_test_ticket_";
const testTicketRefundId = (refundId: string) => `${TICKET_REFUND_PREFIX}${refundId}`;

// Created when the member pressed "Authorize" (a double click reuses it): the test card's authorisation,
// capturable for 7 days, the same rule as Stripe's card authorisations.
const toInfo = (row: LocalIntentRow) => localIntentInfo(row, new Date(row.createdAt.getTime() + TEST_HOLD_MS));

const TEST_HOLD_MS = 7 * 86_400_000;
// Like a Checkout Session's default lifetime: an unpaid test checkout counts as expired a day after it opened.
const TEST_CHECKOUT_LIFETIME_MS = 86_400_000;

async function findIntent(id: string) {
  const row = await db.testPaymentIntent.findUnique({ where: { id } });
  if (!row) throw new PaymentProviderError(`Test mode: no such PaymentIntent: '${id}'`, "resource_missing", false);
  return row;
}

/** Moves a simulated PaymentIntent from requires_capture to `to`, exactly once. */
async function settle(id: string, to: "succeeded" | "canceled") {
  const { count } = await db.testPaymentIntent.updateMany({ where: { id, status: "requires_capture" }, data: { status: to } });
  const row = await findIntent(id);
  if (count === 1 || row.status === to) return toInfo(row);
  const verb = to === "succeeded" ? "captured" : "canceled";
  throw new PaymentProviderError(
    `Test mode: this PaymentIntent could not be ${verb} because it has a status of ${row.status}.`,
    "payment_intent_unexpected_state",
    false,
  );
}

export const testModeProvider: PaymentProvider = {
  name: "test",
  async createCheckout(req) {
    return { sessionId: `cs_test_local_${token()}`, url: `${siteOrigin()}${testCheckoutPath(req.escalationId)}` };
  },
  // The test page is open while its escalation or plan is (superseding closed it already); what is
  // left to say is whether it was paid first.
  async expireCheckout(sessionId) {
    const [escalation, plan] = await Promise.all([
      db.escalation.findUnique({ where: { checkoutSessionId: sessionId }, select: { id: true } }),
      db.insuranceSubscription.findUnique({ where: { checkoutSessionId: sessionId }, select: { stripeSubscriptionId: true } }),
    ]);
    if (escalation && (await db.testPaymentIntent.count({ where: { escalationId: escalation.id } }))) return "complete";
    if (plan?.stripeSubscriptionId) return "complete";
    return "expired";
  },
  async createSubscriptionCheckout(req) {
    return { sessionId: `cs_test_local_sub_${token()}`, url: `${siteOrigin()}${testInsuranceCheckoutPath(req.insuranceId)}` };
  },
  // The simulated card movement is a row in the same table as the simulated authorisations
  // (status "refunded", keyed by the invoice): one refund per invoice, like Stripe's charge.
  async refundInvoice(req) {
    try {
      await db.testPaymentIntent.create({
        data: {
          id: testRefundId(req.invoiceId),
          escalationId: req.insuranceId,
          amountCents: req.amountCents,
          currency: req.currency,
          status: "refunded",
        },
      });
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    }
  },
  // A ticket refund is a row beside its PaymentIntent (same escalation), so reconcile can list them.
  async refundPayment(req) {
    const intent = await findIntent(req.paymentIntentId);
    const id = testTicketRefundId(req.refundId);
    await db.testPaymentIntent.createMany({
      data: [{ id, escalationId: intent.escalationId, amountCents: req.amountCents, currency: req.currency, status: "refunded" }],
      skipDuplicates: true,
    });
    return { id, amountCents: req.amountCents, status: "succeeded", refundId: req.refundId };
  },
  async listRefunds(paymentIntentId) {
    const intent = await findIntent(paymentIntentId);
    const rows = await db.testPaymentIntent.findMany({
      where: { escalationId: intent.escalationId, id: { startsWith: TICKET_REFUND_PREFIX } },
    });
    return rows.map((r) => ({
      id: r.id,
      amountCents: r.amountCents,
      status: "succeeded",
      refundId: r.id.slice(TICKET_REFUND_PREFIX.length),
    }));
  },
  async retrievePaymentIntent(id) {
    return toInfo(await findIntent(id));
  },
  async retrieveCheckoutSession(sessionId) {
    const escalation = await db.escalation.findUnique({ where: { checkoutSessionId: sessionId }, select: { id: true, createdAt: true } });
    if (!escalation) throw new PaymentProviderError(`Test mode: no such checkout session: '${sessionId}'`, "resource_missing", false);
    const intent = await db.testPaymentIntent.findUnique({ where: { id: testIntentId(escalation.id) } });
    if (intent)
      return { id: sessionId, status: "complete", paymentIntentId: intent.id, escalationId: escalation.id, occurredAt: intent.createdAt };
    const lapsed = Date.now() - escalation.createdAt.getTime() > TEST_CHECKOUT_LIFETIME_MS;
    return { id: sessionId, status: lapsed ? "expired" : "open", paymentIntentId: null, escalationId: escalation.id, occurredAt: null };
  },
  async capture(id) {
    const row = await findIntent(id);
    if (row.status === "requires_capture" && Date.now() >= toInfo(row).captureBefore!.getTime()) {
      throw new PaymentProviderError("Test mode: the authorisation expired before it was captured.", "charge_expired_for_capture", false);
    }
    return settle(id, "succeeded");
  },
  async cancel(id) {
    return settle(id, "canceled");
  },
};

/** What the test checkout page shows; only the escalation's owner may open it. */
export async function testCheckoutFor(userId: string, escalationId: string) {
  const escalation = await db.escalation.findUnique({
    where: { id: escalationId },
    select: {
      id: true,
      userId: true,
      provider: true,
      state: true,
      amountCents: true,
      currency: true,
      threadId: true,
      checkoutSessionId: true,
      tier: { select: { name: true, responseHours: true } },
      thread: { select: { title: true } },
      ticket: { select: { id: true } },
    },
  });
  if (!escalation || escalation.userId !== userId || escalation.provider !== "test") throw notFound("No such checkout.");
  return escalation;
}

/**
 * The member pressed "Authorize" or "Decline" on the test checkout page. The
 * card is "authorised" like Stripe would (one PaymentIntent per checkout,
 * status requires_capture), and the resulting event goes to the same
 * fulfilment as a Stripe webhook.
 */
export async function simulateCheckout(userId: string, escalationId: string, outcome: "authorize" | "decline"): Promise<PaymentEvent> {
  const escalation = await testCheckoutFor(userId, escalationId);
  if (escalation.state !== "checkout_open" || !escalation.checkoutSessionId) throw conflict("This checkout is no longer open.");
  const base = { id: `evt_test_local_${token()}`, provider: "test" as const, sessionId: escalation.checkoutSessionId, escalationId };
  if (outcome === "decline") return { ...base, type: "checkout.declined" };
  // Like a Checkout Session, one checkout has at most one PaymentIntent: a double click reuses it.
  const paymentIntentId = testIntentId(escalationId);
  try {
    await db.testPaymentIntent.create({
      data: {
        id: paymentIntentId,
        escalationId,
        amountCents: escalation.amountCents,
        currency: escalation.currency,
        status: "requires_capture",
      },
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
  }
  return { ...base, type: "checkout.completed", paymentIntentId };
}

/**
 * Support insurance in test mode (docs/decisions/016): what Stripe would send
 * after a subscription checkout, a renewal a year later, or a cancellation, as
 * the same events a verified webhook produces.
 */
export const testSubscriptionEvents = {
  completed: (sessionId: string, insuranceId: string): PaymentEvent => ({
    id: `evt_test_local_${token()}`,
    provider: "test",
    type: "subscription.checkout.completed",
    sessionId,
    subscriptionId: `sub_test_local_${insuranceId}`,
    insuranceId,
  }),
  invoicePaid: (insuranceId: string, amountPaid: number, periodEnd: Date, billingReason: string | null = null): PaymentEvent => ({
    id: `evt_test_local_${token()}`,
    provider: "test",
    type: "invoice.paid",
    invoiceId: `in_test_local_${token()}`,
    subscriptionId: `sub_test_local_${insuranceId}`,
    insuranceId,
    amountPaid,
    periodEnd,
    billingReason,
  }),
  deleted: (insuranceId: string): PaymentEvent => ({
    id: `evt_test_local_${token()}`,
    provider: "test",
    type: "subscription.deleted",
    subscriptionId: `sub_test_local_${insuranceId}`,
    insuranceId,
  }),
};
