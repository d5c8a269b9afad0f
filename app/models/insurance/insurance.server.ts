import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { enqueue } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, type PaymentEvent } from "~/services/payments/types";
import { providerFor } from "~/services/payments/payments.server";
import { conflict } from "~/utils/errors";
import { formatPrice } from "~/utils/money";
import { addEntry, balanceOf, lockSubscription } from "~/models/insurance/coverage-ledger.server";
import { coverageCredit } from "~/models/insurance/coverage-credit";
import { recordMoneyEvent, type MoneyEventInput } from "~/models/payments/money-trail.server";
import { endPlan } from "~/models/insurance/plan-end.server";
import { lockMember } from "~/models/escalation/open-checkout.server";
import { refundNow, requestPlanRefund } from "~/models/insurance/plan-refund.server";
import { FulfilmentRetryError } from "~/models/payments/event-outcome";
import { requirePermission } from "~/models/permissions";
import { honouredPlans, honoursProvider, refuseTestCoverage } from "~/models/payments/test-money.server";
import type { Actor, Tx } from "~/models/types";
import { presentPlan, listPlans } from "~/models/insurance/plans.server";

// Support insurance (docs/product.md §4.11, docs/decisions/016): a yearly plan sold as
// a subscription. Each paid invoice credits the coverage ledger; escalating
// while covered debits it instead of opening Checkout; a rejected or expired
// ticket refunds it. The balance is the sum of the ledger, read under the
// subscription's row lock whenever it decides something.

const YEAR_MS = 365 * 86_400_000;
export const COVERAGE_FULFIL_QUEUE = "insurance-fulfil";

const coveredWhere = (now: Date) => ({ status: "active", currentPeriodEnd: { gt: now } });

/** The member's subscription that pays escalations right now, if any. */
export async function activeCoverage(userId: string, now = new Date()) {
  const sub = await db.insuranceSubscription.findFirst({
    where: { userId, ...coveredWhere(now) },
    orderBy: { createdAt: "desc" },
    include: { plan: true },
  });
  if (!sub) return null;
  return { ...sub, balanceCents: await balanceOf(db as unknown as Tx, sub.id) };
}

/** What the member sees on /insurance and GET /api/v1/insurance: plan, renewal date, balance and its ledger. */
export async function insuranceStatus(user: Actor, now = new Date()) {
  requirePermission(user, "insurance:buy");
  const [plans, sub] = await Promise.all([
    listPlans(),
    db.insuranceSubscription.findFirst({
      // One live plan at a time (docs/decisions/029): the newest is the one that matters.
      where: { userId: user.id, status: { in: ["active", "past_due", "canceled"] } },
      orderBy: [{ createdAt: "desc" }],
      include: {
        plan: true,
        ledger: {
          orderBy: { createdAt: "desc" },
          take: 100,
          select: { id: true, amountCents: true, kind: true, escalationId: true, createdAt: true },
        },
      },
    }),
  ]);
  const pending = await db.insuranceSubscription.count({
    where: { userId: user.id, status: "incomplete", createdAt: { gt: new Date(now.getTime() - 86_400_000) } },
  });
  const balanceCents = sub ? await balanceOf(db as unknown as Tx, sub.id) : 0;
  // Set not to renew and past its end: ended, even if neither Stripe's event nor the job has said so yet.
  const ended = sub ? sub.status === "canceled" || (sub.cancelAtPeriodEnd && sub.currentPeriodEnd <= now) : false;
  return {
    plans: plans.map(presentPlan),
    subscription: sub
      ? {
          id: sub.id,
          // The terms this member bought, which their renewals keep.
          plan: presentPlan({
            ...sub.plan,
            priceCents: sub.soldPriceCents ?? sub.plan.priceCents,
            coverageCents: sub.soldCoverageCents ?? sub.plan.coverageCents,
          }),
          status: ended ? "canceled" : sub.status,
          provider: sub.provider,
          covered: sub.status === "active" && sub.currentPeriodEnd > now && honoursProvider(sub.provider),
          cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
          renewsAt: !ended && !sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : null,
          endsAt: ended || sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : null,
          endedAt: ended ? sub.currentPeriodEnd : null,
          balanceCents,
          ledger: sub.ledger.map((e) => ({ ...e, label: entryLabel(e.kind) })),
        }
      : null,
    pendingCheckout: pending > 0 && !(sub && sub.status === "active"),
  };
}

export type InsuranceStatus = Awaited<ReturnType<typeof insuranceStatus>>;

