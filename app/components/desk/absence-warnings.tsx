import { Link } from "@remix-run/react";
import { formatDateTime } from "~/components/time";

// Tickets already sold keep their promise (docs/product.md §4.13): an absence that holds their deadlines is
// shown on the queue and on the availability page, so the maintainer answers them first or declines them.

export type AbsenceWarning = {
  absence: { from: string; to: string; note: string | null };
  tickets: { id: string; title: string; tier: string; deadlineAt: string }[];
};

export function AbsenceWarnings({ warnings, manageLink = false }: { warnings: AbsenceWarning[]; manageLink?: boolean }) {
  return warnings.map((w) => (
    <section key={w.absence.from} className="form-error" role="alert" aria-label="Absence with deadlines inside it">
      <p>
        Your absence from {formatDateTime(w.absence.from)} to {formatDateTime(w.absence.to)}
        {w.absence.note ? ` (${w.absence.note})` : ""} holds the deadlines of tickets already sold; they keep their promise:
      </p>
      <ul>
        {w.tickets.map((t) => (
          <li key={t.id}>
            <Link to={`/tickets/${t.id}`}>{t.title}</Link> ({t.tier}), due {formatDateTime(t.deadlineAt)}
          </li>
        ))}
      </ul>
      {manageLink ? (
        <p>
          <Link to="/desk/availability">Availability</Link>
        </p>
      ) : null}
    </section>
  ));
}
