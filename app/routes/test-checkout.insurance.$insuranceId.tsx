import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "~/components/field";
import { completeTestInsuranceCheckout, insurancePath, testInsuranceCheckoutFor } from "~/models/insurance/purchase.server";
import { requireUser } from "~/services/auth.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";

// The test-mode subscription checkout: stands in for Stripe Checkout in
// subscription mode; its buttons produce the events Stripe's webhooks would.

export const meta: MetaFunction = () => [
  { title: "Test checkout: support insurance (no real money) · Backline" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    const sub = await testInsuranceCheckoutFor(user.id, params.insuranceId!);
    return {
      open: sub.status === "incomplete",
      plan: {
        name: sub.plan.name,
        price: formatPrice(sub.plan.priceCents, sub.plan.currency),
        coverage: formatPrice(sub.plan.coverageCents, sub.plan.currency),
      },
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const outcome = (await readForm(request)).get("intent") === "decline" ? "decline" : "subscribe";
  return attempt(async () => {
    await completeTestInsuranceCheckout(user.id, params.insuranceId!, outcome);
    return redirect(`${insurancePath}?checkout=${outcome === "subscribe" ? "success" : "cancelled"}`);
  });
}

export default function TestInsuranceCheckout() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="narrow stack" aria-labelledby="checkout-title">
      <p className="test-banner" role="note">
        TEST MODE: this is a simulated subscription checkout. No card is needed and no real money moves.
      </p>
      <h1 id="checkout-title">Test checkout: support insurance</h1>
      <dl className="facts">
        <dt>Plan</dt>
        <dd>{data.plan.name}</dd>
        <dt>Price</dt>
        <dd>{data.plan.price} a year</dd>
        <dt>Coverage</dt>
        <dd>{data.plan.coverage} a year</dd>
      </dl>
      <FormError message={result?.message} />
      {data.open ? (
        <Form method="post" className="row">
          <button type="submit" name="intent" value="subscribe" disabled={busy}>
            Subscribe for {data.plan.price} a year
          </button>
          <button type="submit" name="intent" value="decline" className="danger" disabled={busy}>
            Decline
          </button>
        </Form>
      ) : (
        <p className="notice">
          This checkout is closed. <Link to={insurancePath}>Back to support insurance</Link>.
        </p>
      )}
    </section>
  );
}
