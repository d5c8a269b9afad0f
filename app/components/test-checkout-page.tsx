import { Form, useActionData, useNavigation } from "@remix-run/react";
import { Fragment, type ReactNode } from "react";
import { FormError } from "~/components/field";
import type { FormFailure } from "~/utils/form-action.server";

/** What a test checkout's loader describes: what is simulated, the facts of the purchase, whether it is open, its pay button. */
export type TestCheckout = {
  what: string;
  title: string;
  facts: [label: string, value: string][];
  open: boolean;
  pay: { intent: string; label: string };
};

/**
 * The simulated Stripe Checkout of test mode (docs/decisions/038), for a ticket or a plan: what is bought, a pay and
 * a decline button while the checkout is open, what happened once it is closed.
 */
export function TestCheckoutPage({
  checkout: { what, title, facts, open, pay },
  closed,
  children,
}: {
  checkout: TestCheckout;
  closed: ReactNode;
  children?: ReactNode;
}) {
  const result = useActionData<FormFailure>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="narrow stack" aria-labelledby="checkout-title">
      <p className="test-banner" role="note">
        TEST MODE: this is a simulated {what}. No card is needed and no real money moves.
      </p>
      <h1 id="checkout-title">{title}</h1>
      <dl className="facts">
        {facts.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      <FormError message={result?.message} />
      {open ? (
        <Form method="post" className="row">
          <button type="submit" name="intent" value={pay.intent} disabled={busy}>
            {pay.label}
          </button>
          <button type="submit" name="intent" value="decline" className="danger" disabled={busy}>
            Decline
          </button>
        </Form>
      ) : (
        closed
      )}
      {children}
    </section>
  );
}
