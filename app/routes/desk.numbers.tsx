import { DeskPageHeader } from "~/components/desk/desk-page-header";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { RevenueChart } from "~/components/desk/revenue-chart";
import { IntakeHistoryTable } from "~/components/desk/intake-history";
import { deskIntakeHistory } from "~/models/availability/intake-history.server";
import { deskNumbers } from "~/models/desk/numbers.server";
import { formatDuration } from "~/models/tickets/sla";
import { stateLabel, type TicketState } from "~/models/tickets/state";
import { getUser } from "~/services/auth.server";
import styles from "~/styles/desk.css";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Desk numbers · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forPage(async () => ({ m: await deskNumbers(user), intake: await deskIntakeHistory(user) }));
}

const duration = (ms: number | null) => (ms === null ? "–" : formatDuration(ms));
const REASONS: Record<string, string> = { careless: "Careless", out_of_scope: "Out of scope", duplicate: "Duplicate" };

export default function DeskNumbers() {
  const { m, intake } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <DeskPageHeader title="Desk numbers">
        All paid tickets so far.{" "}
        <a href="/desk/numbers.csv" download>
          Download as CSV
        </a>
      </DeskPageHeader>
      <div className="numbers-grid">
        <div className="card">
          <strong>{m.total}</strong> tickets
        </div>
        <div className="card">
          <strong>{duration(m.firstResponse.medianMs)}</strong> median first response
        </div>
        <div className="card">
          <strong>{duration(m.firstResponse.p90Ms)}</strong> p90 first response
        </div>
        <div className="card">
          <strong>{m.promise.share === null ? "–" : `${Math.round(m.promise.share * 100)}%`}</strong>
          answered within the promise ({m.promise.within} of {m.promise.judged})
        </div>
      </div>
      <p className="hint">
        First response: from payment to the maintainer's first message to the member (a bare accept is not one). The promise is the response
        time each ticket was sold with, whatever its tier says today.
      </p>

      <TicketCounts
        id="states-title"
        title="Tickets by state"
        column="State"
        counts={m.byState}
        label={(s) => stateLabel(s as TicketState)}
      />

      <IntakeHistoryTable days={intake.days} maxOpenTickets={intake.maxOpenTickets} />

      <section aria-labelledby="revenue-title">
        <h2 id="revenue-title">Captured revenue</h2>
        <p>
          {m.revenueTotals.length ? m.revenueTotals.map((t) => formatPrice(t.cents, t.currency)).join(" + ") : "Nothing captured yet."} in
          total (card payments captured on acceptance).
        </p>
        <p>Captured = Σ accepted tickets − refunds (and chargebacks lost), by the month the ticket was accepted.</p>
        {m.revenueTotals.map((t) => (
          <p key={t.currency}>
            {formatPrice(t.grossCents, t.currency)} accepted − {formatPrice(t.refundedCents, t.currency)} refunded −{" "}
            {formatPrice(t.disputedCents, t.currency)} lost to disputes = {formatPrice(t.cents, t.currency)}
          </p>
        ))}
        <RevenueChart rows={m.revenue} />
        <DataTable
          caption="Captured revenue by month and tier"
          rows={m.revenue}
          rowKey={(r) => `${r.month}-${r.tierSlug}-${r.currency}`}
          empty="None yet."
          columns={[
            { header: "Month", cell: (r) => r.month, rowHeader: true },
            { header: "Tier", cell: (r) => r.tierName },
            { header: "Tickets", cell: (r) => r.tickets, numeric: true },
            { header: "Accepted", cell: (r) => formatPrice(r.grossCents, r.currency), numeric: true },
            { header: "Refunded", cell: (r) => formatPrice(r.refundedCents, r.currency), numeric: true },
            { header: "Disputes lost", cell: (r) => formatPrice(r.disputedCents, r.currency), numeric: true },
            { header: "Captured", cell: (r) => formatPrice(r.cents, r.currency), numeric: true },
          ]}
        />
      </section>

      <TicketCounts
        id="rejections-title"
        title="Rejections by reason"
        column="Reason"
        counts={m.rejections}
        label={(r) => REASONS[r] ?? r}
      />
    </div>
  );
}

/** A titled table of ticket counts, one row per key. */
function TicketCounts({
  id,
  title,
  column,
  counts,
  label,
}: {
  id: string;
  title: string;
  column: string;
  counts: Record<string, number>;
  label: (key: string) => string;
}) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <DataTable
        className="counts-table"
        label={title}
        empty="No tickets yet."
        rows={Object.entries(counts)}
        rowKey={([key]) => key}
        columns={[
          { header: column, cell: ([key]) => label(key), rowHeader: true },
          { header: "Tickets", cell: ([, n]) => n, numeric: true },
        ]}
      />
    </section>
  );
}
