import { formatPrice } from "~/utils/money";

// Every sentence Backline shows about a ticket's money comes from here, so
// each state says what really happened, in words for whoever reads it
// (docs/product.md §4.4): a hold is not a payment, a support plan is not a
// card, and the member's promise ("charged only if accepted") is theirs alone.

/** Card (Stripe or the test checkout) or the member's support plan (Payment.provider "insurance"). */
export type Funding = "card" | "insurance";
/** The ticket's owner, the desk (maintainers, admins), or anyone reading the public thread. */
export type MoneyViewer = "member" | "desk" | "public";

export type MoneyFacts = {
  /** The settlement status: authorized, capture_pending, capture_failed, captured, cancel_pending, cancel_failed, canceled. */
  status: string | null;
  funding: Funding;
  amountCents: number;
  currency: string;
  refundedCents: number;
  /** Stripe's dispute status, when the member's bank opened one. */
  disputeStatus: string | null;
  /** The ticket's state; the public thread says what became of the request, not what the payment is. */
  ticketState?: string | null;
};

export const fundingOf = (provider: string | null | undefined): Funding => (provider === "insurance" ? "insurance" : "card");

export const OPEN_DISPUTE = (s: string | null) => !!s && !["won", "lost", "warning_closed"].includes(s);
const HELD = new Set(["authorized"]);
const CHARGING = new Set(["capture_pending", "capture_failed"]);
const RELEASED = new Set(["cancel_pending", "cancel_failed", "canceled"]);

type Words = Record<"held" | "charging" | "paid" | "released", string>;

const WORDS: Record<Funding, Record<Exclude<MoneyViewer, "public">, Words>> = {
  card: {
    member: {
      held: "Card authorised (not charged yet): you are charged only if the maintainer accepts.",
      charging: "Accepted: your card is being charged.",
      paid: "Paid by card.",
      released: "Authorisation released; you were not charged.",
    },
    desk: {
      held: "Card authorised (not charged yet): accepting the ticket charges it.",
      charging: "Accepted: the card is being charged.",
      paid: "Paid by card.",
      released: "Authorisation released; the member was not charged.",
    },
  },
  insurance: {
    member: {
      held: "Covered by your support plan: drawn from your coverage only if the maintainer accepts.",
      charging: "Accepted: being drawn from your support plan.",
      paid: "Paid from your support plan.",
      released: "Nothing was drawn from your support plan.",
    },
    desk: {
      held: "Covered by the member's support plan (not drawn yet): accepting the ticket draws it.",
      charging: "Accepted: being drawn from the member's support plan.",
      paid: "Paid from the member's support plan.",
      released: "Nothing was drawn from the member's support plan.",
    },
  },
};

/**
 * What the public thread says about a request that ended without paid support, or null: a live or
 * resolved request is told by the thread's own stub (with its dates), a withdrawn one is nobody's business.
 */
function publicWords(ticketState: string | null | undefined): string | null {
  if (ticketState === "rejected") return "Paid support was declined; no charge was made.";
  if (ticketState === "expired") return "A request for paid support expired unanswered; no charge was made.";
  return null;
}

/** The words for this payment as `viewer` should read them; null when there is nothing to say. */
export function moneyWords(p: Pick<MoneyFacts, "ticketState">, viewer: "public"): string | null;
export function moneyWords(p: MoneyFacts, viewer: Exclude<MoneyViewer, "public">): string | null;
export function moneyWords(p: MoneyFacts | Pick<MoneyFacts, "ticketState">, viewer: MoneyViewer): string | null {
  if (viewer === "public" || !("funding" in p)) return publicWords(p.ticketState);
  const you = viewer === "member";
  const plan = p.funding === "insurance";
  const refunded = formatPrice(p.refundedCents, p.currency);
  if (OPEN_DISPUTE(p.disputeStatus)) return `Paid; the payment is disputed with ${you ? "your" : "the member's"} bank.`;
  if (p.disputeStatus === "lost") return `Paid; the bank returned the payment to ${you ? "you" : "the member"} after a dispute.`;
  const back = plan ? (you ? " to your support plan" : " to the member's support plan") : "";
  if (p.refundedCents > 0 && p.refundedCents >= p.amountCents) return `Paid, then refunded in full${back} (${refunded}).`;
  if (p.refundedCents > 0) return `Paid ${formatPrice(p.amountCents, p.currency)}; ${refunded} of it was refunded${back}.`;
  const words = WORDS[p.funding][viewer];
  const status = p.status ?? "";
  if (HELD.has(status)) return words.held;
  if (CHARGING.has(status)) return words.charging;
  if (status === "captured") return words.paid;
  if (RELEASED.has(status)) return words.released;
  return null;
}

/** The short form for ticket lists: the amount and what became of it. */
export function moneyLine(p: MoneyFacts, viewer: Exclude<MoneyViewer, "public">): string {
  const amount = formatPrice(p.amountCents, p.currency);
  const status = p.status ?? "";
  const plan = p.funding === "insurance";
  if (HELD.has(status) || CHARGING.has(status))
    return plan ? `${amount} covered by the support plan, not drawn yet` : `${amount} held, not charged yet`;
  if (RELEASED.has(status)) return plan ? `${amount} not drawn` : `${amount} released, not charged`;
  if (p.refundedCents > 0) return `${amount} paid, ${formatPrice(p.refundedCents, p.currency)} refunded`;
  return `${amount} ${viewer === "member" && plan ? "paid from your support plan" : plan ? "paid from the support plan" : "paid"}`;
}
