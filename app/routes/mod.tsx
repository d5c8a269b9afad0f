import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { moderationLinks } from "~/components/moderation-controls";
import { can } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";

export const links = moderationLinks;
export const meta: MetaFunction = () => [{ title: "Moderation · Backline" }, { name: "robots", content: "noindex" }];

// Each child loader checks its own permission too: loaders run in parallel.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user, "flag:handle") && !can(user, "audit:read")) {
    throw data("Only moderators can open the moderation pages.", { status: 403 });
  }
  return { canAudit: can(user, "audit:read") };
}

export default function ModerationLayout() {
  const { canAudit } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>Moderation</h1>
      <nav aria-label="Moderation" className="mod-nav">
        <NavLink to="/mod" end>Flags</NavLink>
        {canAudit ? <NavLink to="/mod/audit">Audit log</NavLink> : null}
      </nav>
      <Outlet />
    </div>
  );
}
