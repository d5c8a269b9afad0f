import type { IntakeDay } from "~/models/availability/intake-history";

/** Capacity use and pauses per day (docs/product.md §4.13). */
export function IntakeHistoryTable({ days, maxOpenTickets }: { days: IntakeDay[]; maxOpenTickets: number | null }) {
  return (
    <section aria-labelledby="intake-title">
      <h2 id="intake-title">Intake over the last {days.length} days</h2>
      <p className="hint">
        Most paid tickets held at once each day (awaiting acceptance, open or waiting on the customer), against the limit set now:{" "}
        {maxOpenTickets === null ? "no limit" : maxOpenTickets}. A pause is a stretch when no tier could be sold.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Most held</th>
            <th scope="col">Pauses begun</th>
            <th scope="col">Hours paused</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <th scope="row">{d.day}</th>
              <td>
                {d.peakHeld}
                {maxOpenTickets ? ` of ${maxOpenTickets}` : ""}
              </td>
              <td>{d.pausesStarted}</td>
              <td>{d.pausedHours}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
