import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { providerFor } from "~/services/payments/payments.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { honoursProvider } from "~/models/payments/test-money.server";

// The lost-webhook sweep (docs/decisions/035): every hour, each checkout still
// open in our records an hour after it opened is read again from its provider.
// Paid: it goes through the same fulfilment as the webhook (the same event, so
// a late webhook afterwards is a duplicate); expired: the escalation closes. So
// a webhook Stripe never delivered cannot leave a card held with no ticket.

export const CHECKOUT_SWEEP_QUEUE = "checkout-sweep";
const EVERY_MS = 60 * 60 * 1000;
/** Checkout pages are normally paid or abandoned within minutes; an hour leaves the webhook ample time first. */
export const SWEEP_AFTER_MS = 60 * 60 * 1000;
const BATCH = 100;

export async function scheduleCheckoutSweep(now = new Date()) {
  await enqueue(db, CHECKOUT_SWEEP_QUEUE, { sweep: true }, { dedupeKey: "hourly", runAt: new Date(now.getTime() + EVERY_MS) });
}

export type SweepResult = { fulfilled: number; closed: number; stillOpen: number; failed: number };

export async function sweepOpenCheckouts(now = new Date()): Promise<SweepResult> {
  const stale = await db.escalation.findMany({
    where: {
      state: "checkout_open",
      checkoutSessionId: { not: null },
      updatedAt: { lt: new Date(now.getTime() - SWEEP_AFTER_MS) },
      // A test-mode checkout left over in a production database is nothing to fulfil (docs/decisions/038).
      ...(honoursProvider("test") ? {} : { provider: { not: "test" } }),
    },
    select: { id: true, provider: true, checkoutSessionId: true },
    orderBy: { updatedAt: "asc" },
    take: BATCH,
  });
  const result: SweepResult = { fulfilled: 0, closed: 0, stillOpen: 0, failed: 0 };
  // One id per session and hour: two servers sweeping at once apply it once; a session still processing is read again next hour.
  const round = Math.floor(now.getTime() / EVERY_MS);
  for (const e of stale) {
    const sessionId = e.checkoutSessionId!;
    try {
      const provider = providerFor(e.provider);
      if (!provider.retrieveCheckoutSession) continue;
      const session = await provider.retrieveCheckoutSession(sessionId);
      const base = { id: `sweep_${sessionId}_${round}`, provider: provider.name, sessionId, escalationId: e.id };
      if (session.status === "complete" && session.paymentIntentId) {
        const outcome = await applyPaymentEvent(
          { ...base, type: "checkout.completed", paymentIntentId: session.paymentIntentId, occurredAt: session.occurredAt },
          now,
        );
        if (outcome === "applied") {
          result.fulfilled += 1;
          logger.warn(`checkout sweep: escalation ${e.id} was paid but its webhook never arrived; fulfilled now`);
        } else result.stillOpen += 1;
      } else if (session.status === "expired") {
        await applyPaymentEvent({ ...base, type: "checkout.expired" }, now);
        result.closed += 1;
      } else result.stillOpen += 1;
    } catch (error) {
      // One unreadable session (the provider down) never stops the others.
      result.failed += 1;
      logger.warn(`checkout sweep: escalation ${e.id} could not be checked (${error instanceof Error ? error.message : "error"})`);
    }
  }
  return result;
}

/** Queue handler: the next sweep is queued before the work so a failure cannot end the chain. */
export async function runCheckoutSweepJob(_jobs: JobRow[]) {
  const now = new Date();
  await scheduleCheckoutSweep(now);
  await sweepOpenCheckouts(now);
}
