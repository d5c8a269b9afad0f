import { Form } from "@remix-run/react";
import { formatPrice } from "~/utils/money";
import { TicketRefunds } from "./ticket-refunds";
import type { Ticket } from "./types";

/** What was paid; the desk also sees the provider's status, the refunds and a retry when capture or release failed. */
export function PaymentSection({
  payment,
  canDecide,
  errors,
}: {
  payment: NonNullable<Ticket["payment"]>;
  canDecide: boolean;
  errors?: Record<string, string>;
}) {
  return (
    <section aria-labelledby="payment-title" className="card">
      <h2 id="payment-title">Payment</h2>
      <p>
        {formatPrice(payment.amountCents, payment.currency)}: {payment.summary}
      </p>
      {canDecide ? (
        <p className="meta">
          <span>Status: {payment.status}</span>
          {payment.lastError ? (
            <span className="field-error" role="alert">
              Last error: {payment.lastError} (retrying automatically)
            </span>
          ) : null}
        </p>
      ) : null}
      {canDecide ? <TicketRefunds payment={payment} errors={errors} /> : null}
      {canDecide && (payment.status === "capture_failed" || payment.status === "cancel_failed") ? (
        <Form method="post">
          <input type="hidden" name="intent" value="retry-payment" />
          <button type="submit">Retry now</button>
        </Form>
      ) : null}
    </section>
  );
}
