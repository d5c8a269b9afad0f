import { Form, useNavigation } from "@remix-run/react";
import { Field } from "~/components/field";

/**
 * The owner's withdraw, behind a confirmation step: the first click only opens
 * the form, the second (with an optional reason) withdraws.
 */
export function WithdrawForm() {
  const busy = useNavigation().formData?.get("intent") === "withdraw";
  return (
    <details className="card">
      <summary>Withdraw this ticket</summary>
      <Form method="post" replace preventScrollReset className="stack">
        <input type="hidden" name="intent" value="withdraw" />
        <p>
          The maintainer has not accepted it yet: if you withdraw, the ticket closes, the authorisation is released and you are not charged.
          This cannot be undone.
        </p>
        <Field multiline label="Why (optional, for the maintainers)" name="reason" rows={2} maxLength={2000} />
        <button type="submit" className="danger" disabled={busy}>
          Yes, withdraw and release the authorisation
        </button>
      </Form>
    </details>
  );
}
