import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { findValidReset, resetPassword } from "~/models/accounts/password-reset.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Backline" }];

export async function loader({ params }: LoaderFunctionArgs) {
  return { valid: Boolean(await findValidReset(params.token ?? "")) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const form = await readForm(request);
  return attempt(async () => {
    await resetPassword({ token: params.token, password: form.get("password"), confirm: form.get("confirm") });
    return redirect("/login?reset=1");
  });
}

export default function ResetPassword() {
  const { valid } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  if (!valid) {
    return (
      <section className="narrow">
        <h1>This link has expired</h1>
        <p>
          Reset links work once, for one hour. <Link to="/forgot-password">Ask for a new one</Link>.
        </p>
      </section>
    );
  }
  return (
    <section className="narrow" aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      <p>Saving it signs you out on every device, revokes your API tokens and ends any other reset link.</p>
      <Form method="post" noValidate>
        <FormError message={result?.fields ? undefined : result?.message} />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          error={result?.fields?.password ?? result?.fields?.token}
        />
        <Field label="Repeat it" name="confirm" type="password" autoComplete="new-password" required error={result?.fields?.confirm} />
        <button type="submit">Save password</button>
      </Form>
    </section>
  );
}
