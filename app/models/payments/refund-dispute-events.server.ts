import { db } from "~/services/db.server";
import { providerFor, type PaymentEvent, type ProviderRefund } from "~/services/payments/payments.server";
import { formatPrice } from "~/utils/money";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { notifyDesk } from "~/models/tickets/notify.server";
import { lockPayment, markRefundSucceeded } from "~/models/tickets/refund.server";

// What happens to a payment on the provider's side after capture
// (docs/decisions/036): refunds made in Stripe's dashboard and chargebacks.
// Refunds are read back from the provider rather than from the event, so
// every shape of charge.refunded / refund.* leads to the same records; ours
// are matched by the Refund id in their metadata or by providerRefundId, so
// nothing is counted twice.
type Outcome = "applied" | "ignored";
type PaymentRow = { id: string; provider: string; paymentIntentId: string | null; currency: string; ticketId: string | null };

const paymentOf = (provider: string, paymentIntentId: string) =>
  db.payment.findFirst({
    where: { provider, paymentIntentId },
    orderBy: { createdAt: "desc" },
    select: { id: true, provider: true, paymentIntentId: true, currency: true, ticketId: true, escalationId: true },
  });

/** Brings our Refund rows in line with the provider's list; returns what changed, one line each. */
export async function syncProviderRefunds(payment: PaymentRow, refunds: ProviderRefund[], now = new Date()): Promise<string[]> {
  const changes: string[] = [];
  for (const p of refunds) {
    if (p.status !== "succeeded") continue;
    const done = await db.$transaction(async (tx) => {
      await lockPayment(tx, payment.id);
      const ours =
        (await tx.refund.findUnique({ where: { providerRefundId: p.id } })) ??
        (p.refundId ? await tx.refund.findFirst({ where: { id: p.refundId, paymentId: payment.id } }) : null);
      if (ours?.status === "succeeded") return null;
      const row =
        ours ??
        (await tx.refund.create({
          data: {
            paymentId: payment.id,
            providerRefundId: p.id,
            amountCents: p.amountCents,
            currency: payment.currency,
            status: "pending",
            source: "provider",
            reason: "Refunded at the payment provider",
          },
        }));
      await markRefundSucceeded(tx, row.id, p.id, now);
      return ours
        ? `refund ${row.id}: the provider refunded it (${p.id}); recorded as succeeded`
        : `refund ${p.id} made at the provider: recorded`;
    });
    if (done) changes.push(`payment ${payment.id}: ${done} (${formatPrice(p.amountCents, payment.currency)})`);
  }
  return changes;
}

export async function providerRefundsChanged(event: Extract<PaymentEvent, { type: "refunds.changed" }>, now: Date): Promise<Outcome> {
  const payment = await paymentOf(event.provider, event.paymentIntentId);
  if (!payment) return "ignored";
  const list = await providerFor(payment.provider).listRefunds?.(event.paymentIntentId);
  await syncProviderRefunds(payment, list ?? [], now);
  return "applied";
}

/** Dispute statuses after which nothing more happens. */
export const CLOSED_DISPUTE_STATUSES = ["won", "lost", "warning_closed"];

/** A chargeback opened, moved on or closed: the payment shows it and the desk is told. */
export async function disputeChanged(
  event: Extract<PaymentEvent, { type: "dispute.opened" | "dispute.updated" | "dispute.closed" }>,
  _now: Date,
): Promise<Outcome> {
  const payment = await paymentOf(event.provider, event.paymentIntentId);
  if (!payment) return "ignored";
  await db.$transaction(async (tx) => {
    await lockPayment(tx, payment.id);
    const current = await tx.payment.findUniqueOrThrow({ where: { id: payment.id }, select: { disputeStatus: true } });
    // Events can arrive out of order: a closed dispute is never reopened by a late "created".
    const status =
      current.disputeStatus && CLOSED_DISPUTE_STATUSES.includes(current.disputeStatus) && event.type !== "dispute.closed"
        ? current.disputeStatus
        : event.status;
    await tx.payment.update({
      where: { id: payment.id },
      data: { disputeId: event.disputeId, disputeStatus: status, disputedCents: event.amountCents },
    });
    if (event.type === "dispute.updated") return;
    const opened = event.type === "dispute.opened";
    const written = await recordMoneyEvent(tx, {
      kind: opened ? "dispute_opened" : "dispute_closed",
      amountCents: event.amountCents,
      currency: event.currency,
      ticketId: payment.ticketId,
      escalationId: payment.escalationId,
      paymentId: payment.id,
      reference: `${opened ? "dispute_opened" : "dispute_closed"}:${event.disputeId}`,
      data: { disputeId: event.disputeId, status: event.status },
    });
    const ticket = payment.ticketId
      ? await tx.ticket.findUnique({
          where: { id: payment.ticketId },
          select: { id: true, ownerId: true, thread: { select: { title: true } } },
        })
      : null;
    if (!written || !ticket) return;
    const amount = formatPrice(event.amountCents, event.currency);
    await notifyDesk(tx, { id: ticket.id, ownerId: ticket.ownerId, threadTitle: ticket.thread.title }, (t) =>
      opened
        ? `The member disputed ${amount} paid for ${t}: answer it in Stripe's dashboard`
        : `The dispute over ${amount} for ${t} closed: ${event.status}`,
    );
  });
  return "applied";
}
