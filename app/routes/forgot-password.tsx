import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { requestPasswordReset } from "~/models/accounts/password-reset.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Backline" }];

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  return attempt(async () => {
    await requestPasswordReset({ email: String(form.get("email") ?? "") });
    return { ok: true as const };
  });
}

export default function ForgotPassword() {
  const result = useActionData<FormFailure | { ok: true }>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">Reset your password</h1>
      {result?.ok ? (
        <p role="status">If an account uses that address, a reset link is on its way. It works for one hour.</p>
      ) : (
        <Form method="post" noValidate>
          <FormError message={result && !result.ok ? result.message : undefined} />
          <Field
            label="E-mail"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={result && !result.ok ? result.fields?.email : undefined}
          />
          <button type="submit" disabled={busy}>
            Send reset link
          </button>
        </Form>
      )}
    </section>
  );
}
