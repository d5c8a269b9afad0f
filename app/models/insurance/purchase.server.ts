import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { paymentProvider, PaymentProviderError } from "~/services/payments/payments.server";
import { testSubscriptionEvents } from "~/services/payments/test-mode.server";
import { AppError, conflict, notFound } from "~/utils/errors";
import { siteOrigin } from "~/utils/url.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { coverageEvent } from "~/models/insurance/insurance.server";
import { checkoutPriceRefusal } from "~/models/escalation/linked-price.server";
import { expireSuperseded, lockMember } from "~/models/escalation/open-checkout.server";
import { requirePermission } from "~/models/permissions";
import type { Role } from "~/models/types";
import { enforce } from "~/models/rate-limit.server";
import { honouredPlans } from "~/models/payments/test-money.server";

// Buying and (test mode) simulating a support insurance plan; "don't renew" is in
// insurance-renewal.server.ts. A purchase changes the subscription's state only
// through payment events applied by fulfilment, whether Stripe sent them or the
// test-mode page made them.

type Member = { id: string; role: Role; email: string };

const YEAR_MS = 365 * 86_400_000;
export const insurancePath = "/insurance";

/** Opens Checkout in subscription mode for a plan (or the local test page without Stripe keys). */
export async function startInsuranceCheckout(user: Member, planId: string, now = new Date()) {
  requirePermission(user, "insurance:buy");
  const plan = await db.insurancePlan.findFirst({ where: { id: planId, active: true } });
  if (!plan) throw notFound("No such plan.");
  const current = await db.insuranceSubscription.findFirst({
    where: { userId: user.id, status: "active", currentPeriodEnd: { gt: now }, ...honouredPlans() },
    select: { id: true },
  });
  if (current) throw conflict("You already have support insurance.");
  await enforce({ key: `insurance-checkout:${user.id}`, max: 10, windowSeconds: 3600, what: "insurance checkouts" });
  const provider = paymentProvider();
  const sub = await openPlanCheckout(user.id, plan, provider.name, now);
  let session;
  try {
    session = await provider.createSubscriptionCheckout!({
      insuranceId: sub.id,
      planName: `${plan.name} (support insurance)`,
      amountCents: plan.priceCents,
      currency: plan.currency,
      stripePriceId: plan.stripePriceId,
      customerEmail: user.email,
      successUrl: `${siteOrigin()}${insurancePath}?checkout=success`,
      cancelUrl: `${siteOrigin()}${insurancePath}?checkout=cancelled`,
    });
  } catch (error) {
    logger.warn(`insurance ${sub.id}: checkout could not be created (${error instanceof Error ? error.message : "error"})`);
    await db.insuranceSubscription.update({ where: { id: sub.id }, data: { status: "abandoned" } });
    const refusal = checkoutPriceRefusal(error);
    if (refusal) throw refusal;
    const reason = error instanceof PaymentProviderError ? ` (${error.message})` : "";
    throw new AppError(502, "payment_provider_error", `The payment page could not be opened${reason}. Nothing was charged.`);
  }
  const opened = await db.insuranceSubscription.updateMany({
    where: { id: sub.id, status: "incomplete" },
    data: { checkoutSessionId: session.sessionId },
  });
  if (opened.count === 0) {
    // A newer checkout superseded this one meanwhile; recorded anyway, so that a completion finds it.
    await db.insuranceSubscription.update({ where: { id: sub.id }, data: { checkoutSessionId: session.sessionId } });
    await expireSuperseded([{ provider: provider.name, checkoutSessionId: session.sessionId }]);
    throw conflict("A newer insurance checkout was opened at the same moment; continue in that one.");
  }
  return { insuranceId: sub.id, checkoutUrl: session.url };
}

/**
 * At most one live plan per member (docs/decisions/029): under the member's
 * lock, a covered member is refused and an older unfinished checkout is
 * superseded, then expired at its provider.
 */
