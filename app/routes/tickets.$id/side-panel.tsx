import { Time } from "~/components/time";
import { TimeBadge } from "~/components/time-badge";
import { clockLevel } from "~/models/tickets/sla";
import { formatPrice } from "~/utils/money";
import { MoneyTrail } from "./money-trail";
import { PaymentSection } from "./payment";
import { GateAnswers, ThreadSnapshot } from "./ticket-snapshot-view";
import type { Ticket } from "./types";
import { plural } from "~/utils/text";

/** Everything about the ticket that is not the conversation: beside it on a wide screen, below it on a phone. */
export function SidePanel({ ticket: t, errors }: { ticket: Ticket; errors?: Record<string, string> }) {
  return (
    <aside className="ticket-side stack" aria-label="Ticket details">
      <section aria-labelledby="details-title" className="card">
        <h2 id="details-title">Details</h2>
        <dl className="facts">
          <dt>State</dt>
          <dd>{t.stateLabel}</dd>
          <dt>Tier</dt>
          <dd>
            {t.tier.name}: first response within {plural(t.tier.responseHours, "hour")}, {formatPrice(t.tier.priceCents, t.tier.currency)}
          </dd>
          {t.clock.text ? (
            <>
              <dt>{t.clock.answered ? "Answered" : "Time left"}</dt>
              <dd>
                <TimeBadge level={clockLevel(t.clock)} text={t.clock.text} />
              </dd>
            </>
          ) : null}
          {t.clock.timeLeftMs === null || t.clock.paused ? null : (
            <>
              <dt>Due</dt>
              <dd>
                <Time value={t.deadlineAt} />
              </dd>
            </>
          )}
          <dt>Member</dt>
          <dd>{t.viewer.isOwner ? "you" : t.owner}</dd>
          <dt>Opened</dt>
          <dd>
            <Time value={t.paidAt} />
          </dd>
        </dl>
      </section>
      {t.payment ? <PaymentSection payment={t.payment} canDecide={t.viewer.canDecide} errors={errors} /> : null}
      {t.moneyTrail ? <MoneyTrail entries={t.moneyTrail} /> : null}
      <section aria-labelledby="gate-title" className="card">
        <h2 id="gate-title">Answers at the gate</h2>
        <GateAnswers gate={t.snapshot.gate} />
      </section>
      {/* Open for the member; folded for the desk, who reads it when needed. */}
      <details className="card" open={!t.viewer.canDecide}>
        <summary>Thread snapshot at payment time ({plural(t.snapshot.posts.length, "post")})</summary>
        <ThreadSnapshot snapshot={t.snapshot} />
      </details>
    </aside>
  );
}
