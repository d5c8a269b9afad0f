// Capacity use over time and how often intake was paused, per UTC day, for the desk numbers
// (docs/product.md §4.13). Derived from the tickets' paid and closed times and the stored
// pause events; pure, so tests pass the rows and `now`.

const DAY_MS = 86_400_000;

export type HeldSpan = { paidAt: Date; closedAt: Date | null };
export type PauseSpan = { reason: string; startedAt: Date; endedAt: Date | null };
export type IntakeDay = { day: string; peakHeld: number; pausesStarted: number; pausedHours: number };

const overlapMs = (from: number, to: number, dayStart: number, dayEnd: number) =>
  Math.max(0, Math.min(to, dayEnd) - Math.max(from, dayStart));

/** The last `days` UTC days, newest first: most tickets held at once, pauses begun, hours paused. */
export function intakeHistory(tickets: HeldSpan[], pauses: PauseSpan[], days: number, now: Date): IntakeDay[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const rows: IntakeDay[] = [];
  for (let i = 0; i < days; i++) {
    const start = today - i * DAY_MS;
    const end = Math.min(start + DAY_MS, now.getTime());
    let held = tickets.filter((t) => t.paidAt.getTime() <= start && (!t.closedAt || t.closedAt.getTime() > start)).length;
    const changes = tickets
      .flatMap((t) => [{ at: t.paidAt.getTime(), delta: 1 }, ...(t.closedAt ? [{ at: t.closedAt.getTime(), delta: -1 }] : [])])
      .filter((c) => c.at > start && c.at < end)
      // Closing before opening at the same moment: a ticket freed and one sold in the same instant never overlap.
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let peak = held;
    for (const c of changes) {
      held += c.delta;
      peak = Math.max(peak, held);
    }
    const pausedMs = pauses.reduce((sum, p) => sum + overlapMs(p.startedAt.getTime(), (p.endedAt ?? now).getTime(), start, end), 0);
    rows.push({
      day: new Date(start).toISOString().slice(0, 10),
      peakHeld: peak,
      pausesStarted: pauses.filter((p) => p.startedAt.getTime() >= start && p.startedAt.getTime() < start + DAY_MS).length,
      pausedHours: Math.round((pausedMs / 3_600_000) * 10) / 10,
    });
  }
  return rows;
}
