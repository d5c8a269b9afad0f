import { DataTable } from "~/components/data-table";
import type { IntakeDay } from "~/models/availability/intake-history";
import { plural } from "~/utils/text";

/** Capacity use and pauses per day (docs/product.md §4.13). */
export function IntakeHistoryTable({ days, maxOpenTickets }: { days: IntakeDay[]; maxOpenTickets: number | null }) {
  return (
    <section aria-labelledby="intake-title">
      <h2 id="intake-title">Intake over the last {plural(days.length, "day")}</h2>
      <p className="hint">
        Most paid tickets held at once each day (awaiting acceptance, open or waiting on the customer), against the limit set now:{" "}
        {maxOpenTickets === null ? "no limit" : maxOpenTickets}. A pause is a stretch when no tier could be sold.
      </p>
      <DataTable
        label="Intake by day"
        rows={days}
        rowKey={(d) => d.day}
        columns={[
          { header: "Day (UTC)", cell: (d) => d.day, rowHeader: true },
          { header: "Most held", cell: (d) => `${d.peakHeld}${maxOpenTickets ? ` of ${maxOpenTickets}` : ""}`, numeric: true },
          { header: "Pauses begun", cell: (d) => d.pausesStarted, numeric: true },
          { header: "Hours paused", cell: (d) => d.pausedHours, numeric: true },
        ]}
      />
    </section>
  );
}
