import { Link } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import { ThreadModerationControls } from "~/components/moderation-controls";
import { SupportStub, type ThreadSupport } from "~/components/support/support-stub";
import type { ThreadView } from "~/models/community/thread.server";

/** Breadcrumb, title, state badges, the paid-support stub and, for moderators, the thread controls. */
export function ThreadHeader({ thread, support }: { thread: SerializeFrom<ThreadView>; support: SerializeFrom<ThreadSupport> }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Categories</Link> › <Link to={`/c/${thread.category.slug}`}>{thread.category.name}</Link>
      </nav>
      <header className="thread-header">
        <h1>{thread.title}</h1>
        <p className="meta">
          {thread.solved ? <span className="badge solved">✓ Solved</span> : <span className="badge">Unsolved</span>}
          {thread.locked ? <span className="badge warn">Locked</span> : null}
          {thread.hidden ? <span className="badge warn">Hidden</span> : null}
          {thread.deleted ? <span className="badge warn">Deleted</span> : null}
          {thread.tags.map((t) => (
            <Link key={t} to={`/tags/${t}`} className="tag">
              #{t}
            </Link>
          ))}
          <span>
            {thread.replyCount} {thread.replyCount === 1 ? "reply" : "replies"}
          </span>
        </p>
        <SupportStub support={support} />
        {thread.capabilities.canModerate ? <ThreadModerationControls thread={thread} /> : null}
      </header>
    </>
  );
}
