import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { Time } from "~/components/time";
import { AUDIT_ACTIONS, listAudit } from "~/models/moderation/audit.server";
import { can } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { forPage } from "~/utils/page-errors.server";

export const meta: MetaFunction = () => [{ title: "Audit log · Backline" }, { name: "robots", content: "noindex" }];

const FILTERS = ["action", "actor", "targetType", "targetId", "from", "to"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user, "audit:read")) throw data("Only moderators can read the audit log.", { status: 403 });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const log = await forPage(() => listAudit(user, params));
  return { ...log, actions: [...AUDIT_ACTIONS] };
}

const ACTION_PREFIXES = ["post.", "thread.", "flag."];

function describe(data: Record<string, unknown> | null) {
  if (!data) return null;
  const parts: string[] = [];
  if (typeof data.from === "string" && typeof data.to === "string") parts.push(`${data.from} → ${data.to}`);
  if (Array.isArray(data.flagIds) && data.flagIds.length) parts.push(`${data.flagIds.length} flag${data.flagIds.length === 1 ? "" : "s"} resolved`);
  if (data.byAuthor === true) parts.push("by its author");
  if (data.confirmed === true) parts.push("confirmed an automatic hide");
  return parts.join("; ") || null;
}

export default function AuditLogPage() {
  const log = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const id = useId();
  const pages = Math.max(1, Math.ceil(log.total / log.pageSize));
  const pageHref = (page: number) => {
    const next = new URLSearchParams(params);
    if (page > 1) next.set("page", String(page));
    else next.delete("page");
    return `/mod/audit?${next}`;
  };
  const value = (name: (typeof FILTERS)[number]) => params.get(name) ?? "";
  return (
    <section aria-labelledby="audit-title" className="stack">
      <h2 id="audit-title">Audit log</h2>
      <p className="hint">Every moderator action: who did what, when and why. {log.total} {log.total === 1 ? "entry" : "entries"}.</p>
      <Form method="get" className="mod-filters card" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} name="action" defaultValue={value("action")}>
            <option value="">Any</option>
            {ACTION_PREFIXES.map((p) => <option key={p} value={p}>{`${p}* (all)`}</option>)}
            {log.actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-actor`}>Moderator</label>
          <input id={`${id}-actor`} name="actor" defaultValue={value("actor")} placeholder="username" size={14} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Target</label>
          <select id={`${id}-type`} name="targetType" defaultValue={value("targetType")}>
            <option value="">Any</option>
            <option value="post">Post</option>
            <option value="thread">Thread</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-target`}>Target id</label>
          <input id={`${id}-target`} name="targetId" defaultValue={value("targetId")} size={14} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} type="date" name="from" defaultValue={value("from")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="date" name="to" defaultValue={value("to")} />
        </div>
        <button type="submit">Filter</button>
        {FILTERS.some((f) => params.get(f)) ? <Link to="/mod/audit">Clear</Link> : null}
      </Form>
      {log.entries.length === 0 ? (
        <p className="notice">No entries match.</p>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table className="audit-table">
            <caption className="visually-hidden">Moderator actions, newest first</caption>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">What</th><th scope="col">Why</th></tr>
            </thead>
            <tbody>
              {log.entries.map((e) => {
                const title = typeof e.data?.title === "string" ? e.data.title : null;
                const number = typeof e.data?.number === "number" ? e.data.number : null;
                const details = describe(e.data);
                return (
                  <tr key={e.id}>
                    <td><Time value={e.createdAt} /></td>
                    <td>{e.actor ? <Link to={`/mod/audit?actor=${encodeURIComponent(e.actor)}`}>{e.actor}</Link> : <em>system</em>}</td>
                    <td><code>{e.action}</code></td>
                    <td>
                      {e.targetType === "post" ? (number === 0 ? "Question" : number !== null ? `Reply #${number}` : "Post") : "Thread"}
                      {title ? <>{e.targetType === "post" ? " in " : " "}{e.url ? <Link to={e.url}>“{title}”</Link> : `“${title}”`}</> : null}
                      {" "}<Link to={`/mod/audit?targetType=${e.targetType}&targetId=${e.targetId}`} className="hint" aria-label="History of this item">history</Link>
                      {details ? <div className="hint">{details}</div> : null}
                    </td>
                    <td>{e.reason ?? <span className="hint">—</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages of the audit log" className="pager">
          {log.page > 1 ? <Link to={pageHref(log.page - 1)} rel="prev">← Newer</Link> : <span />}
          <span>Page {log.page} of {pages}</span>
          {log.page < pages ? <Link to={pageHref(log.page + 1)} rel="next">Older →</Link> : <span />}
        </nav>
      ) : null}
    </section>
  );
}
