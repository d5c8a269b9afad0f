import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { addEntry, balanceOf, lockSubscription } from "~/models/insurance/coverage-ledger.server";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import type { Tx } from "~/models/types";

// The end of a support plan (docs/decisions/037). A plan set not to renew stays
// usable until its period ends, then ends: Stripe says so with
// customer.subscription.deleted, and a job queued for that moment ends it too in
// case the event is late or lost (test mode has no such event at all). Whichever
// comes first ends it; the other finds it done. Coverage is never drawn after
// currentPeriodEnd in any case (see coveredWhere in insurance.server.ts).

export const PLAN_END_QUEUE = "insurance-plan-end";

/**
 * Marks the plan ended at `endsAt` and lapses what is left of its coverage, once
 * (the lapse's reference is per plan). Returns false if it had already ended.
 * The caller holds the subscription's lock.
 */
export async function endPlan(tx: Tx, sub: { id: string; currency: string }, endsAt: Date, reason: string) {
  const { count } = await tx.insuranceSubscription.updateMany({
    where: { id: sub.id, status: { not: "canceled" } },
    data: { status: "canceled", currentPeriodEnd: endsAt },
  });
  if (!count) return false;
  const left = await balanceOf(tx, sub.id);
  if (left > 0) {
    await addEntry(tx, { subscriptionId: sub.id, amountCents: -left, kind: "lapse", reference: `end:${sub.id}` });
    await recordMoneyEvent(tx, {
      kind: "coverage_lapse",
      amountCents: left,
      currency: sub.currency,
      subscriptionId: sub.id,
      reason,
      reference: `coverage_lapse:end:${sub.id}`,
    });
  }
  return true;
}

/** Queues the end of a plan set not to renew; a later change of its period moves the one pending job. */
export async function schedulePlanEnd(tx: Tx, subscriptionId: string, at: Date) {
  await enqueue(tx, PLAN_END_QUEUE, { subscriptionId }, { dedupeKey: `plan-end:${subscriptionId}`, runAt: at });
}

/** Ends the plan if it was set not to renew and its period is over; anything else (resumed, renewed, not yet) leaves it. */
export async function endPlanIfDue(subscriptionId: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    await lockSubscription(tx, subscriptionId);
    const sub = await tx.insuranceSubscription.findUnique({
      where: { id: subscriptionId },
      include: { plan: { select: { currency: true } } },
    });
    if (!sub || !["active", "past_due"].includes(sub.status) || !sub.cancelAtPeriodEnd || sub.currentPeriodEnd > now) return false;
    return endPlan(
      tx,
      { id: sub.id, currency: sub.plan.currency },
      sub.currentPeriodEnd,
      "The plan was set not to renew and its period ended",
    );
  });
}

/** Queue handler (batch size 1). */
export async function runPlanEndJobs(jobs: Pick<JobRow, "payload">[]) {
  for (const job of jobs) await endPlanIfDue((job.payload as { subscriptionId: string }).subscriptionId);
}
