import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { flagReasonLabel } from "~/components/flag-button";
import { QuickAction, ReasonAction } from "~/components/moderation-controls";
import { Time } from "~/components/time";
import { listFlagQueue, parseFlagQueueQuery } from "~/models/moderation/flag.server";
import { can } from "~/models/permissions";
import { requireUser } from "~/services/auth.server";
import { forPage } from "~/utils/page-errors.server";
import { pageFailure } from "~/utils/app-error-response.server";
import { forbidden } from "~/utils/errors";
import { plural } from "~/utils/text";

export const meta: MetaFunction = () => [{ title: "Moderation queue · Backline" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user, "flag:handle")) throw pageFailure(forbidden("Only moderators can see the moderation queue."));
  const url = new URL(request.url);
  return forPage(() =>
    listFlagQueue(
      user,
      parseFlagQueueQuery({ state: url.searchParams.get("state") ?? undefined, page: url.searchParams.get("page") ?? undefined }),
    ),
  );
}

export default function ModerationQueue() {
  const queue = useLoaderData<typeof loader>();
  const open = queue.state === "open";
  const pages = Math.max(1, Math.ceil(queue.total / queue.pageSize));
  const href = (state: string, page = 1) => `/mod?state=${state}${page > 1 ? `&page=${page}` : ""}`;
  return (
    <section aria-labelledby="queue-title" className="stack">
      <h2 id="queue-title">{open ? "Flagged posts waiting for review" : "Handled flags"}</h2>
      <nav aria-label="Flag state" className="meta">
        <Link to={href("open")} aria-current={open ? "page" : undefined}>
          Open
        </Link>
        <span aria-hidden>·</span>
        <Link to={href("resolved")} aria-current={!open ? "page" : undefined}>
          Resolved
        </Link>
        <span>({plural(queue.total, "post")})</span>
      </nav>
      {queue.items.length === 0 ? (
        <p className="empty-list">
          {open
            ? "Nothing to review. The community is behaving. Flags that members raise appear here."
            : "No handled flags yet: flags you dismiss or act on are kept here."}
        </p>
      ) : (
        <ol className="flag-queue">
          {queue.items.map(({ post, thread, flags, reasons }) => (
            <li key={post.id} className="card flag-group" aria-labelledby={`flagged-${post.id}`}>
              <h3 id={`flagged-${post.id}`} className="h3">
                <Link to={post.url}>
                  {post.number === 0 ? "Question" : `Reply #${post.number}`} in “{thread.title}”
                </Link>
              </h3>
              <p className="meta">
                <span>
                  by <Link to={`/u/${post.author}`}>{post.author}</Link>
                </span>
                <span>
                  · <Time value={post.createdAt} />
                </span>
                {Object.entries(reasons).map(([r, n]) => (
                  <span key={r} className="badge warn">
                    {flagReasonLabel(r)} × {n}
                  </span>
                ))}
                {post.hidden || thread.hidden ? <span className="badge">Hidden</span> : null}
                {post.deleted || thread.deleted ? <span className="badge">Deleted</span> : null}
                {thread.locked ? <span className="badge">Locked</span> : null}
              </p>
              <blockquote className="excerpt">{post.excerpt}</blockquote>
              <ul className="flags" aria-label="Flags">
                {flags.map((f) => (
                  <li key={f.id}>
                    <strong>{f.reporter}</strong>: {flagReasonLabel(f.reason)}
                    {f.details ? <> — “{f.details}”</> : null}{" "}
                    <span className="hint">
                      (<Time value={f.createdAt} />)
                    </span>
                    {f.resolvedAt ? (
                      <span className="hint">
                        {" "}
                        → {f.resolution}
                        {f.resolvedBy ? ` by ${f.resolvedBy}` : ""}, <Time value={f.resolvedAt} />
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
              {open ? (
                <div className="actions" role="group" aria-label={`Act on the post by ${post.author}`}>
                  <QuickAction intent="dismiss-flags" id={post.id} label="Dismiss flags" />
                  {post.number === 0 ? (
                    <ReasonAction
                      intent="hide-thread"
                      id={thread.id}
                      label="Hide thread"
                      confirm="Hide thread"
                      reasonRequired
                      hint="This is the question: hiding it hides the thread. Resolves the flags."
                    />
                  ) : (
                    <ReasonAction
                      intent="hide-post"
                      id={post.id}
                      label={post.hidden ? "Keep hidden" : "Hide post"}
                      confirm={post.hidden ? "Keep hidden" : "Hide post"}
                      reasonRequired
                      hint="Resolves the flags. Kept in the audit log."
                    />
                  )}
                  {post.deleted || thread.deleted ? null : (
                    <ReasonAction
                      intent="delete-post"
                      id={post.id}
                      label={post.number === 0 ? "Delete thread" : "Delete post"}
                      confirm={post.number === 0 ? "Delete thread" : "Delete post"}
                      danger
                      reasonRequired
                      hint="Resolves the flags. Kept in the audit log."
                    />
                  )}
                </div>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages of the queue" className="pager">
          {queue.page > 1 ? (
            <Link to={href(queue.state, queue.page - 1)} rel="prev">
              ← Previous
            </Link>
          ) : (
            <span />
          )}
          <span>
            Page {queue.page} of {pages}
          </span>
          {queue.page < pages ? (
            <Link to={href(queue.state, queue.page + 1)} rel="next">
              Next →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </section>
  );
}
