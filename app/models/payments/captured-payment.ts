import { conflict } from "~/utils/errors";

/**
 * A ticket whose payment was captured outside Backline (docs/decisions/035) has
 * nothing to release: rejecting it would keep the member's money with the
 * member told they were not charged. The money goes back first.
 */
export function refuseRejectWhileCaptured(payment: { status: string } | undefined) {
  if (payment?.status !== "captured") return;
  throw conflict(
    "This ticket's payment was already captured (outside Backline), so rejecting it would keep the member's money. Refund the payment first, then reject the ticket; or accept it, which charges nothing more.",
  );
}
