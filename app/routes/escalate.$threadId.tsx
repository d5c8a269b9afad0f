import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { getEnv } from "~/env.server";
import { awaitsTicket, returnNotice, type ReturnStatus } from "~/models/escalation/checkout-return";
import { GATE_LIMITS } from "~/models/escalation/gate-limits";
import { gateDraft } from "~/models/escalation/gate-draft.server";
import { communityOnlyError, escalationContext, escalationStatus, startEscalation } from "~/models/escalation/escalation.server";
import { requirePermission } from "~/models/permissions";
import { activeCoverage } from "~/models/insurance/insurance.server";
import { honoursProvider } from "~/models/payments/test-money.server";
import { requireUser } from "~/services/auth.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { newFormToken, submitOnce } from "~/utils/form-once.server";
import { FORM_TOKEN_FIELD } from "~/utils/form-token";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";
import { PausedCard, QueueNotice, TierTruth } from "~/components/support/intake";
import { gateIntake } from "~/models/availability/gate-intake.server";
import { requestReopenMail } from "~/models/availability/reopen.server";
import { formToObject } from "~/utils/validation";
import { plural } from "~/utils/text";

// The gate before payment (docs/product.md §4.2) and the page checkout returns to.

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Get paid support: ${data.thread.title} · Backline` : "Get paid support · Backline" },
  { name: "robots", content: "noindex" },
  // The ticket appears when the payment provider confirms the authorisation, usually within seconds.
  ...(data && awaitsTicket(returnNotice(data.checkout, data.status)) ? [{ httpEquiv: "refresh", content: "3" }] : []),
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requirePermission(user, "escalation:create");
    const context = await escalationContext(params.threadId!, user);
    if (!context.thread.category.supported) throw communityOnlyError(context.thread.category.name);
    const url = new URL(request.url);
    const escalationId = url.searchParams.get("escalation");
    const status = escalationId ? await escalationStatus(user.id, escalationId) : null;
    // Back from checkout and the ticket exists: straight to it.
    if (status?.ticketId && url.searchParams.get("checkout") === "success") throw redirect(`/tickets/${status.ticketId}`);
    return {
      ...context,
      checkout: url.searchParams.get("checkout"),
      status: status && status.threadId === params.threadId ? status : null,
      testMode: getEnv().paymentsMode === "test",
      formToken: newFormToken(),
      intake: await gateIntake(user.id),
      // Back from a checkout that did not go through: the answers given before it.
      draft: context.activeTicketId ? null : await gateDraft(user.id, params.threadId!, status && !status.ticketId ? status.id : null),
      coverage: await activeCoverage(user.id).then((c) =>
        c ? { balanceCents: c.balanceCents, currency: c.plan.currency, honoured: honoursProvider(c.provider) } : null,
      ),
    };
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const typed = formToObject(form);
  return attempt(
    async () => {
      if (form.get("intent") === "notify-reopen") return requestReopenMail(user);
      // One escalation and one checkout per submitted form, however often it is sent.
      const checkoutUrl = await submitOnce(user, `escalate:${params.threadId}`, form, async () => {
        const started = await startEscalation(user, params.threadId!, typed);
        return started.checkoutUrl;
      });
      return redirect(checkoutUrl);
    },
    // Shown again without JavaScript too: nothing typed is lost to a validation error.
    pick(typed, ["tier", "payWith", "productVersion", "environment", "stepsToReproduce", "alreadyTried", "acceptScope"]),
  );
}

function ReturnNotice({ checkout, status }: { checkout: string | null; status: ReturnStatus | null }) {
  switch (returnNotice(checkout, status)) {
    case "ticket":
      return (
        <p className="notice" role="status">
          Payment authorised. <Link to={`/tickets/${status!.ticketId}`}>Open your ticket</Link>.
        </p>
      );
    case "paid":
      return (
        <p className="notice" role="status">
          Payment received; your ticket is being created. This page refreshes by itself.
        </p>
      );
    case "waiting":
      // A lost confirmation is picked up by the hourly sweep (docs/decisions/035), so "within the hour" is a promise we keep.
      return (
        <p className="notice" role="status">
          Waiting for the payment to be confirmed by the payment provider. This page refreshes by itself; if your card was authorised, your
          ticket appears here within the hour at the latest.
        </p>
      );
    case "declined":
      return (
        <p className="form-error" role="alert">
          The card was declined. Nothing was charged; you can try again below.
        </p>
      );
    case "cancelled":
      // Superseded by a newer checkout (docs/decisions/029) or released.
      return (
        <p className="notice" role="status">
          This checkout is closed: a newer one replaced it, or its card hold was released. Nothing was charged for it; you can start again
          below.
        </p>
      );
    case "expired":
      return (
        <p className="notice" role="status">
          That checkout expired. Nothing was charged; you can start again below.
        </p>
      );
    case "abandoned":
      return (
        <p className="notice" role="status">
          Checkout cancelled. Nothing was charged; you can start again below.
        </p>
      );
    default:
      return null;
  }
}

const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, typeof o[k] === "string" ? o[k] : undefined])) as Record<string, string | undefined>;

/** The link from a fieldset's control to its error, so a screen reader hears why it is invalid. */
const invalid = (error: string | undefined, id: string) =>
  error ? { "aria-invalid": true as const, "aria-describedby": id } : { "aria-invalid": undefined, "aria-describedby": undefined };

/** The four answers the maintainer needs (docs/product.md §4.2), in the order they are asked. */
const GATE_QUESTIONS: { name: keyof typeof GATE_LIMITS; label: string; rows?: number; hint: string }[] = [
  { name: "productVersion", label: "Product version", hint: "The exact version you run, e.g. 3.2.1." },
  { name: "environment", label: "Environment", rows: 3, hint: "Operating system, runtime and database versions, browser, hosting." },
  {
    name: "stepsToReproduce",
    label: "Steps to reproduce",
    rows: 6,
    hint: "Numbered steps from a fresh start; what you expected and what happened instead.",
  },
  {
    name: "alreadyTried",
    label: "What you already tried",
    rows: 4,
    hint: "Workarounds, configuration changes, answers from the thread you followed.",
  },
];

export default function Escalate() {
  const { thread, tiers, similar, activeTicketId, scopeStatement, checkout, status, testMode, coverage, formToken, intake, draft } =
    useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { requested: true }>();
  const failure = result && "ok" in result ? result : undefined;
  const firstOpen = tiers.findIndex((t) => intake.tiers.find((x) => x.id === t.id)?.available);
  const busy = useNavigation().state !== "idle";
  const errors = failure?.fields ?? {};
  // What the member typed (after a refused submit) or gave before a checkout that did not go through.
  const given: Record<string, string | undefined> = failure?.values ?? draft ?? {};
  const available = (slug: string | undefined) => tiers.some((t) => t.slug === slug && intake.tiers.find((x) => x.id === t.id)?.available);
  const chosenTier = available(given.tier) ? given.tier : tiers[firstOpen]?.slug;
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={thread.url}>← Back to the thread</Link>
      </nav>
      <header>
        <h1>Get paid support</h1>
        <p>
          For <Link to={thread.url}>{thread.title}</Link>. The maintainer gets a private ticket with the whole thread and your answers
          below. Your card is authorised now and charged only if the maintainer accepts the ticket; if they decline it, or do not answer
          within the promised time, the authorisation is released and you pay nothing.
        </p>
      </header>
      <ReturnNotice checkout={checkout} status={status} />

      {activeTicketId ? (
        <p className="notice" role="status">
          You already have an open paid ticket for this thread. <Link to={`/tickets/${activeTicketId}`}>Continue there</Link>.
        </p>
      ) : !intake.open ? (
        <>
          <QueueNotice intake={intake} />
          <PausedCard intake={intake} tiers={tiers} error={failure?.message} />
        </>
      ) : (
        <>
          <QueueNotice intake={intake} />
          {similar.length ? (
            <section aria-labelledby="similar-title" className="card">
              <h2 id="similar-title">Before you pay: these solved threads may already answer it</h2>
              <ul className="plain-list">
                {similar.map((s) => (
                  <li key={s.id}>
                    <Link to={s.url}>{s.title}</Link>
                    {s.answer ? <p className="hint">{s.answer}</p> : null}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <Form method="post" className="card" noValidate aria-labelledby="gate-title">
            <h2 id="gate-title">What the maintainer needs</h2>
            <input type="hidden" name={FORM_TOKEN_FIELD} value={formToken} />
            <FormError message={failure?.message} />
            <fieldset className="field">
              <legend>Support tier</legend>
              {tiers.map((t) => {
                const truth = intake.tiers.find((x) => x.id === t.id);
                return (
                  <label key={t.id} style={{ display: "block", fontWeight: 400 }} data-testid={`tier-${t.slug}`}>
                    <input
                      type="radio"
                      name="tier"
                      value={t.slug}
                      defaultChecked={t.slug === chosenTier}
                      disabled={!truth?.available}
                      {...invalid(errors.tier, "tier-error")}
                    />{" "}
                    <strong>{t.name}</strong>: first response within {plural(t.responseHours, "hour")},{" "}
                    {formatPrice(t.priceCents, t.currency)}
                    <TierTruth tier={truth} />
                  </label>
                );
              })}
              {errors.tier ? (
                <p id="tier-error" className="field-error" role="alert">
                  {errors.tier}
                </p>
              ) : null}
            </fieldset>
            {coverage ? (
              <fieldset className="field">
                <legend>Pay with</legend>
                <label style={{ display: "block", fontWeight: 400 }}>
                  <input
                    type="radio"
                    name="payWith"
                    value="coverage"
                    defaultChecked={coverage.honoured && given.payWith !== "card"}
                    disabled={!coverage.honoured}
                    {...invalid(errors.payWith, "pay-with-error")}
                  />{" "}
                  Your support insurance ({formatPrice(coverage.balanceCents, coverage.currency)} left): no card needed
                </label>
                {coverage.honoured ? null : (
                  <p className="hint">
                    It was bought in the test checkout and does not pay on this live forum: <a href="/insurance">buy a plan</a>, or pay by
                    card.
                  </p>
                )}
                <label style={{ display: "block", fontWeight: 400 }}>
                  <input
                    type="radio"
                    name="payWith"
                    value="card"
                    defaultChecked={!coverage.honoured || given.payWith === "card"}
                    {...invalid(errors.payWith, "pay-with-error")}
                  />{" "}
                  Card (authorised now, charged only if accepted)
                </label>
                {errors.payWith ? (
                  <p id="pay-with-error" className="field-error" role="alert">
                    {errors.payWith}
                  </p>
                ) : null}
              </fieldset>
            ) : null}
            {GATE_QUESTIONS.map(({ name, label, rows, hint }) => {
              const common = {
                label,
                name,
                required: true,
                minLength: GATE_LIMITS[name].min,
                maxLength: GATE_LIMITS[name].max,
                hint,
                error: errors[name],
                defaultValue: given[name],
              };
              return rows ? <Field key={name} multiline rows={rows} {...common} /> : <Field key={name} {...common} />;
            })}
            <div className="field">
              <label style={{ fontWeight: 400 }}>
                <input
                  type="checkbox"
                  name="acceptScope"
                  value="on"
                  required
                  defaultChecked={given.acceptScope === "on"}
                  {...invalid(errors.acceptScope, "accept-scope-error")}
                />{" "}
                I understand the scope: {scopeStatement}
              </label>
              {errors.acceptScope ? (
                <p id="accept-scope-error" className="field-error" role="alert">
                  {errors.acceptScope}
                </p>
              ) : null}
            </div>
            <button type="submit" disabled={busy}>
              {busy ? "Opening the payment page…" : "Continue to payment"}
            </button>
            {testMode ? <p className="hint">Test mode: the next page simulates the payment; no real money moves.</p> : null}
          </Form>
        </>
      )}
    </div>
  );
}
