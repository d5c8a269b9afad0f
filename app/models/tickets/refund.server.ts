import { z } from "zod";
import { db } from "~/services/db.server";
import { enqueue, runPendingJobNow, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, providerFor, type ProviderRefund } from "~/services/payments/payments.server";
import { badRequest, conflict, notFound } from "~/utils/errors";
import { formatPrice, toSmallestUnit, TYPED_AMOUNT } from "~/utils/money";
import { parseOrThrow } from "~/utils/validation";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { can, requirePermission } from "~/models/permissions";
import { requestReceipt } from "~/models/payments/receipt.server";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import type { Actor, Tx } from "~/models/types";

// Refunds of a captured ticket (docs/decisions/036). The decision commits a
// pending Refund, its trail entry and an outbox job in one transaction, under
// the Payment's row lock, so two maintainers refunding at once can never give
// back more than was captured. The provider call follows, tried at once and
// retried by the job; Stripe keeps our Refund id in metadata, so an attempt
// whose answer was lost is found again instead of being sent twice.

export const REFUND_QUEUE = "ticket-refund";
const SAFETY_NET_DELAY_MS = 30_000;
const MAX_ATTEMPTS = 40;

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);

export const refundSchema = z
  .object({
    amountCents: z
      .preprocess(
        blankToUndefined,
        z.coerce
          .number({ error: "Give the amount in cents, e.g. 2500 for 25.00." })
          .int("Give the amount in whole cents.")
          .positive("The amount must be more than zero.")
          .optional(),
      )
      .describe("In the currency's smallest unit; leave out to refund everything that is left"),
    amount: z
      .preprocess(
        blankToUndefined,
        z
          .string({ error: "Give the amount like 12.50." })
          .trim()
          .regex(TYPED_AMOUNT, "Give the amount like 12.50, with at most two decimals.")
          .optional(),
      )
      .describe('The same in the currency\'s main unit, as a person types it ("12.50"); instead of amountCents'),
    reason: z
      .string({ error: "Say why you refund, in a sentence." })
      .trim()
      .min(5, "Say why you refund, in a sentence.")
      .max(500, "At most 500 characters."),
  })
  .refine((d) => d.amount === undefined || d.amountCents === undefined, {
    path: ["amount"],
    error: "Give the amount once: amount or amountCents.",
  })
  .meta({ id: "TicketRefundInput" });

// Pending refunds count against what is left: they are already promised.
const HOLDING = ["pending", "succeeded"];

/** Money still refundable on a payment, from its refunds (the row lock must be held to rely on it). */
export async function refundableCents(tx: Tx, payment: { id: string; amountCents: number }) {
  const held = await tx.refund.aggregate({ where: { paymentId: payment.id, status: { in: HOLDING } }, _sum: { amountCents: true } });
  return payment.amountCents - (held._sum.amountCents ?? 0);
}

export const lockPayment = (tx: Tx, paymentId: string) => tx.$queryRaw`select id from "Payment" where id = ${paymentId} for update`;

/**
 * In the caller's transaction, with the payment row locked: a pending refund, its trail entry and the job
 * that guarantees it reaches the provider. Returns the refund's id.
 */
export async function queueRefund(
  tx: Tx,
  r: {
    payment: { id: string; currency: string };
    amountCents: number;
    reason: string;
    actorId: string | null;
    ticketId: string | null;
    escalationId: string | null;
  },
  now: Date,
) {
  const refund = await tx.refund.create({
    data: {
      paymentId: r.payment.id,
      amountCents: r.amountCents,
      currency: r.payment.currency,
      reason: r.reason,
      status: "pending",
      actorId: r.actorId,
    },
  });
  await recordMoneyEvent(tx, {
    kind: "refund_requested",
    amountCents: r.amountCents,
    currency: r.payment.currency,
    ticketId: r.ticketId,
    escalationId: r.escalationId,
    paymentId: r.payment.id,
    actorId: r.actorId,
    reason: r.reason,
    reference: `refund_requested:${refund.id}`,
  });
  await enqueue(
    tx,
    REFUND_QUEUE,
    { refundId: refund.id },
    {
      dedupeKey: `refund:${refund.id}`,
      runAt: new Date(now.getTime() + SAFETY_NET_DELAY_MS),
      maxAttempts: MAX_ATTEMPTS,
    },
  );
  return refund.id;
}

/**
 * Money taken for something that will not be delivered (a ticket captured outside Backline that expired
 * unanswered, or a second checkout captured while another ticket was open) is given back in full, once.
 * Returns the refund to send now, or null when nothing is left to give back.
 */
