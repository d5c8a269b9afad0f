import { Link } from "@remix-run/react";
import { formatDate, formatDateTime } from "~/components/time";

export type ThreadSupport = {
  escalatedAt: string | Date | null;
  resolvedAt: string | Date | null;
  // What became of the latest request when it ended without support (declined, expired), in moneyWords' words.
  ended: string | null;
  // Set only for a signed-in member in a supported category.
  escalateUrl: string | null;
  // The viewer's own open ticket on this thread, if any.
  ownTicketUrl: string | null;
  // No tier's promise can be kept now (docs/product.md §4.13); reopensAt when an absence ends.
  paused?: { reopensAt: string | Date | null } | null;
  // While intake is open: the tiers paused all the same (an absence inside their deadline), with their reopening.
  pausedTiers?: { responseHours: number; reopensAt: string | Date | null }[];
};

const until = (reopensAt: string | Date | null) => (reopensAt ? `until ${formatDateTime(reopensAt)}` : "until a place frees up");

/**
 * What a public thread shows of paid support: the stub (dates only, never
 * private content) and, for signed-in members in supported categories, the
 * way in.
 */
export function SupportStub({ support }: { support: ThreadSupport }) {
  return (
    <>
      {support.escalatedAt ? (
        <p className="support-stub" role="note">
          Escalated to paid support on {formatDate(support.escalatedAt)}.{support.resolvedAt ? " Resolved via paid support." : null}
        </p>
      ) : null}
      {support.ended ? (
        <p className="support-stub" role="note">
          {support.ended}
        </p>
      ) : null}
      {support.ownTicketUrl ? (
        <p>
          <Link to={support.ownTicketUrl}>Your paid support ticket for this thread</Link>
        </p>
      ) : support.escalateUrl ? (
        <p className="row">
          <Link to={support.escalateUrl} className="button secondary">
            Get paid support
          </Link>
          <span className="hint" data-testid="support-intake">
            {support.paused
              ? `Paused: the maintainer takes no new tickets ${until(support.paused.reopensAt)}. You can ask to be e-mailed when it reopens.`
              : "A private ticket with the maintainer; your card is charged only if they accept it." +
                (support.pausedTiers ?? []).map((t) => ` The ${t.responseHours}-hour tier is paused ${until(t.reopensAt)}.`).join("")}
          </span>
        </p>
      ) : null}
    </>
  );
}
