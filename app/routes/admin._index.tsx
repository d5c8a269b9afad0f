import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { forPage } from "~/utils/page-errors.server";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/data-table";
import { requirePermission } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { jobCounts } from "~/services/jobs.server";

export const meta: MetaFunction = () => [{ title: "Admin · Backline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // A refusal is a 403 page, not an unhandled error (500).
  return forPage(async () => {
    requirePermission(user, "settings:manage");
    return { jobs: await jobCounts() };
  });
}

export default function AdminHome() {
  const { jobs } = useLoaderData<typeof loader>();
  const queues = [...new Set(jobs.map((j) => j.queue))].sort();
  const count = (queue: string, state: string) => jobs.find((j) => j.queue === queue && j.state === state)?.count ?? 0;
  return (
    <div className="stack">
      <h1>Admin</h1>
      <ul className="plain-list">
        <li>
          <Link to="/admin/categories">Categories</Link> — supported or community-only, order, descriptions
        </li>
        <li>
          <Link to="/admin/tiers">Support tiers</Link> — response times and prices
        </li>
        <li>
          <Link to="/admin/macros">Macros</Link> — canned replies for the desk
        </li>
        <li>
          <Link to="/admin/insurance">Support insurance</Link> — yearly plans and their coverage
        </li>
        <li>
          <Link to="/admin/people">People</Link> — find members, change roles, suspend and unsuspend
        </li>
      </ul>
      <section className="card" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Background jobs</h2>
        {queues.length === 0 ? (
          <p className="empty-list">
            No background jobs have run yet: they appear here once the first mail, search update or payment job is queued.
          </p>
        ) : (
          <DataTable
            label="Background jobs by queue"
            rows={queues}
            rowKey={(q) => q}
            columns={[
              { header: "Queue", cell: (q) => q, rowHeader: true },
              { header: "Pending", cell: (q) => count(q, "pending"), numeric: true },
              { header: "Running", cell: (q) => count(q, "running"), numeric: true },
              {
                header: "Failed",
                cell: (q) => count(q, "failed"),
                numeric: true,
                cellClass: (q) => (count(q, "failed") ? "field-error" : undefined),
              },
              { header: "Done", cell: (q) => count(q, "done"), numeric: true },
            ]}
          />
        )}
      </section>
    </div>
  );
}
