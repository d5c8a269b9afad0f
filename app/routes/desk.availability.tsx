import { DeskPageHeader } from "~/components/desk/desk-page-header";
import { AbsenceWarnings } from "~/components/desk/absence-warnings";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { formatDateTime } from "~/components/time";
import { plural } from "~/utils/text";
import { availabilityFromForm } from "~/models/availability/availability";
import {
  absenceWarnings,
  intakeNow,
  loadAvailability,
  presentAvailability,
  saveAvailability,
} from "~/models/availability/availability.server";
import { requireDesk } from "~/models/desk/desk.server";
import { listTiers } from "~/models/escalation/tier.server";
import { requirePermission } from "~/models/permissions";
import { getUser } from "~/services/auth.server";
import styles from "~/styles/desk.css";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { forPage } from "~/utils/page-errors.server";
import { formToObject } from "~/utils/validation";

// What the maintainer can keep (docs/product.md §4.13): the most paid tickets held at once
// and planned absences. Not on the desk: 404, as the rest of the desk.

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Availability · Desk · Backline" }, { name: "robots", content: "noindex" }];

const BLANK_ROWS = 2;
// datetime-local shows minutes; the times are UTC, as the hint says.
const localValue = (iso: string) => iso.slice(0, 16);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return forPage(async () => {
    requireDesk(user);
    requirePermission(user, "availability:manage");
    const [availability, warnings, intake, tiers] = await Promise.all([loadAvailability(), absenceWarnings(), intakeNow(), listTiers()]);
    return {
      tiers: tiers.map((t) => ({ id: t.id, name: t.name, responseHours: t.responseHours })),
      availability: presentAvailability(availability),
      intake: { open: intake.open, held: intake.held, reopensAt: intake.reopensAt?.toISOString() ?? null },
      warnings,
    };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await getUser(request);
  // Not on the desk: 404 before the form is read, as the loader.
  await forPage(async () => requireDesk(user));
  const form = await readForm(request);
  return attempt(async () => ({ saved: await saveAvailability(user!, availabilityFromForm(formToObject(form))) }));
}

export default function DeskAvailability() {
  const { availability, warnings, intake, tiers } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { saved: unknown }>();
  const failure = result && "ok" in result ? result : undefined;
  const errors = failure?.fields ?? {};
  const busy = useNavigation().state !== "idle";
  const rows = [...availability.absences, ...Array.from({ length: BLANK_ROWS }, () => null)];
  return (
    <div className="stack">
      <DeskPageHeader title="Availability">
        Paid support is sold only while its promise can be kept. Intake is{" "}
        <strong data-testid="intake-state">{intake.open ? "open" : "paused"}</strong>: {plural(intake.held, "paid ticket")} held now
        {intake.reopensAt ? `; it reopens on ${formatDateTime(intake.reopensAt)}` : ""}.
      </DeskPageHeader>
      <AbsenceWarnings warnings={warnings} />
      {result && !failure ? (
        <p className="notice" role="status">
          Availability saved.
        </p>
      ) : null}
      <Form method="post" className="card" noValidate aria-labelledby="availability-title">
        <h2 id="availability-title">Capacity and absences</h2>
        <FormError message={failure?.message} />
        <Field
          label="Most paid tickets held at once"
          name="maxOpenTickets"
          type="number"
          min={1}
          max={1000}
          defaultValue={availability.maxOpenTickets ?? ""}
          hint="In total, over every tier: awaiting acceptance, open or waiting on the customer. Empty: no limit. At the limit every tier pauses until one is resolved or declined."
          error={errors.maxOpenTickets}
        />
        <fieldset className="field">
          <legend>Most held at once per tier</legend>
          <p className="hint">A tier at its own limit pauses alone; the others go on selling. Empty: only the limit in total applies.</p>
          {tiers.map((t, i) => (
            <Field
              key={t.id}
              label={`${t.name} (${plural(t.responseHours, "hour")})`}
              name={`tierLimits.${t.id}`}
              type="number"
              min={1}
              max={1000}
              defaultValue={availability.tierLimits.find((l) => l.id === t.id)?.maxOpenTickets ?? ""}
              error={errors[`tierLimits.${i}.maxOpenTickets`]}
            />
          ))}
        </fieldset>
        <fieldset className="field">
          <legend>Absences (times in UTC)</legend>
          <p className="hint">
            A tier pauses while a purchase now would have its deadline inside an absence. Clear a row to remove that absence; ended ones are
            kept for the record.
          </p>
          {rows.map((a, i) => (
            <div key={a?.id ?? `new-${i}`} className="row" role="group" aria-label={`Absence ${i + 1}`}>
              <Field
                label="From"
                name={`absences.${i}.from`}
                type="datetime-local"
                defaultValue={a ? localValue(a.from) : ""}
                error={errors[`absences.${i}.from`]}
              />
              <Field
                label="To"
                name={`absences.${i}.to`}
                type="datetime-local"
                defaultValue={a ? localValue(a.to) : ""}
                error={errors[`absences.${i}.to`]}
              />
              <Field
                label="Note"
                name={`absences.${i}.note`}
                maxLength={200}
                defaultValue={a?.note ?? ""}
                error={errors[`absences.${i}.note`]}
              />
            </div>
          ))}
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save availability"}
        </button>
      </Form>
    </div>
  );
}
