import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "~/components/field";
import { getEnv } from "~/env.server";
import { escalationPath } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { requireUser } from "~/services/auth.server";
import { simulateCheckout, testCheckoutFor } from "~/services/payments/test-mode.server";
import { notFound } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";

// The test-mode checkout (docs/product.md §4.12): stands in for Stripe Checkout when no
// Stripe keys are configured. Its buttons feed the same fulfilment as Stripe's webhook.

export const meta: MetaFunction = () => [{ title: "Test checkout (no real money) · Backline" }, { name: "robots", content: "noindex" }];

function requireTestMode() {
  if (getEnv().paymentsMode !== "test") throw notFound();
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requireTestMode();
    const e = await testCheckoutFor(user.id, params.escalationId!);
    return {
      escalationId: e.id,
      open: e.state === "checkout_open",
      state: e.state,
      ticketId: e.ticket?.id ?? null,
      amount: formatPrice(e.amountCents, e.currency),
      tier: e.tier,
      threadTitle: e.thread.title,
      back: escalationPath(e.threadId),
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const outcome = form.get("intent") === "decline" ? "decline" : "authorize";
  return attempt(async () => {
    requireTestMode();
    const checkout = await testCheckoutFor(user.id, params.escalationId!);
    await applyPaymentEvent(await simulateCheckout(user.id, checkout.id, outcome));
    const result = outcome === "authorize" ? "success" : "cancelled";
    return redirect(`${escalationPath(checkout.threadId)}?escalation=${checkout.id}&checkout=${result}`);
  });
}

export default function TestCheckout() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="narrow stack" aria-labelledby="checkout-title">
      <p className="test-banner" role="note">
        TEST MODE: this is a simulated checkout. No card is needed and no real money moves.
      </p>
      <h1 id="checkout-title">Test checkout</h1>
      <dl className="facts">
        <dt>For</dt>
        <dd>{data.threadTitle}</dd>
        <dt>Tier</dt>
        <dd>
          {data.tier.name} (first response within {data.tier.responseHours} hours)
        </dd>
        <dt>Amount</dt>
        <dd>{data.amount}, authorised now, charged only if the maintainer accepts</dd>
      </dl>
      <FormError message={result?.message} />
      {data.open ? (
        <Form method="post" className="row">
          <button type="submit" name="intent" value="authorize" disabled={busy}>
            Authorize {data.amount}
          </button>
          <button type="submit" name="intent" value="decline" className="danger" disabled={busy}>
            Decline
          </button>
        </Form>
      ) : data.ticketId ? (
        <p className="notice">
          This checkout is complete. <Link to={`/tickets/${data.ticketId}`}>Open your ticket</Link>.
        </p>
      ) : (
        <p className="notice">
          This checkout is closed ({data.state.replace("_", " ")}). <Link to={data.back}>Start again</Link>.
        </p>
      )}
      <p>
        <Link to={`${data.back}?escalation=${data.escalationId}&checkout=cancelled`}>Cancel and go back</Link>
      </p>
    </section>
  );
}
