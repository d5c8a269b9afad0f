import { db } from "~/services/db.server";
import { intakeHistory } from "~/models/availability/intake-history";
import { loadAvailability } from "~/models/availability/availability.server";
import { requireDesk } from "~/models/desk/desk.server";
import type { Actor } from "~/models/types";

const DAYS = 14;

/** The desk's intake table: the last two weeks, with the limit as it is set now. */
export async function deskIntakeHistory(actor: Actor | null | undefined, now = new Date()) {
  requireDesk(actor);
  const since = new Date(now.getTime() - DAYS * 86_400_000);
  const [tickets, pauses, availability] = await Promise.all([
    db.ticket.findMany({
      where: { paidAt: { lte: now }, OR: [{ closedAt: null }, { closedAt: { gt: since } }] },
      select: { paidAt: true, closedAt: true },
    }),
    db.intakePause.findMany({
      where: { OR: [{ endedAt: null }, { endedAt: { gt: since } }] },
      select: { reason: true, startedAt: true, endedAt: true },
    }),
    loadAvailability(db, now),
  ]);
  return { days: intakeHistory(tickets, pauses, DAYS, now), maxOpenTickets: availability.maxOpenTickets };
}
