import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { can } from "~/models/permissions";
import { editPost } from "~/models/community/post.server";
import { postUrl } from "~/utils/urls";
import { requireUser } from "~/services/auth.server";
import { db } from "~/services/db.server";
import { forbidden, notFound } from "~/utils/errors";
import { pageFailure } from "~/utils/app-error-response.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { canSeeRemoved } from "~/models/viewer";

export const meta: MetaFunction = () => [{ title: "Edit post · Backline" }];

async function loadPost(id: string, user: Awaited<ReturnType<typeof requireUser>>) {
  const post = await db.post.findUnique({
    where: { id },
    select: { id: true, number: true, body: true, authorId: true, hidden: true, deletedAt: true, thread: { select: { id: true, slug: true, title: true } } },
  });
  if (!post || ((post.hidden || post.deletedAt) && !canSeeRemoved(user, post.authorId))) throw pageFailure(notFound("Not found"));
  if (!can(user, "post:edit", post.authorId)) throw pageFailure(forbidden("You can only edit your own posts."));
  return post;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const post = await loadPost(params.id!, user);
  return { post: { id: post.id, number: post.number, body: post.body }, thread: post.thread };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  return attempt(async () => {
    const post = await loadPost(params.id!, user).catch((r: Response) => {
      throw r.status === 404 ? notFound() : forbidden("You can only edit your own posts.");
    });
    await editPost(user, post.id, {
      body: form.get("body"),
      title: post.number === 0 ? form.get("title") ?? undefined : undefined,
      reason: form.get("reason") || undefined,
    });
    return redirect(postUrl(post.thread, post.number));
  }, { title: form.get("title"), body: form.get("body"), reason: form.get("reason") });
}

export default function EditPost() {
  const { post, thread } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  return (
    <section className="stack" aria-labelledby="edit-title">
      <h1 id="edit-title">Edit {post.number === 0 ? "question" : "reply"}</h1>
      <p>In <Link to={postUrl(thread, post.number)}>{thread.title}</Link>. The previous version is kept in the revision history.</p>
      <Form method="post" className="card">
        <FormError message={result?.fields ? undefined : result?.message} />
        {post.number === 0 ? <Field label="Title" name="title" defaultValue={result?.values?.title ?? thread.title} required minLength={8} maxLength={150} error={result?.fields?.title} /> : null}
        <Field multiline label="Text (Markdown)" name="body" rows={12} defaultValue={result?.values?.body ?? post.body} required minLength={10} error={result?.fields?.body} />
        <Field label="Reason for the edit (optional)" name="reason" maxLength={200} defaultValue={result?.values?.reason} />
        <button type="submit">Save</button>
      </Form>
    </section>
  );
}
