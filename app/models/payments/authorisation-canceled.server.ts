import { reopenCheckAfterClose } from "~/models/availability/reopen-schedule.server";
import { db } from "~/services/db.server";
import type { PaymentEvent } from "~/services/payments/payments.server";
import type { EventOutcome } from "~/models/payments/event-outcome";
import { recordRelease } from "~/models/payments/money-trail.server";
import { unscheduleClock } from "~/models/tickets/clock.server";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import { canTransition, transition } from "~/models/tickets/state";

/**
 * The authorisation was canceled at the provider. Before payment that just
 * closes the escalation; on a ticket that was never accepted nothing can be
 * captured any more, so the ticket expires (the member pays nothing).
 */
export async function authorisationCanceled(
  event: Extract<PaymentEvent, { type: "payment_intent.canceled" }>,
  now: Date,
): Promise<EventOutcome> {
  const payment = await db.payment.findFirst({
    where: { paymentIntentId: event.paymentIntentId, provider: event.provider },
    select: { id: true, status: true, ticketId: true, escalationId: true, amountCents: true, currency: true },
  });
  if (!payment) {
    if (!event.escalationId) return "ignored";
    const { count } = await db.escalation.updateMany({
      where: { id: event.escalationId, provider: event.provider, state: { in: ["gate_passed", "checkout_open"] } },
      data: { state: "cancelled" },
    });
    return count ? "applied" : "ignored";
  }
  if (payment.status === "canceled" || payment.status === "captured") return "ignored";
  await db.$transaction(async (tx) => {
    const wasCapturing = payment.status === "capture_pending" || payment.status === "capture_failed";
    const t = payment.ticketId
      ? await tx.ticket.findUniqueOrThrow({
          where: { id: payment.ticketId },
          select: { id: true, state: true, acceptedAt: true, ownerId: true, thread: { select: { title: true } } },
        })
      : null;
    // Nothing can be captured any more: an undecided ticket, or an accepted one still waiting for its capture,
    // closes unpaid (docs/decisions/035) instead of staying open with no money behind it.
    const closes = t !== null && canTransition(t, "lapse") && (!t.acceptedAt || wasCapturing);
    await tx.payment.update({
      where: { id: payment.id },
      data:
        wasCapturing && !closes
          ? { status: "capture_failed", lastError: "The authorisation was released before it could be captured.", lockedUntil: null }
          : {
              status: "canceled",
              lastError: wasCapturing ? "The authorisation was released before it could be captured." : null,
              lockedUntil: null,
            },
    });
    await recordRelease(tx, payment, "Released by the payment provider", `provider-released:${payment.id}`);
    if (!t) return;
    const ref = { id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title };
    if (closes) {
      const { count } = await tx.ticket.updateMany({
        where: { id: t.id, state: t.state, acceptedAt: t.acceptedAt },
        data: { state: transition(t, "lapse"), closedAt: now },
      });
      if (count === 0) return;
      await unscheduleClock(tx, t.id);
      await reopenCheckAfterClose(tx);
      await notifyOwner(tx, ref, (title) => `The card authorisation for ${title} was released: the ticket closed and you were not charged`);
      await notifyDesk(tx, ref, (title) => `Authorisation released by the payment provider: ticket for ${title} closed unpaid`);
    } else if (wasCapturing) {
      await notifyDesk(tx, ref, (title) => `Payment for ${title} can no longer be captured: the authorisation was released`);
    }
  });
  return "applied";
}
