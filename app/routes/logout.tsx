import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout } from "~/services/auth.server";
import { readForm } from "~/utils/form-action.server";

export async function action({ request }: ActionFunctionArgs) {
  // The sign-out button is a form like any other: a body that is not one is refused the same way.
  await readForm(request);
  return redirect("/", { headers: { "Set-Cookie": await logout(request) } });
}

export const loader = () => redirect("/");
