import { formatPrice } from "~/utils/money";
import { plural } from "~/utils/text";

type Row = { month: string; tierName: string; currency: string; cents: number };

const H = 260;
// The chart grows with its data: a month is wide enough for its bars, a legend entry takes LEGEND.
const MONTH_MIN = 80;
const BAR = 36;
const LEGEND = 120;
const MIN_WIDTH = 320;
const PAD = { top: 20, right: 16, bottom: 40, left: 72 };
// Distinct in both themes and for common colour blindness; the table carries the numbers anyway.
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"];

/**
 * Captured revenue by month, one bar per tier, as server-rendered SVG: a
 * title and description for screen readers, and the same numbers in a table. As wide as its months
 * and tiers need, so one month is not one lonely bar across the page.
 */
export function RevenueChart({ rows }: { rows: Row[] }) {
  const currency = rows[0]?.currency ?? "usd";
  const shown = rows.filter((r) => r.currency === currency);
  const months = [...new Set(shown.map((r) => r.month))].sort();
  const tiers = [...new Set(shown.map((r) => r.tierName))];
  const max = Math.max(1, ...shown.map((r) => r.cents));
  const W = Math.max(
    MIN_WIDTH,
    PAD.left + PAD.right + months.length * Math.max(MONTH_MIN, tiers.length * BAR + 16),
    PAD.left + tiers.length * LEGEND,
  );
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const group = months.length ? plotW / months.length : plotW;
  const bar = Math.max(4, (group * 0.8) / Math.max(1, tiers.length));
  const y = (cents: number) => PAD.top + plotH - (cents / max) * plotH;
  const desc = shown.length
    ? `Captured revenue in ${currency.toUpperCase()} for ${plural(months.length, "month")}: ` +
      shown.map((r) => `${r.month} ${r.tierName} ${formatPrice(r.cents, r.currency)}`).join("; ")
    : "No captured revenue yet.";
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="revenue-chart-title revenue-chart-desc" width={W} height={H}>
        <title id="revenue-chart-title">Captured revenue by month and tier</title>
        <desc id="revenue-chart-desc">{desc}</desc>
        <line x1={PAD.left} y1={PAD.top + plotH} x2={W - PAD.right} y2={PAD.top + plotH} stroke="currentColor" />
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left - 4} x2={PAD.left} y1={y(max * f)} y2={y(max * f)} stroke="currentColor" />
            <text x={PAD.left - 8} y={y(max * f) + 4} textAnchor="end">
              {formatPrice(Math.round(max * f), currency)}
            </text>
          </g>
        ))}
        {months.map((m, mi) => (
          <g key={m}>
            {tiers.map((tier, ti) => {
              const r = shown.find((x) => x.month === m && x.tierName === tier);
              if (!r) return null;
              const x = PAD.left + mi * group + group * 0.1 + ti * bar;
              return (
                <rect
                  key={tier}
                  x={x}
                  y={y(r.cents)}
                  width={bar - 2}
                  height={PAD.top + plotH - y(r.cents)}
                  fill={COLOURS[ti % COLOURS.length]}
                >
                  <title>{`${m}, ${tier}: ${formatPrice(r.cents, r.currency)}`}</title>
                </rect>
              );
            })}
            <text x={PAD.left + mi * group + group / 2} y={H - PAD.bottom + 16} textAnchor="middle">
              {m}
            </text>
          </g>
        ))}
        {tiers.map((tier, ti) => (
          <g key={tier} transform={`translate(${PAD.left + ti * 120}, ${H - 12})`}>
            <rect width={10} height={10} y={-9} fill={COLOURS[ti % COLOURS.length]} />
            <text x={14}>{tier}</text>
          </g>
        ))}
      </svg>
      <figcaption className="hint">Bars per tier; the table below has the exact amounts.</figcaption>
    </figure>
  );
}
