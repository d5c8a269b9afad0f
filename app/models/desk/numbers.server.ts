import { db } from "~/services/db.server";
import { computeDeskMetrics, type MetricTicket } from "~/models/desk/metrics";
import { requireDesk } from "~/models/desk/desk.server";
import type { Role } from "~/models/types";
import { honouredTicketWhere } from "~/models/payments/test-money.server";
import type { TicketState } from "~/models/tickets/state";

// Loads the rows the pure metrics need; the definitions live in desk-metrics.ts.
export async function deskNumbers(actor: { id: string; role: Role } | null | undefined) {
  requireDesk(actor);
  const rows = await db.ticket.findMany({
    where: await honouredTicketWhere(),
    select: {
      id: true,
      state: true,
      paidAt: true,
      acceptedAt: true,
      firstResponseAt: true,
      rejectReason: true,
      soldTierName: true,
      soldResponseHours: true,
      soldCurrency: true,
      tier: { select: { slug: true } },
      payments: {
        where: { status: "captured", provider: { not: "insurance" } },
        select: { amountCents: true, currency: true, refundedCents: true, disputeStatus: true, disputedCents: true },
      },
    },
    take: 50_000,
  });
  const tickets: MetricTicket[] = rows.map((r) => ({
    id: r.id,
    state: r.state as TicketState,
    tierSlug: r.tier.slug,
    // The terms the ticket was sold with: editing the tier later rewrites no history.
    tierName: r.soldTierName,
    responseHours: r.soldResponseHours,
    paidAt: r.paidAt,
    acceptedAt: r.acceptedAt,
    firstResponseAt: r.firstResponseAt,
    rejectReason: r.rejectReason,
    capturedCents: r.payments.reduce((sum, p) => sum + p.amountCents, 0),
    refundedCents: r.payments.reduce((sum, p) => sum + p.refundedCents, 0),
    disputeLostCents: r.payments.reduce((sum, p) => sum + (p.disputeStatus === "lost" ? p.disputedCents : 0), 0),
    currency: r.payments[0]?.currency ?? r.soldCurrency,
  }));
  return computeDeskMetrics(tickets);
}
