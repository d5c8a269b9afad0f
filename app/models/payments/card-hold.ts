import { formatDuration, HOUR_MS } from "~/models/tickets/sla";

// Card holds lapse (docs/decisions/035): Stripe releases an uncaptured card
// authorisation at the charge's capture_before, about 7 days after payment,
// whatever our response clock says. These pure rules say when the desk must see it.

/** The desk hears about a hold this long before it ends (and sees it in the queue from then on). */
export const HOLD_WARNING_LEAD_MS = 24 * HOUR_MS;

export type HoldRow = {
  acceptedAt: Date | null;
  deadlineAt: Date;
  pausedAt: Date | null;
  payment: { status: string; captureBefore: Date | null } | null;
};

/** When the undecided ticket's card hold ends, or null when nothing can lapse (decided, coverage, no hold known). */
export function holdEndsAt(t: HoldRow): Date | null {
  if (t.acceptedAt || t.payment?.status !== "authorized") return null;
  return t.payment.captureBefore;
}

export const holdLapsed = (t: HoldRow, now: Date) => {
  const end = holdEndsAt(t);
  return end !== null && end.getTime() <= now.getTime();
};

/**
 * What the desk shows next to the clock: only when the hold is the nearer limit
 * (it ends before the deadline, or the clock is paused) or ends within a day.
 */
export function holdNotice(t: HoldRow, now: Date): { endsAt: Date; text: string } | null {
  const end = holdEndsAt(t);
  if (!end) return null;
  const left = end.getTime() - now.getTime();
  const nearerThanDeadline = t.pausedAt !== null || end < t.deadlineAt;
  if (!nearerThanDeadline && left > HOLD_WARNING_LEAD_MS) return null;
  return { endsAt: end, text: left > 0 ? `card hold ends in ${formatDuration(left)}` : "card hold has ended" };
}
