import { reopenCheckAfterClose } from "~/models/availability/reopen-schedule.server";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { requestSettlement, settleNow } from "~/models/payments/payment.server";
import { describeTimeLeft, isDue, isPaused, warningAt } from "~/models/tickets/sla";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import { sendSlaWarningMails } from "~/models/desk/digest.server";
import { refundNow, refundUndelivered } from "~/models/tickets/refund.server";
import { recordTicketDecision } from "~/models/tickets/money.server";
import { transition } from "~/models/tickets/state";
import type { Tx } from "~/models/types";

// The response clock as jobs (docs/product.md §4.8): one at the deadline, one at the
// warning time. Jobs are claimed atomically (docs/decisions/009) and every
// change below is a conditional update, so a second run, or an expiry racing
// an accept, changes nothing and releases nothing twice.

export const CLOCK_QUEUE = "ticket-clock";
type ClockKind = "deadline" | "warning";
type ClockPayload = { ticketId: string; kind: ClockKind };

const key = (ticketId: string, kind: ClockKind) => `ticket:${ticketId}:${kind}`;

export async function scheduleClock(tx: Tx, t: { id: string; deadlineAt: Date; responseHours: number }, now: Date) {
  await enqueue(tx, CLOCK_QUEUE, { ticketId: t.id, kind: "deadline" }, { dedupeKey: key(t.id, "deadline"), runAt: t.deadlineAt });
  const warnAt = warningAt({ deadlineAt: t.deadlineAt, pausedAt: null, remainingMs: null }, t.responseHours);
  if (warnAt > now) {
    await enqueue(tx, CLOCK_QUEUE, { ticketId: t.id, kind: "warning" }, { dedupeKey: key(t.id, "warning"), runAt: warnAt });
  }
}

/** A paused clock has nothing due: its pending jobs go, and resuming schedules new ones. */
export async function unscheduleClock(tx: Tx, ticketId: string) {
  await tx.job.deleteMany({
    where: { queue: CLOCK_QUEUE, dedupeKey: { in: [key(ticketId, "deadline"), key(ticketId, "warning")] }, state: "pending" },
  });
}

const clockSelect = {
  id: true,
  state: true,
  ownerId: true,
  escalationId: true,
  deadlineAt: true,
  pausedAt: true,
  remainingMs: true,
  warnedAt: true,
  firstResponseAt: true,
  acceptedAt: true,
  soldResponseHours: true,
  thread: { select: { title: true } },
} satisfies Prisma.TicketSelect;

/**
 * Expires a ticket nobody accepted or rejected in time and releases its
 * authorisation. Returns false when the ticket is not (or no longer) due.
 */
export async function expireIfDue(ticketId: string, now = new Date()): Promise<boolean> {
  const outcome = await db.$transaction(async (tx) => {
    const t = await tx.ticket.findUnique({ where: { id: ticketId }, select: clockSelect });
    if (!t || t.state !== "awaiting_acceptance" || !isDue(t, now)) return false;
    const { count } = await tx.ticket.updateMany({
      where: { id: ticketId, state: "awaiting_acceptance", pausedAt: null, deadlineAt: { lte: now } },
      data: { state: transition(t, "expire"), closedAt: now },
    });
    if (count === 0) return false;
    await reopenCheckAfterClose(tx);
    await recordTicketDecision(tx, ticketId, "release_requested", { reason: "expired: the response deadline passed unanswered" });
    // A payment captured outside Backline has no hold to release: a missed promise gives it back in full.
    const captured = await tx.payment.findFirst({ where: { ticketId, status: "captured" }, select: { id: true } });
    const refund = captured
      ? await refundUndelivered(
          tx,
          captured.id,
          "The response promise was missed: refunded in full",
          { ticketId, escalationId: t.escalationId },
          now,
        )
      : null;
    const ref = { id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title };
    const result = captured ? "the payment is refunded in full" : "the authorisation was released and you were not charged";
    await notifyOwner(tx, ref, (title) => `Your paid ticket for ${title} expired unanswered: ${result}`);
    await notifyDesk(
      tx,
      ref,
      (title) =>
        `Ticket for ${title} expired: the response promise was missed and ${captured ? "the payment is refunded" : "the authorisation released"}`,
    );
    return { settle: await requestSettlement(tx, ticketId, "cancel", now), refund };
  });
  if (outcome === false) return false;
  if (outcome.settle) await settleNow(outcome.settle);
  if (outcome.refund) await refundNow(outcome.refund, now);
  return true;
}

/** A heads-up to the desk while a quarter of the promised time is left. */
async function warnIfDue(ticketId: string, now: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const t = await tx.ticket.findUnique({ where: { id: ticketId }, select: clockSelect });
    if (!t || t.warnedAt || isPaused(t) || isDue(t, now)) return false;
    const awaitingFirstAnswer = t.state === "awaiting_acceptance" || (t.state === "open" && !t.firstResponseAt);
    if (!awaitingFirstAnswer || now < warningAt(t, t.soldResponseHours)) return false;
    const { count } = await tx.ticket.updateMany({ where: { id: ticketId, warnedAt: null }, data: { warnedAt: now } });
    if (count === 0) return false;
    const ask = t.state === "awaiting_acceptance" ? "to accept or reject" : "for a first answer on";
    await notifyDesk(
      tx,
      { id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title },
      (title) => `${describeTimeLeft(t, now)} ${ask} ${title}`,
      {
        kind: "sla_warning",
      },
    );
    return true;
  });
}

/** Runs one clock job; a job that fired early (clock skew between servers) is put back for the deadline. */
export async function runClockJob(payload: ClockPayload, now = new Date()): Promise<"expired" | "warned" | "rescheduled" | "noop"> {
  if (payload.kind === "warning") {
    if (!(await warnIfDue(payload.ticketId, now))) return "noop";
    // The in-app warning is committed; the e-mail goes out now, not with the batched notification e-mail.
    await sendSlaWarningMails(payload.ticketId, now);
    return "warned";
  }
  if (await expireIfDue(payload.ticketId, now)) return "expired";
  const t = await db.ticket.findUnique({ where: { id: payload.ticketId }, select: clockSelect });
  if (t && t.state === "awaiting_acceptance" && !isPaused(t) && t.deadlineAt > now) {
    await db.$transaction((tx) => scheduleClock(tx, { id: t.id, deadlineAt: t.deadlineAt, responseHours: t.soldResponseHours }, now));
    return "rescheduled";
  }
  return "noop";
}

export async function runClockJobs(jobs: JobRow[]) {
  for (const job of jobs) await runClockJob(job.payload as ClockPayload);
}
