import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { FormError } from "~/components/field";
import { FlagButton } from "~/components/flag-button";
import { moderationLinks, PostModerationControls, ThreadModerationControls } from "~/components/moderation-controls";
import { PostCard } from "~/components/post-card";
import { can, requirePermission } from "~/models/permissions";
import { acceptAnswer, createReply, votePost } from "~/models/community/post.server";
import { getThread } from "~/models/community/thread.server";
import { SupportStub } from "~/components/support/support-stub";
import { threadSupport } from "~/models/escalation/escalation.server";
import { getUser, requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { newFormToken, submitOnce } from "~/utils/form-once.server";
import { FORM_TOKEN_FIELD } from "~/utils/form-token";
import { quoteMarkdown } from "~/utils/quote";
import { threadUrl } from "~/utils/urls";
import { feedLinks, seoMeta, textExcerpt } from "~/utils/seo";
import { siteOrigin } from "~/utils/url.server";
import { forPage } from "~/utils/page-errors.server";

export const links = moderationLinks;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const url = new URL(request.url);
  const page = Math.max(1, Math.min(100_000, Number(url.searchParams.get("page")) || 1));
  const thread = await forPage(() => getThread(params.id!, user, page));
  if (params.slug !== thread.slug) {
    throw redirect(`${threadUrl(thread)}${url.search}`, 301);
  }
  const canonical = `${siteOrigin()}${threadUrl(thread)}${page > 1 ? `?page=${page}` : ""}`;
  return {
    thread,
    canonical,
    viewer: user ? { id: user.id, username: user.username } : null,
    canReply: Boolean(user && can(user, "post:create") && (!thread.locked || can(user, "thread:lock:any"))),
    canAccept: Boolean(user && can(user, "answer:accept", thread.authorId)),
    canModerate: can(user, "post:hide:any"),
    support: await threadSupport(thread.id, user),
    replyToken: user ? newFormToken() : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: "Not found · Backline" }];
  const { thread, canonical } = data;
  const question = thread.posts.find((p) => p.number === 0);
  return seoMeta({
    title: `${thread.title}${thread.solved ? " (solved)" : ""}`,
    description: textExcerpt(question?.bodyHtml ?? thread.title),
    url: canonical,
    type: "article",
    feeds: feedLinks(`/t/${thread.id}/feed`, thread.title),
    noindex: thread.hidden || thread.deleted,
  });
};

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  const postId = String(form.get("postId") ?? "");
  return attempt(async () => {
    if (intent === "reply") {
      requirePermission(user, "post:create");
      // A double click posts the reply once; the second submission lands on the same post.
      const location = await submitOnce(user, `reply:${params.id}`, form, async () => {
        const post = await createReply(user, params.id!, { body: form.get("body") });
        return post.url;
      });
      return redirect(location);
    }
    if (intent === "vote") {
      requirePermission(user, "post:vote");
      return votePost(user, postId);
    }
    if (intent === "accept") {
      await acceptAnswer(user, postId);
      return { ok: true as const };
    }
    throw badRequest("Unknown action.");
  }, intent === "reply" ? { body: form.get("body") } : undefined);
}

