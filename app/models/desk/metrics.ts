import { deadlineFor, HOUR_MS } from "~/models/tickets/sla";
import { isClosed, TICKET_STATES, type TicketState } from "~/models/tickets/state";

// The desk's numbers (docs/product.md §5) as pure functions over ticket rows, so the
// page, the CSV export and the tests agree on every definition:
// - first response: from payment to the maintainer's first message (a reply,
//   accept or reject with a message, a request for information); a bare
//   accept is not one (docs/decisions/034);
// - answered within the promise: first response no later than the hours the
//   ticket was sold with after payment, out of every ticket with a verdict: answered,
//   expired unanswered, or still being worked and unanswered past its deadline (an
//   accepted ticket never expires, and the clock job may not have run yet); tickets
//   still inside their clock are not counted yet;
// - captured revenue: card payments actually captured, by tier and by the
//   month the ticket was accepted (coverage draws were paid for by the plan),
//   net of what was given back: captured = Σ accepted tickets − refunds − lost
//   disputes, with the refunds and lost disputes shown beside it (docs/decisions/036);
// - median is the middle value (mean of the two middle ones for an even
//   count); p90 is the nearest-rank 90th percentile.

export const REJECT_REASONS = ["careless", "out_of_scope", "duplicate"] as const;

export type MetricTicket = {
  id: string;
  state: TicketState;
  tierSlug: string;
  tierName: string;
  responseHours: number;
  paidAt: Date;
  acceptedAt: Date | null;
  firstResponseAt: Date | null;
  rejectReason: string | null;
  // A captured card payment, if any.
  capturedCents: number;
  // Given back from that payment (refunds here or in Stripe's dashboard), and lost to a chargeback.
  refundedCents?: number;
  disputeLostCents?: number;
  currency: string;
};

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

export const monthOf = (d: Date) => d.toISOString().slice(0, 7);

// cents is net: grossCents − refundedCents − disputedCents.
export type RevenueRow = {
  month: string;
  tierSlug: string;
  tierName: string;
  currency: string;
  cents: number;
  tickets: number;
  grossCents: number;
  refundedCents: number;
  disputedCents: number;
};

/** Missed without a word: expired, or still being worked with its deadline passed and no first response. */
const missedUnanswered = (t: MetricTicket, now: Date) =>
  t.state === "expired" || (!isClosed(t.state) && deadlineFor(t.paidAt, t.responseHours) <= now);

export function computeDeskMetrics(tickets: MetricTicket[], now = new Date()) {
  const byState = Object.fromEntries(TICKET_STATES.map((s) => [s, 0])) as Record<TicketState, number>;
  const rejections = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<(typeof REJECT_REASONS)[number], number>;
  const firstResponses: number[] = [];
  let judged = 0;
  let withinPromise = 0;
  const revenue = new Map<string, RevenueRow>();

  for (const t of tickets) {
    byState[t.state] += 1;
    if (t.state === "rejected" && t.rejectReason && t.rejectReason in rejections)
      rejections[t.rejectReason as keyof typeof rejections] += 1;
    if (t.firstResponseAt) {
      const ms = t.firstResponseAt.getTime() - t.paidAt.getTime();
      firstResponses.push(ms);
      judged += 1;
      if (ms <= t.responseHours * HOUR_MS) withinPromise += 1;
    } else if (missedUnanswered(t, now)) {
      judged += 1;
    }
    if (t.capturedCents > 0 && t.acceptedAt) {
      const month = monthOf(t.acceptedAt);
      const key = `${month}|${t.tierSlug}|${t.currency}`;
      const row = revenue.get(key) ?? {
        month,
        tierSlug: t.tierSlug,
        tierName: t.tierName,
        currency: t.currency,
        cents: 0,
        tickets: 0,
        grossCents: 0,
        refundedCents: 0,
        disputedCents: 0,
      };
      const refunded = t.refundedCents ?? 0;
      const lost = Math.min(t.disputeLostCents ?? 0, t.capturedCents - refunded);
      row.grossCents += t.capturedCents;
      row.refundedCents += refunded;
      row.disputedCents += lost;
      row.cents += t.capturedCents - refunded - lost;
      row.tickets += 1;
      revenue.set(key, row);
    }
  }

  const revenueRows = [...revenue.values()].sort((a, b) => a.month.localeCompare(b.month) || a.tierSlug.localeCompare(b.tierSlug));
  const totals = new Map<string, { currency: string; cents: number; grossCents: number; refundedCents: number; disputedCents: number }>();
  for (const r of revenueRows) {
    const t = totals.get(r.currency) ?? { currency: r.currency, cents: 0, grossCents: 0, refundedCents: 0, disputedCents: 0 };
    t.cents += r.cents;
    t.grossCents += r.grossCents;
    t.refundedCents += r.refundedCents;
    t.disputedCents += r.disputedCents;
    totals.set(r.currency, t);
  }

  return {
    total: tickets.length,
    byState,
    firstResponse: { count: firstResponses.length, medianMs: median(firstResponses), p90Ms: percentile(firstResponses, 90) },
    promise: { judged, within: withinPromise, share: judged ? withinPromise / judged : null },
    revenue: revenueRows,
    revenueTotals: [...totals.values()],
    rejections,
  };
}

export type DeskMetrics = ReturnType<typeof computeDeskMetrics>;

/** One CSV cell: quoted when needed, quotes doubled, and text that a spreadsheet would run as a formula defused. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const toCsv = (rows: (string | number | null | undefined)[][]) => rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";

/** The numbers as one long table: metric, group, month, currency, value. */
export function metricsCsv(m: DeskMetrics): string {
  const rows: (string | number | null)[][] = [["metric", "group", "month", "currency", "value"]];
  for (const [state, n] of Object.entries(m.byState)) rows.push(["tickets_by_state", state, null, null, n]);
  rows.push(["first_response_ms", "median", null, null, m.firstResponse.medianMs]);
  rows.push(["first_response_ms", "p90", null, null, m.firstResponse.p90Ms]);
  rows.push(["answered_within_promise", "share", null, null, m.promise.share === null ? null : Number(m.promise.share.toFixed(4))]);
  rows.push(["answered_within_promise", "within", null, null, m.promise.within]);
  rows.push(["answered_within_promise", "judged", null, null, m.promise.judged]);
  for (const r of m.revenue) rows.push(["captured_revenue_cents", r.tierName, r.month, r.currency, r.cents]);
  for (const r of m.revenue) rows.push(["captured_gross_cents", r.tierName, r.month, r.currency, r.grossCents]);
  for (const r of m.revenue) rows.push(["refunded_cents", r.tierName, r.month, r.currency, r.refundedCents]);
  for (const r of m.revenue) rows.push(["disputes_lost_cents", r.tierName, r.month, r.currency, r.disputedCents]);
  for (const [reason, n] of Object.entries(m.rejections)) rows.push(["rejections_by_reason", reason, null, null, n]);
  return toCsv(rows);
}
