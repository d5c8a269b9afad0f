import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { forPage } from "~/utils/page-errors.server";
import { stripePricesChecked } from "~/models/escalation/linked-price.server";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CentsField, CurrencyField, FieldErrorList, OfferedCheckbox, StripePriceField } from "~/components/admin/admin-form-parts";
import { Field, FormError } from "~/components/field";
import { requirePermission } from "~/models/permissions";
import { createTier, listTiers, MAX_RESPONSE_HOURS, updateTier } from "~/models/escalation/tier.server";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formatPrice } from "~/utils/money";
import { formToObject } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Support tiers · Admin · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requirePermission(user, "tier:manage");
    return { tiers: await listTiers({ includeInactive: true }), pricesChecked: stripePricesChecked() };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { intent, id, ...fields } = formToObject(await readForm(request));
  return attempt(async () => {
    requirePermission(user, "tier:manage");
    if (intent === "create") await createTier(user, fields);
    else if (intent === "update") await updateTier(user, String(id), fields);
    else throw badRequest("Unknown action.");
    return { ok: true as const, intent: String(intent), id: String(id ?? "") };
  });
}

type Result = FormFailure | { ok: true; intent: string; id: string } | undefined;

function TierFields({
  tier,
  errors,
  pricesChecked,
}: {
  pricesChecked: boolean;
  tier?: {
    slug: string;
    name: string;
    responseHours: number;
    priceCents: number;
    currency: string;
    stripePriceId: string | null;
    active: boolean;
    position: number;
  };
  errors?: Record<string, string>;
}) {
  return (
    <>
      <div className="row">
        <Field label="Name" name="name" defaultValue={tier?.name} required error={errors?.name} />
        <Field label="Slug" name="slug" defaultValue={tier?.slug} required error={errors?.slug} />
        <Field label="Order" name="position" type="number" min={0} defaultValue={tier?.position ?? 0} error={errors?.position} />
      </div>
      <div className="row">
        <Field
          label="Response time (hours)"
          name="responseHours"
          type="number"
          min={1}
          max={MAX_RESPONSE_HOURS}
          required
          defaultValue={tier?.responseHours}
          error={errors?.responseHours}
        />
        <CentsField label="Price" name="priceCents" min={50} of={tier} errors={errors} hint="4900 is 49.00; Stripe's minimum is 50." />
        <CurrencyField value={tier?.currency} error={errors?.currency} />
      </div>
      <StripePriceField value={tier?.stripePriceId} error={errors?.stripePriceId} pricesChecked={pricesChecked} billing="one-time" />
      <OfferedCheckbox checked={tier?.active} />
    </>
  );
}

export default function AdminTiers() {
  const { tiers, pricesChecked } = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack">
      <h1>Support tiers</h1>
      <p>
        Each tier promises a first response within its hours of payment; if the maintainer neither accepts nor rejects a ticket in time, the
        card authorisation is released. Changes apply to new escalations only.
      </p>
      <FormError message={failure?.message} />
      <FieldErrorList fields={failure?.fields} />
      {tiers.length === 0 ? <p className="empty-list">No tiers yet: members cannot escalate until you create one below.</p> : null}
      {tiers.map((t) => (
        <Form method="post" key={t.id} className="card" aria-label={`Edit ${t.name}`}>
          <input type="hidden" name="id" value={t.id} />
          <h2>
            {t.name}: {formatPrice(t.priceCents, t.currency)}, {t.responseHours} h{t.active ? "" : " (not offered)"}
          </h2>
          <TierFields tier={t} pricesChecked={pricesChecked} />
          <button type="submit" name="intent" value="update">
            Save
          </button>
        </Form>
      ))}
      <Form method="post" className="card" aria-labelledby="new-tier">
        <h2 id="new-tier">New tier</h2>
        <TierFields errors={failure?.fields} pricesChecked={pricesChecked} />
        <button type="submit" name="intent" value="create">
          Create tier
        </button>
      </Form>
    </div>
  );
}