function entryLabel(kind: string) {
  switch (kind) {
    case "credit":
      return "Coverage bought";
    case "debit":
      return "Paid support ticket";
    case "refund":
      return "Returned: ticket declined or expired";
    case "lapse":
      return "Unused coverage ended";
    default:
      return kind;
  }
}

/**
 * Draws an escalation's price from the member's coverage: under the
 * subscription's row lock, the balance (a SUM of the ledger) must cover it.
 * Two escalations against a balance that covers one: the second waits for the
 * lock, sees the first debit, and is refused. Returns the payment event that
 * fulfilment applies, exactly like a completed card checkout.
 */
export async function payFromCoverage(
  userId: string,
  escalation: { id: string; amountCents: number; currency: string },
  now = new Date(),
): Promise<PaymentEvent> {
  // The newest: a plan bought after going live comes before a test-mode one (docs/decisions/038).
  const sub = await db.insuranceSubscription.findFirst({
    where: { userId, ...coveredWhere(now) },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  if (!sub) throw conflict("You have no active support insurance; pay by card instead.", { payWith: "No active support insurance." });
  const drawId = `cov_${escalation.id}`;
  const sessionId = `cov_cs_${escalation.id}`;
  await db.$transaction(async (tx) => {
    await lockSubscription(tx, sub.id);
    // Read again under the lock: a cancellation may have committed meanwhile.
    const fresh = await tx.insuranceSubscription.findUnique({ where: { id: sub.id }, include: { plan: true } });
    if (!fresh || fresh.status !== "active" || fresh.currentPeriodEnd <= now) {
      throw conflict("Your support insurance has ended; pay by card instead.", { payWith: "Support insurance has ended." });
    }
    refuseTestCoverage(fresh);
    if (fresh.plan.currency !== escalation.currency) {
      throw conflict("Your coverage is in another currency than this tier; pay by card instead.", { payWith: "Other currency." });
    }
    const balance = await balanceOf(tx, sub.id);
    if (balance < escalation.amountCents) {
      const message = `Your coverage has ${formatPrice(balance, fresh.plan.currency)} left and this tier costs ${formatPrice(escalation.amountCents, escalation.currency)}; pay by card instead.`;
      throw conflict(message, { payWith: message });
    }
    await tx.insuranceDraw.create({
      data: {
        id: drawId,
        escalationId: escalation.id,
        subscriptionId: sub.id,
        amountCents: escalation.amountCents,
        currency: escalation.currency,
        status: "requires_capture",
      },
    });
    await addEntry(tx, {
      subscriptionId: sub.id,
      amountCents: -escalation.amountCents,
      kind: "debit",
      reference: `debit:${escalation.id}`,
      escalationId: escalation.id,
    });
    // A newer escalation of the same thread may have superseded this one meanwhile: then nothing is drawn.
    const opened = await tx.escalation.updateMany({
      where: { id: escalation.id, state: "gate_passed" },
      data: { state: "checkout_open", checkoutSessionId: sessionId, provider: "insurance" },
    });
    if (opened.count === 0) throw conflict("A newer request for this thread replaced this one; nothing was drawn from your coverage.");
    // The safety net: if the ticket is not created right after this commit (a crash), the worker creates it.
    await enqueue(
      tx,
      COVERAGE_FULFIL_QUEUE,
      { escalationId: escalation.id },
      { dedupeKey: `coverage:${escalation.id}`, runAt: new Date(now.getTime() + 30_000) },
    );
  });
  return coverageEvent(escalation.id);
}

/** The event that turns a coverage draw into a ticket; the same id every time, so it is applied once. */
export const coverageEvent = (escalationId: string): PaymentEvent => ({
  id: `evt_cov_${escalationId}`,
  provider: "insurance",
  type: "checkout.completed",
  sessionId: `cov_cs_${escalationId}`,
  paymentIntentId: `cov_${escalationId}`,
  escalationId,
});

export async function subscriptionFor(event: { provider: string; subscriptionId: string | null; insuranceId: string | null }) {
  const bySub = event.subscriptionId
    ? await db.insuranceSubscription.findUnique({ where: { stripeSubscriptionId: event.subscriptionId }, include: { plan: true } })
    : null;
  const sub =
    bySub ??
    (event.insuranceId ? await db.insuranceSubscription.findUnique({ where: { id: event.insuranceId }, include: { plan: true } }) : null);
  if (!sub || sub.provider !== event.provider) return null;
  // An event naming another Stripe subscription than the one we recorded is not about this plan.
  if (event.subscriptionId && sub.stripeSubscriptionId && sub.stripeSubscriptionId !== event.subscriptionId) return null;
  return sub;
}

export type Outcome = "applied" | "duplicate" | "ignored";

/** Checkout in subscription mode completed: remember Stripe's subscription id. Coverage starts with the paid invoice. */
export async function subscriptionCheckoutCompleted(
  event: Extract<PaymentEvent, { type: "subscription.checkout.completed" }>,
): Promise<Outcome> {
  const sub = await db.insuranceSubscription.findUnique({ where: { checkoutSessionId: event.sessionId } });
  if (!sub || sub.provider !== event.provider || (event.insuranceId && event.insuranceId !== sub.id)) return "ignored";
  if (!event.subscriptionId || sub.stripeSubscriptionId === event.subscriptionId) return "duplicate";
  await db.insuranceSubscription.updateMany({
    where: { id: sub.id, stripeSubscriptionId: null },
    data: { stripeSubscriptionId: event.subscriptionId },
  });
  return "applied";
}

/**
 * invoice.paid: the first one starts the coverage, each renewal renews it (docs/decisions/037).
 * The credit is what was sold at purchase, or its share for an invoice that paid part of the
 * price (coverage-credit.ts); a $0 invoice credits nothing. A renewal ends what was left of last
 * year (a "lapse" entry) and makes a past-due plan active again. Idempotent by invoice id.
 */
export async function insuranceInvoicePaid(event: Extract<PaymentEvent, { type: "invoice.paid" }>, now: Date): Promise<Outcome> {
  const sub = await subscriptionFor(event);
  if (!sub) {
    // Our metadata names a plan we cannot find (yet): retried, never silently dropped after a charge.
    if (event.insuranceId && event.provider === "stripe") {
      logger.warn(
        `payment event ${event.id}: invoice ${event.invoiceId} for Backline plan ${event.insuranceId} (subscription ${event.subscriptionId ?? "missing"}) matches no plan; not applied`,
      );
      throw new FulfilmentRetryError(`Invoice ${event.invoiceId} names Backline plan ${event.insuranceId}, which was not found.`);
    }
    logger.warn(`payment event ${event.id}: invoice for a subscription that is not a Backline plan; ignored`);
    return "ignored";
  }
  if (event.amountPaid <= 0) {
    logger.info(`payment event ${event.id}: invoice ${event.invoiceId} of plan ${sub.id} paid nothing; no coverage credited`);
    return "ignored";
  }
  const currency = sub.plan.currency;
  // Each money event of an invoice is recorded once: its reference is the kind and the invoice.
  const recordInvoiceMoney = (tx: Tx, kind: MoneyEventInput["kind"], amountCents: number, more: Pick<MoneyEventInput, "reason" | "data">) =>
    recordMoneyEvent(tx, { kind, amountCents, currency, subscriptionId: sub.id, reference: `${kind}:${event.invoiceId}`, ...more });
  const outcome = await db.$transaction(async (tx) => {
    // The member's lock first (as everywhere): two plans paid at once are decided one after the other.
    await lockMember(tx, sub.userId);
    await lockSubscription(tx, sub.id);
    const fresh = await tx.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    // Paid after the plan ended (the provider renewed a plan we had closed at its period end): as with a
    // second plan, the money is given back and the subscription ended at the provider, never kept for nothing.
    const ended = fresh.status === "canceled";
    const other = await tx.insuranceSubscription.findFirst({
      where: { userId: sub.userId, id: { not: sub.id }, ...coveredWhere(now), ...honouredPlans() },
      select: { id: true },
    });
    if (other || fresh.status === "refused" || ended) {
      await tx.insuranceSubscription.update({
        where: { id: sub.id },
        data: { status: ended ? "canceled" : "refused", stripeSubscriptionId: fresh.stripeSubscriptionId ?? event.subscriptionId },
      });
      // Never delivered, so never charged: the invoice's payment is given back (outbox, retried).
      await requestPlanRefund(
        tx,
        {
          provider: sub.provider,
          invoiceId: event.invoiceId,
          insuranceId: sub.id,
          amountCents: event.amountPaid,
          currency,
          paymentIntentId: event.paymentIntentId ?? null,
        },
        now,
      );
      await recordInvoiceMoney(tx, "plan_refund", event.amountPaid, {
        reason: ended
          ? "Paid after the plan had ended: never delivered, refunded"
          : "A second plan paid while another was live: never delivered, refunded",
        data: { invoiceId: event.invoiceId },
      });
      return "refused" as const;
    }
    const reference = `invoice:${event.invoiceId}`;
    if (await tx.coverageEntry.findUnique({ where: { reference }, select: { id: true } })) return "duplicate" as const;
    // Plans bought before the sold terms were recorded take the plan's terms once, at their next invoice.
    const sold = {
      priceCents: fresh.soldPriceCents ?? sub.plan.priceCents,
      coverageCents: fresh.soldCoverageCents ?? sub.plan.coverageCents,
    };
    const credit = coverageCredit(event, sold);
    const renewal = credit.startsPeriod && (await tx.coverageEntry.count({ where: { subscriptionId: sub.id, kind: "credit" } })) > 0;
    if (renewal) {
      const left = await balanceOf(tx, sub.id);
      if (left > 0) {
        await addEntry(tx, { subscriptionId: sub.id, amountCents: -left, kind: "lapse", reference: `lapse:${event.invoiceId}` });
        await recordInvoiceMoney(tx, "coverage_lapse", left, {
          reason: "Renewed: last year's unused coverage ends",
        });
      }
    }
    await addEntry(tx, { subscriptionId: sub.id, amountCents: credit.cents, kind: "credit", reference });
    await recordInvoiceMoney(tx, "coverage_credit", credit.cents, {
      data: {
        invoiceId: event.invoiceId,
        billingReason: event.billingReason ?? null,
        amountPaidCents: event.amountPaid,
        soldPriceCents: sold.priceCents,
        soldCoverageCents: sold.coverageCents,
      },
    });
    const data: Prisma.InsuranceSubscriptionUpdateInput = {
      stripeSubscriptionId: fresh.stripeSubscriptionId ?? event.subscriptionId,
      soldPriceCents: sold.priceCents,
      soldCoverageCents: sold.coverageCents,
    };
    // Only the invoice that starts or renews the plan opens a period; a proration adds to the current one.
    if (credit.startsPeriod) {
      const periodEnd = event.periodEnd ?? new Date(Math.max(now.getTime(), fresh.currentPeriodEnd.getTime()) + YEAR_MS);
      const at = event.occurredAt ?? now;
      Object.assign(data, {
        status: "active",
        currentPeriodEnd: periodEnd > fresh.currentPeriodEnd ? periodEnd : fresh.currentPeriodEnd,
        providerStateAt: fresh.providerStateAt && fresh.providerStateAt > at ? fresh.providerStateAt : at,
      });
    }
    await tx.insuranceSubscription.update({ where: { id: sub.id }, data });
    return "applied" as const;
  });
  if (outcome !== "refused") return outcome;
  await refundNow(event.invoiceId);
  await cancelRefusedPlan(sub.provider, sub.stripeSubscriptionId ?? event.subscriptionId);
  return "applied";
}

/**
 * A second plan paid while the member already has one is never credited, its
 * invoice is refunded (plan-refund.server.ts) and it is ended at the provider.
 * Until the cancellation succeeds the event is not marked processed, so the
 * provider's redelivery tries again.
 */
async function cancelRefusedPlan(provider: string, subscriptionId: string | null) {
  const cancel = providerFor(provider).cancelSubscription;
  if (!subscriptionId || !cancel) return;
  try {
    await cancel(subscriptionId);
  } catch (error) {
    if (error instanceof PaymentProviderError && !error.retryable) return; // already ended there
    throw error;
  }
}

/** customer.subscription.deleted (at the period end after "don't renew", or ended in Stripe): coverage ends and what was left lapses. */
export async function insuranceSubscriptionDeleted(
  event: Extract<PaymentEvent, { type: "subscription.deleted" }>,
  now: Date,
): Promise<Outcome> {
  const sub = await subscriptionFor(event);
  if (!sub) {
    if (event.insuranceId && event.provider === "stripe") {
      logger.warn(
        `payment event ${event.id}: subscription ${event.subscriptionId} of Backline plan ${event.insuranceId} ended, but the plan was not found; not applied`,
      );
      throw new FulfilmentRetryError(`Subscription ${event.subscriptionId} names Backline plan ${event.insuranceId}, which was not found.`);
    }
    return "ignored";
  }
  return db.$transaction(async (tx) => {
    await lockSubscription(tx, sub.id);
    const fresh = await tx.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id }, select: { currentPeriodEnd: true } });
    const endsAt = now < fresh.currentPeriodEnd ? now : fresh.currentPeriodEnd;
    const ended = await endPlan(tx, { id: sub.id, currency: sub.plan.currency }, endsAt, "The subscription ended at Stripe");
    return ended ? ("applied" as const) : ("duplicate" as const);
  });
}

export function isUniqueViolation(error: unknown) {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
