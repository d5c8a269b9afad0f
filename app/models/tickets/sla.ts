// The response-time promise as pure arithmetic (docs/product.md §4.8). Every function
// takes `now`, so tests move time by passing a different Date.
export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export type Clock = {
  deadlineAt: Date;
  pausedAt: Date | null;
  // Kept as BigInt in the database; a few days fit a double exactly.
  remainingMs: bigint | number | null;
};

export type Urgency = "ok" | "soon" | "overdue" | "paused";
/** What a clock's badge says: its urgency, or that the first response stopped it. */
export type ClockLevel = Urgency | "answered";

/**
 * When the member paid, for the clock: the first time the provider reports (a late webhook does not
 * move it), never after `now` (another server's clock may run ahead of ours).
 */
export function paymentTime(reported: (Date | null | undefined)[], now: Date): Date {
  const known = reported.find((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime()));
  return known && known < now ? known : now;
}

/** The clock starts at payment and counts the tier's hours. */
export const deadlineFor = (paidAt: Date, responseHours: number) => new Date(paidAt.getTime() + responseHours * HOUR_MS);

export const isPaused = (clock: Clock) => clock.pausedAt !== null;

/** Milliseconds left; negative once the deadline has passed. A paused clock does not move. */
export function timeLeftMs(clock: Clock, now: Date): number {
  if (clock.pausedAt) return Number(clock.remainingMs ?? 0);
  return clock.deadlineAt.getTime() - now.getTime();
}

/** Stops the clock, keeping what was left (never less than zero). Pausing twice changes nothing. */
export function pause(clock: Clock, now: Date): { pausedAt: Date; remainingMs: bigint } {
  if (clock.pausedAt) return { pausedAt: clock.pausedAt, remainingMs: BigInt(Number(clock.remainingMs ?? 0)) };
  return { pausedAt: now, remainingMs: BigInt(Math.max(0, clock.deadlineAt.getTime() - now.getTime())) };
}

/** Restarts the clock with the time that was left when it stopped. Resuming a running clock changes nothing. */
export function resume(clock: Clock, now: Date): { deadlineAt: Date; pausedAt: null; remainingMs: null } {
  if (!clock.pausedAt) return { deadlineAt: clock.deadlineAt, pausedAt: null, remainingMs: null };
  return { deadlineAt: new Date(now.getTime() + Number(clock.remainingMs ?? 0)), pausedAt: null, remainingMs: null };
}

/** Whether the deadline has passed on a running clock. */
export const isDue = (clock: Clock, now: Date) => !clock.pausedAt && clock.deadlineAt.getTime() <= now.getTime();

/** Warnings go out when a quarter of the promised time is left. */
export const warningLeadMs = (responseHours: number) => Math.round((responseHours * HOUR_MS) / 4);

export const warningAt = (clock: Clock, responseHours: number) => new Date(clock.deadlineAt.getTime() - warningLeadMs(responseHours));

/** For the clock's badges: soon in the last quarter (shown amber), overdue once the deadline has passed (shown red). */
export function urgency(clock: Clock, responseHours: number, now: Date): Urgency {
  if (clock.pausedAt) return "paused";
  const left = timeLeftMs(clock, now);
  if (left <= 0) return "overdue";
  return left <= warningLeadMs(responseHours) ? "soon" : "ok";
}

/** "2 h 5 min", "40 min", "3 d 4 h": compact and readable in a badge. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / MINUTE_MS));
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

export function describeTimeLeft(clock: Clock, now: Date): string {
  const left = timeLeftMs(clock, now);
  if (clock.pausedAt) return `paused with ${formatDuration(left)} left`;
  return left > 0 ? `${formatDuration(left)} left` : `overdue by ${formatDuration(left)}`;
}

/**
 * The promise is kept or missed at the first response: from then on the clock
 * has stopped. Counted from payment; the clock can only pause after a response
 * (asking for information is one), so no paused time is ever inside it.
 */
export const answeredInMs = (paidAt: Date, firstResponseAt: Date) => Math.max(0, firstResponseAt.getTime() - paidAt.getTime());
export const describeAnswered = (paidAt: Date, firstResponseAt: Date) =>
  `answered in ${formatDuration(answeredInMs(paidAt, firstResponseAt))}`;

export type TicketClockView = {
  paused: boolean;
  answered: boolean;
  timeLeftMs: number | null;
  urgency: Urgency | null;
  text: string | null;
};

/** A ticket clock's badge level: answered once the first response stopped it, else its urgency (none once closed). */
export const clockLevel = (clock: Pick<TicketClockView, "answered" | "urgency">): ClockLevel | null =>
  clock.answered ? "answered" : clock.urgency;

/** What a ticket's clock shows: nothing once closed, "answered in …" once answered, else the time left. */
export function clockView(
  t: Clock & { paidAt: Date; firstResponseAt: Date | null },
  responseHours: number,
  closed: boolean,
  now: Date,
): TicketClockView {
  const paused = t.pausedAt !== null;
  if (t.firstResponseAt)
    return { paused, answered: true, timeLeftMs: null, urgency: null, text: describeAnswered(t.paidAt, t.firstResponseAt) };
  if (closed) return { paused, answered: false, timeLeftMs: null, urgency: null, text: null };
  return {
    paused,
    answered: false,
    timeLeftMs: timeLeftMs(t, now),
    urgency: urgency(t, responseHours, now),
    text: describeTimeLeft(t, now),
  };
}