export async function refundUndelivered(
  tx: Tx,
  paymentId: string,
  reason: string,
  where: { ticketId: string | null; escalationId: string | null },
  now: Date,
): Promise<string | null> {
  await lockPayment(tx, paymentId);
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (payment.status !== "captured") return null;
  const left = await refundableCents(tx, payment);
  if (left <= 0) return null;
  return queueRefund(tx, { payment, amountCents: left, reason, actorId: null, ...where }, now);
}

/** A maintainer refunds all or part of a captured ticket. Returns the refund's id. */
export async function requestTicketRefund(actor: Actor, ticketId: string, input: unknown, now = new Date()) {
  const ticket = await db.ticket.findUnique({
    where: { id: ticketId },
    select: { id: true, ownerId: true, escalationId: true, thread: { select: { title: true } } },
  });
  if (!ticket || !can(actor, "ticket:read", ticket.ownerId)) throw notFound("No such ticket.");
  requirePermission(actor, "ticket:decide");
  const data = parseOrThrow(refundSchema, input);
  const refundId = await db.$transaction(async (tx) => {
    const latest = await tx.payment.findFirst({ where: { ticketId }, orderBy: { createdAt: "desc" }, select: { id: true } });
    if (!latest) throw conflict("This ticket has no payment to refund.");
    await lockPayment(tx, latest.id);
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: latest.id } });
    if (payment.status !== "captured") {
      throw conflict(
        `Only a captured payment can be refunded; this one is ${payment.status.replace(/_/g, " ")}. A hold that was never captured is released instead.`,
      );
    }
    const left = await refundableCents(tx, payment);
    if (left <= 0) throw conflict("This payment is already fully refunded.");
    const field = data.amount !== undefined ? "amount" : "amountCents";
    const asked = data.amount !== undefined ? toSmallestUnit(data.amount, payment.currency) : data.amountCents;
    if (asked === null) {
      throw badRequest(`${payment.currency.toUpperCase()} has no decimals.`, { amount: "Give a whole amount." });
    }
    if (asked === 0) throw badRequest("The amount must be more than zero.", { [field]: "The amount must be more than zero." });
    const amount = asked ?? left;
    if (amount > left) {
      throw badRequest(`Only ${formatPrice(left, payment.currency)} is left to refund on this payment.`, {
        [field]:
          field === "amount"
            ? `At most ${formatPrice(left, payment.currency)}.`
            : `At most ${left} (${formatPrice(left, payment.currency)}).`,
      });
    }
    return queueRefund(
      tx,
      { payment, amountCents: amount, reason: data.reason, actorId: actor.id, ticketId, escalationId: ticket.escalationId },
      now,
    );
  });
  await refundNow(refundId, now);
  return refundId;
}

const refundWithPayment = (tx: Tx, id: string) =>
  tx.refund.findUnique({
    where: { id },
    include: {
      payment: { include: { ticket: { select: { id: true, ownerId: true, escalationId: true, thread: { select: { title: true } } } } } },
    },
  });
type RefundRow = NonNullable<Awaited<ReturnType<typeof refundWithPayment>>>;

const refOf = (r: RefundRow) =>
  r.payment.ticket ? { id: r.payment.ticket.id, ownerId: r.payment.ticket.ownerId, threadTitle: r.payment.ticket.thread.title } : null;

/**
 * The provider confirmed a refund: once per refund (a pending row moves once), the money is
 * counted on the Payment, the trail and the member's receipt are written in the same transaction.
 */
export async function markRefundSucceeded(tx: Tx, refundId: string, providerRefundId: string, now: Date) {
  const { count } = await tx.refund.updateMany({
    where: { id: refundId, status: { in: ["pending", "failed"] } },
    data: { status: "succeeded", providerRefundId, lastError: null },
  });
  if (!count) return false;
  const r = (await refundWithPayment(tx, refundId))!;
  await tx.payment.update({ where: { id: r.paymentId }, data: { refundedCents: { increment: r.amountCents } } });
  await recordMoneyEvent(tx, {
    kind: "refunded",
    amountCents: r.amountCents,
    currency: r.currency,
    ticketId: r.payment.ticketId,
    escalationId: r.payment.escalationId,
    paymentId: r.paymentId,
    actorId: r.actorId,
    reason: r.reason,
    reference: `refunded:${providerRefundId}`,
    data: { source: r.source, providerRefundId },
  });
  const ticket = refOf(r);
  if (ticket) {
    const amount = formatPrice(r.amountCents, r.currency);
    await notifyOwner(tx, ticket, (title) => `${amount} of your payment for ${title} was refunded`);
    await requestReceipt(tx, { kind: "refund", refundId }, now);
  }
  return true;
}

