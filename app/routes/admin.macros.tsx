import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FieldErrorList, SaveDeleteButtons } from "~/components/admin/admin-form-parts";
import { Field, FormError } from "~/components/field";
import { MACRO_PLACEHOLDERS } from "~/models/desk/macro";
import { createMacro, deleteMacro, listMacros, updateMacro } from "~/models/desk/macro.server";
import { requirePermission } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { forPage } from "~/utils/page-errors.server";
import { formToObject } from "~/utils/validation";

// Canned replies for the desk (docs/product.md §5), managed by admins.
export const meta: MetaFunction = () => [{ title: "Macros · Admin · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requirePermission(user, "macro:manage");
    return { macros: await listMacros(user) };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { intent, id, ...fields } = formToObject(await readForm(request));
  return attempt(async () => {
    // Refused before the intent is read: a member learns nothing about this form.
    requirePermission(user, "macro:manage");
    if (intent === "create") await createMacro(user, fields);
    else if (intent === "update") await updateMacro(user, String(id), fields);
    else if (intent === "delete") await deleteMacro(user, String(id));
    else throw badRequest("Unknown action.");
    return { ok: true as const, intent: String(intent) };
  });
}

type Result = FormFailure | { ok: true; intent: string } | undefined;

export default function AdminMacros() {
  const { macros } = useLoaderData<typeof loader>();
  const result = useActionData<Result>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack">
      <h1>Macros</h1>
      <p>Canned replies maintainers insert on a ticket. Placeholders are filled in for the ticket; unknown ones stay visible.</p>
      <dl className="facts">
        {Object.entries(MACRO_PLACEHOLDERS).map(([k, v]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt>
              <code>{`{{${k}}}`}</code>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <FormError message={failure?.message} />
      <FieldErrorList fields={failure?.fields} />
      {macros.length === 0 ? <p className="empty-list">No canned replies yet: create the first one below.</p> : null}
      {macros.map((m) => (
        <Form method="post" key={m.id} className="card" aria-label={`Edit macro ${m.name}`}>
          <input type="hidden" name="id" value={m.id} />
          <Field label="Name" name="name" defaultValue={m.name} required />
          <Field multiline label="Reply" name="body" defaultValue={m.body} rows={5} required />
          {m.unknown.length ? <p className="field-error">Unknown placeholders: {m.unknown.map((u) => `{{${u}}}`).join(", ")}</p> : null}
          <SaveDeleteButtons />
        </Form>
      ))}
      <Form method="post" className="card" aria-labelledby="new-macro">
        <h2 id="new-macro">New macro</h2>
        <Field label="Name" name="name" required />
        <Field
          multiline
          label="Reply"
          name="body"
          rows={5}
          required
          hint={`Markdown. Placeholders: ${Object.keys(MACRO_PLACEHOLDERS)
            .map((k) => `{{${k}}}`)
            .join(", ")}.`}
        />
        <button type="submit" name="intent" value="create">
          Create macro
        </button>
      </Form>
    </div>
  );
}
