import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "~/components/field";
import { threadListLinks } from "~/components/thread-list";
import { Time } from "~/components/time";
import { getNotificationSettings, listInbox, markNotificationsRead, updateNotificationSettings } from "~/models/notifications/inbox.server";
import { requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { forPage } from "~/utils/page-errors.server";

export const links = threadListLinks;

export const meta: MetaFunction = () => [{ title: "Notifications · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  const unreadOnly = params.get("filter") === "unread";
  return forPage(async () => {
    const [inbox, settings] = await Promise.all([
      listInbox(user.id, { unread: unreadOnly || undefined, cursor: params.get("cursor") ?? undefined }),
      getNotificationSettings(user),
    ]);
    return { ...inbox, settings, unreadOnly, deep: params.has("cursor") };
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  return attempt(async () => {
    if (intent === "read") return { ok: true as const, ...(await markNotificationsRead(user.id, { ids: [String(form.get("id") ?? "")] })) };
    if (intent === "read-all") return { ok: true as const, ...(await markNotificationsRead(user.id, { all: true })) };
    if (intent === "settings") {
      await updateNotificationSettings(user, {
        email: form.get("email") === "on",
        ...(user.role === "maintainer" ? { communityForMaintainer: form.get("communityForMaintainer") === "on" } : {}),
      });
      return { ok: true as const, saved: true };
    }
    throw badRequest("Unknown action.");
  });
}

const KIND_LABELS: Record<string, string> = {
  reply: "Reply",
  mention: "Mention",
  accepted: "Answer accepted",
  ticket: "Ticket",
  sla_warning: "Response time",
  digest: "Summary",
};

export default function Notifications() {
  const { notifications, unreadCount, nextCursor, settings, unreadOnly, deep } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure | { ok: true; saved?: boolean }>();
  const markOnOpen = useFetcher();
  const busy = useNavigation().state !== "idle";
  const filterBase = unreadOnly ? "?filter=unread&" : "?";
  return (
    <div className="stack">
      <header className="list-header">
        <h1>Notifications</h1>
        <p className="meta" role="status">
          {unreadCount === 0 ? "All caught up" : `${unreadCount} unread`}
        </p>
      </header>
      <div className="list-controls">
        <nav aria-label="Show" className="pill-group">
          <Link to="/notifications" aria-current={!unreadOnly ? "page" : undefined}>
            All
          </Link>
          <Link to="/notifications?filter=unread" aria-current={unreadOnly ? "page" : undefined}>
            Unread
          </Link>
        </nav>
        {unreadCount > 0 ? (
          <Form method="post">
            <button type="submit" name="intent" value="read-all" disabled={busy}>
              Mark all read
            </button>
          </Form>
        ) : null}
      </div>
      <FormError message={result && !result.ok ? result.message : undefined} />
      {notifications.length === 0 ? (
        <p className="empty-list">
          {unreadOnly
            ? "No unread notifications."
            : "No notifications yet. Replies to your threads, mentions and accepted answers show up here."}
        </p>
      ) : (
        <ul className="notification-list" aria-label="Notifications">
          {notifications.map((n) => (
            <li key={n.id} className={n.readAt ? "read" : "unread"}>
              <div>
                <Link
                  to={n.url}
                  onClick={() => {
                    if (!n.readAt) markOnOpen.submit({ intent: "read", id: n.id }, { method: "post", action: "/notifications" });
                  }}
                >
                  {n.title}
                </Link>
                <p className="meta">
                  <span>{KIND_LABELS[n.kind] ?? n.kind}</span> · <Time value={n.createdAt} relative />
                  {n.readAt ? null : <span className="sr-only"> (unread)</span>}
                </p>
              </div>
              {n.readAt ? null : (
                <Form method="post">
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" name="intent" value="read" className="link-button" disabled={busy}>
                    Mark read
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      )}
      {deep || nextCursor ? (
        <nav className="pager" aria-label="Pages">
          {deep ? <Link to={unreadOnly ? "/notifications?filter=unread" : "/notifications"}>← Newest</Link> : <span />}
          {nextCursor ? (
            <Link to={`/notifications${filterBase}cursor=${encodeURIComponent(nextCursor)}`} rel="next">
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
      <section id="settings" aria-labelledby="settings-title" className="card">
        <h2 id="settings-title">Notification settings</h2>
        {result?.ok && "saved" in result && result.saved ? (
          <p role="status" className="notice">
            Settings saved.
          </p>
        ) : null}
        <Form method="post" className="stack">
          <label className="check">
            <input type="checkbox" name="email" defaultChecked={settings.email} /> E-mail me about unread notifications (at most one message
            every few minutes, with an unsubscribe link)
          </label>
          {settings.communityForMaintainer !== null ? (
            <label className="check">
              <input type="checkbox" name="communityForMaintainer" defaultChecked={settings.communityForMaintainer} /> Also notify me about
              community activity (replies, mentions, accepted answers). Off by default so the desk stays about paid work.
            </label>
          ) : null}
          <div>
            <button type="submit" name="intent" value="settings" disabled={busy}>
              Save settings
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}
