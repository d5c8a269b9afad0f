import { recordMoneyEvent, type MoneyEventKind } from "~/models/payments/money-trail.server";
import type { Tx } from "~/models/types";

// The ticket's decisions as money-trail entries (docs/decisions/034), written
// in the decision's own transaction. Decisions are conditional updates, so each
// happens once and needs no reference; outcomes reported by a provider or a job
// carry one, so a replay writes nothing.

const latestPayment = (tx: Tx, ticketId: string) =>
  tx.payment.findFirst({
    where: { ticketId },
    orderBy: { createdAt: "desc" },
    select: { id: true, provider: true, escalationId: true, amountCents: true, currency: true },
  });

/** A decision on the hold (or coverage draw) of the ticket's latest payment. */
export async function recordTicketDecision(
  tx: Tx,
  ticketId: string,
  kind: Extract<MoneyEventKind, "capture_requested" | "release_requested">,
  opts: { actorId?: string | null; reason?: string | null } = {},
) {
  const payment = await latestPayment(tx, ticketId);
  if (!payment) return;
  await recordMoneyEvent(tx, {
    kind,
    amountCents: payment.amountCents,
    currency: payment.currency,
    ticketId,
    escalationId: payment.escalationId,
    paymentId: payment.id,
    actorId: opts.actorId ?? null,
    reason: opts.reason ?? null,
  });
}

type SettledPayment = { id: string; ticketId: string | null; escalationId: string | null; amountCents: number; currency: string };
const SETTLED_KIND = {
  captured: "captured",
  canceled: "released",
  capture_failed: "capture_failed",
  cancel_failed: "release_failed",
} as const;

/** A capture or release reached (or failed for good) at the provider: once per payment and outcome. */
export async function recordSettlement(tx: Tx, payment: SettledPayment, status: keyof typeof SETTLED_KIND, reason?: string | null) {
  await recordMoneyEvent(tx, {
    kind: SETTLED_KIND[status],
    amountCents: payment.amountCents,
    currency: payment.currency,
    ticketId: payment.ticketId,
    escalationId: payment.escalationId,
    paymentId: payment.id,
    reason: reason ?? null,
    reference: `settle:${payment.id}:${status}`,
  });
}
