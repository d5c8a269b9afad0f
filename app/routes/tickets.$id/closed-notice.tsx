import type { Ticket } from "./types";

/** How a ticket that ended without support ended, and that the hold was released. */
export function ClosedNotice({ ticket: t }: { ticket: Ticket }) {
  const released = t.payment?.summary ?? "";
  if (t.state === "rejected")
    return (
      <p className="notice" role="status">
        Declined{t.rejectReason ? ` (${t.rejectReason.replace(/_/g, " ")})` : ""}: {t.rejectMessage}. {released}
      </p>
    );
  if (t.state === "withdrawn")
    return (
      <p className="notice" role="status">
        Withdrawn by {t.viewer.isOwner ? "you" : t.owner}
        {t.withdrawReason ? `: ${t.withdrawReason}` : ""}. {released}
      </p>
    );
  if (t.state === "expired")
    return (
      <p className="notice" role="status">
        The response promise was missed, so the ticket closed. {released}
      </p>
    );
  return null;
}
