import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError } from "~/components/field";
import { SimilarThreads, similarThreadsLinks } from "~/components/similar-threads";
import { MarkdownPreview } from "~/components/markdown-preview";
import { TagInput } from "~/components/tag-input";
import { listCategories } from "~/models/community/category.server";
import { listTags } from "~/models/community/tag-directory.server";
import { requirePermission } from "~/models/permissions";
import { createThread } from "~/models/community/thread.server";
import { requireUser } from "~/services/auth.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { newFormToken, submitOnce } from "~/utils/form-once.server";
import { FORM_TOKEN_FIELD } from "~/utils/form-token";

export const links = similarThreadsLinks;

const SUGGESTED_TAGS = 200;

export const meta: MetaFunction = () => [{ title: "Ask a question · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  requirePermission(user, "thread:create");
  const [categories, tags] = await Promise.all([listCategories(), listTags()]);
  return {
    categories,
    // The most used first: the suggestions a newcomer most likely means.
    knownTags: tags.slice(0, SUGGESTED_TAGS).map((t) => t.name),
    trustLevel: user.role === "member" ? user.trustLevel : 2,
    formToken: newFormToken(),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const input = { category: form.get("category"), title: form.get("title"), body: form.get("body"), tags: form.get("tags") ?? "" };
  return attempt(async () => {
    requirePermission(user, "thread:create");
    // A double click posts the question once; the second submission lands on the same thread.
    const location = await submitOnce(user, "new-thread", form, async () => (await createThread(user, input)).url);
    return redirect(location);
  }, input);
}

export default function NewThread() {
  const { categories, knownTags, trustLevel, formToken } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  const [params] = useSearchParams();
  const [title, setTitle] = useState(result?.values?.title ?? "");
  const busy = useNavigation().state === "submitting";
  return (
    <section className="stack" aria-labelledby="new-title">
      <h1 id="new-title">Ask a question</h1>
      <Form method="post" className="card" noValidate>
        <input type="hidden" name={FORM_TOKEN_FIELD} value={formToken} />
        <FormError message={result?.fields ? "Some fields need attention." : result?.message} />
        <div className="field">
          <label htmlFor="category">Category</label>
          <select
            id="category"
            name="category"
            defaultValue={result?.values?.category ?? params.get("category") ?? categories[0]?.slug}
            aria-invalid={result?.fields?.category ? true : undefined}
          >
            {categories.map((c) => (
              <option key={c.id} value={c.slug}>
                {c.name}
                {c.supported ? "" : " (community support only)"}
              </option>
            ))}
          </select>
          {result?.fields?.category ? (
            <p className="field-error" role="alert">
              {result.fields.category}
            </p>
          ) : null}
        </div>
        <Field
          label="Title"
          name="title"
          required
          minLength={8}
          maxLength={150}
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          hint="One sentence a person searching for the same problem would write."
          error={result?.fields?.title}
        />
        <SimilarThreads title={title} />
        <MarkdownPreview>
          <Field
            multiline
            label="Details (Markdown)"
            name="body"
            rows={10}
            required
            minLength={10}
            defaultValue={result?.values?.body}
            error={result?.fields?.body}
            hint={
              <>
                What you did, what you expected, what happened. Code in ```fences```.
                {trustLevel < 1
                  ? " New accounts cannot post links or images yet."
                  : trustLevel < 2
                    ? " Images unlock as you earn trust."
                    : ""}
              </>
            }
          />
        </MarkdownPreview>
        <TagInput known={knownTags} defaultValue={result?.values?.tags} error={result?.fields?.tags} />
        <button type="submit" disabled={busy}>
          {busy ? "Posting…" : "Post question"}
        </button>
      </Form>
    </section>
  );
}
