import { describeAnswered, describeTimeLeft, HOUR_MS, timeLeftMs, urgency, type Clock, type ClockLevel } from "~/models/tickets/sla";

// The maintainer's queue (docs/product.md §5) as pure functions over rows and an
// injected `now`: which tickets are in it, in which order, and the urgency of
// each time-left badge. The page, the API and the digest all use these.

export const QUEUE_STATES = ["awaiting_acceptance", "open", "waiting_on_customer"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
export const isQueueState = (s: string): s is QueueState => (QUEUE_STATES as readonly string[]).includes(s);

/** The columns every queue reader (page, API, digest) needs to sort the queue and badge its clocks. */
export const queueClockSelect = {
  id: true,
  state: true,
  deadlineAt: true,
  pausedAt: true,
  remainingMs: true,
  paidAt: true,
  firstResponseAt: true,
  soldTierName: true,
  soldResponseHours: true,
} as const;

export type Badge = { level: ClockLevel; timeLeftMs: number | null; fractionLeft: number | null; text: string };
type Answerable = Clock & { paidAt?: Date; firstResponseAt?: Date | null };

/**
 * Soon once a quarter of the promised time or less is left (the moment the
 * warning goes out), overdue once the deadline has passed; a paused clock (waiting on the
 * customer) is neither. Once answered the clock has stopped: the badge says how
 * long the answer took, never "overdue".
 */
export function badgeFor(clock: Answerable, responseHours: number, now: Date): Badge {
  if (clock.firstResponseAt && clock.paidAt)
    return { level: "answered", timeLeftMs: null, fractionLeft: null, text: describeAnswered(clock.paidAt, clock.firstResponseAt) };
  const left = timeLeftMs(clock, now);
  const total = responseHours * HOUR_MS;
  return {
    level: urgency(clock, responseHours, now),
    timeLeftMs: left,
    fractionLeft: total > 0 ? left / total : 0,
    text: describeTimeLeft(clock, now),
  };
}

// holdEndsAt: when an undecided ticket's card hold lapses (docs/decisions/035), if it can.
export type QueueRow = Answerable & { id: string; state: string; responseHours: number; paidAt: Date; holdEndsAt?: Date | null };

// Unanswered running clocks, then paused ones, then answered tickets (their promise is settled).
const groupOf = (r: QueueRow) => (r.firstResponseAt ? 2 : r.pausedAt !== null ? 1 : 0);
/** Time to the nearer limit: the promise, or the card hold after which the payment can no longer be taken. */
const leftOf = (r: QueueRow, now: Date) =>
  r.firstResponseAt ? 0 : Math.min(timeLeftMs(r, now), r.holdEndsAt ? r.holdEndsAt.getTime() - now.getTime() : Number.POSITIVE_INFINITY);

/**
 * Running clocks first, least time left first (overdue at the top; a card
 * hold that lapses before the deadline counts as the deadline); then the
 * paused ones (the member has to answer first), least time left first; then
 * the answered ones. Ties go to the faster tier, then to whoever paid first.
 */
export function compareQueue(now: Date) {
  return (a: QueueRow, b: QueueRow) =>
    groupOf(a) - groupOf(b) ||
    leftOf(a, now) - leftOf(b, now) ||
    a.responseHours - b.responseHours ||
    a.paidAt.getTime() - b.paidAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The paid items the desk works on, in order: closed tickets never appear. */
export function sortQueue<T extends QueueRow>(rows: T[], now: Date): T[] {
  return rows.filter((r) => isQueueState(r.state)).sort(compareQueue(now));
}

/** Live counts per queue state, every state present (zero when empty). */
export function countByState(rows: { state: string }[]): Record<QueueState, number> {
  const counts = Object.fromEntries(QUEUE_STATES.map((s) => [s, 0])) as Record<QueueState, number>;
  for (const r of rows) if (isQueueState(r.state)) counts[r.state] += 1;
  return counts;
}
