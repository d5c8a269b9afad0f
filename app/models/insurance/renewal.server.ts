import { z } from "zod";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, providerFor, type PaymentEvent } from "~/services/payments/payments.server";
import { AppError, badRequest, conflict } from "~/utils/errors";
import { lockSubscription } from "~/models/insurance/coverage-ledger.server";
import { FulfilmentRetryError } from "~/models/payments/event-outcome";
import { subscriptionFor, type Outcome } from "~/models/insurance/insurance.server";
import { requirePermission } from "~/models/permissions";
import type { Role } from "~/models/types";
import { schedulePlanEnd } from "~/models/insurance/plan-end.server";

// Renewal of a support plan (docs/decisions/037): "don't renew" and its undo,
// and what Stripe says about a subscription between invoices — a changed
// renewal, a failed renewal charge (past due: not covered until paid). Only a
// paid invoice starts, renews or reactivates coverage (insuranceInvoicePaid);
// these events can only stop renewal, pause coverage or shorten the period.
// Stripe does not deliver in order, so each records the time it happened
// (providerStateAt) and an older one arriving later changes nothing.

type Member = { id: string; role: Role };
type Sub = NonNullable<Awaited<ReturnType<typeof subscriptionFor>>>;
const LIVE = ["active", "past_due"];

async function planOf(event: Extract<PaymentEvent, { type: "subscription.updated" | "invoice.payment_failed" }>): Promise<Sub | null> {
  const sub = await subscriptionFor(event);
  if (sub) return sub;
  // Our metadata names a plan we cannot find: retried (500), never dropped with a 200.
  if (event.insuranceId && event.provider === "stripe") {
    logger.warn(
      `payment event ${event.id}: ${event.type} of subscription ${event.subscriptionId} names Backline plan ${event.insuranceId}, which was not found; not applied`,
    );
    throw new FulfilmentRetryError(`${event.type} names Backline plan ${event.insuranceId}, which was not found.`);
  }
  return null;
}

const stale = (sub: { providerStateAt: Date | null }, at: Date) => sub.providerStateAt !== null && at < sub.providerStateAt;

/** customer.subscription.updated: renewal on or off, past due, or a period ended sooner. */
export async function insuranceSubscriptionUpdated(event: Extract<PaymentEvent, { type: "subscription.updated" }>): Promise<Outcome> {
  const sub = await planOf(event);
  if (!sub) return "ignored";
  return db.$transaction(async (tx) => {
    await lockSubscription(tx, sub.id);
    const fresh = await tx.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    // Before the first paid invoice there is nothing to change; after the end, nothing either.
    if (!LIVE.includes(fresh.status) || stale(fresh, event.occurredAt)) return "ignored" as const;
    const pastDue = event.status === "past_due" || event.status === "unpaid";
    // Never later than what was paid for: only an invoice extends coverage.
    const periodEnd =
      event.currentPeriodEnd && event.currentPeriodEnd < fresh.currentPeriodEnd ? event.currentPeriodEnd : fresh.currentPeriodEnd;
    await tx.insuranceSubscription.update({
      where: { id: sub.id },
      data: {
        cancelAtPeriodEnd: event.cancelAtPeriodEnd,
        status: pastDue ? "past_due" : fresh.status,
        currentPeriodEnd: periodEnd,
        providerStateAt: event.occurredAt,
      },
    });
    if (event.cancelAtPeriodEnd) await schedulePlanEnd(tx, sub.id, periodEnd);
    return "applied" as const;
  });
}

/** invoice.payment_failed: the plan is past due and pays for nothing until an invoice is paid. */
export async function insuranceInvoiceFailed(event: Extract<PaymentEvent, { type: "invoice.payment_failed" }>): Promise<Outcome> {
  const sub = await planOf(event);
  if (!sub) return "ignored";
  return db.$transaction(async (tx) => {
    await lockSubscription(tx, sub.id);
    const fresh = await tx.insuranceSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    if (fresh.status !== "active" || stale(fresh, event.occurredAt)) return "ignored" as const;
    await tx.insuranceSubscription.update({ where: { id: sub.id }, data: { status: "past_due", providerStateAt: event.occurredAt } });
    logger.info(`insurance ${sub.id}: invoice ${event.invoiceId} was not paid; the plan is past due`);
    return "applied" as const;
  });
}

/**
 * The member's "Don't renew" (renew = false) or "Resume renewal" (renew = true).
 * Stripe is told first; the plan is then updated at once rather than waiting for
 * the webhook, which arrives older than this change and so changes nothing.
 */
export async function setPlanRenewal(user: Member, renew: boolean, now = new Date()) {
  requirePermission(user, "insurance:buy");
  const sub = await db.insuranceSubscription.findFirst({
    where: { userId: user.id, status: { in: LIVE }, currentPeriodEnd: { gt: now } },
    orderBy: { createdAt: "desc" },
  });
  if (!sub)
    throw conflict(renew ? "Your plan has already ended; subscribe again to be covered." : "You have no support insurance that renews.");
  if (sub.cancelAtPeriodEnd === !renew) return sub;
  if (sub.provider === "stripe" && sub.stripeSubscriptionId) {
    try {
      await providerFor("stripe").setRenewal!(sub.stripeSubscriptionId, renew);
    } catch (error) {
      const reason = error instanceof PaymentProviderError ? ` (${error.message})` : "";
      throw new AppError(502, "payment_provider_error", `The payment provider could not be told${reason}. Nothing changed; try again.`);
    }
  }
  return db.$transaction(async (tx) => {
    await lockSubscription(tx, sub.id);
    const updated = await tx.insuranceSubscription.update({
      where: { id: sub.id },
      data: { cancelAtPeriodEnd: !renew, providerStateAt: now },
    });
    if (!renew) await schedulePlanEnd(tx, sub.id, updated.currentPeriodEnd);
    return updated;
  });
}

/** The /insurance form: "don't renew" only with its confirmation step ticked through, "resume" at once. */
export const renewalFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("dont-renew"), confirm: z.literal("yes") }),
  z.object({ intent: z.literal("resume-renewal") }),
]);

export async function changeRenewal(user: Member, form: unknown, now = new Date()) {
  const parsed = renewalFormSchema.safeParse(form);
  if (!parsed.success) throw badRequest('Confirm that your plan should not renew: press "Yes, don\'t renew" on the confirmation step.');
  return setPlanRenewal(user, parsed.data.intent === "resume-renewal", now);
}
