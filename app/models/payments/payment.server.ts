import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, providerFor } from "~/services/payments/payments.server";
import { captureExpired } from "~/models/payments/card-hold.server";
import { recordSettlement } from "~/models/tickets/money.server";
import { notifyDesk } from "~/models/tickets/notify.server";
import { honoursProvider, settleTestModePayment } from "~/models/payments/test-money.server";
import { requestReceipt } from "~/models/payments/receipt.server";
import type { Tx } from "~/models/types";

// Captures and releases of authorised payments. The decision (accept, reject,
// expire) commits first and marks the Payment "…_pending" with an outbox job in
// the same transaction; the provider call follows, under a lease so two servers
// never send it at once. Failures stay visible on the Payment and are retried.
export type Goal = "capture" | "cancel";

export const SETTLE_QUEUE = "payment-settle";
const LEASE_MS = 60_000;
// The inline attempt right after the decision usually settles it; the job is the safety net.
const SAFETY_NET_DELAY_MS = 30_000;
export const SETTLE_MAX_ATTEMPTS = 10;
// Stripe's answer to a capture after the charge's capture_before.
export const CHARGE_EXPIRED = "charge_expired_for_capture";

const PENDING: Record<Goal, string> = { capture: "capture_pending", cancel: "cancel_pending" };
const DONE: Record<Goal, string> = { capture: "captured", cancel: "canceled" };
const FAILED: Record<Goal, string> = { capture: "capture_failed", cancel: "cancel_failed" };
const REACHED: Record<Goal, string> = { capture: "succeeded", cancel: "canceled" };
const goalOf = (status: string): Goal | null => (status === "capture_pending" ? "capture" : status === "cancel_pending" ? "cancel" : null);

/**
 * In the decision's transaction: marks the ticket's authorised payment for
 * capture or release and queues the job that guarantees it happens.
 * Returns the payment id, or null when there is nothing to settle.
 */
export async function requestSettlement(tx: Tx, ticketId: string, goal: Goal, now: Date): Promise<string | null> {
  const payment = await tx.payment.findFirst({
    where: { ticketId, status: { in: ["authorized", FAILED[goal]] } },
    select: { id: true },
  });
  if (!payment) return null;
  return markForSettlement(tx, payment.id, goal, now);
}

/** The same for an authorisation that never became a ticket (a second checkout paid anyway). */
export const requestRelease = (tx: Tx, paymentId: string, now: Date) => markForSettlement(tx, paymentId, "cancel", now);

async function markForSettlement(tx: Tx, paymentId: string, goal: Goal, now: Date) {
  await tx.payment.update({ where: { id: paymentId }, data: { status: PENDING[goal], lastError: null } });
  await enqueue(
    tx,
    SETTLE_QUEUE,
    { paymentId },
    {
      dedupeKey: `payment:${paymentId}`,
      runAt: new Date(now.getTime() + SAFETY_NET_DELAY_MS),
      maxAttempts: SETTLE_MAX_ATTEMPTS,
    },
  );
  return paymentId;
}

export type SettleResult = "settled" | "busy" | "nothing";

/**
 * Sends the pending capture or cancel to the provider once. "busy" means
 * another server holds the lease right now; errors are recorded on the Payment
 * and rethrown as PaymentProviderError.
 */
export async function settlePayment(paymentId: string, now = new Date()): Promise<SettleResult> {
  const leased = await db.payment.updateMany({
    where: {
      id: paymentId,
      status: { in: ["capture_pending", "cancel_pending"] },
      OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
    },
    data: { lockedUntil: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
  });
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment) return "nothing";
  const goal = goalOf(payment.status);
  if (!goal) return "nothing";
  if (leased.count === 0) return "busy";
  if (!payment.paymentIntentId) {
    await markSettled(payment, goal);
    return "settled";
  }
  if (!honoursProvider(payment.provider)) return settleTestModePayment(payment, goal);
  const provider = providerFor(payment.provider);
  // A fresh key per attempt: Stripe replays a cached error for a reused key.
  const idempotencyKey = `${goal}-${payment.id}-${payment.attempts}`;
  try {
    await (goal === "capture"
      ? provider.capture(payment.paymentIntentId, { idempotencyKey })
      : provider.cancel(payment.paymentIntentId, { idempotencyKey }));
  } catch (error) {
    // The call may have succeeded before its answer was lost: ask before counting it as failed.
    const current = await provider.retrievePaymentIntent(payment.paymentIntentId).catch(() => null);
    if (current?.status !== REACHED[goal]) {
      const failure = error instanceof PaymentProviderError ? error : new PaymentProviderError(String(error), undefined, true);
      await db.payment.update({ where: { id: paymentId }, data: { lastError: failure.message.slice(0, 500), lockedUntil: null } });
      throw failure;
    }
  }
  await markSettled(payment, goal);
  logger.info(`payment ${paymentId}: ${DONE[goal]}`);
  return "settled";
}

