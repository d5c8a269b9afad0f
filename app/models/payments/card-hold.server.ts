import { reopenCheckAfterClose } from "~/models/availability/reopen-schedule.server";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { conflict } from "~/utils/errors";
import { HOLD_WARNING_LEAD_MS, holdEndsAt, holdLapsed, type HoldRow } from "~/models/payments/card-hold";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { requestSettlement, settleNow } from "~/models/payments/payment.server";
import { formatDuration } from "~/models/tickets/sla";
import { unscheduleClock } from "~/models/tickets/clock.server";
import { notifyDesk, notifyOwner, type TicketRef } from "~/models/tickets/notify.server";
import { canTransition, transition, type TicketState } from "~/models/tickets/state";
import type { Tx } from "~/models/types";

// Card holds that lapse (docs/decisions/035). A ticket is never left open and
// unpaid because its authorisation ran out: a day ahead the desk is told; at
// capture_before an undecided ticket closes as expired with no charge; an
// accept after it is refused (409); and a capture Stripe refuses with
// charge_expired_for_capture closes the ticket the same way.

export const HOLD_QUEUE = "card-hold";
type HoldPayload = { ticketId: string; kind: "warning" | "lapse" };

const key = (ticketId: string, kind: HoldPayload["kind"]) => `hold:${ticketId}:${kind}`;

/** In the ticket's creating transaction: the warning a day before the hold ends, and the lapse at its end. */
export async function scheduleHoldWatch(tx: Tx, t: { id: string; captureBefore: Date | null }, now: Date) {
  if (!t.captureBefore) return;
  const warnAt = new Date(Math.max(now.getTime(), t.captureBefore.getTime() - HOLD_WARNING_LEAD_MS));
  if (t.captureBefore > now)
    await enqueue(tx, HOLD_QUEUE, { ticketId: t.id, kind: "warning" }, { dedupeKey: key(t.id, "warning"), runAt: warnAt });
  await enqueue(tx, HOLD_QUEUE, { ticketId: t.id, kind: "lapse" }, { dedupeKey: key(t.id, "lapse"), runAt: t.captureBefore });
}

const holdSelect = {
  id: true,
  state: true,
  ownerId: true,
  acceptedAt: true,
  deadlineAt: true,
  pausedAt: true,
  thread: { select: { title: true } },
  payments: {
    orderBy: { createdAt: "desc" },
    take: 1,
    select: { id: true, status: true, captureBefore: true, amountCents: true, currency: true, escalationId: true },
  },
} satisfies Prisma.TicketSelect;
type HoldTicket = Prisma.TicketGetPayload<{ select: typeof holdSelect }>;

const rowOf = (t: HoldTicket): HoldRow => ({ ...t, payment: t.payments[0] ?? null });
const refOf = (t: HoldTicket): TicketRef => ({ id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title });

/**
 * Closes the ticket because its card can no longer be charged: expired, no
 * charge, the member told they may escalate again. Returns the payment whose
 * release is still to be sent, or false when the ticket had moved on.
 */
async function closeForLapsedHold(tx: Tx, t: HoldTicket, now: Date, captureRefused: boolean): Promise<string | null | false> {
  const payment = t.payments[0]!;
  const state = t.state as TicketState;
  if (canTransition(t, "lapse")) {
    const { count } = await tx.ticket.updateMany({ where: { id: t.id, state }, data: { state: transition(t, "lapse"), closedAt: now } });
    if (count === 0) return false;
    await unscheduleClock(tx, t.id);
    await reopenCheckAfterClose(tx);
    await notifyOwner(
      tx,
      refOf(t),
      (title) =>
        `The card hold for ${title} ended before the payment could be taken: the ticket closed and you were not charged. You can escalate again`,
    );
  }
  // A hold still "authorized" is released through the settlement outbox, which records the release itself.
  await recordMoneyEvent(tx, {
    kind: payment.status === "authorized" ? "release_requested" : "released",
    amountCents: payment.amountCents,
    currency: payment.currency,
    ticketId: t.id,
    escalationId: payment.escalationId,
    paymentId: payment.id,
    reason: captureRefused
      ? "The payment provider refused the capture: the card hold had expired"
      : "The card hold lapsed before the ticket was accepted",
    reference: `hold-lapsed:${payment.id}`,
  });
  await notifyDesk(tx, refOf(t), (title) => `Card hold for ${title} lapsed before it was captured: the ticket closed unpaid`);
  // Stripe has released the hold itself; asking once more frees it if our copy of capture_before ran ahead of Stripe's.
  if (payment.status === "authorized") return requestSettlement(tx, t.id, "cancel", now);
  await tx.payment.update({
    where: { id: payment.id },
    data: { status: "canceled", lastError: "The card hold expired before the payment was captured.", lockedUntil: null },
  });
  return null;
}

