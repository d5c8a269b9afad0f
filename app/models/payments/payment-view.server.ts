import { fundingOf, moneyLine, moneyWords, OPEN_DISPUTE } from "~/models/payments/money-words";
import { refundsForPayment } from "~/models/tickets/refund.server";

// How a ticket's payment reads after capture (docs/decisions/036): refunds and
// chargebacks change what the member and the desk see; the settlement status
// the desk acts on (capture_failed, …) stays available to the desk as `settlement`.
type PaymentRow = {
  id: string;
  status: string;
  provider: string;
  amountCents: number;
  currency: string;
  lastError: string | null;
  attempts: number;
  refundedCents: number;
  disputeStatus: string | null;
  disputedCents: number;
};

export function paymentStatus(p: Pick<PaymentRow, "status" | "amountCents" | "refundedCents" | "disputeStatus">) {
  if (OPEN_DISPUTE(p.disputeStatus) || p.disputeStatus === "lost") return "disputed";
  if (p.refundedCents > 0) return p.refundedCents >= p.amountCents ? "refunded" : "partially_refunded";
  return p.status;
}

const factsOf = (p: Omit<PaymentRow, "id" | "lastError" | "attempts" | "disputedCents">) => ({ ...p, funding: fundingOf(p.provider) });

/** The ticket's `payment` object: the member's own payment; refunds, errors and the raw status for the desk. */
export async function paymentView(p: PaymentRow, desk: boolean) {
  return {
    status: paymentStatus(p),
    summary: moneyWords(factsOf(p), desk ? "desk" : "member") ?? p.status,
    funding: fundingOf(p.provider),
    amountCents: p.amountCents,
    currency: p.currency,
    refundedCents: p.refundedCents,
    ...(desk
      ? {
          settlement: p.status,
          lastError: p.lastError,
          attempts: p.attempts,
          disputeStatus: p.disputeStatus,
          disputedCents: p.disputedCents,
          refunds: await refundsForPayment(p.id),
        }
      : {}),
  };
}

/** What the ticket lists show: what was paid and what came back, nothing the desk keeps to itself. */
export function paidOf(
  p: Pick<PaymentRow, "status" | "provider" | "amountCents" | "currency" | "refundedCents" | "disputeStatus"> | undefined,
  desk: boolean,
) {
  if (!p) return null;
  return {
    status: paymentStatus(p),
    amountCents: p.amountCents,
    currency: p.currency,
    refundedCents: p.refundedCents,
    funding: fundingOf(p.provider),
    line: moneyLine(factsOf(p), desk ? "desk" : "member"),
  };
}
