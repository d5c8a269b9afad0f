import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { AUDIT_ACTIONS, listAudit } from "~/models/moderation/audit.server";
import { can } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { pageFailure } from "~/utils/app-error-response.server";
import { forbidden } from "~/utils/errors";
import { forPage } from "~/utils/page-errors.server";
import { AuditFilters } from "./audit-filters";
import { AuditTable } from "./audit-table";
import { plural } from "~/utils/text";

export const meta: MetaFunction = () => [{ title: "Audit log · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user, "audit:read")) throw pageFailure(forbidden("Only moderators can read the audit log."));
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const log = await forPage(() => listAudit(user, params));
  return { ...log, actions: [...AUDIT_ACTIONS] };
}

export default function AuditLogPage() {
  const log = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pages = Math.max(1, Math.ceil(log.total / log.pageSize));
  const pageHref = (page: number) => {
    const next = new URLSearchParams(params);
    if (page > 1) next.set("page", String(page));
    else next.delete("page");
    return `/mod/audit?${next}`;
  };
  return (
    <section aria-labelledby="audit-title" className="stack">
      <h2 id="audit-title">Audit log</h2>
      <p className="hint">Every moderator action: who did what, when and why. {plural(log.total, "entry", "entries")}.</p>
      <AuditFilters actions={log.actions} />
      {log.entries.length === 0 ? (
        <p className="empty-list">No entries match: clear a filter to see more.</p>
      ) : (
        <AuditTable entries={log.entries} />
      )}
      {pages > 1 ? (
        <nav aria-label="Pages of the audit log" className="pager">
          {log.page > 1 ? (
            <Link to={pageHref(log.page - 1)} rel="prev">
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          <span>
            Page {log.page} of {pages}
          </span>
          {log.page < pages ? (
            <Link to={pageHref(log.page + 1)} rel="next">
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </section>
  );
}
