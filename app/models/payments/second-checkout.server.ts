import type { Prisma } from "~/generated/prisma/client";
import { logger } from "~/services/logger.server";
import type { PaymentIntentInfo } from "~/services/payments/payments.server";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { requestRelease } from "~/models/payments/payment.server";
import { refundUndelivered } from "~/models/tickets/refund.server";

// A second checkout for a thread the member already has a ticket for, paid anyway
// (docs/decisions/029): it gets no ticket, and its money goes back.

/** Closes a second checkout's escalation and records its payment, once (null when a replay got there first). */
async function recordSecondPayment(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: { id: string; amount: number; currency: string },
  status: "authorized" | "captured",
) {
  const claimed = await tx.escalation.updateMany({
    where: { id: escalation.id, state: { not: "paid" }, paymentIntentId: null },
    data: { state: "cancelled", paymentIntentId: intent.id },
  });
  if (claimed.count === 0) return null;
  return tx.payment.create({
    data: {
      escalationId: escalation.id,
      provider: escalation.provider,
      paymentIntentId: intent.id,
      status,
      amountCents: intent.amount,
      currency: intent.currency,
    },
    select: { id: true },
  });
}

/**
 * A second checkout for a thread the member already has a ticket for was paid
 * anyway: no second ticket; its authorisation is released through the same
 * outbox as a rejected ticket's. Returns the payment to settle, once.
 */
export async function releaseSecondAuthorisation(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: { id: string; amount: number; currency: string },
  now: Date,
): Promise<string | null> {
  const payment = await recordSecondPayment(tx, escalation, intent, "authorized");
  if (!payment) return null;
  logger.info(`escalation ${escalation.id}: paid while another ticket for the thread is open; releasing the authorisation`);
  return requestRelease(tx, payment.id, now);
}

/**
 * The same, but the second payment was already captured outside Backline: there
 * is no hold to release, so the money is given back in full (a refund through
 * the refund outbox). Returns the refund to send, once.
 */
export async function refundSecondCapture(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: PaymentIntentInfo,
  now: Date,
): Promise<string | null> {
  const payment = await recordSecondPayment(tx, escalation, intent, "captured");
  if (!payment) return null;
  await recordMoneyEvent(tx, {
    kind: "captured_elsewhere",
    amountCents: intent.amount,
    currency: intent.currency,
    escalationId: escalation.id,
    paymentId: payment.id,
    reason: "A second checkout for a thread with an open ticket, captured outside Backline",
    reference: `captured-elsewhere:${intent.id}`,
  });
  logger.warn(`escalation ${escalation.id}: a second checkout was captured outside Backline while another ticket is open; refunding it`);
  const reason = "A second payment for a thread that already has a ticket: refunded in full";
  return refundUndelivered(tx, payment.id, reason, { ticketId: null, escalationId: escalation.id }, now);
}
