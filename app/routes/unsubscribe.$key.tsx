import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { findByUnsubscribeKey, setEmailOptOutByKey } from "~/models/notifications/inbox.server";
import { pageFailure } from "~/utils/app-error-response.server";
import { notFound } from "~/utils/errors";

const invalidLink = () => pageFailure(notFound("This unsubscribe link is not valid."));

// The key from the e-mail is the credential: no sign-in is needed. Opening the
// link only shows the button, because mail scanners open links on their own;
// the button (and mail clients' RFC 8058 one-click POST) does the unsubscribing.

export const meta: MetaFunction = () => [{ title: "E-mail notifications · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const user = await findByUnsubscribeKey(params.key ?? "");
  if (!user) throw invalidLink();
  return { username: user.username, optedOut: user.emailOptOut };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const form = await request.formData().catch(() => new FormData());
  // Mail clients send "List-Unsubscribe=One-Click"; our own page sends an intent.
  const resubscribe = form.get("intent") === "resubscribe";
  const ok = await setEmailOptOutByKey(params.key ?? "", !resubscribe);
  if (!ok) throw invalidLink();
  return { optedOut: !resubscribe };
}

export default function Unsubscribe() {
  const { username, optedOut } = useLoaderData<typeof loader>();
  return (
    <section className="narrow card" aria-labelledby="unsubscribe-title">
      <h1 id="unsubscribe-title">E-mail notifications</h1>
      {optedOut ? (
        <>
          <p role="status">
            You are unsubscribed: <strong>{username}</strong> gets no notification e-mails. Notifications still appear in the app.
          </p>
          <Form method="post">
            <button type="submit" name="intent" value="resubscribe">
              Send me notification e-mails again
            </button>
          </Form>
        </>
      ) : (
        <>
          <p>
            Stop notification e-mails for <strong>{username}</strong>? Notifications still appear in the app.
          </p>
          <Form method="post">
            <button type="submit" name="intent" value="unsubscribe">
              Unsubscribe
            </button>
          </Form>
        </>
      )}
      <p className="meta">
        <Link to="/notifications#settings">Notification settings</Link>
      </p>
    </section>
  );
}