async function markSettled(payment: Parameters<typeof recordSettlement>[1], goal: Goal) {
  await db.$transaction(async (tx) => {
    await tx.payment.update({ where: { id: payment.id }, data: { status: DONE[goal], lastError: null, lockedUntil: null } });
    await recordSettlement(tx, payment, goal === "capture" ? "captured" : "canceled");
    if (goal === "capture") await requestReceipt(tx, { kind: "capture", paymentId: payment.id }, new Date());
  });
}

/** Right after a decision: try at once, and leave failures to the job (they are already recorded). */
export async function settleNow(paymentId: string | null) {
  if (!paymentId) return;
  await settlePayment(paymentId).catch(async (error) => {
    logger.warn(`payment ${paymentId}: settlement failed, will retry (${error instanceof Error ? error.message : "error"})`);
    if (error instanceof PaymentProviderError && !error.retryable) await giveUp(paymentId, error);
  });
}

/** Marks a settlement as failed for good and tells the desk: shown on the ticket with a retry button. */
async function giveUp(paymentId: string, failure: PaymentProviderError) {
  // An expired hold cannot be captured by any retry: the ticket closes unpaid instead (docs/decisions/035).
  if (failure.code === CHARGE_EXPIRED && (await captureExpired(paymentId))) return;
  const message = failure.message;
  const payment = await db.payment.findUnique({
    where: { id: paymentId },
    select: {
      id: true,
      status: true,
      ticketId: true,
      escalationId: true,
      amountCents: true,
      currency: true,
      ticket: { select: { id: true, ownerId: true, thread: { select: { title: true } } } },
    },
  });
  const goal = payment && goalOf(payment.status);
  if (!payment || !goal) return;
  await db.$transaction(async (tx) => {
    const { count } = await tx.payment.updateMany({
      where: { id: paymentId, status: PENDING[goal] },
      data: { status: FAILED[goal], lastError: message.slice(0, 500), lockedUntil: null },
    });
    if (count) await recordSettlement(tx, payment, FAILED[goal] as "capture_failed" | "cancel_failed", message.slice(0, 500));
    if (count && payment.ticket) {
      const ref = { id: payment.ticket.id, ownerId: payment.ticket.ownerId, threadTitle: payment.ticket.thread.title };
      await notifyDesk(tx, ref, (t) => `Payment ${goal === "capture" ? "capture" : "release"} failed for ${t}: needs attention`);
    }
  });
}

/** Queue handler (batch size 1): retries with the queue's backoff until it works or gives up. */
export async function runSettlementJobs(jobs: JobRow[]) {
  for (const job of jobs) {
    const { paymentId } = job.payload as { paymentId: string };
    let result: SettleResult;
    try {
      result = await settlePayment(paymentId);
    } catch (error) {
      const failure = error instanceof PaymentProviderError ? error : new PaymentProviderError(String(error), undefined, true);
      if (!failure.retryable || job.attempts >= job.maxAttempts) {
        await giveUp(paymentId, failure);
        continue;
      }
      throw failure;
    }
    if (result === "busy") throw new Error(`payment ${paymentId} is being settled by another worker`);
  }
}

/** A maintainer's "retry now" on a failed capture or release. */
export async function retrySettlement(tx: Tx, paymentId: string, now: Date) {
  const payment = await tx.payment.findUnique({ where: { id: paymentId }, select: { status: true } });
  const goal: Goal | null = payment?.status === "capture_failed" ? "capture" : payment?.status === "cancel_failed" ? "cancel" : null;
  if (!goal) return null;
  return markForSettlement(tx, paymentId, goal, now);
}
