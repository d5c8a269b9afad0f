import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TestCheckoutPage, type TestCheckout } from "~/components/test-checkout-page";
import { completeTestInsuranceCheckout, insurancePath, testInsuranceCheckoutFor } from "~/models/insurance/purchase.server";
import { requireUser } from "~/services/auth.server";
import { attempt, readForm } from "~/utils/form-action.server";
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
    const price = formatPrice(sub.plan.priceCents, sub.plan.currency);
    const facts: TestCheckout["facts"] = [
      ["Plan", sub.plan.name],
      ["Price", `${price} a year`],
      ["Coverage", `${formatPrice(sub.plan.coverageCents, sub.plan.currency)} a year`],
    ];
    const checkout: TestCheckout = {
      what: "subscription checkout",
      title: "Test checkout: support insurance",
      facts,
      open: sub.status === "incomplete",
      pay: { intent: "subscribe", label: `Subscribe for ${price} a year` },
    };
    return { checkout };
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
  return (
    <TestCheckoutPage
      checkout={data.checkout}
      closed={
        <p className="notice">
          This checkout is closed. <Link to={insurancePath}>Back to support insurance</Link>.
        </p>
      }
    />
  );
}
