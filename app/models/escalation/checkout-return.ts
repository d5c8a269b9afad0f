// What the checkout return page says (docs/decisions/035), from the
// escalation's real state and which URL Stripe sent the member back to.

export type ReturnStatus = { state: string; ticketId: string | null };
export type ReturnNotice = "ticket" | "waiting" | "paid" | "declined" | "cancelled" | "expired" | "abandoned" | null;

export function returnNotice(checkout: string | null, status: ReturnStatus | null): ReturnNotice {
  if (!status) return null;
  if (status.ticketId) return "ticket";
  switch (status.state) {
    // Paid and the ticket is being written in the same breath: a moment, then it exists.
    case "paid":
      return "paid";
    case "declined":
    case "cancelled":
    case "expired":
      return status.state;
    case "checkout_open":
      // Back from success_url: Stripe took the card but has not confirmed it yet. From cancel_url: nothing is coming.
      return checkout === "success" ? "waiting" : checkout === "cancelled" ? "abandoned" : null;
    default:
      return null;
  }
}

/** Only these can still turn into a ticket, so only these pages refresh by themselves. */
export const awaitsTicket = (notice: ReturnNotice) => notice === "paid" || notice === "waiting";
