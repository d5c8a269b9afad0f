import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { FormError } from "~/components/field";
import { Time } from "~/components/time";
import { getEnv } from "~/env.server";
import { insuranceStatus } from "~/models/insurance/insurance.server";
import { simulateTestRenewal, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { changeRenewal } from "~/models/insurance/renewal.server";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";

// The member's support insurance (docs/product.md §4.11): plan, renewal date and the
// balance, which is the sum of the ledger shown below it. "Don't renew" goes
// through a confirmation step (?confirm=dont-renew) and keeps the balance until
// the period ends (docs/decisions/037).

export const meta: MetaFunction = () => [{ title: "Support insurance · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => ({
    status: await insuranceStatus(user),
    checkout: new URL(request.url).searchParams.get("checkout"),
    confirming: new URL(request.url).searchParams.get("confirm") === "dont-renew",
    renewal: new URL(request.url).searchParams.get("renewal"),
    testMode: getEnv().paymentsMode === "test",
  }));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = Object.fromEntries(await readForm(request));
  return attempt(async () => {
    switch (form.intent) {
      case "buy": {
        const { checkoutUrl } = await startInsuranceCheckout(user, String(form.planId ?? ""));
        return redirect(checkoutUrl);
      }
      case "dont-renew":
      case "resume-renewal": {
        const sub = await changeRenewal(user, form);
        return sub.cancelAtPeriodEnd
          ? redirect("/insurance?renewal=off")
          : { ok: true as const, message: "Your plan renews again at the end of its period." };
      }
      case "renew-test":
        await simulateTestRenewal(user);
        return { ok: true as const, message: "Renewed (test mode)." };
      default:
        throw badRequest("Unknown action.");
    }
  });
}

export default function Insurance() {
  const { status, checkout, testMode, confirming, renewal } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true; message: string } | undefined>();
  const busy = useNavigation().state !== "idle";
  const sub = status.subscription;
  return (
    <div className="stack">
      <header>
        <h1>Support insurance</h1>
        <p>
          A yearly plan that pays for paid support tickets: while it runs, escalating draws the tier price from your coverage, with no card
          needed. A declined or expired ticket returns the amount.
        </p>
      </header>
      {checkout === "success" && !sub?.covered ? (
        <p className="notice" role="status">
          Payment received; your coverage starts as soon as the first invoice is confirmed. This page updates when you reload it.
        </p>
      ) : null}
      {checkout === "cancelled" ? (
        <p className="notice" role="status">
          Checkout cancelled; nothing was charged.
        </p>
      ) : null}
      {renewal === "off" ? (
        <p className="notice" role="status">
          Your plan will not renew. Your balance stays usable until the date below.
        </p>
      ) : null}
      <FormError message={result && !result.ok ? result.message : undefined} />
      {result?.ok ? (
        <p className="notice" role="status">
          {result.message}
        </p>
      ) : null}

      {sub ? (
        <section aria-labelledby="plan-title" className="card">
          <h2 id="plan-title">Your plan: {sub.plan.name}</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd data-testid="plan-status">{statusLabel(sub)}</dd>
            <dt>Balance</dt>
            <dd>
              <strong data-testid="coverage-balance">{formatPrice(sub.balanceCents, sub.plan.currency)}</strong> of{" "}
              {formatPrice(sub.plan.coverageCents, sub.plan.currency)} a year
            </dd>
            {sub.renewsAt ? (
              <>
                <dt>Renews</dt>
                <dd>
                  <Time value={sub.renewsAt} withTime={false} />
                </dd>
              </>
            ) : null}
            {sub.endsAt && !sub.endedAt ? (
              <>
                <dt>Ends</dt>
                <dd>
                  <Time value={sub.endsAt} withTime={false} /> (will not renew)
                </dd>
              </>
            ) : null}
            {sub.endedAt ? (
              <>
                <dt>Ended</dt>
                <dd>
                  <Time value={sub.endedAt} withTime={false} />
                </dd>
              </>
            ) : null}
          </dl>
          {sub.status === "past_due" ? (
            <p className="notice" role="status">
              The renewal payment failed. Coverage is paused until it is paid: pay the invoice Stripe e-mailed you, or update your card
              there.
            </p>
          ) : null}
          {sub.renewsAt && confirming ? (
            <Form method="post" className="card" aria-labelledby="confirm-title">
              <h3 id="confirm-title">Stop the plan from renewing?</h3>
              <p>
                Your plan will not renew on <Time value={sub.renewsAt} withTime={false} />. Until then your balance of{" "}
                {formatPrice(sub.balanceCents, sub.plan.currency)} stays usable; after that day whatever is left ends. You can resume
                renewal until then.
              </p>
              <input type="hidden" name="confirm" value="yes" />
              <div className="row">
                <button type="submit" name="intent" value="dont-renew" className="danger" disabled={busy}>
                  Yes, don't renew
                </button>
                <Link to="/insurance">Keep renewing</Link>
              </div>
            </Form>
          ) : null}
          {!sub.endedAt ? (
            <div className="row">
              {sub.renewsAt && !confirming ? (
                <Link to="/insurance?confirm=dont-renew" className="button">
                  Don't renew…
                </Link>
              ) : null}
              {sub.cancelAtPeriodEnd && !sub.endedAt ? (
                <Form method="post">
                  <button type="submit" name="intent" value="resume-renewal" disabled={busy}>
                    Resume renewal
                  </button>
                </Form>
              ) : null}
              {testMode && sub.provider === "test" && sub.renewsAt ? (
                <Form method="post">
                  <button type="submit" name="intent" value="renew-test" disabled={busy}>
                    Simulate the yearly renewal (test mode)
                  </button>
                </Form>
              ) : null}
            </div>
          ) : null}
          <h3>Ledger</h3>
          <DataTable
            label="Coverage ledger"
            rows={sub.ledger}
            rowKey={(e) => e.id}
            columns={[
              { header: "Date", cell: (e) => <Time value={e.createdAt} /> },
              { header: "Entry", cell: (e) => e.label },
              { header: "Amount", cell: (e) => formatPrice(e.amountCents, sub.plan.currency), numeric: true },
            ]}
          />
        </section>
      ) : null}

      {!sub?.covered ? (
        <section aria-labelledby="plans-title" className="stack">
          <h2 id="plans-title">Plans</h2>
          {status.plans.length === 0 ? (
            <p className="empty-list">No plans are offered at the moment; each ticket can still be paid by card.</p>
          ) : null}
          {status.plans.map((p) => (
            <Form method="post" key={p.id} className="card">
              <input type="hidden" name="planId" value={p.id} />
              <h3>{p.name}</h3>
              <p>
                {formatPrice(p.priceCents, p.currency)} a year for {formatPrice(p.coverageCents, p.currency)} of paid support.
              </p>
              <button type="submit" name="intent" value="buy" disabled={busy}>
                Subscribe to {p.name}
              </button>
            </Form>
          ))}
          {testMode ? <p className="hint">Test mode: the next page simulates the subscription; no real money moves.</p> : null}
        </section>
      ) : null}
      <p>
        <Link to="/tickets">Your paid support tickets</Link>
      </p>
    </div>
  );
}

function statusLabel(sub: { covered: boolean; status: string; cancelAtPeriodEnd: boolean }) {
  if (sub.status === "canceled") return "Ended";
  if (sub.status === "past_due") return "Past due: not covered until the renewal is paid";
  if (sub.covered) return sub.cancelAtPeriodEnd ? "Active, not renewing" : "Active";
  return sub.status;
}
