import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { can, requirePermission } from "~/models/permissions";
import type { Actor, Tx } from "~/models/types";

// The money trail (docs/decisions/034): every decision that moves, holds or
// frees money is written here in the same transaction as the decision, so the
// trail cannot miss one. Maintainers read it per ticket; moderators and the
// public never see it (it is not the moderation audit log).

export const MONEY_EVENT_KINDS = [
  // A card authorised at checkout (the hold), or coverage drawn for an escalation.
  "authorised",
  "coverage_draw",
  // The maintainer accepted: the hold is captured (or the draw stands).
  "capture_requested",
  "captured",
  "capture_failed",
  // The hold is released: rejected, expired, withdrawn by its owner, or released at the provider.
  "release_requested",
  "released",
  "release_failed",
  "coverage_return",
  // Captured outside Backline (a PaymentIntent already succeeded): recorded, never lost.
  "captured_elsewhere",
  // Refunds made here or in Stripe's dashboard, and chargebacks.
  "refund_requested",
  "refunded",
  "refund_failed",
  "dispute_opened",
  "dispute_closed",
  // Support insurance.
  "coverage_credit",
  "coverage_lapse",
  "plan_refund",
] as const;
export type MoneyEventKind = (typeof MONEY_EVENT_KINDS)[number];

export type MoneyEventInput = {
  kind: MoneyEventKind;
  amountCents: number;
  currency: string;
  ticketId?: string | null;
  escalationId?: string | null;
  subscriptionId?: string | null;
  paymentId?: string | null;
  /** null for the system: a webhook, the clock, a job. */
  actorId?: string | null;
  reason?: string | null;
  /** A unique key for entries that answer to an outside fact (an event id, a refund id): a replay writes nothing. */
  reference?: string | null;
  data?: Prisma.InputJsonObject;
};

/** Writes one entry unless one with the same reference exists; returns whether it was written. */
export async function recordMoneyEvent(tx: Tx, entry: MoneyEventInput): Promise<boolean> {
  const { count } = await tx.moneyEvent.createMany({
    data: [
      {
        kind: entry.kind,
        amountCents: entry.amountCents,
        currency: entry.currency,
        ticketId: entry.ticketId ?? null,
        escalationId: entry.escalationId ?? null,
        subscriptionId: entry.subscriptionId ?? null,
        paymentId: entry.paymentId ?? null,
        actorId: entry.actorId ?? null,
        reason: entry.reason || null,
        reference: entry.reference ?? null,
        data: entry.data ?? undefined,
      },
    ],
    skipDuplicates: true,
  });
  return count === 1;
}

/** A hold freed without asking the provider (it is gone already, or was never real): the "released" entry, once per reference. */
export function recordRelease(
  tx: Tx,
  payment: { id: string; amountCents: number; currency: string; ticketId: string | null; escalationId: string | null },
  reason: string,
  reference: string,
) {
  return recordMoneyEvent(tx, {
    kind: "released",
    amountCents: payment.amountCents,
    currency: payment.currency,
    ticketId: payment.ticketId,
    escalationId: payment.escalationId,
    paymentId: payment.id,
    reason,
    reference,
  });
}

const LABELS: Record<MoneyEventKind, string> = {
  authorised: "Card authorised (held, not charged)",
  coverage_draw: "Drawn from support insurance",
  capture_requested: "Accepted: capture requested",
  captured: "Captured (charged)",
  capture_failed: "Capture failed",
  release_requested: "Release of the hold requested",
  released: "Hold released (not charged)",
  release_failed: "Release failed",
  coverage_return: "Returned to support insurance",
  captured_elsewhere: "Captured outside Backline",
  refund_requested: "Refund requested",
  refunded: "Refunded",
  refund_failed: "Refund failed",
  dispute_opened: "Dispute opened",
  dispute_closed: "Dispute closed",
  coverage_credit: "Coverage credited",
  coverage_lapse: "Unused coverage ended",
  plan_refund: "Plan payment refunded",
};
export const moneyEventLabel = (kind: string) => LABELS[kind as MoneyEventKind] ?? kind;

/** A ticket's money trail, oldest first: the desk only (a ticket's owner sees their payment, not the trail). */
export async function ticketMoneyTrail(actor: Actor, ticketId: string) {
  requirePermission(actor, "ticket:read:any");
  const ticket = await db.ticket.findUnique({ where: { id: ticketId }, select: { id: true, escalationId: true } });
  if (!ticket || !can(actor, "ticket:read:any")) throw notFound("No such ticket.");
  const rows = await db.moneyEvent.findMany({
    where: { OR: [{ ticketId }, { escalationId: ticket.escalationId }] },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      kind: true,
      amountCents: true,
      currency: true,
      reason: true,
      data: true,
      createdAt: true,
      actor: { select: { username: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    label: moneyEventLabel(r.kind),
    amountCents: r.amountCents,
    currency: r.currency,
    actor: r.actor?.username ?? null,
    reason: r.reason,
    data: (r.data ?? null) as Record<string, unknown> | null,
    createdAt: r.createdAt,
  }));
}

export type MoneyTrail = Awaited<ReturnType<typeof ticketMoneyTrail>>;
