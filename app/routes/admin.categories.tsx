import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { forPage } from "~/utils/page-errors.server";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { SaveDeleteButtons } from "~/components/admin/admin-form-parts";
import { Field, FormError } from "~/components/field";
import { createCategory, deleteCategory, listCategories, updateCategory } from "~/models/community/category.server";
import { requirePermission } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { formToObject } from "~/utils/validation";
import { plural } from "~/utils/text";

export const meta: MetaFunction = () => [{ title: "Categories · Admin · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return forPage(async () => {
    requirePermission(user, "category:manage");
    return { categories: await listCategories() };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const { intent, id, ...fields } = formToObject(form);
  return attempt(async () => {
    requirePermission(user, "category:manage");
    // An unticked checkbox sends nothing; an edit form always means "not supported" then.
    const input = { ...fields, supported: fields.supported ?? "false" };
    if (intent === "create") await createCategory(user, input);
    else if (intent === "update") await updateCategory(user, String(id), input);
    else if (intent === "delete") await deleteCategory(user, String(id));
    else throw badRequest("Unknown action.");
    return { ok: true as const, intent: String(intent), id: String(id ?? "") };
  });
}

export default function AdminCategories() {
  const { categories } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true; intent: string; id: string }>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack">
      <h1>Categories</h1>
      <FormError message={failure?.message} />
      {categories.map((c) => (
        <Form method="post" key={c.id} className="card" aria-label={`Edit ${c.name}`}>
          <input type="hidden" name="id" value={c.id} />
          <div className="row">
            <Field label="Name" name="name" defaultValue={c.name} required />
            <Field label="Slug" name="slug" defaultValue={c.slug} required />
            <Field label="Order" name="position" type="number" defaultValue={c.position} min={0} />
          </div>
          <Field label="Description" name="description" defaultValue={c.description} />
          <div className="field checkbox">
            <label>
              <input type="checkbox" name="supported" value="on" defaultChecked={c.supported} /> Paid support available (supported edition)
            </label>
          </div>
          <p className="meta">
            {plural(c.threadCount, "thread")} · {plural(c.postCount, "post")}
          </p>
          <SaveDeleteButtons cannotDelete={c.threadCount > 0 ? "Move its threads first" : undefined} />
        </Form>
      ))}
      <Form method="post" className="card" aria-labelledby="new-category">
        <h2 id="new-category">New category</h2>
        <div className="row">
          <Field label="Name" name="name" required error={failure?.fields?.name} />
          <Field label="Slug" name="slug" required error={failure?.fields?.slug} hint="Used in URLs: /c/slug" />
        </div>
        <Field label="Description" name="description" />
        <div className="field checkbox">
          <label>
            <input type="checkbox" name="supported" value="on" /> Paid support available (supported edition)
          </label>
        </div>
        <button type="submit" name="intent" value="create">
          Create category
        </button>
      </Form>
    </div>
  );
}
