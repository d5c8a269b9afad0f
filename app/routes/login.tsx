import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { getUser, login } from "~/services/auth.server";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { safeRedirect } from "~/utils/url.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect("/");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const redirectTo = safeRedirect((await readForm(request.clone())).get("redirectTo"));
  return attempt(async () => {
    const { setCookie } = await login(request);
    return redirect(redirectTo, { headers: { "Set-Cookie": setCookie } });
  });
}

export default function Login() {
  const result = useActionData<FormFailure>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="narrow" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormError message={result?.message} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required error={result?.fields?.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to="/join">Join</Link>
      </p>
    </section>
  );
}
