import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError } from "~/components/field";
import { Time } from "~/components/time";
import { createApiToken, listApiTokens, revokeApiToken } from "~/models/accounts/api-token.server";
import { listSessions } from "~/models/accounts/auth-session.server";
import { requirePermission } from "~/models/permissions";
import { requireBrowserSession, requireUser, signOutEverywhere } from "~/services/auth.server";
import { getCookieSession } from "~/services/session.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Account settings · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const current = (await getCookieSession(request)).get("sessionId");
  const [sessions, tokens] = await Promise.all([listSessions(user.id), listApiTokens(user.id)]);
  return {
    user: { username: user.username, email: user.email, role: user.role, reputation: user.reputation },
    sessions: sessions.map(({ id, ...s }) => ({ ...s, current: id === current })),
    tokens,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "sign-out-everywhere") {
    return redirect("/login", { headers: { "Set-Cookie": await signOutEverywhere(request, user) } });
  }
  if (intent === "create-token") {
    return attempt(async () => {
      await requireBrowserSession(request);
      requirePermission(user, "token:create");
      const token = await createApiToken(user.id, { name: form.get("name") });
      return { ok: true as const, token: token.token, name: token.name };
    });
  }
  if (intent === "revoke-token") {
    await revokeApiToken(user.id, String(form.get("tokenId") ?? ""));
    return { ok: true as const, token: undefined, name: undefined };
  }
  return attempt(async () => {
    throw badRequest("Unknown action.");
  });
}

export default function Settings() {
  const { user, sessions, tokens } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true; token?: string; name?: string }>();
  return (
    <div className="stack">
      <h1>Account settings</h1>
      <section aria-labelledby="profile-title" className="card">
        <h2 id="profile-title">Profile</h2>
        <dl className="facts">
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>E-mail</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          <dt>Reputation</dt>
          <dd>{user.reputation}</dd>
        </dl>
      </section>
      <section aria-labelledby="sessions-title" className="card">
        <h2 id="sessions-title">Where you are signed in</h2>
        <ul className="plain-list">
          {sessions.map((s) => (
            <li key={s.createdAt}>
              {s.userAgent ?? "Unknown device"} — since <Time value={s.createdAt} />
              {s.current ? <strong> (this device)</strong> : null}
            </li>
          ))}
        </ul>
        <Form method="post">
          <button type="submit" name="intent" value="sign-out-everywhere" className="danger">
            Sign out everywhere
          </button>
        </Form>
        <p className="hint">Also revokes every API token and every unused password reset link.</p>
      </section>
      <section aria-labelledby="tokens-title" className="card">
        <h2 id="tokens-title">API tokens</h2>
        <p>
          For scripts and bots: send <code>Authorization: Bearer &lt;token&gt;</code>. See the{" "}
          <a href="/api/v1/openapi.json">API description</a>.
        </p>
        {result?.ok && result.token ? (
          <p role="status" className="notice">
            Token “{result.name}” created. Copy it now; it will not be shown again: <code className="secret">{result.token}</code>
          </p>
        ) : null}
        <FormError message={result && !result.ok ? result.message : undefined} />
        <ul className="plain-list">
          {tokens.map((t) => (
            <li key={t.id}>
              <strong>{t.name}</strong> <code>{t.prefix}…</code> — created <Time value={t.createdAt} withTime={false} />
              {t.lastUsedAt ? (
                <>
                  , last used <Time value={t.lastUsedAt} withTime={false} />
                </>
              ) : (
                ", never used"
              )}
              <Form method="post" className="inline">
                <input type="hidden" name="tokenId" value={t.id} />
                <button type="submit" name="intent" value="revoke-token" className="link-button">
                  Revoke
                </button>
              </Form>
            </li>
          ))}
        </ul>
        <Form method="post" className="row">
          <Field label="Token name" name="name" required maxLength={80} error={result && !result.ok ? result.fields?.name : undefined} />
          <button type="submit" name="intent" value="create-token">
            Create token
          </button>
        </Form>
      </section>
    </div>
  );
}
