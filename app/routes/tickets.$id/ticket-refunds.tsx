import { Form, useNavigation } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { Field } from "~/components/field";
import { Time } from "~/components/time";
import { formatPrice } from "~/utils/money";

type Refund = {
  id: string;
  amountCents: number;
  currency: string;
  reason: string | null;
  status: string;
  source: string;
  lastError: string | null;
  createdAt: string;
  by: string | null;
};
type Payment = { amountCents: number; currency: string; refundedCents: number; settlement?: string; refunds?: Refund[] };

const STATUS: Record<string, string> = { pending: "being sent", succeeded: "refunded", failed: "failed", canceled: "canceled" };

/** The desk's refunds of a ticket's payment, and the form to give money back (docs/decisions/036). */
export function TicketRefunds({ payment, errors }: { payment: Payment; errors?: Record<string, string> }) {
  const busy = useNavigation().formData?.get("intent") === "refund";
  const refunds = payment.refunds ?? [];
  const pending = refunds.filter((r) => r.status === "pending").reduce((n, r) => n + r.amountCents, 0);
  const left = payment.amountCents - payment.refundedCents - pending;
  return (
    <>
      {refunds.length ? (
        <DataTable
          caption="Refunds"
          rows={refunds}
          rowKey={(r) => r.id}
          columns={[
            { header: "When", cell: (r) => <Time value={r.createdAt} /> },
            { header: "Amount", cell: (r) => formatPrice(r.amountCents, r.currency) },
            { header: "By", cell: (r) => (r.source === "provider" ? "Stripe dashboard" : (r.by ?? "")) },
            { header: "Reason", cell: (r) => r.reason },
            { header: "Status", cell: (r) => `${STATUS[r.status] ?? r.status}${r.lastError ? `: ${r.lastError}` : ""}` },
          ]}
        />
      ) : null}
      {payment.settlement === "captured" && left > 0 ? (
        <Form method="post" className="card" replace preventScrollReset>
          <input type="hidden" name="intent" value="refund" />
          <h3>Refund</h3>
          <Field
            label={`Amount (${payment.currency.toUpperCase()})`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            hint={`For example 12.50. Leave empty to refund all that is left: ${formatPrice(left, payment.currency)}.`}
            error={errors?.amount ?? errors?.amountCents}
          />
          <Field label="Reason (the member does not see it)" name="reason" required minLength={5} maxLength={500} error={errors?.reason} />
          <label>
            <input type="checkbox" name="confirm" required /> I confirm: this gives the money back to the member and cannot be undone.
          </label>
          <button type="submit" className="danger" disabled={busy}>
            Refund
          </button>
        </Form>
      ) : null}
    </>
  );
}
