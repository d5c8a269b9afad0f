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
        <table className="money-trail">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">What</th>
              <th scope="col">Amount</th>
              <th scope="col">Who</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <Time value={e.createdAt} />
                </td>
                <td>{e.label}</td>
                <td>{formatPrice(e.amountCents, e.currency)}</td>
                <td>{e.actor ?? "system"}</td>
                <td>{e.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
