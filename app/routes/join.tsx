import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { createUser } from "~/models/accounts/user.server";
import { asFormRequest, enforceSignupRate, getUser, login } from "~/services/auth.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { safeRedirect } from "~/utils/url.server";

export const meta: MetaFunction = () => [{ title: "Join · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const input = {
    username: String(form.get("username") ?? ""),
    email: String(form.get("email") ?? ""),
    password: String(form.get("password") ?? ""),
  };
  return attempt(async () => {
    await enforceSignupRate(request);
    await createUser(input);
    const { setCookie } = await login(asFormRequest(request, { email: input.email, password: input.password }));
    return redirect(safeRedirect(form.get("redirectTo")), { headers: { "Set-Cookie": setCookie } });
  });
}

export default function Join() {
  const result = useActionData<FormFailure>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow" aria-labelledby="join-title">
      <h1 id="join-title">Join Backline</h1>
      <p>Ask questions, help others, and get paid support from the maintainer when you need it.</p>
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormError message={result?.fields ? undefined : result?.message} />
        <Field
          label="Username"
          name="username"
          autoComplete="username"
          required
          minLength={3}
          maxLength={30}
          hint="Letters, digits and underscores; others see it next to your posts."
          error={result?.fields?.username}
        />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required error={result?.fields?.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          error={result?.fields?.password}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Creating account…" : "Create account"}
        </button>
      </Form>
      <p>
        Already a member? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
