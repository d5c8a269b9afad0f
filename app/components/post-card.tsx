import { nounFor } from "~/utils/text";
import { Link, useFetcher } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import type { PostView } from "~/models/community/thread.server";
import { Avatar } from "./avatar";
import { Time } from "./time";

type Post = SerializeFrom<PostView>;

export type PostPermissions = { canVote: boolean; canAccept: boolean; canEdit: boolean; canSeeRevisions: boolean };

export function PostCard({
  post,
  accepted,
  perms,
  onQuote,
  children,
}: {
  post: Post;
  accepted: boolean;
  perms: PostPermissions;
  onQuote?: (author: string, body: string) => void;
  children?: React.ReactNode;
}) {
  const vote = useFetcher<{ score?: number; voted?: boolean; message?: string }>();
  const accept = useFetcher<{ message?: string }>();
  const score = vote.data?.score ?? post.score;
  // Clicking the active vote takes it back (as on Stack Overflow); the action answers the new state.
  const voted = vote.data?.voted ?? post.votedByViewer;
  const removed = post.hidden || post.deletedAt;
  return (
    <article
      id={`post-${post.number}`}
      className={`post card${accepted ? " accepted" : ""}${removed ? " removed" : ""}`}
      aria-label={post.number === 0 ? "Question" : `Reply by ${post.author.username}`}
    >
      <header className="post-meta">
        <Link to={`/u/${post.author.username}`} className="author author-link">
          <Avatar username={post.author.username} size={24} /> {post.author.username}
        </Link>
        <span className="rep" title="Reputation: earned from helpful votes and accepted answers">
          · {post.author.reputation} rep
        </span>
        {post.author.role !== "member" ? <span className="role-badge">{post.author.role}</span> : null}
        <a href={`#post-${post.number}`} className="when">
          <Time value={post.createdAt} />
        </a>
        {post.editedAt ? (
          perms.canSeeRevisions ? (
            <Link to={`/posts/${post.id}/revisions`} className="edited">
              edited
            </Link>
          ) : (
            <span className="edited">edited</span>
          )
        ) : null}
        {accepted ? <span className="badge solved">✓ Accepted answer</span> : null}
        {post.fromSupport ? <span className="badge">From paid support</span> : null}
        {post.hidden ? <span className="badge warn">Hidden</span> : null}
        {post.deletedAt ? <span className="badge warn">Deleted</span> : null}
      </header>
      {/* bodyHtml was sanitized with an allow-list when it was written (docs/decisions/006). */}
      <div className="post-body prose" dangerouslySetInnerHTML={{ __html: post.bodyHtml }} />
      <footer className="post-actions">
        {perms.canVote ? (
          <vote.Form method="post">
            <input type="hidden" name="postId" value={post.id} />
            <button
              type="submit"
              name="intent"
              value={voted ? "unvote" : "vote"}
              className={voted ? "voted" : "secondary"}
              aria-pressed={voted}
              disabled={vote.state !== "idle"}
              title={voted ? "Take your vote back" : undefined}
            >
              {/* The name starts with the words on the button (WCAG 2.5.3); aria-pressed says the vote is yours. */}▲ Helpful{" "}
              <span className="count">{score}</span>
              <span className="visually-hidden">{` ${nounFor(score, "vote")}`}</span>
            </button>
          </vote.Form>
        ) : (
          <span className="score" aria-label={`${score} helpful votes`}>
            ▲ {score}
          </span>
        )}
        {vote.data?.message ? (
          <span role="alert" className="field-error">
            {vote.data.message}
          </span>
        ) : null}
        {perms.canAccept && post.number > 0 && (accepted || !removed) ? (
          <accept.Form method="post">
            <input type="hidden" name="postId" value={post.id} />
            {accepted ? (
              <button type="submit" name="intent" value="unaccept" className="secondary" disabled={accept.state !== "idle"}>
                Unaccept
              </button>
            ) : (
              <button type="submit" name="intent" value="accept" className="secondary" disabled={accept.state !== "idle"}>
                ✓ Accept as answer
              </button>
            )}
          </accept.Form>
        ) : null}
        {accept.data?.message ? (
          <span role="alert" className="field-error">
            {accept.data.message}
          </span>
        ) : null}
        {onQuote ? (
          <button type="button" className="link-button" onClick={() => onQuote(post.author.username, post.body)}>
            Quote
          </button>
        ) : null}
        {perms.canEdit ? <Link to={`/posts/${post.id}/edit`}>Edit</Link> : null}
        {children}
      </footer>
    </article>
  );
}
