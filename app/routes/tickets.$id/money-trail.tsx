import { DataTable } from "~/components/data-table";
import { Time } from "~/components/time";
import { formatPrice } from "~/utils/money";

type Entry = {
  id: string;
  label: string;
  amountCents: number;
  currency: string;
  actor: string | null;
  reason: string | null;
  createdAt: string | Date;
};

/** The desk's view of where this ticket's money went, oldest first (docs/decisions/034). Never rendered for the owner. */
export function MoneyTrail({ entries }: { entries: Entry[] }) {
  return (
    <section aria-labelledby="money-title" className="card">
      <h2 id="money-title">Money</h2>
      {entries.length === 0 ? (
        <p className="hint">No money has moved on this ticket.</p>
      ) : (
        <DataTable
          className="money-trail"
          rows={entries}
          rowKey={(e) => e.id}
          columns={[
            { header: "Time", cell: (e) => <Time value={e.createdAt} /> },
            { header: "What", cell: (e) => e.label },
            { header: "Amount", cell: (e) => formatPrice(e.amountCents, e.currency) },
            { header: "Who", cell: (e) => e.actor ?? "system" },
            { header: "Reason", cell: (e) => e.reason ?? "" },
          ]}
        />
      )}
    </section>
  );
}
