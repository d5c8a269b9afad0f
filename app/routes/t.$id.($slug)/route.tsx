import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { FlagButton } from "~/components/flag-button";
import { LiveUpdates, newRepliesMessage } from "~/components/live-updates";
import { moderationLinks, PostModerationControls } from "~/components/moderation-controls";
import { PostCard } from "~/components/post-card";
import { requirePermission } from "~/models/permissions";
import { acceptAnswer, createReply, votePost } from "~/models/community/post.server";
import { unacceptAnswer, unvotePost } from "~/models/community/undo.server";
import { getThread } from "~/models/community/thread.server";
import { threadSupport } from "~/models/escalation/escalation.server";
import { getUser, requireUser } from "~/services/auth.server";
import { badRequest } from "~/utils/errors";
import { attempt, readForm, type FormFailure } from "~/utils/form-action.server";
import { newFormToken, submitOnce } from "~/utils/form-once.server";
import { quoteMarkdown } from "~/utils/quote";
import { threadPageNumber, threadUrl } from "~/utils/urls";
import { feedLinks, seoMeta, textExcerpt } from "~/utils/seo";
import { siteOrigin } from "~/utils/url.server";
import { forPage } from "~/utils/page-errors.server";
import { useViewerPayload } from "~/utils/viewer-payload";
import { AcceptedAnswerPointer } from "./accepted-answer";
import { NoReplyNotice, ReplyForm } from "./reply-form";
import { ThreadHeader } from "./thread-header";
import { ThreadPager } from "./thread-pager";
import { withViewerState } from "./viewer-state";

export const links = moderationLinks;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const url = new URL(request.url);
  const page = threadPageNumber(url);
  const thread = await forPage(() => getThread(params.id!, user, page));
  if (params.slug !== thread.slug) {
    throw redirect(`${threadUrl(thread)}${url.search}`, 301);
  }
  const canonical = `${siteOrigin()}${threadUrl(thread)}${page > 1 ? `?page=${page}` : ""}`;
  return {
    thread,
    canonical,
    viewer: user ? { id: user.id, username: user.username } : null,
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
  return attempt(
    async () => {
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
      if (intent === "unvote") {
        requirePermission(user, "post:vote");
        return unvotePost(user, postId);
      }
      if (intent === "accept" || intent === "unaccept") {
        await (intent === "accept" ? acceptAnswer : unacceptAnswer)(user, postId);
        return { ok: true as const };
      }
      throw badRequest("Unknown action.");
    },
    intent === "reply" ? { body: form.get("body") } : undefined,
  );
}

export default function ThreadPage() {
  const loaded = useLoaderData<typeof loader>();
  // A member's page is the shared page plus their own state (docs/decisions/042).
  const { thread, viewer, support, replyToken } = withViewerState(loaded, useViewerPayload("thread", loaded));
  const { canReply, canAccept, canModerate } = thread.capabilities;
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
      <PostModerationControls
        post={{ id: p.id, number: p.number, hidden: p.hidden, deleted: p.deletedAt !== null }}
        canModerate={canModerate}
        isAuthor={viewer?.id === p.authorId}
        canDeleteOwn={p.number > 0 || thread.replyCount === 0}
      />
      {viewer && viewer.id !== p.authorId && !p.hidden && !p.deletedAt ? <FlagButton postId={p.id} /> : null}
    </>
  );
  const card = (p: (typeof thread.posts)[number], accepted: boolean) => (
    <PostCard post={p} accepted={accepted} perms={perms(p.authorId)} onQuote={canReply ? quote : undefined}>
      {moderation(p)}
    </PostCard>
  );
  const question = thread.posts.find((p) => p.number === 0);
  const replies = thread.posts.filter((p) => p.number > 0);

  return (
    <div className="stack thread">
      <ThreadHeader thread={thread} support={support} />

      {question ? card(question, false) : null}

      {thread.acceptedPost ? <AcceptedAnswerPointer thread={thread} answer={thread.acceptedPost} /> : null}

      <section aria-labelledby="replies-title">
        <h2 id="replies-title">{thread.replyCount === 0 ? "No replies yet" : "Replies"}</h2>
        <ol className="post-list">
          {replies.map((p) => (
            <li key={p.id}>{card(p, p.id === thread.acceptedPostId)}</li>
          ))}
        </ol>
        <ThreadPager page={thread.page} pages={thread.pages} />
        <LiveUpdates url={`/live/threads/${thread.id}`} announce={newRepliesMessage} />
      </section>

      {canReply ? (
        <ReplyForm replyRef={replyRef} token={replyToken} result={result} submitting={submittingReply} />
      ) : (
        <NoReplyNotice locked={thread.locked} signedIn={Boolean(viewer)} threadPath={threadUrl(thread)} />
      )}
    </div>
  );
}
