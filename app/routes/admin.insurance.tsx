import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CentsField, CurrencyField, OfferedCheckbox, StripePriceField } from "~/components/admin/admin-form-parts";
import { Field, FormError } from "~/components/field";
import { createPlan, listPlans, updatePlan } from "~/models/insurance/plans.server";
import { requirePermission } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { forPage } from "~/utils/page-errors.server";
import { stripePricesChecked } from "~/models/escalation/linked-price.server";
import { formToObject } from "~/utils/validation";

// Support insurance plans (docs/product.md §4.11): a yearly price and the coverage it buys.
export const meta: MetaFunction = () => [{ title: "Support insurance · Admin · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requirePermission(user, "insurance:manage");
    return { plans: await listPlans({ includeInactive: true }), pricesChecked: stripePricesChecked() };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { intent, id, ...fields } = formToObject(await readForm(request));
  return attempt(async () => {
    // Refused before the intent is read: a member learns nothing about this form.
    requirePermission(user, "insurance:manage");
    if (intent === "create") await createPlan(user, fields);
    else if (intent === "update") await updatePlan(user, String(id), fields);
    else throw badRequest("Unknown action.");
    return { ok: true as const };
  });
}

type Plan = { name: string; priceCents: number; coverageCents: number; currency: string; stripePriceId: string | null; active: boolean };

function PlanFields({ plan, errors, pricesChecked }: { plan?: Plan; errors?: Record<string, string>; pricesChecked: boolean }) {
  return (
    <>
      <Field label="Name" name="name" defaultValue={plan?.name} required error={errors?.name} />
      <div className="row">
        <CentsField label="Yearly price" name="priceCents" min={50} of={plan} errors={errors} hint="99000 is 990.00 a year." />
        <CentsField
          label="Coverage per year"
          name="coverageCents"
          min={100}
          of={plan}
          errors={errors}
          hint="each paid ticket draws from it."
        />
        <CurrencyField value={plan?.currency} error={errors?.currency} />
      </div>
      <StripePriceField value={plan?.stripePriceId} error={errors?.stripePriceId} pricesChecked={pricesChecked} billing="yearly" />
      <OfferedCheckbox checked={plan?.active} />
    </>
  );
}

export default function AdminInsurance() {
  const { plans, pricesChecked } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true } | undefined>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack">
      <h1>Support insurance</h1>
      <p>
        A yearly subscription; while it runs, escalations are paid from its coverage instead of a card. Changes apply to new subscriptions:
        members renew on the price and coverage they bought.
      </p>
      <FormError message={failure?.message} />
      {plans.length === 0 ? <p className="empty-list">No plans yet: members pay each ticket by card until you create one below.</p> : null}
      {plans.map((p) => (
        <Form method="post" key={p.id} className="card" aria-label={`Edit plan ${p.name}`}>
          <input type="hidden" name="id" value={p.id} />
          <h2>
            {p.name}: {formatPrice(p.priceCents, p.currency)} a year for {formatPrice(p.coverageCents, p.currency)} of coverage
            {p.active ? "" : " (not offered)"}
          </h2>
          <PlanFields plan={p} pricesChecked={pricesChecked} />
          <button type="submit" name="intent" value="update">
            Save
          </button>
        </Form>
      ))}
      <Form method="post" className="card" aria-labelledby="new-plan">
        <h2 id="new-plan">New plan</h2>
        <PlanFields errors={failure?.fields} pricesChecked={pricesChecked} />
        <button type="submit" name="intent" value="create">
          Create plan
        </button>
      </Form>
    </div>
  );
}
