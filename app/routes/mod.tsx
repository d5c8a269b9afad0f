import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { moderationLinks } from "~/components/moderation-controls";
import { can } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { pageFailure } from "~/utils/app-error-response.server";
import { forbidden } from "~/utils/errors";

export const links = moderationLinks;
export const meta: MetaFunction = () => [{ title: "Moderation · Backline" }, { name: "robots", content: "noindex" }];

// Each child loader checks its own permission too: loaders run in parallel.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user, "flag:handle") && !can(user, "audit:read")) {
    throw pageFailure(forbidden("Only moderators can open the moderation pages."));
  }
  return { canAudit: can(user, "audit:read") };
}

export default function ModerationLayout() {
  const { canAudit } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>Moderation</h1>
      <nav aria-label="Moderation" className="mod-nav">
        <NavLink to="/mod" end>
          Flags
        </NavLink>
        {canAudit ? <NavLink to="/mod/audit">Audit log</NavLink> : null}
      </nav>
      <Outlet />
    </div>
  );
}