async function markRefundFailed(refundId: string, message: string) {
  await db.$transaction(async (tx) => {
    const { count } = await tx.refund.updateMany({
      where: { id: refundId, status: "pending" },
      data: { status: "failed", lastError: message.slice(0, 500) },
    });
    if (!count) return;
    const r = (await refundWithPayment(tx, refundId))!;
    await recordMoneyEvent(tx, {
      kind: "refund_failed",
      amountCents: r.amountCents,
      currency: r.currency,
      ticketId: r.payment.ticketId,
      escalationId: r.payment.escalationId,
      paymentId: r.paymentId,
      reason: message.slice(0, 500),
      reference: `refund_failed:${refundId}`,
    });
    const ticket = refOf(r);
    if (ticket) await notifyDesk(tx, ticket, (t) => `A refund on ${t} failed: ${message.slice(0, 120)}`);
  });
}

/** Sends one pending refund to the provider; a lost answer from an earlier attempt is adopted, not repeated. */
async function sendRefund(refundId: string, attempt: number, now: Date) {
  const r = await refundWithPayment(db, refundId);
  if (!r || r.status !== "pending") return;
  const payment = r.payment;
  const provider = providerFor(payment.provider);
  if (!provider.refundPayment || !payment.paymentIntentId) {
    await markRefundFailed(refundId, `The ${payment.provider} provider cannot refund this payment.`);
    return;
  }
  let done: ProviderRefund | undefined;
  if (attempt > 1 && provider.listRefunds)
    done = (await provider.listRefunds(payment.paymentIntentId)).find((p) => p.refundId === refundId);
  try {
    done ??= await provider.refundPayment(
      {
        refundId,
        ticketId: payment.ticketId ?? "",
        paymentIntentId: payment.paymentIntentId,
        amountCents: r.amountCents,
        currency: r.currency,
      },
      // A fresh key per attempt: Stripe replays a cached error for a reused key; the metadata lookup above prevents doubles.
      { idempotencyKey: `refund-${refundId}-${attempt}` },
    );
  } catch (error) {
    if (error instanceof PaymentProviderError && !error.retryable) {
      await markRefundFailed(refundId, error.message);
      return;
    }
    await db.refund.update({
      where: { id: refundId },
      data: { lastError: String(error instanceof Error ? error.message : error).slice(0, 500) },
    });
    throw error;
  }
  if (done.status === "failed" || done.status === "canceled") {
    await markRefundFailed(refundId, `The provider reports the refund ${done.status}.`);
    return;
  }
  // Stripe may answer "pending" for some payment methods: the provider id is kept and refund.updated settles it.
  if (done.status !== "succeeded") {
    await db.refund.updateMany({ where: { id: refundId, providerRefundId: null }, data: { providerRefundId: done.id } });
    return;
  }
  await db.$transaction((tx) => markRefundSucceeded(tx, refundId, done.id, now));
  logger.info(`refund ${refundId}: succeeded`);
}

/** Right after the decision: takes the job's lease and sends the refund; a failure stays with the job's backoff. */
export const refundNow = (refundId: string, now = new Date()) =>
  runPendingJobNow(REFUND_QUEUE, `refund:${refundId}`, (job) => sendRefund(refundId, job.attempts, now), now);

/** Queue handler (batch size 1): retried with the queue's backoff; the last failure marks the refund failed. */
export async function runRefundJobs(jobs: JobRow[]) {
  for (const job of jobs) {
    const { refundId } = job.payload as { refundId: string };
    try {
      await sendRefund(refundId, job.attempts, new Date());
    } catch (error) {
      if (job.attempts >= job.maxAttempts) {
        await markRefundFailed(refundId, error instanceof Error ? error.message : String(error));
        continue;
      }
      throw error;
    }
  }
}

/** The refunds of a ticket's payment, for the desk. */
export async function refundsForPayment(paymentId: string) {
  const rows = await db.refund.findMany({
    where: { paymentId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      amountCents: true,
      currency: true,
      reason: true,
      status: true,
      source: true,
      lastError: true,
      createdAt: true,
      actor: { select: { username: true } },
    },
  });
  return rows.map(({ actor, ...r }) => ({ ...r, by: actor?.username ?? null }));
}