export default function ThreadPage() {
  const { thread, viewer, canReply, canAccept, canModerate, support, replyToken } = useLoaderData<typeof loader>();
  const result = useActionData<FormFailure>();
  const navigation = useNavigation();
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const submittingReply = navigation.state !== "idle" && navigation.formData?.get("intent") === "reply";

  useEffect(() => {
    if (navigation.state === "idle" && !result && replyRef.current) replyRef.current.value = "";
  }, [navigation.state, result]);

  const quote = (author: string, body: string) => {
    const box = replyRef.current;
    if (!box) return;
    box.value = `${box.value}${box.value ? "\n\n" : ""}${quoteMarkdown(author, body)}`;
    box.focus();
  };
  const perms = (authorId: string) => ({
    canVote: Boolean(viewer && viewer.id !== authorId),
    canAccept,
    canEdit: Boolean(viewer && (viewer.id === authorId || canModerate)),
    canSeeRevisions: Boolean(viewer && (viewer.id === authorId || canModerate)),
  });
  // Moderators act on replies here and on the question through the thread controls; members flag others' posts.
  const moderation = (p: { id: string; number: number; authorId: string; hidden: boolean; deletedAt: string | null }) => (
    <>
      <PostModerationControls post={{ id: p.id, number: p.number, hidden: p.hidden, deleted: p.deletedAt !== null }}
        canModerate={canModerate} isAuthor={viewer?.id === p.authorId} canDeleteOwn={p.number > 0 || thread.replyCount === 0} />
      {viewer && viewer.id !== p.authorId && !p.hidden && !p.deletedAt ? <FlagButton postId={p.id} /> : null}
    </>
  );
  const question = thread.posts.find((p) => p.number === 0);
  const replies = thread.posts.filter((p) => p.number > 0);

  return (
    <div className="stack thread">
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
            <Link key={t} to={`/tags/${t}`} className="tag">#{t}</Link>
          ))}
          <span>{thread.replyCount} {thread.replyCount === 1 ? "reply" : "replies"}</span>
        </p>
        <SupportStub support={support} />
        {canModerate ? <ThreadModerationControls thread={thread} /> : null}
      </header>

      {question ? <PostCard post={question} accepted={false} perms={perms(question.authorId)} onQuote={canReply ? quote : undefined}>{moderation(question)}</PostCard> : null}

      {thread.acceptedPost && thread.page === 1 ? (
        <section aria-labelledby="answer-title" className="accepted-answer">
          <h2 id="answer-title">Accepted answer</h2>
          <PostCard post={thread.acceptedPost} accepted perms={perms(thread.acceptedPost.authorId)} onQuote={canReply ? quote : undefined}>{moderation(thread.acceptedPost)}</PostCard>
        </section>
      ) : null}

      <section aria-labelledby="replies-title">
        <h2 id="replies-title">{thread.replyCount === 0 ? "No replies yet" : "Replies"}</h2>
        <ol className="post-list">
          {replies.map((p) => (
            <li key={p.id}>
              <PostCard post={p} accepted={p.id === thread.acceptedPostId} perms={perms(p.authorId)} onQuote={canReply ? quote : undefined}>{moderation(p)}</PostCard>
            </li>
          ))}
        </ol>
        {thread.pages > 1 ? (
          <nav aria-label="Pages of this thread" className="pager">
            {thread.page > 1 ? <Link to={`?page=${thread.page - 1}`} rel="prev">← Newer</Link> : <span />}
            <span>Page {thread.page} of {thread.pages}</span>
            {thread.page < thread.pages ? <Link to={`?page=${thread.page + 1}`} rel="next">Older →</Link> : <span />}
          </nav>
        ) : null}
      </section>

      {canReply ? (
        <section aria-labelledby="reply-title" className="card">
          <h2 id="reply-title">Your reply</h2>
          <Form method="post" replace preventScrollReset>
            {replyToken ? <input type="hidden" name={FORM_TOKEN_FIELD} value={replyToken} /> : null}
            <FormError message={result?.fields ? undefined : result?.message} />
            <label htmlFor="reply-body" className="visually-hidden">Reply (Markdown)</label>
            <textarea id="reply-body" ref={replyRef} name="body" rows={7} required minLength={10} defaultValue={result?.values?.body}
              aria-invalid={result?.fields?.body ? true : undefined} aria-describedby={result?.fields?.body ? "reply-error" : "reply-hint"} />
            <p id="reply-hint" className="hint">Markdown: **bold**, `code`, ```fenced blocks```, [links](https://…), @mentions.</p>
            {result?.fields?.body ? <p id="reply-error" className="field-error" role="alert">{result.fields.body}</p> : null}
            <button type="submit" name="intent" value="reply" disabled={submittingReply}>{submittingReply ? "Posting…" : "Post reply"}</button>
          </Form>
        </section>
      ) : thread.locked ? (
        <p className="notice">This thread is locked and takes no new replies.</p>
      ) : !viewer ? (
        <p className="notice"><Link to={`/login?redirectTo=${encodeURIComponent(threadUrl(thread))}`}>Sign in</Link> to reply.</p>
      ) : null}
    </div>
  );
}
