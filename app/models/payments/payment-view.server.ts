import { formatPrice } from "~/utils/money";
import { paymentSummary } from "~/models/payments/payment.server";
import { refundsForPayment } from "~/models/tickets/refund.server";

// How a ticket's payment reads after capture (docs/decisions/036): refunds and
// chargebacks change what the member and the desk see; the settlement status
// the desk acts on (capture_failed, …) stays available to the desk as `settlement`.
type PaymentRow = {
  id: string;
  status: string;
  amountCents: number;
  currency: string;
  lastError: string | null;
  attempts: number;
  refundedCents: number;
  disputeStatus: string | null;
  disputedCents: number;
};

const OPEN_DISPUTE = (s: string | null) => !!s && !["won", "lost", "warning_closed"].includes(s);

export function paymentStatus(p: Pick<PaymentRow, "status" | "amountCents" | "refundedCents" | "disputeStatus">) {
  if (OPEN_DISPUTE(p.disputeStatus) || p.disputeStatus === "lost") return "disputed";
  if (p.refundedCents > 0) return p.refundedCents >= p.amountCents ? "refunded" : "partially_refunded";
  return p.status;
}

function summary(p: PaymentRow) {
  const refunded = formatPrice(p.refundedCents, p.currency);
  if (OPEN_DISPUTE(p.disputeStatus)) return "Paid; the payment is disputed with your bank.";
  if (p.disputeStatus === "lost") return "Paid; the bank returned the payment to you after a dispute.";
  if (p.refundedCents >= p.amountCents) return `Paid, then refunded in full (${refunded}).`;
  if (p.refundedCents > 0) return `Paid ${formatPrice(p.amountCents, p.currency)}; ${refunded} of it was refunded.`;
  return paymentSummary(p.status);
}

/** The ticket's `payment` object: the member's own payment; refunds, errors and the raw status for the desk. */
export async function paymentView(p: PaymentRow, desk: boolean) {
  return {
    status: paymentStatus(p),
    summary: summary(p),
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
export function paidOf(p: Pick<PaymentRow, "status" | "amountCents" | "currency" | "refundedCents" | "disputeStatus"> | undefined) {
  return p ? { status: paymentStatus(p), amountCents: p.amountCents, currency: p.currency, refundedCents: p.refundedCents } : null;
}