async function openPlanCheckout(
  userId: string,
  plan: { id: string; priceCents: number; coverageCents: number },
  provider: string,
  now: Date,
) {
  const { sub, superseded } = await db.$transaction(async (tx) => {
    await lockMember(tx, userId);
    const live = await tx.insuranceSubscription.findFirst({
      where: { userId, status: "active", currentPeriodEnd: { gt: now }, ...honouredPlans() },
      select: { id: true },
    });
    if (live) throw conflict("You already have support insurance.");
    // Row locks, not a plain read: see openEscalation.
    const open = await tx.$queryRaw<{ provider: string; checkoutSessionId: string | null }[]>`
      select "provider", "checkoutSessionId" from "InsuranceSubscription" where "userId" = ${userId} and "status" = 'incomplete' for update`;
    await tx.insuranceSubscription.updateMany({ where: { userId, status: "incomplete" }, data: { status: "abandoned" } });
    const created = await tx.insuranceSubscription.create({
      // What is sold is fixed now: renewals credit this, whatever the plan says later.
      data: {
        userId,
        planId: plan.id,
        status: "incomplete",
        provider,
        currentPeriodEnd: now,
        soldPriceCents: plan.priceCents,
        soldCoverageCents: plan.coverageCents,
      },
      select: { id: true },
    });
    return { sub: created, superseded: open };
  });
  if (await expireSuperseded(superseded)) {
    await db.insuranceSubscription.updateMany({ where: { id: sub.id, status: "incomplete" }, data: { status: "abandoned" } });
    throw conflict("Your payment for support insurance in another window went through; your plan shows here in a moment.");
  }
  return sub;
}

function requireTestMode() {
  if (getEnv().paymentsMode !== "test") throw notFound();
}

/** The test checkout page for a plan: only its buyer, only in test mode. */
export async function testInsuranceCheckoutFor(userId: string, insuranceId: string) {
  requireTestMode();
  const sub = await db.insuranceSubscription.findUnique({ where: { id: insuranceId }, include: { plan: true } });
  if (!sub || sub.userId !== userId || sub.provider !== "test") throw notFound("No such checkout.");
  return sub;
}

/** "Subscribe" or "Decline" on the test page: the events Stripe would send, through the same fulfilment. */
export async function completeTestInsuranceCheckout(
  userId: string,
  insuranceId: string,
  outcome: "subscribe" | "decline",
  now = new Date(),
) {
  const sub = await testInsuranceCheckoutFor(userId, insuranceId);
  // Declining a checkout a newer tab already closed leaves it closed: the outcome is the same.
  if (outcome === "decline" && sub.status === "abandoned") return;
  if (sub.status !== "incomplete" || !sub.checkoutSessionId) throw conflict("This checkout is no longer open.");
  if (outcome === "decline") {
    // Never paid: not a plan that ended, just a checkout nobody finished.
    await db.insuranceSubscription.updateMany({ where: { id: sub.id, status: "incomplete" }, data: { status: "abandoned" } });
    return;
  }
  await applyPaymentEvent(testSubscriptionEvents.completed(sub.checkoutSessionId, sub.id), now);
  await applyPaymentEvent(
    testSubscriptionEvents.invoicePaid(
      sub.id,
      sub.soldPriceCents ?? sub.plan.priceCents,
      new Date(now.getTime() + YEAR_MS),
      "subscription_create",
    ),
    now,
  );
}

/** Test mode only: the next year's invoice is paid now (a renewal, as Stripe would bill it). */
export async function simulateTestRenewal(user: Member, now = new Date()) {
  requireTestMode();
  const sub = await db.insuranceSubscription.findFirst({
    where: { userId: user.id, status: "active", provider: "test" },
    include: { plan: true },
  });
  if (!sub) throw conflict("There is no active test-mode plan to renew.");
  await applyPaymentEvent(
    testSubscriptionEvents.invoicePaid(
      sub.id,
      sub.soldPriceCents ?? sub.plan.priceCents,
      new Date(sub.currentPeriodEnd.getTime() + YEAR_MS),
      "subscription_cycle",
    ),
    now,
  );
}

/** The worker's safety net for a coverage draw whose ticket was not created right away. */
export async function fulfilCoverageJobs(jobs: { payload: unknown }[]) {
  for (const job of jobs) {
    const { escalationId } = job.payload as { escalationId: string };
    await applyPaymentEvent(coverageEvent(escalationId));
  }
}
