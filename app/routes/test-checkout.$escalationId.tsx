import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TestCheckoutPage, type TestCheckout } from "~/components/test-checkout-page";
import { getEnv } from "~/env.server";
import { escalationPath } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { requireUser } from "~/services/auth.server";
import { simulateCheckout, testCheckoutFor } from "~/services/payments/test-mode.server";
import { notFound } from "~/utils/errors";
import { attempt, readForm } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";
import { plural } from "~/utils/text";

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
    const amount = formatPrice(e.amountCents, e.currency);
    const facts: TestCheckout["facts"] = [
      ["For", e.thread.title],
      ["Tier", `${e.tier.name} (first response within ${plural(e.tier.responseHours, "hour")})`],
      ["Amount", `${amount}, authorised now, charged only if the maintainer accepts`],
    ];
    const checkout: TestCheckout = {
      what: "checkout",
      title: "Test checkout",
      facts,
      open: e.state === "checkout_open",
      pay: { intent: "authorize", label: `Authorize ${amount}` },
    };
    return { escalationId: e.id, state: e.state, ticketId: e.ticket?.id ?? null, checkout, back: escalationPath(e.threadId) };
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
  return (
    <TestCheckoutPage
      checkout={data.checkout}
      closed={
        data.ticketId ? (
          <p className="notice">
            This checkout is complete. <Link to={`/tickets/${data.ticketId}`}>Open your ticket</Link>.
          </p>
        ) : (
          <p className="notice">
            This checkout is closed ({data.state.replace("_", " ")}). <Link to={data.back}>Start again</Link>.
          </p>
        )
      }
    >
      <p>
        <Link to={`${data.back}?escalation=${data.escalationId}&checkout=cancelled`}>Cancel and go back</Link>
      </p>
    </TestCheckoutPage>
  );
}