/** The hold of an undecided ticket has run out: the ticket closes. Returns whether it did. */
export async function closeLapsedHold(ticketId: string, now = new Date()): Promise<boolean> {
  const released = await db.$transaction(async (tx) => {
    const t = await tx.ticket.findUnique({ where: { id: ticketId }, select: holdSelect });
    if (!t || !holdLapsed(rowOf(t), now)) return false;
    return closeForLapsedHold(tx, t, now, false);
  });
  if (typeof released === "string") await settleNow(released);
  return released !== false;
}

/** Before an accept: a lapsed hold cannot be captured, so the accept is refused and the ticket closes. */
export async function refuseLapsedHold(ticketId: string, now: Date) {
  if (!(await closeLapsedHold(ticketId, now))) return;
  throw conflict(
    "The member's card hold ended before this ticket was accepted, so the payment can no longer be taken. The ticket closed without a charge and the member was told they may escalate again.",
  );
}

/** Stripe refused a capture with charge_expired_for_capture: the accepted ticket must not stay open and unpaid. */
export async function captureExpired(paymentId: string, now = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const payment = await tx.payment.findUnique({ where: { id: paymentId }, select: { status: true, ticketId: true } });
    if (!payment?.ticketId || !["capture_pending", "capture_failed"].includes(payment.status)) return false;
    const t = await tx.ticket.findUniqueOrThrow({ where: { id: payment.ticketId }, select: holdSelect });
    return (await closeForLapsedHold(tx, t, now, true)) !== false;
  });
}

/** After an accept whose capture Stripe refused because the hold had expired: say so instead of showing a closed ticket. */
export async function explainExpiredCapture(ticketId: string) {
  const payment = await db.payment.findFirst({ where: { ticketId }, orderBy: { createdAt: "desc" }, select: { id: true, status: true } });
  if (!payment || payment.status !== "canceled") return;
  const lapsed = await db.moneyEvent.count({ where: { reference: `hold-lapsed:${payment.id}` } });
  if (lapsed) {
    throw conflict(
      "The payment provider refused the capture because the member's card hold had expired. The ticket closed without a charge and the member was told they may escalate again.",
    );
  }
}

/** A day before the hold ends, if nobody has decided yet. */
async function warnHoldEnding(ticketId: string, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const t = await tx.ticket.findUnique({ where: { id: ticketId }, select: holdSelect });
    const end = t && holdEndsAt(rowOf(t));
    if (!t || !end || end <= now || !canTransition(t, "lapse")) return false;
    const left = formatDuration(end.getTime() - now.getTime());
    await notifyDesk(
      tx,
      refOf(t),
      (title) => `Card hold ends in ${left} for ${title}: accept or reject before then, or the member can no longer be charged`,
      {
        kind: "sla_warning",
      },
    );
    return true;
  });
}

export async function runHoldJob(payload: HoldPayload, now = new Date()): Promise<boolean> {
  return payload.kind === "warning" ? warnHoldEnding(payload.ticketId, now) : closeLapsedHold(payload.ticketId, now);
}

export async function runHoldJobs(jobs: JobRow[]) {
  for (const job of jobs) await runHoldJob(job.payload as HoldPayload);
}
